"""Targets and periods: who sees which units' figures, the year's quarters, and each unit's membership and
target per year ("10 đoàn viên có một sáng kiến"), edited by the organizers and copied from last year."""

import math
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import gettext as _

from festival.core import audit
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.initiatives.services import register_units
from festival.models import Initiative, InitiativeState, Unit, UnitTarget, User
from festival.util.formatting import festival_today, local_to_utc

QUARTERS = (1, 2, 3, 4)
MAX_MEMBERS = 10_000_000


def default_target(members: int) -> int:
    """The programme's default: one initiative for every ten union members, rounded up."""
    return math.ceil(members / 10)


def period_target(year_target: int, quarters_elapsed: int) -> Fraction:
    """The target of a quarterly phase: the year's target × quarters elapsed ÷ 4 (cumulative from January)."""
    return Fraction(year_target * quarters_elapsed, 4)


def percent_of(count: int, target: Fraction | int | None) -> Fraction | None:
    """`count` as a percentage of `target`; None when there is no target to measure against."""
    if not target:
        return None
    return Fraction(count) * 100 / Fraction(target)


@dataclass(frozen=True)
class Period:
    """A year, or the part of it from January to the end of a quarter (the phases are cumulative)."""

    year: int
    quarter: int | None = None

    @property
    def quarters_elapsed(self) -> int:
        return self.quarter or 4

    @property
    def starts_on(self) -> date:
        return date(self.year, 1, 1)

    @property
    def ends_before(self) -> date:
        """The first day after the period."""
        return quarter_starts(self.year)[self.quarters_elapsed]

    def received(self) -> sa.ColumnElement[bool]:
        """Initiatives entered in the register during the period (by the festival's clock)."""
        return sa.and_(
            Initiative.created_at >= _local_midnight(self.starts_on),
            Initiative.created_at < _local_midnight(self.ends_before),
        )

    def recognised(self) -> sa.ColumnElement[bool]:
        """Initiatives the unit's council recognised during the period (by the decision's date)."""
        return sa.and_(
            Initiative.state == InitiativeState.RECOGNISED,
            Initiative.decided_on >= self.starts_on,
            Initiative.decided_on < self.ends_before,
        )


def quarter_starts(year: int) -> list[date]:
    """The first days of the year's four quarters, and of the next year."""
    return [date(year, 1, 1), date(year, 4, 1), date(year, 7, 1), date(year, 10, 1), date(year + 1, 1, 1)]


def _local_midnight(day: date) -> datetime:
    return local_to_utc(datetime(day.year, day.month, day.day))


def quarter_of_created(year: int) -> sa.ColumnElement[int]:
    """The quarter of `year` an initiative was entered in, for a GROUP BY (boundaries as parameters, so the
    same SQL runs on SQLite and PostgreSQL); the caller keeps to the year's rows."""
    starts = quarter_starts(year)
    return sa.case(*[(Initiative.created_at < _local_midnight(starts[q]), q) for q in (1, 2, 3)], else_=4)


def quarter_of_decision(year: int) -> sa.ColumnElement[int]:
    """The quarter of `year` of an initiative's recognition decision."""
    starts = quarter_starts(year)
    return sa.case(*[(Initiative.decided_on < starts[q], q) for q in (1, 2, 3)], else_=4)


# Who sees what --------------------------------------------------------------------------------------------


def visible_unit_ids(user: User) -> list[int] | None:
    """The units whose figures `user` sees: None for every unit (organizers), else their own.

    :raise FestivalError: for an account of no unit.
    """
    units = register_units(user)
    if units is None:
        return None
    if not units:
        raise NotAllowed(_("Tài khoản này không thuộc đơn vị nào."))
    return [unit.id for unit in units]


def programme_years(unit_ids: list[int] | None) -> list[int]:
    """The years with a register row or a target (and this year), newest first, in one statement."""
    initiatives = sa.select(Initiative.year)
    targets = sa.select(UnitTarget.year)
    if unit_ids is not None:
        initiatives = initiatives.where(Initiative.unit_id.in_(unit_ids))
        targets = targets.where(UnitTarget.unit_id.in_(unit_ids))
    years = set(db.session.execute(sa.union(initiatives, targets)).scalars())
    years.add(festival_today().year)
    return sorted(years, reverse=True)


def chosen_year(value) -> int:
    """The year asked for when it is a sensible one, else this year."""
    if isinstance(value, int) and 1975 <= value <= festival_today().year + 5:
        return value
    return festival_today().year


# Targets --------------------------------------------------------------------------------------------------


def units_with_targets(year: int, unit_ids: list[int] | None = None) -> list[tuple[Unit, UnitTarget | None]]:
    """Every unit (or the given ones) by code, with its target for `year` or None, in one statement."""
    query = (
        sa.select(Unit, UnitTarget)
        .outerjoin(UnitTarget, sa.and_(UnitTarget.unit_id == Unit.id, UnitTarget.year == year))
        .order_by(Unit.code)
    )
    if unit_ids is not None:
        query = query.where(Unit.id.in_(unit_ids))
    return [(unit, target) for unit, target in db.session.execute(query).all()]


@dataclass
class TargetInput:
    """One unit's row of the bulk form: `target` None takes the default from the members."""

    unit_id: int
    members: int
    target: int | None
    emulation_group: str


def _target_values(target: UnitTarget) -> dict:
    return {"members": target.members, "target": target.target, "emulation_group": target.emulation_group}


def save_targets(year: int, rows: list[TargetInput], *, by: User) -> int:
    """Set the units' membership, target and emulation group for `year`; returns how many rows changed.

    Each created or changed target is written to the audit log with its values before and after.
    :raise FestivalError: for a unit that does not exist or a unit given twice.
    """
    ids = [row.unit_id for row in rows]
    if len(set(ids)) != len(ids):
        raise FestivalError(_("Mỗi đơn vị chỉ có một dòng chỉ tiêu."))
    existing = {unit.id: target for unit, target in units_with_targets(year, ids)}
    if set(ids) - existing.keys():
        raise FestivalError(_("Có đơn vị không còn trong danh sách. Hãy tải lại trang."))
    changed = 0
    for row in rows:
        values = {
            "members": row.members,
            "target": default_target(row.members) if row.target is None else row.target,
            "emulation_group": row.emulation_group.strip(),
        }
        target = existing[row.unit_id]
        before = _target_values(target) if target is not None else None
        if before == values:
            continue
        if target is None:
            target = UnitTarget(unit_id=row.unit_id, year=year)
            db.session.add(target)
        for name, value in values.items():
            setattr(target, name, value)
        audit.record("unit_target.save", target, by=by, before=before, after={"year": year, **values})
        changed += 1
    db.session.flush()
    return changed


def copy_targets(year: int, *, by: User) -> int:
    """Give every unit without a target for `year` last year's membership, target and group; returns how many.

    Units that already have this year's target keep it.
    :raise FestivalError: when last year has no target to copy, or every unit already has one.
    """
    previous = db.session.execute(sa.select(UnitTarget).where(UnitTarget.year == year - 1)).scalars().all()
    if not previous:
        raise FestivalError(_("Năm %(year)d chưa có chỉ tiêu nào để chép.", year=year - 1))
    taken = set(db.session.execute(sa.select(UnitTarget.unit_id).where(UnitTarget.year == year)).scalars())
    copied = 0
    for old in previous:
        if old.unit_id in taken:
            continue
        target = UnitTarget(unit_id=old.unit_id, year=year, **_target_values(old))
        db.session.add(target)
        audit.record(
            "unit_target.copy", target, by=by, after={"year": year, "from_year": year - 1, **_target_values(old)}
        )
        copied += 1
    if not copied:
        raise FestivalError(_("Mọi đơn vị đã có chỉ tiêu năm %(year)d; không có gì để chép.", year=year))
    db.session.flush()
    return copied
