"""On plain http:// to a name other than localhost (how phones reach a venue laptop without HTTPS) the gate
and the judge's pages say in plain words what cannot work; the gate offers no camera and puts the search by
name or phone first, its results in view on a 360 px phone."""

from playwright.sync_api import expect

from festival.badges import services as badges
from festival.core.extensions import db
from festival.models import Attendee, Role
from tests import factories
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, sign_in

VENUE_NAME = "laptop-hoi-truong.vn"


PHONE = {"width": 360, "height": 740}


def test_gate_and_judge_pages_say_what_plain_http_cannot_do(browser, live_app, live_server):
    with live_app.app_context():
        festival = factories.make_festival()
        for n in range(8):
            name = "Nguyễn Thị Hoa" if n == 0 else f"Trần Văn Nam {n}"
            db.session.add(Attendee(festival=festival, full_name=name, role=badges.role_by_code(festival, "guest")))
        factories.make_user(Role.CHECKIN, email="cong@example.vn")
        factories.make_user(Role.JUDGE, email="giamkhao@example.vn")
        db.session.commit()
    port = live_server.url.rsplit(":", 1)[1]
    # The name leads to the loopback server, but is not localhost: Chromium treats the page as not secure.
    venue = browser.browser_type.launch(
        executable_path=chromium_path(), args=CHROMIUM_ARGS + [f"--host-resolver-rules=MAP {VENUE_NAME} 127.0.0.1"]
    )
    try:
        context = venue.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
        page = context.new_page()
        base = f"http://{VENUE_NAME}:{port}"
        sign_in(page, base, "cong@example.vn", factories.PASSWORD)
        page.goto(f"{base}/checkin/")
        assert page.evaluate("window.isSecureContext") is False
        expect(page.locator(".gate-state")).to_have_text("Đã kết nối máy chủ")
        expect(page.locator(".gate-insecure")).to_contain_text("không dùng được camera")
        expect(page.locator(".gate-insecure")).to_contain_text("Tìm và cho vào theo tên hoặc số điện thoại")
        expect(page.locator("#start-camera")).to_be_hidden()
        expect(page.locator("#camera-box")).to_be_hidden()

        page.fill("#gate", "Cổng chính")
        page.fill("#search", "Hoa")
        first = page.locator("#search-results li").first
        expect(first).to_contain_text("Nguyễn Thị Hoa")
        # Without scrolling: the search box and the first person found both inside the phone's screen.
        assert page.evaluate("window.scrollY") == 0
        search_box, found = page.locator("#search").bounding_box(), first.bounding_box()
        assert search_box["y"] + search_box["height"] <= PHONE["height"], search_box
        assert found["y"] + found["height"] <= PHONE["height"], found
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        sign_in(page, base, "giamkhao@example.vn", factories.PASSWORD)
        page.goto(f"{base}/judging/")
        expect(page.locator(".connection-offline-note")).to_contain_text("khi có mạng vẫn chấm bình thường")
        expect(page.locator(".connection-offline-note")).to_contain_text("https://")
        context.close()
    finally:
        venue.close()
