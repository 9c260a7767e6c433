"""Attendees: roles, adding people, duplicates, units' delegates, automatic attendees, import/export, tokens."""

import io
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from festival import demo
from festival.admin import services as admin
from festival.badges import services
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.models import Attendee, AttendeeSource, Category, ExhibitStatus, Festival, RevokedBadge, Unit, User
from tests import factories
from tests.imports import steps

DEMO_CSV = Path(demo.DATA_DIR) / "attendees.csv"


def count(app, **where):
    with app.app_context():
        stmt = db.select(db.func.count()).select_from(Attendee)
        for key, value in where.items():
            stmt = stmt.where(getattr(Attendee, key) == value)
        return db.session.scalar(stmt)


def test_default_roles_have_a_colour_each(app, people):
    with app.app_context():
        roles = services.badge_roles(db.session.get(Festival, people["ids"]["festival"]))
        assert [r.name_vi for r in roles] == [
            "Đại biểu",
            "Giám khảo",
            "Tác giả",
            "Khách mời",
            "Ban tổ chức",
            "Phóng viên",
            "Tình nguyện viên",
        ]
        assert len({r.colour for r in roles}) == 7


def test_role_colour_is_checked(client, login_as, app, people):
    login_as("organizer")
    client.get("/attendees/roles")
    with app.app_context():
        role = services.role_by_code(db.session.get(Festival, people["ids"]["festival"]), "press")
        role_id = role.id
    page = client.post(
        "/attendees/roles", data={"role_id": role_id, "name_vi": "Báo chí", "colour": "red"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Màu phải có dạng #rrggbb" in page
    client.post(
        "/attendees/roles", data={"role_id": role_id, "name_vi": "Báo chí", "name_en": "Press", "colour": "#123ABC"}
    )
    with app.app_context():
        role = db.session.get(services.BadgeRole, role_id)
        assert (role.name_vi, role.colour) == ("Báo chí", "#123abc")


def test_names_are_stored_trimmed_and_nfc(app, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        nfd = unicodedata.normalize("NFD", "  Trần   Thị Hoà ")
        attendee = services.add_attendee(
            festival, services.AttendeeInput(nfd, services.role_by_code(festival, "guest")), by=None
        )
        assert attendee.full_name == "Trần Thị Hoà" and unicodedata.is_normalized("NFC", attendee.full_name)


def test_same_email_any_case_or_same_phone_is_refused(app, crowd, people):
    with app.app_context():
        festival = db.session.get(Festival, crowd["festival"])
        organizer = db.session.get(User, people["ids"]["organizer_user"])
        guest = services.role_by_code(festival, "guest")
        with pytest.raises(FestivalError, match="Nguyễn Thị Hằng"):  # organizers are told who
            services.add_attendee(
                festival, services.AttendeeInput("Khác", guest, email="HANG@Example.vn"), by=organizer
            )
        with pytest.raises(FestivalError, match="Nguyễn Thị Hằng"):
            services.add_attendee(
                festival, services.AttendeeInput("Khác", guest, phone="+84 912 345 678"), by=organizer
            )


def test_a_unit_registering_a_taken_phone_learns_no_name(client, login_as, crowd):
    login_as("unit_b")
    response = client.post("/attendees/mine", data={"full_name": "Thử", "phone": "0912 345 678"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Đã có người đăng ký với e-mail hoặc số điện thoại này." in page
    assert "Nguyễn Thị Hằng" not in page


def test_organizer_adds_edits_and_removes_people(app, client, login_as, people, crowd):
    login_as("organizer")
    client.get("/attendees/")
    with app.app_context():
        guest = services.role_by_code(db.session.get(Festival, people["ids"]["festival"]), "guest").id
    page = client.post("/attendees/new", data={"full_name": "", "role_id": guest, "unit_id": 0}).get_data(as_text=True)
    assert "Trường này là bắt buộc." in page
    client.post(
        "/attendees/new",
        data={
            "full_name": "Phạm Thu Trang",
            "role_id": guest,
            "unit_id": 0,
            "organisation": "VTV",
            "phone": "0987654321",
        },
    )
    assert "Phạm Thu Trang" in client.get("/attendees/", query_string={"q": "pham thu"}).get_data(as_text=True)
    person = crowd["ids"][2]
    client.post(
        f"/attendees/{person}",
        data={"full_name": "Lê Văn Đức Anh", "role_id": guest, "unit_id": 0, "organisation": "Báo Lao Động"},
    )
    with app.app_context():
        assert db.session.get(Attendee, person).full_name == "Lê Văn Đức Anh"
    assert "Xoá người tham dự?" in client.get(f"/attendees/{person}/delete").get_data(as_text=True)
    client.post(f"/attendees/{person}/delete")
    with app.app_context():
        assert db.session.get(Attendee, person) is None


def test_list_filters_by_unit_role_and_search(client, login_as, crowd, people):
    login_as("organizer")
    page = client.get("/attendees/", query_string={"unit": people["ids"]["unit_a"]}).get_data(as_text=True)
    assert "Nguyễn Thị Hằng" in page and "Lê Văn Đức" not in page
    page = client.get("/attendees/", query_string={"q": "0912345678"}).get_data(as_text=True)
    assert "Nguyễn Thị Hằng" in page and "Hương Giang" not in page


def test_units_register_delegates_within_their_quota(app, client, login_as, people):
    with app.app_context():
        db.session.get(Festival, people["ids"]["festival"]).delegate_quota = 1
        db.session.commit()
    login_as("unit_a")
    client.post("/attendees/mine", data={"full_name": "Đại biểu Một", "phone": "0911111111"})
    page = client.post("/attendees/mine", data={"full_name": "Đại biểu Hai"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "đã đăng ký đủ 1 đại biểu" in page
    assert count(app, source=AttendeeSource.UNIT) == 1
    with app.app_context():
        delegate = db.session.execute(db.select(Attendee)).scalar_one()
        assert delegate.unit_id == people["ids"]["unit_a"] and delegate.role.code == "delegate"
        delegate_id = delegate.id
    client.post("/auth/logout")
    login_as("unit_b")
    assert client.post(f"/attendees/mine/{delegate_id}/delete").status_code == 404
    assert count(app) == 1


def test_judges_organizers_and_authors_become_attendees_once(app, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        category = db.session.get(Category, people["ids"]["category"])
        unit_a = db.session.get(Unit, people["ids"]["unit_a"])
        # the same author on two accepted exhibits, plus one on a submitted exhibit (not yet a badge)
        factories.make_exhibit(
            festival,
            unit_a,
            category,
            status=ExhibitStatus.ACCEPTED,
            code="KT-01",
            authors=("Nguyễn Văn An", "Trần Thị Bình"),
        )
        factories.make_exhibit(
            festival, unit_a, category, status=ExhibitStatus.ACCEPTED, code="KT-02", authors=("Nguyễn  Văn An",)
        )
        factories.make_exhibit(festival, unit_a, category, status=ExhibitStatus.SUBMITTED, authors=("Chưa Duyệt",))
        # the judge was already imported with the same e-mail: no second badge
        services.add_attendee(
            festival,
            services.AttendeeInput("Giám Khảo", services.role_by_code(festival, "guest"), email="judge@example.vn"),
            by=None,
        )
        added = services.sync_automatic(festival, by=None)
        assert added == {"judge": 0, "organizer": 1, "author": 2}
        assert services.sync_automatic(festival, by=None) == {"judge": 0, "organizer": 0, "author": 0}
        names = sorted(a.full_name for a in db.session.execute(db.select(Attendee)).scalars())
        assert names.count("Nguyễn Văn An") == 1 and "Chưa Duyệt" not in names
        judge_badge = db.session.execute(db.select(Attendee).where(Attendee.email == "judge@example.vn")).scalar_one()
        assert judge_badge.user_id == people["ids"]["judge_user"]


def test_badge_tokens_are_long_random_and_unique(app, crowd):
    tokens = crowd["tokens"]
    assert len(set(tokens)) == 3
    assert all(len(t) >= 22 for t in tokens)  # 16 random bytes, base64url


def test_reissue_makes_the_old_code_invalid(app, client, login_as, crowd):
    login_as("organizer")
    person, old = crowd["ids"][0], crowd["tokens"][0]
    page = client.post(f"/attendees/{person}/reissue", data={"reason": ""}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Hãy ghi lý do cấp lại thẻ." in page
    client.post(f"/attendees/{person}/reissue", data={"reason": "Mất thẻ"})
    with app.app_context():
        attendee = db.session.get(Attendee, person)
        assert attendee.badge_token != old and attendee.printed_at is None
        assert services.find_by_token(old) == (None, db.session.execute(db.select(RevokedBadge)).scalar_one())
        assert services.find_by_token(attendee.badge_token)[0].id == person


# Import and export ---------------------------------------------------------------------------


@pytest.fixture
def sector(app, people):
    with app.app_context():
        for row in demo.read_rows("units.csv"):
            admin.create_unit(
                row["code"], row["name"], row["short_name"], admin.region_from_text(row["region"]), by=None
            )
        db.session.commit()


def test_command_imports_the_420_sample_people(app, runner, sector):
    result = runner.invoke(args=["attendees", "import", str(DEMO_CSV)])
    assert result.exit_code == 0, result.output
    assert "Imported 420 attendees" in result.output
    assert count(app) == 420
    with app.app_context():
        first = db.session.execute(
            db.select(Attendee).where(Attendee.email == "hang.vt0@viettien.example.vn")
        ).scalar_one()
        assert (first.full_name, first.unit.code, first.role.name_vi, first.phone) == (
            "Võ Thị Hằng",
            "VIETTIEN",
            "Tình nguyện viên",
            "0914201416",
        )


def test_import_reports_duplicates_and_bad_rows_and_stores_nothing(app, runner, sector, crowd, tmp_path):
    path = tmp_path / "nguoi.csv"
    path.write_text(
        "full_name,unit_code,role,email,phone\n"
        "Trần Văn A,MAY10,Đại biểu,a@example.vn,0901000001\n"
        "Trần Văn B,MAY10,Đại biểu,A@EXAMPLE.VN,0901000002\n"  # same e-mail as row 2, other case
        "Trần Văn C,NOSUCH,Siêu sao,c@example,0901000001\n"  # unknown unit, role, bad e-mail, phone of row 2
        "Trần Văn D,,Khách mời,HANG@example.vn,\n",  # already registered
        encoding="utf-8",
    )
    result = runner.invoke(args=["attendees", "import", str(path)])
    assert result.exit_code == 1
    for expected in [
        "Dòng 3, cột D “email”: Trùng với dòng 2 (a@example.vn).",
        "Dòng 4, cột B “unit_code”: Không có đơn vị “NOSUCH”.",
        "Dòng 4, cột C “role”: Không có vai trò “Siêu sao”.",
        "Dòng 4, cột D “email”: E-mail không hợp lệ",
        "Dòng 4, cột E “phone”: Trùng với dòng 2 (0901000001).",
        "Dòng 5, cột D “email”: Trùng với người đã đăng ký: Nguyễn Thị Hằng (hang@example.vn).",
        "B “unit_code”: Đơn vị hợp lệ (mã và tên ngắn): DUCGIANG (Đức Giang), HACHIBA (Dệt May 29/3)",  # once
        "C “role”: Vai trò hợp lệ: Đại biểu, Giám khảo",
    ]:
        assert expected in result.output, expected
    assert count(app) == 3


def test_web_import_with_vietnamese_headers_and_excel_phone_numbers(app, client, login_as, sector):
    login_as("organizer")
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/attendees/import/template.xlsx").data))
    assert workbook.sheetnames == ["Danh sách", "Hướng dẫn"]
    sheet = workbook["Danh sách"]
    assert [c.value for c in sheet[1]] == ["Họ và tên", "Mã đơn vị", "Cơ quan", "Vai trò", "E-mail", "Số điện thoại"]
    assert sheet.max_row == 1  # the instructions are on their own sheet, not an example row
    sheet.append(["  Lê   Thị Mai ", "may10", None, "khach moi", None, 912000111])  # Excel dropped the leading 0
    # 024 3825 7700, a landline, for a unit named in full
    sheet.append(["Phạm Văn Cường", "Tổng Công ty Đức Giang – CTCP", None, "Đại biểu", None, 2438257700])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = steps.web_import(client, "/attendees", buffer.getvalue(), "ds.xlsx")
    assert response.status_code == 302, steps.problems_on(response)
    assert response.headers["Location"].endswith("/attendees/")
    page = client.get("/attendees/").get_data(as_text=True)
    assert "Đã nhập 2 người từ trang tính “Danh sách” của tệp “ds.xlsx”; bỏ qua 0 dòng." in page
    with app.app_context():
        mai = db.session.execute(db.select(Attendee).where(Attendee.full_name == "Lê Thị Mai")).scalar_one()
        assert (mai.unit.code, mai.role.code, mai.phone) == ("MAY10", "guest", "0912000111")
        cuong = db.session.execute(db.select(Attendee).where(Attendee.full_name == "Phạm Văn Cường")).scalar_one()
        assert (cuong.unit.code, cuong.phone) == ("DUCGIANG", "02438257700")


def test_legacy_encoded_csv_is_refused_not_stored_garbled(app, client, login_as, sector):
    login_as("organizer")
    data = factories.cp1258("Họ và tên,Vai trò\nTrần Văn Đức,Đại biểu\n")
    response = steps.upload(client, "/attendees", data, "cu.csv")
    assert response.status_code == 422 and "CSV UTF-8" in response.get_data(as_text=True)
    assert count(app) == 0


def test_export_neutralises_formulas(app, client, login_as, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        services.add_attendee(
            festival,
            services.AttendeeInput(
                "=cmd|' /C calc'!A0", services.role_by_code(festival, "guest"), organisation="@SUM(1+1)"
            ),
            by=None,
        )
        db.session.commit()
    login_as("organizer")
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/attendees/export.xlsx").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "'=cmd|' /C calc'!A0" and rows[1][2] == "'@SUM(1+1)"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
