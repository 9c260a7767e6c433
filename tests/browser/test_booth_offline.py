"""A judge scores booths walking the hall, where the network drops: what they type on a booth sheet is kept on the
tablet until the server has it, a save tried offline is not sent and says so, the sheet reopens offline with the
typed values, and values typed before someone else saved are refused by the server beside the saved ones."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from festival.booths import scoring, services
from festival.core.extensions import db
from festival.models import BoothSheet, ExhibitStatus, Role, User, utcnow
from tests import factories
from tests.browser.conftest import sign_in, sign_out_of_tablet, wait_for
from tests.browser.test_judge_devices import festival_keys, kept_pages

pytestmark = pytest.mark.browser


@pytest.fixture
def booth(live_app):
    with live_app.app_context():
        festival = factories.make_festival()
        category = factories.make_category(festival)
        unit = factories.make_unit("MAY10", name="Tổng Công ty May 10", short_name="May 10")
        factories.make_exhibit(
            festival, unit, category, status=ExhibitStatus.ACCEPTED, code="KT-01", booth="7", title="Cữ gá may túi"
        )
        organizer = factories.make_user(Role.ORGANIZER, email="btc@example.vn")
        judge = factories.make_user(Role.JUDGE, email="gk@example.vn", full_name="Nguyễn Thu Lan")
        services.set_booth_panel(festival, {judge.id}, by=organizer)
        services.assign_booth_judges(festival, by=organizer)
        db.session.commit()
        sheet = db.session.execute(db.select(BoothSheet)).scalar_one()
        return {"id": sheet.id, "criteria": [c.id for c in services.booth_criteria(festival)]}


def stored(live_app, sheet_id):
    with live_app.app_context():
        sheet = db.session.get(BoothSheet, sheet_id)
        return {s.criterion_id: s.points for s in sheet.scores if s.points is not None}, sheet.comment


def tablet(browser, live_server):
    context = browser.new_context(
        viewport={"width": 820, "height": 1180}, has_touch=True, is_mobile=True, locale="vi-VN"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, live_server.url, "gk@example.vn", factories.PASSWORD)
    return context, page


def drafts(page):
    return [key for key in festival_keys(page) if ".booth." in key]


def test_a_booth_sheet_keeps_what_was_typed_through_a_save_tried_offline_and_an_offline_reload(
    browser, live_server, live_app, booth
):
    context, page = tablet(browser, live_server)
    first, second = booth["criteria"][0], booth["criteria"][1]
    page.goto(f"{live_server.url}/booths/")
    assert wait_for(lambda: kept_pages(page) >= 2)  # the list and its sheet, kept for offline use
    page.get_by_text("Tổng Công ty May 10").click()
    page.locator(f"#p{first}").fill("8")
    page.locator("#comment").fill("Gian gọn gàng")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.locator("main")).to_contain_text("Đã lưu.")
    assert stored(live_app, booth["id"]) == ({first: Decimal(8)}, "Gian gọn gàng")
    assert drafts(page) == []  # the server has it: nothing kept

    context.set_offline(True)
    page.locator(f"#p{second}").fill("9")
    page.locator("#comment").fill("Gian gọn gàng, trình bày rõ")
    page.get_by_role("button", name="Lưu nháp").click()
    refusal = page.locator("#booth-offline")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("Không có mạng: phiếu chưa được gửi")
    assert stored(live_app, booth["id"]) == ({first: Decimal(8)}, "Gian gọn gàng")

    # Signing out now would wipe them from the tablet: the judge is asked first, and stays.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Mở menu").click()
    expect(page.locator("#mainNav")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_role("button", name="Đăng xuất").click()
    assert wait_for(lambda: asked) and "Còn 1 thay đổi chưa gửi được lên máy chủ" in asked[0]
    assert len(drafts(page)) == 1

    page.reload()  # in the dead spot: the kept page, and what was typed on it
    expect(page.locator("h1")).to_have_text("Tổng Công ty May 10")
    expect(page.locator(f"#p{first}")).to_have_value("8.00")  # as the server showed it saved
    expect(page.locator(f"#p{second}")).to_have_value("9")
    expect(page.locator("#comment")).to_have_value("Gian gọn gàng, trình bày rõ")
    expect(page.locator("#booth-restored")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 820  # no sideways scrolling

    context.set_offline(False)
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.locator("main")).to_contain_text("Đã lưu.")
    expect(page.locator("#booth-restored")).to_be_hidden()
    assert stored(live_app, booth["id"]) == ({first: Decimal(8), second: Decimal(9)}, "Gian gọn gàng, trình bày rõ")
    assert wait_for(lambda: drafts(page) == [])
    context.close()


def test_values_kept_from_before_another_save_are_refused_beside_it_or_dropped_by_the_judge(
    browser, live_server, live_app, booth
):
    context, page = tablet(browser, live_server)
    first = booth["criteria"][0]
    url = f"{live_server.url}/booths/sheets/{booth['id']}"
    page.goto(url)
    sheet_address = re.compile(r".*/booths/sheets/\d+$")
    page.route(sheet_address, lambda route: route.abort() if route.request.method == "POST" else route.continue_())
    page.locator(f"#p{first}").fill("6")
    page.get_by_role("button", name="Lưu nháp").click()  # the post never arrives (the browser's own error page)
    assert stored(live_app, booth["id"]) == ({}, "")
    page.unroute(sheet_address)

    # Meanwhile the same judge saved 7 from their phone.
    with live_app.app_context():
        sheet = db.session.get(BoothSheet, booth["id"])
        judge = db.session.execute(db.select(User).where(User.email == "gk@example.vn")).scalar_one()
        data = scoring.BoothSheetInput({first: Decimal(7)}, "", sheet.revision)
        scoring.save_booth_sheet(sheet, judge, data, utcnow())
        db.session.commit()

    page.goto(url)
    expect(page.locator("#booth-restored")).to_be_visible()
    expect(page.locator(f"#p{first}")).to_have_value("6")  # what the tablet typed, not yet sent
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.locator("#sheet-refusal")).to_be_visible()  # typed from an older revision: refused, both shown
    expect(page.locator(f"#p{first}")).to_have_value("6")
    expect(page.locator("main")).to_contain_text("Đã lưu: 7")
    assert stored(live_app, booth["id"]) == ({first: Decimal(7)}, "")

    page.goto(url)  # left without choosing: the typed values are still offered
    expect(page.locator(f"#p{first}")).to_have_value("6")
    page.locator("#booth-restored").get_by_role("button", name="Bỏ, dùng bản đã lưu").click()
    expect(page.locator(f"#p{first}")).to_have_value("7.00")
    expect(page.locator("#booth-restored")).to_be_hidden()
    assert drafts(page) == []
    page.reload()
    expect(page.locator(f"#p{first}")).to_have_value("7.00")
    expect(page.locator("#booth-restored")).to_be_hidden()
    context.close()


def test_a_submitted_booth_sheet_leaves_nothing_kept_to_warn_about_at_sign_out(browser, live_server, live_app, booth):
    context, page = tablet(browser, live_server)
    page.goto(f"{live_server.url}/booths/sheets/{booth['id']}")
    for criterion, points in zip(booth["criteria"], ["8", "7,5", "9", "6"]):
        page.locator(f"#p{criterion}").fill(points)
    assert len(drafts(page)) == 1
    page.get_by_role("button", name="Nộp phiếu").click()
    expect(page.locator("main")).to_contain_text("Đã nộp phiếu chấm gian hàng May 10")
    with live_app.app_context():
        assert db.session.get(BoothSheet, booth["id"]).is_locked
    assert drafts(page) == []  # what was kept is what the server locked
    sign_out_of_tablet(page)  # no question asked (an unanswered one would cancel the sign-out)
    context.close()
