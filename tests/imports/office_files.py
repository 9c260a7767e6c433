"""Spreadsheets as organizers send them, made the way office suites make them: styled and merged title blocks,
wrapped headers, two-row headers, hidden rows, date cells, formulas, instructions sheets, totals and signature
blocks, CSV in Excel's flavours, and files that must be refused. Each case says what an import of it gives.

`python -m tests.imports.office_files OUTDIR` writes them all, to open by hand or import with the CLI.
"""

import codecs
import io
import sys
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(name="Times New Roman", bold=True, size=12)
PLAIN = Font(name="Times New Roman", size=12)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass
class Case:
    """A file and what importing it gives: `rows` (as `attendee_rows` / `exhibit_rows` read them back) or a
    refusal whose messages contain each of `refusal`. `office` replaces the expectation for the copy LibreOffice
    saves (it calculates formulas); `convert` says whether that copy is made."""

    name: str
    kind: str  # "attendees" or "exhibits"
    build: Callable[[], bytes]
    rows: list = field(default_factory=list)
    refusal: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (rows, reason) the preview lists
    sheet: str | None = None
    office: dict = field(default_factory=dict)
    convert: bool = True


class Sheet:
    """Writes a worksheet the way a person lays one out in Excel: cell by cell, styled, merged."""

    def __init__(self, book: Workbook, title: str, widths=(6, 28, 22, 16, 16, 28, 18)):
        self.sheet = book.create_sheet(title)
        for position, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(position)].width = width
        self.row = 0

    def line(self, *values, style=PLAIN, merge: str | None = None, hidden=False, box=True, formats=None):
        self.row += 1
        for position, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = self.sheet.cell(row=self.row, column=position, value=value)
            cell.font = style
            if box:
                cell.border = BOX
            if isinstance(value, (date, datetime)):
                cell.number_format = "DD/MM/YYYY"
            if formats and position in formats:
                cell.number_format = formats[position]
        if merge:
            self.sheet.merge_cells(merge.format(r=self.row))
            self.sheet[merge.split(":")[0].format(r=self.row)].alignment = CENTRE
        if hidden:
            self.sheet.row_dimensions[self.row].hidden = True
        return self.row

    def header(self, *values, height=45):
        number = self.line(*values, style=BOLD)
        for position in range(1, len(values) + 1):
            cell = self.sheet.cell(row=number, column=position)
            cell.fill, cell.alignment = HEADER_FILL, CENTRE
        self.sheet.row_dimensions[number].height = height
        return number

    def blank(self, count=1):
        self.row += count

    def letterhead(self, left: str, width: int):
        """The two-column letterhead of an official list, and its title."""
        right = get_column_letter(width)
        self.line(left, style=BOLD, merge="A{r}:C{r}", box=False)
        self.sheet.cell(row=self.row, column=5, value="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").font = BOLD
        self.sheet.merge_cells(f"E{self.row}:{right}{self.row}")
        self.line(None, None, None, None, "Độc lập – Tự do – Hạnh phúc", style=BOLD, box=False)
        self.sheet.merge_cells(f"E{self.row}:{right}{self.row}")

    def signatures(self, width: int, left="Người lập biểu", right="TM. BAN THƯỜNG VỤ"):
        """The place and date, the signatories' titles, the blank lines to sign on and their names."""
        last = get_column_letter(width)
        self.blank()
        self.line(*([None] * (width - 3)), "Hà Nội, ngày 15 tháng 6 năm 2025", box=False)
        self.sheet.merge_cells(f"{get_column_letter(width - 2)}{self.row}:{last}{self.row}")
        self.line(None, left, *([None] * (width - 5)), right, style=BOLD, box=False)
        self.line(None, "(Ký, ghi rõ họ tên)", *([None] * (width - 5)), "CHỦ TỊCH", box=False)
        self.blank(3)
        self.line(None, "Phạm Thu Hà", *([None] * (width - 5)), "Đỗ Văn Hùng", style=BOLD, box=False)


def saved(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def new_book() -> Workbook:
    book = Workbook()
    book.remove(book.active)
    return book


# ---------------------------------------------------------------- attendees


def official_list() -> bytes:
    book = new_book()
    s = Sheet(book, "DS đại biểu")
    s.letterhead("CÔNG ĐOÀN TỔNG CÔNG TY MAY 10", 7)
    s.blank()
    s.line("DANH SÁCH ĐẠI BIỂU THAM DỰ NGÀY HỘI LAO ĐỘNG SÁNG TẠO LẦN THỨ III", style=BOLD, merge="A{r}:G{r}")
    s.line("Đơn vị", "Tổng Công ty May 10 – CTCP", box=False)
    s.blank()
    s.header("STT", "Họ và tên\n(ghi đầy đủ, có dấu)", "Đơn vị", "Vai trò", "SĐT", "Địa chỉ email", "Ghi chú")
    s.line("(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)")
    s.line(1, "Nguyễn  Văn   An", "May 10", "Đại biểu", 912345678, "An.NV@may10.example.vn", "Trưởng đoàn")
    s.line(2, "Trần Thị Bình", "May 10", "Đại biểu", 983111222, "binh.tt@may10.example.vn", None)
    s.line(3, "Lê Văn Cường", "May 10", "Đại biểu", "+84 903 456 789", None, "rút tên", hidden=True)
    s.line(4, "Phạm Thị Dung", "May 10", "Tình nguyện viên", 2438257700, None, "máy bàn")
    s.line(5, "Hoàng Văn Em", "May 10", "Khách mời", "0904.555.666", "em.hv@may10.example.vn", None)
    s.line(6, "Vũ Thị Giang", "MAY10", "đại biểu", "0905 777 888", None, None)
    total = s.line("Tổng cộng", None, None, None, None, None, None, style=BOLD, merge="A{r}:C{r}")
    s.sheet.cell(row=total, column=7, value='=COUNTA(B10:B15)&" người"')
    s.signatures(7)
    return saved(book)


OFFICIAL_ROWS = [
    ("Nguyễn Văn An", "MAY10", "delegate", "an.nv@may10.example.vn", "0912345678", ""),
    ("Trần Thị Bình", "MAY10", "delegate", "binh.tt@may10.example.vn", "0983111222", ""),
    ("Phạm Thị Dung", "MAY10", "volunteer", None, "02438257700", ""),
    ("Hoàng Văn Em", "MAY10", "guest", "em.hv@may10.example.vn", "0904555666", ""),
    ("Vũ Thị Giang", "MAY10", "delegate", None, "0905777888", ""),
]


def instructions_first() -> bytes:
    book = new_book()
    guide = Sheet(book, "Hướng dẫn", widths=(30, 60))
    guide.line("HƯỚNG DẪN ĐIỀN DANH SÁCH", style=BOLD, box=False)
    guide.line("Mỗi người một dòng ở trang “Danh sách”.", box=False)
    guide.header("Cột", "Cách ghi")
    guide.line("Họ và tên", "Ghi đầy đủ, có dấu")
    guide.line("Vai trò", "Đại biểu, Khách mời, Phóng viên, Tình nguyện viên")
    guide.line("Số điện thoại", "Di động hoặc cố định")
    data = Sheet(book, "Danh sách")
    data.header("TT", "Họ tên", "Tên đơn vị", "Thành phần", "Điện thoại", "Email")
    data.line(1, "Ngô Thùy Huyền", "Sợi Phú Bài", "Đại biểu", 987603285, "huyen.nt@phubai.example.vn")
    data.line(2, "Huỳnh Hồng Hoa", "Tổng Công ty Đức Giang – CTCP", "Tình nguyện viên", 962377383, None)
    data.line(3, "Võ Thị Hằng", "viettien", "TNV", 914201416, "HANG.VT@viettien.example.vn")
    return saved(book)


def two_row_contacts() -> bytes:
    book = new_book()
    s = Sheet(book, "Đăng ký")
    s.line("DANH SÁCH KHÁCH MỜI VÀ PHÓNG VIÊN", style=BOLD, merge="A{r}:F{r}", box=False)
    first = s.header("STT", "Họ và tên", "Cơ quan", "Vai trò", "Thông tin liên hệ", None, height=20)
    s.header(None, None, None, None, "Điện thoại", "E-mail", height=20)
    for column in "ABCD":
        s.sheet.merge_cells(f"{column}{first}:{column}{first + 1}")
    s.sheet.merge_cells(f"E{first}:F{first}")
    s.line(1, "Đỗ Thị Lan", "Báo Lao Động", "Phóng viên", "0912 000 111", "lan@laodong.example.vn")
    s.line(2, "Bùi Văn Nam", "Đài Truyền hình Việt Nam", "Báo chí", "0912 000 222", "nam@vtv.example.vn")
    s.line(3, "Tạ Thị Oanh", "Tập đoàn Dệt May Việt Nam", "Khách mời", "(024) 3825 7700", None)
    return saved(book)


def split_names() -> bytes:
    book = new_book()
    s = Sheet(book, "Sheet1")
    s.header("STT", "Họ và tên đệm", "Tên", "Đơn vị công tác", "Thành phần", "ĐTDĐ")
    s.line(1, "Nguyễn Thị Thanh", "Hương", "Hanosimex", "Đại biểu", 936123456)
    s.line(2, "Lê", "Minh", "Dệt May Nam Định", "Đại biểu", 936123457)
    s.line(3, "Trịnh Văn", "Khánh", None, "Khách", 936123458)
    return saved(book)


def grouped_by_unit() -> bytes:
    book = new_book()
    s = Sheet(book, "Tổng hợp")
    s.header("STT", "Đơn vị", "Họ và tên", "Vai trò", "Số điện thoại")
    s.line("I. KHỐI HÀ NỘI", None, None, None, None, style=BOLD, merge="A{r}:E{r}")
    top = s.line(1, "Tổng Công ty May 10 – CTCP", "Đặng Văn Phúc", "Đại biểu", "0911 100 001")
    s.line(2, None, "Mai Thị Quỳnh", "Đại biểu", "0911 100 002")
    s.sheet.merge_cells(f"B{top}:B{top + 1}")
    s.line("II. KHỐI TP. HỒ CHÍ MINH", None, None, None, None, style=BOLD, merge="A{r}:E{r}")
    top = s.line(3, "Việt Tiến", "Lý Văn Sơn", "Đại biểu", "0911 100 003")
    s.line(4, None, "Châu Thị Tâm", "Khách mời", "0911 100 004")
    s.line(5, None, "Kiều Văn Út", "Đại biểu", "0911 100 005")
    s.sheet.merge_cells(f"B{top}:B{top + 2}")
    s.line("Cộng", None, None, None, "=COUNTA(C3:C8)", style=BOLD, merge="A{r}:D{r}")
    return saved(book)


def old_template() -> bytes:
    """The template downloaded before the instructions moved to their own sheet: its example row left in."""
    book = new_book()
    s = Sheet(book, "Mẫu nhập")
    s.header("Họ và tên", "Mã đơn vị", "Cơ quan", "Vai trò", "E-mail", "Số điện thoại", height=18)
    s.line("Nguyễn Thị Hằng", "MAY10", None, "Đại biểu", "hang.nt@may10.example.vn", "0912345678")
    s.line("Chu Văn Vinh", "HUEGATEX", None, "Đại biểu", None, "0935 123 456")
    s.line("Tôn Nữ Xuân", None, "Báo Thừa Thiên Huế", "Phóng viên", None, None)
    return saved(book)


CSV_ROWS = [
    ["Họ và tên", "Mã đơn vị", "Vai trò", "E-mail", "Số điện thoại", "Ghi chú"],
    ["Dương Thị Yến", "NHABE", "Đại biểu", "yen.dt@nhabe.example.vn", "0909 123 456", "đoàn 1; xe 2"],
    ["Quách Văn Bảo", "PHONGPHU", "Khách mời", "", "+84 909 123 457", ""],
    ["Lâm Thị Cúc", "", "Phóng viên", "cuc@tuoitre.example.vn", "", 'báo "Tuổi Trẻ"'],
]
CSV_EXPECTED = [
    ("Dương Thị Yến", "NHABE", "delegate", "yen.dt@nhabe.example.vn", "0909123456", ""),
    ("Quách Văn Bảo", "PHONGPHU", "guest", None, "0909123457", ""),
    ("Lâm Thị Cúc", None, "press", "cuc@tuoitre.example.vn", None, ""),
]


def _csv(rows, delimiter: str) -> str:
    def quote(cell):
        return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in (delimiter, '"', "\n")) else cell

    return "\r\n".join(delimiter.join(quote(cell) for cell in row) for row in rows) + "\r\n"


def excel_csv_utf8_semicolon() -> bytes:
    """Excel on a Vietnamese Windows, “CSV UTF-8”: a BOM, semicolons, CRLF."""
    return codecs.BOM_UTF8 + _csv(CSV_ROWS, ";").encode("utf-8")


def excel_unicode_text() -> bytes:
    """Excel's “Unicode Text”: UTF-16 with its BOM, tabs."""
    return _csv(CSV_ROWS, "\t").encode("utf-16")


def plain_csv() -> bytes:
    """A comma CSV without a BOM, as Google Sheets or a script writes it."""
    return _csv(CSV_ROWS, ",").replace("\r\n", "\n").encode("utf-8")


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Windows-1258 as Windows writes it: base letters (â, ơ, ư…) precomposed, tone marks combining after."""
    encoded = bytearray()
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        encoded += (base + "".join(c for c in parts if c in TONE_MARKS)).encode("cp1258")
    return bytes(encoded)


def codepage_csv() -> bytes:
    """Excel's plain “CSV” on a Vietnamese Windows: Windows-1258, which would garble every name."""
    return cp1258(_csv(CSV_ROWS, ";"))


def duplicates() -> bytes:
    book = new_book()
    s = Sheet(book, "Danh sách")
    s.header("Họ và tên", "Đơn vị", "Vai trò", "Email", "SĐT")
    s.line("Nguyễn Văn An", "MAY10", "Đại biểu", "an@may10.example.vn", 912000001)
    s.line("Nguyễn Văn Anh", "MAY10", "Đại biểu", "AN@MAY10.example.vn", 912000002)
    s.line("Trần Văn Bình", "MAY10", "Đại biểu", None, "0912 000 001")
    return saved(book)


def unknown_values() -> bytes:
    book = new_book()
    s = Sheet(book, "Danh sách")
    s.header("Họ và tên", "Đơn vị", "Vai trò", "Email", "SĐT")
    s.line("Nguyễn Văn An", "May 11", "Đại biểu", "an@may10", "9.12346E+08")
    s.line(None, "MAY10", "Siêu sao", None, "0912 000 003 / 024 3825 7700")
    return saved(book)


def old_excel() -> bytes:
    """What an .xls (Excel 97-2003) file starts with: an OLE2 compound document."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)


def opendocument() -> bytes:
    """An .ods file's layout (LibreOffice's own format)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
    return buffer.getvalue()


def web_page_xls() -> bytes:
    """An "Excel" export that is really an HTML table, as many reporting systems produce."""
    return (
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8"></head><body><table>'
        "<tr><td>Họ và tên</td><td>Vai trò</td></tr><tr><td>Lê Thị Mai</td><td>Đại biểu</td></tr>"
        "</table></body></html>"
    ).encode("utf-8")


# ---------------------------------------------------------------- exhibits


EXHIBIT_HEADER = (
    "STT",
    "Tên sáng kiến, giải pháp",
    "Tác giả/nhóm tác giả",
    "Đơn vị",
    "Lĩnh vực",
    "Giá trị làm lợi\n(triệu đồng/năm)",
    "Năm áp dụng",
    "Ghi chú",
)


def exhibits_in_millions() -> bytes:
    book = new_book()
    s = Sheet(book, "Sáng kiến", widths=(6, 40, 40, 18, 30, 16, 14, 14))
    s.letterhead("CÔNG ĐOÀN DỆT MAY VIỆT NAM", 8)
    s.line("TỔNG HỢP SÁNG KIẾN ĐĂNG KÝ NGÀY HỘI", style=BOLD, merge="A{r}:H{r}")
    s.blank()
    s.header(*EXHIBIT_HEADER)
    first = s.line(
        1, "Cữ gá may túi tự động", "Nguyễn Văn An - Tổ trưởng, Trần Thị Bình", "May 10", "Cải tiến kỹ thuật, thiết bị",
        150, datetime(2021, 3, 15), None,
    )  # fmt: skip
    s.line(
        2, "Quy trình nhuộm vải cotton ở nhiệt độ thấp", "Tạ Hữu Bình (Thợ cơ điện); Đinh Văn Nam (Kỹ sư công nghệ)",
        "Việt Tiến", "QT", 1.5, datetime(2022, 1, 10), None, formats={6: "#,##0.0"},
    )  # fmt: skip
    s.line(
        3, "Hệ thống theo dõi năng suất chuyền may", "Nguyễn Kim Thảo\nLê Văn Vinh", "Tổng Công ty Đức Giang – CTCP",
        "Quản lý, tổ chức sản xuất", 85, 2021, None,
    )  # fmt: skip
    s.line(
        4, "Số hóa hồ sơ kỹ thuật mã hàng", "Ngô Phương Nguyệt, Quản đốc phân xưởng", "ĐH CN Dệt May HN",
        "chuyển đổi số, ứng dụng công nghệ thông tin", None, "2023", "chưa tính",
    )  # fmt: skip
    last = s.row
    s.line("Tổng cộng", None, None, None, None, f"=SUM(F{first}:F{last})", None, None, style=BOLD, merge="A{r}:E{r}")
    s.signatures(8, left="Người lập bảng", right="TM. BAN CHẤP HÀNH")
    return saved(book)


IN_MILLIONS_ROWS = [
    (None, "MAY10", "KT", "Cữ gá may túi tự động", [("Nguyễn Văn An", "Tổ trưởng"), ("Trần Thị Bình", "")],
     150_000_000, 2021, None),
    (None, "VIETTIEN", "QT", "Quy trình nhuộm vải cotton ở nhiệt độ thấp",
     [("Tạ Hữu Bình", "Thợ cơ điện"), ("Đinh Văn Nam", "Kỹ sư công nghệ")], 1_500_000, 2022, None),
    (None, "DUCGIANG", "QL", "Hệ thống theo dõi năng suất chuyền may", [("Nguyễn Kim Thảo", ""), ("Lê Văn Vinh", "")],
     85_000_000, 2021, None),
    (None, "HTU", "CS", "Số hóa hồ sơ kỹ thuật mã hàng", [("Ngô Phương Nguyệt", "Quản đốc phân xưởng")], None, 2023,
     None),
]  # fmt: skip


def authors_two_row_header() -> bytes:
    book = new_book()
    guide = Sheet(book, "HD", widths=(80,))
    guide.line("Hướng dẫn: mỗi sáng kiến một dòng; tác giả mỗi người một dòng trong ô.", box=False)
    s = Sheet(book, "Đăng ký", widths=(6, 36, 26, 22, 14, 12, 12))
    first = s.header("TT", "Tên giải pháp", "Tác giả", None, "Mã đơn vị", "Mã lĩnh vực", "Phạm vi", height=20)
    s.header(None, None, "Họ và tên", "Chức danh", None, None, None, height=20)
    for column in "ABEFG":
        s.sheet.merge_cells(f"{column}{first}:{column}{first + 1}")
    s.sheet.merge_cells(f"C{first}:D{first}")
    s.line(1, "Máy cắt chỉ thừa tự động", "1. Phan Văn Hải\n2. Đoàn Thị Hạnh", "Thợ cơ khí\nCông nhân may",
           "HOATHO", "KT", "Toàn ngành")  # fmt: skip
    s.line(2, "Thu hồi nhiệt khí thải lò hơi", "Mạc Văn Khoa", "Kỹ sư năng lượng", "PHONGPHU", "TK",
           "Ở một số đơn vị")  # fmt: skip
    return saved(book)


def repeated_exhibits() -> bytes:
    book = new_book()
    s = Sheet(book, "DS")
    s.header("Mã tham chiếu", "Mã đơn vị", "Lĩnh vực", "Tên sáng kiến", "Tác giả")
    s.line("sk-01", "NHABE", "KT", "Bàn là hơi tiết kiệm điện", "Lê Thị Hoa")
    s.line("SK-01", "NHABE", "KT", "Cữ gá may cổ áo", "Lê Thị Hoa")
    s.line("SK-03", "NHABE", "KT", "Bàn là hơi  tiết kiệm điện.", "Lê  Thị Hoa")
    return saved(book)


def amounts_in_words() -> bytes:
    book = new_book()
    s = Sheet(book, "Sheet1")
    s.header("Đơn vị", "Lĩnh vực", "Tên sáng kiến", "Tác giả", "Giá trị làm lợi", "Phạm vi áp dụng")
    s.line("Hòa Thọ", "TK", "Tái sử dụng nước giặt", "Trương Văn Lợi", "1,5 tỷ", "Trong đơn vị")
    s.line("Hoà Thọ", "TK", "Đèn LED cho xưởng dệt", "Trương Văn Lợi", "85 triệu", None)
    s.line("HOATHO", "TK", "Biến tần cho máy nén khí", "Trương Văn Lợi", "1.200.000.000 đ", None)
    s.line("HOATHO", "AT", "Hút bụi bông tại máy chải", "Trương Văn Lợi", "200.000.000 VNĐ", None)
    return saved(book)


def estimates() -> bytes:
    book = new_book()
    s = Sheet(book, "Sheet1")
    s.header("Đơn vị", "Lĩnh vực", "Tên sáng kiến", "Tác giả", "Giá trị làm lợi (đồng/năm)")
    s.line("HOATHO", "TK", "Tái sử dụng nước giặt", "Trương Văn Lợi", "khoảng 1 tỷ")
    s.line("HOATHO", "TK", "Đèn LED cho xưởng dệt", "Trương Văn Lợi", "trên 500 triệu")
    return saved(book)


def formulas_without_results() -> bytes:
    """A benefit worked out by a formula, saved by a program that does not calculate (openpyxl, some exports):
    the file holds the formula and no result until Excel or LibreOffice saves it again."""
    book = new_book()
    s = Sheet(book, "Tính toán")
    s.header(
        "Đơn vị", "Lĩnh vực", "Tên sáng kiến", "Tác giả", "Tiết kiệm mỗi tháng (đồng)", "Giá trị làm lợi (đồng/năm)"
    )
    s.line("NAMDINH", "TK", "Thu hồi nước ngưng", "Hà Văn Minh", 12_500_000, "=E2*12")
    s.line("NAMDINH", "TK", "Cách nhiệt đường ống hơi", "Hà Văn Minh", 4_000_000, "=E3*12")
    return saved(book)


def too_many_authors() -> bytes:
    book = new_book()
    s = Sheet(book, "Sheet1")
    s.header("Đơn vị", "Lĩnh vực", "Tên sáng kiến", "Tác giả")
    s.line("HUNGYEN", "QL", "Sắp xếp kho phụ liệu", "An, Bình, Cường, Dung, Em, Giang, Hà")
    return saved(book)


def hidden_lookup_sheet() -> bytes:
    book = new_book()
    lists = Sheet(book, "DM")
    lists.header("Mã đơn vị", "Tên đơn vị", "Lĩnh vực")
    lists.line("VIETTHANG", "Việt Thắng", "KT")
    lists.sheet.sheet_state = "hidden"
    s = Sheet(book, "Nhập liệu")
    s.header("Mã đơn vị", "Mã lĩnh vực", "Tên sáng kiến", "Tác giả", "Năm bắt đầu áp dụng")
    s.line("VIETTHANG", "KT", "Máy se sợi cải tiến", "Trần Quốc Việt (Trưởng ca)", 2020)
    s.line("VIETTHANG", "KT", "Bản nháp không gửi", "Trần Quốc Việt", 2024, hidden=True)
    return saved(book)


def exhibits_csv_with_dates() -> bytes:
    rows = [
        ["Mã đơn vị", "Mã lĩnh vực", "Tên sáng kiến", "Tác giả", "Năm áp dụng", "Tóm tắt"],
        ["THANHCONG", "QT", "Dây chuyền may quần tây bán tự động", "Lý Minh Việt", "15/03/2021", "Dòng 1\nDòng 2"],
        ["THANHCONG", "QT", "Cữ gá may lai quần", "Lý Minh Việt", "2022-03-15 00:00:00", ""],
        ["THANHCONG", "QT", "Bảng theo dõi lỗi may", "Lý Minh Việt", "Năm 2023", ""],
    ]
    return codecs.BOM_UTF8 + _csv(rows, ",").encode("utf-8")


def legacy_columns() -> bytes:
    """The columns of the sample exhibits.csv, in a workbook someone kept using."""
    book = new_book()
    s = Sheet(book, "exhibits")
    s.header("ref", "unit_code", "category_code", "title", "authors", "benefit_vnd_per_year", "applied_since", "scope")
    s.line("E101", "huegatex", "at", "Tấm chắn bụi máy dệt", "Hồ Văn Tùng (Thợ dệt)", 45_000_000, 2020, "own_unit")
    s.line("E102", "HUEGATEX", "AT", "Quạt hút ẩm xưởng sợi", "Hồ Văn Tùng", "45.000.000", 2020, "Toàn ngành")
    return saved(book)


CASES = [
    Case(
        "dai-bieu-may10-cong-van.xlsx",
        "attendees",
        official_list,
        OFFICIAL_ROWS,
        sheet="DS đại biểu",
        skipped=[("8", "column_numbers"), ("11", "hidden"), ("15", "total"), ("17", "signature"), ("23", "signature")],
    ),
    Case(
        "danh-sach-sau-trang-huong-dan.xlsx",
        "attendees",
        instructions_first,
        [
            ("Ngô Thùy Huyền", "PHUBAI", "delegate", "huyen.nt@phubai.example.vn", "0987603285", ""),
            ("Huỳnh Hồng Hoa", "DUCGIANG", "volunteer", None, "0962377383", ""),
            ("Võ Thị Hằng", "VIETTIEN", "volunteer", "hang.vt@viettien.example.vn", "0914201416", ""),
        ],
        sheet="Danh sách",
    ),
    Case(
        "khach-moi-tieu-de-hai-dong.xlsx",
        "attendees",
        two_row_contacts,
        [
            ("Đỗ Thị Lan", None, "press", "lan@laodong.example.vn", "0912000111", "Báo Lao Động"),
            ("Bùi Văn Nam", None, "press", "nam@vtv.example.vn", "0912000222", "Đài Truyền hình Việt Nam"),
            ("Tạ Thị Oanh", None, "guest", None, "02438257700", "Tập đoàn Dệt May Việt Nam"),
        ],
    ),
    Case(
        "ho-va-ten-tach-hai-cot.xlsx",
        "attendees",
        split_names,
        [
            ("Nguyễn Thị Thanh Hương", "HANOSIMEX", "delegate", None, "0936123456", ""),
            ("Lê Minh", "NAMDINH", "delegate", None, "0936123457", ""),
            ("Trịnh Văn Khánh", None, "guest", None, "0936123458", ""),
        ],
    ),
    Case(
        "don-vi-gop-o-theo-khoi.xlsx",
        "attendees",
        grouped_by_unit,
        [
            ("Đặng Văn Phúc", "MAY10", "delegate", None, "0911100001", ""),
            ("Mai Thị Quỳnh", "MAY10", "delegate", None, "0911100002", ""),
            ("Lý Văn Sơn", "VIETTIEN", "delegate", None, "0911100003", ""),
            ("Châu Thị Tâm", "VIETTIEN", "guest", None, "0911100004", ""),
            ("Kiều Văn Út", "VIETTIEN", "delegate", None, "0911100005", ""),
        ],
        skipped=[("2", "heading"), ("5", "heading"), ("9", "total")],
    ),
    Case(
        "mau-cu-con-dong-vi-du.xlsx",
        "attendees",
        old_template,
        [
            ("Chu Văn Vinh", "HUEGATEX", "delegate", None, "0935123456", ""),
            ("Tôn Nữ Xuân", None, "press", None, None, "Báo Thừa Thiên Huế"),
        ],
        skipped=[("2", "example")],
    ),
    Case("excel-csv-utf8-cham-phay.csv", "attendees", excel_csv_utf8_semicolon, CSV_EXPECTED, convert=False),
    Case("excel-unicode-text.txt", "attendees", excel_unicode_text, CSV_EXPECTED, convert=False),
    Case("google-sheets-phay.csv", "attendees", plain_csv, CSV_EXPECTED, convert=False),
    Case(
        "excel-csv-windows-1258.csv",
        "attendees",
        codepage_csv,
        refusal=["không được lưu ở dạng UTF-8", "CSV UTF-8 (Comma delimited)", "Unicode (UTF-8)"],
        convert=False,
    ),
    Case(
        "trung-email-va-so-dien-thoai.xlsx",
        "attendees",
        duplicates,
        refusal=[
            "Tệp có 2 lỗi; không có dòng nào được nhập.",
            "Trang tính “Danh sách”, dòng 3, cột D “Email”: Trùng với dòng 2 (an@may10.example.vn).",
            "Trang tính “Danh sách”, dòng 4, cột E “SĐT”: Trùng với dòng 2 (0912000001).",
        ],
    ),
    Case(
        "don-vi-vai-tro-khong-co.xlsx",
        "attendees",
        unknown_values,
        refusal=[
            "dòng 2, cột B “Đơn vị”: Không có đơn vị “May 11”.",
            "dòng 2, cột D “Email”: E-mail không hợp lệ: “an@may10”.",
            "dòng 2, cột E “SĐT”: Số điện thoại “9.12346E+08” đã bị Excel đổi sang dạng số mũ",
            "dòng 3, cột A “Họ và tên”: Chưa có họ và tên.",
            "dòng 3, cột C “Vai trò”: Không có vai trò “Siêu sao”.",
            "dòng 3, cột E “SĐT”: Mỗi ô chỉ ghi một số điện thoại",
            "Đơn vị hợp lệ (mã và tên ngắn): DUCGIANG (Đức Giang), HACHIBA (Dệt May 29/3)",
            "Vai trò hợp lệ: Đại biểu, Giám khảo, Tác giả, Khách mời, Ban tổ chức, Phóng viên, Tình nguyện viên.",
        ],
    ),
    Case("excel-97-2003.xls", "attendees", old_excel, refusal=["Excel 97-2003 (.xls)", "LibreOffice"], convert=False),
    Case(
        "libreoffice.ods", "attendees", opendocument, refusal=["OpenDocument (.ods)", "Excel 2007-365"], convert=False
    ),
    Case("bao-cao-web.xls", "attendees", web_page_xls, refusal=["trang web hoặc XML"], convert=False),
    Case(
        "sang-kien-trieu-dong.xlsx",
        "exhibits",
        exhibits_in_millions,
        IN_MILLIONS_ROWS,
        skipped=[("10", "total"), ("12", "signature"), ("18", "signature")],
    ),
    Case(
        "sang-kien-tac-gia-hai-dong.xlsx",
        "exhibits",
        authors_two_row_header,
        [
            (
                None,
                "HOATHO",
                "KT",
                "Máy cắt chỉ thừa tự động",
                [("Phan Văn Hải", "Thợ cơ khí"), ("Đoàn Thị Hạnh", "Công nhân may")],
                None,
                None,
                "whole_sector",
            ),
            (
                None,
                "PHONGPHU",
                "TK",
                "Thu hồi nhiệt khí thải lò hơi",
                [("Mạc Văn Khoa", "Kỹ sư năng lượng")],
                None,
                None,
                "several_units",
            ),
        ],  # fmt: skip
        sheet="Đăng ký",
    ),
    Case(
        "sang-kien-trung-lap.xlsx",
        "exhibits",
        repeated_exhibits,
        refusal=[
            "dòng 3, cột A “Mã tham chiếu”: Mã tham chiếu SK-01 lặp lại dòng 2.",
            "dòng 4, cột D “Tên sáng kiến”: Trùng với dòng 2 (cùng tên sáng kiến, đơn vị và tác giả).",
        ],
    ),
    Case(
        "sang-kien-tien-bang-chu.xlsx",
        "exhibits",
        amounts_in_words,
        [
            (None, "HOATHO", "TK", "Tái sử dụng nước giặt", [("Trương Văn Lợi", "")], 1_500_000_000, None, "own_unit"),
            (None, "HOATHO", "TK", "Đèn LED cho xưởng dệt", [("Trương Văn Lợi", "")], 85_000_000, None, None),
            (None, "HOATHO", "TK", "Biến tần cho máy nén khí", [("Trương Văn Lợi", "")], 1_200_000_000, None, None),
            (None, "HOATHO", "AT", "Hút bụi bông tại máy chải", [("Trương Văn Lợi", "")], 200_000_000, None, None),
        ],
    ),
    Case(
        "sang-kien-uoc-luong.xlsx",
        "exhibits",
        estimates,
        refusal=["Số tiền không hợp lệ: “khoảng 1 tỷ”.", "Số tiền không hợp lệ: “trên 500 triệu”."],
    ),
    Case(
        "sang-kien-cong-thuc-chua-tinh.xlsx",
        "exhibits",
        formulas_without_results,
        refusal=["dòng 2, cột F “Giá trị làm lợi (đồng/năm)”: Ô có công thức nhưng tệp không lưu kết quả"],
        office={
            "rows": [
                (None, "NAMDINH", "TK", "Thu hồi nước ngưng", [("Hà Văn Minh", "")], 150_000_000, None, None),
                (None, "NAMDINH", "TK", "Cách nhiệt đường ống hơi", [("Hà Văn Minh", "")], 48_000_000, None, None),
            ],
            "refusal": [],
        },
    ),
    Case("sang-kien-qua-6-tac-gia.xlsx", "exhibits", too_many_authors, refusal=["Tối đa 6 tác giả (có 7)."]),
    Case(
        "sang-kien-trang-danh-muc-an.xlsx",
        "exhibits",
        hidden_lookup_sheet,
        [(None, "VIETTHANG", "KT", "Máy se sợi cải tiến", [("Trần Quốc Việt", "Trưởng ca")], None, 2020, None)],
        sheet="Nhập liệu",
        skipped=[("3", "hidden")],
    ),
    Case(
        "sang-kien-nam-dang-chu.csv",
        "exhibits",
        exhibits_csv_with_dates,
        [
            (None, "THANHCONG", "QT", "Dây chuyền may quần tây bán tự động", [("Lý Minh Việt", "")], None, 2021, None),
            (None, "THANHCONG", "QT", "Cữ gá may lai quần", [("Lý Minh Việt", "")], None, 2022, None),
            (None, "THANHCONG", "QT", "Bảng theo dõi lỗi may", [("Lý Minh Việt", "")], None, 2023, None),
        ],
        convert=False,
    ),
    Case(
        "exhibits-cot-cu.xlsx",
        "exhibits",
        legacy_columns,
        [
            (
                "E101",
                "HUEGATEX",
                "AT",
                "Tấm chắn bụi máy dệt",
                [("Hồ Văn Tùng", "Thợ dệt")],
                45_000_000,
                2020,
                "own_unit",
            ),
            (
                "E102",
                "HUEGATEX",
                "AT",
                "Quạt hút ẩm xưởng sợi",
                [("Hồ Văn Tùng", "")],
                45_000_000,
                2020,
                "whole_sector",
            ),
        ],  # fmt: skip
    ),
]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.imports.office_files OUTDIR", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        (folder / case.name).write_bytes(case.build())
        print(folder / case.name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
