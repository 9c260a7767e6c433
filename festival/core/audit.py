"""The one way to write the audit log: who did what to which record, before and after."""

import enum
from collections.abc import Callable, Iterable
from datetime import date, datetime

import sqlalchemy as sa

from festival.core.extensions import db
from festival.models import AuditLog


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def record(action: str, obj=None, *, by=None, before: dict | None = None, after: dict | None = None) -> AuditLog:
    """Add an audit-log row for `action` on `obj` by user `by` (None for the system)."""
    if obj is not None and obj.id is None:
        db.session.flush()
    entry = AuditLog(
        action=action,
        object_type=obj.__tablename__ if obj is not None else None,
        object_id=obj.id if obj is not None else None,
        user_id=by.id if by is not None else None,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
    db.session.add(entry)
    return entry


def record_many(action: str, objects: Iterable, *, by=None, after: Callable[[object], dict]) -> None:
    """One audit-log row per (already flushed) object, written in a single statement: for lists of
    thousands, such as an import."""
    rows = [
        {
            "action": action,
            "object_type": obj.__tablename__,
            "object_id": obj.id,
            "user_id": by.id if by is not None else None,
            "after": _jsonable(after(obj)),
        }
        for obj in objects
    ]
    if rows:
        db.session.execute(sa.insert(AuditLog), rows)
