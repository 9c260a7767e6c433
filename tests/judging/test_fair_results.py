"""Fair results in the app: incomplete panels never give a silent prize, conflicts are enforced at
every save and in the results, the judge-effects method on the results page, unique booths with
hall zones, the control room and the judge's walking route."""

import re
from decimal import Decimal

import pytest

from festival.core.extensions import db
from festival.judging import control, scoring
from festival.judging.policy import policy_for
from festival.judging.results import festival_results
from festival.models import (
    AuditLog,
    Category,
    Exhibit,
    ExhibitStatus,
    Festival,
    ResultsMethod,
    Role,
    ScoreSheet,
    SheetStatus,
    StandReport,
    Unit,
    User,
    utcnow,
)
from tests import factories
from tests.judging.conftest import sheet_of, snapshot

SCORES = {"KT-01": (10, 10, 10, 5), "KT-02": (20, 20, 20, 10), "KT-03": (30, 25, 30, 15)}


def submit(app, judged, code, who):
    with app.app_context():
        sheet = db.session.get(ScoreSheet, sheet_of(judged, code, who))
        c = judged["criteria"]
        a, b, e, s = SCORES[code]
        points = {c[0]: Decimal(a), c[1]: Decimal(b), c[2]: Decimal(e), c[3]: Decimal(s)}
        scoring.submit_sheet(sheet, sheet.judge, scoring.SheetInput("t", 1, points, {c[4]: True}), utcnow())
        db.session.commit()


def every_sheet_of(judged, code):
    return [key[1] for key in judged["sheets"] if key[0] == code]


@pytest.fixture
def half_scored(app, judged):
    """Every sheet submitted but one of KT-03's (the best exhibit): 1 of its 2 sheets is in."""
    by_email = {email: name for name, email in judged["emails"].items()}
    for code in ("KT-01", "KT-02", "KT-03"):
        for email in every_sheet_of(judged, code)[: 1 if code == "KT-03" else None]:
            submit(app, judged, code, by_email[email])
    with app.app_context():
        policy = policy_for(db.session.execute(db.select(Festival)).scalar_one())
        policy.first_prizes, policy.second_prizes, policy.third_prizes = 1, 1, 0
        db.session.commit()
    return judged


def test_a_half_scored_exhibit_is_marked_and_gets_no_proposed_prize(app, client, login_as, half_scored):
    with app.app_context():
        [block] = festival_results(db.session.execute(db.select(Festival)).scalar_one())
        kt03 = next(r for r in block.ranked if block.exhibits[r.result.exhibit_id].code == "KT-03")
        assert kt03.rank == 1 and kt03.result.incomplete and (kt03.result.n, kt03.result.assigned) == (1, 2)
        proposed = {block.exhibits[k].code: v for k, v in block.proposed.items()}
        assert proposed == {"KT-03": None, "KT-02": "first", "KT-01": "second"}
    login_as("organizer")
    page = client.get("/judging/results").get_data(as_text=True)
    assert "Thiếu phiếu: 1/2 đã nộp" in page and "Chưa xét (thiếu phiếu)" in page
    finalise = client.get("/judging/finalise").get_data(as_text=True)
    assert "KT-03 – Máy cắt chỉ: 1/2 phiếu" in finalise


def test_a_judge_whose_unit_became_the_exhibits_cannot_save_and_the_sheet_is_left_out(
    app, client, auth, login_as, judged
):
    by_email = {email: name for name, email in judged["emails"].items()}
    for code in ("KT-01", "KT-02", "KT-03"):
        for email in every_sheet_of(judged, code):
            submit(app, judged, code, by_email[email])
    with app.app_context():
        exhibit = db.session.execute(db.select(Exhibit).where(Exhibit.code == "KT-02")).scalar_one()
        sheet = db.session.execute(db.select(ScoreSheet).where(ScoreSheet.exhibit_id == exhibit.id)).scalars().first()
        judge = sheet.judge
        judge.unit_id = exhibit.unit_id  # the judge moved to the exhibit's unit after scoring it
        sheet.status, sheet_id, judge_id, judge_email = SheetStatus.DRAFT, sheet.id, judge.id, judge.email
        exhibit_id = exhibit.id
        db.session.commit()
    auth.login(judge_email)
    response = client.post(f"/judging/sheets/{sheet_id}/save", json=snapshot(judged, 5, base=1))
    assert response.status_code == 403 and "xung đột lợi ích" in response.get_json()["message"]
    client.post("/auth/logout")
    with app.app_context():
        sheet = db.session.get(ScoreSheet, sheet_id)
        sheet.status = SheetStatus.SUBMITTED
        db.session.commit()
        [block] = festival_results(db.session.execute(db.select(Festival)).scalar_one())
        assert [c.sheet_id for c in block.conflicted] == [sheet_id]
        assert not any(r.judge_id == judge_id and r.exhibit_id == exhibit_id for r in block.ratings)
    login_as("organizer")
    page = client.get("/judging/results").get_data(as_text=True)
    assert "không được tính." in page
    client.post(f"/judging/sheets/{sheet_id}/keep", data={"reason": "Chuyển đơn vị sau khi chấm; hội đồng đồng ý"})
    with app.app_context():
        [block] = festival_results(db.session.execute(db.select(Festival)).scalar_one())
        assert any(r.judge_id == judge_id and r.exhibit_id == exhibit_id for r in block.ratings)
        entry = db.session.execute(db.select(AuditLog).where(AuditLog.action == "sheet.conflict_kept")).scalar_one()
        assert entry.after["reason"].startswith("Chuyển đơn vị")


def test_the_judge_effects_method_ranks_and_says_so(app, client, login_as, half_scored):
    with app.app_context():
        policy_for(db.session.execute(db.select(Festival)).scalar_one()).method = ResultsMethod.EFFECTS
        db.session.commit()
        [block] = festival_results(db.session.execute(db.select(Festival)).scalar_one())
        assert all(r.result.score == r.result.effect for r in block.ranked if r.result.n)
    login_as("organizer")
    page = client.get("/judging/results").get_data(as_text=True)
    assert "mô hình hiệu ứng" in page and "Độ khắt khe" in page
    assert "Cách đánh dấu “sát ngưỡng giải”" in page and "√(σ²/n)" in page


def test_a_booth_taken_by_another_exhibit_is_refused_naming_it_and_the_typed_values_stay(app, client, login_as, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        unit = db.session.get(Unit, people["ids"]["unit_a"])
        category = db.session.get(Category, people["ids"]["category"])
        factories.make_exhibit(
            festival,
            unit,
            category,
            status=ExhibitStatus.ACCEPTED,
            code="KT-01",
            code_number=1,
            booth="12",
            zone="Khu A",
        )
        waiting = factories.make_exhibit(festival, unit, category, title="Bàn cắt vải")
        other_zone = factories.make_exhibit(festival, unit, category, title="Giá treo")
        db.session.commit()
        waiting_id, other_zone_id = waiting.id, other_zone.id
    login_as("organizer")
    response = client.post(f"/exhibits/{waiting_id}/accept", data={"code": "KT-09", "booth": "12", "zone": "Khu A"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Gian 12 đã dành cho KT-01" in page and 'value="KT-09"' in page and 'value="Khu A"' in page
    with app.app_context():
        assert db.session.get(Exhibit, waiting_id).status is ExhibitStatus.SUBMITTED
    # The same number in another zone is another booth.
    assert client.post(f"/exhibits/{other_zone_id}/accept", data={"booth": "12", "zone": "Khu B"}).status_code == 302
    with app.app_context():
        assert (db.session.get(Exhibit, other_zone_id).zone, db.session.get(Exhibit, other_zone_id).booth) == (
            "Khu B",
            "12",
        )


def test_the_walking_route_goes_zone_by_zone_in_a_serpentine():
    def sheet(zone, booth, status=SheetStatus.NOT_STARTED):
        return ScoreSheet(exhibit=Exhibit(zone=zone, booth=booth, code=f"{zone}{booth}"), status=status)

    sheets = [sheet("Khu B", "3"), sheet("Khu A", "10"), sheet("Khu A", "2"), sheet("Khu B", "11"), sheet("Khu A", "9")]
    route = control.walking_route(sheets)
    assert [(s.exhibit.zone, s.exhibit.booth) for s in route] == [
        ("Khu A", "2"),
        ("Khu A", "9"),
        ("Khu A", "10"),
        ("Khu B", "11"),
        ("Khu B", "3"),
    ]
    route[0].status, route[1].status = SheetStatus.SUBMITTED, SheetStatus.SUBMITTED
    assert control.next_on_route(route) is route[2]


def test_the_control_room_shows_progress_and_a_stand_reported_empty_is_reassigned(app, client, auth, login_as, judged):
    by_email = {email: name for name, email in judged["emails"].items()}
    email = every_sheet_of(judged, "KT-01")[0]
    submit(app, judged, "KT-01", by_email[email])
    waiting = sheet_of(judged, "KT-02", by_email[every_sheet_of(judged, "KT-02")[0]])
    with app.app_context():
        waiting_sheet = db.session.get(ScoreSheet, waiting)
        owner_email, exhibit_id = waiting_sheet.judge.email, waiting_sheet.exhibit_id
        spare = factories.make_user(Role.JUDGE, email="spare@example.vn", full_name="Phạm Dự Bị")
        db.session.commit()
        spare_id = spare.id
    auth.login(owner_email)
    assert client.post(f"/judging/sheets/{waiting}/unattended").status_code == 302
    client.post("/auth/logout")
    login_as("organizer")
    board = client.get("/judging/control/board").get_data(as_text=True)
    assert "Gian vắng người" in board and "1/2" in board
    assert "Cập nhật lúc" in client.get("/judging/control").get_data(as_text=True)  # the page that refreshes it
    response = client.post(f"/judging/sheets/{waiting}/reassign", data={"judge_id": spare_id})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(ScoreSheet, waiting) is None
        moved = db.session.execute(
            db.select(ScoreSheet).where(ScoreSheet.exhibit_id == exhibit_id, ScoreSheet.judge_id == spare_id)
        ).scalar_one()
        assert moved.is_manual and moved.status is SheetStatus.NOT_STARTED
        assert db.session.execute(db.select(StandReport)).scalar_one_or_none() is None  # gone with the old sheet


def test_giao_lai_offers_only_judges_the_rules_accept_starting_on_an_empty_choice(app, client, login_as, judged):
    with app.app_context():
        spare = factories.make_user(Role.JUDGE, email="spare2@example.vn", full_name="Phạm Dự Bị")
        db.session.commit()
        exhibit = db.session.execute(db.select(Exhibit).where(Exhibit.code == "KT-02")).scalar_one()
        sheets = db.session.execute(db.select(ScoreSheet).where(ScoreSheet.exhibit_id == exhibit.id)).scalars()
        on_it = {sheet.judge.full_name for sheet in sheets}
        judges = db.session.execute(db.select(User).where(User.role == Role.JUDGE)).scalars()
        same_unit = {judge.full_name for judge in judges if judge.unit_id == exhibit.unit_id}
        exhibit_id, spare_name = exhibit.id, spare.full_name
    login_as("organizer")
    board = client.get("/judging/control/board").get_data(as_text=True)
    row = board[board.index(f'id="control-exhibit-{exhibit_id}"') :]
    row = row[: row.index("</tr>")]
    [link, *_others] = re.findall(r'href="(/judging/sheets/\d+/reassign)">Giao lại</a>', row)
    page = client.get(link).get_data(as_text=True)
    select = page[page.index('<select class="form-select mb-3" id="judge_id" name="judge_id" required') :]
    select = select[: select.index("</select>")]
    offered = re.findall(r'<option value="(\d*)">([^<]+)</option>', select)
    assert offered[0] == ("", "— Chọn giám khảo —")  # nobody is chosen by default
    names = {name for _value, name in offered[1:]}
    assert spare_name in names
    assert not names & on_it and not names & same_unit  # the server would refuse them


def test_after_the_results_are_final_the_judge_is_not_sent_to_another_stand(app, client, auth, judged):
    email = every_sheet_of(judged, "KT-01")[0]
    auth.login(email)
    assert "Gian tiếp theo trên đường đi" in client.get("/judging/").get_data(as_text=True)
    with app.app_context():
        exhibit = db.session.get(Exhibit, judged["exhibits"]["KT-01"])
        policy_for(exhibit.festival).finalised_at = utcnow()
        db.session.commit()
    page = client.get("/judging/").get_data(as_text=True)
    assert "Gian tiếp theo trên đường đi" not in page and "Kết quả đã chốt: không còn phiếu nào để chấm." in page
    assert "Cữ gá may túi" in page  # the judge still sees their list
