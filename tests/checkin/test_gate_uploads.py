"""Gate uploads the server cannot believe: scans dated outside the festival's time are held for an
organizer's review and change nothing; what a gate showed is worked out by the server; a long queue is
written in short transactions; the check-in list's 304 survives compression; the dashboard stays small."""

import sqlite3
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from festival.badges import services as badges
from festival.checkin import offline
from festival.checkin.services import dashboard, double_entries
from festival.core.extensions import db
from festival.models import (
    Attendee,
    AuditLog,
    CheckIn,
    Exhibit,
    Festival,
    HeldScan,
    HoldReason,
    Role,
    ScanResult,
    Unit,
    VoteSource,
    utcnow,
)
from festival.voting import services as voting
from festival.voting import tally
from tests import factories
from tests.checkin.test_offline_gates import T0, list_token, queued
from tests.voting.conftest import vote_world  # noqa: F401  (a fixture, shared by re-export)


@pytest.fixture
def staff(client, login_as, crowd):
    login_as("checkin")
    return client


@pytest.fixture
def token(app, crowd):
    return list_token(app, crowd["festival"])


def in_2020(code=None, attendee_id=None, token="", nonce=None):
    scan = queued(code, attendee_id=attendee_id, token=token, nonce=nonce)
    scan["scanned_at"] = datetime(2020, 1, 1, 1, 0, tzinfo=timezone.utc).isoformat()
    return scan


def arrivals(app, festival_id):
    with app.test_request_context():
        return dashboard(db.session.get(Festival, festival_id)).arrivals


def test_a_2020_scan_is_held_for_review_and_changes_nothing(app, staff, client, login_as, crowd, token):
    hang, giang = crowd["ids"][0], crowd["ids"][1]
    staff.post("/checkin/scan", json={"code": crowd["tokens"][0], "gate": "Cổng chính", "nonce": uuid.uuid4().hex})
    with app.app_context():
        arrived = db.session.get(Attendee, hang).checked_in_at
    before = arrivals(app, crowd["festival"])
    scans = [in_2020(crowd["tokens"][0], token=token), in_2020(crowd["tokens"][1], token=token)]
    answer = staff.post("/checkin/sync", json={"scans": scans}).get_json()
    assert answer["recorded"] == [] and [h["reason"] for h in answer["held"]] == ["outside_festival"] * 2
    assert "2 lượt quét có giờ không tin được" in answer["message"]
    assert staff.post("/checkin/sync", json={"scans": scans}).get_json()["held"] == answer["held"]  # sent again
    with app.app_context():
        assert db.session.get(Attendee, hang).checked_in_at == arrived  # not moved to 2020
        assert db.session.get(Attendee, giang).checked_in_at is None  # not checked in
        assert db.session.scalar(db.select(db.func.count()).select_from(CheckIn)) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(HeldScan)) == 2
    assert arrivals(app, crowd["festival"]) == before
    assert "2 lượt quét từ cổng mất mạng có giờ không tin được" in staff.get("/checkin/dashboard").get_data(True)
    assert staff.get("/checkin/held").status_code == 403  # gate staff upload; organizers decide

    client.post("/auth/logout")
    login_as("organizer")
    page = client.get("/checkin/held").get_data(as_text=True)
    assert "Nguyễn Thị Hằng" in page and "PGS.TS. Nguyễn Thị Thanh Hương Giang" in page
    assert page.count("Ngoài các ngày của Ngày hội") == 2 and "01/01/2020" in page
    with app.app_context():
        held = {h.attendee_id: h for h in db.session.execute(db.select(HeldScan)).scalars()}
        received = held[giang].received_at
    # Accepted: Giang arrives at the time the server received the scan, never 2020.
    client.post(f"/checkin/held/{held[giang].id}/accept")
    client.post(f"/checkin/held/{held[hang].id}/dismiss")
    again = client.post(f"/checkin/held/{held[giang].id}/accept", follow_redirects=True).get_data(as_text=True)
    assert "Lượt quét này đã được xử lý." in again
    with app.app_context():
        assert db.session.get(Attendee, giang).checked_in_at == received
        assert db.session.get(Attendee, hang).checked_in_at == arrived
        rows = db.session.execute(db.select(CheckIn).where(CheckIn.attendee_id == giang)).scalars().all()
        assert [(r.result, r.scanned_at, r.offline) for r in rows] == [(ScanResult.CHECKED_IN, received, True)]
        decisions = {h.attendee_id: h.decision for h in db.session.execute(db.select(HeldScan)).scalars()}
        assert decisions == {giang: "accepted", hang: "dismissed"}
        audit = [
            (a.action, a.object_id)
            for a in db.session.execute(db.select(AuditLog).where(AuditLog.action.like("checkin.held%"))).scalars()
        ]
        assert audit == [("checkin.held_accepted", held[giang].id), ("checkin.held_dismissed", held[hang].id)]
    staff.post("/checkin/sync", json={"scans": scans})  # the gate sends its old queue once more
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(CheckIn)) == 2
    page = client.get("/checkin/held").get_data(as_text=True)
    assert "Đã ghi nhận" in page and "Đã bỏ qua" in page and "Ghi nhận</button>" not in page


def test_a_scan_dated_before_its_list_later_than_now_or_without_a_list_is_held(app, staff, crowd):
    issued = list_token(app, crowd["festival"], minutes=30)  # the list was given out at T0+30
    later = queued(crowd["tokens"][2], minutes=0, token=list_token(app, crowd["festival"]))
    later["scanned_at"] = (utcnow() + timedelta(hours=1)).isoformat()
    scans = [
        queued(crowd["tokens"][0], minutes=10, token=issued),  # 20 minutes before its list
        queued(crowd["tokens"][1], minutes=40),  # no list token
        queued(crowd["tokens"][1], minutes=41, token=issued + "x"),  # a token not signed here
        later,
        queued(crowd["tokens"][2], minutes=31, token=issued),  # fine
    ]
    answer = staff.post("/checkin/sync", json={"scans": scans}).get_json()
    assert sorted(h["reason"] for h in answer["held"]) == ["before_list", "future", "no_list", "no_list"]
    assert [r["result"] for r in answer["recorded"]] == ["checked_in"]
    with app.app_context():
        assert [a.checked_in_at is not None for a in db.session.execute(db.select(Attendee)).scalars()] == [
            False,
            False,
            True,
        ]
        held = db.session.execute(db.select(HeldScan).order_by(HeldScan.claimed_at)).scalars().first()
        assert held.reason is HoldReason.BEFORE_LIST and held.claimed_at == T0 + timedelta(minutes=10)


def test_the_list_token_says_when_the_server_gave_the_list_out(app, staff, crowd):
    data = staff.get("/checkin/list.json").get_json()
    with app.app_context():
        issued = offline.list_issued_at(db.session.get(Festival, crowd["festival"]), data["token"])
        other = Festival(id=crowd["festival"] + 1)
        assert offline.list_issued_at(other, data["token"]) is None  # another festival's list
    assert issued == datetime.fromisoformat(data["generated_at"])


def test_what_the_gate_says_it_showed_is_not_believed(app, staff, crowd, token):
    hang, giang = crowd["tokens"][0], crowd["tokens"][1]
    # Hằng arrived (online) before the gate's list was given out: her scan on that gate was amber,
    # whatever the upload says; Giang arrived after, at another gate: the offline gate let him in
    # again, whatever the upload says.
    staff.post("/checkin/scan", json={"code": hang, "gate": "Cổng B", "nonce": uuid.uuid4().hex})
    staff.post("/checkin/scan", json={"code": giang, "gate": "Cổng B", "nonce": uuid.uuid4().hex})
    with app.app_context():
        for attendee_id, minutes in ((crowd["ids"][0], -5), (crowd["ids"][1], 8)):
            at = T0 + timedelta(minutes=minutes)
            db.session.execute(db.update(Attendee).where(Attendee.id == attendee_id).values(checked_in_at=at))
            db.session.execute(
                db.update(CheckIn).where(CheckIn.attendee_id == attendee_id).values(scanned_at=at, received_at=at)
            )
        db.session.commit()
    scans = [
        queued(hang, gate="Cổng A", minutes=10, shown="checked_in", token=token),
        queued(giang, gate="Cổng A", minutes=10, shown="already", token=token),
    ]
    staff.post("/checkin/sync", json={"scans": scans})
    with app.app_context():
        rows = db.session.execute(db.select(CheckIn).where(CheckIn.offline.is_(True))).scalars().all()
        assert {(r.attendee_id, r.result, r.shown) for r in rows} == {
            (crowd["ids"][0], ScanResult.ALREADY, ScanResult.ALREADY),
            (crowd["ids"][1], ScanResult.ALREADY, ScanResult.CHECKED_IN),
        }
        doubles = double_entries(db.session.get(Festival, crowd["festival"]))
        unit_name = db.session.get(Attendee, crowd["ids"][1]).unit.name
        assert [(d.attendee_id, d.full_name, d.affiliation) for d in doubles] == [
            (crowd["ids"][1], "PGS.TS. Nguyễn Thị Thanh Hương Giang", unit_name)
        ]
        assert [gate for gate, _at in doubles[0].entries] == ["Cổng B", "Cổng A"]  # in the order they came


def test_the_held_scans_notice_links_to_their_review_for_organizers_only_whoever_saw_it_first(
    client, login_as, staff, crowd, token
):
    # Each process remembers a part's HTML for what it shows (util/boards.py): the organizer's link must not be
    # served to gate staff from it, nor its absence to an organizer.
    staff.post("/checkin/sync", json={"scans": [in_2020(crowd["tokens"][0], token=token)]})
    notice, review = "1 lượt quét từ cổng mất mạng có giờ không tin được", 'href="/checkin/held"'
    page = client.get("/checkin/dashboard").get_data(as_text=True)
    assert notice in page and review not in page
    client.post("/auth/logout")
    login_as("organizer")
    page = client.get("/checkin/dashboard").get_data(as_text=True)
    assert notice in page and review in page
    assert review in client.get("/checkin/dashboard/rows", query_string={"keys": "held"}).get_json()["rows"]["held"]
    client.post("/auth/logout")
    login_as("checkin")
    board = client.get("/checkin/dashboard/board").get_data(as_text=True)
    assert notice in board and review not in board
    part = client.get("/checkin/dashboard/rows", query_string={"keys": "held"}).get_json()["rows"]["held"]
    assert notice in part and review not in part


def test_a_5000_scan_upload_is_committed_in_parts_and_others_write_between_them(app, staff, crowd, token):
    app.config["CHECKIN_UPLOAD_CHUNK"] = 500
    codes = [*crowd["tokens"], "not-a-badge"]
    scans = [queued(codes[i % 4], minutes=i % 60, token=token) for i in range(5000)]
    commits = []
    url = app.config["SQLALCHEMY_DATABASE_URI"]

    def committed(session):
        if session.in_nested_transaction():
            return  # a savepoint released, not a commit
        commits.append(1)
        if url.startswith("sqlite:///") and len(commits) == 1:
            # Another request's write between two parts goes through at once (no waiting).
            other = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0)
            other.execute("UPDATE festivals SET venue = venue || ' (sửa)'")
            other.commit()
            other.close()

    event.listen(Session, "after_commit", committed)
    try:
        response = staff.post("/checkin/sync", json={"scans": scans})
    finally:
        event.remove(Session, "after_commit", committed)
    assert response.status_code == 200 and len(response.get_json()["recorded"]) == 5000
    assert len(commits) == 10  # 500 scans a transaction (the last one is the request's own commit)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(CheckIn)) == 5000
        if url.startswith("sqlite:///"):
            assert db.session.get(Festival, crowd["festival"]).venue.endswith(" (sửa)")


def test_an_upload_that_fails_half_way_is_sent_again_and_applies_nothing_twice(app, staff, crowd, token, monkeypatch):
    app.config["CHECKIN_UPLOAD_CHUNK"] = 10
    scans = [queued(f"code-{i}", minutes=i, token=token) for i in range(45)]
    record = offline.record_offline_scans
    calls = []

    def failing_third_part(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the worker died")
        return record(*args)

    monkeypatch.setattr(offline, "record_offline_scans", failing_third_part)
    assert staff.post("/checkin/sync", json={"scans": scans}).status_code == 500
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(CheckIn)) == 20  # two parts kept
    monkeypatch.setattr(offline, "record_offline_scans", record)
    answer = staff.post("/checkin/sync", json={"scans": scans}).get_json()
    assert len(answer["recorded"]) == 45
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(CheckIn)) == 45


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_an_unchanged_list_answers_304_through_compression(staff, crowd, encoding):
    first = staff.get("/checkin/list.json", headers={"Accept-Encoding": encoding})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == encoding
    again = staff.get(
        "/checkin/list.json", headers={"Accept-Encoding": encoding, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.get_data() == b""
    staff.post("/checkin/scan", json={"code": crowd["tokens"][0], "gate": "Cổng chính", "nonce": uuid.uuid4().hex})
    changed = staff.get(
        "/checkin/list.json", headers={"Accept-Encoding": encoding, "If-None-Match": first.headers["ETag"]}
    )
    assert changed.status_code == 200  # someone arrived: the new list comes down


def test_the_dashboard_charts_only_the_festivals_days_whatever_is_stored(app, staff, crowd):
    staff.post("/checkin/scan", json={"code": crowd["tokens"][0], "gate": "Cổng chính", "nonce": uuid.uuid4().hex})
    with app.app_context():
        long_ago = datetime(2020, 1, 1, 1, 0, tzinfo=timezone.utc)
        db.session.execute(db.update(Attendee).where(Attendee.id == crowd["ids"][1]).values(checked_in_at=long_ago))
        db.session.commit()
        festival = db.session.get(Festival, crowd["festival"])
        days = (festival.ends_on - festival.starts_on).days + 1
    board_slots = arrivals(app, crowd["festival"])
    margin = app.config["CHECKIN_OFFLINE_MARGIN_HOURS"]
    assert sum(count for _slot, count in board_slots) == 1
    assert len(board_slots) <= (days * 24 + 2 * margin) * 4
    page = staff.get("/checkin/dashboard")
    assert page.status_code == 200 and len(page.get_data()) < 200_000
    assert "Đã vào / 3 đăng ký" in page.get_data(as_text=True)


def test_a_backdated_upload_keeps_a_group_in_the_voted_after_check_in_anomaly(app, vote_world):  # noqa: F811
    app.config.update(VOTE_BURST_SIZE=3, VOTE_BURST_MINUTES=15)
    with app.test_request_context():
        festival = db.session.get(Festival, vote_world["festival"])
        unit = db.session.execute(db.select(Unit).where(Unit.code == "UNITB")).scalar_one()
        exhibit = db.session.get(Exhibit, vote_world["a1"])
        gate = factories.make_user(Role.CHECKIN)
        now = utcnow()
        group = []
        for n in range(3):
            attendee = Attendee(
                festival=festival,
                full_name=f"Công nhân {n}",
                role=badges.role_by_code(festival, "delegate"),
                unit=unit,
                checked_in_at=now - timedelta(minutes=5),
                checked_in_gate="Cổng chính",
            )
            db.session.add(attendee)
            db.session.flush()
            voting.cast_vote(
                festival,
                attendee,
                attendee.badge_token,
                exhibit,
                source=VoteSource.PHONE,
                address=f"10.0.0.{n}",
                now=now,
            )
            group.append(attendee)
        db.session.commit()
        issued = now - timedelta(hours=2)
        scans = [
            offline.QueuedScan(f"group-{a.id}-{when}", at, "Cổng phụ", issued, code=a.badge_token)
            for a in group
            for when, at in (("2020", datetime(2020, 1, 1, tzinfo=timezone.utc)), ("early", now - timedelta(hours=1)))
        ]
        offline.record_offline_scans(festival, gate, scans, now)
        db.session.commit()
        assert all(a.checked_in_at == now - timedelta(minutes=5) for a in group)  # neither upload moved them
        assert db.session.scalar(db.select(db.func.count()).select_from(HeldScan)) == 3
        assert [a.kind for a in tally.anomalies(festival)] == ["burst"]


def test_an_organizer_sets_aside_every_waiting_held_scan_at_once(app, staff, client, login_as, crowd, token):
    scans = [in_2020(code, token=token) for code in crowd["tokens"]]
    assert len(staff.post("/checkin/sync", json={"scans": scans}).get_json()["held"]) == 3
    client.post("/auth/logout")
    login_as("organizer")
    assert "3 lượt quét chờ xem xét." in client.get("/checkin/held").get_data(as_text=True)
    page = client.post("/checkin/held/dismiss-all", follow_redirects=True).get_data(as_text=True)
    assert "Đã bỏ qua 3 lượt quét." in page and "Bỏ qua tất cả lượt đang chờ" not in page
    with app.app_context():
        assert {h.decision for h in db.session.execute(db.select(HeldScan)).scalars()} == {"dismissed"}
        assert db.session.execute(db.select(CheckIn)).first() is None
        audit = db.session.execute(db.select(AuditLog).where(AuditLog.action == "checkin.held_dismissed_all"))
        assert audit.scalar_one().after == {"count": 3}
