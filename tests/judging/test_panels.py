"""Assignment in the app: panels, the command, manual edits under the same conflict rules."""

from festival.core.extensions import db
from festival.models import AuditLog, Conflict, Exhibit, ScoreSheet, SheetStatus, User
from tests.judging.conftest import snapshot


def pairs(app):
    with app.app_context():
        return {(s.exhibit.code, s.judge.email) for s in db.session.execute(db.select(ScoreSheet)).scalars()}


def test_no_judge_gets_an_exhibit_of_their_own_unit(app, judged):
    assert ("KT-02", "judge-b@example.vn") not in pairs(app)  # judge B belongs to unit B, which made KT-02
    assert all(len([p for p in pairs(app) if p[0] == code]) == 2 for code in ("KT-01", "KT-02", "KT-03"))


def test_assign_command_keeps_started_sheets_and_reports(app, runner, client, auth, judged):
    started = next(iter(sorted(pairs(app))))
    with app.app_context():
        sheet = db.session.execute(
            db.select(ScoreSheet)
            .join(Exhibit)
            .join(User, ScoreSheet.judge_id == User.id)
            .where(Exhibit.code == started[0], User.email == started[1])
        ).scalar_one()
        sheet_id = sheet.id
    auth.login(started[1])
    client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1))
    result = runner.invoke(args=["judging", "assign", "--per-exhibit", "3"])
    assert result.exit_code == 0, result.output
    assert "Assigned 8 sheets" in result.output  # KT-02 can only have 2: judge B is of its unit
    assert "KT-02 chỉ có 2 giám khảo" in result.output and "1 cùng đơn vị" in result.output
    with app.app_context():
        assert db.session.get(ScoreSheet, sheet_id).status is SheetStatus.DRAFT


def test_manual_edits_obey_the_same_conflict_rules(app, client, login_as, judged):
    login_as("organizer")
    with app.app_context():
        kt02 = judged["exhibits"]["KT-02"]
        db.session.execute(db.delete(ScoreSheet).where(ScoreSheet.exhibit_id == kt02))
        db.session.commit()
    page = client.post(
        f"/judging/assignments/{kt02}/add", data={"judge_id": judged["judges"]["judge_b"]}, follow_redirects=True
    ).get_data(as_text=True)
    assert "thuộc đơn vị có sáng kiến này nên không được chấm" in page
    with app.app_context():
        db.session.add(Conflict(judge_id=judged["judges"]["judge_c"], exhibit_id=kt02, reason="Người nhà tác giả"))
        db.session.commit()
    page = client.post(
        f"/judging/assignments/{kt02}/add", data={"judge_id": judged["judges"]["judge_c"]}, follow_redirects=True
    ).get_data(as_text=True)
    assert "đã khai báo xung đột lợi ích" in page
    client.post(f"/judging/assignments/{kt02}/add", data={"judge_id": judged["judges"]["judge"]})
    assert ("KT-02", "judge@example.vn") in pairs(app)
    with app.app_context():
        assert db.session.execute(db.select(AuditLog).where(AuditLog.action == "judging.assignment_added")).scalar_one()


def test_unassigning_asks_first_and_refuses_a_started_sheet(app, client, auth, judged):
    with app.app_context():
        sheet = (
            db.session.execute(db.select(ScoreSheet).where(ScoreSheet.judge_id == judged["judges"]["judge"]))
            .scalars()
            .first()
        )
        sheet_id = sheet.id
    auth.login("organizer@example.vn")
    assert "Bỏ phân công?" in client.get(f"/judging/sheets/{sheet_id}/unassign").get_data(as_text=True)
    auth.logout()
    auth.login(judged["emails"]["judge"])
    client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 1))
    auth.logout()
    auth.login("organizer@example.vn")
    page = client.post(f"/judging/sheets/{sheet_id}/unassign", follow_redirects=True).get_data(as_text=True)
    assert "đã bắt đầu chấm" in page
    with app.app_context():
        assert db.session.get(ScoreSheet, sheet_id) is not None


def test_a_judge_declares_a_conflict_and_loses_the_unstarted_assignment(app, client, auth, judged):
    with app.app_context():
        sheet = (
            db.session.execute(db.select(ScoreSheet).where(ScoreSheet.judge_id == judged["judges"]["judge"]))
            .scalars()
            .first()
        )
        exhibit_id, code = sheet.exhibit_id, sheet.exhibit.code
    auth.login(judged["emails"]["judge"])
    response = client.post("/judging/conflicts", data={"exhibit_id": exhibit_id, "reason": "Tác giả là người thân"})
    assert response.status_code == 302
    assert (code, "judge@example.vn") not in pairs(app)
    assert "Tác giả là người thân" in client.get("/judging/conflicts").get_data(as_text=True)


def test_panels_page_saves_memberships(app, client, login_as, judged, people):
    login_as("organizer")
    category = people["ids"]["category"]
    client.post("/judging/panels", data={"member": [f"{category}:{judged['judges']['judge']}"]})
    page = client.get("/judging/panels").get_data(as_text=True)
    assert f'value="{category}:{judged["judges"]["judge"]}" aria-label' in page
    assert page.count("checked") == 1
