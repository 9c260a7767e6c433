"""The import commands take the web's choices as options: --sheet, --map FIELD=COLUMN, --include-row, and
--dry-run, which prints the preview and its problems and writes nothing."""

import io

from openpyxl import Workbook

from festival.core.extensions import db
from festival.models import Attendee, Exhibit
from tests.imports.conftest import count, written


def save(tmp_path, name, *sheets, hidden_rows=()) -> str:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
        for number in hidden_rows:
            sheet.row_dimensions[number].hidden = True
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return str(path)


LIST = [
    ["STT", "Họ tên", "Đơn vị", "Thành phần", "Điện thoại", "Ghi chú"],
    [1, "Nguyễn Văn An", "May 10", "Đại biểu", 912345678, "Báo Lao Động"],
    [2, "Trần Thị Bình", "MAY10", "Khách mời", None, "rút tên"],
    [None, "Cộng", None, None, None, "2 người"],
]


def test_dry_run_prints_the_sheet_columns_rows_and_skipped_rows_and_writes_nothing(app, runner, sector, tmp_path):
    path = save(tmp_path, "ds.xlsx", ("Hướng dẫn", [["Đọc kỹ"]]), ("DS", LIST), hidden_rows=[3])
    before = written(app)
    result = runner.invoke(args=["attendees", "import", path, "--dry-run"])
    assert result.exit_code == 0, result.output
    output = result.output
    assert "ds.xlsx: sheet “DS” (sheets: Hướng dẫn, DS); header row 1; 1 rows to import." in output
    assert "B “Họ tên”" in output and "→ full_name (Họ và tên)" in output
    assert "F “Ghi chú”" in output and "not imported" in output
    assert "3         Dòng bị ẩn trong tệp: 2 | Trần Thị Bình" in output
    assert "4         Dòng tổng cộng: Cộng | 2 người" in output
    assert "  row   full_name | unit | role | phone\n  2     Nguyễn Văn An | MAY10 | Đại biểu | 0912345678\n" in output
    assert "Dry run: 1 attendees would be imported; nothing written." in output
    assert written(app) == before


def test_map_and_include_row_change_what_is_imported(app, runner, sector, tmp_path):
    path = save(tmp_path, "ds.xlsx", ("DS", LIST), hidden_rows=[3])
    result = runner.invoke(
        args=["attendees", "import", path, "--map", "organisation=F", "--map", "phone=", "--include-row", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "Imported 2 attendees into festival 3 (1 rows skipped)." in result.output
    with app.app_context():
        people = {a.full_name: a for a in db.session.execute(db.select(Attendee)).scalars()}
        assert (people["Nguyễn Văn An"].organisation, people["Nguyễn Văn An"].phone) == ("Báo Lao Động", None)
        assert people["Trần Thị Bình"].organisation == "rút tên"


def test_map_by_header_text_and_field_label(app, runner, sector, tmp_path):
    path = save(tmp_path, "ds.xlsx", ("DS", LIST))
    result = runner.invoke(args=["attendees", "import", path, "--map", "Cơ quan=ghi chu", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "F “Ghi chú”" in result.output and "→ organisation (Cơ quan)" in result.output


def test_dry_run_exits_1_and_lists_the_problems(app, runner, sector, tmp_path):
    rows = [
        ["Họ và tên", "Vai trò", "SĐT"],
        ["Lê Thị Mai", "Siêu sao", "0912345678"],
        ["Đỗ Văn Hùng", "Khách mời", "0912345678"],
    ]
    path = save(tmp_path, "loi.xlsx", ("Danh sách", rows))
    result = runner.invoke(args=["attendees", "import", path, "--dry-run"])
    assert result.exit_code == 1
    assert "Problems: 2; nothing would be imported." in result.output
    assert "Trang tính “Danh sách”, dòng 2, cột B “Vai trò”: Không có vai trò “Siêu sao”." in result.output
    assert "Trang tính “Danh sách”, dòng 3, cột C “SĐT”: Trùng với dòng 2 (0912345678)." in result.output
    assert "B “Vai trò”: Vai trò hợp lệ: Đại biểu, Giám khảo" in result.output
    assert count(app) == 0


def test_an_import_with_problems_is_refused_and_writes_nothing(app, runner, sector, tmp_path):
    rows = [["Họ và tên", "Vai trò"], ["Lê Thị Mai", "Đại biểu"], ["", "Khách mời"]]
    path = save(tmp_path, "loi.xlsx", ("DS", rows))
    before = written(app)
    result = runner.invoke(args=["attendees", "import", path])
    assert result.exit_code == 1
    assert "Refused: Tệp có 1 lỗi; không có dòng nào được nhập." in result.output
    assert "Trang tính “DS”, dòng 3, cột A “Họ và tên”: Chưa có họ và tên." in result.output
    assert written(app) == before


def test_sheet_chooses_another_sheet_by_name_or_number(app, runner, sector, tmp_path):
    path = save(
        tmp_path,
        "hai.xlsx",
        ("Đại biểu", [["Họ và tên", "Vai trò"], ["Lê Thị Mai", "Đại biểu"]]),
        ("Khách", [["Họ và tên", "Vai trò"], ["Đỗ Văn Hùng", "Khách mời"], ["Phạm Thu Hà", "Phóng viên"]]),
    )
    result = runner.invoke(args=["attendees", "import", path, "--sheet", "khach", "--dry-run"])
    assert result.exit_code == 0 and "sheet “Khách”" in result.output and "2 rows to import" in result.output
    result = runner.invoke(args=["attendees", "import", path, "--sheet", "2"])
    assert result.exit_code == 0 and "Imported 2 attendees" in result.output
    result = runner.invoke(args=["attendees", "import", path, "--sheet", "Tổng hợp"])
    assert result.exit_code == 2 and "no sheet 'Tổng hợp'; the file's sheets: “Đại biểu”, “Khách”" in result.output


def test_unknown_fields_and_columns_are_named(app, runner, sector, tmp_path):
    path = save(tmp_path, "ds.xlsx", ("DS", LIST))
    result = runner.invoke(args=["attendees", "import", path, "--map", "chức vụ=B"])
    assert result.exit_code == 2 and "no field 'chức vụ'; fields: full_name, family_name" in result.output
    result = runner.invoke(args=["attendees", "import", path, "--map", "phone=Số di động"])
    assert result.exit_code == 2 and "no column 'Số di động'; columns: A “STT”, B “Họ tên”" in result.output
    result = runner.invoke(args=["attendees", "import", path, "--map", "phone"])
    assert result.exit_code == 2 and "is not FIELD=COLUMN" in result.output


def test_an_unreadable_file_is_refused_with_how_to_save_it(app, runner, sector, tmp_path):
    path = tmp_path / "cu.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    result = runner.invoke(args=["exhibits", "import", str(path)])
    assert result.exit_code == 1 and "Refused: Tệp Excel 97-2003 (.xls)" in result.output
    assert "LibreOffice Calc" in result.output


def test_exhibits_dry_run_and_import_with_a_money_unit_in_the_header(app, runner, sector, tmp_path):
    rows = [
        ["Mã", "Đơn vị", "Lĩnh vực", "Tên giải pháp", "Tác giả", "Giá trị làm lợi (triệu đồng)"],
        ["SK-01", "Việt Tiến", "QT", "Nhuộm vải ở nhiệt độ thấp", "Tạ Hữu Bình (Thợ cơ điện)", 40],
    ]
    path = save(tmp_path, "sk.xlsx", ("SK", rows))
    result = runner.invoke(args=["exhibits", "import", path, "--map", "ref=A", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "→ benefit (Giá trị làm lợi) [triệu đồng]" in result.output and "40.000.000 ₫" in result.output
    result = runner.invoke(args=["exhibits", "import", path, "--map", "ref=A"])
    assert result.exit_code == 0 and "Imported 1 exhibits into festival 3 (0 rows skipped)." in result.output
    with app.app_context():
        exhibit = db.session.execute(db.select(Exhibit)).scalar_one()
        assert (exhibit.ref, exhibit.unit.code, exhibit.benefit_vnd) == ("SK-01", "VIETTIEN", 40_000_000)
