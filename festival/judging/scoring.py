"""Scoring on the tablet: the judge's sheets, saves (retries and late ones recognised), submit, reopen, totals."""

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from flask_babel import lazy_gettext as _l

from festival import audit
from festival.errors import FestivalError, NotAllowed, StaleSave
from festival.extensions import db
from festival.judging.policy import policy_for
from festival.judging.rubrics import current_rubric
from festival.models import (
    Criterion,
    CriterionKind,
    Exhibit,
    Festival,
    Rubric,
    Score,
    ScoreChange,
    ScoreSheet,
    SheetStatus,
    User,
)


@dataclass
class SheetInput:
    """One save from the tablet: the whole sheet as the judge sees it, with its device and sequence."""

    client_id: str
    seq: int
    points: dict[int, Decimal | None]
    answers: dict[int, bool | None]
    comment: str | None = None


@dataclass
class SaveResult:
    applied: bool  # False when it repeated a save already applied
    sheet: ScoreSheet


def judge_sheets(judge: User, festival: Festival) -> list[ScoreSheet]:
    """The judge's sheets in booth order."""
    return list(
        db.session.execute(
            db.select(ScoreSheet)
            .join(ScoreSheet.exhibit)
            .where(ScoreSheet.judge_id == judge.id, Exhibit.festival_id == festival.id)
            .order_by(Exhibit.booth, Exhibit.code)
        ).scalars()
    )


def lock_sheet(sheet_id: int) -> ScoreSheet | None:
    """Load a sheet for writing; PostgreSQL locks the row so concurrent saves take turns."""
    return db.session.execute(
        db.select(ScoreSheet).where(ScoreSheet.id == sheet_id).with_for_update()
    ).scalar_one_or_none()


def check_may_score(sheet: ScoreSheet, judge: User, now: datetime) -> None:
    """:raise NotAllowed: not the judge's sheet, outside the judging window, submitted, or results final."""
    if sheet.judge_id != judge.id:
        raise NotAllowed(_l("Đây không phải phiếu của bạn."))
    festival = sheet.exhibit.festival
    if policy_for(festival).is_final:
        raise NotAllowed(_l("Kết quả đã chốt; phiếu chấm không sửa được nữa."))
    if sheet.is_locked:
        raise NotAllowed(_l("Phiếu đã nộp nên không sửa được. Hãy liên hệ ban tổ chức nếu cần mở lại."))
    if now < festival.judging_opens_at:
        raise NotAllowed(_l("Chưa đến thời gian chấm."))
    if now >= festival.judging_closes_at:
        raise NotAllowed(_l("Đã hết thời gian chấm."))


def parse_points(value) -> Decimal | None:
    """A score as typed or sent: a number with at most two decimals, or empty.

    :raise ValueError: anything else.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("not a number")
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError("not a number") from None
    # No rubric gives more than 1000 points; bounding first keeps quantize() within its precision.
    if not number.is_finite() or abs(number) > 10_000 or number != number.quantize(Decimal("0.01")):
        raise ValueError("not a score with at most two decimals")
    return number


def form_input(sheet: ScoreSheet, form: dict[str, str]) -> SheetInput:
    """A save from the plain HTML form (no JavaScript): `points-<id>`, `answer-<id>` and
    `comment` fields. The form carries no sequence number, so each submission is the next save
    of its device (`client_id`, "form" by default).

    :raise FestivalError: no rubric yet, or a value that is not a score.
    """
    rubric = sheet.rubric or current_rubric(sheet.exhibit.festival, sheet.exhibit.category)
    if rubric is None:
        raise FestivalError(_l("Ban tổ chức chưa thiết lập thang điểm."))
    points, answers = {}, {}
    for criterion in rubric.criteria:
        if criterion.kind is CriterionKind.POINTS:
            try:
                points[criterion.id] = parse_points(form.get(f"points-{criterion.id}"))
            except ValueError:
                raise FestivalError(_l("Điểm “%(name)s” không hợp lệ.", name=criterion.name_vi)) from None
        else:
            answers[criterion.id] = {"yes": True, "no": False}.get(form.get(f"answer-{criterion.id}") or "")
    client = (form.get("client_id") or "")[:64] or "form"
    seq = sheet.last_seq + 1 if sheet.last_client_id == client else 1
    return SheetInput(client_id=client, seq=seq, points=points, answers=answers, comment=form.get("comment", ""))


def _validate(rubric: Rubric, data: SheetInput) -> None:
    criteria = {c.id: c for c in rubric.criteria}
    for criterion_id, points in data.points.items():
        criterion = criteria.get(criterion_id)
        if criterion is None or criterion.kind is not CriterionKind.POINTS:
            raise FestivalError(_l("Tiêu chí không thuộc thang điểm của phiếu."))
        if points is None:
            continue
        if not Decimal(0) <= points <= criterion.max_points:
            raise FestivalError(
                _l("Điểm “%(name)s” phải từ 0 đến %(max)d.", name=criterion.name_vi, max=criterion.max_points)
            )
        if criterion.levels and points not in {Decimal(level.points) for level in criterion.levels}:
            raise FestivalError(_l("Điểm “%(name)s” phải là một trong các mức đã mô tả.", name=criterion.name_vi))
    for criterion_id in data.answers:
        criterion = criteria.get(criterion_id)
        if criterion is None or criterion.kind is not CriterionKind.YES_NO:
            raise FestivalError(_l("Câu hỏi không thuộc thang điểm của phiếu."))


def save_sheet(sheet: ScoreSheet, judge: User, data: SheetInput, now: datetime) -> SaveResult:
    """Apply one tablet save to a sheet; a repeat is recognised and a late one refused.

    Saves carry the device's id and a sequence number that grows with every change: the same
    number again is a retry (nothing is written twice), a smaller one is a save overtaken by a
    newer one from that device, and is refused so it can never overwrite newer scores.
    :raise NotAllowed: see check_may_score.
    :raise StaleSave: the save is older than one already applied from the same device.
    :raise FestivalError: a value outside the rubric.
    """
    check_may_score(sheet, judge, now)
    if sheet.last_client_id == data.client_id:
        if data.seq == sheet.last_seq:
            return SaveResult(applied=False, sheet=sheet)
        if data.seq < sheet.last_seq:
            raise StaleSave(_l("Đã có bản lưu mới hơn từ thiết bị này."))
    if sheet.rubric is None:
        sheet.rubric = current_rubric(sheet.exhibit.festival, sheet.exhibit.category)
        if sheet.rubric is None:
            raise FestivalError(_l("Ban tổ chức chưa thiết lập thang điểm."))
    _validate(sheet.rubric, data)
    existing = {score.criterion_id: score for score in sheet.scores}

    def change(criterion_id, field_name, old, new):
        db.session.add(
            ScoreChange(
                sheet_id=sheet.id,
                criterion_id=criterion_id,
                field=field_name,
                old_value=ScoreChange.text_of(old),
                new_value=ScoreChange.text_of(new),
                client_id=data.client_id,
                seq=data.seq,
                user_id=judge.id,
            )
        )

    for criterion_id, points in data.points.items():
        score = existing.get(criterion_id)
        old = score.points if score is not None else None
        if old != points:
            change(criterion_id, "points", old, points)
            if score is None:
                sheet.scores.append(Score(criterion_id=criterion_id, points=points))
            else:
                score.points = points
    for criterion_id, answer in data.answers.items():
        score = existing.get(criterion_id)
        old = score.answer if score is not None else None
        if old != answer:
            change(criterion_id, "answer", old, answer)
            if score is None:
                sheet.scores.append(Score(criterion_id=criterion_id, answer=answer))
            else:
                score.answer = answer
    if data.comment is not None and data.comment != sheet.comment:
        change(None, "comment", sheet.comment, data.comment[:5000])
        sheet.comment = data.comment[:5000]
    if sheet.status is SheetStatus.NOT_STARTED:
        sheet.status = SheetStatus.DRAFT
    sheet.last_client_id, sheet.last_seq = data.client_id, data.seq
    sheet.updated_at = now
    db.session.flush()
    return SaveResult(applied=True, sheet=sheet)


def missing_scores(sheet: ScoreSheet) -> list[Criterion]:
    """The scored criteria of the sheet's rubric that have no points yet."""
    if sheet.rubric is None:
        return []
    given = {s.criterion_id for s in sheet.scores if s.points is not None}
    return [c for c in sheet.rubric.scored_criteria if c.id not in given]


def submit_sheet(sheet: ScoreSheet, judge: User, data: SheetInput | None, now: datetime) -> None:
    """Save the last values (if given) and lock the sheet; submitting twice is harmless.

    :raise NotAllowed / StaleSave: as save_sheet.
    :raise FestivalError: a criterion has no score.
    """
    if (
        sheet.is_locked
        and sheet.judge_id == judge.id
        and data is not None
        and data.client_id == sheet.last_client_id
        and data.seq <= sheet.last_seq
    ):
        return  # the same submission again (a double tap or a retry)
    if data is not None:
        save_sheet(sheet, judge, data, now)
    else:
        check_may_score(sheet, judge, now)
    if sheet.rubric is None or missing_scores(sheet):
        names = ", ".join(c.name_vi for c in missing_scores(sheet)) if sheet.rubric else ""
        raise FestivalError(_l("Chưa chấm đủ các tiêu chí: %(names)s.", names=names or "—"))
    sheet.status = SheetStatus.SUBMITTED
    sheet.submitted_at = now
    db.session.add(
        ScoreChange(
            sheet_id=sheet.id,
            field="status",
            old_value="draft",
            new_value="submitted",
            user_id=judge.id,
            client_id=data.client_id if data else None,
            seq=data.seq if data else None,
        )
    )
    audit.record(
        "sheet.submitted",
        sheet,
        by=judge,
        after={"exhibit": sheet.exhibit.code, "total": ScoreChange.text_of(sheet_total(sheet))},
    )


def reopen_sheet(sheet: ScoreSheet, reason: str, by: User) -> None:
    """Unlock a submitted sheet so its judge can change it (organizers, with a reason).

    :raise FestivalError: not submitted, or no reason.
    :raise NotAllowed: the results are final (reopen them first).
    """
    if policy_for(sheet.exhibit.festival).is_final:
        raise NotAllowed(_l("Kết quả đã chốt; hãy mở lại kết quả trước."))
    if not sheet.is_locked:
        raise FestivalError(_l("Phiếu chưa nộp."))
    if not reason.strip():
        raise FestivalError(_l("Hãy ghi lý do mở lại phiếu."))
    sheet.status = SheetStatus.DRAFT
    sheet.submitted_at = None
    db.session.add(
        ScoreChange(sheet_id=sheet.id, field="status", old_value="submitted", new_value="draft", user_id=by.id)
    )
    audit.record(
        "sheet.reopened",
        sheet,
        by=by,
        after={"exhibit": sheet.exhibit.code, "judge": sheet.judge.email, "reason": reason.strip()},
    )


def sheet_total(sheet: ScoreSheet) -> Decimal | None:
    """The sheet's weighted total out of the rubric's total weight (None before any score)."""
    if sheet.rubric is None or not any(s.points is not None for s in sheet.scores):
        return None
    points = {s.criterion_id: s.points for s in sheet.scores}
    return weighted_total(sheet.rubric, points)


def weighted_total(rubric: Rubric, points: dict[int, Decimal | None]) -> Decimal:
    """Σ points/max × weight over the rubric's scored criteria (missing points count as 0),
    computed exactly and rounded half up to two decimals.

    This is the one rounding rule for a sheet's total: static/js/sheet-total.js applies the same
    exact arithmetic on the tablet, so the page shows what the server will.
    """
    total = sum(
        (
            Fraction(points[c.id]) / c.max_points * Fraction(c.weight)
            for c in rubric.scored_criteria
            if points.get(c.id) is not None
        ),
        Fraction(0),
    )
    return Decimal(math.floor(total * 100 + Fraction(1, 2))) / 100


def sheet_state(sheet: ScoreSheet) -> dict:
    """What the tablet needs to show a sheet: values, total, lock and the last save applied."""
    return {
        "id": sheet.id,
        "status": sheet.status.value,
        "locked": sheet.is_locked,
        "points": {str(s.criterion_id): ScoreChange.text_of(s.points) for s in sheet.scores if s.points is not None},
        "answers": {str(s.criterion_id): s.answer for s in sheet.scores if s.answer is not None},
        "comment": sheet.comment,
        "total": ScoreChange.text_of(sheet_total(sheet)),
        "client_id": sheet.last_client_id,
        "seq": sheet.last_seq,
    }
