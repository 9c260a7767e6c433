"""Scoring a booth on the tablet: the judge's sheets, saves refused from a stale revision (so a score a judge
typed is never silently replaced), submit and reopen, every change in the sheet's history, and totals."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from festival.booths import ranking
from festival.booths.services import (
    booth_criteria,
    booth_policy_for,
    history_text,
    is_own_unit,
    refuse_when_final,
)
from festival.core import audit
from festival.core.errors import FestivalError, NotAllowed, StaleSave
from festival.core.extensions import db
from festival.judging.scoring import parse_points
from festival.models import BoothCriterion, BoothScore, BoothScoreChange, BoothSheet, Festival, SheetStatus, Unit, User

COMMENT_LENGTH = 5000


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
        if history_text(points) != history_text(scores[criterion_id].points if criterion_id in scores else None)
    ]
    comment_changed = data.comment != sheet.comment
    if not changes and not comment_changed:
        return False
    sheet.revision += 1
    for criterion_id, points in changes:
        old = scores[criterion_id].points if criterion_id in scores else None
        db.session.add(_change(sheet, judge, "points", history_text(old), history_text(points), criterion_id))
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


def submit_booth_sheet(sheet: BoothSheet, judge: User, data: BoothSheetInput, now: datetime) -> None:
    """Save the last values, then lock the sheet (audited).

    :raise NotAllowed / StaleSave: as save_booth_sheet.
    :raise FestivalError: a criterion has no points.
    """
    # Checked on the values the sheet would have, before anything is written: a refused submit stores nothing.
    saved = {s.criterion_id: s.points for s in sheet.scores}
    missing = [
        c
        for c in booth_criteria(sheet.festival)
        if (data.points[c.id] if c.id in data.points else saved.get(c.id)) is None
    ]
    check_may_score(sheet, judge, now)
    if missing:
        raise FestivalError(_l("Chưa chấm đủ các tiêu chí: %(names)s.", names=", ".join(c.name_vi for c in missing)))
    save_booth_sheet(sheet, judge, data, now)
    sheet.status, sheet.submitted_at = SheetStatus.SUBMITTED, now
    db.session.add(_change(sheet, judge, "status", "draft", "submitted"))
    audit.record(
        "booth_sheet.submitted",
        sheet,
        by=judge,
        after={"unit": sheet.unit.code, "total": history_text(sheet_total(sheet))},
    )


def reopen_booth_sheet(sheet: BoothSheet, reason: str, by: User) -> None:
    """Unlock a submitted sheet so its judge can change it (organizers, with a reason; audited).

    :raise NotAllowed: the booth results are final.
    :raise FestivalError: not submitted, or no reason.
    """
    refuse_when_final(sheet.festival)
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
