"""Live boards' versions: one counter per board, moved by the same transaction as any write to a table the
board shows, so that an open board's unchanged poll is one indexed read on whichever app machine answers.

A feature names the tables its board shows (`watch("control", ScoreSheet, …)`); every session notes the
watched tables its flushes and bulk statements wrote, and just before it commits moves the counters of
those boards. Being in the transaction, a version a poll reads always goes with the rows it stands for (a
counter kept in a process, or a sequence taken before the commit, could be read before the rows are
visible and the change then missed). Each board's stamp also moves once a minute (util/boards.py), so a
write this cannot see (raw SQL) shows within the minute.
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from festival.models import BoardVersion

_BOARDS_OF_TABLE: dict[str, set[str]] = {}
_TOUCHED = "board_versions.touched"  # the boards a session's transaction will move, in session.info


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


@sa.event.listens_for(Session, "before_commit")
def _move_versions(session):
    session.flush()  # what is still pending is noted by its flush
    boards = session.info.pop(_TOUCHED, None)
    if not boards:
        return
    connection = session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    table = BoardVersion.__table__
    upsert = dialect.insert(table).values(version=1)
    upsert = upsert.on_conflict_do_update(index_elements=[table.c.board], set_={"version": table.c.version + 1})
    # In one order, so that two transactions moving the same boards on PostgreSQL wait for each other, never
    # deadlock; as the last statement before COMMIT, so each board's row is locked as briefly as can be.
    for board in sorted(boards):
        connection.execute(upsert, {"board": board})


@sa.event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop(_TOUCHED, None)
