"""Flask extensions, created once here and bound to the app in create_app()."""

import contextvars

from flask import has_request_context, request
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from festival.models.base import db

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


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """Foreign keys, WAL and a busy timeout on every SQLite connection."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # Hand transaction control to SQLAlchemy so the "begin" hook below decides how to BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn):
    """Begin SQLite write transactions IMMEDIATE so concurrent writers wait, not fail.

    A deferred transaction that reads and then writes cannot wait for the lock (SQLite
    answers "database is locked" at once); taking the write lock at BEGIN makes it queue
    behind the busy timeout instead. Reading requests (GET/HEAD) and the reading part of a
    background job stay deferred so that a page or a print being prepared never holds the write lock.
    """
    if conn.dialect.name != "sqlite":
        return
    if deferred_begin.get() or (has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
