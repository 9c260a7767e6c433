"""A judge scores on a tablet (820×1180, touch) through a network drop and a reload; nothing is lost."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from festival.core.extensions import db
from festival.judging import rubrics, scoring
from festival.models import ExhibitStatus, Role, ScoreSheet
from tests import factories
from tests.browser.conftest import sign_in, wait_for
from tests.judging.conftest import rubric_inputs

pytestmark = pytest.mark.browser


@pytest.fixture
def sheet(live_app):
    with live_app.app_context():
        festival = factories.make_festival()
        category = factories.make_category(festival)
        unit = factories.make_unit("MAY10")
        exhibit = factories.make_exhibit(
            festival,
            unit,
            category,
            status=ExhibitStatus.ACCEPTED,
            code="KT-01",
            booth="7",
            title="Cữ gá may túi tự động",
        )
        judge = factories.make_user(Role.JUDGE, email="gk@example.vn", full_name="Nguyễn Thu Lan")
        rubric = rubrics.save_rubric(festival, None, rubric_inputs(), by=None)
        sheet = ScoreSheet(exhibit=exhibit, judge=judge)
        db.session.add(sheet)
        db.session.commit()
        return {"id": sheet.id, "criteria": [c.id for c in rubric.criteria]}


def server_points(live_app, sheet_id):
    with live_app.app_context():
        db.session.expire_all()
        row = db.session.get(ScoreSheet, sheet_id)
        return {s.criterion.position: s.points for s in row.scores if s.points is not None}


def test_scores_survive_going_offline_and_a_reload(browser, live_server, live_app, sheet):
    context = browser.new_context(
        viewport={"width": 820, "height": 1180}, has_touch=True, is_mobile=True, locale="vi-VN"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, live_server.url, "gk@example.vn", factories.PASSWORD)
    page.goto(f"{live_server.url}/judging/sheets/{sheet['id']}")
    novelty, applicability = sheet["criteria"][0], sheet["criteria"][1]
    status = page.locator("#save-status")

    page.locator(f"label[for=p{novelty}-20]").tap()
    page.locator(f"#p{applicability}").fill("15")
    page.locator(f"#p{applicability}").dispatch_event("change")
    expect(status).to_have_text("Đã lưu")
    assert server_points(live_app, sheet["id"]) == {0: Decimal(20), 1: Decimal(15)}
    assert page.evaluate("document.documentElement.scrollWidth") <= 820  # no sideways scrolling

    context.set_offline(True)
    page.locator(f"label[for=p{novelty}-30]").tap()
    page.locator(f"fieldset[data-criterion='{applicability}'] .step[data-step='1']").tap()
    expect(status).to_contain_text("Chưa gửi được")
    expect(page.locator("#total")).to_have_text("46")  # 30 + 16, computed on the tablet
    assert server_points(live_app, sheet["id"]) == {0: Decimal(20), 1: Decimal(15)}

    # Back online but the save still cannot reach the server; the page is reloaded meanwhile.
    page.route("**/save", lambda route: route.abort())
    context.set_offline(False)
    page.reload()
    expect(page.locator(f"#p{novelty}-30")).to_be_checked()
    expect(page.locator(f"#p{applicability}")).to_have_value("16")
    expect(status).to_contain_text("Chưa gửi được")

    page.unroute("**/save")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    assert wait_for(lambda: server_points(live_app, sheet["id"]) == {0: Decimal(30), 1: Decimal(16)})
    expect(status).to_have_text("Đã lưu")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('festival.outbox')).length") == 0
    context.close()


def test_an_expired_session_keeps_the_scores_to_offer_at_the_next_sign_in(browser, live_server, live_app, sheet):
    context = browser.new_context(viewport={"width": 820, "height": 1180}, has_touch=True, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, live_server.url, "gk@example.vn", factories.PASSWORD)
    sheet_url = f"{live_server.url}/judging/sheets/{sheet['id']}"
    page.goto(sheet_url)
    novelty = sheet["criteria"][0]
    context.clear_cookies()  # the session is gone (expired, or signed out elsewhere)
    page.locator(f"label[for=p{novelty}-10]").tap()
    expect(page.locator("#save-status")).to_contain_text("Phiên đăng nhập đã hết")
    expect(page.locator("#relogin")).to_be_visible()
    assert server_points(live_app, sheet["id"]) == {}

    sign_in(page, live_server.url, "gk@example.vn", factories.PASSWORD)
    page.goto(sheet_url)
    # A change of a session that has ended is offered, never sent by itself; the judge keeps it.
    left_over = page.locator("#left-over")
    expect(left_over).to_contain_text("Thay đổi chưa gửi từ phiên trước")
    expect(left_over).to_contain_text("KT-01 Cữ gá may túi tự động — Tính mới, tính sáng tạo: 10")
    assert server_points(live_app, sheet["id"]) == {}
    left_over.get_by_role("button", name="Giữ và gửi").click()
    expect(page.locator(f"#p{novelty}-10")).to_be_checked()
    assert wait_for(lambda: server_points(live_app, sheet["id"]) == {0: Decimal(10)})
    expect(page.locator("#save-status")).to_have_text("Đã lưu")
    expect(left_over).to_be_hidden()
    context.close()


def test_submitting_from_the_tablet_locks_the_sheet(browser, live_server, live_app, sheet):
    context = browser.new_context(viewport={"width": 820, "height": 1180}, has_touch=True, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server.url, "gk@example.vn", factories.PASSWORD)
    page.goto(f"{live_server.url}/judging/sheets/{sheet['id']}")
    novelty, applicability, effect, social, question = sheet["criteria"]
    page.locator(f"label[for=p{novelty}-20]").tap()
    page.locator(f"#p{applicability}").fill("20")
    page.locator(f"#p{effect}").fill("25")
    page.locator(f"#p{effect}").dispatch_event("change")
    page.locator(f"label[for=p{social}-10]").tap()
    page.locator(f"label[for=a{question}-yes]").tap()
    expect(page.locator("#total")).to_have_text("75")
    page.get_by_role("button", name="Nộp phiếu").tap()
    expect(page.locator(".alert-success")).to_contain_text("Phiếu đã nộp")
    with live_app.app_context():
        row = db.session.get(ScoreSheet, sheet["id"])
        assert row.status.value == "submitted" and scoring.sheet_total(row) == Decimal(75)
    expect(page.locator(f"#p{novelty}-20")).to_be_disabled()
    context.close()
