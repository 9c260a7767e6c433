"""The organizer's results on a tablet (820 px): the prize controls of every row are on screen, not behind a
sideways scroll; the spread statistics fold into a line under each exhibit; a desktop shows them as columns."""

from datetime import date

import pytest

from festival import demo
from festival.core.extensions import db
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_results(live_app):
    with live_app.app_context():
        demo.load_demo(date.today())
        db.session.commit()


@pytest.mark.parametrize("width", [820, 1440])
def test_the_prize_controls_stay_in_the_viewport(browser, live_server, demo_results, width):
    context = browser.new_context(viewport={"width": width, "height": 1180}, locale="vi-VN")
    page = context.new_page()
    sign_in(page, live_server.url, "btc@festival.example.vn", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/judging/results")
    forms = page.locator(".tier-form")
    assert forms.count() > 5
    rights = page.evaluate(
        """() => [...document.querySelectorAll(".tier-form select, .tier-form input, .tier-form button")]
            .map((el) => el.getBoundingClientRect().right)"""
    )
    assert rights and max(rights) <= width, f"prize controls reach {max(rights):.0f}px in a {width}px viewport"
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll(".results-table")]
            .filter((table) => table.parentElement.scrollWidth > table.parentElement.clientWidth + 1).length"""
    )
    assert overflowing == 0
    summary = page.locator(".stat-summary").first
    detail = page.locator("th.stat-detail").first
    if width < 1200:
        assert summary.is_visible() and not detail.is_visible()
        assert "Độ lệch chuẩn" in summary.inner_text()
    else:
        assert detail.is_visible() and not summary.is_visible()
    context.close()
