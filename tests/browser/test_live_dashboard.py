"""The check-in dashboard keeps itself current without reloading the page under its reader."""

import pytest
from playwright.sync_api import expect

from festival.badges import services as badges
from festival.checkin import services as checkin
from festival.core.extensions import db
from festival.models import Attendee, Festival, Role, User, utcnow
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_dashboard_updates_its_figures_in_place(live_app, live_server, page):
    with live_app.app_context():
        festival = factories.make_festival()
        people = [
            badges.add_attendee(
                festival, badges.AttendeeInput(name, badges.role_by_code(festival, "delegate"), None), by=None
            )
            for name in ("Nguyễn Thị Hằng", "Lê Văn Đức")
        ]
        factories.make_user(Role.CHECKIN, email="cong@example.vn")
        db.session.commit()
        ids = [person.id for person in people]

    page.clock.install()
    sign_in(page, live_server.url, "cong@example.vn", factories.PASSWORD)
    page.goto(f"{live_server.url}/checkin/dashboard")
    figure = page.locator("#arrivals-board .stat-card .display-6").first
    expect(figure).to_have_text("0")
    page.evaluate("window.marker = 'still the same page'")

    with live_app.app_context():
        festival = db.session.execute(db.select(Festival)).scalar_one()
        staff = db.session.execute(db.select(User).where(User.email == "cong@example.vn")).scalar_one()
        checkin.check_in_person(festival, db.session.get(Attendee, ids[0]), staff, "Cổng chính", "n-1", utcnow())
        db.session.commit()

    page.clock.fast_forward("00:31")
    expect(figure).to_have_text("1")
    assert page.evaluate("window.marker") == "still the same page"  # updated in place, not reloaded
