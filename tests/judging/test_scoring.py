"""Tablet scoring: autosave by snapshot with device id and sequence, locks, reopen, access, PDFs."""

import os
import re
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from festival.core import extensions
from festival.core.extensions import db
from festival.models import AuditLog, Festival, JudgingPolicy, Score, ScoreChange, ScoreSheet, SheetStatus, utcnow
from festival.util import sqlite_writers
from tests.conftest import ON_POSTGRES, AuthActions
from tests.judging.conftest import sheet_of, snapshot
from tests.pdf_tools import page_texts


def sheet_row(app, sheet_id):
    with app.app_context():
        sheet = db.session.get(ScoreSheet, sheet_id)
        points = {s.criterion.position: s.points for s in sheet.scores if s.points is not None}
        answers = {s.criterion.position: s.answer for s in sheet.scores if s.answer is not None}
        return {
            "status": sheet.status,
            "points": points,
            "answers": answers,
            "comment": sheet.comment,
            "revision": sheet.revision,
        }


@pytest.fixture
def judge_client(client, auth, judged):
    auth.login(judged["emails"]["judge"])
    return client


def my_sheet(judged, app):
    with app.app_context():
        return (
            db.session.execute(
                db.select(ScoreSheet.id).where(ScoreSheet.judge_id == judged["judges"]["judge"]).order_by(ScoreSheet.id)
            )
            .scalars()
            .first()
        )


def test_judge_home_lists_assigned_exhibits_with_state(app, judge_client, judged):
    with app.app_context():
        sheets = (
            db.session.execute(db.select(ScoreSheet).where(ScoreSheet.judge_id == judged["judges"]["judge"]))
            .scalars()
            .all()
        )
        mine = {s.exhibit.title for s in sheets}
    page = judge_client.get("/judging/").get_data(as_text=True)
    assert f"Đã nộp 0 / {len(sheets)} phiếu" in page and "Chưa chấm" in page
    for title in {"Cữ gá may túi", "Bàn là hơi", "Máy cắt chỉ"}:
        assert (title in page) == (title in mine), title


def test_save_stores_raw_points_and_the_total_is_computed(app, judge_client, judged):
    sheet_id = my_sheet(judged, app)
    response = judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1))
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "saved" and body["state"]["total"] == "73.5"
    row = sheet_row(app, sheet_id)
    assert row["points"] == {0: Decimal(20), 1: Decimal("18.5"), 2: Decimal(25), 3: Decimal(10)}
    assert row["answers"] == {4: True} and row["comment"] == "Tốt" and row["status"] is SheetStatus.DRAFT


def test_a_retried_save_is_recognised_and_writes_nothing_twice(app, judge_client, judged):
    sheet_id = my_sheet(judged, app)
    judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1))
    with app.app_context():
        changes = db.session.scalar(db.select(db.func.count()).select_from(ScoreChange))
    again = judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1))
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ScoreChange)) == changes
        assert db.session.scalar(db.select(db.func.count()).select_from(Score).where(Score.sheet_id == sheet_id)) == 5


def test_a_late_older_save_never_overwrites_a_newer_one(app, judge_client, judged):
    sheet_id = my_sheet(judged, app)
    judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1, novelty=10))
    judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 3, novelty=30))
    late = judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 2, novelty=20))
    assert late.status_code == 409
    assert sheet_row(app, sheet_id)["points"][0] == Decimal(30)
    assert sheet_row(app, sheet_id)["revision"] == 2


def test_saves_arriving_out_of_order_end_with_the_newest(app, judge_client, judged):
    sheet_id = my_sheet(judged, app)
    for seq, value in [(2, 10), (5, 30), (3, 20), (4, 0), (5, 30)]:
        judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, seq, novelty=value))
    assert sheet_row(app, sheet_id)["points"][0] == Decimal(30)


def test_another_device_may_continue_the_sheet(app, judge_client, judged):
    sheet_id = my_sheet(judged, app)
    judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 9, novelty=10))
    response = judge_client.post(
        f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1, client="phone-2", novelty=20, base=1)
    )
    assert response.status_code == 200
    assert sheet_row(app, sheet_id)["points"][0] == Decimal(20)


def test_every_change_writes_a_history_row(app, judge_client, judged):
    sheet_id = my_sheet(judged, app)
    judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1, novelty=10))
    judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 2, novelty=20))
    with app.app_context():
        novelty = judged["criteria"][0]
        rows = db.session.execute(
            db.select(ScoreChange.old_value, ScoreChange.new_value, ScoreChange.client_id, ScoreChange.seq)
            .where(ScoreChange.sheet_id == sheet_id, ScoreChange.criterion_id == novelty)
            .order_by(ScoreChange.id)
        ).all()
    assert [tuple(r) for r in rows] == [(None, "10", "tablet-1", 1), ("10", "20", "tablet-1", 2)]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"novelty": 15}, "một trong các mức"),
        ({"effect": 31}, "phải từ 0 đến 30"),
        ({"applicability": Decimal("-1")}, "phải từ 0 đến 25"),
    ],
)
def test_values_outside_the_rubric_are_refused(app, judge_client, judged, change, message):
    sheet_id = my_sheet(judged, app)
    response = judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1, **change))
    assert response.status_code == 400
    assert message in response.get_json()["message"]
    assert sheet_row(app, sheet_id)["points"] == {}


def test_malformed_saves_are_refused(app, judge_client, judged):
    sheet_id = my_sheet(judged, app)
    for body in [
        {"seq": 1},
        {"client_id": "x", "seq": "abc"},
        {"client_id": "x", "seq": 1, "points": {"1": "mười"}},
        {"client_id": "x", "seq": 1, "answers": {"1": "maybe"}},
        [1, 2],
    ]:
        assert judge_client.post(f"/judging/sheets/{sheet_id}/save", json=body).status_code == 400


def test_submit_locks_and_a_double_submit_leaves_one_sheet(app, judge_client, judged):
    sheet_id = my_sheet(judged, app)
    first = judge_client.post(f"/judging/sheets/{sheet_id}/submit", json=snapshot(judged, 1))
    again = judge_client.post(f"/judging/sheets/{sheet_id}/submit", json=snapshot(judged, 1))
    assert first.status_code == 200 and again.status_code == 200
    assert sheet_row(app, sheet_id)["status"] is SheetStatus.SUBMITTED
    with app.app_context():
        assert (
            db.session.scalar(db.select(db.func.count()).select_from(ScoreSheet).where(ScoreSheet.id == sheet_id)) == 1
        )
    locked = judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 2, novelty=0))
    assert locked.status_code == 403 and "Phiếu đã nộp" in locked.get_json()["message"]
    assert sheet_row(app, sheet_id)["points"][0] == Decimal(20)


def test_submit_needs_every_criterion(app, judge_client, judged):
    sheet_id = my_sheet(judged, app)
    response = judge_client.post(f"/judging/sheets/{sheet_id}/submit", json=snapshot(judged, 1, applicability=None))
    assert response.status_code == 400 and "Khả năng áp dụng" in response.get_json()["message"]
    # all or nothing: the refused submission saved nothing either (the tablet still holds it)
    assert sheet_row(app, sheet_id)["status"] is SheetStatus.NOT_STARTED


def test_organizer_reopens_with_a_reason_and_it_is_audited(app, client, auth, judged):
    sheet_id = (
        sheet_of(judged, "KT-02", "judge")
        if ("KT-02", judged["emails"]["judge"]) in judged["sheets"]
        else next(iter(judged["sheets"].values()))
    )
    with app.app_context():
        sheet = db.session.get(ScoreSheet, sheet_id)
        email = sheet.judge.email
    auth.login(email)
    client.post(f"/judging/sheets/{sheet_id}/submit", json=snapshot(judged, 1))
    auth.logout()
    auth.login("organizer@example.vn")
    page = client.post(f"/judging/sheets/{sheet_id}/reopen", data={"reason": ""}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Hãy ghi lý do mở lại phiếu." in page
    assert sheet_row(app, sheet_id)["status"] is SheetStatus.SUBMITTED
    client.post(f"/judging/sheets/{sheet_id}/reopen", data={"reason": "Giám khảo nhập nhầm điểm tiêu chí 2"})
    assert sheet_row(app, sheet_id)["status"] is SheetStatus.DRAFT
    with app.app_context():
        entry = db.session.execute(db.select(AuditLog).where(AuditLog.action == "sheet.reopened")).scalar_one()
        assert entry.after["reason"] == "Giám khảo nhập nhầm điểm tiêu chí 2"
    auth.logout()
    auth.login(email)
    assert client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 2, novelty=30)).status_code == 200


def test_a_judge_cannot_read_or_write_another_judges_sheet(app, client, auth, judged):
    with app.app_context():
        other = (
            db.session.execute(db.select(ScoreSheet.id).where(ScoreSheet.judge_id != judged["judges"]["judge"]))
            .scalars()
            .first()
        )
    auth.login(judged["emails"]["judge"])
    assert client.get(f"/judging/sheets/{other}").status_code == 404
    assert client.get(f"/judging/sheets/{other}/state").status_code == 404
    assert client.get(f"/judging/sheets/{other}.pdf").status_code == 404
    assert client.post(f"/judging/sheets/{other}/save", json=snapshot(judged, 1)).status_code == 404
    assert client.post(f"/judging/sheets/{other}/submit", json=snapshot(judged, 1)).status_code == 404
    assert client.post(f"/judging/sheets/{other}", data={"comment": "x"}).status_code == 404
    assert sheet_row(app, other)["points"] == {} and sheet_row(app, other)["status"] is SheetStatus.NOT_STARTED


def test_a_judge_never_sees_other_judges_scores(app, client, auth, judged):
    with app.app_context():
        pairs = db.session.execute(db.select(ScoreSheet.exhibit_id, ScoreSheet.judge_id, ScoreSheet.id)).all()
    shared = next(
        (e for e, j, _ in pairs if j == judged["judges"]["judge"] and any(e2 == e and j2 != j for e2, j2, _ in pairs)),
        None,
    )
    other_sheet = next(s for e, j, s in pairs if e == shared and j != judged["judges"]["judge"])
    with app.app_context():
        sheet = db.session.get(ScoreSheet, other_sheet)
        other_email = sheet.judge.email
    auth.login(other_email)
    client.post(
        f"/judging/sheets/{other_sheet}/save", json=snapshot(judged, 1, comment="Nhận xét riêng của giám khảo khác")
    )
    auth.logout()
    auth.login(judged["emails"]["judge"])
    mine = next(s for e, j, s in pairs if e == shared and j == judged["judges"]["judge"])
    page = client.get(f"/judging/sheets/{mine}").get_data(as_text=True)
    assert "Nhận xét riêng của giám khảo khác" not in page and "73,5" not in page


def test_saves_outside_the_judging_window_are_refused(app, judge_client, judged):
    sheet_id = my_sheet(judged, app)
    with app.app_context():
        festival = db.session.execute(db.select(Festival)).scalar_one()
        festival.judging_closes_at = utcnow() - timedelta(minutes=1)
        festival.judging_opens_at = utcnow() - timedelta(days=1)
        db.session.commit()
    response = judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1))
    assert response.status_code == 403 and "Đã hết thời gian chấm." in response.get_json()["message"]


def test_after_finalisation_judges_get_403(app, judge_client, judged):
    sheet_id = my_sheet(judged, app)
    with app.app_context():
        policy = db.session.execute(db.select(JudgingPolicy)).scalar_one()
        policy.finalised_at = utcnow()
        db.session.commit()
    response = judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1))
    assert response.status_code == 403 and "Kết quả đã chốt" in response.get_json()["message"]


def test_an_expired_session_gets_a_401_the_tablet_can_act_on(app, client, judged):
    sheet_id = my_sheet(judged, app)
    response = client.post(
        f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1), headers={"Accept": "application/json"}
    )
    assert response.status_code == 401 and response.get_json()["code"] == "signed_out"
    assert client.get(f"/judging/sheets/{sheet_id}").status_code == 302


def test_state_gives_a_fresh_csrf_token_and_the_values(app, judge_client, judged):
    sheet_id = my_sheet(judged, app)
    judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 4))
    body = judge_client.get(f"/judging/sheets/{sheet_id}/state").get_json()
    assert body["csrf_token"] and body["state"]["revision"] == 1
    assert body["state"]["points"][str(judged["criteria"][1])] == "18.5"


def test_the_plain_form_saves_and_submits_without_javascript(app, judge_client, judged):
    sheet_id = my_sheet(judged, app)
    c = judged["criteria"]
    data = {
        f"points-{c[0]}": "20",
        f"points-{c[1]}": "18,5",
        f"points-{c[2]}": "25",
        f"points-{c[3]}": "10",
        f"answer-{c[4]}": "no",
        "comment": "Khá",
        "client_id": "form-1",
        "base": "0",
    }
    judge_client.post(f"/judging/sheets/{sheet_id}", data=data)
    assert sheet_row(app, sheet_id)["points"][1] == Decimal("18.5")
    judge_client.post(
        f"/judging/sheets/{sheet_id}", data={**data, "action": "submit", "client_id": "form-2", "base": "1"}
    )
    row = sheet_row(app, sheet_id)
    assert row["status"] is SheetStatus.SUBMITTED and row["answers"] == {4: False}
    page = judge_client.get(f"/judging/sheets/{sheet_id}").get_data(as_text=True)
    assert "Phiếu đã nộp lúc" in page and "73,5" in page


def test_score_sheet_pdf_has_the_scores_and_a_signature_line(app, judge_client, judged):
    sheet_id = my_sheet(judged, app)
    judge_client.post(f"/judging/sheets/{sheet_id}/submit", json=snapshot(judged, 1))
    response = judge_client.get("/judging/my-sheets.pdf")
    assert response.status_code == 200
    [text] = page_texts(response.data)
    for expected in (
        "PHIẾU CHẤM ĐIỂM",
        "Tính mới, tính sáng tạo",
        "Tốt",
        "18,5",
        "73,5",
        "(ký, ghi rõ họ tên)",
        "Người dùng",
    ):
        assert expected in text, expected


def test_a_save_is_one_transaction_that_reads_nothing_after_it_writes(app, judge_client, judged):
    """Saves come first on festival day: the session with its user, the sheet with its exhibit, the rubric with
    its criteria and levels, the policy with the round and a declared conflict, each in one statement, then the
    writes, and nothing read again afterwards (on SQLite that would take the write lock a second time for a save
    already stored). The control room's version moves last: within the save's transaction on SQLite, in a short
    transaction of its own after the COMMIT on PostgreSQL, so that saves do not queue for its row's lock
    (festival/core/board_versions.py)."""
    sheet_id = my_sheet(judged, app)
    judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1))
    with app.app_context():
        engine = db.engine
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append((conn, statement.lstrip().split(None, 1)[0].upper() + " " + statement))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        answer = judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 2, novelty=30, base=1))
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert answer.get_json()["status"] == "saved"
    assert sheet_row(app, sheet_id)["points"][0] == 30
    saving = statements[0][0]
    save = [statement for conn, statement in statements if conn is saving]
    after = [statement for conn, statement in statements if conn is not saving]
    verbs = [statement.split(" ", 1)[0] for statement in save]
    first_write = min(i for i, verb in enumerate(verbs) if verb in ("INSERT", "UPDATE"))
    assert all(verb in ("INSERT", "UPDATE", "SAVEPOINT", "RELEASE") for verb in verbs[first_write:]), save
    assert verbs.count("BEGIN") <= 1  # SQLite names its one transaction; PostgreSQL's driver begins it unseen
    assert sum(bool(re.search(r"\blevels\b", statement)) for statement in save) == 1
    assert sum(bool(re.search(r"\bFROM user_sessions\b", statement)) for statement in save) == 0
    if engine.dialect.name == "sqlite":
        assert not after
        assert "board_versions" in save[-1]
        # SQLite's write lock is taken at the sheet, after the festival and the signed-in session were read on
        # their own: those are not held up by other writers, nor hold them up (the save is `writes_late`).
        assert verbs.index("BEGIN") == 2 and save[2] == "BEGIN BEGIN IMMEDIATE", save[:3]
        assert "FROM festivals" in save[0] and "FROM users" in save[1] and "FROM score_sheets" in save[3]
    else:
        assert not any("board_versions" in statement for statement in save)
        assert [statement.split(" ", 1)[0] for statement in after] == ["SELECT", "INSERT"], after
        assert "synchronous_commit" in after[0] and "board_versions" in after[1]
    assert len(save) <= (13 if engine.dialect.name == "sqlite" else 11), "\n".join(save)


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's write lock and its writers' queue")
def test_a_save_that_cannot_have_the_write_lock_in_time_is_answered_503_and_stores_nothing(
    app, judge_client, judged, monkeypatch
):
    """Another writer of this process keeps its turn past the busy timeout (shortened here): the save is told to
    try again later (503, as the tablet's outbox does), never "saved", and the sheet is as it was."""
    sheet_id = my_sheet(judged, app)
    with app.app_context():
        database = db.engine.url.database
    monkeypatch.setattr(extensions, "SQLITE_BUSY_TIMEOUT_MS", 200)
    turn, _handle = sqlite_writers._queue(os.path.realpath(database))
    turn.acquire()
    try:
        answer = judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1, novelty=30))
    finally:
        turn.release()
    assert answer.status_code == 503 and answer.get_json()["code"] == "503"
    assert sheet_row(app, sheet_id)["points"] == {} and sheet_row(app, sheet_id)["revision"] == 0
    again = judge_client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1, novelty=30))
    assert again.get_json()["status"] == "saved" and sheet_row(app, sheet_id)["points"][0] == 30


def test_two_pages_saving_one_field_at_once_take_turns_and_the_second_sees_the_first(app, judged):
    """A tablet and a phone save the same criterion at the same moment while the sheet is busy: the saves take
    turns, and the second reads the scores the first committed (after the lock, never a copy from before it), so it
    is answered with a conflict naming the stored value and the sheet keeps one score, the first's."""
    sheet_id = my_sheet(judged, app)
    tablet, phone = app.test_client(), app.test_client()
    for browser in (tablet, phone):
        assert AuthActions(browser).login(judged["emails"]["judge"]).status_code == 302
    with app.app_context():
        engine = db.engine
    answers = {}

    def save(name, browser, novelty):
        body = snapshot(judged, 1, client=name, novelty=novelty)
        answers[name] = browser.post(f"/judging/sheets/{sheet_id}/save", json=body).get_json()

    pages = [threading.Thread(target=save, args=args) for args in (("tablet", tablet, 20), ("phone", phone, 30))]
    with engine.connect() as holder, holder.begin():
        # Another writer holds the sheet (SQLite: the write lock its BEGIN takes; PostgreSQL: the sheet's row).
        holder.execute(sa.select(ScoreSheet.id).where(ScoreSheet.id == sheet_id).with_for_update())
        for page in pages:
            page.start()
            time.sleep(0.3)
    for page in pages:
        page.join(30)
    assert sorted(answer["status"] for answer in answers.values()) == ["conflict", "saved"], answers
    [(winner, won)] = [(name, answer) for name, answer in answers.items() if answer["status"] == "saved"]
    [lost] = [answer for answer in answers.values() if answer["status"] == "conflict"]
    stored = won["state"]["points"][str(judged["criteria"][0])]
    assert stored == ("20" if winner == "tablet" else "30")
    assert lost["conflicts"] == [
        {
            "field": "points",
            "criterion": judged["criteria"][0],
            "yours": "30" if winner == "tablet" else "20",
            "theirs": stored,
        }
    ]
    with app.app_context():
        scores = db.session.execute(
            sa.select(Score.points).where(Score.sheet_id == sheet_id, Score.criterion_id == judged["criteria"][0])
        ).all()
    assert [Decimal(stored)] == [points for (points,) in scores]
    assert sheet_row(app, sheet_id)["revision"] == 1
