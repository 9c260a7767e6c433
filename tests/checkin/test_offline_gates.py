"""Gates without the server: the check-in list a gate keeps, and the scans it uploads later."""

import hashlib
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from festival.badges import services as badges
from festival.checkin import offline
from festival.core.extensions import db
from festival.models import Attendee, CheckIn, Festival, ScanResult, utcnow

# An hour ago, on the minute: inside the festival's days (the test festival starts today).
T0 = utcnow().replace(second=0, microsecond=0) - timedelta(hours=1)
VENUE = ZoneInfo("Asia/Ho_Chi_Minh")


def list_token(app, festival_id, minutes=-1):
    """The token of a check-in list given out at T0 + minutes."""
    with app.test_request_context():
        return offline.list_token(db.session.get(Festival, festival_id), T0 + timedelta(minutes=minutes))


@pytest.fixture
def staff(client, login_as, crowd):
    login_as("checkin")
    return client


@pytest.fixture
def token(app, crowd):
    """The gate's check-in list was given out a minute before T0."""
    return list_token(app, crowd["festival"])


def queued(code=None, attendee_id=None, gate="Cổng phụ", minutes=0, shown="checked_in", nonce=None, token=""):
    scan = {
        "gate": gate,
        "nonce": nonce or uuid.uuid4().hex,
        "scanned_at": (T0 + timedelta(minutes=minutes)).isoformat(),
        "shown": shown,
        "list": token,
    }
    if code is not None:
        scan["code"] = f"https://ldst.example.vn/c/{code}"
    if attendee_id is not None:
        scan["attendee_id"] = attendee_id
    return scan


def test_the_list_holds_hashes_of_badge_codes_never_the_codes(app, staff, crowd):
    with app.app_context():
        attendee = db.session.get(Attendee, crowd["ids"][0])
        old_token = attendee.badge_token
        badges.reissue_badge(attendee, "Mất thẻ", by=None)
        db.session.commit()
        new_token = attendee.badge_token
    response = staff.get("/checkin/list.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-cache"
    body = response.get_data(as_text=True)
    for token in (old_token, new_token, *crowd["tokens"][1:]):
        assert token not in body
    data = response.get_json()
    people = {p["name"]: p for p in data["people"]}
    assert people["Nguyễn Thị Hằng"]["h"] == hashlib.sha256(new_token.encode()).hexdigest()
    assert people["Nguyễn Thị Hằng"]["search"] == "nguyen thi hang"
    assert (
        people["Nguyễn Thị Hằng"]["phone_tail"] == "678"
        and "0912345678" not in body
        and "0912 345 678" not in body
        and "hang@example" not in body
    )
    assert data["revoked"] == [
        {"h": hashlib.sha256(old_token.encode()).hexdigest(), "name": "Nguyễn Thị Hằng", "reason": "Mất thẻ"}
    ]
    again = staff.get("/checkin/list.json", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304  # a gate refreshing an unchanged list downloads nothing


def test_the_list_is_for_gate_staff_only(client, login_as, crowd):
    login_as("unit_a")
    assert client.get("/checkin/list.json").status_code == 403


def test_queued_scans_are_recorded_in_scan_order_and_a_resent_queue_counts_once(app, staff, crowd, token):
    first, second = crowd["tokens"][0], crowd["tokens"][1]
    scans = [
        queued(second, minutes=7, gate="Cổng phụ", token=token),
        queued(first, minutes=2, gate="Cổng phụ", token=token),
        queued(first, minutes=5, gate="Cổng phụ", shown="already", token=token),
    ]
    response = staff.post("/checkin/sync", json={"scans": scans})
    assert response.status_code == 200
    assert [r["result"] for r in response.get_json()["recorded"]] == ["checked_in", "already", "checked_in"]
    assert response.get_json()["held"] == []
    assert staff.post("/checkin/sync", json={"scans": scans}).status_code == 200  # the answer was lost: sent again
    with app.app_context():
        rows = db.session.execute(db.select(CheckIn).order_by(CheckIn.scanned_at)).scalars().all()
        assert [(r.attendee_id, r.result, r.offline, r.shown) for r in rows] == [
            (crowd["ids"][0], ScanResult.CHECKED_IN, True, ScanResult.CHECKED_IN),
            (crowd["ids"][0], ScanResult.ALREADY, True, ScanResult.ALREADY),
            (crowd["ids"][1], ScanResult.CHECKED_IN, True, ScanResult.CHECKED_IN),
        ]
        assert db.session.get(Attendee, crowd["ids"][0]).checked_in_at == T0 + timedelta(minutes=2)


def test_an_earlier_offline_scan_never_moves_an_arrival_and_both_entries_are_reported(app, staff, crowd, token):
    hang = crowd["tokens"][0]
    # Gate B was online and let Hằng in at T0+9; gate A, offline with a list from before that, had
    # let her in at T0+3 and uploads it now.
    staff.post("/checkin/scan", json={"code": hang, "gate": "Cổng B", "nonce": uuid.uuid4().hex})
    at = T0 + timedelta(minutes=9)
    with app.app_context():
        db.session.execute(db.update(Attendee).values(checked_in_at=at))
        db.session.execute(db.update(CheckIn).values(scanned_at=at, received_at=at))
        db.session.commit()
    answer = staff.post("/checkin/sync", json={"scans": [queued(hang, gate="Cổng A", minutes=3, token=token)]})
    assert answer.get_json()["recorded"][0]["result"] == "already"
    with app.app_context():
        attendee = db.session.get(Attendee, crowd["ids"][0])
        assert attendee.checked_in_at == at and attendee.checked_in_gate == "Cổng B"  # the arrival stays
    page = staff.get("/checkin/dashboard").get_data(as_text=True)
    assert "Vào hai lần khi cổng mất mạng" in page and "Nguyễn Thị Hằng" in page
    local = (T0 + timedelta(minutes=3)).astimezone(VENUE).strftime("%H:%M")
    assert f"ở Cổng A lúc {local}" in page and f"ở Cổng B lúc {at.astimezone(VENUE):%H:%M}" in page


def test_a_revoked_or_unknown_code_decided_offline_is_recorded_as_refused(app, staff, crowd, token):
    with app.app_context():
        attendee = db.session.get(Attendee, crowd["ids"][2])
        old = attendee.badge_token
        badges.reissue_badge(attendee, "In sai tên", by=None)
        db.session.commit()
    scans = [queued(old, token=token), queued("not-a-badge-code", minutes=1, token=token)]
    results = staff.post("/checkin/sync", json={"scans": scans}).get_json()["recorded"]
    assert [r["result"] for r in results] == ["revoked", "unknown"]
    with app.app_context():
        assert db.session.get(Attendee, crowd["ids"][2]).checked_in_at is None


def test_a_search_check_in_made_offline_uploads_by_attendee(app, staff, crowd, token):
    response = staff.post(
        "/checkin/sync", json={"scans": [queued(attendee_id=crowd["ids"][2], minutes=4, token=token)]}
    )
    assert response.get_json()["recorded"][0]["result"] == "checked_in"
    with app.app_context():
        row = db.session.execute(db.select(CheckIn)).scalar_one()
        assert row.method == "search" and row.offline


@pytest.mark.parametrize(
    "scan",
    [
        {"gate": "", "nonce": "nonce-12345678", "scanned_at": T0.isoformat(), "shown": "checked_in"},
        {"gate": "A", "nonce": "bad nonce!", "scanned_at": T0.isoformat(), "shown": "checked_in"},
        {"gate": "A", "nonce": "nonce-12345678", "scanned_at": "hôm qua", "shown": "checked_in"},
        {"gate": "A", "nonce": "nonce-12345678", "scanned_at": T0.isoformat(), "shown": "x", "attendee_id": "9" * 12},
    ],
)
def test_a_malformed_upload_is_refused_whole_and_records_nothing(app, staff, crowd, scan, token):
    good = queued(crowd["tokens"][0], token=token)
    response = staff.post("/checkin/sync", json={"scans": [good, scan]})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.execute(db.select(CheckIn)).first() is None
