"""SQLite's writers take turns in a queue instead of polling for its write lock.

SQLite lets one connection write at a time. The others wait in its busy handler, which sleeps 1, 2, 5, 10, …
then 100 ms between looks, so a writer that keeps looking at the wrong moment waits far longer than the lock is
held, and may lose every time. Measured under judges' saves that hold the lock about 4 ms (two gunicorn workers,
eight saves at once): the wait for BEGIN IMMEDIATE averaged 13 ms, its 99th percentile 234 ms, its longest 1.5 s.

Here a writer queues first among its process's threads (a lock per database file), then among processes (an
flock on a file beside the database: the kernel hands it to the next waiter as soon as it is let go, and lets
it go when its holder's process dies), and only then begins IMMEDIATE. SQLite's own lock still decides who
writes: a connection outside the queue (the sqlite3 shell, another program) is waited for as before.
"""

import fcntl
import os
import sqlite3
import threading

QUEUE_SUFFIX = "-writers"  # the file beside the database whose flock orders the processes' writers

_queues: dict[str, tuple[threading.Lock, int]] = {}
_queues_guard = threading.Lock()


def _forget_queues() -> None:
    # A forked child must not share its parent's open file (one flock for both) or a lock held at the fork.
    global _queues_guard
    for _lock, handle in _queues.values():
        os.close(handle)  # the parent's flock stays the parent's: its own descriptor is still open
    _queues.clear()
    _queues_guard = threading.Lock()


os.register_at_fork(after_in_child=_forget_queues)


def _queue(path: str) -> tuple[threading.Lock, int]:
    with _queues_guard:
        if path not in _queues:
            handle = os.open(path + QUEUE_SUFFIX, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            _queues[path] = (threading.Lock(), handle)
        return _queues[path]


class QueuedWriterConnection(sqlite3.Connection):
    """A `sqlite3` connection (given as `sqlite3.connect(…, factory=…)`) whose writes wait their turn
    (`wait_turn`) and give it up when their transaction ends: commit, rollback or close."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        path = os.fspath(database)
        in_memory = path == ":memory:" or path == "" or kwargs.get("uri") or path.startswith("file:")
        self._path = None if in_memory else os.path.realpath(path)
        self._turn: tuple[threading.Lock, int] | None = None

    def wait_turn(self, timeout: float) -> None:
        """Wait for this connection's turn to write (call before BEGIN IMMEDIATE).

        :raise sqlite3.OperationalError: another thread of this process kept its turn `timeout` seconds, as
            SQLite's own "database is locked" after its busy timeout."""
        if self._path is None or self._turn is not None:
            return  # nothing to queue with (a database in memory is one connection), or already its turn
        lock, handle = _queue(self._path)
        if not lock.acquire(timeout=timeout):
            raise sqlite3.OperationalError("database is locked")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except BaseException:
            lock.release()
            raise
        self._turn = (lock, handle)

    def end_turn(self) -> None:
        """Let the next writer go once this connection's transaction has ended (or its BEGIN failed)."""
        if not self.in_transaction:
            self._let_go()

    def commit(self):
        try:
            super().commit()
        finally:
            self.end_turn()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self.end_turn()

    def close(self):
        try:
            super().close()
        finally:
            self._let_go()  # a closed connection's transaction is gone

    def _let_go(self) -> None:
        if self._turn is not None:
            lock, handle = self._turn
            self._turn = None
            fcntl.flock(handle, fcntl.LOCK_UN)
            lock.release()
