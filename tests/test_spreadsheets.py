"""Reading uploads as Excel really writes them (and refusing what cannot be read), writing exports no
spreadsheet will run as formulas, and the templates with their instructions sheet."""

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from festival.spreadsheets import (
    Field,
    ImportRejected,
    RowProblem,
    RowProblems,
    SpreadsheetError,
    neutralise,
    read_workbook,
    template_xlsx,
    write_csv,
    write_xlsx,
)
from festival.spreadsheets import reading as spreadsheets
from festival.spreadsheets.skipping import classify
from festival.spreadsheets.tables import best_sheet, guess_mapping, mapping_problems, read_table
from festival.util.formatting import parse_vnd
from tests import factories

COLUMNS = [
    Field("unit_code", "Mã đơn vị", ["Mã đơn vị", "unit_code", "Unit code"], required=True),
    Field("name", "Họ và tên", ["Họ và tên", "name", "Full name"], required=True),
    Field("amount", "Số tiền", ["Số tiền", "amount"]),
    Field("birthday", "Ngày sinh", ["Ngày sinh", "birthday"]),
]


@dataclass
class Rows:
    """What an import of `data` would read: its data rows, the mapping guessed, the table and its problems."""

    rows: list
    mapping: dict
    problems: list
    table: object

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        return self.rows[index]


def read_table_rows(data, columns=COLUMNS, **limits) -> Rows:
    """The rows of the best sheet under its header, every field key present (None when empty)."""
    workbook = read_workbook(data, **limits)
    table = read_table(best_sheet(workbook, columns), columns)
    mapping = guess_mapping(table, columns)
    rows, _skipped = classify(table, mapping)
    for row in rows:
        for column in columns:
            row.values.setdefault(column.key, None)
    return Rows(rows, mapping, mapping_problems(table, columns, mapping), table)


DANGEROUS = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", "－1"]


def xlsx(*rows, sheet=None) -> bytes:
    """A workbook saved by openpyxl; an empty tuple leaves that spreadsheet row blank."""
    workbook = Workbook()
    worksheet = workbook.active
    for row in rows:
        worksheet.append(list(row))
    if sheet:
        sheet(worksheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def replace_member(archive: bytes, name: str, chunks) -> bytes:
    """The same zip with one member (added if new) streamed from `chunks`, never held whole in memory."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info.filename, source.read(info.filename))
        with target.open(name, "w", force_zip64=True) as member:
            for chunk in chunks:
                member.write(chunk)
    return buffer.getvalue()


def sheet_xml(rows_xml, dimension="A1:B3"):
    yield (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>'
    ).encode()
    yield from (part.encode() for part in rows_xml)
    yield b"</sheetData></worksheet>"


def inline(row, column, text):
    return f'<c r="{column}{row}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_xml():
    return f'<row r="1">{inline(1, "A", "Mã đơn vị")}{inline(1, "B", "Họ và tên")}</row>'


def refusal(app, data, columns=COLUMNS, **limits) -> str:
    with app.app_context():
        with pytest.raises(SpreadsheetError) as error:
            read_workbook(data, **limits)
        return str(error.value.message)


# ---------------------------------------------------------------- XLSX as Excel writes it


def test_xlsx_values_are_typed_stripped_nfc_and_numbered_as_excel_shows_them():
    nfd_name = unicodedata.normalize("NFD", "Nguyễn Thị Hoà")
    data = xlsx(
        ["MÃ ĐƠN VỊ", "HỌ VÀ TÊN", "SỐ TIỀN", "NGÀY SINH", "Ghi chú"],
        ["  THPT01 ", nfd_name, 1500000.0, datetime(2008, 5, 17), "bỏ qua"],
        (),
        ["THPT02", "Trần Văn Đức", 2500000.5, None, None],
        ["THPT03", "   ", None, None, None],
    )
    rows = read_table_rows(data, COLUMNS)

    assert [row.number for row in rows] == [2, 4, 5]  # row 3 is blank
    first = rows[0]
    assert first.values == {
        "unit_code": "THPT01",
        "name": "Nguyễn Thị Hoà",
        "amount": 1500000,
        "birthday": datetime(2008, 5, 17),
    }
    assert first["name"] == unicodedata.normalize("NFC", nfd_name) != nfd_name
    assert isinstance(first["amount"], (int, float)) and parse_vnd(first["amount"]) == 1_500_000
    assert rows[1]["amount"] == 2500000.5
    assert rows[2]["name"] is None  # whitespace-only cell is empty
    assert set(rows.mapping.values()) == {"unit_code", "name", "amount", "birthday"}
    headers = [column.header for column in rows.table.columns]
    assert headers == ["MÃ ĐƠN VỊ", "HỌ VÀ TÊN", "SỐ TIỀN", "NGÀY SINH", "Ghi chú"]


def test_title_rows_above_the_header_keep_true_row_numbers():
    data = xlsx(
        (),
        ["DANH SÁCH ĐĂNG KÝ THAM GIA NGÀY HỘI"],
        ["Mã đơn vị", "Họ và tên"],
        ["THPT01", "Lê Thị Mai"],
    )
    rows = read_table_rows(data, COLUMNS)
    assert [(row.number, row["unit_code"], row["name"]) for row in rows] == [(4, "THPT01", "Lê Thị Mai")]


def test_absent_optional_columns_read_as_none_and_are_not_mapped():
    rows = read_table_rows(xlsx(["unit_code", "name"], ["A", "B"]), COLUMNS)
    assert rows[0].values == {"unit_code": "A", "name": "B", "amount": None, "birthday": None}
    assert rows.mapping == {0: "unit_code", 1: "name"}


def test_a_sheet_declaring_a_huge_dimension_is_read_by_its_real_rows():
    rows_xml = [header_xml(), f'<row r="2">{inline(2, "A", "A01")}{inline(2, "B", "Mai")}</row>']
    data = replace_member(xlsx(["x"]), "xl/worksheets/sheet1.xml", sheet_xml(rows_xml, "A1:XFD1048576"))
    rows = read_table_rows(data, COLUMNS)
    assert [(row.number, row["unit_code"]) for row in rows] == [(2, "A01")]


def test_too_many_rows_are_refused_before_reading_them_all(app):
    data = xlsx(["Mã đơn vị", "Họ và tên"], *[[f"U{i}", "Tên"] for i in range(400)])
    assert len(read_table_rows(data, COLUMNS, max_rows=400)) == 400
    with app.app_context():
        sheet = read_workbook(data, max_rows=100).sheets[0]
        assert sheet.overflow == 100 and len(sheet.rows) < 401  # read no further than needed
        assert "hơn 100 dòng dữ liệu" in str(spreadsheets.too_many_rows(sheet.overflow))


def test_a_sheet_with_a_million_rows_is_read_only_in_part(app):
    rows_xml = (f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 1_000_001))
    data = replace_member(xlsx(["x"]), "xl/worksheets/sheet1.xml", sheet_xml([header_xml(), *rows_xml], "A1:B1000000"))
    sheet = read_workbook(data).sheets[0]
    assert sheet.overflow == 5000 and len(sheet.rows) == 5000 + spreadsheets.EXTRA_ROWS


def test_a_lone_cell_a_million_rows_down_is_read_without_walking_the_gap():
    rows_xml = [
        header_xml(),
        f'<row r="2">{inline(2, "A", "A01")}</row>',
        f'<row r="1048576">{inline(1048576, "A", "x")}</row>',
    ]
    data = replace_member(xlsx(["x"]), "xl/worksheets/sheet1.xml", sheet_xml(rows_xml))
    assert [(row.number, row["unit_code"]) for row in read_table_rows(data)] == [(2, "A01"), (1048576, "x")]


def test_a_sheet_padded_with_blank_styled_rows_is_refused(app):
    rows_xml = [header_xml()] + [f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(2, 50_003)]
    data = replace_member(xlsx(["x"]), "xl/worksheets/sheet1.xml", sheet_xml(rows_xml))
    assert "dòng trống" in refusal(app, data)


def test_extensions_openpyxl_drops_do_not_stop_the_import():
    validation = (
        '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        '<x14:dataValidations count="0"/></ext></extLst>'
    )
    rows_xml = [header_xml(), f'<row r="2">{inline(2, "A", "A01")}{inline(2, "B", "Mai")}</row>']
    parts = list(sheet_xml(rows_xml))
    parts[-1] = b"</sheetData>" + validation.encode() + b"</worksheet>"
    data = replace_member(xlsx(["x"]), "xl/worksheets/sheet1.xml", parts)
    with pytest.warns(UserWarning):  # openpyxl does warn, outside the reader
        list(load_workbook(io.BytesIO(data), read_only=True).worksheets[0].values)
    assert [row["unit_code"] for row in read_table_rows(data, COLUMNS)] == ["A01"]


# ---------------------------------------------------------------- hostile or wrong files


def zeros(megabytes):
    chunk = bytes(1024 * 1024)
    return (chunk for _ in range(megabytes))


def test_zip_bomb_is_refused_before_decompressing(app, monkeypatch):
    bomb = replace_member(xlsx(["Mã đơn vị", "Họ và tên"], ["A", "B"]), "xl/worksheets/sheet1.xml", zeros(200))
    assert len(bomb) < 1024 * 1024  # 200 MB of zeros deflates to a few hundred kB

    def must_not_open(*args, **kwargs):
        raise AssertionError("openpyxl was asked to open the bomb")

    monkeypatch.setattr(spreadsheets, "load_workbook", must_not_open)
    assert "giải nén lớn hơn 60 MB" in refusal(app, bomb)


def test_a_member_with_an_absurd_compression_ratio_is_refused(app):
    bomb = replace_member(xlsx(["Mã đơn vị", "Họ và tên"], ["A", "B"]), "xl/media/image1.png", zeros(20))
    assert "cấu trúc bất thường" in refusal(app, bomb)


def test_the_unpacked_size_limit_is_a_parameter(app):
    data = xlsx(["Mã đơn vị", "Họ và tên"], ["A", "B"])
    assert read_table_rows(data, COLUMNS)
    assert "giải nén lớn hơn" in refusal(app, data, max_unpacked=1000)


XXE = '<!DOCTYPE worksheet [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY e0 "ha">'
    + "".join(f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, 10))
    + '<!ENTITY e "&e9;">]>'
)


@pytest.mark.parametrize("doctype", [XXE, LAUGHS], ids=["external entity", "billion laughs"])
def test_xml_entities_in_a_worksheet_are_refused_not_expanded(app, doctype):
    rows_xml = [header_xml(), f'<row r="2">{inline(2, "A", "A01")}{inline(2, "B", "&e;")}</row>']
    chunks = list(sheet_xml(rows_xml))
    chunks[0] = chunks[0].replace(b"<worksheet", doctype.encode() + b"<worksheet", 1)
    data = replace_member(xlsx(["x"]), "xl/worksheets/sheet1.xml", chunks)
    assert "Không đọc được tệp Excel" in refusal(app, data)


@pytest.mark.parametrize("doctype", [XXE, LAUGHS], ids=["external entity", "billion laughs"])
def test_xml_entities_in_the_workbook_part_are_refused_not_expanded(app, doctype):
    data = xlsx(["Mã đơn vị", "Họ và tên"], ["A01", "Mai"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook_xml = archive.read("xl/workbook.xml")
    patched = workbook_xml.replace(b"<workbook", doctype.replace("worksheet", "workbook").encode() + b"<workbook", 1)
    patched = patched.replace(b'name="Sheet"', b'name="&e;"', 1)
    assert "Không đọc được tệp Excel" in refusal(app, replace_member(data, "xl/workbook.xml", [patched]))


def test_a_zip_lying_about_its_sizes_is_still_refused(app):
    data = replace_member(xlsx(["Mã đơn vị", "Họ và tên"], ["A", "B"]), "xl/worksheets/sheet1.xml", zeros(50))
    # Shrink every declared uncompressed size in the central directory to 1000 bytes.
    patched = bytearray(data)
    start = data.find(b"PK\x01\x02")
    while start != -1:
        if patched[start + 24 : start + 28] == b"\xff\xff\xff\xff":  # ZIP64: the size lives in the extra field
            name_length = int.from_bytes(patched[start + 28 : start + 30], "little")
            extra = start + 46 + name_length
            patched[extra + 4 : extra + 12] = (1000).to_bytes(8, "little")
        else:
            patched[start + 24 : start + 28] = (1000).to_bytes(4, "little")
        start = data.find(b"PK\x01\x02", start + 4)
    assert "Không đọc được tệp Excel" in refusal(app, bytes(patched))


def test_a_zip_that_is_not_a_workbook_is_refused(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    assert "Không đọc được tệp Excel" in refusal(app, buffer.getvalue())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    assert "OpenDocument" in refusal(app, buffer.getvalue())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    assert "Không đọc được tệp Excel" in refusal(app, buffer.getvalue())


@pytest.mark.parametrize(
    "data, words",
    [
        (b"PK\x03\x04" + bytes(range(256)) * 4, "Không đọc được tệp Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), ".xls"),
        (b"%PDF-1.7\n\xe2\xe3\xcf\xd3\n", "CSV UTF-8"),
        (bytes(range(256)), "CSV UTF-8"),
        (bytes(range(1, 200)) + b"\x00" * 40, "không phải bảng tính"),
        (b"<html><body><table><tr><td>A</td></tr></table></body></html>", "trang web"),
        ('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>'.encode(), "XML"),
        (b"", "không có dữ liệu"),
        (b" \r\n\r\n", "không có dữ liệu"),
    ],
)
def test_garbage_is_refused_with_a_message(app, data, words):
    assert words in refusal(app, data)


def test_files_over_the_byte_limit_are_refused(app):
    data = "Mã đơn vị,Họ và tên\nA,B\n".encode()
    assert read_workbook(io.BytesIO(data), max_bytes=len(data))
    assert "lớn hơn" in refusal(app, io.BytesIO(data), max_bytes=len(data) - 1)


# ---------------------------------------------------------------- CSV as Excel writes it


@pytest.mark.parametrize(
    "data",
    [
        "\ufeffMã đơn vị,Họ và tên,Số tiền\r\nTHPT01,Trần Văn Đức,1.500.000\r\n".encode(),  # CSV UTF-8
        "Mã đơn vị,Họ và tên,Số tiền\nTHPT01,Trần Văn Đức,1.500.000\n".encode(),  # no BOM
        "\ufeffMã đơn vị;Họ và tên;Số tiền\r\nTHPT01;Trần Văn Đức;1.500.000\r\n".encode(),  # Vietnamese Windows
        "\ufeffMã đơn vị\tHọ và tên\tSố tiền\r\nTHPT01\tTrần Văn Đức\t1.500.000\r\n".encode("utf-16"),  # Unicode Text
        "\ufeffMã đơn vị\tHọ và tên\tSố tiền\r\nTHPT01\tTrần Văn Đức\t1.500.000\r\n".encode("utf-16-be"),
        "sep=;\r\nMã đơn vị;Họ và tên;Số tiền\r\nTHPT01;Trần Văn Đức;1.500.000\r\n".encode(),
        "Mã đơn vị\tHọ và tên\tSố tiền\r\nTHPT01\tTrần Văn Đức\t1.500.000\r\n".encode("utf-16-le"),  # no BOM
        "Mã đơn vị;Họ và tên;Số tiền\r\nTHPT01;Trần Văn Đức;1.500.000\r\n".encode("utf-16-be"),
    ],
)
def test_csv_in_every_excel_flavour_reads_the_same(data):
    rows = read_table_rows(data, COLUMNS)
    assert [(row.number, row.values) for row in rows] == [
        (2, {"unit_code": "THPT01", "name": "Trần Văn Đức", "amount": "1.500.000", "birthday": None})
    ]


def test_csv_quoted_fields_and_blank_lines_keep_their_row_numbers():
    data = (
        "\ufeffMã đơn vị;Họ và tên;Số tiền\r\n"
        'THPT01;"Nguyễn Văn A; lớp 12A1\r\n(đội trưởng)";"1,5"\r\n'
        ";;\r\n"
        "\r\n"
        'THPT02;" Lê ""Bé"" Ba ";\r\n'
    ).encode()
    rows = read_table_rows(data, COLUMNS)
    assert [(row.number, row["unit_code"], row["name"], row["amount"]) for row in rows] == [
        (2, "THPT01", "Nguyễn Văn A; lớp 12A1\r\n(đội trưởng)", "1,5"),
        (5, "THPT02", 'Lê "Bé" Ba', None),
    ]


def test_comma_csv_with_commas_inside_quoted_headers_is_not_mistaken_for_semicolons():
    data = 'Mã đơn vị,"Họ và tên, đệm",Họ và tên\nA;1,"x, y",Mai\n'.encode()
    rows = read_table_rows(data, COLUMNS)
    assert (rows[0]["unit_code"], rows[0]["name"]) == ("A;1", "Mai")


def test_nfd_csv_text_is_normalised():
    data = unicodedata.normalize("NFD", "Mã đơn vị,Họ và tên\nTHPT01,Phạm Thị Hường\n").encode()
    rows = read_table_rows(data, COLUMNS)
    assert rows[0]["name"] == unicodedata.normalize("NFC", "Phạm Thị Hường")


@pytest.mark.parametrize(
    "data",
    [
        factories.cp1258("Mã đơn vị;Họ và tên\r\nTHPT01;Trần Văn Đức\r\n"),
        "Mã đơn vị;Họ và tên\r\nTHPT01;Nguyễn Thị Hà\r\n".encode("cp1252", errors="replace"),
        b"\xef\xbb\xbf" + factories.cp1258("Mã đơn vị;Họ và tên\r\nTHPT01;Trần Văn Đức\r\n"),
    ],
)
def test_codepage_csv_is_refused_with_the_save_as_hint(app, data):
    message = refusal(app, data)
    assert "UTF-8" in message and "CSV UTF-8 (Comma delimited)" in message  # the steps in Excel
    assert "LibreOffice" in message and "Unicode (UTF-8)" in message  # and in LibreOffice


# ---------------------------------------------------------------- header mapping


@pytest.mark.parametrize(
    "header",
    [
        "Mã đơn vị",
        "ma don vi",
        "MÃ ĐƠN VỊ",
        "unit_code",
        "Unit code",
        "UNIT-CODE",
        "  Mã   đơn  vị ",
        "Mã đơn vị *",
        "ma_don_vi",
    ],
)
def test_header_spellings_match_whatever_the_accents_case_and_separators(header):
    rows = read_table_rows(f"{header};Họ và tên\nA01;Mai\n".encode(), COLUMNS)
    assert rows[0]["unit_code"] == "A01"


def test_missing_required_columns_are_named(app):
    with app.app_context():
        problems = read_table_rows("Mã đơn vị,Số tiền\nA01,5\n".encode()).problems
        assert problems == [
            "Chưa có cột nào cho “Họ và tên” (bắt buộc). Hãy chọn cột chứa Họ và tên trong bảng ghép cột."
        ]
        problems = read_table_rows("Số tiền,Ghi chú\n5,x\n".encode()).problems
        assert [p.split("”")[0] for p in problems] == [
            "Chưa có cột nào cho “Mã đơn vị",
            "Chưa có cột nào cho “Họ và tên",
        ]


def test_the_field_label_is_used_in_messages(app):
    columns = [Field("unit_code", "Mã đơn vị (bắt buộc)", ["Mã đơn vị"], required=True)]
    with app.app_context():
        assert "“Mã đơn vị (bắt buộc)”" in read_table_rows(b"x\n1\n", columns).problems[0]


def test_a_field_found_in_two_columns_is_guessed_once_and_chosen_twice_is_refused(app):
    data = "Mã đơn vị,Họ và tên,unit_code\nA,B,C\n".encode()
    rows = read_table_rows(data)
    assert rows.mapping == {0: "unit_code", 1: "name"} and rows[0]["unit_code"] == "A"  # the template's spelling
    with app.app_context():
        problems = mapping_problems(rows.table, COLUMNS, {0: "unit_code", 1: "name", 2: "unit_code"})
    assert problems == ["“Mã đơn vị” được chọn cho 2 cột: A “Mã đơn vị”, C “unit_code”. Mỗi trường chỉ đọc từ một cột."]


def test_a_header_without_data_rows_has_no_rows():
    rows = read_table_rows(xlsx(["Mã đơn vị", "Họ và tên"], (), ()))
    assert rows.table.header_rows == (1,) and not rows.rows


def test_conflicting_field_definitions_are_a_programming_error():
    with pytest.raises(ValueError):
        read_table_rows(b"a\n1\n", [Field("a", "A", ["Tên"]), Field("b", "B", ["ten"])])
    with pytest.raises(ValueError):
        read_table_rows(b"a\n1\n", [Field("a", "A", ["Tên"]), Field("a", "B", ["Họ"])])


# ---------------------------------------------------------------- row problems


def test_row_problems_are_collected_and_rejected_all_at_once(app):
    with app.app_context():
        rows = read_table_rows("Mã đơn vị,Họ và tên,Số tiền\nA,Mai,1.500.000\n\nB,,abc\nC,Ba,-5\n".encode(), COLUMNS)
        problems = RowProblems()
        amounts = [problems.convert(row.number, "Số tiền", parse_vnd, row["amount"]) for row in rows]
        for row in rows:
            if row["name"] is None:
                problems.add(row.number, "Họ và tên", "Chưa nhập họ tên.")
        assert amounts == [1_500_000, None, None]
        with pytest.raises(ImportRejected) as error:
            problems.raise_if_any()
        assert str(error.value.message) == "Tệp có 3 lỗi; không có dòng nào được nhập."
        assert [(p.row, p.column) for p in error.value.problems] == [
            (4, "“Số tiền”"),
            (4, "“Họ và tên”"),
            (5, "“Số tiền”"),
        ]
        assert str(error.value.problems[1]) == "Dòng 4, cột “Họ và tên”: Chưa nhập họ tên."
        assert error.value.status_code == 400
    assert not RowProblems()
    RowProblems().raise_if_any()


def test_row_problem_is_plain_data():
    assert RowProblem(3, "Số tiền", "sai") == RowProblem(3, "Số tiền", "sai")


# ---------------------------------------------------------------- writing


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_prefixes_formula_starters(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Trường THPT", "", "'=1 already quoted", "1+1", -2, 3.5, None, date(2025, 1, 1)])
def test_neutralise_leaves_everything_else(value):
    assert neutralise(value) == value


def test_written_xlsx_never_holds_a_formula_and_keeps_types():
    data = write_xlsx(
        [
            (
                "Danh sách",
                ["Mã đơn vị", "Giá trị", "Số tiền", "Ngày"],
                [[text, text, -2 - i, date(2025, 3, 1)] for i, text in enumerate(DANGEROUS)]
                + [["A01", "#N/A", 1_500_000, datetime(2025, 3, 1, 8, 30)]],
            )
        ]
    )
    worksheet = load_workbook(io.BytesIO(data)).active
    cells = [cell for row in worksheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    for row, text in enumerate(DANGEROUS, start=2):
        assert (
            worksheet.cell(row, 1).value == "'" + text
        )  # openpyxl writes with lxml (a pikepdf dependency), which keeps a CR as &#13;
        assert worksheet.cell(row, 1).data_type == "s"
        assert worksheet.cell(row, 3).value == -row and worksheet.cell(row, 3).data_type == "n"
        assert worksheet.cell(row, 4).is_date
    last = len(DANGEROUS) + 2
    assert worksheet.cell(last, 2).value == "#N/A" and worksheet.cell(last, 2).data_type == "s"
    assert worksheet.cell(last, 3).value == 1_500_000
    assert worksheet.cell(last, 4).value == datetime(2025, 3, 1, 8, 30)
    assert worksheet.cell(last, 4).number_format == "DD/MM/YYYY HH:MM"
    assert worksheet.cell(1, 1).font.bold and worksheet.freeze_panes == "A2"
    assert worksheet.title == "Danh sách"
    assert 8 <= worksheet.column_dimensions["A"].width <= 60


def test_xlsx_round_trip_gives_back_the_values():
    rows = [
        ["THPT01", "Trường THPT Lê Quý Đôn", 1_500_000, date(2025, 3, 1)],
        ["-Nhóm B", '=HYPERLINK("http://x")', 2500000.5, None],
        ["@ban tổ chức", "Dòng 1\nDòng 2", 0, datetime(2025, 3, 1, 8, 30)],
    ]
    data = write_xlsx([("Một", [c.aliases[0] for c in COLUMNS], rows), ("Hai", ["x"], [[1]])])
    back = read_table_rows(data, COLUMNS)
    assert [row.number for row in back] == [2, 3, 4]
    assert [[row[c.key] for c in COLUMNS] for row in back] == [
        ["THPT01", "Trường THPT Lê Quý Đôn", 1_500_000, datetime(2025, 3, 1)],
        ["-Nhóm B", '=HYPERLINK("http://x")', 2500000.5, None],
        ["@ban tổ chức", "Dòng 1\nDòng 2", 0, datetime(2025, 3, 1, 8, 30)],
    ]
    assert load_workbook(io.BytesIO(data)).sheetnames == ["Một", "Hai"]


def test_aware_datetimes_are_written_in_festival_time(app):
    with app.app_context():
        data = write_xlsx([("S", ["Lúc"], [[datetime(2025, 3, 1, 1, 30, tzinfo=timezone.utc)]])])
        assert load_workbook(io.BytesIO(data)).active["A2"].value == datetime(2025, 3, 1, 8, 30)
        assert write_csv(["Lúc"], [[datetime(2025, 3, 1, 1, 30, tzinfo=timezone.utc)]]).endswith(
            b"01/03/2025 08:30\r\n"
        )


def test_sheet_titles_are_made_valid_and_unique():
    data = write_xlsx([("Đơn vị: 2025/26 [nháp]", ["a"], []), ("Đơn vị: 2025/26 [nháp]", ["a"], []), ("", ["a"], [])])
    names = load_workbook(io.BytesIO(data)).sheetnames
    assert len(set(names)) == 3 and all(len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in names)


def test_illegal_control_characters_do_not_break_the_export():
    data = write_xlsx([("S", ["a"], [["x\x00y\x07z"]])])
    assert load_workbook(io.BytesIO(data)).active["A2"].value == "xyz"


def test_csv_export_has_a_bom_and_neutralised_cells():
    data = write_csv(
        ["Mã đơn vị", "Họ và tên", "Số tiền", "Ngày"],
        [[text, "Trần Văn Đức", -2, date(2025, 3, 1)] for text in DANGEROUS] + [["A", None, 1500000.0, None]],
    )
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [row[0] for row in parsed[1:-1]] == ["'" + text for text in DANGEROUS]
    assert parsed[1][2:] == ["-2", "01/03/2025"]
    assert parsed[-1] == ["A", "", "1500000", ""]
    back = read_table_rows(data, COLUMNS)
    assert [row["unit_code"] for row in back] == [text.strip() for text in DANGEROUS] + ["A"]


def test_template_has_the_headers_alone_and_its_instructions_on_their_own_sheet():
    fields = [*COLUMNS[:3], Field("note", "Ghi chú", ["Ghi chú"], in_template=False)]
    fields[1] = Field("name", "Họ và tên", ["Họ và tên", "name"], required=True, help="Bắt buộc.", example="Lê Thị Mai")
    data = template_xlsx(
        fields,
        title="Danh sách",
        instructions_title="Hướng dẫn",
        instructions=["Ghi mỗi người một dòng."],
        lists=[("Đơn vị", [["THPT01", "", "Trường THPT Lê Quý Đôn"]])],
        column_headings=["Cột", "Bắt buộc", "Cách ghi", "Ví dụ"],
        required_label="Có",
    )
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Danh sách", "Hướng dẫn"]
    listed = workbook["Danh sách"]
    assert [cell.value for cell in listed[1]] == ["Mã đơn vị", "Họ và tên", "Số tiền"]  # no example row
    assert listed.max_row == 1 and listed["A1"].fill.fgColor.rgb.endswith("FFF2CC") and listed.freeze_panes == "A2"
    sheet = workbook["Hướng dẫn"]
    instructions = [[cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["Họ và tên", "Có", "Bắt buộc.", "Lê Thị Mai"] in instructions
    assert ["THPT01", "Trường THPT Lê Quý Đôn"] in instructions and ["Ghi mỗi người một dòng."] in instructions
    assert not read_table_rows(data, COLUMNS).rows  # the instructions are never read as data
    listed.append(["THPT01", "Lê Thị Mai", 1500000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = read_table_rows(buffer.getvalue(), COLUMNS)
    assert rows.table.sheet.name == "Danh sách"
    assert rows[0].values == {"unit_code": "THPT01", "name": "Lê Thị Mai", "amount": 1500000, "birthday": None}


# ---------------------------------------------------------------- properties

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LOOSE = [Field("a", "a", ["a"]), Field("b", "b", ["b"])]


@PROPERTY
@given(st.lists(st.text(), min_size=1, max_size=6))
def test_written_text_never_becomes_a_formula(values):
    data = write_xlsx([("S", values, [values, values[::-1]])])
    worksheet = load_workbook(io.BytesIO(data)).active
    for row in worksheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str) and cell.value:
                assert cell.value[0] not in "=+-@\t\r＝＋－＠"


@PROPERTY
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc"))), min_size=1, max_size=6))
def test_printable_text_survives_a_round_trip(values):
    data = write_xlsx([("S", ["n", "a"], [[number, value] for number, value in enumerate(values, start=2)])])
    # The reader's rows (whether an import then skips one, as a note or a total, is the skip rules' business).
    back = [(row.number, row.get(0), row.get(1)) for row in read_workbook(data).sheets[0].rows[1:]]
    assert back == [
        (number, number, unicodedata.normalize("NFC", value).strip() or None)
        for number, value in enumerate(values, start=2)
    ]


def only_spreadsheet_errors(data):
    try:
        rows = read_table_rows(data, LOOSE, max_rows=50)
    except SpreadsheetError as error:
        assert str(error.message)
    else:
        assert all(isinstance(row.number, int) for row in rows)


@PROPERTY
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_raise_only_spreadsheet_errors(data):
    only_spreadsheet_errors(data)
    only_spreadsheet_errors(b"PK\x03\x04" + data)
    only_spreadsheet_errors(b"\xef\xbb\xbf" + data)
    only_spreadsheet_errors(b"\xff\xfe" + data)


SAMPLE = xlsx(["a", "b"], ["x", 1], [None, datetime(2025, 1, 1)])


@PROPERTY
@given(st.lists(st.tuples(st.integers(0, len(SAMPLE) - 1), st.integers(0, 255)), min_size=1, max_size=8))
def test_damaged_workbooks_raise_only_spreadsheet_errors(edits):
    damaged = bytearray(SAMPLE)
    for position, byte in edits:
        damaged[position] = byte
    only_spreadsheet_errors(bytes(damaged))
