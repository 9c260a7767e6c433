"""Reading an uploaded file into sheets of rows: XLSX (every sheet, hidden rows, merged cells, formula results)
or CSV (UTF-8 or UTF-16; comma, semicolon or tab), with the guards against hostile or unreadable files."""

import codecs
import csv
import io
import logging
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

# The per-sheet parser openpyxl's read-only worksheets use (pinned openpyxl 3.1.5): read directly, it also
# reports hidden rows, hidden columns and merged cells, which read-only worksheets drop.
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

from festival.core.errors import FestivalError

log = logging.getLogger(__name__)

MAX_ROWS = 5000  # data rows per import
MAX_BYTES = 10 * 1024 * 1024  # the uploaded file itself
MAX_UNPACKED = 60 * 1024 * 1024  # an XLSX's members once decompressed
MAX_BLANK_ROWS = 50_000  # blank rows read before a sheet counts as padded out
MAX_COLUMNS = 200  # cells right of this are never read
EXTRA_ROWS = 100  # title, header and signature rows a sheet may have besides its data rows
MAX_ZIP_MEMBERS = 2000
SUSPICIOUS_MEMBER_SIZE = 10 * 1024 * 1024
SUSPICIOUS_RATIO = 100

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected .xlsx

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets.
FORMULA_TRIGGERS = frozenset("=+-@\t\r＝＋－＠")

SAVE_AS_XLSX = _l(
    "Excel: Tệp (File) → Lưu thành (Save As) → “Excel Workbook (*.xlsx)”. "
    "LibreOffice Calc: Tệp (File) → Lưu dạng (Save As) → kiểu “Excel 2007-365 (.xlsx)” → "
    "“Dùng định dạng Excel 2007-365!” (Use Excel 2007-365!)."
)
EMPTY = _l("Tệp không có dữ liệu.")
NOT_SPREADSHEET = _l("Tệp không phải bảng tính Excel (.xlsx) hoặc CSV. Hãy tải lên tệp .xlsx hoặc CSV UTF-8.")
OLD_EXCEL = _l(
    "Tệp Excel 97-2003 (.xls) hoặc tệp Excel có mật khẩu không đọc được. Hãy bỏ mật khẩu nếu có rồi lưu lại "
    "thành .xlsx. %(steps)s",
    steps=SAVE_AS_XLSX,
)
NOT_UTF8 = _l(
    "Tệp CSV không được lưu ở dạng UTF-8 nên chữ tiếng Việt sẽ bị lỗi. Excel: Lưu thành (Save As) → "
    "“CSV UTF-8 (Comma delimited) (*.csv)”. LibreOffice Calc: Lưu dạng (Save As) → kiểu “Văn bản CSV (.csv)”, "
    "đánh dấu “Sửa thiết lập bộ lọc” (Edit filter settings) rồi chọn bộ ký tự “Unicode (UTF-8)”. "
    "Hoặc lưu thành Excel Workbook (.xlsx) rồi tải lên lại."
)
NOT_XLSX = _l(
    "Không đọc được tệp Excel này. Hãy mở tệp rồi lưu lại thành .xlsx và tải lên lại. %(steps)s", steps=SAVE_AS_XLSX
)
OPENDOCUMENT = _l(
    "Tệp OpenDocument (.ods) chưa được hỗ trợ. Hãy lưu lại thành .xlsx hoặc CSV UTF-8. %(steps)s", steps=SAVE_AS_XLSX
)
WEB_PAGE = _l(
    "Tệp này là trang web hoặc XML mang tên bảng tính (nhiều phần mềm xuất “Excel” theo cách này), không phải "
    "tệp .xlsx. Hãy mở tệp rồi lưu lại thành .xlsx. %(steps)s",
    steps=SAVE_AS_XLSX,
)


class SpreadsheetError(FestivalError):
    """An uploaded file cannot be read as a table (format, size or encoding)."""


@dataclass(frozen=True)
class Formula:
    """A formula cell whose result the file does not hold (saved by a program that does not calculate)."""

    text: str

    def __str__(self):
        return self.text


@dataclass(frozen=True)
class CellError:
    """A formula whose saved result is an error such as #N/A or #REF!."""

    code: str

    def __str__(self):
        return self.code


@dataclass
class SheetRow:
    """One non-blank row: its number as the spreadsheet shows it and its cleaned values by column (from 0)."""

    number: int
    values: list
    hidden: bool = False

    def get(self, position: int):
        return self.values[position] if position < len(self.values) else None


@dataclass
class Sheet:
    """A worksheet (or the one table of a CSV, named None) as read: non-blank rows, merges, hidden parts."""

    name: str | None
    rows: list[SheetRow]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col
    hidden_columns: frozenset[int] = frozenset()  # positions, from 0
    is_hidden: bool = False
    overflow: int | None = None  # the data-row limit this sheet went past (only its first rows were read)

    def merge_at(self, number: int, position: int) -> tuple[int, int, int, int] | None:
        """The merged range covering the cell, if any (rows and columns counted from 1, as Excel does)."""
        for merge in self.merged:
            min_row, min_col, max_row, max_col = merge
            if min_row <= number <= max_row and min_col <= position + 1 <= max_col:
                return merge
        return None


@dataclass
class Workbook:
    """Every sheet of an uploaded file, in the order the file has them."""

    sheets: list[Sheet]
    is_csv: bool = False

    def sheet(self, name: str | None) -> Sheet | None:
        return next((sheet for sheet in self.sheets if sheet.name == name), None)


def cell_text(value) -> str:
    """A cell as trimmed text; a whole number stored as a float (as Excel keeps them) loses its ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_workbook(
    data, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES, max_unpacked: int = MAX_UNPACKED
) -> Workbook:
    """Read an uploaded XLSX or CSV (bytes or a binary stream) into its sheets.

    A sheet longer than `max_rows` data rows is read only in part and marked (`overflow`); which sheet
    is the table is decided later.
    :raise SpreadsheetError: when the file, its encoding or its size is not acceptable.
    """
    data = _read_bytes(data, max_bytes)
    limit = max_rows + EXTRA_ROWS
    if not data.strip():
        raise SpreadsheetError(EMPTY)
    if data.startswith(ZIP_MAGIC):
        workbook = Workbook(_xlsx_sheets(data, limit, max_unpacked))
    elif data.startswith(OLE2_MAGIC):
        raise SpreadsheetError(OLD_EXCEL)
    else:
        workbook = Workbook([_csv_sheet(data, limit)], is_csv=True)
    for sheet in workbook.sheets:
        if sheet.overflow is not None:
            sheet.overflow = max_rows
    if not any(sheet.rows for sheet in workbook.sheets):
        raise SpreadsheetError(EMPTY)
    return workbook


def too_many_rows(max_rows: int) -> str:
    return _l("Tệp có hơn %(max)s dòng dữ liệu. Hãy chia thành nhiều tệp, mỗi tệp tối đa %(max)s dòng.", max=max_rows)


def _read_bytes(data, max_bytes: int) -> bytes:
    if hasattr(data, "read"):
        data = data.read(max_bytes + 1)
    data = bytes(data)
    if len(data) > max_bytes:
        size = _megabytes(max_bytes)
        raise SpreadsheetError(_l("Tệp lớn hơn %(size)s MB. Hãy chia thành nhiều tệp nhỏ hơn.", size=size))
    return data


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}".replace(".", ",")


def clean(value):
    """Stripped NFC text (None when empty; our own `'` formula guard removed); other values untouched."""
    if value is None or isinstance(value, (bool, int, float, datetime, date, time, timedelta, Formula, CellError)):
        return value
    text = str(value).lstrip()
    if text[:1] == "'" and text[1:2] in FORMULA_TRIGGERS:
        text = text[1:]
    return unicodedata.normalize("NFC", text.strip()) or None


class _Rows:
    """Collects a sheet's non-blank rows, counting blank ones, up to a limit."""

    def __init__(self, limit: int):
        self.limit = limit
        self.rows: list[SheetRow] = []
        self.blank = 0
        self.overflow = False

    def add(self, number: int, raw, hidden: bool = False) -> bool:
        """Keep the row if it holds anything; False once the sheet is read far enough."""
        values = [clean(value) for value in raw]
        while values and values[-1] is None:
            values.pop()
        if not values:
            self.blank += 1
            if self.blank > MAX_BLANK_ROWS:
                raise SpreadsheetError(
                    _l(
                        "Trang tính có hơn %(max)s dòng trống. Hãy xoá các dòng trống thừa "
                        "(thường ở cuối trang tính) rồi lưu lại.",
                        max=MAX_BLANK_ROWS,
                    )
                )
            return True
        if len(self.rows) >= self.limit:
            self.overflow = True
            return False
        self.rows.append(SheetRow(number, values, hidden))
        return True


# ---------------------------------------------------------------- XLSX


def _check_archive(data: bytes, max_unpacked: int) -> None:
    """Refuse zip bombs and non-workbooks before openpyxl decompresses anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception as error:  # BadZipFile and whatever else a mangled directory provokes
        raise SpreadsheetError(NOT_XLSX) from error
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names:
        raise SpreadsheetError(OPENDOCUMENT if "content.xml" in names and "mimetype" in names else NOT_XLSX)
    bomb = SpreadsheetError(
        _l(
            "Tệp Excel này khi giải nén lớn hơn %(size)s MB hoặc có cấu trúc bất thường nên không được đọc. "
            "Hãy lưu một tệp chỉ chứa dữ liệu cần nhập.",
            size=_megabytes(max_unpacked),
        )
    )
    if len(members) > MAX_ZIP_MEMBERS:
        raise bomb
    total = 0
    for member in members:
        if member.flag_bits & 0x1:  # encrypted member
            raise SpreadsheetError(NOT_XLSX)
        total += member.file_size
        # zipfile never returns more than the declared file_size, so these figures can be trusted
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > SUSPICIOUS_MEMBER_SIZE and ratio > SUSPICIOUS_RATIO:
            raise bomb
    if total > max_unpacked:
        raise bomb


class _Parser(WorkSheetParser):
    """openpyxl's parser, telling a formula without a saved result and an error result from an empty cell."""

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        if cell["data_type"] == "e" and cell["value"] is not None:
            cell["value"] = CellError(str(cell["value"]))
        elif cell["value"] is None and element.find(FORMULA_TAG) is not None:
            if not element.findtext(VALUE_TAG):  # absent, or the empty <v/> openpyxl writes
                cell["value"] = Formula("=" + (element.findtext(FORMULA_TAG) or ""))
        return cell


def _is_true(value) -> bool:
    return str(value).strip().lower() in ("1", "true")


def _read_sheet(workbook, worksheet, limit: int) -> Sheet:
    collected = _Rows(limit)
    with worksheet._get_source() as source:
        parser = _Parser(
            source,
            worksheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            raw = [None] * min(max((cell["column"] for cell in cells), default=0), MAX_COLUMNS)
            for cell in cells:
                if cell["column"] <= MAX_COLUMNS:
                    raw[cell["column"] - 1] = cell["value"]
            hidden = _is_true(parser.row_dimensions.get(str(number), {}).get("hidden", ""))
            if not collected.add(number, raw, hidden):
                break
        merged = []
        if not collected.overflow and parser.merged_cells is not None:
            for merge in parser.merged_cells.mergeCell:
                min_col, min_row, max_col, max_row = range_boundaries(merge.ref)
                merged.append((min_row, min_col, max_row, max_col))
        hidden_columns = set()
        for attributes in parser.column_dimensions.values():
            if _is_true(attributes.get("hidden", "")):
                first, last = int(attributes["min"]), int(attributes.get("max", attributes["min"]))
                hidden_columns.update(range(first - 1, min(last, MAX_COLUMNS)))
    sheet = Sheet(
        name=worksheet.title,
        rows=collected.rows,
        merged=merged,
        hidden_columns=frozenset(hidden_columns),
        is_hidden=worksheet.sheet_state in ("hidden", "veryHidden"),
        overflow=1 if collected.overflow else None,
    )
    _fill_merged_down(sheet)
    return sheet


def _fill_merged_down(sheet: Sheet) -> None:
    """A cell merged over several rows (a unit written once for its people) counts for each of those rows."""
    by_number = {row.number: row for row in sheet.rows}
    for min_row, min_col, max_row, _max_col in sheet.merged:
        if max_row == min_row or min_row not in by_number:
            continue
        value = by_number[min_row].get(min_col - 1)
        if value is None:
            continue
        for number in range(min_row + 1, max_row + 1):
            row = by_number.get(number)
            if row is None:
                continue
            if len(row.values) < min_col:
                row.values.extend([None] * (min_col - len(row.values)))
            if row.values[min_col - 1] is None:
                row.values[min_col - 1] = value


def _xlsx_sheets(data: bytes, limit: int, max_unpacked: int) -> list[Sheet]:
    _check_archive(data, max_unpacked)
    # openpyxl warns about every extension it drops (data validation, slicers…); the file is still read.
    # catch_warnings is process-wide, so keep the block short and free of our own code paths that warn.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:
            log.info("Unreadable XLSX upload: %r", error)
            raise SpreadsheetError(NOT_XLSX) from error
        try:
            if not workbook.worksheets:
                raise SpreadsheetError(NOT_XLSX)
            return [_read_sheet(workbook, worksheet, limit) for worksheet in workbook.worksheets]
        except SpreadsheetError:
            raise
        except Exception as error:
            log.info("Unreadable XLSX upload: %r", error)
            raise SpreadsheetError(NOT_XLSX) from error
        finally:
            workbook.close()


# ---------------------------------------------------------------- CSV


def _utf16_without_bom(data: bytes) -> str | None:
    """The text, when the bytes read as UTF-16 text with no BOM (every other byte NUL for Latin letters)."""
    if len(data) < 4 or len(data) % 2:
        return None
    pairs = len(data) // 2
    for encoding, zeros in (("utf-16-le", data[1::2]), ("utf-16-be", data[0::2])):
        others = data[0::2] if encoding == "utf-16-le" else data[1::2]
        if zeros.count(0) >= pairs * 0.3 and others.count(0) <= pairs * 0.02:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            controls = sum(1 for char in text if unicodedata.category(char) == "Cc" and char not in "\t\r\n")
            return text if not controls else None
    return None


def _decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 (with or without BOM); any other encoding is refused, never guessed."""
    start = data.lstrip()[:400].lower()
    if start.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml", b"<workbook")) or (
        start.startswith(b"\xef\xbb\xbf<")
    ):
        raise SpreadsheetError(WEB_PAGE)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode Text"
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise SpreadsheetError(NOT_SPREADSHEET) from error
    elif b"\x00" in data:  # UTF-16 without a BOM, or some binary file: no UTF-8 text holds a NUL
        text = _utf16_without_bom(data)
        if text is None:
            raise SpreadsheetError(NOT_SPREADSHEET)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise SpreadsheetError(NOT_UTF8) from error
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise SpreadsheetError(NOT_SPREADSHEET)
    if text.lstrip()[:14].lower().startswith(("<html", "<!doctype html", "<table", "<?xml")):
        raise SpreadsheetError(WEB_PAGE)
    return text


def _sniff_delimiter(text: str) -> str:
    """`,`, `;` or tab: the most frequent outside quotes on the first line with content."""
    candidates = ("\t", ";", ",")  # ties go to the one least likely to appear inside a header
    counts = dict.fromkeys(candidates, 0)
    totals = dict.fromkeys(candidates, 0)
    quoted = content = False
    for char in text[:65536]:
        if char == '"':
            quoted = not quoted
            content = True
        elif quoted:
            continue
        elif char in counts:
            counts[char] += 1
        elif char in "\r\n":
            if content:
                break
            for candidate in candidates:
                totals[candidate] += counts[candidate]
            counts = dict.fromkeys(candidates, 0)
        elif not char.isspace():
            content = True
    if not content:
        counts = totals
    best = max(candidates, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def _csv_sheet(data: bytes, limit: int) -> Sheet:
    text = _decode_csv(data)
    directive = re.match(r"sep=([,;\t|])[ ]*\r?\n", text)  # Excel's own hint line; not a row for Excel
    if directive:
        delimiter, text = directive.group(1), text[directive.end() :]
    else:
        delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    collected = _Rows(limit)
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise SpreadsheetError(
                _l(
                    "Tệp CSV bị lỗi định dạng ở dòng %(row)s. Hãy mở tệp trong Excel và lưu lại dạng CSV UTF-8.",
                    row=reader.line_num,
                )
            ) from error
        number += 1
        if not collected.add(number, [cell if cell.strip() else None for cell in row[:MAX_COLUMNS]]):
            break
    return Sheet(name=None, rows=collected.rows, overflow=1 if collected.overflow else None)
