"""Importing exhibits from XLSX/CSV (all or nothing, every bad row reported) and exporting them."""

import csv
import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from festival import demo
from festival.admin import services as admin
from festival.core.extensions import db
from festival.exhibits import services
from festival.models import Exhibit, ExhibitStatus, Festival
from festival.privacy import consent as consents
from tests import factories
from tests.imports import steps

DEMO_CSV = Path(demo.DATA_DIR) / "exhibits.csv"


@pytest.fixture
def sector(app):
    """The demo festival's units and categories, without exhibits."""
    with app.app_context():
        festival = factories.make_festival(edition=3)
        festival.exhibit_quota = 20
        for row in demo.read_rows("units.csv"):
            admin.create_unit(
                row["code"], row["name"], row["short_name"], admin.region_from_text(row["region"]), by=None
            )
        for row in demo.read_rows("categories.csv"):
            services.save_category(festival, None, row["code"], row["name_vi"], row["name_en"], by=None)
        db.session.commit()
        return festival.id


def exhibit_count(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Exhibit))


def xlsx(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_command_imports_the_sample_file(app, runner, sector):
    result = runner.invoke(args=["exhibits", "import", str(DEMO_CSV), "--festival", "3"])
    assert result.exit_code == 0, result.output
    assert "Imported 59 exhibits" in result.output
    with app.app_context():
        exhibit = db.session.execute(db.select(Exhibit).where(Exhibit.ref == "E004")).scalar_one()
        assert exhibit.status is ExhibitStatus.SUBMITTED
        assert exhibit.unit.code == "DUCGIANG" and exhibit.category.code == "CS"
        assert [(a.full_name, a.job_title) for a in exhibit.authors] == [
            ("Ngô Phương Nguyệt", "Quản đốc phân xưởng"),
            ("Phạm Ngọc Oanh", "Quản đốc phân xưởng"),
            ("Đinh Anh Bình", "Kỹ sư công nghệ"),
        ]
        assert exhibit.benefit_vnd == 15_000_000 and exhibit.applied_since == 2021


def test_command_refuses_a_bad_file_with_row_and_column_and_writes_nothing(app, runner, sector, tmp_path):
    rows = list(csv.reader(DEMO_CSV.read_text(encoding="utf-8").splitlines()))
    rows[2][1] = "NOSUCH"  # file row 3, unit_code
    rows[5][5] = "khoảng 85 triệu"  # file row 6, benefit: an estimate, not an amount
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xef\xbb\xbf" + text.getvalue().encode("utf-8"))  # with the BOM Excel writes
    result = runner.invoke(args=["exhibits", "import", str(bad)])
    assert result.exit_code == 1
    assert "Dòng 3, cột B “unit_code”: Không có đơn vị “NOSUCH”." in result.output
    assert "Dòng 6, cột F “benefit_vnd_per_year”: Số tiền không hợp lệ: “khoảng 85 triệu”." in result.output
    assert exhibit_count(app) == 0


def test_command_fails_for_an_unknown_festival(runner, sector):
    result = runner.invoke(args=["exhibits", "import", str(DEMO_CSV), "--festival", "9"])
    assert result.exit_code != 0 and "No such festival" in result.output


def test_web_import_reports_every_bad_row_and_stores_none(app, client, login_as_organizer, sector):
    rows = [
        ["Mã đơn vị", "Mã lĩnh vực", "Tên sáng kiến", "Tác giả", "Giá trị làm lợi (đồng/năm)", "Năm bắt đầu áp dụng"],
        ["MAY10", "KT", "Cữ gá tốt", "Nguyễn Văn A (Thợ may)", 1500000, 2021],
        ["MAY10", "XX", "", "", "-5", 1890],
        ["VIETTIEN", "QT", "Tên hợp lệ", "A; B; C; D; E; F; G", "1.500.000", "2022"],
    ]
    response = steps.web_import(client, "/exhibits", xlsx(rows), "sang-kien.xlsx")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tệp có 6 lỗi; không có dòng nào được nhập." in page
    for row, column in [
        (3, "B “Mã lĩnh vực”"),
        (3, "C “Tên sáng kiến”"),
        (3, "D “Tác giả”"),
        (3, "E “Giá trị làm lợi (đồng/năm)”"),
        (3, "F “Năm bắt đầu áp dụng”"),
        (4, "D “Tác giả”"),
    ]:
        assert f"<td>Sheet</td><td>{row}</td><td>{column}</td>" in page, (row, column)
    assert "Lĩnh vực hợp lệ: KT – Cải tiến kỹ thuật, thiết bị;" in page  # the valid values, once
    assert exhibit_count(app) == 0


def test_web_import_of_the_template_with_a_row_added(app, client, login_as_organizer, sector):
    template = client.get("/exhibits/import/template.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(template.data))
    assert workbook.sheetnames == ["Danh sách", "Hướng dẫn"]
    sheet = workbook["Danh sách"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:5] == ["Mã tham chiếu", "Mã đơn vị", "Mã lĩnh vực", "Tên sáng kiến", "Tác giả"]
    assert sheet.max_row == 1  # no example row to import by mistake
    # The template alone has nothing to import.
    page = client.get(steps.preview_url(steps.upload(client, "/exhibits", template.data))).get_data(True)
    assert "Trang tính “Danh sách” không có dòng dữ liệu nào dưới dòng tiêu đề (dòng 1)." in page
    values = {
        "Mã đơn vị": "May 10",
        "Mã lĩnh vực": "Cải tiến kỹ thuật, thiết bị",
        "Tên sáng kiến": "Cữ gá  may túi tự động",
        "Tác giả": "Nguyễn Văn An - Tổ trưởng, Trần  Thị Bình (Kỹ thuật chuyền)",
        "Giá trị làm lợi (đồng/năm)": "1,5 tỷ",
        "Năm bắt đầu áp dụng": datetime(2021, 3, 15),
    }
    sheet.append([values.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = steps.web_import(client, "/exhibits", buffer.getvalue(), "mau.xlsx")
    assert response.status_code == 302
    with app.app_context():
        exhibit = db.session.execute(db.select(Exhibit)).scalar_one()
        found = (exhibit.title, exhibit.unit.code, exhibit.category.code, exhibit.benefit_vnd, exhibit.applied_since)
        assert found == (
            "Cữ gá may túi tự động",
            "MAY10",
            "KT",
            1_500_000_000,
            2021,
        )
        assert [(a.full_name, a.job_title) for a in exhibit.authors] == [
            ("Nguyễn Văn An", "Tổ trưởng"),
            ("Trần Thị Bình", "Kỹ thuật chuyền"),
        ]


def test_import_refuses_a_legacy_encoded_csv(app, client, login_as_organizer, sector):
    text = "unit_code,category_code,title,authors\nMAY10,KT,Bàn là hơi,Trần Văn Đức\n"
    response = steps.upload(client, "/exhibits", factories.cp1258(text), "cu.csv")
    assert response.status_code == 422 and "CSV UTF-8" in response.get_data(as_text=True)
    assert exhibit_count(app) == 0


def test_import_refuses_duplicate_references_and_over_quota(app, runner, sector, tmp_path):
    with app.app_context():
        db.session.get(Festival, sector).exhibit_quota = 1
        db.session.commit()
    path = tmp_path / "dup.csv"
    path.write_text(
        "ref,unit_code,category_code,title,authors\nX1,MAY10,KT,A,An\nX1,VIETTIEN,KT,B,Bình\nX2,MAY10,KT,C,Cúc\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["exhibits", "import", str(path)])
    assert result.exit_code == 1
    assert "Dòng 3, cột A “ref”: Mã tham chiếu X1 lặp lại dòng 2." in result.output
    assert "Dòng 4, cột B “unit_code”: Đơn vị MAY10 vượt hạn mức 1 sáng kiến." in result.output
    assert exhibit_count(app) == 0


def test_import_twice_refuses_the_second_time(app, runner, sector):
    runner.invoke(args=["exhibits", "import", str(DEMO_CSV)])
    result = runner.invoke(args=["exhibits", "import", str(DEMO_CSV)])
    assert result.exit_code == 1 and "Mã tham chiếu E001 đã có (đã nhập trước đó)." in result.output
    assert exhibit_count(app) == 59


def test_export_round_trip_and_formula_neutralising(app, client, login_as_organizer, sector):
    with app.app_context():
        festival = db.session.get(Festival, sector)
        category = services.category_by_code(festival, "KT")
        unit = admin.list_units()[0]
        factories.make_exhibit(
            festival,
            unit,
            category,
            title='=HYPERLINK("http://evil.example","Bấm")',
            authors=("@SUM(A1)", "-2+3"),
            benefit_vnd=1_500_000,
        )
        factories.make_exhibit(festival, unit, category, title="+cmd|' /C calc'!A0", authors=("Nguyễn Thị Hằng",))
        db.session.commit()
    response = client.get("/exhibits/export.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][7] == "Tên sáng kiến"
    titles = {row[7] for row in rows[1:]}
    assert titles == {'\'=HYPERLINK("http://evil.example","Bấm")', "'+cmd|' /C calc'!A0"}
    assert any(row[8] == "'@SUM(A1); -2+3" for row in rows[1:])
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert 1_500_000 in {row[9] for row in rows[1:]}  # numbers stay numbers


@pytest.fixture
def login_as_organizer(client, auth, app):
    with app.app_context():
        factories.make_user(factories.Role.ORGANIZER, email="boss@example.vn")
        db.session.commit()
    auth.login("boss@example.vn")


def _consents(app, ref):
    with app.app_context():
        exhibit = db.session.execute(db.select(Exhibit).where(Exhibit.ref == ref)).scalar_one()
        return [
            (
                author.full_name,
                [(c.how, c.notice_version) for c in consents.author_consents(exhibit) if c.author == author],
            )
            for author in exhibit.authors
        ]


def test_the_units_declared_consent_column_is_recorded_per_author_as_given_on_the_declaration(
    app, runner, sector, tmp_path
):
    header = ["Mã tham chiếu", "Mã đơn vị", "Mã lĩnh vực", "Tên sáng kiến", "Tác giả", "Đồng ý công khai tên, ảnh"]
    rows = [
        header,
        ["C1", "MAY10", "KT", "Cữ gá may túi", "Nguyễn Văn An; Trần Thị Bình", "Có; Không"],
        ["C2", "MAY10", "KT", "Bàn là hơi", "Lê Văn Cường; Phạm Thị Dung", "có"],  # one answer: every author
        ["C3", "MAY10", "KT", "Máy cắt chỉ", "Đỗ Văn Em", ""],  # empty: no consent, never a default yes
    ]
    path = tmp_path / "consent.xlsx"
    path.write_bytes(xlsx(rows))
    result = runner.invoke(args=["exhibits", "import", str(path), "--festival", "3"])
    assert result.exit_code == 0, result.output
    # under notice version 0: the default text, no edited version published yet
    assert _consents(app, "C1") == [("Nguyễn Văn An", [("import", 0)]), ("Trần Thị Bình", [])]
    assert _consents(app, "C2") == [("Lê Văn Cường", [("import", 0)]), ("Phạm Thị Dung", [("import", 0)])]
    assert _consents(app, "C3") == [("Đỗ Văn Em", [])]


def test_a_consent_answer_that_is_not_yes_or_no_or_not_one_per_author_refuses_the_file(app, runner, sector, tmp_path):
    rows = [
        ["Mã đơn vị", "Mã lĩnh vực", "Tên sáng kiến", "Tác giả", "Đồng ý công khai tên, ảnh"],
        ["MAY10", "KT", "Cữ gá may túi", "Nguyễn Văn An; Trần Thị Bình", "Có; Không; Có"],
        ["MAY10", "KT", "Bàn là hơi", "Lê Văn Cường", "chắc vậy"],
    ]
    path = tmp_path / "consent.xlsx"
    path.write_bytes(xlsx(rows))
    result = runner.invoke(args=["exhibits", "import", str(path), "--festival", "3"])
    assert result.exit_code == 1
    assert "Có 3 câu trả lời cho 2 tác giả" in result.output
    assert "“chắc vậy” không phải Có hoặc Không." in result.output
    assert exhibit_count(app) == 0
