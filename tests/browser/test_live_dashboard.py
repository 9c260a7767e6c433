"""The check-in dashboard keeps itself current without reloading the page under its reader."""

import pytest
from playwright.sync_api import expect

from festival.badges import services as badges
from festival.checkin import services as checkin
from festival.core.extensions import db
from festival.judging import rubrics, scoring
from festival.models import Attendee, CriterionKind, ExhibitStatus, Festival, Role, ScoreSheet, User, utcnow
from tests import factories
from tests.browser.conftest import sign_in
from tests.judging.conftest import rubric_inputs

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


def test_the_control_room_swaps_in_only_the_rows_a_save_changed(live_app, live_server, page):
    with live_app.app_context():
        festival = factories.make_festival()
        category = factories.make_category(festival)
        unit = factories.make_unit("MAY10")
        exhibits = [
            factories.make_exhibit(
                festival, unit, category, status=ExhibitStatus.ACCEPTED, code=f"KT-0{n}", booth=str(n), title=f"SK {n}"
            )
            for n in (1, 2)
        ]
        judge = factories.make_user(Role.JUDGE, email="gk@example.vn", full_name="Nguyễn Thu Lan")
        factories.make_user(Role.ORGANIZER, email="btc@example.vn")
        rubric = rubrics.save_rubric(festival, None, rubric_inputs(), by=None)
        sheets = [ScoreSheet(exhibit=exhibit, judge=judge) for exhibit in exhibits]
        db.session.add_all(sheets)
        db.session.commit()
        sheet_id, saved, other = sheets[0].id, exhibits[0].id, exhibits[1].id
        points = {c.id: c.max_points for c in rubric.criteria if c.kind is CriterionKind.POINTS}

    page.clock.install()
    sign_in(page, live_server.url, "btc@example.vn", factories.PASSWORD)
    page.goto(f"{live_server.url}/judging/control")
    saved_row = page.locator(f"#control-exhibit-{saved}")
    expect(saved_row).to_contain_text("Chưa chấm")
    page.evaluate(f"document.getElementById('control-exhibit-{other}').dataset.untouched = 'yes'")

    with live_app.app_context():
        sheet = db.session.get(ScoreSheet, sheet_id)
        data = scoring.SheetInput(client_id="tablet", seq=1, points=points, answers={})
        scoring.save_sheet(sheet, sheet.judge, data, utcnow())
        db.session.commit()

    page.clock.fast_forward("00:11")
    expect(saved_row).to_contain_text("Đang chấm")
    expect(page.locator("#board-status")).to_contain_text("Cập nhật lúc")
    # The other exhibit's row is the same element: only the changed rows were fetched and swapped in.
    assert page.evaluate(f"document.getElementById('control-exhibit-{other}').dataset.untouched") == "yes"
