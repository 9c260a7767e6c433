"""Finding the table in an organizer's workbook: the sheet, the header row (two rows combined), headers matched
through aliases, the mapping guessed, and the rows that are not data skipped with their reason."""

import io

import pytest
from openpyxl import Workbook

from festival.spreadsheets import Field, read_workbook
from festival.spreadsheets.skipping import classify
from festival.spreadsheets.tables import (
    Aliases,
    best_sheet,
    find_sheet,
    guess_mapping,
    header_key,
    header_scale,
    read_table,
    sheet_choices,
)

FIELDS = [
    Field("name", "Họ và tên", ["Họ và tên", "Họ tên", "full_name"], required=True),
    Field("unit", "Đơn vị", ["Mã đơn vị", "Đơn vị", "Tên đơn vị"]),
    Field("role", "Vai trò", ["Vai trò", "Thành phần"], required=True),
    Field("phone", "Số điện thoại", ["Số điện thoại", "Điện thoại", "SĐT", "Số ĐT"]),
    Field("email", "E-mail", ["E-mail", "Email", "Địa chỉ email"]),
    Field("benefit", "Giá trị làm lợi", ["Giá trị làm lợi"], money=True),
]


def workbook(*sheets, build=None) -> bytes:
    """An XLSX of (title, rows) sheets; `build(book)` may add merges, hidden rows…"""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    if build:
        build(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table_of(data, sheet=None):
    book = read_workbook(data)
    chosen = find_sheet(book, sheet) if sheet else best_sheet(book, FIELDS)
    return read_table(chosen, FIELDS)


def rows_and_skipped(data, include=(), examples=()):
    table = table_of(data)
    mapping = guess_mapping(table, FIELDS)
    rows, skipped = classify(table, mapping, include=include, examples=examples)
    return table, mapping, rows, skipped


# ---------------------------------------------------------------- header text


@pytest.mark.parametrize(
    "text, key",
    [
        ("Họ và tên\n(ghi đầy đủ)", "ho va ten"),
        ("HỌ VÀ TÊN *", "ho va ten"),
        ("  Họ   và tên: ", "ho va ten"),
        ("1. Họ và tên", "ho va ten"),
        ("Tác giả (Họ tên (chức danh); …)", "tac gia"),
        ("Giá trị làm lợi (triệu đồng/năm)", "gia tri lam loi"),
        ("Số ĐT", "so dt"),
        ("E-mail", "e mail"),
        ("Tên sáng kiến/giải pháp", "ten sang kien giai phap"),
    ],
)
def test_header_text_is_compared_without_accents_case_spacing_or_explanations(text, key):
    assert header_key(text) == key


@pytest.mark.parametrize(
    "text, scale",
    [
        ("Giá trị làm lợi (triệu đồng/năm)", 1_000_000),
        ("Giá trị làm lợi\n(Tr.đ)", 1_000_000),
        ("Giá trị làm lợi (nghìn đồng)", 1_000),
        ("Giá trị làm lợi (tỷ đồng)", 1_000_000_000),
        ("Giá trị làm lợi (đồng/năm)", 1),
        ("Giá trị làm lợi (VNĐ)", 1),
        ("Giá trị làm lợi", None),
    ],
)
def test_money_units_are_read_from_the_header(text, scale):
    assert header_scale(text) == scale


def test_aliases_match_spellings_then_headers_that_start_with_one():
    aliases = Aliases(FIELDS)
    assert aliases.match("SĐT")[0] == "phone"
    assert aliases.match("Địa chỉ email")[0] == "email"
    assert aliases.match("Điện thoại liên hệ")[0] == "phone"  # starts with a spelling: less sure
    assert aliases.match("Điện thoại liên hệ")[1] < aliases.match("Điện thoại")[1]
    assert aliases.match("Họ và tên\n(ghi đầy đủ, có dấu)")[0] == "name"
    assert aliases.match("Ghi chú") is None
    # The template's own spelling is surer than another one, so it wins a tie between two columns.
    assert aliases.match("Mã đơn vị")[1] > aliases.match("Tên đơn vị")[1]


# ---------------------------------------------------------------- sheet and header row


def test_the_sheet_behind_an_instructions_sheet_is_found_and_named():
    data = workbook(
        ("Hướng dẫn", [["Hướng dẫn điền danh sách"], ["Họ và tên: ghi đầy đủ"], ["Vai trò: Đại biểu, Khách mời"]]),
        ("Danh sách", [["Họ và tên", "Vai trò", "SĐT"], ["Lê Thị Mai", "Đại biểu", "0912345678"]]),
    )
    table = table_of(data)
    assert table.sheet.name == "Danh sách" and table.header_rows == (1,)
    choices = sheet_choices(read_workbook(data), FIELDS)
    assert [(choice.name, choice.matched) for choice in choices] == [("Hướng dẫn", 1), ("Danh sách", 3)]
    assert table_of(data, sheet="huong dan").sheet.name == "Hướng dẫn"  # the organizer may pick another
    assert table_of(data, sheet="1").sheet.name == "Hướng dẫn"


def test_a_hidden_sheet_loses_to_a_visible_one_that_matches_as_well():
    def hide(book):
        book["Cũ"].sheet_state = "hidden"

    rows = [["Họ và tên", "Vai trò"], ["A", "Đại biểu"]]
    assert table_of(workbook(("Cũ", rows), ("Mới", rows), build=hide)).sheet.name == "Mới"


def test_a_title_row_with_label_cells_is_not_taken_for_the_header():
    data = workbook(
        (
            "DS",
            [
                ["CÔNG ĐOÀN DỆT MAY VIỆT NAM"],
                ["Đơn vị", "Tổng Công ty May 10 – CTCP"],
                ["DANH SÁCH ĐẠI BIỂU THAM DỰ NGÀY HỘI"],
                [],
                ["STT", "Họ và tên", "Đơn vị", "Vai trò", "SĐT"],
                [1, "Lê Thị Mai", "MAY10", "Đại biểu", "0912345678"],
            ],
        )
    )
    table, mapping, rows, _skipped = rows_and_skipped(data)
    assert table.header_rows == (5,)
    assert mapping == {1: "name", 2: "unit", 3: "role", 4: "phone"}
    assert [row.number for row in rows] == [6]
    assert table.columns[0].is_ordinal and 0 not in mapping  # STT is never imported


def test_a_two_row_header_with_a_merged_group_label_is_combined():
    def merge(book):
        sheet = book["DS"]
        sheet.merge_cells("A1:A2")
        sheet.merge_cells("B1:B2")
        sheet.merge_cells("C1:D1")

    data = workbook(
        (
            "DS",
            [
                ["Họ và tên", "Vai trò", "Thông tin liên hệ", None],
                [None, None, "Điện thoại", "E-mail"],
                ["Lê Thị Mai", "Đại biểu", "0912345678", "mai@may10.vn"],
            ],
        ),
        build=merge,
    )
    table, mapping, rows, _skipped = rows_and_skipped(data)
    assert table.header_rows == (1, 2)
    assert [column.header for column in table.columns] == [
        "Họ và tên",
        "Vai trò",
        "Thông tin liên hệ › Điện thoại",
        "Thông tin liên hệ › E-mail",
    ]
    assert mapping == {0: "name", 1: "role", 2: "phone", 3: "email"}
    assert rows[0].values["email"] == "mai@may10.vn"


def test_a_two_row_header_without_merges_is_combined_too():
    data = "Họ và tên,Vai trò,Thông tin liên hệ,\n,,Điện thoại,E-mail\nLê Thị Mai,Đại biểu,0912345678,m@x.vn\n"
    table, mapping, rows, _skipped = rows_and_skipped(data.encode())
    assert table.header_rows == (1, 2) and mapping == {0: "name", 1: "role", 2: "phone", 3: "email"}
    assert [row.number for row in rows] == [3]


def test_a_first_data_row_is_never_swallowed_as_a_second_header_row():
    data = "Họ và tên,Vai trò,Ghi chú\nLê Thị Mai,Đại biểu,Email\nTrần Văn Ba,Khách mời,\n"
    table, _mapping, rows, _skipped = rows_and_skipped(data.encode())
    assert table.header_rows == (1,) and [row.number for row in rows] == [2, 3]


def test_without_a_recognised_header_the_first_row_stands_and_nothing_is_mapped():
    table, mapping, _rows, _skipped = rows_and_skipped("Cột 1,Cột 2\nA,B\n".encode())
    assert table.header_rows == (1,) and mapping == {} and [c.header for c in table.columns] == ["Cột 1", "Cột 2"]


def test_a_column_with_data_but_no_header_is_offered_for_mapping():
    table = table_of("Họ và tên,Vai trò,\nLê Thị Mai,Đại biểu,0912345678\n".encode())
    assert [(column.letter, column.header) for column in table.columns] == [
        ("A", "Họ và tên"),
        ("B", "Vai trò"),
        ("C", ""),
    ]


def test_the_same_headers_give_the_same_signature():
    first = table_of("Họ và tên,SĐT\nA,1\n".encode())
    again = table_of(workbook(("X", [["HỌ VÀ TÊN", "sđt"], ["B", 2]])))
    other = table_of("Họ và tên,E-mail\nA,a@b.vn\n".encode())
    assert first.signature == again.signature != other.signature


# ---------------------------------------------------------------- rows that are not data


def official_list(build=None) -> bytes:
    """A list as trade-union offices send them: letterhead, title, header, column numbers, a group heading,
    people (one hidden, one repeated header), a total, notes and the signature block."""
    rows = [
        ["CÔNG ĐOÀN TỔNG CÔNG TY MAY 10", None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["DANH SÁCH ĐẠI BIỂU"],
        ["STT", "Họ và tên", "Đơn vị", "Vai trò", "SĐT"],  # 3
        ["(1)", "(2)", "(3)", "(4)", "(5)"],  # 4: column numbers
        ["I", "Khối sản xuất"],  # 5: a group heading
        [1, "Nguyễn Văn An", "MAY10", "Đại biểu", "0912345678"],  # 6
        [2, "Trần Thị Bình", "MAY10", "Đại biểu", "0912345679"],  # 7: hidden (withdrew)
        [3],  # 8: a number and nothing else
        [],  # 9: blank
        ["STT", "Họ và tên", "Đơn vị", "Vai trò", "SĐT"],  # 10: the header again (page 2)
        [4, "Lê Văn Cường", "MAY10", "Khách mời", None],  # 11
        [None, "Tổng cộng: 3 người", None, None, None],  # 12
        ["Ghi chú: danh sách gửi trước ngày 10/6."],  # 13
        [None, None, None, "Hà Nội, ngày 15 tháng 6 năm 2025"],  # 14
        [None, "Người lập biểu", None, "TM. BAN THƯỜNG VỤ"],  # 15
        [None, None, None, "CHỦ TỊCH"],  # 16
        [None, "Phạm Thu Hà", None, "Đỗ Văn Hùng"],  # 17
    ]

    def details(book):
        book["DS"].row_dimensions[7].hidden = True
        if build:
            build(book)

    return workbook(("DS", rows), build=details)


def test_totals_signatures_headings_notes_hidden_and_blank_rows_are_skipped_with_reasons():
    _table, _mapping, rows, skipped = rows_and_skipped(official_list())
    assert [row.number for row in rows] == [6, 11]
    assert [(entry.rows, entry.reason) for entry in skipped] == [
        ("4", "column_numbers"),
        ("5", "heading"),
        ("7", "hidden"),
        ("8–9", "blank"),
        ("10", "repeated_header"),
        ("12", "total"),
        ("13", "note"),
        ("14", "signature"),
        ("15", "signature"),
        ("16", "signature"),
        ("17", "signature"),
    ]
    hidden = skipped[2]
    assert hidden.includable and "Trần Thị Bình" in hidden.text
    assert not skipped[3].includable and not skipped[4].includable  # blank rows and repeated headers never


def test_a_hidden_row_is_imported_when_the_organizer_includes_it():
    _table, _mapping, rows, skipped = rows_and_skipped(official_list(), include={7, 8})
    assert [(row.number, row.hidden) for row in rows] == [(6, False), (7, True), (11, False)]
    assert "hidden" not in {entry.reason for entry in skipped}
    assert ("8–9", "blank") in {(entry.rows, entry.reason) for entry in skipped}  # a blank row is never included


def test_a_heading_merged_across_the_table_is_skipped():
    def merge(book):
        book["DS"].merge_cells("A3:D3")

    rows = [["Họ và tên", "Đơn vị", "Vai trò", "SĐT"], ["Lê Thị Mai", "MAY10", "Đại biểu", "1"], ["KHỐI HÀ NỘI"]]
    _table, _mapping, rows, skipped = rows_and_skipped(workbook(("DS", rows), build=merge))
    assert [row.number for row in rows] == [2] and [(s.rows, s.reason) for s in skipped] == [("3", "heading")]


def test_a_unit_merged_down_its_people_counts_for_each_of_them():
    def merge(book):
        book["DS"].merge_cells("B2:B4")

    rows = [
        ["Họ và tên", "Đơn vị", "Vai trò"],
        ["Lê Thị Mai", "May 10", "Đại biểu"],
        ["Trần Văn Ba", None, "Đại biểu"],
        ["Đỗ Thị Hà", None, "Khách mời"],
    ]
    _table, _mapping, rows, _skipped = rows_and_skipped(workbook(("DS", rows), build=merge))
    assert [row["unit"] for row in rows] == ["May 10", "May 10", "May 10"]


def test_the_templates_example_row_is_skipped_by_its_values_or_a_marker():
    rows = [
        ["Họ và tên", "Vai trò", "Email"],
        ["Nguyễn Thị Hằng", "Đại biểu", "hang.nt@may10.example.vn"],  # the old template's example
        ["Ví dụ: Nguyễn Văn A", "Đại biểu", ""],
        ["Lê Thị Mai", "Đại biểu", "mai@may10.vn"],
    ]
    examples = [{"name": "Nguyễn Thị Hằng", "email": "hang.nt@may10.example.vn"}]
    _table, _mapping, rows, skipped = rows_and_skipped(workbook(("DS", rows)), examples=examples)
    assert [row.number for row in rows] == [4]
    assert [(s.rows, s.reason) for s in skipped] == [("2", "example"), ("3", "example")]


def test_a_row_with_data_only_in_columns_not_imported_is_listed_not_dropped_silently():
    rows = [["Họ và tên", "Vai trò", "Ghi chú"], ["Lê Thị Mai", "Đại biểu", None], [None, None, "xem lại danh sách"]]
    _table, _mapping, rows, skipped = rows_and_skipped(workbook(("DS", rows)))
    assert [(s.rows, s.reason, s.text) for s in skipped] == [("3", "unused_only", "xem lại danh sách")]


@pytest.mark.parametrize(
    "text",
    [
        "Tổng hợp số liệu năng suất chuyền may",  # a title that starts like "Tổng"
        "Cộng đồng xanh",
        "Chủ tịch công đoàn cơ sở",  # a job, not a signature
        "Giải pháp áp dụng từ ngày 15 tháng 3 năm 2021 tại xưởng may",  # a date inside a sentence
        "Người lập kế hoạch sản xuất",
    ],
)
def test_data_that_only_resembles_a_total_or_a_signature_is_kept(text):
    rows = [["Họ và tên", "Vai trò"], [text, "Đại biểu"], ["Lê Thị Mai", "Đại biểu"]]
    _table, _mapping, rows, skipped = rows_and_skipped(workbook(("DS", rows)))
    assert [row.number for row in rows] == [2, 3] and skipped == []


@pytest.mark.parametrize(
    "text",
    ["Kỹ sư năng lượng", "KT - Cải tiến kỹ thuật", "KT.01", "Tl", "Ký túc xá công nhân"],
)
def test_jobs_and_codes_that_start_like_a_signature_line_are_kept(text):
    rows = [["Họ và tên", "Vai trò", "Ghi chú"], ["Lê Thị Mai", "Đại biểu", text], ["Trần Văn Ba", "Khách mời", None]]
    _table, _mapping, rows, skipped = rows_and_skipped(workbook(("DS", rows)))
    assert [row.number for row in rows] == [2, 3] and skipped == []
