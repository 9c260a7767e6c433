"""The visitors' choice on a phone in Chromium: link the badge, scan a booth poster's QR code, vote,
change the vote, the window closes, the organizers' tally shows it."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from festival.core.extensions import db
from festival.exhibits.printing import render_posters
from festival.models import Exhibit, VotePolicy, utcnow
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD
from tests.pdf_tools import page_qr_codes
from tests.voting.conftest import vote_world  # noqa: F401 - the festival with its vote open

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}


@pytest.fixture
def app(live_app):
    return live_app


def poster_urls(app, world, base):
    """The URLs the booth posters' QR codes hold (read by a real decoder), served by the live server."""
    with app.app_context():
        exhibits = [db.session.get(Exhibit, world[key]) for key in ("a1", "b1")]
        codes = page_qr_codes(render_posters(exhibits), dpi=150)
    return [code.replace(app.config["PUBLIC_BASE_URL"], base) for (code,) in codes]


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_link_badge_scan_booth_vote_change_close_and_tally_on_a_phone(browser, live_server, vote_world):  # noqa: F811
    app, base = live_server.app, live_server.url
    first_booth, second_booth = poster_urls(app, vote_world, base)
    assert first_booth == f"{base}/e/{vote_world['a1']}"

    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    page.goto(f"{base}/c/{vote_world['guest_token']}")
    page.get_by_label("Tôi đồng ý liên kết điện thoại này với thẻ để bình chọn", exact=False).check()
    page.get_by_role("button", name="Dùng thẻ này để bình chọn").click()
    expect(page.locator(".alert-success[role=alert]")).to_contain_text("Đã liên kết thẻ của Khách Mời Một")
    expect(page.locator("#remaining")).to_have_text("Còn 1 / 1 phiếu")
    fits(page)

    page.goto(first_booth)
    page.get_by_role("button", name="Bình chọn cho sáng kiến này").click()
    expect(page.locator(".alert-success[role=alert]")).to_contain_text("Đã ghi nhận phiếu bình chọn của bạn.")
    expect(page.locator("#vote")).to_contain_text("Bạn đã bình chọn cho sáng kiến này")
    fits(page)

    page.goto(second_booth)
    expect(page.locator("#vote")).to_contain_text("còn 0 / 1 phiếu")
    page.get_by_role("button", name="Chuyển phiếu sang sáng kiến này").click()
    expect(page.locator(".alert-success[role=alert]")).to_contain_text("Đã chuyển phiếu của bạn sang sáng kiến này.")
    page.get_by_role("link", name="Xem phiếu của tôi").click()
    expect(page.locator("main")).to_contain_text("QL-01")
    expect(page.locator("main")).not_to_contain_text("KT-01")

    with app.app_context():
        policy = db.session.get(VotePolicy, vote_world["festival"])
        policy.closes_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    page.goto(first_booth)
    expect(page.locator("#vote .alert-danger")).to_contain_text("Cổng bình chọn đã đóng")
    expect(page.get_by_role("button", name="Chuyển phiếu sang sáng kiến này")).to_have_count(0)
    phone.close()

    organizer = browser.new_context(**PHONE)
    page = organizer.new_page()
    sign_in(page, base, "organizer@example.vn", PASSWORD)
    page.goto(f"{base}/vote/tally")
    row = page.locator(f"#tally-all tr[data-exhibit='{vote_world['b1']}']")
    expect(row).to_contain_text("QL-01")
    expect(row.locator("td").last).to_have_text("1")
    expect(page.locator(f"#tally-all tr[data-exhibit='{vote_world['a1']}'] td").last).to_have_text("0")
    expect(page.locator("#votes-per-hour")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Trao giải").click()
    flashed = page.locator(".alert-success[role=alert]")
    expect(flashed).to_contain_text("Đã trao Giải do khán giả bình chọn cho 1 sáng kiến.")
    page.goto(f"{base}/results")
    expect(page.locator("#visitors-choice")).to_contain_text("Phần mềm ca")
    organizer.close()
