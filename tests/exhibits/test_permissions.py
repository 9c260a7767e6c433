"""Who reaches which exhibit route: anonymous, unit A, unit B, judge, organizer."""

from datetime import timedelta

import pytest

from festival.auth.permissions import can_edit_exhibit
from festival.core.errors import NotAllowed
from festival.core.extensions import db
from festival.exhibits import services
from festival.models import UNIT_EDITABLE, Category, Exhibit, ExhibitStatus, Festival, Unit, User
from tests import factories

VISITORS = ["anonymous", "unit_a", "unit_b", "judge", "organizer"]
ORGANIZER_ONLY = {"anonymous": 302, "unit_a": 403, "unit_b": 403, "judge": 403, "organizer": 200}
UNITS_ONLY = {"anonymous": 302, "unit_a": 200, "unit_b": 200, "judge": 403, "organizer": 403}
EVERYONE = dict.fromkeys(VISITORS, 200)

# (path, expected status per visitor); {draft} is unit A's draft, {accepted} unit A's accepted one.
MATRIX = [
    ("/exhibits/mine", UNITS_ONLY),
    ("/exhibits/new", UNITS_ONLY),
    ("/exhibits/{draft}", {"anonymous": 302, "unit_a": 200, "unit_b": 404, "judge": 404, "organizer": 200}),
    ("/exhibits/{draft}/edit", {"anonymous": 302, "unit_a": 200, "unit_b": 404, "judge": 404, "organizer": 200}),
    ("/exhibits/{draft}/withdraw", {"anonymous": 302, "unit_a": 200, "unit_b": 404, "judge": 403, "organizer": 403}),
    ("/exhibits/{accepted}", {"anonymous": 302, "unit_a": 200, "unit_b": 200, "judge": 200, "organizer": 200}),
    ("/exhibits/{accepted}/edit", {"anonymous": 302, "unit_a": 403, "unit_b": 403, "judge": 403, "organizer": 200}),
    ("/exhibits/", ORGANIZER_ONLY),
    ("/exhibits/statistics", ORGANIZER_ONLY),
    ("/exhibits/import", ORGANIZER_ONLY),
    ("/exhibits/import/template.xlsx", ORGANIZER_ONLY),
    ("/exhibits/export.xlsx", ORGANIZER_ONLY),
    ("/exhibits/categories", ORGANIZER_ONLY),
    ("/exhibits/{accepted}/poster.pdf", ORGANIZER_ONLY),
    ("/gallery", EVERYONE),
    ("/e/{accepted}", EVERYONE),
    ("/e/{draft}", dict.fromkeys(VISITORS, 404)),
]

# POSTs that change state: only the named visitors may, everyone else changes nothing.
ACTIONS = [
    ("/exhibits/{draft}/submit", {}, "unit_a"),
    ("/exhibits/{draft}/withdraw", {}, "unit_a"),
    ("/exhibits/{submitted}/accept", {"code": "", "booth": ""}, "organizer"),
    ("/exhibits/{submitted}/return", {"comment": "Sửa lại"}, "organizer"),
    ("/exhibits/{submitted}/reject", {"comment": "Không đạt"}, "organizer"),
]


@pytest.fixture
def objects(app, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        unit_a = db.session.get(Unit, people["ids"]["unit_a"])
        category = db.session.get(Category, people["ids"]["category"])
        ids = {
            "draft": factories.make_exhibit(festival, unit_a, category, status=ExhibitStatus.DRAFT).id,
            "accepted": factories.make_exhibit(
                festival, unit_a, category, status=ExhibitStatus.ACCEPTED, code="KT-01", booth="1"
            ).id,
            "submitted": factories.make_exhibit(festival, unit_a, category, status=ExhibitStatus.SUBMITTED).id,
        }
        db.session.commit()
        return ids


@pytest.mark.parametrize("visitor", VISITORS)
def test_exhibit_routes_answer_each_visitor_as_expected(client, login_as, objects, visitor):
    if visitor != "anonymous":
        login_as(visitor)
    answers = {}
    for path, _statuses in MATRIX:
        url = path.format(**objects)
        with client.get(url) as response:
            answers[url] = response.status_code
    expected = {path.format(**objects): statuses[visitor] for path, statuses in MATRIX}
    assert answers == expected


@pytest.mark.parametrize("path, data, allowed", ACTIONS)
@pytest.mark.parametrize("visitor", VISITORS)
def test_state_changes_only_by_those_allowed(app, client, login_as, objects, path, data, allowed, visitor):
    if visitor == allowed:
        return  # the allowed case is covered by the registration and review tests
    if visitor != "anonymous":
        login_as(visitor)
    with app.app_context():
        before = {e.id: (e.status, e.code) for e in db.session.execute(db.select(Exhibit)).scalars()}
    response = client.post(path.format(**objects), data=data)
    assert response.status_code in (302, 403, 404)
    if visitor == "anonymous":
        assert response.headers["Location"].startswith("/auth/login")
    with app.app_context():
        after = {e.id: (e.status, e.code) for e in db.session.execute(db.select(Exhibit)).scalars()}
    assert after == before


def test_a_get_never_changes_state(app, client, login_as, objects):
    login_as("unit_a")
    for path, _data, _allowed in ACTIONS:
        client.get(path.format(**objects))
    with app.app_context():
        statuses = {e.id: e.status for e in db.session.execute(db.select(Exhibit)).scalars()}
    assert statuses == {
        objects["draft"]: ExhibitStatus.DRAFT,
        objects["accepted"]: ExhibitStatus.ACCEPTED,
        objects["submitted"]: ExhibitStatus.SUBMITTED,
    }


@pytest.mark.parametrize("status", list(ExhibitStatus))
def test_edit_button_and_service_follow_one_rule(app, people, status):
    """The edit button shows exactly when saving is allowed (registration open): one rule, not two."""
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        unit_a = db.session.get(Unit, people["ids"]["unit_a"])
        category = db.session.get(Category, people["ids"]["category"])
        exhibit_id = factories.make_exhibit(festival, unit_a, category, status=status).id
        db.session.commit()
        now = festival.registration_opens_at + timedelta(minutes=1)
        shown, saved = {}, {}
        for name in ("unit_a", "unit_b", "judge", "organizer"):
            user = db.session.get(User, people["ids"][f"{name}_user"])
            exhibit = db.session.get(Exhibit, exhibit_id)
            shown[name] = can_edit_exhibit(user, exhibit)
            data = services.ExhibitInput(
                title="Tên mới", category=exhibit.category, authors=[services.AuthorInput("Nguyễn Văn An")]
            )
            try:
                services.update_exhibit(exhibit, data, by=user, now=now)
            except NotAllowed:
                saved[name] = False
            else:
                saved[name] = True
            db.session.rollback()
        assert shown == saved
        assert shown["organizer"] is (status is not ExhibitStatus.WITHDRAWN)
        assert shown["unit_a"] is (status in UNIT_EDITABLE)
        assert not shown["unit_b"] and not shown["judge"]
