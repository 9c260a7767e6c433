"""The way to recognition: proposed, applied, the request within a year of the first application, the council's
findings and decision, the printed decision, and the public page."""

from datetime import date, timedelta

import pytest

from festival.core.extensions import db
from festival.initiatives import printing, recognition, services
from festival.models import (
    Application,
    AuditLog,
    Initiative,
    InitiativeField,
    InitiativeState,
    RecognitionLevel,
    Unit,
    User,
)
from festival.util.formatting import festival_today
from tests.pdf_tools import page_texts


def enter(app, people, unit="unit_a", **values) -> int:
    """An initiative of `unit` with two authors (70/30), entered through the service; its id."""
    with app.app_context():
        data = services.InitiativeInput(
            values.pop("title", "Cải tiến máy dập khuy tự động"),
            values.pop("field", InitiativeField.PRODUCTION),
            [
                services.AuthorInput(
                    "Nguyễn Thị Hoà", job_title="Tổ trưởng tổ may", phone="0912 345 678", share_percent=70
                ),
                services.AuthorInput("Phạm Quốc Việt", job_title="Kỹ sư cơ điện", share_percent=30),
            ],
            effect_summary=values.pop("effect_summary", "Giảm 30% thời gian dập khuy."),
            **values,
        )
        user = db.session.get(User, people["ids"][f"{unit}_user"])
        initiative = services.create_initiative(
            db.session.get(Unit, people["ids"][unit]), data, by=user, today=festival_today()
        )
        db.session.commit()
        return initiative.id


def state_of(app, initiative_id) -> Initiative:
    with app.app_context():
        found = db.session.get(Initiative, initiative_id)
        db.session.expunge(found)
        return found


def today(app) -> date:
    with app.app_context():
        return festival_today()


def walk_to_request(client, initiative_id, first_applied_on: date, requested_on: date):
    assert client.post(f"/initiatives/{initiative_id}/propose").status_code == 302
    applied = client.post(
        f"/initiatives/{initiative_id}/apply",
        data={"application": "trial", "first_applied_on": first_applied_on.isoformat()},
    )
    assert applied.status_code == 302, applied.get_data(as_text=True)
    return client.post(f"/initiatives/{initiative_id}/request", data={"requested_on": requested_on.isoformat()})


def decision_form(**changes):
    data = {
        "is_new_in_unit": "y",
        "is_applied_with_benefit": "y",
        "is_not_excluded": "y",
        "outcome": "recognised",
        "decision_number": "125/QĐ-MĐG",
        "level": "base",
    }
    return {**data, **changes}


def test_an_initiative_goes_from_received_to_recognised_and_its_page_tells_the_history(app, people, login_as):
    initiative_id = enter(app, people)
    day = today(app)
    client = login_as("support_a")
    response = walk_to_request(client, initiative_id, day - timedelta(days=100), day - timedelta(days=5))
    assert response.status_code == 302
    after = state_of(app, initiative_id)
    assert (after.state, after.application, after.first_applied_on, after.requested_on) == (
        InitiativeState.APPLIED,
        Application.TRIAL,
        day - timedelta(days=100),
        day - timedelta(days=5),
    )
    page = client.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    assert "Đã yêu cầu công nhận" in page and "Hội đồng sáng kiến đánh giá" in page
    decided = client.post(
        f"/initiatives/{initiative_id}/decide", data=decision_form(decided_on=(day - timedelta(days=1)).isoformat())
    )
    assert decided.status_code == 302, decided.get_data(as_text=True)
    after = state_of(app, initiative_id)
    assert (after.state, after.decision_number, after.level, after.decided_on) == (
        InitiativeState.RECOGNISED,
        "125/QĐ-MĐG",
        RecognitionLevel.BASE,
        day - timedelta(days=1),
    )
    assert (after.is_new_in_unit, after.is_applied_with_benefit, after.is_not_excluded) == (True, True, True)
    page = client.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    for text in (
        "Đã được công nhận",
        "125/QĐ-MĐG",
        "Cấp cơ sở",
        "Đề xuất với lãnh đạo đơn vị",
        "Ghi nhận áp dụng",
        "Yêu cầu công nhận",
        "Hội đồng công nhận",
        "Quyết định công nhận (PDF)",
    ):
        assert text in page, text
    with app.app_context():
        actions = db.session.execute(
            db.select(AuditLog.action).where(AuditLog.object_id == initiative_id, AuditLog.object_type == "initiatives")
        ).scalars()
        assert list(actions) == [
            "initiative.created",
            "initiative.proposed",
            "initiative.applied",
            "initiative.recognition_requested",
            "initiative.recognised",
        ]


def test_steps_out_of_order_are_refused_with_a_message(app, people, login_as):
    initiative_id = enter(app, people)
    client = login_as("unit_a")
    page = client.post(f"/initiatives/{initiative_id}/request", data={"requested_on": today(app).isoformat()})
    assert page.status_code == 422
    assert "Sáng kiến đang ở trạng thái “Đã tiếp nhận ý tưởng”, không làm bước này được." in page.get_data(as_text=True)
    refused = client.post(f"/initiatives/{initiative_id}/decide", data=decision_form(decided_on=today(app).isoformat()))
    assert refused.status_code == 422
    assert state_of(app, initiative_id).state is InitiativeState.RECEIVED


def test_the_limit_date_is_shown_and_warned_within_60_days(app, people, login_as):
    initiative_id = enter(app, people)
    day = today(app)
    first = day - timedelta(days=320)
    client = login_as("unit_a")
    client.post(f"/initiatives/{initiative_id}/propose")
    client.post(
        f"/initiatives/{initiative_id}/apply", data={"application": "full", "first_applied_on": first.isoformat()}
    )
    limit = recognition.request_limit(state_of(app, initiative_id))
    assert limit == first.replace(year=first.year + 1)
    page = client.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    days_left = (limit - day).days
    assert limit.strftime("%d/%m/%Y") in page
    assert f"Còn {days_left} ngày đến hạn yêu cầu công nhận (ngày {limit:%d/%m/%Y})." in page


def test_no_warning_while_the_limit_is_far(app, people, login_as):
    initiative_id = enter(app, people)
    day = today(app)
    client = login_as("unit_a")
    client.post(f"/initiatives/{initiative_id}/propose")
    client.post(
        f"/initiatives/{initiative_id}/apply", data={"application": "full", "first_applied_on": day.isoformat()}
    )
    page = client.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    assert "đến hạn yêu cầu công nhận" not in page and "Đã quá thời hạn" not in page


def test_a_request_after_the_one_year_limit_is_refused_in_plain_words(app, people, login_as):
    initiative_id = enter(app, people)
    day = today(app)
    first = date(day.year - 2, 3, 15)
    client = login_as("unit_a")
    page = client.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    assert "Đã đề xuất với lãnh đạo" in page
    response = walk_to_request(client, initiative_id, first, day)
    assert response.status_code == 422
    limit = first.replace(year=first.year + 1)
    message = (
        "Đã quá thời hạn yêu cầu công nhận: đơn phải nộp trong một năm kể từ ngày áp dụng lần đầu "
        f"({first:%d/%m/%Y}), tức là chậm nhất ngày {limit:%d/%m/%Y} (Nghị định 13/2012/NĐ-CP)."
    )
    assert message in response.get_data(as_text=True)
    assert state_of(app, initiative_id).requested_on is None
    page = client.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    assert "Đã quá thời hạn yêu cầu công nhận (ngày" in page
    # A paper request made within the year may still be recorded afterwards.
    ok = client.post(f"/initiatives/{initiative_id}/request", data={"requested_on": limit.isoformat()})
    assert ok.status_code == 302 and state_of(app, initiative_id).requested_on == limit


def test_the_limit_of_a_first_application_on_29_february_is_28_february(app, people):
    initiative = Initiative(first_applied_on=date(2024, 2, 29))
    assert recognition.request_limit(initiative) == date(2025, 2, 28)


@pytest.mark.parametrize("missing", ["is_new_in_unit", "is_applied_with_benefit", "is_not_excluded"])
def test_recognition_needs_all_three_findings(app, people, login_as, missing):
    initiative_id = enter(app, people)
    day = today(app)
    client = login_as("unit_a")
    walk_to_request(client, initiative_id, day - timedelta(days=30), day)
    data = decision_form(decided_on=day.isoformat())
    del data[missing]
    response = client.post(f"/initiatives/{initiative_id}/decide", data=data)
    assert response.status_code == 422
    assert "Chỉ công nhận được khi hội đồng kết luận đủ ba điều kiện" in response.get_data(as_text=True)
    after = state_of(app, initiative_id)
    assert after.state is InitiativeState.APPLIED and after.decision_number == ""


def test_not_recognised_needs_a_reason_and_keeps_it(app, people, login_as):
    initiative_id = enter(app, people)
    day = today(app)
    client = login_as("unit_a")
    walk_to_request(client, initiative_id, day - timedelta(days=30), day)
    data = decision_form(outcome="not_recognised", is_new_in_unit="", decided_on=day.isoformat(), decision_number="")
    del data["is_new_in_unit"]
    refused = client.post(f"/initiatives/{initiative_id}/decide", data=data)
    assert refused.status_code == 422 and "Hãy ghi lý do không công nhận." in refused.get_data(as_text=True)
    data["refusal_reason"] = "Giải pháp đã được áp dụng tại đơn vị từ trước."
    assert client.post(f"/initiatives/{initiative_id}/decide", data=data).status_code == 302
    after = state_of(app, initiative_id)
    assert (after.state, after.refusal_reason, after.is_new_in_unit, after.level) == (
        InitiativeState.NOT_RECOGNISED,
        "Giải pháp đã được áp dụng tại đơn vị từ trước.",
        False,
        None,
    )
    page = client.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    assert "Không được công nhận" in page and "Giải pháp đã được áp dụng tại đơn vị từ trước." in page
    with client.get(f"/initiatives/{initiative_id}/decision.pdf") as response:
        assert response.status_code == 404  # only a recognised initiative has a decision to print


def recognise(app, people, unit="unit_a", **values) -> int:
    """An initiative taken to recognition through the services; its id."""
    initiative_id = enter(app, people, unit=unit, **values)
    with app.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        user = db.session.get(User, people["ids"][f"{unit}_user"])
        day = festival_today()
        recognition.propose(initiative, by=user)
        recognition.apply(initiative, Application.FULL, day - timedelta(days=200), by=user, today=day)
        recognition.request_recognition(initiative, day - timedelta(days=20), by=user, today=day)
        decision = recognition.Decision(True, True, True, True, "125/QĐ-MĐG", day, RecognitionLevel.SECTOR)
        recognition.decide(initiative, decision, by=user, today=day)
        db.session.commit()
    return initiative_id


def test_the_printed_decision_names_unit_number_date_title_authors_shares_and_level(app, people, login_as):
    initiative_id = recognise(app, people, title="Cải tiến máy dập khuy tự động – “cữ gá” đôi")
    with app.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        decided_on = initiative.decided_on
        data = printing.render_decision(initiative)
    (text,) = page_texts(data)
    flat = " ".join(text.split())
    for expected in (
        "TỔNG CÔNG TY MAY ĐỨC GIANG",
        "Số: 125/QĐ-MĐG",
        f"Ngày {decided_on:%d} tháng {decided_on:%m} năm {decided_on.year}",
        "QUYẾT ĐỊNH",
        "Về việc công nhận sáng kiến",
        "Công nhận sáng kiến “Cải tiến máy dập khuy tự động – “cữ gá” đôi”",
        "Nguyễn Thị Hoà",
        "Tổ trưởng tổ may",
        "70%",
        "Phạm Quốc Việt",
        "30%",
        "Cấp công nhận: Cấp ngành",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ):
        assert expected in flat, expected
    assert "0912 345 678" not in flat  # no phone on the decision
    client = login_as("support_a")
    with client.get(f"/initiatives/{initiative_id}/decision.pdf") as response:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert "Nguyễn Thị Hoà" in " ".join(page_texts(response.get_data())[0].split())


def test_the_decision_prints_in_vietnamese_for_an_english_page(app, people, login_as):
    initiative_id = recognise(app, people)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        data = printing.render_decision(db.session.get(Initiative, initiative_id))
    text = " ".join(page_texts(data)[0].split())
    assert "lĩnh vực Sản xuất, kinh doanh" in text and "Cấp công nhận: Cấp ngành" in text


def test_the_public_page_lists_only_published_recognised_initiatives_that_are_no_trade_secret(app, people, client):
    shown = recognise(app, people, title="Dao cắt chỉ an toàn", is_published=True, effect_summary="Không còn đứt tay.")
    recognise(app, people, title="Công thức nhuộm riêng", is_trade_secret=True)
    recognise(app, people, title="Chưa muốn công bố")
    enter(app, people, title="Ý tưởng mới nhận", is_published=True)
    with app.app_context():
        # A trade secret marked published by hand (an import, an old row) is still never shown.
        secret = db.session.execute(
            db.select(Initiative).where(Initiative.title == "Công thức nhuộm riêng")
        ).scalar_one()
        secret.is_published = True
        db.session.commit()
    response = client.get("/initiatives/public")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Dao cắt chỉ an toàn" in page and "Không còn đứt tay." in page
    assert "Tổng Công ty May Đức Giang" in page and "Sản xuất, kinh doanh" in page and "cấp ngành" in page
    for hidden in ("Công thức nhuộm riêng", "Chưa muốn công bố", "Ý tưởng mới nhận", "0912 345 678", "Nguyễn Thị Hoà"):
        assert hidden not in page, hidden
    assert shown


def test_the_public_page_says_when_nothing_is_published(client, people):
    assert "Chưa có sáng kiến nào được công bố." in client.get("/initiatives/public").get_data(as_text=True)


def test_the_public_menu_leads_to_the_published_initiatives(client, people):
    home = client.get("/").get_data(as_text=True)
    assert 'class="nav-link" href="/initiatives/public">Sáng kiến được công nhận</a>' in home
