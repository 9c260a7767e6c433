"""People's requests: deadlines in working days (weekends and public holidays skipped, counted from the day after
the request came, in local dates), the log's pages, its forms and its audited steps."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from config import Config
from festival.core.extensions import db
from festival.models import AuditLog, DataRequest, Festival, RequestChannel, RequestRight, User, utcnow
from festival.privacy import requests as data_requests
from festival.privacy.deadlines import add_working_days, deadlines
from tests.conftest import make_app

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
FORMAT = "%Y-%m-%dT%H:%M"
NO_HOLIDAYS = frozenset()


def at(*parts) -> datetime:
    """A wall-clock time in Vietnam."""
    return datetime(*parts, tzinfo=VIETNAM)


def unsaved(received_at, right=RequestRight.ACCESS, **values) -> DataRequest:
    return DataRequest(
        subject_name="Lê Thị Hoa", right=right, channel=RequestChannel.EMAIL, received_at=received_at, **values
    )


# Working days -----------------------------------------------------------------------------------------------


def test_counting_starts_on_the_first_working_day_after_the_day_received():
    friday, saturday = date(2026, 12, 4), date(2026, 12, 5)
    assert add_working_days(friday, 2, NO_HOLIDAYS) == date(2026, 12, 8)  # Tuesday
    assert add_working_days(saturday, 2, NO_HOLIDAYS) == date(2026, 12, 8)  # counted from Monday
    assert add_working_days(friday, 1, NO_HOLIDAYS) == date(2026, 12, 7)


def test_a_holiday_in_between_pushes_the_due_date_a_day():
    friday = date(2026, 12, 4)
    assert add_working_days(friday, 2, {date(2026, 12, 7)}) == date(2026, 12, 9)  # Monday off: Wednesday


def test_a_friday_requests_acknowledgement_is_due_on_tuesday(app):
    with app.app_context():
        due = deadlines(unsaved(at(2026, 12, 4, 10, 0)), today=date(2026, 12, 7))
        assert due.received_on == date(2026, 12, 4) and due.acknowledge_by == date(2026, 12, 8)
        assert not due.acknowledgement_overdue and due.due_soon
        assert deadlines(unsaved(at(2026, 12, 4, 10, 0)), today=date(2026, 12, 9)).acknowledgement_overdue


def test_the_day_received_is_the_local_day_not_the_utc_one(app):
    with app.app_context():
        # 06:30 on Friday in Vietnam is still Thursday in UTC.
        request = unsaved(datetime(2026, 12, 3, 23, 30, tzinfo=ZoneInfo("UTC")))
        assert deadlines(request, today=date(2026, 12, 4)).acknowledge_by == date(2026, 12, 8)


def test_fifteen_working_days_skip_weekends_and_the_configured_holidays(app):
    """Thursday 23/04/2026: Hùng Kings' day in lieu (27/04), 30/04 and 01/05 are in the default setting."""
    with app.app_context():
        due = deadlines(unsaved(at(2026, 4, 23, 9, 0)), today=date(2026, 4, 23))
        assert due.period == 15 and due.complete_by == date(2026, 5, 19)
        assert due.acknowledge_by == date(2026, 4, 28)  # Friday, then Monday 27/04 is off


def test_withdrawal_restriction_and_objection_take_20_days_with_a_processor(app):
    with app.app_context():
        received = at(2026, 4, 23, 9, 0)
        for right in (RequestRight.WITHDRAW, RequestRight.RESTRICT, RequestRight.OBJECT):
            with_processor = deadlines(unsaved(received, right, processor_involved=True), today=date(2026, 4, 23))
            assert with_processor.period == 20 and with_processor.complete_by == date(2026, 5, 26)
            assert deadlines(unsaved(received, right), today=date(2026, 4, 23)).complete_by == date(2026, 5, 19)
        access = deadlines(unsaved(received, processor_involved=True), today=date(2026, 4, 23))
        assert access.period == 15 and access.complete_by == date(2026, 5, 19)


def test_an_extension_adds_the_same_period_again(app):
    with app.app_context():
        request = unsaved(at(2026, 4, 23, 9, 0), extended_at=at(2026, 5, 4, 9, 0))
        due = deadlines(request, today=date(2026, 5, 20))
        assert due.extended and due.complete_by == date(2026, 6, 9) and not due.overdue


def test_holidays_and_periods_are_settings(tmp_path):
    app = make_app(
        tmp_path,
        PUBLIC_HOLIDAYS=["2026-12-07"],
        PRIVACY_REQUEST_DAYS={"acknowledge": 1, **{r.value: 3 for r in RequestRight}},
    )
    with app.app_context():
        due = deadlines(unsaved(at(2026, 12, 4, 10, 0)), today=date(2026, 12, 4))
        assert due.acknowledge_by == date(2026, 12, 8) and due.complete_by == date(2026, 12, 10)


def test_the_default_holidays_name_tet_and_national_day():
    days = set(Config.PUBLIC_HOLIDAYS)
    assert {"2026-02-17", "2026-09-02", "2027-01-01", "2027-09-02"} <= days
    assert all(date.fromisoformat(day) for day in days)


# The log's pages --------------------------------------------------------------------------------------------


def log(app, people, received_at, **values):
    """A request logged by the organizer (committed); its id."""
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        organizer = db.session.get(User, people["ids"]["organizer_user"])
        fields = {
            "subject_name": "Lê Thị Hoa",
            "subject_contact": "hoa@example.vn",
            "right": "access",
            "channel": "email",
            "received_at": received_at,
            **values,
        }
        request = data_requests.log_request(festival, fields, by=organizer, now=utcnow())
        db.session.commit()
        return request.id


def stored(app, request_id) -> DataRequest:
    with app.app_context():
        request = db.session.get(DataRequest, request_id)
        db.session.expunge(request)
        return request


def audited(app, action) -> list[AuditLog]:
    with app.app_context():
        return db.session.execute(db.select(AuditLog).where(AuditLog.action == action)).scalars().all()


def test_the_list_puts_overdue_requests_first_and_marks_them(app, people, login_as):
    client = login_as("organizer")
    assert "Không có yêu cầu nào đang mở." in client.get("/admin/privacy/requests").get_data(as_text=True)
    fresh = log(app, people, utcnow(), subject_name="Trần Văn Mới")
    late = log(app, people, utcnow() - timedelta(days=60), subject_name="Phạm Thị Cũ")
    done = log(app, people, utcnow() - timedelta(days=3), subject_name="Đỗ Văn Xong")
    with app.app_context():
        data_requests.complete(db.session.get(DataRequest, done), "Đã gửi bản sao", by=None, now=utcnow())
        db.session.commit()
    page = client.get("/admin/privacy/requests").get_data(as_text=True)
    assert page.index(f'id="request-{late}"') < page.index(f'id="request-{fresh}"')
    late_row = page[page.index(f'id="request-{late}"') : page.index(f'id="request-{fresh}"')]
    assert "Quá hạn" in late_row
    assert "Sắp đến hạn" in page[page.index(f'id="request-{fresh}"') :]
    assert "Đỗ Văn Xong" not in page  # open ones only, unless all are asked for
    every = client.get("/admin/privacy/requests?show=all").get_data(as_text=True)
    assert "Đỗ Văn Xong" in every and "Đã xong" in every
    assert every.index(f'id="request-{fresh}"') < every.index(f'id="request-{done}"')
    assert 'href="/admin/privacy/requests"' in client.get("/admin/privacy/").get_data(as_text=True)


def test_the_list_is_paginated(app, people, login_as):
    for n in range(27):
        log(app, people, utcnow() - timedelta(hours=n + 1), subject_name=f"Người số {n}")
    client = login_as("organizer")
    first = client.get("/admin/privacy/requests").get_data(as_text=True)
    second = client.get("/admin/privacy/requests?page=2").get_data(as_text=True)
    assert first.count('id="request-') == 25 and second.count('id="request-') == 2
    assert "Trang 1 / 2 · 27 mục" in first


def request_form(**changes):
    data = {
        "subject_name": "Nguyễn Thị Lan",
        "subject_contact": "0912 345 678",
        "right": "delete",
        "channel": "letter",
        "received_at": "2026-12-04T10:00",
        "processor_involved": "y",
        "details": "Xin xoá ảnh của tôi trong hồ sơ sáng kiến.",
    }
    return {**data, **changes}


def test_a_logged_request_is_stored_in_utc_and_audited(app, people, login_as):
    client = login_as("organizer")
    assert 'value="' in client.get("/admin/privacy/requests/new").get_data(as_text=True)  # now, as the default
    response = client.post("/admin/privacy/requests/new", data=request_form())
    assert response.status_code == 302
    with app.app_context():
        request = db.session.execute(db.select(DataRequest)).scalar_one()
        assert request.received_at == at(2026, 12, 4, 10, 0)
        assert (request.right, request.channel) == (RequestRight.DELETE, RequestChannel.LETTER)
        assert request.processor_involved and request.subject_contact == "0912 345 678"
        assert request.festival_id == people["ids"]["festival"]
        assert request.created_by_id == people["ids"]["organizer_user"]
        assert response.headers["Location"].endswith(f"/admin/privacy/requests/{request.id}")
    [entry] = audited(app, "privacy_request.create")
    assert entry.after["right"] == "delete" and "Nguyễn Thị Lan" not in str(entry.after)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"subject_name": ""}, "Trường này là bắt buộc."),
        ({"subject_name": "   "}, "Trường này là bắt buộc."),
        ({"right": ""}, "Trường này là bắt buộc."),
        (
            {"received_at": (utcnow() + timedelta(days=2)).astimezone(VIETNAM).strftime(FORMAT)},
            "Thời điểm nhận yêu cầu không thể ở tương lai.",
        ),
    ],
)
def test_the_request_form_refuses_and_keeps_what_was_typed(app, people, login_as, changes, message):
    client = login_as("organizer")
    response = client.post("/admin/privacy/requests/new", data=request_form(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert 'value="0912 345 678"' in page and "Xin xoá ảnh của tôi trong hồ sơ sáng kiến." in page
    with app.app_context():
        assert db.session.execute(db.select(DataRequest)).first() is None


def test_the_request_page_shows_deadlines_and_links_to_the_persons_data(app, people, login_as):
    request_id = log(app, people, at(2026, 12, 4, 10, 0))
    page = login_as("organizer").get(f"/admin/privacy/requests/{request_id}").get_data(as_text=True)
    assert "Báo đã nhận: hạn 08/12/2026" in page
    assert "Trả lời: hạn 25/12/2026 (15 ngày làm việc)" in page
    assert 'href="/admin/privacy/people?q=hoa@example.vn"' in page
    assert login_as("organizer").get("/admin/privacy/people?q=hoa@example.vn").status_code == 200
    no_contact = log(app, people, at(2026, 12, 4, 10, 0), subject_contact="")
    page = login_as("organizer").get(f"/admin/privacy/requests/{no_contact}").get_data(as_text=True)
    assert 'href="/admin/privacy/people?q=L%C3%AA+Th%E1%BB%8B+Hoa"' in page


def test_acknowledging_is_stored_audited_and_done_once(app, people, login_as):
    request_id = log(app, people, utcnow() - timedelta(hours=2))
    client = login_as("organizer")
    assert client.post(f"/admin/privacy/requests/{request_id}/acknowledge").status_code == 302
    acknowledged_at = stored(app, request_id).acknowledged_at
    assert acknowledged_at is not None and len(audited(app, "privacy_request.acknowledge")) == 1
    again = client.post(f"/admin/privacy/requests/{request_id}/acknowledge", follow_redirects=True)
    assert "Đã ghi nhận việc báo đã nhận yêu cầu này." in again.get_data(as_text=True)
    assert stored(app, request_id).acknowledged_at == acknowledged_at
    assert len(audited(app, "privacy_request.acknowledge")) == 1


def test_a_request_is_extended_only_once_with_a_reason(app, people, login_as):
    request_id = log(app, people, utcnow() - timedelta(hours=2))
    client = login_as("organizer")
    path = f"/admin/privacy/requests/{request_id}/extend"
    without = client.post(path, data={"extension_reason": ""})
    assert without.status_code == 422 and "Trường này là bắt buộc." in without.get_data(as_text=True)
    assert stored(app, request_id).extended_at is None
    assert client.post(path, data={"extension_reason": "Cần tra cứu hồ sơ giấy"}).status_code == 302
    request = stored(app, request_id)
    assert request.extended_at is not None and request.extension_reason == "Cần tra cứu hồ sơ giấy"
    [entry] = audited(app, "privacy_request.extend")
    assert entry.after["reason"] == "Cần tra cứu hồ sơ giấy"
    with app.app_context():
        assert deadlines(request, date.today()).extended
    # The page no longer offers it; posted anyway, it is refused and what was typed stays.
    page = client.get(f"/admin/privacy/requests/{request_id}").get_data(as_text=True)
    assert "Gia hạn lúc" in page and f'action="{path}"' not in page
    second = client.post(path, data={"extension_reason": "Thêm lần nữa"})
    text = second.get_data(as_text=True)
    assert second.status_code == 422 and "đã được gia hạn một lần; không được gia hạn thêm" in text
    assert "Thêm lần nữa" in text
    assert stored(app, request_id).extension_reason == "Cần tra cứu hồ sơ giấy"
    assert len(audited(app, "privacy_request.extend")) == 1


def test_an_overdue_request_can_no_longer_be_extended(app, people, login_as):
    request_id = log(app, people, utcnow() - timedelta(days=60))
    response = login_as("organizer").post(
        f"/admin/privacy/requests/{request_id}/extend", data={"extension_reason": "Muộn"}
    )
    assert response.status_code == 422 and "chỉ được gia hạn trước khi hết hạn" in response.get_data(as_text=True)
    assert stored(app, request_id).extended_at is None


def test_completing_needs_an_outcome_and_ends_the_request(app, people, login_as):
    request_id = log(app, people, utcnow() - timedelta(hours=2))
    client = login_as("organizer")
    path = f"/admin/privacy/requests/{request_id}/complete"
    without = client.post(path, data={"outcome": " "})
    assert without.status_code == 422 and "Trường này là bắt buộc." in without.get_data(as_text=True)
    assert stored(app, request_id).completed_at is None
    assert client.post(path, data={"outcome": "Đã gửi bản sao qua e-mail"}).status_code == 302
    request = stored(app, request_id)
    assert request.completed_at is not None and not request.refused and request.outcome == "Đã gửi bản sao qua e-mail"
    assert len(audited(app, "privacy_request.complete")) == 1
    page = client.get(f"/admin/privacy/requests/{request_id}").get_data(as_text=True)
    assert "Đã xong" in page and "Đã gửi bản sao qua e-mail" in page and "Từ chối yêu cầu" not in page
    refused = client.post(f"/admin/privacy/requests/{request_id}/refuse", data={"refusal_reason": "Sai người"})
    assert refused.status_code == 422 and "Yêu cầu này đã được trả lời." in refused.get_data(as_text=True)
    assert not stored(app, request_id).refused and not audited(app, "privacy_request.refuse")


def test_refusing_needs_a_reason_and_is_recorded(app, people, login_as):
    request_id = log(app, people, utcnow() - timedelta(hours=2))
    client = login_as("organizer")
    path = f"/admin/privacy/requests/{request_id}/refuse"
    assert client.post(path, data={"refusal_reason": ""}).status_code == 422
    assert client.post(path, data={"refusal_reason": "Không xác minh được người yêu cầu"}).status_code == 302
    request = stored(app, request_id)
    assert request.refused and request.completed_at is not None
    assert request.outcome == "Không xác minh được người yêu cầu"
    [entry] = audited(app, "privacy_request.refuse")
    assert entry.after["outcome"] == "Không xác minh được người yêu cầu"
    page = client.get(f"/admin/privacy/requests/{request_id}").get_data(as_text=True)
    assert "Lý do từ chối" in page and "từ chối lúc" in page


def test_the_log_is_for_organizers_only(app, people, login_as):
    request_id = log(app, people, utcnow())
    client = login_as("unit_a")
    for path in ("/admin/privacy/requests", "/admin/privacy/requests/new", f"/admin/privacy/requests/{request_id}"):
        assert client.get(path).status_code == 403
    assert client.post(f"/admin/privacy/requests/{request_id}/acknowledge").status_code == 403
    assert stored(app, request_id).acknowledged_at is None
