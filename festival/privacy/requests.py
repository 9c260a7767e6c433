"""People's requests about their personal data: logged with the right used and when it came, acknowledged,
extended once, then completed or refused, each step audited; listed with their working-day deadlines."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination

from festival.core import audit
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.models import DataRequest, Festival, RequestChannel, RequestRight, User
from festival.privacy.deadlines import Deadlines, deadlines, public_holidays

FIELDS = ("subject_name", "subject_contact", "right", "channel", "received_at", "processor_involved", "details")


class ListPagination(Pagination):
    """A page of a list already sorted in Python: due dates depend on the holidays setting, so SQL cannot
    order by them."""

    def _query_items(self) -> list:
        start = (self.page - 1) * self.per_page
        return self._query_args["rows"][start : start + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


def list_requests(today: date, *, open_only: bool) -> list[tuple[DataRequest, Deadlines]]:
    """Every request with its deadlines (of any festival: a person's rights outlive an edition): open ones
    first, the earliest due first; then the answered ones, the latest answered first."""
    query = db.select(DataRequest)
    if open_only:
        query = query.where(DataRequest.completed_at.is_(None))
    holidays = public_holidays()
    rows = [(row, deadlines(row, today, holidays)) for row in db.session.execute(query).scalars()]
    open_rows = sorted((r for r in rows if not r[1].done), key=lambda r: (r[1].next_due, r[0].received_at, r[0].id))
    done_rows = sorted((r for r in rows if r[1].done), key=lambda r: (r[0].completed_at, r[0].id), reverse=True)
    return open_rows + done_rows


def page_of(rows: list, page: int, per_page: int) -> ListPagination:
    """One page of `rows` (past the last page: an empty one, as db.paginate does without error_out)."""
    return ListPagination(page=page, per_page=per_page, error_out=False, rows=rows)


def log_request(festival: Festival, values: dict, *, by: User | None, now: datetime) -> DataRequest:
    """Log a request received by the organizers (in the current festival).

    :raise FestivalError: no name, or received in the future.
    """
    name = (values.get("subject_name") or "").strip()
    if not name:
        raise FestivalError(_l("Hãy ghi họ tên người yêu cầu."))
    if values["received_at"] > now:
        raise FestivalError(_l("Thời điểm nhận yêu cầu không thể ở tương lai."))
    data_request = DataRequest(
        festival_id=festival.id,
        subject_name=name,
        subject_contact=(values.get("subject_contact") or "").strip(),
        right=RequestRight(values["right"]),
        channel=RequestChannel(values["channel"]),
        received_at=values["received_at"],
        processor_involved=bool(values.get("processor_involved")),
        details=(values.get("details") or "").strip(),
        created_by_id=by.id if by else None,
        created_at=now,
    )
    db.session.add(data_request)
    db.session.flush()
    # The log is the evidence; the audit names the request, not the person again.
    audit.record(
        "privacy_request.create",
        data_request,
        by=by,
        after={
            "right": data_request.right,
            "channel": data_request.channel,
            "received_at": data_request.received_at,
            "processor_involved": data_request.processor_involved,
        },
    )
    return data_request


def _still_open(data_request: DataRequest) -> None:
    if data_request.is_done:
        raise FestivalError(_l("Yêu cầu này đã được trả lời."))


def acknowledge(data_request: DataRequest, *, by: User | None, now: datetime) -> None:
    """Record that the person was told their request was received.

    :raise FestivalError: already acknowledged or answered.
    """
    _still_open(data_request)
    if data_request.acknowledged_at is not None:
        raise FestivalError(_l("Đã ghi nhận việc báo đã nhận yêu cầu này."))
    data_request.acknowledged_at = now
    audit.record("privacy_request.acknowledge", data_request, by=by, after={"acknowledged_at": now})


def extend(data_request: DataRequest, reason: str, *, by: User | None, now: datetime, today: date) -> None:
    """Extend the period to answer, once, by the same period again.

    :raise FestivalError: no reason, already extended, answered, or already overdue.
    """
    _still_open(data_request)
    if not reason.strip():
        raise FestivalError(_l("Hãy ghi lý do gia hạn."))
    if data_request.is_extended:
        raise FestivalError(_l("Yêu cầu này đã được gia hạn một lần; không được gia hạn thêm."))
    if deadlines(data_request, today).overdue:
        raise FestivalError(_l("Đã quá hạn trả lời: chỉ được gia hạn trước khi hết hạn."))
    data_request.extended_at = now
    data_request.extension_reason = reason.strip()
    audit.record(
        "privacy_request.extend",
        data_request,
        by=by,
        after={"extended_at": now, "reason": data_request.extension_reason},
    )


def _answer(data_request: DataRequest, outcome: str, *, refused: bool, by: User | None, now: datetime) -> None:
    _still_open(data_request)
    data_request.completed_at = now
    data_request.refused = refused
    data_request.outcome = outcome.strip()
    action = "privacy_request.refuse" if refused else "privacy_request.complete"
    audit.record(action, data_request, by=by, after={"completed_at": now, "outcome": data_request.outcome})


def complete(data_request: DataRequest, outcome: str, *, by: User | None, now: datetime) -> None:
    """Record that the request was carried out, and how.

    :raise FestivalError: no outcome, or already answered.
    """
    if not outcome.strip():
        raise FestivalError(_l("Hãy ghi kết quả đã thực hiện."))
    _answer(data_request, outcome, refused=False, by=by, now=now)


def refuse(data_request: DataRequest, reason: str, *, by: User | None, now: datetime) -> None:
    """Record that the request was refused, and why (the person is told the reason).

    :raise FestivalError: no reason, or already answered.
    """
    if not reason.strip():
        raise FestivalError(_l("Hãy ghi lý do từ chối."))
    _answer(data_request, reason, refused=True, by=by, now=now)
