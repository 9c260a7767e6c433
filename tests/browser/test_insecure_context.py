"""On plain http:// to a name other than localhost (how phones reach a venue laptop without HTTPS) the gate
and the judge's pages say in plain words what cannot work, and the scanner does not ask for the camera."""

from playwright.sync_api import expect

from festival.extensions import db
from festival.models import Role
from tests import factories
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, sign_in

VENUE_NAME = "laptop-hoi-truong.vn"


def test_gate_and_judge_pages_say_what_plain_http_cannot_do(browser, live_app, live_server):
    with live_app.app_context():
        factories.make_festival()
        factories.make_user(Role.CHECKIN, email="cong@example.vn")
        factories.make_user(Role.JUDGE, email="giamkhao@example.vn")
        db.session.commit()
    port = live_server.url.rsplit(":", 1)[1]
    # The name leads to the loopback server, but is not localhost: Chromium treats the page as not secure.
    venue = browser.browser_type.launch(
        executable_path=chromium_path(), args=CHROMIUM_ARGS + [f"--host-resolver-rules=MAP {VENUE_NAME} 127.0.0.1"]
    )
    try:
        context = venue.new_context(viewport={"width": 412, "height": 915}, locale="vi-VN")
        page = context.new_page()
        base = f"http://{VENUE_NAME}:{port}"
        sign_in(page, base, "cong@example.vn", factories.PASSWORD)
        page.goto(f"{base}/checkin/")
        assert page.evaluate("window.isSecureContext") is False
        expect(page.locator(".gate-insecure")).to_contain_text("trình duyệt không cho dùng camera")
        expect(page.locator(".gate-insecure")).to_contain_text("vẫn tìm và cho vào theo tên hoặc số điện thoại")
        page.fill("#gate", "Cổng chính")
        page.click("#start-camera")
        expect(page.locator("#camera-status")).to_contain_text("Không dùng được camera trên địa chỉ http://")

        sign_in(page, base, "giamkhao@example.vn", factories.PASSWORD)
        page.goto(f"{base}/judging/")
        expect(page.locator(".connection-offline-note")).to_contain_text("khi có mạng vẫn chấm bình thường")
        expect(page.locator(".connection-offline-note")).to_contain_text("https://")
        context.close()
    finally:
        venue.close()
