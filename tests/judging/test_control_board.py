"""The control room asks for what changed: its stamp answers 304 while nothing did, and after one save
only the rows that save touched differ (the judge's and the exhibit's), which it then fetches alone."""

import time
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask import url_for

from festival.auth import permissions
from festival.core import board_versions
from festival.core.extensions import db
from festival.judging import control
from festival.judging import views as judging_views
from festival.models import (
    BoardVersion,
    Exhibit,
    Score,
    ScoreChange,
    ScoreSheet,
    SheetStatus,
    User,
    UserSession,
    utcnow,
)
from festival.util.urls import id_url_parts
from tests import factories
from tests.conftest import ON_POSTGRES
from tests.judging.conftest import snapshot
from tests.sql import statements_sent


@pytest.fixture(autouse=True)
def still_minute(monkeypatch):
    """The board's stamp also moves with the minute (util/boards.py): the control room's clocks are held at
    one moment, so that only writes move it here."""
    moment = utcnow()
    monkeypatch.setattr(judging_views, "utcnow", lambda: moment)
    monkeypatch.setattr(permissions, "utcnow", lambda: moment)


def organizer_and_judge(app, auth, client):
    judge = app.test_client()
    judge.post("/auth/login", data={"email": "judge@example.vn", "password": factories.PASSWORD})
    auth.login("organizer@example.vn")
    return client, judge


def judges_sheet(judged) -> int:
    """A sheet of judge@example.vn (the judge the second client signs in as)."""
    return min(sheet for (_code, email), sheet in judged["sheets"].items() if email == judged["emails"]["judge"])


def index(client, stamp=None):
    headers = {"If-None-Match": f'"{stamp}"'} if stamp else {}
    return client.get("/judging/control/board/index", headers=headers)


def digests(answer) -> dict[str, str]:
    return {key: digest for rows in answer.get_json()["groups"].values() for key, digest in rows}


def test_an_unchanged_board_answers_304_and_a_save_changes_only_its_rows(app, judged, client, auth):
    organizer, judge = organizer_and_judge(app, auth, client)
    page = organizer.get("/judging/control").get_data(as_text=True)
    first = index(organizer)
    stamp = first.get_json()["stamp"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache, private"
    assert f'data-stamp="{stamp}"' in page
    before = digests(first)
    assert all(f'data-row="{key}" data-digest="{digest}"' in page for key, digest in before.items())

    unchanged = index(organizer, stamp)
    assert unchanged.status_code == 304 and unchanged.get_data() == b""

    sheet_id = judges_sheet(judged)
    assert judge.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1)).status_code == 200
    changed = index(organizer, stamp)
    assert changed.status_code == 200 and changed.get_json()["stamp"] != stamp
    after = digests(changed)
    with app.app_context():
        sheet = db.session.get(ScoreSheet, sheet_id)
        touched = {f"j{sheet.judge_id}", f"e{sheet.exhibit_id}"}
        code, exhibit_key = sheet.exhibit.code, f"e{sheet.exhibit_id}"
    assert {key for key in after if after[key] != before.get(key)} == touched

    rows = organizer.get("/judging/control/board/rows", query_string={"keys": ",".join(sorted(touched))})
    fragments = rows.get_json()["rows"]
    assert set(fragments) == touched
    assert fragments[exhibit_key].startswith(f'<tr data-row="{exhibit_key}" data-digest="{after[exhibit_key]}"')
    assert code in fragments[exhibit_key] and "Đang chấm" in fragments[exhibit_key]
    assert index(organizer, changed.get_json()["stamp"]).status_code == 304


def test_a_stand_report_and_a_reassignment_each_move_the_stamp(app, judged, client, auth):
    organizer, _judge = organizer_and_judge(app, auth, client)
    first = index(organizer)
    stamp, before = first.get_json()["stamp"], digests(first)
    with app.app_context():
        # A sheet of judge@example.vn whose exhibit the judge not on it may take (Trần Văn Bảo is of unit B).
        for sheet_id in sorted(s for (_c, email), s in judged["sheets"].items() if email == "judge@example.vn"):
            sheet = db.session.get(ScoreSheet, sheet_id)
            taken = {
                s.judge_id
                for s in db.session.execute(db.select(ScoreSheet).filter_by(exhibit_id=sheet.exhibit_id)).scalars()
            }
            [free] = [j for j in judged["judges"].values() if j not in taken]
            if db.session.get(User, free).unit_id != sheet.exhibit.unit_id:
                break
        exhibit_id, old_judge = sheet.exhibit_id, sheet.judge_id
        control.report_unattended(sheet, sheet.judge, utcnow())
        db.session.commit()
    reported = index(organizer, stamp)
    assert reported.status_code == 200
    fragment = organizer.get("/judging/control/board/rows", query_string={"keys": f"e{exhibit_id}"}).get_json()
    assert "Gian vắng người" in fragment["rows"][f"e{exhibit_id}"]

    moved = organizer.post(f"/judging/sheets/{sheet_id}/reassign", data={"judge_id": free}, follow_redirects=True)
    assert "Đã giao" in moved.get_data(as_text=True)
    after = index(organizer, reported.get_json()["stamp"])
    assert after.status_code == 200
    changed = {key for key, digest in digests(after).items() if before.get(key) != digest}
    assert {f"e{exhibit_id}", f"j{free}", f"j{old_judge}"} <= changed


def test_the_rows_endpoint_renders_only_rows_that_exist(app, judged, client, auth):
    organizer, _judge = organizer_and_judge(app, auth, client)
    answer = organizer.get("/judging/control/board/rows", query_string={"keys": "e999999,j999999,,x"})
    assert answer.status_code == 200 and answer.get_json() == {"rows": {}}


def test_exhibit_rows_escape_what_people_typed_and_link_each_unstarted_sheet(app, judged, client, auth):
    organizer, _judge = organizer_and_judge(app, auth, client)
    with app.app_context():
        exhibit = db.session.execute(sa.select(Exhibit).where(Exhibit.code == "KT-02")).scalar_one()
        exhibit.title, exhibit.zone, exhibit.booth = 'Bàn <là> & "hơi"', "A&B", "<2>"
        judge = db.session.execute(sa.select(User).where(User.email == "judge-c@example.vn")).scalar_one()
        judge.full_name = "Lê <Cúc>"
        db.session.commit()
        unstarted = db.session.execute(
            sa.select(ScoreSheet.id).where(ScoreSheet.status == SheetStatus.NOT_STARTED).order_by(ScoreSheet.id)
        ).scalars()
        with app.test_request_context():
            links = [url_for("judging.reassign", sheet_id=sheet_id) for sheet_id in unstarted]
            before, after = id_url_parts("judging.reassign", "sheet_id")
            assert f"{before}7{after}" == url_for("judging.reassign", sheet_id=7)
    page = organizer.get("/judging/control/board").get_data(as_text=True)
    assert "Bàn &lt;là&gt; &amp; &#34;hơi&#34;" in page and "<là>" not in page
    assert "A&amp;B · &lt;2&gt;" in page and "Lê &lt;Cúc&gt;: Chưa chấm" in page and "<Cúc>" not in page
    assert links and all(f'href="{link}">Giao lại</a>' in page for link in links)


def test_a_stand_report_shows_on_the_board_of_its_sheets_round_only(app, judged):
    with app.app_context():
        sheet = db.session.get(ScoreSheet, judges_sheet(judged))
        control.report_unattended(sheet, sheet.judge, utcnow())
        db.session.commit()
        festival = sheet.exhibit.festival
        _judges, exhibits = control.control_room(festival, 1)
        assert [(p.exhibit.id, r.judge.id) for p in exhibits for r in p.reports] == [(sheet.exhibit_id, sheet.judge_id)]
        sheet.round_number = 2  # the same exhibit's sheet in a later round: not round 1's report
        db.session.commit()
        _judges, exhibits = control.control_room(festival, 1)
        assert not any(p.reports for p in exhibits)


def poll_statements(app, client, url, stamp) -> tuple[int, list[str]]:
    with app.app_context():
        engine = db.engine
    with statements_sent(engine) as statements:
        answer = client.get(url, headers={"If-None-Match": f'"{stamp}"'})
    return answer.status_code, statements


def test_an_unchanged_poll_is_one_statement_and_the_page_polls_with_its_round(app, judged, client, auth):
    organizer, _judge = organizer_and_judge(app, auth, client)
    page = organizer.get("/judging/control").get_data(as_text=True)
    assert 'data-index-url="/judging/control/board/index?round=1"' in page
    stamp = index(organizer).get_json()["stamp"]
    status, statements = poll_statements(app, organizer, "/judging/control/board/index?round=1", stamp)
    assert status == 304
    assert [s for s in statements if s.strip().upper() != "BEGIN"] == [statements[-1]], statements
    # Without its round the poll goes through the whole request (the round under way), and is still current.
    status, statements = poll_statements(app, organizer, "/judging/control/board/index", stamp)
    assert status == 304 and len(statements) > 2


def test_a_poll_with_the_current_stamp_is_refused_to_ended_sessions_locked_accounts_and_judges(
    app, judged, client, auth
):
    organizer, judge = organizer_and_judge(app, auth, client)
    url = "/judging/control/board/index?round=1"
    stamp = index(organizer).get_json()["stamp"]
    assert judge.get(url, headers={"If-None-Match": f'"{stamp}"'}).status_code == 403
    assert app.test_client().get(url, headers={"If-None-Match": f'"{stamp}"'}).status_code in (302, 401)

    with app.app_context():
        user = db.session.execute(sa.select(User).filter_by(email="organizer@example.vn")).scalar_one()
        user.is_active = False
        db.session.commit()
    assert organizer.get(url, headers={"If-None-Match": f'"{stamp}"'}).status_code in (302, 401)

    with app.app_context():
        user = db.session.execute(sa.select(User).filter_by(email="organizer@example.vn")).scalar_one()
        user.is_active = True
        db.session.commit()
        user_id = user.id
    stamp = index(organizer).get_json()["stamp"]
    assert organizer.get(url, headers={"If-None-Match": f'"{stamp}"'}).status_code == 304
    with app.app_context():
        db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user_id))
        db.session.commit()
    assert organizer.get(url, headers={"If-None-Match": f'"{stamp}"'}).status_code in (302, 401)


def test_bulk_statements_move_the_version_and_a_rolled_back_write_does_not(app, judged, client, auth):
    organizer, _judge = organizer_and_judge(app, auth, client)
    stamp = index(organizer).get_json()["stamp"]
    with app.app_context():
        db.session.execute(sa.update(ScoreSheet).values(comment="x"))
        db.session.rollback()
    assert index(organizer, stamp).status_code == 304
    with app.app_context():
        db.session.execute(sa.update(ScoreSheet).values(comment="x"))
        db.session.commit()
    assert index(organizer, stamp).status_code == 200


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL moves the version after the COMMIT; SQLite within it")
def test_a_save_is_answered_saved_even_when_the_boards_version_cannot_move(app, judged, client, auth):
    """On PostgreSQL the version moves after the save's COMMIT: a lock held on the board's row delays the answer
    at most board_versions.MOST_WAITED_MS, the score is stored and answered "saved", and the next save moves it."""
    _organizer, judge = organizer_and_judge(app, auth, client)
    sheet_id = judges_sheet(judged)
    assert judge.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1)).get_json()["status"] == "saved"
    version = sa.select(BoardVersion.version).where(BoardVersion.board == control.BOARD)
    with app.app_context():
        before = db.session.execute(version).scalar_one()
        with db.engine.connect() as holder:
            holder.execute(version.with_for_update())
            started = time.monotonic()
            answer = judge.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 2, novelty=30, base=1))
            waited = time.monotonic() - started
            holder.rollback()
        assert answer.get_json()["status"] == "saved"
        assert waited < board_versions.MOST_WAITED_MS / 1000 + 3
        db.session.rollback()
        assert db.session.execute(version).scalar_one() == before
        stored = db.session.execute(sa.select(Score.points).where(Score.sheet_id == sheet_id)).scalars().all()
        assert 30 in stored
    answer = judge.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 3, novelty=20, base=2))
    assert answer.get_json()["status"] == "saved"
    with app.app_context():
        assert db.session.execute(version).scalar_one() == before + 1


def test_each_judges_last_activity_is_their_sheet_changed_last_and_where_it_stands(app, judged):
    emails = judged["emails"]
    mine = sorted((code, sheet) for (code, email), sheet in judged["sheets"].items() if email == emails["judge"])
    assert len(mine) >= 2
    (first_code, first), (second_code, second) = mine[:2]
    at = datetime(2026, 12, 8, 2, 0, tzinfo=timezone.utc)
    with app.app_context():
        for sheet_id, minutes in ((first, 5), (second, 20), (first, 10)):  # the second sheet changed last
            db.session.add(
                ScoreChange(
                    sheet_id=sheet_id,
                    field="comment",
                    new_value=f"lúc {minutes}",
                    user_id=judged["judges"]["judge"],
                    created_at=at + timedelta(minutes=minutes),
                )
            )
        db.session.commit()
        festival = db.session.get(Exhibit, judged["exhibits"][first_code]).festival
        judges, _exhibits = control.control_room(festival, 1)
    rows = {p.judge.id: p for p in judges}
    mine_row = rows[judged["judges"]["judge"]]
    assert mine_row.last_activity == at + timedelta(minutes=20)  # aware, in UTC
    booths = {"KT-01": "1", "KT-02": "2", "KT-03": "3"}  # as the fixture places them
    assert (mine_row.at.code, mine_row.at.booth) == (second_code, booths[second_code])
    others = [p for judge_id, p in rows.items() if judge_id != judged["judges"]["judge"]]
    assert others and all(p.last_activity is None and p.at is None for p in others)  # nothing changed yet
