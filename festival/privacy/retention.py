"""Retention periods per festival (the declaration's defaults until an organizer saves others) and the purge
that removes what has outlived them, reporting exactly what it removes (or would, in a dry run)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app

from festival.core import audit, storage
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.models import Festival, PurgeRun, RetentionSetting, User, utcnow
from festival.privacy.inventory import CLEAR, CREATED, DELETE, PURGED, Category
from festival.util.formatting import festival_timezone


def max_days() -> int:
    return current_app.config["PERSONAL_DATA_MAX_RETENTION_DAYS"]


def periods(festival: Festival) -> dict[str, int]:
    """Each purged category's period in days for this festival: saved, or the default (nothing is written)."""
    saved = dict(
        db.session.execute(
            db.select(RetentionSetting.category, RetentionSetting.days).where(
                RetentionSetting.festival_id == festival.id
            )
        ).all()
    )
    return {category.key: saved.get(category.key, category.default_days) for category in PURGED}


def save_periods(festival: Festival, wanted: dict[str, int], *, by: User | None) -> None:
    """Save the organizer's periods; each must lie between its category's minimum and the admin maximum.

    :raise FestivalError: a period out of bounds (nothing saved).
    """
    limit = max_days()
    for category in PURGED:
        days = wanted.get(category.key)
        if days is None or not category.min_days <= days <= limit:
            raise FestivalError(f"{category.what[0]}: thời hạn phải từ {category.min_days} đến {limit} ngày.")
    before = periods(festival)
    saved = {
        row.category: row
        for row in db.session.execute(
            db.select(RetentionSetting).where(RetentionSetting.festival_id == festival.id)
        ).scalars()
    }
    for category in PURGED:
        row = saved.get(category.key)
        if row is None:
            row = RetentionSetting(festival_id=festival.id, category=category.key, days=wanted[category.key])
            db.session.add(row)
        row.days = wanted[category.key]
        row.updated_by_id = by.id if by else None
        row.updated_at = utcnow()
    db.session.flush()
    audit.record("privacy.retention", festival, by=by, before=before, after={k: wanted[k] for k in before})


@dataclass
class Due:
    """What the purge removes from one category: row ids (or file keys) and when the period ended."""

    category: Category
    days: int
    cutoff: datetime | None  # rows older than this are due (None: the festival has not ended long enough)
    ids: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.ids)


@dataclass
class PurgeReport:
    festival: Festival
    now: datetime
    dry_run: bool
    due: list[Due]
    run: PurgeRun | None = None

    @property
    def counts(self) -> dict[str, int]:
        return {item.category.key: item.count for item in self.due}

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _cutoff(festival: Festival, category: Category, days: int, now: datetime) -> datetime | None:
    if category.counted_from == CREATED:
        return now - timedelta(days=days)
    # FESTIVAL_END: every row of the festival is due once `days` full days have passed since its last day.
    end_of_festival = datetime.combine(festival.ends_on + timedelta(days=1), datetime.min.time(), festival_timezone())
    return now if now >= end_of_festival + timedelta(days=days) else None


def _holds_data(category: Category):
    """Rows whose cleared columns still hold something (a cleared row is not counted twice)."""
    model = category.model
    conditions = []
    for name, empty in category.cleared.items():
        column = getattr(model, name)
        if empty is None:
            conditions.append(column.is_not(None))
        elif isinstance(empty, dict):
            conditions.append(db.func.coalesce(db.cast(column, db.String), "") != "{}")
        else:
            conditions.append(db.func.coalesce(column, "") != empty)
    return db.or_(*conditions)


def _due_ids(festival: Festival, category: Category, cutoff: datetime) -> list:
    if category.store_area:
        return sorted(found.key for found in storage.store(category.store_area).list() if found.modified < cutoff)
    model = category.model
    key = sa_primary_key(model)
    query = db.select(key)
    if hasattr(model, "festival_id"):
        mine = model.festival_id == festival.id
        # Messages of no festival (a password reset) go with the current festival's period.
        if model.festival_id.nullable and festival.is_current:
            mine = db.or_(mine, model.festival_id.is_(None))
        query = query.where(mine)
    elif category.of_festival is not None:
        query = query.where(category.of_festival(festival))
    if category.counted_from == CREATED:
        query = query.where(getattr(model, category.time_column) < cutoff)
    if category.action == CLEAR:
        query = query.where(_holds_data(category))
    if category.extra is not None:
        query = query.where(*category.extra())
    return list(db.session.execute(query.order_by(key)).scalars())


def sa_primary_key(model):
    (column,) = model.__table__.primary_key.columns
    return getattr(model, column.key)


def due(festival: Festival, now: datetime) -> list[Due]:
    """What the purge would remove now, per category (nothing is written).

    Categories not tied to a festival (sign-ins, staged imports) are purged with the current festival only.
    """
    in_force = periods(festival)
    found = []
    for category in PURGED:
        days = in_force[category.key]
        if not category.per_festival and not festival.is_current:
            continue
        cutoff = _cutoff(festival, category, days, now)
        item = Due(category, days, cutoff)
        if cutoff is not None:
            item.ids = _due_ids(festival, category, cutoff)
        found.append(item)
    return found


def _apply(item: Due) -> None:
    category = item.category
    if not item.ids:
        return
    if category.store_area:
        storage.store(category.store_area).delete(*item.ids)
        return
    key = sa_primary_key(category.model)
    rows = list(db.session.execute(db.select(category.model).where(key.in_(item.ids))).scalars())
    if category.stored_files:
        # The object a row names (an .eml holds the body too) goes with its data.
        column, area = category.stored_files
        storage.store(area).delete(*sorted({getattr(row, column) for row in rows if getattr(row, column)}))
    for row in rows:
        if category.action == DELETE:
            db.session.delete(row)
        else:
            for name, empty in category.cleared.items():
                setattr(row, name, dict(empty) if isinstance(empty, dict) else empty)
    db.session.flush()


def purge(festival: Festival, now: datetime, dry_run: bool, *, by: User | None = None, scheduled=False) -> PurgeReport:
    """Remove (or, in a dry run, only list) the personal data past its period in this festival, and record the
    run. Flushes, does not commit; files in a store area go at once, so a real run is committed by its caller
    straight after."""
    report = PurgeReport(festival, now, dry_run, due(festival, now))
    if not dry_run:
        for item in report.due:
            _apply(item)
    report.run = PurgeRun(
        festival_id=festival.id,
        ran_at=now,
        by_id=by.id if by else None,
        scheduled=scheduled,
        dry_run=dry_run,
        counts=report.counts,
    )
    db.session.add(report.run)
    db.session.flush()
    if not dry_run:
        audit.record("privacy.purge", report.run, by=by, after=report.counts)
    return report


def recent_runs(festival: Festival, limit: int = 50) -> list[PurgeRun]:
    return list(
        db.session.execute(
            db.select(PurgeRun)
            .where(PurgeRun.festival_id == festival.id)
            .order_by(PurgeRun.ran_at.desc(), PurgeRun.id.desc())
            .limit(limit)
        ).scalars()
    )
