"""An initiative's way to recognition (Nghị định 13/2012/NĐ-CP Điều lệ sáng kiến, Thông tư 18/2013/TT-BKHCN):
proposed to management, applied (on trial or in full), recognition requested within a year of the first
application, the council's three findings and its decision."""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from festival.core import audit
from festival.core.errors import FestivalError, NotAllowed
from festival.initiatives.services import may_keep
from festival.models import Application, Initiative, InitiativeState, RecognitionLevel, User, utcnow
from festival.util.formatting import format_date

WARN_DAYS = 60  # the page warns this many days before the request's time limit passes


def request_limit(initiative: Initiative) -> date | None:
    """The last day recognition may be requested: one year after the first application (trial included)."""
    first = initiative.first_applied_on
    if first is None:
        return None
    try:
        return first.replace(year=first.year + 1)
    except ValueError:  # first applied on 29 February: the year ends on 28 February
        return first.replace(year=first.year + 1, day=28)


@dataclass
class Deadline:
    """The request's time limit as the page shows it."""

    limit: date
    days_left: int

    @property
    def has_passed(self) -> bool:
        return self.days_left < 0

    @property
    def is_near(self) -> bool:
        return 0 <= self.days_left <= WARN_DAYS


def deadline(initiative: Initiative, today: date) -> Deadline | None:
    """The time limit of a request not yet made (None when there is none to watch)."""
    limit = request_limit(initiative)
    if limit is None or initiative.requested_on is not None or initiative.state is not InitiativeState.APPLIED:
        return None
    return Deadline(limit, (limit - today).days)


def is_requested(initiative: Initiative) -> bool:
    """Applied, and recognition requested: waiting for the council."""
    return initiative.state is InitiativeState.APPLIED and initiative.requested_on is not None


def stage_label(initiative: Initiative):
    """The state as a person reads it, with "recognition requested" told apart from "applied"."""
    if is_requested(initiative):
        return _l("Đã yêu cầu công nhận")
    return initiative.state.label


def _check(initiative: Initiative, by: User, allowed: tuple[InitiativeState, ...]) -> None:
    if not may_keep(by, initiative.unit_id):
        raise NotAllowed(_l("Bạn không được sửa sáng kiến này."))
    if initiative.state not in allowed:
        raise NotAllowed(
            _l("Sáng kiến đang ở trạng thái “%(state)s”, không làm bước này được.", state=stage_label(initiative))
        )


def _change(initiative: Initiative, state: InitiativeState, action: str, by: User, before: dict, after: dict) -> None:
    before = {"state": initiative.state, **before}
    initiative.state = state
    initiative.state_changed_at = utcnow()
    audit.record(action, initiative, by=by, before=before, after={"state": state, **after})


def propose(initiative: Initiative, by: User) -> None:
    """Record that the idea was proposed to the unit's management.

    :raise NotAllowed: not `by`'s unit, or not a received idea.
    """
    _check(initiative, by, (InitiativeState.RECEIVED,))
    _change(initiative, InitiativeState.PROPOSED, "initiative.proposed", by, {}, {})


def apply(initiative: Initiative, application: Application, first_applied_on: date, by: User, today: date) -> None:
    """Record that the initiative is applied, on trial or in full, since `first_applied_on` (a trial turned full
    is recorded again, until recognition is requested).

    :raise NotAllowed: not `by`'s unit, not proposed (or applied), or recognition already requested.
    :raise FestivalError: no date, or a date after today.
    """
    _check(initiative, by, (InitiativeState.PROPOSED, InitiativeState.APPLIED))
    if initiative.requested_on is not None:
        raise NotAllowed(_l("Đã yêu cầu công nhận: không đổi được thông tin áp dụng."))
    if first_applied_on is None:
        raise FestivalError(_l("Hãy ghi ngày áp dụng lần đầu."))
    if first_applied_on > today:
        raise FestivalError(_l("Ngày áp dụng lần đầu không được sau hôm nay."))
    before = {"application": initiative.application, "first_applied_on": initiative.first_applied_on}
    initiative.application, initiative.first_applied_on = application, first_applied_on
    after = {"application": application, "first_applied_on": first_applied_on}
    _change(initiative, InitiativeState.APPLIED, "initiative.applied", by, before, after)


def request_recognition(initiative: Initiative, requested_on: date, by: User, today: date) -> None:
    """Record the authors' request for recognition, made on `requested_on`.

    :raise NotAllowed: not `by`'s unit, not applied, already requested, or the one-year limit has passed.
    :raise FestivalError: no date, a date after today or before the first application.
    """
    _check(initiative, by, (InitiativeState.APPLIED,))
    if initiative.requested_on is not None:
        raise NotAllowed(
            _l("Sáng kiến đã được yêu cầu công nhận ngày %(date)s.", date=format_date(initiative.requested_on))
        )
    limit = request_limit(initiative)
    if limit is None:
        raise FestivalError(_l("Hãy ghi ngày áp dụng lần đầu trước khi yêu cầu công nhận."))
    if requested_on is None:
        raise FestivalError(_l("Hãy ghi ngày nộp đơn yêu cầu công nhận."))
    if requested_on > today:
        raise FestivalError(_l("Ngày yêu cầu công nhận không được sau hôm nay."))
    if requested_on < initiative.first_applied_on:
        raise FestivalError(_l("Ngày yêu cầu công nhận không được trước ngày áp dụng lần đầu."))
    if requested_on > limit:
        raise NotAllowed(
            _l(
                "Đã quá thời hạn yêu cầu công nhận: đơn phải nộp trong một năm kể từ ngày áp dụng lần đầu "
                "(%(first)s), tức là chậm nhất ngày %(limit)s (Nghị định 13/2012/NĐ-CP).",
                first=format_date(initiative.first_applied_on),
                limit=format_date(limit),
            )
        )
    initiative.requested_on = requested_on
    audit.record(
        "initiative.recognition_requested",
        initiative,
        by=by,
        before={"requested_on": None},
        after={"requested_on": requested_on},
    )


@dataclass
class Decision:
    """The council's evaluation and the decision as recorded."""

    is_new_in_unit: bool
    is_applied_with_benefit: bool
    is_not_excluded: bool
    recognised: bool
    decision_number: str = ""
    decided_on: date | None = None
    level: RecognitionLevel | None = None
    refusal_reason: str = ""

    @property
    def findings_hold(self) -> bool:
        return self.is_new_in_unit and self.is_applied_with_benefit and self.is_not_excluded


def decide(initiative: Initiative, decision: Decision, by: User, today: date) -> None:
    """Record the council's three findings and its decision: recognised (number, date, level) only when all three
    findings hold, or not recognised with a reason.

    :raise NotAllowed: not `by`'s unit, or recognition not requested.
    :raise FestivalError: a finding missing for recognition, or the decision's details missing.
    """
    _check(initiative, by, (InitiativeState.APPLIED,))
    if initiative.requested_on is None:
        raise NotAllowed(_l("Hội đồng chỉ xét sáng kiến đã có đơn yêu cầu công nhận."))
    if decision.decided_on is None:
        raise FestivalError(_l("Hãy ghi ngày ra quyết định."))
    if decision.decided_on > today:
        raise FestivalError(_l("Ngày quyết định không được sau hôm nay."))
    if decision.decided_on < initiative.requested_on:
        raise FestivalError(_l("Ngày quyết định không được trước ngày yêu cầu công nhận."))
    number, reason = decision.decision_number.strip(), decision.refusal_reason.strip()
    if decision.recognised:
        if not decision.findings_hold:
            raise FestivalError(
                _l(
                    "Chỉ công nhận được khi hội đồng kết luận đủ ba điều kiện: có tính mới trong phạm vi đơn vị, "
                    "đã được áp dụng và mang lại lợi ích, không thuộc đối tượng bị loại trừ."
                )
            )
        if not number:
            raise FestivalError(_l("Hãy ghi số quyết định công nhận."))
        if decision.level is None:
            raise FestivalError(_l("Hãy chọn cấp công nhận."))
    elif not reason:
        raise FestivalError(_l("Hãy ghi lý do không công nhận."))
    initiative.is_new_in_unit = decision.is_new_in_unit
    initiative.is_applied_with_benefit = decision.is_applied_with_benefit
    initiative.is_not_excluded = decision.is_not_excluded
    initiative.decided_on = decision.decided_on
    findings = {
        "is_new_in_unit": decision.is_new_in_unit,
        "is_applied_with_benefit": decision.is_applied_with_benefit,
        "is_not_excluded": decision.is_not_excluded,
        "decided_on": decision.decided_on,
    }
    if decision.recognised:
        initiative.decision_number, initiative.level, initiative.refusal_reason = number, decision.level, ""
        after = {**findings, "decision_number": number, "level": decision.level}
        _change(initiative, InitiativeState.RECOGNISED, "initiative.recognised", by, {}, after)
    else:
        initiative.decision_number, initiative.level, initiative.refusal_reason = number, None, reason
        after = {**findings, "decision_number": number, "comment": reason}
        _change(initiative, InitiativeState.NOT_RECOGNISED, "initiative.not_recognised", by, {}, after)
