"""The booth track's set-up and scoring: the booths, their rubric (frozen once used), the panel and its
sheets (never a judge's own unit), and the judge's saves (refused from a stale revision, with history)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from festival.booths import ranking
from festival.core import audit
from festival.core.errors import FestivalError, NotAllowed, StaleSave
from festival.core.extensions import db
from festival.exhibits.services import accepted_exhibits
from festival.judging.panels import judges
from festival.judging.scoring import parse_points
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

COMMENT_LENGTH = 5000
MAX_CRITERIA = 8


def booth_policy_for(festival: Festival) -> BoothPolicy:
    """The festival's booth prizes and their state (every festival is created with them)."""
    return db.session.get_one(BoothPolicy, festival.id)


def _refuse_when_final(festival: Festival) -> None:
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
                    old_value=_text(score.points),
                    new_value=None,
                    user_id=by.id,
                )
            )
            db.session.delete(score)
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
    _refuse_when_final(festival)
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
    _refuse_when_final(festival)
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
    _refuse_when_final(sheet.festival)
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


# Scoring -------------------------------------------------------------------------------------


@dataclass
class BoothSheetInput:
    """One save of a sheet: the points by criterion id, the comment and the revision it was edited from."""

    points: dict[int, Decimal | None]
    comment: str
    base: int


def judge_booth_sheets(judge: User, festival: Festival) -> list[BoothSheet]:
    """The judge's booth sheets, by unit code."""
    return list(
        db.session.execute(
            db.select(BoothSheet)
            .join(BoothSheet.unit)
            .where(BoothSheet.judge_id == judge.id, BoothSheet.festival_id == festival.id)
            .order_by(Unit.code, BoothSheet.id)
        ).scalars()
    )


def check_may_score(sheet: BoothSheet, judge: User, now: datetime) -> None:
    """:raise NotAllowed: not the judge's sheet, their own unit, submitted, results final, or outside
    the judging window."""
    if sheet.judge_id != judge.id:
        raise NotAllowed(_l("Đây không phải phiếu của bạn."))
    if booth_policy_for(sheet.festival).is_final:
        raise NotAllowed(_l("Kết quả giải gian hàng đã chốt; phiếu chấm không sửa được nữa."))
    if sheet.is_locked:
        raise NotAllowed(_l("Phiếu đã nộp nên không sửa được. Hãy liên hệ ban tổ chức nếu cần mở lại."))
    if is_own_unit(judge, sheet.unit_id):
        raise NotAllowed(_l("Đây là gian hàng của đơn vị bạn nên bạn không chấm được."))
    if now < sheet.festival.judging_opens_at:
        raise NotAllowed(_l("Chưa đến thời gian chấm."))
    if now >= sheet.festival.judging_closes_at:
        raise NotAllowed(_l("Đã hết thời gian chấm."))


def edit_refusal(sheet: BoothSheet, user: User, now: datetime) -> str | None:
    """Why `user` may not change the sheet now (the page is then read-only), or None."""
    try:
        check_may_score(sheet, user, now)
    except NotAllowed as refusal:
        return str(refusal.message)
    return None


def form_input(sheet: BoothSheet, form: dict[str, str]) -> BoothSheetInput:
    """A save from the sheet's form: `points-<criterion id>`, `comment` and the hidden `base` revision.

    :raise FestivalError: a value that is not a score, or no base revision (a page from before).
    """
    points = {}
    for criterion in booth_criteria(sheet.festival):
        try:
            points[criterion.id] = parse_points(form.get(f"points-{criterion.id}"))
        except ValueError:
            raise FestivalError(_l("Điểm “%(name)s” không hợp lệ.", name=criterion.name_vi)) from None
    base = form.get("base") or ""
    if not base.isdigit():
        raise FestivalError(_l("Trang đã cũ. Hãy tải lại trang rồi nhập lại."))
    return BoothSheetInput(points, (form.get("comment") or "")[:COMMENT_LENGTH], int(base))


def _points_problem(criterion: BoothCriterion, points: Decimal) -> str | None:
    if not Decimal(0) <= points <= criterion.max_points:
        return str(_l("Điểm “%(name)s” phải từ 0 đến %(max)d.", name=criterion.name_vi, max=criterion.max_points))
    return None


def point_problems(sheet: BoothSheet, form: dict[str, str]) -> dict[int, str]:
    """What is wrong with each criterion's points as typed, to mark at its field."""
    problems = {}
    for criterion in booth_criteria(sheet.festival):
        try:
            points = parse_points(form.get(f"points-{criterion.id}"))
        except ValueError:
            problems[criterion.id] = str(_l("Điểm “%(name)s” không hợp lệ.", name=criterion.name_vi))
            continue
        problem = _points_problem(criterion, points) if points is not None else None
        if problem:
            problems[criterion.id] = problem
    return problems


def _text(value) -> str | None:
    """Points or a comment as the history writes them (points without trailing zeros)."""
    if value is None:
        return None
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def save_booth_sheet(sheet: BoothSheet, judge: User, data: BoothSheetInput, now: datetime) -> bool:
    """Store the judge's values when they were edited from the sheet's current revision; every changed
    field writes a history row. Returns whether anything changed.

    :raise NotAllowed: see check_may_score.
    :raise StaleSave: the sheet was saved elsewhere since the revision the values were edited from.
    :raise FestivalError: points outside 0–maximum, or a criterion not in the rubric.
    """
    check_may_score(sheet, judge, now)
    if data.base != sheet.revision:
        raise StaleSave(
            _l(
                "Phiếu đã được lưu từ nơi khác sau khi bạn mở trang này, nên điểm bạn vừa nhập chưa được lưu. "
                "Điểm bạn nhập vẫn còn trong các ô; điểm đã lưu hiện bên cạnh từng ô. Hãy xem lại rồi bấm lưu lần nữa."
            )
        )
    criteria = {c.id: c for c in booth_criteria(sheet.festival)}
    for criterion_id, points in data.points.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise FestivalError(_l("Tiêu chí không thuộc thang điểm gian hàng."))
        problem = _points_problem(criterion, points) if points is not None else None
        if problem:
            raise FestivalError(problem)
    scores = {score.criterion_id: score for score in sheet.scores}
    changes = [
        (criterion_id, points)
        for criterion_id, points in data.points.items()
        if _text(points) != _text(scores[criterion_id].points if criterion_id in scores else None)
    ]
    comment_changed = data.comment != sheet.comment
    if not changes and not comment_changed:
        return False
    sheet.revision += 1
    for criterion_id, points in changes:
        old = scores[criterion_id].points if criterion_id in scores else None
        db.session.add(_change(sheet, judge, "points", _text(old), _text(points), criterion_id))
        if criterion_id not in scores:
            scores[criterion_id] = BoothScore(criterion_id=criterion_id)
            sheet.scores.append(scores[criterion_id])
        scores[criterion_id].points = points
    if comment_changed:
        db.session.add(_change(sheet, judge, "comment", sheet.comment, data.comment))
        sheet.comment = data.comment
    if sheet.status is SheetStatus.NOT_STARTED:
        sheet.status = SheetStatus.DRAFT
    sheet.updated_at = now
    db.session.flush()
    return True


def _change(sheet: BoothSheet, user: User, field: str, old, new, criterion_id: int | None = None) -> BoothScoreChange:
    return BoothScoreChange(
        sheet_id=sheet.id,
        criterion_id=criterion_id,
        field=field,
        old_value=old,
        new_value=new,
        user_id=user.id,
        revision=sheet.revision,
    )


def missing_scores(sheet: BoothSheet) -> list[BoothCriterion]:
    """The rubric's criteria that have no points on the sheet yet."""
    given = {s.criterion_id for s in sheet.scores if s.points is not None}
    return [c for c in booth_criteria(sheet.festival) if c.id not in given]


def submit_booth_sheet(sheet: BoothSheet, judge: User, data: BoothSheetInput, now: datetime) -> None:
    """Save the last values, then lock the sheet (audited).

    :raise NotAllowed / StaleSave: as save_booth_sheet.
    :raise FestivalError: a criterion has no points.
    """
    save_booth_sheet(sheet, judge, data, now)
    missing = missing_scores(sheet)
    if missing:
        raise FestivalError(_l("Chưa chấm đủ các tiêu chí: %(names)s.", names=", ".join(c.name_vi for c in missing)))
    sheet.status, sheet.submitted_at = SheetStatus.SUBMITTED, now
    db.session.add(_change(sheet, judge, "status", "draft", "submitted"))
    audit.record(
        "booth_sheet.submitted", sheet, by=judge, after={"unit": sheet.unit.code, "total": _text(sheet_total(sheet))}
    )


def reopen_booth_sheet(sheet: BoothSheet, reason: str, by: User) -> None:
    """Unlock a submitted sheet so its judge can change it (organizers, with a reason; audited).

    :raise NotAllowed: the booth results are final.
    :raise FestivalError: not submitted, or no reason.
    """
    _refuse_when_final(sheet.festival)
    if not sheet.is_locked:
        raise FestivalError(_l("Phiếu chưa nộp."))
    if not reason.strip():
        raise FestivalError(_l("Hãy ghi lý do mở lại phiếu."))
    sheet.status, sheet.submitted_at = SheetStatus.DRAFT, None
    db.session.add(_change(sheet, by, "status", "submitted", "draft"))
    audit.record(
        "booth_sheet.reopened",
        sheet,
        by=by,
        after={"unit": sheet.unit.code, "judge": sheet.judge.email, "reason": reason.strip()},
    )


def sheet_points(sheet: BoothSheet) -> dict[int, Decimal | None]:
    return {score.criterion_id: score.points for score in sheet.scores}


def sheet_total(sheet: BoothSheet) -> Decimal | None:
    """The sheet's total on the 0–100 scale (None before any points)."""
    points = sheet_points(sheet)
    if not any(value is not None for value in points.values()):
        return None
    return ranking.rounded(ranking.sheet_score(lines(booth_criteria(sheet.festival), points)))


def lines(criteria: list[BoothCriterion], points: dict[int, Decimal | None]) -> list[ranking.Line]:
    """A sheet's points against the rubric, as the ranking arithmetic reads them."""
    return [ranking.Line(points.get(c.id), c.max_points, c.weight) for c in criteria]


def sheet_history(sheet: BoothSheet) -> list[BoothScoreChange]:
    """Every change of the sheet, newest first."""
    return list(
        db.session.execute(
            db.select(BoothScoreChange)
            .where(BoothScoreChange.sheet_id == sheet.id)
            .order_by(BoothScoreChange.id.desc())
        ).scalars()
    )
