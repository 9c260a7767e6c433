"""Scoring a booth on the tablet: drafts, validation that keeps what was typed, submit (locked), saves from a
stale revision refused without losing the typed values, and the history of every change."""

from decimal import Decimal

from festival.booths import scoring
from festival.core.extensions import db
from festival.mail import notify
from festival.models import BoothScoreChange, BoothSheet, Festival, SheetStatus, utcnow
from festival.util.formatting import utc_to_local
from tests.booths.conftest import form, score, sheet_of
from tests.pdf_tools import page_texts


def login(auth, booth_world, who):
    assert auth.login(booth_world["emails"][who]).status_code == 302


def stored(app, sheet_id):
    with app.app_context():
        sheet = db.session.get(BoothSheet, sheet_id)
        return sheet.status, sheet.revision, sorted((s.criterion_id, s.points) for s in sheet.scores), sheet.comment


def test_the_judges_list_shows_their_booths_with_locations(client, auth, booth_world):
    login(auth, booth_world, "judge_b")
    page = client.get("/booths/").get_data(as_text=True)
    assert "Tổng Công ty May Đức Giang" in page and "Công ty Cổ phần Dệt 10/10" in page
    assert "Tổng Công ty May Việt Tiến" not in page  # judge B's own unit
    assert "1, 3" in page and 'name="viewport"' in page
    assert "/booths/" in client.get("/judging/").get_data(as_text=True)  # reached from the judging home page


def test_a_draft_is_saved_with_history(app, client, auth, booth_world):
    login(auth, booth_world, "judge")
    sheet_id = sheet_of(booth_world, "UNITA")
    response = client.post(f"/booths/sheets/{sheet_id}", data=form(booth_world, [8, "7,5", "", 6], comment="Đẹp"))
    assert response.status_code == 302
    status, revision, points, comment = stored(app, sheet_id)
    c = booth_world["criteria"]
    assert (status, revision, comment) == (SheetStatus.DRAFT, 1, "Đẹp")
    assert points == [(c[0], Decimal(8)), (c[1], Decimal("7.5")), (c[3], Decimal(6))]  # an empty field stores nothing
    with app.app_context():
        changes = db.session.execute(db.select(BoothScoreChange).order_by(BoothScoreChange.id)).scalars().all()
        assert {(h.field, h.old_value, h.new_value, h.revision) for h in changes} == {
            ("points", None, "8", 1),
            ("points", None, "7.5", 1),
            ("points", None, "6", 1),
            ("comment", "", "Đẹp", 1),
        }
        assert {h.user_id for h in changes} == {booth_world["judges"]["judge"]}


def test_points_over_the_maximum_are_refused_and_the_typed_values_stay(app, client, auth, booth_world):
    login(auth, booth_world, "judge")
    sheet_id = sheet_of(booth_world, "UNITA")
    response = client.post(f"/booths/sheets/{sheet_id}", data=form(booth_world, [8, 12, 7, 6], comment="Ghi chú"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Điểm “Thể hiện chủ đề” phải từ 0 đến 10." in page and "is-invalid" in page
    for typed in ('value="8"', 'value="12"', 'value="7"', 'value="6"', ">Ghi chú</textarea>"):
        assert typed in page
    assert stored(app, sheet_id) == (SheetStatus.NOT_STARTED, 0, [], "")


def test_submitting_with_a_criterion_missing_is_refused_keeping_the_input(app, client, auth, booth_world):
    login(auth, booth_world, "judge")
    sheet_id = sheet_of(booth_world, "UNITA")
    response = client.post(f"/booths/sheets/{sheet_id}", data=form(booth_world, [8, 9, "", 6], action="submit"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Chưa chấm đủ các tiêu chí: Sản phẩm trưng bày." in page
    assert 'value="9"' in page
    assert stored(app, sheet_id)[0] is SheetStatus.NOT_STARTED


def test_a_submitted_sheet_is_locked(app, client, auth, booth_world):
    login(auth, booth_world, "judge")
    sheet_id = sheet_of(booth_world, "UNITA")
    response = client.post(f"/booths/sheets/{sheet_id}", data=form(booth_world, [8, 9, 7, 6], action="submit"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/booths/")
    assert stored(app, sheet_id)[0] is SheetStatus.SUBMITTED
    page = client.get(f"/booths/sheets/{sheet_id}").get_data(as_text=True)
    assert "đã khoá" in page and "<fieldset disabled>" in page
    again = client.post(f"/booths/sheets/{sheet_id}", data=form(booth_world, [1, 1, 1, 1], base=2))
    assert again.status_code == 422 and "Phiếu đã nộp nên không sửa được" in again.get_data(as_text=True)
    assert stored(app, sheet_id)[2][0][1] == Decimal(8)
    with app.app_context():
        sheet = db.session.get(BoothSheet, sheet_id)
        assert scoring.sheet_total(sheet) == Decimal(76)  # 8/10×30 + 9/10×25 + 7/10×25 + 6/10×20


def test_a_save_from_a_stale_revision_is_refused_and_keeps_the_typed_values(app, client, auth, booth_world):
    login(auth, booth_world, "judge")
    sheet_id = sheet_of(booth_world, "UNITB")
    assert 'name="base" value="0"' in client.get(f"/booths/sheets/{sheet_id}").get_data(as_text=True)
    score(app, booth_world, "UNITB", "judge", [5, 5, 5, 5], submit=False)  # another tablet saves meanwhile
    response = client.post(f"/booths/sheets/{sheet_id}", data=form(booth_world, [9, 8, 7, 6], comment="Mới", base=0))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Phiếu đã được lưu từ nơi khác sau khi bạn mở trang này" in page
    for typed in ('value="9"', 'value="8"', 'value="7"', 'value="6"', ">Mới</textarea>"):
        assert typed in page
    assert page.count("Đã lưu: 5") == 4 and 'name="base" value="1"' in page
    c = booth_world["criteria"]
    assert stored(app, sheet_id)[:3] == (SheetStatus.DRAFT, 1, [(i, Decimal(5)) for i in sorted(c)])
    # Having seen the saved values, the judge sends theirs again: now from the current revision.
    assert client.post(f"/booths/sheets/{sheet_id}", data=form(booth_world, [9, 8, 7, 6], base=1)).status_code == 302
    assert stored(app, sheet_id)[1] == 2
    with app.app_context():
        first = db.session.execute(
            db.select(BoothScoreChange).where(BoothScoreChange.criterion_id == c[0]).order_by(BoothScoreChange.id)
        ).scalars()
        assert [(h.old_value, h.new_value, h.revision) for h in first] == [(None, "5", 1), ("5", "9", 2)]


def test_another_judges_sheet_is_not_found_and_organizers_read_it_with_its_history(app, client, auth, booth_world):
    score(app, booth_world, "UNITA", "judge_c", [6, 6, 6, 6], submit=False)
    login(auth, booth_world, "judge")
    sheet_id = sheet_of(booth_world, "UNITA", "judge_c")
    assert client.get(f"/booths/sheets/{sheet_id}").status_code == 404
    assert client.post(f"/booths/sheets/{sheet_id}", data=form(booth_world, [1, 1, 1, 1], base=1)).status_code == 404
    auth.logout()
    auth.login("organizer@example.vn")
    page = client.get(f"/booths/sheets/{sheet_id}").get_data(as_text=True)
    assert "Lịch sử thay đổi" in page and "Lê Thị Cúc" in page and "<fieldset disabled>" in page


def test_organizer_reopens_a_submitted_sheet_with_a_reason(app, client, auth, booth_world):
    score(app, booth_world, "UNITA", "judge", [6, 6, 6, 6])
    auth.login("organizer@example.vn")
    sheet_id = sheet_of(booth_world, "UNITA")
    assert client.post(f"/booths/sheets/{sheet_id}/reopen", data={"reason": ""}).status_code == 302
    assert stored(app, sheet_id)[0] is SheetStatus.SUBMITTED
    assert client.post(f"/booths/sheets/{sheet_id}/reopen", data={"reason": "Nhầm điểm"}).status_code == 302
    assert stored(app, sheet_id)[0] is SheetStatus.DRAFT


def test_the_evening_reminder_lists_the_booths_still_to_score(app, booth_world):
    score(app, booth_world, "UNITA", "judge", [8, 8, 8, 8])
    with app.app_context():
        festival = db.session.get(Festival, booth_world["festival"])
        sent = {m.recipient_email: m.body_text for m in notify.judge_reminders(festival, utc_to_local(utcnow()).date())}
        mine = sent[booth_world["emails"]["judge"]]
        assert "Gian hàng Công ty Cổ phần Dệt 10/10 – gian 4" in mine
        assert "Tổng Công ty May Đức Giang" not in mine  # scored and submitted
        judge_b = sent[booth_world["emails"]["judge_b"]]  # of unit B: never given unit B's booth
        assert "gian 1, 3" in judge_b and "gian 2" not in judge_b
        db.session.rollback()


def test_a_submitted_booth_sheet_prints_with_its_points_and_a_signature_line(app, client, auth, booth_world):
    score(app, booth_world, "UNITA", "judge", [8, 7.5, 9, 6])
    login(auth, booth_world, "judge")
    response = client.get("/booths/my-sheets.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    [text] = page_texts(response.data)
    for expected in (
        "PHIẾU CHẤM GIAN HÀNG",
        "Tổng Công ty May Đức Giang",
        "Trang trí gian hàng",
        "7,5",
        "(ký, ghi rõ họ tên)",
    ):
        assert expected in text, expected
    single = client.get(f"/booths/sheets/{sheet_of(booth_world, 'UNITA')}.pdf")
    assert page_texts(single.data) == [text]
