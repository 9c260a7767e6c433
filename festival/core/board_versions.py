"""Live boards' versions: one counter per board, moved whenever a table the board shows is written, so that an
open board's unchanged poll is one indexed read on whichever app machine answers.

A feature names the tables its board shows (`watch("control", ScoreSheet, …)`); every session notes the
watched tables its flushes and bulk statements wrote, and moves those boards' counters once its rows are
committed. A board reads its version before its rows (and a poll reads nothing else), so a version is never
newer than the rows it stands for: a poll between the commit and the move sees the old version and simply asks
again. Each board's stamp also moves once a minute (util/boards.py), so a write this cannot see (raw SQL, a
move lost with its process) shows within the minute.

When the move happens is the backends' difference. On PostgreSQL a move inside the writing transaction
would hold the one row's lock until that COMMIT reached the disk, so every save and scan would commit one
after another (at one disk flush each); the move is instead a transaction of its own after the commit, whose
row lock lasts a statement (its COMMIT does not wait for the disk: a lost move is a board a minute late,
never a lost score). On SQLite the write lock is the database's and is already held until COMMIT, so the move is the
writing transaction's last statement and costs no second commit.
"""

import logging

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from festival.models import BoardVersion

log = logging.getLogger(__name__)

_BOARDS_OF_TABLE: dict[str, set[str]] = {}
_TOUCHED = "board_versions.touched"  # the boards a session's transaction will move, in session.info
_COMMITTED = "board_versions.committed"  # and those to move now that it has committed
MOST_WAITED_MS = 2000


def watch(board: str, *models) -> None:
    """Move `board`'s version whenever a row of one of `models`' tables is written."""
    for model in models:
        _BOARDS_OF_TABLE.setdefault(model.__table__.name, set()).add(board)


def version_of(board: str):
    """The board's version as a scalar subquery (NULL before its first write), to read beside other things."""
    return sa.select(BoardVersion.version).where(BoardVersion.board == board).scalar_subquery()


def _note(session: Session, table: str) -> None:
    boards = _BOARDS_OF_TABLE.get(table)
    if boards:
        session.info.setdefault(_TOUCHED, set()).update(boards)


@sa.event.listens_for(Session, "after_flush")
def _note_flushed(session, flush_context):
    # After a flush the session still lists what it wrote (new, dirty and deleted objects).
    for instance in (*session.new, *session.dirty, *session.deleted):
        _note(session, getattr(type(instance), "__tablename__", ""))


@sa.event.listens_for(Session, "do_orm_execute")
def _note_bulk(state):
    # sa.insert(Model) / sa.update(Model) / sa.delete(Model) run through the session bypass the flush.
    if (state.is_insert or state.is_update or state.is_delete) and state.bind_mapper is not None:
        _note(state.session, state.bind_mapper.local_table.name)


def _upsert(dialect):
    table = BoardVersion.__table__
    upsert = dialect.insert(table).values(version=1)
    return upsert.on_conflict_do_update(index_elements=[table.c.board], set_={"version": table.c.version + 1})


_UPSERT = {"postgresql": _upsert(postgresql), "sqlite": _upsert(sqlite)}
# PostgreSQL's move after a commit: its COMMIT does not wait for the disk, and it gives up rather than keep a
# saved score's answer waiting behind a lock on a board's row (both for this transaction only).
_MOVE_SETTINGS = sa.text(
    "SELECT set_config('synchronous_commit', 'off', true), set_config('lock_timeout', :wait, true)"
).bindparams(wait=f"{MOST_WAITED_MS}ms")


def _move(connection, boards: set[str]) -> None:
    # In one order, so that two transactions moving the same boards on PostgreSQL wait for each other, never
    # deadlock.
    upsert = _UPSERT[connection.dialect.name]
    for board in sorted(boards):
        connection.execute(upsert, {"board": board})


@sa.event.listens_for(Session, "before_commit")
def _move_within(session):
    session.flush()  # what is still pending is noted by its flush
    if session.get_bind().dialect.name == "sqlite" and (boards := session.info.pop(_TOUCHED, None)):
        _move(session.connection(), boards)


@sa.event.listens_for(Session, "after_commit")
def _committed(session):
    # PostgreSQL's boards (SQLite's were moved within the transaction), moved once the session has given its
    # connection back: taking a second one while holding the first would let a burst of requests on threads
    # hold the whole pool and wait for each other.
    if boards := session.info.pop(_TOUCHED, None):
        session.info[_COMMITTED] = boards


@sa.event.listens_for(Session, "after_transaction_end")
def _move_after(session, transaction):
    if transaction.parent is not None or not (boards := session.info.pop(_COMMITTED, None)):
        return
    try:
        with session.get_bind().begin() as connection:
            connection.execute(_MOVE_SETTINGS)
            _move(connection, boards)
    except sa.exc.SQLAlchemyError:
        # The rows are committed and the caller is told so; the board catches up within the minute.
        log.warning("live boards %s not moved after a commit", sorted(boards), exc_info=True)


@sa.event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop(_TOUCHED, None)
