"""SQLite's writers queue for the write lock (festival/util/sqlite_writers.py): within a process and between
processes, a writer begins only on its turn, the next goes as soon as the one before commits, rolls back,
closes or dies, and a turn kept too long is answered "database is locked" as SQLite's own timeout is."""

import fcntl
import os
import select
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from festival.util import sqlite_writers
from festival.util.sqlite_writers import QueuedWriterConnection

ROOT = Path(__file__).resolve().parents[1]
WAIT = 10  # seconds a test waits for something that should happen at once, before calling it a failure


def _connect(path: Path, busy_ms: int = 0) -> QueuedWriterConnection:
    # A busy timeout of 0: a writer that reached BEGIN IMMEDIATE while another held SQLite's lock would fail at
    # once, so every success below shows that the queue, not SQLite's busy handler, made it wait.
    connection = sqlite3.connect(path, factory=QueuedWriterConnection, isolation_level=None, check_same_thread=False)
    connection.execute(f"PRAGMA busy_timeout={busy_ms}")
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


def _begin(connection: QueuedWriterConnection, timeout: float = WAIT) -> None:
    connection.wait_turn(timeout)
    connection.execute("BEGIN IMMEDIATE")


@pytest.fixture
def database(tmp_path) -> Path:
    path = tmp_path / "queue.db"
    setup = _connect(path)
    setup.execute("CREATE TABLE written (who TEXT)")
    setup.close()
    return path


def _rows(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [who for (who,) in connection.execute("SELECT who FROM written ORDER BY rowid")]
    finally:
        connection.close()


def _writer_in_thread(path: Path, who: str) -> tuple[threading.Thread, threading.Event, list]:
    began, errors = threading.Event(), []

    def write():
        connection = _connect(path)
        try:
            _begin(connection)
            began.set()
            connection.execute("INSERT INTO written VALUES (?)", (who,))
            connection.commit()
        except Exception as error:  # reported to the test, which fails on it
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=write)
    thread.start()
    return thread, began, errors


@pytest.mark.parametrize("ending", ["commit", "rollback", "close"])
def test_a_writer_waits_for_the_turn_of_another_in_its_process_and_goes_when_that_transaction_ends(database, ending):
    first = _connect(database)
    _begin(first)
    first.execute("INSERT INTO written VALUES ('first')")
    thread, began, errors = _writer_in_thread(database, "second")
    assert not began.wait(0.3), "the second writer began while the first held its turn"
    getattr(first, ending)()
    thread.join(WAIT)
    assert began.is_set() and not errors, errors
    assert _rows(database) == (["first", "second"] if ending == "commit" else ["second"])
    first.close()


def test_a_turn_kept_too_long_is_answered_as_a_locked_database_and_the_waiter_keeps_nothing(database):
    first = _connect(database)
    _begin(first)
    waiter = _connect(database)
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        waiter.wait_turn(0.2)
    assert not waiter.in_transaction
    first.commit()
    _begin(waiter)  # the turn was not left taken by the refused wait
    waiter.rollback()
    first.close()
    waiter.close()


def test_a_failed_begin_gives_the_turn_back(database):
    outside = sqlite3.connect(database, isolation_level=None)  # a writer outside the queue (the sqlite3 shell)
    outside.execute("BEGIN IMMEDIATE")
    queued = _connect(database)
    queued.wait_turn(WAIT)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        queued.execute("BEGIN IMMEDIATE")  # busy timeout 0: SQLite's own lock still decides
    queued.end_turn()
    outside.rollback()
    thread, began, errors = _writer_in_thread(database, "next")
    thread.join(WAIT)
    assert began.is_set() and not errors, errors
    assert _rows(database) == ["next"]
    queued.close()
    outside.close()


HOLDER = """
import sqlite3, sys, time
from festival.util import sqlite_writers
from festival.util.sqlite_writers import QueuedWriterConnection
connection = sqlite3.connect(sys.argv[1], factory=QueuedWriterConnection, isolation_level=None)
connection.wait_turn(10)
connection.execute("BEGIN IMMEDIATE")
connection.execute("INSERT INTO written VALUES ('killed')")
print("holding", flush=True)
time.sleep(600)
"""


def test_writers_of_two_processes_take_turns_and_a_killed_holder_lets_the_next_go(database):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(database)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        thread, began, errors = _writer_in_thread(database, "after")
        assert not began.wait(0.3), "a writer began while another process held its turn"
        holder.send_signal(signal.SIGKILL)  # a worker killed mid-transaction
        holder.wait(WAIT)
        thread.join(WAIT)
        assert began.is_set() and not errors, errors
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert _rows(database) == ["after"]  # the killed writer's row was never committed


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is how gunicorn makes its workers")
def test_a_forked_child_queues_on_its_own_not_on_its_parents_turn(database):
    # The parent holds its process's turn across the fork (no SQLite connection is carried over a fork: SQLite
    # forbids it). Inherited as it is, the child would find the lock taken forever, or share the parent's flock.
    lock, handle = sqlite_writers._queue(os.path.realpath(database))
    lock.acquire()
    fcntl.flock(handle, fcntl.LOCK_EX)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what happened and leave without running pytest's teardown
        status = b"?"
        try:
            child = _connect(database)
            _begin(child)
            child.execute("INSERT INTO written VALUES ('child')")
            child.commit()
            status = b"ok"
        except BaseException as error:
            status = repr(error).encode()[:200]
        finally:
            os.write(write_end, status)
            os._exit(0)
    os.close(write_end)
    try:
        assert select.select([read_end], [], [], 0.3)[0] == [], "the child began while the parent held the turn"
        fcntl.flock(handle, fcntl.LOCK_UN)
        lock.release()
        assert select.select([read_end], [], [], WAIT)[0] == [read_end]
        assert os.read(read_end, 200) == b"ok"
    finally:
        os.waitpid(pid, 0)
        os.close(read_end)
    assert _rows(database) == ["child"]
