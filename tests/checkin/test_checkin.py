"""Gate check-in: first, duplicate, revoked and unknown badges; nonces; search; dashboard; access."""

import threading
import uuid

import pytest

from festival.auth import permissions
from festival.badges import services
from festival.checkin import views as checkin_views
from festival.checkin.services import dashboard
from festival.core.extensions import db
from festival.models import Attendee, CheckIn, Festival, ScanResult, utcnow
from tests.conftest import ON_POSTGRES
from tests.sql import statements_sent


def scan(client, code, gate="Cổng chính", nonce=None):
    body = {"code": code, "gate": gate, "nonce": nonce or uuid.uuid4().hex}
    return client.post("/checkin/scan", json=body)


def url(token):
    return f"https://ldst.example.vn/c/{token}"


@pytest.fixture
def staff(client, login_as, crowd):  # noqa: F811
    login_as("checkin")
    return client


def scans(app):
    with app.app_context():
        return [
            (c.result, c.gate, c.attendee_id)
            for c in db.session.execute(db.select(CheckIn).order_by(CheckIn.id)).scalars()
        ]


def test_first_scan_welcomes_then_the_next_says_already(app, staff, crowd):
    first = scan(staff, url(crowd["tokens"][0])).get_json()
    assert first["result"] == "checked_in" and first["attendee"]["name"] == "Nguyễn Thị Hằng"
    assert first["attendee"]["role"] == "Đại biểu" and first["attendee"]["affiliation"] == "Tổng Công ty May Đức Giang"
    second = scan(staff, url(crowd["tokens"][0]), gate="Cổng phụ").get_json()
    assert second["result"] == "already"
    assert (
        second["attendee"]["checked_in_gate"] == "Cổng chính"
        and second["attendee"]["checked_in_at"] == first["attendee"]["checked_in_at"]
    )
    assert [r for r, _g, _a in scans(app)] == [ScanResult.CHECKED_IN, ScanResult.ALREADY]


def test_the_bare_token_works_too(staff, crowd):
    assert scan(staff, crowd["tokens"][1]).get_json()["result"] == "checked_in"


def test_unknown_and_revoked_codes_are_refused_and_logged(app, staff, crowd):
    assert scan(staff, "https://evil.example/c/notatoken").get_json()["result"] == "unknown"
    assert scan(staff, "hello world").get_json()["result"] == "unknown"
    with app.app_context():
        attendee = db.session.get(Attendee, crowd["ids"][0])
        services.reissue_badge(attendee, "Mất thẻ", by=None)
        db.session.commit()
    revoked = scan(staff, url(crowd["tokens"][0])).get_json()
    assert revoked["result"] == "revoked" and revoked["message"] == "Thẻ đã bị thu hồi (đã cấp thẻ mới)."
    results = [r for r, _g, _a in scans(app)]
    assert results == [ScanResult.UNKNOWN, ScanResult.UNKNOWN, ScanResult.REVOKED]
    with app.app_context():
        assert db.session.get(Attendee, crowd["ids"][0]).checked_in_at is None


def test_a_retried_scan_with_the_same_nonce_is_counted_once(app, staff, crowd):
    nonce = uuid.uuid4().hex
    first = scan(staff, url(crowd["tokens"][0]), nonce=nonce).get_json()
    again = scan(staff, url(crowd["tokens"][0]), nonce=nonce).get_json()
    assert first == again and first["result"] == "checked_in"
    assert len(scans(app)) == 1


def test_twenty_simultaneous_scans_check_in_exactly_once(app, crowd, people):  # noqa: F811
    barrier = threading.Barrier(20)
    answers = []

    def gate_phone():
        client = app.test_client()
        client.post("/auth/login", data={"email": people["emails"]["checkin"], "password": "correct-horse-42"})
        barrier.wait()
        answers.append(scan(client, url(crowd["tokens"][1])).get_json()["result"])

    threads = [threading.Thread(target=gate_phone) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["already"] * 19 + ["checked_in"]
    assert sorted(r.value for r, _g, _a in scans(app)) == ["already"] * 19 + ["checked_in"]


def test_a_scan_sent_again_from_several_tabs_at_once_is_recorded_once(app, crowd, people):  # noqa: F811
    """The nonce is looked up after the scan took the write lock (on SQLite the scan's first reads run before
    it): sends of one scan that arrive together take turns, and every one after the first finds it."""
    nonce, barrier, answers = uuid.uuid4().hex, threading.Barrier(8), []

    def gate_tab():
        client = app.test_client()
        client.post("/auth/login", data={"email": people["emails"]["checkin"], "password": "correct-horse-42"})
        barrier.wait()
        answers.append(scan(client, url(crowd["tokens"][2]), nonce=nonce).get_json())

    threads = [threading.Thread(target=gate_tab) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 8 and all(answer == answers[0] for answer in answers)
    assert answers[0]["result"] == "checked_in"
    assert [r for r, _g, _a in scans(app)] == [ScanResult.CHECKED_IN]


@pytest.mark.skipif(ON_POSTGRES, reason="how SQLite's write lock is taken; PostgreSQL has no database-wide one")
def test_a_scan_takes_sqlites_write_lock_only_after_its_sign_in_reads(app, staff, crowd):
    with app.app_context():
        engine = db.engine
    with statements_sent(engine) as statements:
        assert scan(staff, url(crowd["tokens"][0])).get_json()["result"] == "checked_in"
    begin = statements.index("BEGIN IMMEDIATE")
    assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for s in statements[:begin])
    assert "FROM festivals" in statements[0] and "FROM users" in statements[1] and begin == 2, statements[:4]
    assert "check_ins" in statements[begin + 1]  # the nonce, looked up under the lock


def test_gate_and_nonce_are_required(staff, crowd):
    assert scan(staff, url(crowd["tokens"][0]), gate="  ").status_code == 400
    assert scan(staff, url(crowd["tokens"][0]), nonce="x").status_code == 400


def test_search_by_name_or_phone_and_check_in_by_hand(app, staff, crowd):
    people = staff.get("/checkin/search", query_string={"q": "nguyen thi hang"}).get_json()["people"]
    assert [p["name"] for p in people] == ["Nguyễn Thị Hằng"] and people[0]["phone_tail"] == "678"
    assert [p["name"] for p in staff.get("/checkin/search", query_string={"q": "0912345678"}).get_json()["people"]] == [
        "Nguyễn Thị Hằng"
    ]
    answer = staff.post(
        f"/checkin/attendees/{people[0]['id']}", json={"gate": "Hội trường A", "nonce": uuid.uuid4().hex}
    ).get_json()
    assert answer["result"] == "checked_in"
    with app.app_context():
        entry = db.session.execute(db.select(CheckIn)).scalar_one()
        assert entry.method == "search" and entry.gate == "Hội trường A"


@pytest.mark.parametrize("who, status", [("unit_a", 403), ("judge", 403), ("organizer", 200)])
def test_only_check_in_staff_and_organizers_check_people_in(app, client, login_as, crowd, who, status):  # noqa: F811
    login_as(who)
    response = scan(client, url(crowd["tokens"][0]))
    assert response.status_code == status
    assert client.get("/checkin/").status_code == status
    with app.app_context():
        assert (db.session.get(Attendee, crowd["ids"][0]).checked_in_at is not None) == (status == 200)


def test_anonymous_scans_are_refused(app, client, crowd):  # noqa: F811
    assert scan(client, url(crowd["tokens"][0])).status_code == 401
    assert scans(app) == []


def test_badge_link_shows_the_person_and_lets_staff_check_them_in(app, client, login_as, crowd):  # noqa: F811
    page = client.get(f"/c/{crowd['tokens'][0]}").get_data(as_text=True)
    assert "Nguyễn Thị Hằng" in page and "Cho vào" not in page  # visitors see the name only
    assert client.get("/c/nonsense").status_code == 404
    login_as("checkin")
    page = client.get(f"/c/{crowd['tokens'][0]}").get_data(as_text=True)
    assert "Cho vào" in page
    page = client.post(
        f"/checkin/attendees/{crowd['ids'][0]}", data={"gate": "Cổng chính", "nonce": uuid.uuid4().hex}
    ).get_data(as_text=True)
    assert "Mời vào" in page


def test_dashboard_counts_by_role_region_unit_and_quarter_hour(app, staff, crowd):
    scan(staff, url(crowd["tokens"][0]))
    scan(staff, url(crowd["tokens"][2]))
    scan(staff, "garbage")
    page = staff.get("/checkin/dashboard").get_data(as_text=True)
    assert "Đã vào / 3 đăng ký" in page and ">2<" in page.replace("</div>", "<").replace('<div class="display-6">', ">")
    assert "1 / 2" in page  # delegates: one of two arrived
    assert "Mã bị từ chối" in page and "data-live-board" in page and 'data-seconds="30"' in page
    with app.app_context():
        board = dashboard(db.session.get(Festival, crowd["festival"]))
        assert board.checked_in == 2 and board.scans == 3 and board.refused == 1
        assert sum(count for _slot, count in board.arrivals) == 2
        assert ("ghanoi", "Hà Nội", 1, 2) in board.by_region


def test_dashboard_names_outside_organisations_and_roles_in_the_readers_language(app, staff, crowd):
    scan(staff, url(crowd["tokens"][2]))
    page = staff.get("/checkin/dashboard").get_data(as_text=True)
    # The guest from a newspaper is counted under the newspaper, not lumped with "Khách, báo chí…".
    assert "Báo Lao Động" in page and "Khách, báo chí" not in page
    with app.app_context():
        board = dashboard(db.session.get(Festival, crowd["festival"]), "en")
        assert ("Báo Lao Động", 1, 1) in [row[1:] for row in board.by_unit]
        roles = {name: (arrived, registered) for _key, name, arrived, registered in board.by_role}
        assert roles["Delegate"] == (0, 2) and roles["Guest"] == (1, 1)
    staff.post("/lang/en")
    page = staff.get("/checkin/dashboard").get_data(as_text=True)
    assert "Delegate" in page and "Đại biểu" not in page


def _parts(answer) -> dict[str, str]:
    return {key: digest for rows in answer.get_json()["groups"].values() for key, digest in rows}


def test_an_open_dashboard_gets_304_until_a_scan_and_then_only_the_parts_it_changed(app, staff, crowd, monkeypatch):
    # The stamp also moves with the minute (util/boards.py): the gates' and the dashboard's clocks are held at one
    # moment, so that only the scans move it here.
    moment = utcnow()
    monkeypatch.setattr(checkin_views, "utcnow", lambda: moment)
    monkeypatch.setattr(permissions, "utcnow", lambda: moment)
    scan(staff, url(crowd["tokens"][2]))  # the guest: the chart of arrivals has a bar already
    page = staff.get("/checkin/dashboard").get_data(as_text=True)
    first = staff.get("/checkin/dashboard/index")
    stamp, before = first.get_json()["stamp"], _parts(first)
    assert f'data-stamp="{stamp}"' in page
    assert all(f'data-row="{key}" data-digest="{digest}"' in page for key, digest in before.items())
    unchanged = staff.get("/checkin/dashboard/index", headers={"If-None-Match": f'"{stamp}"'})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""

    scan(staff, url(crowd["tokens"][0]))  # a delegate of unit A (Hà Nội)
    changed = staff.get("/checkin/dashboard/index", headers={"If-None-Match": f'"{stamp}"'})
    assert changed.status_code == 200
    after = _parts(changed)
    moved = {key for key in after if after[key] != before.get(key)}
    with app.app_context():
        delegate = db.session.get(Attendee, crowd["ids"][0])
        role_key = f"r{delegate.role_id}"
    # the totals, the delegate's role, region and unit, and the chart; not the guest's role or newspaper
    assert {"stats", role_key, "ghanoi", "arrivals"} <= moved and len(moved) == 5
    assert len([key for key in moved if key.startswith("u")]) == 1
    parts = staff.get("/checkin/dashboard/rows", query_string={"keys": ",".join(sorted(moved))}).get_json()["rows"]
    assert set(parts) == moved
    assert ">2<" in parts["stats"].replace("</div>", "<").replace('<div class="display-6">', ">")
    assert parts[role_key].startswith(f'<tr data-row="{role_key}" data-digest="{after[role_key]}"')
    assert "1 / 2" in parts[role_key]
