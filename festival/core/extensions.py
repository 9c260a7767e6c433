"""Flask extensions, created once here and bound to the app in create_app()."""

import contextvars
import sqlite3

from flask import current_app, has_request_context, request
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from festival.models.base import db
from festival.util.sqlite_writers import QueuedWriterConnection

migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)  # storage and switches from RATELIMIT_* settings
compress = Compress()  # pages and JSON answers; static files come pre-compressed (festival/core/static_files.py)

__all__ = ["babel", "compress", "csrf", "db", "limiter", "login_manager", "migrate"]

SQLITE_BUSY_TIMEOUT_MS = 15000
# Set (festival.core.jobs.reading) while a background job only reads: its transactions BEGIN deferred,
# so on SQLite it never takes the write lock that the gates and the judges need.
deferred_begin = contextvars.ContextVar("deferred_begin", default=False)


@event.listens_for(Engine, "do_connect")
def _sqlite_writers_take_turns(dialect, connection_record, cargs, cparams):
    """SQLite connections whose writers queue for the write lock (festival.util.sqlite_writers)."""
    if dialect.name == "sqlite" and dialect.driver == "pysqlite":
        cparams.setdefault("factory", QueuedWriterConnection)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """Foreign keys, WAL and a busy timeout on every SQLite connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Hand transaction control to SQLAlchemy so the "begin" hook below decides how to BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def writes_late(view):
    """Mark a write view that begins writing at `take_write_lock()`: on SQLite its reads before that (the festival,
    the signed-in session) run outside any transaction and the write lock is held only from there to the commit.

    For the busiest writes of the day (a judge's save): SQLite has one writer at a time, and a lock taken at the
    request's first statement would be held through all of its sign-in and checks. Nothing may be written before
    `take_write_lock()`; what was read before it is as fresh as on PostgreSQL's READ COMMITTED."""
    view.writes_late = True
    return view


def _writes_late() -> bool:
    """Whether this request's view is marked `writes_late`."""
    return has_request_context() and getattr(current_app.view_functions.get(request.endpoint), "writes_late", False)


def take_write_lock() -> None:
    """Where a view marked `writes_late` begins its transaction on SQLite (BEGIN IMMEDIATE: other writers wait
    for its commit); nothing to do inside a transaction already begun, or on PostgreSQL."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        _begin_writing(connection)


@event.listens_for(Session, "before_flush")
def _no_write_before_the_lock(session, flush_context, instances):
    # A writes_late view that flushes before take_write_lock() would otherwise write outside any transaction,
    # each statement committed alone: it takes the lock here instead.
    if _writes_late():
        take_write_lock()


def _begin_writing(connection) -> None:
    """BEGIN IMMEDIATE on SQLite once it is this connection's turn to write."""
    dbapi_connection = connection.connection.dbapi_connection
    if isinstance(dbapi_connection, QueuedWriterConnection):
        dbapi_connection.wait_turn(SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if isinstance(dbapi_connection, QueuedWriterConnection):
            dbapi_connection.end_turn()
        raise


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn):
    """Begin SQLite write transactions IMMEDIATE so concurrent writers wait, not fail.

    A deferred transaction that reads and then writes cannot wait for the lock (SQLite
    answers "database is locked" at once); taking the write lock at BEGIN makes it queue
    behind the busy timeout instead. Reading requests (GET/HEAD) and the reading part of a
    background job stay deferred so that a page or a print being prepared never holds the write lock.
    A view marked `writes_late` begins nothing here: its first statements run on their own, each in its own
    snapshot, until it takes the write lock.
    """
    if conn.dialect.name != "sqlite":
        return
    if deferred_begin.get() or (has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")):
        conn.exec_driver_sql("BEGIN")
    elif not _writes_late():
        _begin_writing(conn)
