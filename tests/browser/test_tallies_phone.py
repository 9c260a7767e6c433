"""The programme's tallies, targets and portal export on a phone (Chromium, 360 px): the page never scrolls
sideways (wide tables scroll inside their own box), the figures and charts are there, and axe finds nothing
serious; a unit's account sees its own line only."""

import pytest
from playwright.sync_api import expect

from festival.core.extensions import db
from festival.models import Role
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import audit
from tests.tallies.conftest import YEAR, build_year

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}


@pytest.fixture
def programme(live_app):
    with live_app.app_context():
        factories.make_festival()
        units = build_year(5)
        factories.make_user(Role.ORGANIZER, email="btc@example.vn")
        factories.make_user(Role.UNIT, unit=units[0], email="donvi@example.vn")
        db.session.commit()
        return [unit.short_name for unit in units]


def test_tallies_targets_and_portal_fit_a_phone(browser, live_server, programme):
    base = live_server.url
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, base, "btc@example.vn", factories.PASSWORD)
        tallies = f"{base}/programme/tallies?year={YEAR}"
        problems = audit(page, tallies, "tallies", "phone")
        by_unit = page.locator("section", has=page.get_by_role("heading", name="Theo đơn vị"))
        for name in programme:
            expect(by_unit.locator("tbody")).to_contain_text(name)
        expect(page.locator(".bar-table").first).to_be_visible()
        # The widest table scrolls inside its box: its box is no wider than the screen, its table is.
        box, table = page.evaluate(
            """() => { const box = [...document.querySelectorAll('.table-responsive')].find(
                         (el) => el.scrollWidth > el.clientWidth);
                       return box ? [box.getBoundingClientRect().width, box.scrollWidth] : [0, 0]; }"""
        )
        assert 0 < box <= 360 < table
        problems += audit(page, f"{base}/programme/tallies?year={YEAR}&quarter=2", "tallies-q2", "phone")
        problems += audit(page, f"{base}/programme/targets?year={YEAR}", "targets", "phone")
        problems += audit(page, f"{base}/programme/portal", "portal", "phone")
        assert not problems, "\n".join(problems)

        sign_in(page, base, "donvi@example.vn", factories.PASSWORD)
        page.goto(tallies)
        rows = page.locator("section", has=page.get_by_role("heading", name="Theo đơn vị")).locator("tbody tr")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text(programme[0])
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
