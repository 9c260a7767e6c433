"""One transaction per request, committed in one place (as Indico's request handler does).

A view body reads "load, check, call the service, redirect"; it never commits. After the view,
a request that may write (POST, PUT, PATCH, DELETE) is committed when its answer is not an
error, and rolled back otherwise; a refused form shown again answers 422 (`form_status`), so
whatever its service flushed before refusing is undone. GET, HEAD and OPTIONS never commit.
CLI commands and background jobs are callers too: they commit themselves.
"""

import logging
import time

from flask import current_app, request, session
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.exceptions import ServiceUnavailable

from festival.core.errors import error_response
from festival.core.extensions import db

log = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SQLITE_TURN_SECONDS = 0.1  # between two parts of a long write on SQLite: other writers' turn


def form_status(form) -> int:
    """The status of a page showing `form`: 422 once it was refused (so nothing is committed)."""
    return 422 if form.errors else 200


def on_commit(callback) -> None:
    """Run `callback()` after the current transaction commits; forget it if it rolls back.

    For work that must see the committed rows, such as a job a worker will load by id.
    """
    db.session().info.setdefault("on_commit", []).append(callback)


def on_rollback(callback) -> None:
    """Run `callback()` if the current transaction rolls back (or the session closes without
    committing); forget it once it commits. For undoing what a transaction did outside the
    database, such as a file it stored."""
    db.session().info.setdefault("on_rollback", []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_on_commit(session):
    if session.in_nested_transaction():
        return  # a savepoint released (SQLAlchemy says "commit" for it too): the outer transaction is still open
    session.info.pop("on_rollback", None)
    for callback in session.info.pop("on_commit", []):
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _run_on_rollback(session, previous_transaction):
    if previous_transaction.parent is None:  # the outermost transaction, not a savepoint
        session.info.pop("on_commit", None)
        for callback in session.info.pop("on_rollback", []):
            callback()


@event.listens_for(Session, "after_transaction_end")
def _run_on_close(session, transaction):
    # A session closed without committing (the end of a request that wrote nothing it kept).
    if transaction.parent is None and not session.in_transaction():
        for callback in session.info.pop("on_rollback", []):
            callback()


def in_short_transactions(items: list, size: int):
    """Yield `items` `size` at a time, committing what was done with each part before the next.

    For a long list of independent rows that are safe to apply twice (a gate's offline queue, one
    nonce per scan): SQLite has one writer at a time, and a single transaction over thousands of
    rows would keep every save and scan meanwhile waiting for it. The request's own commit covers
    the last part; an error rolls back only the part in hand, and sending the list again applies
    nothing twice. A commit refused because the database stays busy answers 503 (try again).
    """
    for start in range(0, len(items), size):
        yield items[start : start + size]
        if start + size < len(items):
            try:
                db.session.commit()
            except OperationalError:
                db.session.rollback()
                log.exception("Commit of a part failed on %s %s", request.method, request.path)
                raise ServiceUnavailable() from None
            if db.session.get_bind().dialect.name == "sqlite":
                # SQLite's busy handler makes a waiting writer poll, every 100 ms once it has waited a
                # while: without a pause the next part would take the lock again before any of them looks.
                time.sleep(SQLITE_TURN_SECONDS)


def init_app(app):
    @app.after_request
    def finish_transaction(response):
        """Commit a write request that succeeded; roll back everything else."""
        if request.method in SAFE_METHODS:
            return response  # nothing to keep; the session is closed when the request ends
        if response.status_code >= 400:
            db.session.rollback()
            return response
        try:
            db.session.commit()
        except OperationalError:
            # SQLite still busy after its timeout, or the database gone: nothing was stored,
            # and the client may try again (the tablet's outbox and the scanner's queue do).
            db.session.rollback()
            log.exception("Commit failed on %s %s", request.method, request.path)
            session.pop("_flashes", None)  # "saved" was flashed for what is not stored
            return current_app.make_response(error_response(503))
        return response
