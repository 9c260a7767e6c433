"""Into the festival: a unit's recognised initiatives nominated as exhibits of the current festival (texts,
authors, benefit and files carried over, linked both ways), the decision line pages and certificates show, and
the closing tally that joins the festival's results to the register."""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from festival.core import audit, uploads
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.exhibits import services as exhibits
from festival.judging.policy import policy_for
from festival.models import (
    ApplicationScope,
    Award,
    AwardTier,
    Category,
    Exhibit,
    ExhibitStatus,
    Festival,
    Initiative,
    InitiativeState,
    RecognitionLevel,
    Role,
    Unit,
    User,
)
from festival.util.formatting import format_date

NOMINATORS = (Role.ORGANIZER, Role.UNIT)
# How the decision line names the level on a certificate, which is printed in Vietnamese whatever the language.
LEVEL_WORDS = {
    RecognitionLevel.BASE: "cấp cơ sở",
    RecognitionLevel.SECTOR: "cấp ngành",
    RecognitionLevel.HIGHER: "cấp cao hơn",
}
# A nomination whose exhibit was withdrawn frees the initiative to be nominated again, as it frees the quota.
FREEING_STATUSES = (ExhibitStatus.WITHDRAWN,)


def recognition_line(initiative: Initiative | None) -> str:
    """The council's decision as certificates print it: "Sáng kiến được công nhận: QĐ số 12/QĐ-HĐSK ngày
    15/03/2026, cấp cơ sở"; empty unless the initiative is recognised."""
    if initiative is None or not initiative.is_recognised:
        return ""
    parts = [f"QĐ số {initiative.decision_number}" if initiative.decision_number else "QĐ"]
    if initiative.decided_on:
        parts.append(f"ngày {format_date(initiative.decided_on)}")
    line = "Sáng kiến được công nhận: " + " ".join(parts)
    if initiative.level:
        line += f", {LEVEL_WORDS[initiative.level]}"
    return line


def may_nominate(user: User, initiative: Initiative) -> bool:
    """An organizer for any unit, a unit's account for its own initiatives."""
    return user.role is Role.ORGANIZER or (user.role is Role.UNIT and user.unit_id == initiative.unit_id)


def nomination_refusal(initiative: Initiative) -> str | None:
    """Why the initiative cannot be nominated whatever the festival (not recognised, a trade secret, already an
    exhibit), or None."""
    if not initiative.is_recognised:
        return str(_l("Chỉ sáng kiến đã được hội đồng công nhận mới đề cử vào ngày hội được."))
    if initiative.is_trade_secret:
        return str(
            _l(
                "Sáng kiến là bí mật kinh doanh: không đề cử vào ngày hội được, vì sáng kiến trưng bày được "
                "công bố công khai."
            )
        )
    exhibit = initiative.exhibit
    if exhibit is not None and exhibit.status not in FREEING_STATUSES:
        return str(
            _l(
                "Sáng kiến đã được đề cử thành sáng kiến trưng bày “%(title)s” của %(festival)s.",
                title=exhibit.title,
                festival=exhibit.festival.name,
            )
        )
    return None


def _scope(initiative: Initiative) -> ApplicationScope | None:
    # Recognised by the unit's own council means applied in the unit; a higher level says nothing of where.
    return ApplicationScope.OWN_UNIT if initiative.level in (None, RecognitionLevel.BASE) else None


def first_benefit(initiative: Initiative) -> int | None:
    """The benefit of the first year of application, when it was computed."""
    first = next((b for b in initiative.benefits if b.year_index == 1), None)
    return first.benefit_vnd if first is not None else None


def _files(initiative: Initiative) -> list[tuple[str, bytes]]:
    """The initiative's files read from the store, all before anything is created.

    :raise FestivalError: a file is missing from the store or the store cannot be read.
    """
    files = []
    for item in initiative.files:
        try:
            files.append((item.original_name, uploads.read_stored(item.stored_name)))
        except FileNotFoundError:
            raise FestivalError(
                _l(
                    "Tệp “%(name)s” của sáng kiến không còn trong kho lưu trữ nên chưa đề cử được. Hãy xoá tệp đó "
                    "(hoặc tải lại) trong sổ sáng kiến rồi đề cử lại.",
                    name=item.original_name,
                )
            ) from None
        except OSError:
            raise FestivalError(_l("Không đọc được kho lưu trữ tệp. Hãy thử lại sau.")) from None
    return files


def exhibit_input(initiative: Initiative, category: Category, files: list[tuple[str, bytes]]) -> exhibits.ExhibitInput:
    """What the exhibit is made of: the register's texts, authors in order, first year's benefit and files."""
    return exhibits.ExhibitInput(
        title=initiative.title,
        category=category,
        authors=[exhibits.AuthorInput(a.full_name, a.job_title, a.department) for a in initiative.authors],
        summary=initiative.effect_summary,
        problem=initiative.problem,
        solution=initiative.solution,
        benefit_vnd=first_benefit(initiative),
        applied_since=initiative.first_applied_on.year if initiative.first_applied_on else None,
        scope=_scope(initiative),
        files=files,
    )


def nominate(initiative: Initiative, festival: Festival, category: Category, by: User, now: datetime) -> Exhibit:
    """Make a draft exhibit of `festival` from a recognised initiative, through the exhibits' own creation rules
    (registration window, quota, authors, files), and link the two.

    :raise NotAllowed: not the nominator's unit, registration closed, or the unit's quota full.
    :raise FestivalError: not recognised, a trade secret, already nominated, a category of another festival,
        or a file missing or refused.
    """
    if not may_nominate(by, initiative):
        raise NotAllowed(_l("Bạn chỉ đề cử được sáng kiến của đơn vị mình."))
    refusal = nomination_refusal(initiative)
    if refusal:
        raise FestivalError(refusal)
    if category.festival_id != festival.id:
        raise FestivalError(_l("Lĩnh vực không thuộc ngày hội này."))
    files = _files(initiative)
    exhibit = exhibits.create_exhibit(festival, initiative.unit, exhibit_input(initiative, category, files), by, now)
    before = {"exhibit_id": initiative.exhibit_id}
    initiative.exhibit = exhibit
    db.session.flush()
    audit.record(
        "initiative.nominated",
        initiative,
        by=by,
        before=before,
        after={"exhibit_id": exhibit.id, "festival": festival.edition, "files": [name for name, _ in files]},
    )
    return exhibit


# The unit's list of what it may nominate -----------------------------------------------------------------------


def nomination_query(units: list[Unit] | None, unit_id: int | None = None) -> sa.Select:
    """Recognised initiatives of these units (None: every unit), newest first, with their exhibits."""
    query = (
        sa.select(Initiative)
        .where(Initiative.state == InitiativeState.RECOGNISED)
        .options(selectinload(Initiative.exhibit).selectinload(Exhibit.festival), selectinload(Initiative.unit))
        .order_by(Initiative.year.desc(), Initiative.unit_id, Initiative.number.desc())
    )
    if units is not None:
        query = query.where(Initiative.unit_id.in_([unit.id for unit in units]))
    if unit_id:
        query = query.where(Initiative.unit_id == unit_id)
    return query


# The closing tally ---------------------------------------------------------------------------------------------


@dataclass
class TallyRow:
    """One unit's year in the register beside its festival: recognised, nominated, accepted and prizes."""

    unit: Unit
    recognised: int = 0
    nominated: int = 0
    accepted: int = 0
    prizes: dict[AwardTier, int] = field(default_factory=dict)

    @property
    def prize_count(self) -> int:
        return sum(self.prizes.values())


@dataclass
class ClosingTally:
    year: int
    is_final: bool
    tiers: list[AwardTier]
    rows: list[TallyRow]
    total: TallyRow
    winners: list[tuple[Initiative, AwardTier]]


def closing_tally(festival: Festival, units: list[Unit] | None) -> ClosingTally:
    """Per unit (every unit for None): initiatives of the festival's year recognised, those nominated into this
    festival, those accepted as exhibits, and the prizes they won once the results are final; in four queries."""
    year = festival.starts_on.year
    is_final = policy_for(festival).is_final
    unit_ids = [u.id for u in units] if units is not None else None

    def unit_filter(column):
        return column.in_(unit_ids) if unit_ids is not None else sa.true()

    recognised = dict(
        db.session.execute(
            sa.select(Initiative.unit_id, sa.func.count())
            .where(
                Initiative.year == year, Initiative.state == InitiativeState.RECOGNISED, unit_filter(Initiative.unit_id)
            )
            .group_by(Initiative.unit_id)
        ).all()
    )
    nominated_rows = db.session.execute(
        sa.select(Initiative.unit_id, Exhibit.status, sa.func.count())
        .join(Exhibit, Initiative.exhibit_id == Exhibit.id)
        .where(Exhibit.festival_id == festival.id, unit_filter(Initiative.unit_id))
        .group_by(Initiative.unit_id, Exhibit.status)
    ).all()
    winners = []
    if is_final:
        winners = list(
            db.session.execute(
                sa.select(Initiative, Award.tier)
                .join(Award, Award.exhibit_id == Initiative.exhibit_id)
                .where(Award.festival_id == festival.id, unit_filter(Initiative.unit_id))
                .options(selectinload(Initiative.unit))
                .order_by(Award.rank, Initiative.unit_id, Initiative.number)
            ).all()
        )
    rows: dict[int, TallyRow] = {}
    listed = units if units is not None else db.session.scalars(sa.select(Unit).order_by(Unit.code)).all()
    for unit in listed:
        rows[unit.id] = TallyRow(unit=unit, recognised=recognised.get(unit.id, 0))
    for unit_id, status, count in nominated_rows:
        row = rows[unit_id]
        row.nominated += count
        if status is ExhibitStatus.ACCEPTED:
            row.accepted += count
    for initiative, tier in winners:
        prizes = rows[initiative.unit_id].prizes
        prizes[tier] = prizes.get(tier, 0) + 1
    total = TallyRow(unit=None)
    for row in rows.values():
        total.recognised += row.recognised
        total.nominated += row.nominated
        total.accepted += row.accepted
        for tier, count in row.prizes.items():
            total.prizes[tier] = total.prizes.get(tier, 0) + count
    # Organizers see the units that took part in the programme or the festival; a unit always sees its own line.
    shown = [row for row in rows.values() if units is not None or row.recognised or row.nominated]
    return ClosingTally(
        year=year,
        is_final=is_final,
        tiers=[tier for tier in AwardTier if tier.is_judged],
        rows=shown,
        total=total,
        winners=[(initiative, tier) for initiative, tier in winners],
    )
