"""A judge's devices: a submit seals only what its page showed, a change carries the session it was
made in, a revoked session is told so, and each device reports what waits on it."""

from decimal import Decimal

import pytest

from festival.core.extensions import db
from festival.models import ScoreChange, ScoreSheet, SheetStatus, User, UserSession
from tests import factories
from tests.judging.conftest import sheet_of, snapshot

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile Safari/604.1"
TABLET = "Mozilla/5.0 (Linux; Android 14; SM-X200) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def signed_in(app, email, user_agent):
    client = app.test_client()
    answer = client.post(
        "/auth/login", data={"email": email, "password": factories.PASSWORD}, headers={"User-Agent": user_agent}
    )
    assert answer.status_code == 302
    return client


def stored(app, sheet_id):
    with app.app_context():
        sheet = db.session.get(ScoreSheet, sheet_id)
        points = {s.criterion.position: s.points for s in sheet.scores if s.points is not None}
        answers = {s.criterion.position: s.answer for s in sheet.scores if s.answer is not None}
        return sheet.status, points, answers, sheet.revision


def session_id(app, email):
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == email)).scalar_one()
        return db.session.execute(
            db.select(UserSession.public_id).where(UserSession.user_id == user.id).order_by(UserSession.id.desc())
        ).scalar()


@pytest.fixture
def sheet_id(judged):
    return sheet_of(judged, "KT-02")


def test_a_submit_after_another_devices_change_locks_nothing_and_says_what_changed(app, judged, sheet_id):
    email = judged["emails"]["judge"]
    tablet, phone = signed_in(app, email, TABLET), signed_in(app, email, PHONE)
    first = tablet.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1, client="tablet", effect=9))
    assert first.get_json()["state"]["revision"] == 1
    # The phone saves 14 and ticks "no" while the tablet still shows 9 and "yes".
    phone.post(
        f"/judging/sheets/{sheet_id}/save",
        json=snapshot(judged, 1, client="phone", effect=14, recommend=False, base=1),
    )
    answer = tablet.post(
        f"/judging/sheets/{sheet_id}/submit", json=snapshot(judged, 2, client="tablet", effect=9, base=1)
    )

    body = answer.get_json()
    assert answer.status_code == 200 and body["status"] == "changed"
    status, points, answers, revision = stored(app, sheet_id)
    assert status is SheetStatus.DRAFT  # nothing sealed
    assert points[2] == Decimal(14) and answers[4] is False  # the phone's values stay
    changes = {(c["field"], c["criterion"]): c for c in body["changes"]}
    effect, recommend = judged["criteria"][2], judged["criteria"][4]
    assert set(changes) == {("points", effect), ("answer", recommend)}
    assert changes[("points", effect)]["before"] == "9" and changes[("points", effect)]["now"] == "14"
    assert changes[("answer", recommend)]["before"] == "yes" and changes[("answer", recommend)]["now"] == "no"
    assert changes[("points", effect)]["device"] == "iPhone · Safari"
    assert changes[("points", effect)]["same_session"] is False
    assert body["state"]["revision"] == revision

    # The page now shows the phone's values; submitted again from that revision, the sheet locks.
    again = tablet.post(
        f"/judging/sheets/{sheet_id}/submit",
        json=snapshot(judged, 3, client="tablet", effect=14, recommend=False, base=revision),
    )
    assert again.get_json()["status"] == "submitted"
    status, points, answers, _revision = stored(app, sheet_id)
    assert status is SheetStatus.SUBMITTED and points[2] == Decimal(14) and answers[4] is False


def test_a_submit_whose_page_already_shows_the_other_change_locks(app, judged, sheet_id):
    email = judged["emails"]["judge"]
    tablet, phone = signed_in(app, email, TABLET), signed_in(app, email, PHONE)
    tablet.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1, client="tablet", effect=9))
    phone.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1, client="phone", effect=14, base=1))
    # The tablet's page got the phone's value (another tab told it) but not the new revision.
    answer = tablet.post(
        f"/judging/sheets/{sheet_id}/submit", json=snapshot(judged, 2, client="tablet", effect=14, base=1)
    )
    assert answer.get_json()["status"] == "submitted"
    assert stored(app, sheet_id)[0] is SheetStatus.SUBMITTED


def test_the_plain_form_submit_after_another_change_is_not_locked(app, judged, sheet_id):
    email = judged["emails"]["judge"]
    tablet, phone = signed_in(app, email, TABLET), signed_in(app, email, PHONE)
    tablet.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1, client="tablet", effect=9))
    phone.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1, client="phone", effect=14, base=1))
    c = judged["criteria"]
    form = {
        "client_id": "form-1",
        "base": "1",
        "action": "submit",
        f"points-{c[0]}": "20",
        f"points-{c[1]}": "18.5",
        f"points-{c[2]}": "9",
        f"points-{c[3]}": "10",
        f"answer-{c[4]}": "yes",
        "comment": "Tốt",
    }
    page = tablet.post(f"/judging/sheets/{sheet_id}", data=form, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "Phiếu chưa nộp" in text and "9 → 14" in text and "iPhone · Safari" in text
    assert stored(app, sheet_id)[0] is SheetStatus.DRAFT


def test_a_change_from_another_session_is_refused_and_stores_nothing(app, judged, sheet_id):
    email = judged["emails"]["judge"]
    tablet = signed_in(app, email, TABLET)
    current = session_id(app, email)
    ended = {**snapshot(judged, 1, client="old-page"), "session": "0123456789abcdef"}
    answer = tablet.post(f"/judging/sheets/{sheet_id}/save", json=ended)
    assert answer.status_code == 409 and answer.get_json()["code"] == "session_changed"
    assert stored(app, sheet_id)[1] == {}
    kept = tablet.post(f"/judging/sheets/{sheet_id}/save", json={**ended, "session": current})
    assert kept.get_json()["status"] == "saved" and stored(app, sheet_id)[1][0] == Decimal(20)
    with app.app_context():
        row = db.session.execute(db.select(ScoreChange).where(ScoreChange.sheet_id == sheet_id)).scalars().first()
        assert row.client_id == "old-page"


def test_a_revoked_session_is_told_to_wipe_and_a_timed_out_one_is_not(app, judged, sheet_id):
    email = judged["emails"]["judge"]
    lost_tablet, phone = signed_in(app, email, TABLET), signed_in(app, email, PHONE)
    with app.app_context():
        # The phone's session times out (its row goes, as the retention purge does): nothing to wipe.
        db.session.execute(db.delete(UserSession).where(UserSession.public_id == session_id(app, email)))
        db.session.commit()
    timed_out = phone.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1))
    assert timed_out.status_code == 401 and timed_out.get_json()["code"] == "signed_out"
    assert "X-Festival-Session" not in timed_out.headers

    owner = signed_in(app, email, PHONE)
    assert owner.post("/auth/sessions/end-all").status_code == 302  # "Đăng xuất khỏi mọi thiết bị"
    answer = lost_tablet.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1))
    assert answer.status_code == 401 and answer.get_json()["code"] == "session_ended"
    assert answer.headers["X-Festival-Session"] == "ended"
    page = lost_tablet.get("/judging/", follow_redirects=True)  # the sign-in page it is sent to
    assert 'data-session-ended="true"' in page.get_data(as_text=True)
    assert stored(app, sheet_id)[1] == {}


def test_the_control_room_shows_each_judges_device_report(app, judged, client, auth):
    email = judged["emails"]["judge"]
    tablet = signed_in(app, email, TABLET)
    assert tablet.post("/judging/device-report", json={"pending": 3}).status_code == 200
    assert tablet.post("/judging/device-report", json={"pending": "many"}).status_code == 400
    with app.app_context():
        row = db.session.execute(
            db.select(UserSession).where(UserSession.public_id == session_id(app, email))
        ).scalar_one()
        assert row.pending_changes == 3 and row.last_report_at is not None
    auth.login("organizer@example.vn")
    board = client.get("/judging/control/board").get_data(as_text=True)
    assert "3 thay đổi chờ gửi" in board
    tablet.post("/judging/device-report", json={"pending": 0})
    board = client.get("/judging/control/board").get_data(as_text=True)
    assert "3 thay đổi chờ gửi" not in board and "không còn gì chờ gửi" in board


def test_only_judges_report_devices(app, judged, client, auth):
    auth.login("organizer@example.vn")
    assert client.post("/judging/device-report", json={"pending": 1}).status_code == 403
