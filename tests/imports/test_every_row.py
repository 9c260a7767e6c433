"""People lists as organisers keep them: a file without a role (or unit) column gets one value for every row, on
the web and on the command line; guests and press of outside organisations in the "Đơn vị" column."""

import io

from openpyxl import Workbook

from festival.core.extensions import db
from festival.models import Attendee, AuditLog
from tests.imports import steps
from tests.imports.conftest import count

DELEGATES = [
    ["STT", "Họ và tên", "Đơn vị", "Chức vụ", "SĐT", "Email"],
    [1, "Nguyễn Văn An", "MAY10", "Chủ tịch Công đoàn", "0912345678", "an@may10.example.vn"],
    [2, "Trần Thị Bình", "Việt Tiến", "Tổ trưởng", "0912345679", "binh@viettien.example.vn"],
]


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Đại biểu"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def people(app) -> dict:
    with app.app_context():
        return {
            a.full_name: (a.role.code, a.unit.code if a.unit else None, a.organisation)
            for a in db.session.execute(db.select(Attendee)).scalars()
        }


def test_a_list_without_a_role_column_is_imported_with_one_role_for_every_row(app, organizer):
    url = steps.preview_url(steps.upload(organizer, "/attendees", xlsx(DELEGATES), "dai-bieu.xlsx"))
    page = organizer.get(url).get_data(as_text=True)
    assert "Chưa có cột nào cho “Vai trò” (bắt buộc)" in page and "hoặc ghi một giá trị chung cho mọi dòng" in page
    assert 'name="fixed-role"' in page and '<option value="Đại biểu"></option>' in page
    assert steps.post_preview(organizer, url, **{"fixed-role": "Đại biểu"}).status_code == 302
    page = organizer.get(url).get_data(as_text=True)
    assert "Chưa có cột nào cho “Vai trò”" not in page
    assert 'name="fixed-role" value="Đại biểu"' in page  # the choice is kept and shown
    assert "<td>Nguyễn Văn An</td><td>MAY10</td><td>Đại biểu</td>" in page
    assert steps.post_preview(organizer, url, "import").status_code == 302
    assert people(app) == {"Nguyễn Văn An": ("delegate", "MAY10", ""), "Trần Thị Bình": ("delegate", "VIETTIEN", "")}
    with app.app_context():
        report = db.session.execute(db.select(AuditLog).where(AuditLog.action == "attendees.imported")).scalar_one()
        assert report.after["every_row"] == {"role": "Đại biểu"}


def test_the_command_line_sets_one_role_for_every_row(app, runner, sector, tmp_path):
    path = tmp_path / "dai-bieu.xlsx"
    path.write_bytes(xlsx(DELEGATES))
    refused = runner.invoke(args=["attendees", "import", str(path), "--dry-run"])
    assert refused.exit_code == 1 and "Chưa có cột nào cho “Vai trò”" in refused.output
    bad = runner.invoke(args=["attendees", "import", str(path), "--set", "full_name=Ai đó"])
    assert bad.exit_code == 2 and "FIELD one of: unit, organisation, role" in bad.output
    result = runner.invoke(args=["attendees", "import", str(path), "--set", "role=Đại biểu"])
    assert result.exit_code == 0, result.output
    assert "(every row)" in result.output and "→ role = Đại biểu" in result.output
    assert {role for role, _unit, _org in people(app).values()} == {"delegate"}


def test_outside_organisations_in_the_unit_column_are_kept_for_guests_and_press_but_not_delegates(app, organizer):
    rows = [
        ["Họ và tên", "Đơn vị", "Vai trò"],
        ["Phạm Thu Hà", "Báo Lao Động", "Phóng viên"],
        ["Lê Văn Cường", "Tập đoàn Dệt May Việt Nam", "Khách mời"],
        ["Đỗ Thị Lan", "May 10", "Khách mời"],
        ["Vũ Văn Nam", "Tập đoàn Dệt May Việt Nam", "Đại biểu"],
    ]
    url = steps.preview_url(steps.upload(organizer, "/attendees", xlsx(rows), "khach.xlsx"))
    page = organizer.get(url).get_data(as_text=True)
    assert "“Báo Lao Động” không phải đơn vị thành viên: ghi là cơ quan (vai trò Phóng viên)." in page
    assert "“Tập đoàn Dệt May Việt Nam” không phải đơn vị thành viên: ghi là cơ quan (vai trò Khách mời)." in page
    assert "Không có đơn vị “Tập đoàn Dệt May Việt Nam”." in page  # the delegate's row
    assert "Vai trò Đại biểu cần một đơn vị thành viên" in page
    assert steps.post_preview(organizer, url, "import").status_code == 422
    assert count(app) == 0
    # Without the delegate, the rest go in: outsiders with their organisation, the member unit as a unit.
    url = steps.preview_url(steps.upload(organizer, "/attendees", xlsx(rows[:4]), "khach.xlsx"))
    assert steps.post_preview(organizer, url, "import").status_code == 302
    assert people(app) == {
        "Phạm Thu Hà": ("press", None, "Báo Lao Động"),
        "Lê Văn Cường": ("guest", None, "Tập đoàn Dệt May Việt Nam"),
        "Đỗ Thị Lan": ("guest", "MAY10", ""),
    }
