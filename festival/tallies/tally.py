"""The programme's tallies: initiatives received and recognised, and the first-year benefit of recognised ones,
by unit, region, field, author category and quarter against the targets; the ranking within each emulation
group; the sector's years and festival editions.

Every figure is a GROUP BY in SQL: a tally costs the same number of statements whatever the number of units.
"""

from dataclasses import dataclass, field
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import gettext as _

from festival.core.extensions import db
from festival.models import (
    AuthorCategory,
    Award,
    AwardTier,
    Exhibit,
    ExhibitStatus,
    Festival,
    Initiative,
    InitiativeAuthor,
    InitiativeBenefit,
    InitiativeField,
    InitiativeState,
    Region,
    Unit,
    UnitTarget,
)
from festival.tallies.services import (
    QUARTERS,
    Period,
    percent_of,
    period_target,
    quarter_of_created,
    quarter_of_decision,
    units_with_targets,
)


@dataclass
class Line:
    """One row of a tally: what was received and recognised in the period, the benefit, and the target."""

    label: str
    received: int = 0
    recognised: int = 0
    benefit: int = 0
    target: Fraction | None = None  # the period's target (cumulative for a quarter); None: none set

    @property
    def percent(self) -> Fraction | None:
        """Recognised initiatives as a percentage of the period's target."""
        return percent_of(self.recognised, self.target)


@dataclass
class UnitLine(Line):
    """A unit's row, with its membership, the year's target, its emulation group and its rank there."""

    unit: Unit | None = None
    members: int | None = None
    year_target: int | None = None
    group: str = ""
    rank: int | None = None


@dataclass
class QuarterLine(Line):
    """A quarter's own figures, and the recognised initiatives from January to its end against its target."""

    quarter: int = 0
    cumulative: int = 0

    @property
    def percent(self) -> Fraction | None:
        return percent_of(self.cumulative, self.target)


@dataclass
class EditionLine:
    """A festival edition: its accepted exhibits (those nominated from a register) and its prizes by tier."""

    edition: int
    name: str
    exhibits: int
    nominated: int
    prizes: dict[AwardTier, int] = field(default_factory=dict)

    @property
    def prize_count(self) -> int:
        return sum(self.prizes.values())


@dataclass
class Tally:
    """A period's tally as one account may see it."""

    period: Period
    total: Line
    units: list[UnitLine]  # the units shown (all, or the account's own)
    groups: list[tuple[str, list[UnitLine]]]  # rankings: every group, or the account's own group
    regions: list[Line]
    fields: list[Line]
    categories: list[Line]
    quarters: list[QuarterLine]
    years: list[Line]
    editions: list[EditionLine]


def _first_year_benefit():
    return sa.and_(InitiativeBenefit.initiative_id == Initiative.id, InitiativeBenefit.year_index == 1)


def _scoped(query, unit_ids, column=Initiative.unit_id):
    return query if unit_ids is None else query.where(column.in_(unit_ids))


def figures(period: Period, keys=(), *, unit_ids=None, join_unit=False, by_author_category=False) -> list[tuple]:
    """(*keys, received, recognised, benefit) grouped by `keys` (and the authors' category last, when asked), in
    one statement. An initiative counts in each author category its authors belong to."""
    received, recognised = period.received(), period.recognised()
    keys = list(keys)
    categories = None
    if by_author_category:
        categories = sa.select(InitiativeAuthor.initiative_id, InitiativeAuthor.category).distinct().subquery()
        keys.append(categories.c.category)
    query = (
        sa.select(
            *keys,
            sa.func.count(sa.case((received, Initiative.id))),
            sa.func.count(sa.case((recognised, Initiative.id))),
            sa.func.coalesce(sa.func.sum(sa.case((recognised, InitiativeBenefit.benefit_vnd))), 0),
        )
        .select_from(Initiative)
        .outerjoin(InitiativeBenefit, _first_year_benefit())
        .where(sa.or_(received, recognised))
    )
    if join_unit:
        query = query.join(Unit, Unit.id == Initiative.unit_id)
    if categories is not None:
        query = query.join(categories, categories.c.initiative_id == Initiative.id)
    query = _scoped(query, unit_ids)
    if keys:
        query = query.group_by(*keys)
    return [tuple(row) for row in db.session.execute(query).all()]


def _line(label, received=0, recognised=0, benefit=0, target=None) -> Line:
    return Line(str(label), received, recognised, int(benefit or 0), target)


def quarter_lines(year: int, year_target: int | None, *, unit_ids=None) -> list[QuarterLine]:
    """The year's four quarters: their own figures, and the cumulative recognised against the phase target."""
    whole = Period(year)
    received = sa.select(quarter_of_created(year).label("quarter"), Initiative.id).where(whole.received())
    received = _scoped(received, unit_ids).subquery()
    recognised = (
        sa.select(quarter_of_decision(year).label("quarter"), Initiative.id, InitiativeBenefit.benefit_vnd)
        .outerjoin(InitiativeBenefit, _first_year_benefit())
        .where(whole.recognised())
    )
    recognised = _scoped(recognised, unit_ids).subquery()
    # Grouped over a subquery: PostgreSQL would not match a CASE with parameters in GROUP BY to the select list's.
    counts = dict(db.session.execute(sa.select(received.c.quarter, sa.func.count()).group_by(received.c.quarter)).all())
    decided = {
        quarter: (n, int(benefit or 0))
        for quarter, n, benefit in db.session.execute(
            sa.select(recognised.c.quarter, sa.func.count(), sa.func.sum(recognised.c.benefit_vnd)).group_by(
                recognised.c.quarter
            )
        ).all()
    }
    lines, cumulative = [], 0
    for quarter in QUARTERS:
        n, benefit = decided.get(quarter, (0, 0))
        cumulative += n
        target = period_target(year_target, quarter) if year_target else None
        lines.append(
            QuarterLine(
                _("Quý %(quarter)s", quarter=ROMAN[quarter]),
                counts.get(quarter, 0),
                n,
                benefit,
                target,
                quarter=quarter,
                cumulative=cumulative,
            )
        )
    return lines


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def rank_group(lines: list[UnitLine]) -> list[UnitLine]:
    """A group's units by % of target, highest first; equal percentages share a rank, units without a target
    come last, unranked. Ties are listed by recognised initiatives, then by code."""
    ordered = sorted(
        lines,
        key=lambda line: (line.percent is None, -(line.percent or 0), -line.recognised, line.unit.code),
    )
    previous, rank = None, 0
    for position, line in enumerate(ordered, start=1):
        if line.percent is None:
            line.rank = None
            continue
        if line.percent != previous:
            rank, previous = position, line.percent
        line.rank = rank
    return ordered


def unit_lines(period: Period) -> list[UnitLine]:
    """Every unit's line for the period (two statements: the units with their targets, and the figures)."""
    by_unit = {unit_id: rest for unit_id, *rest in figures(period, (Initiative.unit_id,))}
    lines = []
    for unit, target in units_with_targets(period.year):
        received, recognised, benefit = by_unit.get(unit.id, (0, 0, 0))
        year_target = target.target if target is not None else None
        lines.append(
            UnitLine(
                f"{unit.short_name or unit.code} ({unit.code})",
                received,
                recognised,
                int(benefit or 0),
                period_target(year_target, period.quarters_elapsed) if year_target else None,
                unit=unit,
                members=target.members if target is not None else None,
                year_target=year_target,
                group=target.emulation_group if target is not None else "",
            )
        )
    return lines


def groups_of(lines: list[UnitLine], only: str | None = None) -> list[tuple[str, list[UnitLine]]]:
    """The emulation groups (cụm/khối) by name, each ranked; units in no group are not ranked."""
    names = sorted({line.group for line in lines if line.group and (only is None or line.group == only)})
    return [(name, rank_group([line for line in lines if line.group == name])) for name in names]


def region_lines(period: Period, unit_ids=None) -> list[Line]:
    counts = {region: rest for region, *rest in figures(period, (Unit.region,), unit_ids=unit_ids, join_unit=True)}
    targets = dict(
        db.session.execute(
            _scoped(
                sa.select(Unit.region, sa.func.sum(UnitTarget.target))
                .join(UnitTarget, UnitTarget.unit_id == Unit.id)
                .where(UnitTarget.year == period.year)
                .group_by(Unit.region),
                unit_ids,
                Unit.id,
            )
        ).all()
    )
    return [
        _line(
            region.label,
            *counts.get(region, (0, 0, 0)),
            period_target(int(targets[region]), period.quarters_elapsed) if targets.get(region) else None,
        )
        for region in Region
        if region in counts or region in targets
    ]


def year_lines(unit_ids=None) -> list[Line]:
    """Every year of the programme: received (by the register's year), recognised and benefit (by the decision's
    year), and the year's total target; three statements."""
    received = dict(
        db.session.execute(
            _scoped(sa.select(Initiative.year, sa.func.count()).group_by(Initiative.year), unit_ids)
        ).all()
    )
    decided_year = sa.extract("year", Initiative.decided_on)
    recognised = {
        int(year): (n, int(benefit or 0))
        for year, n, benefit in db.session.execute(
            _scoped(
                sa.select(decided_year, sa.func.count(), sa.func.sum(InitiativeBenefit.benefit_vnd))
                .outerjoin(InitiativeBenefit, _first_year_benefit())
                .where(Initiative.state == InitiativeState.RECOGNISED, Initiative.decided_on.is_not(None))
                .group_by(decided_year),
                unit_ids,
            )
        ).all()
    }
    targets = dict(
        db.session.execute(
            _scoped(
                sa.select(UnitTarget.year, sa.func.sum(UnitTarget.target)).group_by(UnitTarget.year),
                unit_ids,
                UnitTarget.unit_id,
            )
        ).all()
    )
    years = sorted(received.keys() | recognised.keys() | targets.keys())
    return [
        _line(
            year,
            received.get(year, 0),
            *recognised.get(year, (0, 0)),
            int(targets[year]) if targets.get(year) else None,
        )
        for year in years
    ]


def edition_lines(unit_ids=None) -> list[EditionLine]:
    """Every festival edition: accepted exhibits, those nominated from a register, and prizes by tier."""
    exhibit_join = sa.and_(Exhibit.festival_id == Festival.id, Exhibit.status == ExhibitStatus.ACCEPTED)
    if unit_ids is not None:
        exhibit_join = sa.and_(exhibit_join, Exhibit.unit_id.in_(unit_ids))
    rows = db.session.execute(
        sa.select(
            Festival.id,
            Festival.edition,
            Festival.name,
            sa.func.count(sa.distinct(Exhibit.id)),
            sa.func.count(sa.distinct(Initiative.id)),
        )
        .select_from(Festival)
        .outerjoin(Exhibit, exhibit_join)
        .outerjoin(Initiative, Initiative.exhibit_id == Exhibit.id)
        .group_by(Festival.id, Festival.edition, Festival.name)
        .order_by(Festival.edition)
    ).all()
    prizes: dict[int, dict[AwardTier, int]] = {}
    for festival_id, tier, n in db.session.execute(
        _scoped(
            sa.select(Award.festival_id, Award.tier, sa.func.count())
            .join(Exhibit, Exhibit.id == Award.exhibit_id)
            .group_by(Award.festival_id, Award.tier),
            unit_ids,
            Exhibit.unit_id,
        )
    ).all():
        prizes.setdefault(festival_id, {})[tier] = n
    return [
        EditionLine(edition, name, exhibits, nominated, {t: prizes.get(fid, {}).get(t, 0) for t in AwardTier})
        for fid, edition, name, exhibits, nominated in rows
    ]


def tally(period: Period, unit_ids: list[int] | None) -> Tally:
    """The period's tally for an account that sees `unit_ids` (None: every unit, and every group's ranking;
    else those units' figures and the ranking of their group)."""
    every_unit = unit_lines(period)
    shown = every_unit if unit_ids is None else [line for line in every_unit if line.unit.id in unit_ids]
    if unit_ids is None:
        groups = groups_of(every_unit)
    else:
        own_groups = {line.group for line in shown if line.group}
        groups = [group for group in groups_of(every_unit) if group[0] in own_groups]
    year_target = sum(line.year_target or 0 for line in shown) or None
    [(received, recognised, benefit)] = figures(period, unit_ids=unit_ids)
    total = _line(
        _("Tổng"),
        received,
        recognised,
        benefit,
        period_target(year_target, period.quarters_elapsed) if year_target else None,
    )
    fields = {key: rest for key, *rest in figures(period, (Initiative.field,), unit_ids=unit_ids)}
    categories = {key: rest for key, *rest in figures(period, unit_ids=unit_ids, by_author_category=True)}
    return Tally(
        period=period,
        total=total,
        units=shown,
        groups=groups,
        regions=region_lines(period, unit_ids),
        fields=[_line(f.label, *fields.get(f, (0, 0, 0))) for f in InitiativeField],
        categories=[_line(c.label, *categories.get(c, (0, 0, 0))) for c in AuthorCategory],
        quarters=quarter_lines(period.year, year_target, unit_ids=unit_ids),
        years=year_lines(unit_ids),
        editions=edition_lines(unit_ids),
    )
