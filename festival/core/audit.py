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


def _redacted(value, wanted: set[str], replacement: str):
    if isinstance(value, dict):
        return {k: _redacted(v, wanted, replacement) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v, wanted, replacement) for v in value]
    if isinstance(value, str) and value.strip().lower() in wanted:
        return replacement
    return value


def _holding(values: Iterable[str], replacement: str):
    """The rows whose before or after hold one of `values`, each with its before and after redacted."""
    wanted = {value.strip().lower() for value in values if value and value.strip()}
    if not wanted:
        return
    text = sa.func.lower(
        sa.func.coalesce(sa.cast(AuditLog.before, sa.Text), "")
        + " "
        + sa.func.coalesce(sa.cast(AuditLog.after, sa.Text), "")
    )
    candidates = db.session.execute(
        db.select(AuditLog).where(sa.or_(*(text.contains(value, autoescape=True) for value in sorted(wanted))))
    ).scalars()
    for entry in candidates:
        before, after = _redacted(entry.before, wanted, replacement), _redacted(entry.after, wanted, replacement)
        if (before, after) != (entry.before, entry.after):
            yield entry, before, after


def count_holding(values: Iterable[str]) -> int:
    """How many rows `redact` would change."""
    return sum(1 for _found in _holding(values, ""))


def redact(values: Iterable[str], replacement: str) -> int:
    """Replace these values (e-mail addresses, phone numbers; any case) wherever a row's before or after holds
    them, keeping the row itself: a person's erasure leaves the record of who did what, without their contact
    details. Returns how many rows changed."""
    changed = 0
    for entry, before, after in list(_holding(values, replacement)):
        entry.before, entry.after = before, after
        changed += 1
    return changed
