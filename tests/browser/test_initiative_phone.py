"""A support team member enters an initiative from a phone (360 px wide), adds a photo and takes it to the
council's decision; no page scrolls sideways."""

import pytest
from playwright.sync_api import expect

from festival.core.extensions import db
from festival.models import Role
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import audit

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def support_team(live_app):
    with live_app.app_context():
        factories.make_festival()
        unit = factories.make_unit("MAY10", name="Tổng Công ty May 10 – CTCP", short_name="May 10")
        factories.make_user(Role.SUPPORT, unit=unit, email="tohotro@example.vn")
        db.session.commit()


def test_support_team_enters_and_recognises_an_initiative_on_a_phone(browser, live_server, support_team, tmp_path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    photo = tmp_path / "cu-ga.jpg"
    photo.write_bytes(factories.jpeg_bytes(800, 600, colour="orange"))
    base = live_server.url
    try:
        sign_in(page, base, "tohotro@example.vn", factories.PASSWORD)
        page.goto(f"{base}/initiatives/new")
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        page.fill("#title", "Cữ gá may túi tự động")
        page.fill("#authors-0-full_name", "Nguyễn Thị Hằng")
        page.fill("#authors-0-share_percent", "70")
        page.fill("#authors-1-full_name", "Lê Văn Đức")
        page.fill("#authors-1-share_percent", "20")
        page.get_by_role("button", name="Lưu", exact=True).click()
        expect(page.locator(".error-summary")).to_contain_text("phải bằng 100% (các tỷ lệ đã ghi cộng lại là 90%)")
        expect(page.locator("#authors-0-full_name")).to_have_value("Nguyễn Thị Hằng")
        page.fill("#authors-1-share_percent", "30")
        page.get_by_role("button", name="Lưu", exact=True).click()
        expect(page.locator(".alert-success")).to_contain_text("vào sổ, số SK-")
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        page.set_input_files("#files", str(photo))
        page.get_by_role("button", name="Tải lên").click()
        expect(page.locator("#initiative-files ~ ul img")).to_have_count(1)
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        # axe-core finds no serious or critical violation on the register's pages at phone width either.
        shown = page.url.split("#")[0]
        problems = audit(page, shown, "initiative-show", "phone")
        problems += audit(page, f"{base}/initiatives/new", "initiative-new", "phone")
        problems += audit(page, f"{base}/initiatives/", "initiative-register", "phone")
        problems += audit(page, f"{base}/initiatives/public", "initiative-public", "phone")
        assert not problems, "\n".join(problems)
    finally:
        context.close()
