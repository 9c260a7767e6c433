"""Importing a unit's existing register (sổ theo dõi sáng kiến) from a spreadsheet through the four import steps:
numbers, authors and shares, states and decisions, the first year's benefit; all rows or none; each account
into its own unit only; the command line."""

import io
from datetime import date

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from festival.core.extensions import db
from festival.initiatives import register_columns
from festival.models import (
    Application,
    AuditLog,
    AuthorCategory,
    Initiative,
    InitiativeAuthor,
    InitiativeField,
    InitiativeSource,
    InitiativeState,
    RecognitionLevel,
)
from tests.imports.steps import preview_url, problems_on, upload, web_import

BASE = "/initiatives"


def register_file(rows, *, unit_column=True) -> bytes:
    """A unit's register as units keep it: a letterhead, a title, a two-row header, the rows, a totals row and
    a signature block."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Sổ SK 2021"
    sheet.append(["TỔNG CÔNG TY MAY ĐỨC GIANG"])
    sheet.append(["SỔ THEO DÕI SÁNG KIẾN NĂM 2021"])
    sheet.append([])
    top = ["STT", "Đơn vị", "Số đăng ký", "Tên sáng kiến", "Tác giả (tỷ lệ đóng góp)", "Phòng ban, phân xưởng"]
    top += ["Lĩnh vực", "Ngày áp dụng", "Giá trị làm lợi", "Quyết định công nhận", None, "Trạng thái", "Bí mật"]
    sub = [None] * 9 + ["Số quyết định", "Ngày quyết định", None, None]
    if not unit_column:
        top.pop(1)
        sub.pop(1)
    sheet.append(top)
    sheet.append(sub)
    decision = top.index("Quyết định công nhận") + 1
    for column, text in enumerate(top, 1):
        if text is not None and column != decision:
            sheet.merge_cells(start_row=4, start_column=column, end_row=5, end_column=column)
    sheet.merge_cells(start_row=4, start_column=decision, end_row=4, end_column=decision + 1)
    for number, row in enumerate(rows, 1):
        values = list(row)
        if not unit_column:
            values.pop(0)
        sheet.append([number, *values])
    sheet.append([None, "Tổng cộng", None, None, None, None, None, None, "85.000.000"])
    sheet.append([])
    sheet.append([None, None, None, None, None, None, None, None, None, "NGƯỜI LẬP BIỂU", None, "CHỦ TỊCH CÔNG ĐOÀN"])
    sheet.append([None, None, None, None, None, None, None, None, None, "(Ký, ghi rõ họ tên)"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


RECOGNISED = [
    "UNITA",
    12,
    "Cữ gá may nẹp áo",
    "Nguyễn Văn An (Tổ trưởng, 60%); Trần Thị Bình (40%)",
    "Xí nghiệp may 1",
    "Sản xuất, kinh doanh",
    date(2021, 3, 15),
    "85 triệu",
    "25/QĐ-HĐSK",
    "20/12/2021",
    "Đã được công nhận",
    None,
]
APPLIED = [
    "Đức Giang",
    None,
    "Thay đèn LED phân xưởng cắt",
    "Lê Văn Cường",
    "Phân xưởng cắt",
    "an toàn vệ sinh lao động",
    "15/03/2021",
    "không tính được",
    None,
    None,
    "Đang áp dụng",
    None,
]
RECEIVED = [
    "UNITA",
    None,
    "Quy trình giao ca bằng bảng trắng",
    "Phạm Thị Dung; Hoàng Văn Em; Vũ Thị Giang",
    None,
    None,
    None,
    None,
    None,
    None,
    None,
    "x",
]


def initiatives(app):
    with app.app_context():
        found = db.session.execute(sa.select(Initiative).order_by(Initiative.year, Initiative.number)).scalars()
        return [
            (i.unit.code, i.reference, i.title, i.state, i.source, i.entered_by_id, i.is_trade_secret) for i in found
        ]


def test_a_realistic_register_is_imported_end_to_end_through_the_web_steps(app, people, login_as):
    client = login_as("organizer")
    response = web_import(client, BASE, register_file([RECOGNISED, APPLIED, RECEIVED]), "so-sang-kien-2021.xlsx")
    assert response.status_code == 302, problems_on(response)
    assert response.headers["Location"].endswith("/initiatives/")
    rows = initiatives(app)
    organizer = people["ids"]["organizer_user"]
    assert rows == [
        ("UNITA", "SK-2021-012", "Cữ gá may nẹp áo", InitiativeState.RECOGNISED, InitiativeSource.IMPORT,
         organizer, False),
        ("UNITA", "SK-2021-013", "Thay đèn LED phân xưởng cắt", InitiativeState.APPLIED, InitiativeSource.IMPORT,
         organizer, False),
        # No application date: this year's register, whose numbering starts at 1.
        ("UNITA", f"SK-{date.today().year}-001", "Quy trình giao ca bằng bảng trắng", InitiativeState.RECEIVED,
         InitiativeSource.IMPORT, organizer, True),
    ]  # fmt: skip
    with app.app_context():
        recognised = db.session.execute(sa.select(Initiative).where(Initiative.number == 12)).scalar_one()
        assert [(a.full_name, a.job_title, a.share_percent) for a in recognised.authors] == [
            ("Nguyễn Văn An", "Tổ trưởng", 60),
            ("Trần Thị Bình", "", 40),
        ]
        assert recognised.field is InitiativeField.PRODUCTION and recognised.department == "Xí nghiệp may 1"
        assert recognised.first_applied_on == date(2021, 3, 15)
        assert (recognised.decision_number, recognised.decided_on) == ("25/QĐ-HĐSK", date(2021, 12, 20))
        assert recognised.level is RecognitionLevel.BASE and recognised.is_new_in_unit is True
        [benefit] = recognised.benefits
        assert (benefit.year_index, benefit.benefit_vnd, benefit.evaluated_on) == (1, 85_000_000, date(2021, 12, 20))
        applied = db.session.execute(sa.select(Initiative).where(Initiative.number == 13)).scalar_one()
        assert applied.field is InitiativeField.SAFETY and applied.benefit_computable is False
        assert [(b.year_index, b.benefit_vnd) for b in applied.benefits] == [(1, None)]
        assert [(a.full_name, a.share_percent) for a in applied.authors] == [("Lê Văn Cường", 100)]
        received = db.session.execute(sa.select(Initiative).where(Initiative.title.like("Quy trình%"))).scalar_one()
        # Three authors and no shares: an equal split, the remainder to the first.
        assert [a.share_percent for a in received.authors] == [34, 33, 33]
        report = db.session.execute(sa.select(AuditLog).where(AuditLog.action == "initiatives.imported")).scalar_one()
        assert report.after["rows"] == 3 and report.after["file"] == "so-sang-kien-2021.xlsx"
        assert any("Tổng cộng" in str(entry) or entry["reason"] for entry in report.after["skipped"])
        lines = db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "initiative.imported"))
        assert lines == 3
    page = client.get(BASE + "/").get_data(as_text=True)
    assert "SK-2021-012" in page and "Cữ gá may nẹp áo" in page


def test_the_preview_shows_the_rows_as_they_will_be_stored_and_the_equal_split(app, people, login_as):
    client = login_as("organizer")
    url = preview_url(upload(client, BASE, register_file([RECOGNISED, RECEIVED])))
    page = client.get(url).get_data(as_text=True)
    assert "Nguyễn Văn An (60%); Trần Thị Bình (40%)" in page
    assert "85.000.000" in page and "SK-2021-012" in page
    assert "Không ghi tỷ lệ đóng góp: chia đều 34%, 33%, 33%." in page
    assert "Tổng cộng" in page  # the totals row, skipped and said so


def test_a_file_with_one_bad_row_changes_no_row(app, people, login_as):
    client = login_as("organizer")
    bad_shares = list(APPLIED)
    bad_shares[3] = "Lê Văn Cường (70%); Đỗ Thị Hạnh (20%)"
    no_decision_date = list(RECOGNISED)
    no_decision_date[1], no_decision_date[9] = 14, None
    response = web_import(client, BASE, register_file([RECOGNISED, bad_shares, no_decision_date]))
    assert response.status_code == 422
    problems = " ".join(problems_on(response))
    assert "Tổng tỷ lệ đóng góp phải bằng 100% (các tỷ lệ đã ghi cộng lại là 90%)." in problems
    assert "Sáng kiến đã được công nhận cần ngày quyết định." in problems
    assert initiatives(app) == []


def test_numbers_collide_neither_with_existing_rows_nor_within_the_file(app, people, login_as):
    with app.app_context():
        existing = Initiative(unit_id=people["ids"]["unit_a"], year=2021, number=12, title="Đã có")
        existing.authors.append(InitiativeAuthor(full_name="Ai đó", share_percent=100))
        db.session.add(existing)
        db.session.commit()
    client = login_as("organizer")
    twice = list(APPLIED)
    twice[1] = 20
    again = list(RECEIVED)
    again[1], again[6] = 20, "01/06/2021"
    again[10] = "Đã áp dụng"
    response = web_import(client, BASE, register_file([RECOGNISED, twice, again]))
    problems = " ".join(problems_on(response))
    assert "Số SK-2021-012 đã có trong sổ của đơn vị." in problems
    assert "Số 20 lặp lại dòng 7." in problems
    assert len(initiatives(app)) == 1

    # Without the clashes: a given number is kept and the rows without one take the next free numbers after it.
    free = list(RECOGNISED)
    free[1] = None
    response = web_import(client, BASE, register_file([free, twice, APPLIED]))
    assert response.status_code == 302, problems_on(response)
    assert [row[1] for row in initiatives(app)] == ["SK-2021-012", "SK-2021-020", "SK-2021-021", "SK-2021-022"]


def test_a_unit_cannot_import_into_another_unit(app, people, login_as):
    client = login_as("unit_b")
    response = web_import(client, BASE, register_file([RECOGNISED]))
    assert response.status_code == 422
    assert "Bạn chỉ nhập được vào sổ sáng kiến của UNITB (dòng ghi UNITA)." in " ".join(problems_on(response))
    assert initiatives(app) == []


def test_the_support_team_imports_into_its_own_unit_without_a_unit_column(app, people, login_as):
    client = login_as("support_a")
    assert "Nhập từ Excel" in client.get(BASE + "/").get_data(as_text=True)
    response = web_import(client, BASE, register_file([RECOGNISED, APPLIED], unit_column=False))
    assert response.status_code == 302, problems_on(response)
    assert [(row[0], row[1], row[5]) for row in initiatives(app)] == [
        ("UNITA", "SK-2021-012", people["ids"]["support_a_user"]),
        ("UNITA", "SK-2021-013", people["ids"]["support_a_user"]),
    ]


def test_the_template_lists_the_fields_states_and_levels(app, people, login_as):
    client = login_as("unit_a")
    response = client.get(BASE + "/import/template.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Danh sách", "Hướng dẫn"]
    header = [cell.value for cell in book["Danh sách"][1]]
    assert header[:4] == ["Mã đơn vị", "Năm", "Số đăng ký", "Tên sáng kiến"]
    text = " ".join(str(cell.value) for row in book["Hướng dẫn"].iter_rows() for cell in row if cell.value)
    assert "An toàn, vệ sinh lao động và môi trường" in text and "Không được công nhận" in text
    assert "Cấp ngành" in text and "Cán bộ công đoàn" in text


def test_the_command_line_dry_run_writes_nothing_then_imports_into_one_unit(app, people, runner, tmp_path):
    path = tmp_path / "so.xlsx"
    path.write_bytes(register_file([RECOGNISED, APPLIED], unit_column=False))
    result = runner.invoke(args=["initiatives", "import", str(path), "--unit", "UNITA", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run: 2 initiatives would be imported; nothing written." in result.output
    assert "Cữ gá may nẹp áo" in result.output
    assert initiatives(app) == []
    result = runner.invoke(args=["initiatives", "import", str(path)])
    assert result.exit_code == 1  # without --unit, the file must say each row's unit
    assert "Đơn vị" in result.output
    result = runner.invoke(args=["initiatives", "import", str(path), "--unit", "UNITA"])
    assert result.exit_code == 0, result.output
    assert [(row[1], row[5]) for row in initiatives(app)] == [("SK-2021-012", None), ("SK-2021-013", None)]


def test_values_are_read_as_registers_write_them():
    assert register_columns.parse_field("ATVSLĐ") is InitiativeField.SAFETY
    assert register_columns.parse_field("Cải cách hành chính") is InitiativeField.ADMINISTRATION
    assert register_columns.parse_field("4") is InitiativeField.COMMUNITY
    assert register_columns.parse_state("Không được công nhận") is InitiativeState.NOT_RECOGNISED
    assert register_columns.parse_state("đã đề xuất") is InitiativeState.PROPOSED
    assert register_columns.parse_level("Cấp ngành") is RecognitionLevel.SECTOR
    assert register_columns.parse_application("Áp dụng thử") is Application.TRIAL
    assert register_columns.parse_category("CBCĐ") is AuthorCategory.UNION_OFFICER
    assert register_columns.parse_number("SK-2021-015") == (2021, 15)
    authors, _notes = register_columns.parse_authors("Nguyễn Văn A (60%), Trần Thị B - 40%")
    assert [(a.name, a.share) for a in authors] == [("Nguyễn Văn A", 60), ("Trần Thị B", 40)]
    assert register_columns.share_cell(0.6) == 60 and register_columns.share_cell("40%") == 40
    shares, note = register_columns.settle_shares([register_columns.Author("A"), register_columns.Author("B")])
    assert shares == [50, 50] and "chia đều 50%, 50%" in str(note)


def test_the_registers_rules_hold_and_an_old_recognition_is_kept_as_history(app, people, login_as):
    client = login_as("organizer")
    late = list(RECOGNISED)  # decided over a year after the first application (its year: 2019): kept as history
    late[1], late[6], late[9] = 30, date(2019, 1, 10), "01/06/2021"
    received_with_date = list(RECEIVED)
    received_with_date[6], received_with_date[10] = "01/02/2021", "Đã tiếp nhận"
    refused = list(APPLIED)
    refused[10], refused[7] = "Không được công nhận", None
    benefit_too_early = list(RECEIVED)
    benefit_too_early[7] = "10 triệu"
    response = web_import(client, BASE, register_file([late, received_with_date, refused, benefit_too_early]))
    problems = " ".join(problems_on(response))
    assert "Có ngày áp dụng: trạng thái phải là Đã áp dụng, Đã được công nhận hoặc Không được công nhận." in problems
    assert "Sáng kiến không được công nhận cần lý do." in problems
    assert "Chỉ sáng kiến đã áp dụng hoặc đã được công nhận mới ghi giá trị làm lợi." in problems
    assert "Dòng 6" not in problems
    assert initiatives(app) == []
    response = web_import(client, BASE, register_file([late]))
    assert response.status_code == 302, problems_on(response)
    with app.app_context():
        kept = db.session.execute(sa.select(Initiative)).scalar_one()
        assert (kept.reference, kept.state, kept.decided_on) == (
            "SK-2019-030",
            InitiativeState.RECOGNISED,
            date(2021, 6, 1),
        )
