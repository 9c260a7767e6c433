"""The booth track's set-up: the booths, their rubric (frozen once used), the panel and its sheets (never a
judge's own unit), and the track's prize policy."""

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from festival.core import audit
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.exhibits.services import accepted_exhibits
from festival.judging.panels import judges
from festival.models import (
    BoothCriterion,
    BoothJudge,
    BoothPolicy,
    BoothScore,
    BoothScoreChange,
    BoothSheet,
    Exhibit,
    Festival,
    Role,
    SheetStatus,
    Unit,
    User,
)

MAX_CRITERIA = 8


def booth_policy_for(festival: Festival) -> BoothPolicy:
    """The festival's booth prizes and their state (every festival is created with them)."""
    return db.session.get_one(BoothPolicy, festival.id)


def refuse_when_final(festival: Festival) -> None:
    if booth_policy_for(festival).is_final:
        raise NotAllowed(_l("Kết quả giải gian hàng đã chốt; hãy mở lại kết quả trước."))


# The booths ----------------------------------------------------------------------------------


@dataclass
class Booth:
    """A unit's booth: the unit and the booth numbers its accepted exhibits stand at."""

    unit: Unit
    locations: list[str]

    @property
    def location(self) -> str:
        return ", ".join(self.locations) or "—"


def booths(festival: Festival) -> list[Booth]:
    """Every unit with an accepted exhibit in the festival, by unit code."""
    found: dict[int, Booth] = {}
    for exhibit in db.session.execute(accepted_exhibits(festival).order_by(Exhibit.booth, Exhibit.code)).scalars():
        booth = found.setdefault(exhibit.unit_id, Booth(exhibit.unit, []))
        if exhibit.booth and exhibit.booth not in booth.locations:
            booth.locations.append(exhibit.booth)
    return sorted(found.values(), key=lambda b: (b.unit.code, b.unit.id))


def booth_of(festival: Festival, unit: Unit) -> Booth | None:
    """The unit's booth, or None when it has no accepted exhibit in the festival."""
    return next((booth for booth in booths(festival) if booth.unit.id == unit.id), None)


# The rubric ----------------------------------------------------------------------------------


@dataclass
class CriterionInput:
    name_vi: str
    name_en: str = ""
    guidance: str = ""
    max_points: int = 10
    weight: Decimal | None = None  # defaults to max_points
    id: int | None = None  # the criterion being edited


def booth_criteria(festival: Festival) -> list[BoothCriterion]:
    return list(
        db.session.execute(
            db.select(BoothCriterion)
            .where(BoothCriterion.festival_id == festival.id)
            .order_by(BoothCriterion.position, BoothCriterion.id)
        ).scalars()
    )


def is_rubric_frozen(festival: Festival) -> bool:
    """The booth rubric is frozen once any booth sheet has been submitted."""
    return (
        db.session.execute(
            db.select(BoothSheet.id)
            .where(BoothSheet.festival_id == festival.id, BoothSheet.status == SheetStatus.SUBMITTED)
            .limit(1)
        ).first()
        is not None
    )


def _check_criteria(criteria: list[CriterionInput]) -> None:
    if not criteria:
        raise FestivalError(_l("Thang điểm gian hàng cần ít nhất một tiêu chí."))
    if len(criteria) > MAX_CRITERIA:
        raise FestivalError(_l("Thang điểm gian hàng có tối đa %(n)d tiêu chí.", n=MAX_CRITERIA))
    for c in criteria:
        if not c.name_vi.strip():
            raise FestivalError(_l("Mỗi tiêu chí cần có tên."))
        if not 1 <= c.max_points <= 1000:
            raise FestivalError(_l("Điểm tối đa của “%(name)s” phải từ 1 đến 1000.", name=c.name_vi))
        if c.weight is not None and not Decimal(0) < c.weight <= Decimal(1000):
            raise FestivalError(_l("Trọng số của “%(name)s” phải lớn hơn 0.", name=c.name_vi))


def _rubric_snapshot(criteria: list[BoothCriterion]) -> list[dict]:
    return [{"name": c.name_vi, "max": c.max_points, "weight": str(c.weight)} for c in criteria]


def save_booth_rubric(festival: Festival, criteria: list[CriterionInput], by: User) -> list[BoothCriterion]:
    """Change the booth rubric in place; draft points on a removed criterion go, each with a history row.

    :raise NotAllowed: a booth sheet has been submitted (the rubric is frozen).
    :raise FestivalError: no criterion, a nameless one, a bad maximum or weight.
    """
    if is_rubric_frozen(festival):
        raise NotAllowed(
            _l(
                "Thang điểm gian hàng đã được dùng để chấm (đã có phiếu nộp) nên không sửa được nữa: mọi gian hàng "
                "phải được chấm theo cùng một thang điểm."
            )
        )
    _check_criteria(criteria)
    current = booth_criteria(festival)
    before = _rubric_snapshot(current)
    keep = {c.id: c for c in current}
    wanted = []
    for position, data in enumerate(criteria):
        criterion = (keep.pop(data.id, None) if data.id is not None else None) or BoothCriterion(festival=festival)
        criterion.position = position
        criterion.name_vi, criterion.name_en = data.name_vi.strip(), data.name_en.strip()
        criterion.guidance = data.guidance.strip()
        criterion.max_points = data.max_points
        criterion.weight = data.weight if data.weight is not None else Decimal(data.max_points)
        db.session.add(criterion)
        wanted.append(criterion)
    for removed in keep.values():
        for score in db.session.execute(db.select(BoothScore).where(BoothScore.criterion_id == removed.id)).scalars():
            db.session.add(
                BoothScoreChange(
                    sheet_id=score.sheet_id,
                    criterion_id=None,
                    field="points",
                    old_value=history_text(score.points),
                    new_value=None,
                    user_id=by.id,
                )
            )
            db.session.delete(score)
        # The foreign key says so too, but SQLite does not enforce it and may give the id to a new criterion.
        db.session.execute(
            sa.update(BoothScoreChange).where(BoothScoreChange.criterion_id == removed.id).values(criterion_id=None)
        )
        db.session.delete(removed)
    db.session.flush()
    audit.record(
        "booth_rubric.saved", festival, by=by, before={"criteria": before}, after={"criteria": _rubric_snapshot(wanted)}
    )
    return wanted


# The panel and its sheets ---------------------------------------------------------------------


def booth_panel(festival: Festival) -> list[User]:
    """The judges on the booth panel, by name."""
    return list(
        db.session.execute(
            db.select(User)
            .join(BoothJudge, BoothJudge.judge_id == User.id)
            .where(BoothJudge.festival_id == festival.id)
            .order_by(User.full_name, User.id)
        ).scalars()
    )


def set_booth_panel(festival: Festival, judge_ids: set[int], by: User) -> None:
    """Replace the booth panel with these judges (ids that are not active judges are ignored)."""
    chosen = judge_ids & {j.id for j in judges()}
    current = {j.id for j in booth_panel(festival)}
    for judge_id in current - chosen:
        db.session.execute(
            sa.delete(BoothJudge).where(BoothJudge.festival_id == festival.id, BoothJudge.judge_id == judge_id)
        )
    for judge_id in sorted(chosen - current):
        db.session.add(BoothJudge(festival_id=festival.id, judge_id=judge_id))
    db.session.flush()
    audit.record(
        "booth_panel.saved", festival, by=by, before={"judges": sorted(current)}, after={"judges": sorted(chosen)}
    )


def festival_booth_sheets(festival: Festival) -> list[BoothSheet]:
    return list(db.session.execute(db.select(BoothSheet).where(BoothSheet.festival_id == festival.id)).scalars())


@dataclass
class BoothProgress:
    """One booth judge's sheets, for the judging control room."""

    judge: User
    done: int
    total: int


def booth_progress(festival: Festival) -> list[BoothProgress]:
    """Per booth judge: booth sheets submitted of assigned, least done first (one grouped query)."""
    rows = db.session.execute(
        db.select(
            User,
            sa.func.count(),
            sa.func.count().filter(BoothSheet.status == SheetStatus.SUBMITTED),
        )
        .join(BoothSheet, BoothSheet.judge_id == User.id)
        .where(BoothSheet.festival_id == festival.id)
        .group_by(User.id)
    ).all()
    progress = [BoothProgress(judge, done, total) for judge, total, done in rows]
    return sorted(progress, key=lambda p: (p.done == p.total, p.done / (p.total or 1), p.judge.full_name))


def _sheet_of(festival: Festival, unit_id: int, judge_id: int) -> BoothSheet | None:
    return db.session.execute(
        db.select(BoothSheet).where(
            BoothSheet.festival_id == festival.id, BoothSheet.unit_id == unit_id, BoothSheet.judge_id == judge_id
        )
    ).scalar_one_or_none()


def is_own_unit(judge: User, unit_id: int) -> bool:
    """The conflict rule of the booth track: nobody judges their own unit's booth."""
    return judge.unit_id is not None and judge.unit_id == unit_id


def assign_booth_judges(festival: Festival, by: User) -> int:
    """Give every panel judge a sheet for every booth except their own unit's. Sheets already started and
    those given by hand stay; unstarted ones of judges who left the panel (or of booths gone) are removed.
    Returns how many sheets were added.

    :raise NotAllowed: the booth results are final.
    :raise FestivalError: nobody is on the panel.
    """
    refuse_when_final(festival)
    panel = booth_panel(festival)
    if not panel:
        raise FestivalError(_l("Hội đồng chấm gian hàng chưa có giám khảo nào."))
    wanted = {(b.unit.id, j.id) for b in booths(festival) for j in panel if not is_own_unit(j, b.unit.id)}
    existing = set()
    for sheet in festival_booth_sheets(festival):
        pair = (sheet.unit_id, sheet.judge_id)
        if pair not in wanted and not sheet.is_manual and sheet.status is SheetStatus.NOT_STARTED:
            db.session.delete(sheet)
        else:
            existing.add(pair)
    added = sorted(wanted - existing)
    for unit_id, judge_id in added:
        db.session.add(BoothSheet(festival_id=festival.id, unit_id=unit_id, judge_id=judge_id))
    db.session.flush()
    audit.record(
        "booth_judging.assigned", festival, by=by, after={"added": len(added), "sheets": len(existing) + len(added)}
    )
    return len(added)


def add_booth_assignment(festival: Festival, unit: Unit, judge: User, by: User) -> BoothSheet:
    """Give `judge` a unit's booth by hand.

    :raise NotAllowed: the booth results are final.
    :raise FestivalError: not a judge, no booth, already assigned, or the judge's own unit.
    """
    refuse_when_final(festival)
    if judge.role is not Role.JUDGE:
        raise FestivalError(_l("Chỉ giao được cho tài khoản giám khảo."))
    if booth_of(festival, unit) is None:
        raise FestivalError(_l("%(unit)s không có gian hàng (chưa có sáng kiến được duyệt).", unit=unit.name))
    if is_own_unit(judge, unit.id):
        raise FestivalError(
            _l(
                "%(name)s thuộc %(unit)s nên không được chấm gian hàng của chính đơn vị mình.",
                name=judge.full_name,
                unit=unit.name,
            )
        )
    if _sheet_of(festival, unit.id, judge.id) is not None:
        raise FestivalError(_l("%(name)s đã được giao gian hàng này.", name=judge.full_name))
    sheet = BoothSheet(festival_id=festival.id, unit_id=unit.id, judge_id=judge.id, is_manual=True)
    db.session.add(sheet)
    db.session.flush()
    audit.record("booth_judging.assignment_added", sheet, by=by, after={"unit": unit.code, "judge": judge.email})
    return sheet


def remove_booth_assignment(sheet: BoothSheet, by: User) -> None:
    """Take a booth away from a judge who has not started scoring it.

    :raise NotAllowed: the booth results are final.
    :raise FestivalError: scoring has started.
    """
    refuse_when_final(sheet.festival)
    if sheet.status is not SheetStatus.NOT_STARTED:
        raise FestivalError(
            _l("%(name)s đã bắt đầu chấm gian hàng này nên không bỏ phân công được.", name=sheet.judge.full_name)
        )
    audit.record(
        "booth_judging.assignment_removed", sheet, by=by, before={"unit": sheet.unit.code, "judge": sheet.judge.email}
    )
    db.session.delete(sheet)


def assignment_overview(festival: Festival) -> list[tuple[Booth, list[BoothSheet]]]:
    """Each booth with its sheets (judges by name), for the assignment page."""
    sheets: dict[int, list[BoothSheet]] = {}
    for sheet in festival_booth_sheets(festival):
        sheets.setdefault(sheet.unit_id, []).append(sheet)
    return [(b, sorted(sheets.get(b.unit.id, []), key=lambda s: s.judge.full_name)) for b in booths(festival)]


def history_text(value) -> str | None:
    """Points or a comment as the history writes them (points without trailing zeros)."""
    if value is None:
        return None
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
