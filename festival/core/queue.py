"""The task queue: prints and e-mail run in Huey's consumer, never inside a web request.

Huey registers tasks on one instance at import time, so the instance is built from the environment
(as config.py is): a SQLite file in instance/ by default, so `make run` needs no server, or Redis
when QUEUE_URL is a redis:// address, for an organizer running several machines. QUEUE_URL=immediate
runs each task at once in the caller (the test suite).

The consumer process is festival/worker.py (`flask festival worker`, run by `make run`'s Procfile);
this module knows no feature: it is what features' tasks stand on.
"""

import functools
import hashlib
import os
import sqlite3

from flask import current_app, has_app_context
from huey import RedisHuey, SqliteHuey
from redis import ConnectionPool, RedisError

from config import INSTANCE_DIR
from festival.core.extensions import db
from festival.core.files import private_dir, private_sqlite_file

# What handing a task to the queue raises when its store (Redis, or the SQLite file) does not answer.
UNREACHABLE = (RedisError, sqlite3.Error, OSError)


def _create_huey():
    url = os.environ.get("QUEUE_URL", "")
    if url.startswith(("redis://", "rediss://", "unix://")):
        # A Redis gone without refusing (its machine off) fails a connection in seconds, not minutes; the
        # address's own ?socket_connect_timeout= wins.
        return RedisHuey("festival", connection_pool=ConnectionPool.from_url(url, socket_connect_timeout=5))
    if url == "immediate":
        return SqliteHuey("festival", immediate=True)
    path = url.removeprefix("sqlite:///") or str(INSTANCE_DIR / "queue.db")
    if not url:
        private_dir(INSTANCE_DIR)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    # Tasks wait here with their arguments (ids and addresses, never a link), and the results stay a
    # while: the file and its -wal/-shm are the owner's only, whoever made them before.
    private_sqlite_file(path)
    return SqliteHuey("festival", filename=path)


huey = _create_huey()
_consumer_app = None


def _app():
    """The Flask app a task runs in: the caller's in immediate mode, else the consumer's (see use_app)."""
    if has_app_context():
        return current_app._get_current_object()
    if _consumer_app is None:
        raise RuntimeError("No app for the queue's tasks: the consumer (festival/worker.py) calls use_app first.")
    return _consumer_app


def reachable() -> bool:
    """Whether the queue's store answers (a count of the waiting tasks: one cheap read)."""
    try:
        huey.pending_count()
    except UNREACHABLE:
        return False
    return True


def one_at_a_time(name: str) -> None:
    """Hold the database's lock called `name` until the current transaction ends, so that a periodic task that
    every consumer starts (one per machine) runs once after another, each seeing what the last one wrote.

    PostgreSQL: a transaction-level advisory lock (waited for). SQLite has one writer: a task's transaction
    begins IMMEDIATE (festival.core.extensions), so its first statement, this one, waits for the write lock.
    """
    if db.engine.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        db.session.execute(db.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    else:
        db.session.execute(db.text("SELECT 1"))


def use_app(app) -> None:
    """Run every task of this process in `app` (the consumer's own, built once)."""
    global _consumer_app
    _consumer_app = app


def task(**options):
    """A Huey task whose body runs in its own Flask app context (and so its own database session)."""

    def decorate(function):
        @huey.task(name=f"{function.__module__}.{function.__qualname__}", **options)
        @functools.wraps(function)
        def run(*args, **kwargs):
            with _app().app_context():
                return function(*args, **kwargs)

        return run

    return decorate
