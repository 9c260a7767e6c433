"""The one CSV/XLSX reader and writer: header mapping, row numbers, row errors and the formula guard."""

import codecs
import csv
import io
import logging
import math
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from festival.errors import FestivalError
from festival.formatting import fold, utc_to_local

log = logging.getLogger(__name__)

MAX_ROWS = 5000  # data rows per import
MAX_BYTES = 10 * 1024 * 1024  # the uploaded file itself
MAX_UNPACKED = 60 * 1024 * 1024  # an XLSX's members once decompressed
MAX_BLANK_ROWS = 50_000  # blank rows read before a sheet counts as padded out
MAX_COLUMNS = 200  # cells right of this are never read
HEADER_SEARCH_ROWS = 10  # a title row or two may sit above the header
MAX_ZIP_MEMBERS = 2000
SUSPICIOUS_MEMBER_SIZE = 10 * 1024 * 1024
SUSPICIOUS_RATIO = 100

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected .xlsx

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets.
FORMULA_TRIGGERS = frozenset("=+-@\t\r＝＋－＠")
EXCEL_CELL_LIMIT = 32767

EMPTY = _l("Tệp không có dữ liệu.")
NOT_SPREADSHEET = _l("Tệp không phải bảng tính Excel (.xlsx) hoặc CSV. Hãy tải lên tệp .xlsx hoặc CSV UTF-8.")
OLD_EXCEL = _l(
    "Tệp Excel 97-2003 (.xls) hoặc tệp Excel có mật khẩu không đọc được. "
    "Hãy mở tệp trong Excel, bỏ mật khẩu nếu có và lưu thành Excel Workbook (.xlsx)."
)
NOT_UTF8 = _l(
    "Tệp CSV không được lưu ở dạng UTF-8 nên chữ tiếng Việt sẽ bị lỗi. Trong Excel, hãy chọn "
    "Lưu thành (Save As) → “CSV UTF-8 (Comma delimited) (*.csv)”, hoặc lưu thành Excel Workbook (.xlsx), "
    "rồi tải lên lại."
)
NOT_XLSX = _l(
    "Không đọc được tệp Excel này. Hãy mở tệp trong Excel, lưu lại thành Excel Workbook (.xlsx) rồi tải lên lại."
)
OPENDOCUMENT = _l("Tệp OpenDocument (.ods) chưa được hỗ trợ. Hãy lưu thành Excel Workbook (.xlsx) hoặc CSV UTF-8.")
NO_DATA_ROWS = _l("Tệp chỉ có dòng tiêu đề, chưa có dòng dữ liệu nào.")


class SpreadsheetError(FestivalError):
    """An uploaded file cannot be read as a table (format, size, encoding or header row)."""


@dataclass(frozen=True)
class RowProblem:
    """One bad cell of an import: the row as the spreadsheet shows it, the column's label, what is wrong."""

    row: int
    column: str
    message: str

    def __str__(self):
        text = _l(
            "Dòng %(row)s, cột “%(column)s”: %(message)s", row=self.row, column=self.column, message=str(self.message)
        )
        return str(text)


class ImportRejected(FestivalError):
    """An import had bad rows; nothing was written and `problems` lists every one."""

    def __init__(self, problems: Iterable[RowProblem]):
        self.problems = sorted(problems, key=lambda problem: problem.row)
        super().__init__(_l("Tệp có %(count)s lỗi; không có dòng nào được nhập.", count=len(self.problems)))


class RowProblems:
    """Collects every bad cell of an import, so the organiser sees all of them at once."""

    def __init__(self):
        self.problems: list[RowProblem] = []

    def add(self, row: int, column, message) -> None:
        """Record that `column` (its label) of spreadsheet row `row` is wrong."""
        self.problems.append(RowProblem(row, str(column), message))

    def convert(self, row: int, column, parse: Callable[[Any], Any], value):
        """`parse(value)`, or None after recording the problem when it raises ValueError."""
        try:
            return parse(value)
        except ValueError as error:
            self.add(row, column, error.args[0] if error.args else str(error))
            return None

    def raise_if_any(self) -> None:
        """:raise ImportRejected: when any problem was recorded."""
        if self.problems:
            raise ImportRejected(self.problems)

    def __len__(self):
        return len(self.problems)

    def __bool__(self):
        return bool(self.problems)

    def __iter__(self):
        return iter(self.problems)


@dataclass(frozen=True)
class Column:
    """One column an import reads: its key, accepted header spellings (the first is the template's)."""

    key: str
    headers: Sequence[str]
    required: bool = False
    label: Any = None  # shown in messages; defaults to the first spelling

    @property
    def title(self) -> str:
        return str(self.label if self.label is not None else self.headers[0])


@dataclass(frozen=True)
class Row:
    """One data row: its number as the spreadsheet shows it and its values by column key."""

    number: int
    values: dict[str, Any]
    found: frozenset[str] = field(default=frozenset(), repr=False)  # keys whose column is in the file

    def __getitem__(self, key: str):
        return self.values[key]

    def get(self, key: str, default=None):
        """The value, or `default` when the cell is empty or the column absent."""
        value = self.values.get(key)
        return default if value is None else value


def neutralise(value):
    """A text value that no spreadsheet will run as a formula (prefixed with `'`); other values as they are."""
    if isinstance(value, str) and value[:1] in FORMULA_TRIGGERS:
        return "'" + value
    return value


# ---------------------------------------------------------------- reading


def cell_text(value) -> str:
    """A cell as trimmed text; a whole number stored as a float (as Excel keeps them) loses its ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_table(
    data,
    columns: Sequence[Column],
    *,
    max_rows: int = MAX_ROWS,
    max_bytes: int = MAX_BYTES,
    max_unpacked: int = MAX_UNPACKED,
) -> list[Row]:
    """Read an uploaded XLSX or CSV (bytes or a binary stream) into rows keyed by `columns`.

    The header row is the first non-empty row (or, when that matches no column, one of the next few);
    every column key is in each row's values (None for an empty cell or an absent optional column).

    :raise SpreadsheetError: when the file, its encoding, its size or its header row is not acceptable.
    """
    data = _read_bytes(data, max_bytes)
    spellings = _spellings(columns)
    limit = max_rows + HEADER_SEARCH_ROWS + 1
    if not data.strip():
        raise SpreadsheetError(EMPTY)
    if data.startswith(ZIP_MAGIC):
        records = _xlsx_records(data, limit, max_unpacked)
    elif data.startswith(OLE2_MAGIC):
        raise SpreadsheetError(OLD_EXCEL)
    else:
        records = _csv_records(data, limit)
    if not records:
        raise SpreadsheetError(EMPTY)

    header_at = _find_header(records, spellings)
    header_number, header = records[header_at]
    positions = _map_header(header, header_number, columns, spellings)
    body = records[header_at + 1 :]
    if not body:
        raise SpreadsheetError(NO_DATA_ROWS)
    if len(body) > max_rows:
        raise _too_many_rows(max_rows)
    found = frozenset(positions)
    return [
        Row(number, {column.key: _pick(values, positions.get(column.key)) for column in columns}, found)
        for number, values in body
    ]


def _pick(values: list, position: int | None):
    return values[position] if position is not None and position < len(values) else None


def _too_many_rows(max_rows: int) -> SpreadsheetError:
    return SpreadsheetError(
        _l("Tệp có hơn %(max)s dòng dữ liệu. Hãy chia thành nhiều tệp, mỗi tệp tối đa %(max)s dòng.", max=max_rows)
    )


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


def _header_key(text) -> str:
    """Headers match whatever the accents, case, `_`/`-`/spaces or a required-marking `*`."""
    return fold(re.sub(r"[\s_\-–*]+", " ", unicodedata.normalize("NFC", str(text))))


def _spellings(columns: Sequence[Column]) -> dict[str, str]:
    spellings: dict[str, str] = {}
    keys = set()
    for column in columns:
        if column.key in keys:
            raise ValueError(f"column key {column.key!r} defined twice")
        keys.add(column.key)
        if not column.headers:
            raise ValueError(f"column {column.key!r} has no header spelling")
        for spelling in column.headers:
            folded = _header_key(spelling)
            if spellings.setdefault(folded, column.key) != column.key:
                raise ValueError(f"header {spelling!r} belongs to two columns")
    return spellings


def _find_header(records, spellings) -> int:
    for index, (_number, values) in enumerate(records[:HEADER_SEARCH_ROWS]):
        if any(value is not None and _header_key(value) in spellings for value in values):
            return index
    return 0


def _map_header(header, header_number: int, columns: Sequence[Column], spellings) -> dict[str, int]:
    """Column key → position in the row. :raise SpreadsheetError: for missing or repeated columns."""
    seen: dict[str, list[int]] = {}
    for position, value in enumerate(header):
        if value is None:
            continue
        key = spellings.get(_header_key(value))
        if key is not None:
            seen.setdefault(key, []).append(position)
    titles = {column.key: column.title for column in columns}
    repeated = [
        f"“{titles[key]}” ({', '.join(get_column_letter(p + 1) for p in places)})"
        for key, places in seen.items()
        if len(places) > 1
    ]
    if repeated:
        raise SpreadsheetError(
            _l(
                "Các cột sau xuất hiện nhiều lần trong dòng tiêu đề (dòng %(row)s): %(columns)s. "
                "Mỗi cột chỉ được có một lần.",
                row=header_number,
                columns="; ".join(repeated),
            )
        )
    missing = [f"“{column.title}”" for column in columns if column.required and column.key not in seen]
    if missing:
        raise SpreadsheetError(
            _l(
                "Thiếu cột bắt buộc: %(columns)s. Dòng tiêu đề (dòng %(row)s) phải có các cột này.",
                columns=", ".join(missing),
                row=header_number,
            )
        )
    return {key: places[0] for key, places in seen.items()}


def _clean(value):
    """Stripped NFC text (None when empty; our own `'` formula guard removed); other values untouched."""
    if value is None or isinstance(value, (bool, int, float, datetime, date, time, timedelta)):
        return value
    text = str(value).lstrip()
    if text[:1] == "'" and text[1:2] in FORMULA_TRIGGERS:
        text = text[1:]
    return unicodedata.normalize("NFC", text.strip()) or None


def _collect(raw_rows: Iterable[Sequence], limit: int) -> list[tuple[int, list]]:
    """The non-blank rows, cleaned and numbered from 1 as the spreadsheet shows them."""
    records = []
    blank = 0
    for number, raw in enumerate(raw_rows, start=1):
        values = None
        if raw.count(None) != len(raw):
            values = [_clean(value) for value in raw]
            while values and values[-1] is None:
                values.pop()
        if not values:
            blank += 1
            if blank > MAX_BLANK_ROWS:
                raise SpreadsheetError(
                    _l(
                        "Trang tính có hơn %(max)s dòng trống. Hãy xoá các dòng trống thừa "
                        "(thường ở cuối trang tính) rồi lưu lại.",
                        max=MAX_BLANK_ROWS,
                    )
                )
            continue
        if len(records) >= limit:
            raise _too_many_rows(limit - HEADER_SEARCH_ROWS - 1)
        records.append((number, values))
    return records


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


def _xlsx_records(data: bytes, limit: int, max_unpacked: int) -> list[tuple[int, list]]:
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
            sheet = workbook.worksheets[0]
            # The declared <dimension> may say A1:XFD1048576; read what is there instead.
            sheet.reset_dimensions()
            return _collect(sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True), limit)
        except SpreadsheetError:
            raise
        except Exception as error:
            log.info("Unreadable XLSX upload: %r", error)
            raise SpreadsheetError(NOT_XLSX) from error
        finally:
            workbook.close()


def _decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) or BOM-marked UTF-16; any other encoding is refused, never guessed."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode Text"
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise SpreadsheetError(NOT_SPREADSHEET) from error
    elif b"\x00" in data:  # UTF-16 without a BOM, or some binary file: no text CSV holds a NUL
        raise SpreadsheetError(NOT_SPREADSHEET)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise SpreadsheetError(NOT_UTF8) from error
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise SpreadsheetError(NOT_SPREADSHEET)
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


def _csv_records(data: bytes, limit: int) -> list[tuple[int, list]]:
    text = _decode_csv(data)
    directive = re.match(r"sep=([,;\t|])[ ]*\r?\n", text)  # Excel's own hint line; not a row for Excel
    if directive:
        delimiter, text = directive.group(1), text[directive.end() :]
    else:
        delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows():
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise SpreadsheetError(
                    _l(
                        "Tệp CSV bị lỗi định dạng ở dòng %(row)s. Hãy mở tệp trong Excel và lưu lại dạng CSV UTF-8.",
                        row=reader.line_num,
                    )
                ) from error
            yield [cell if cell.strip() else None for cell in row[:MAX_COLUMNS]]

    return _collect(rows(), limit)


# ---------------------------------------------------------------- writing

DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
TIME_FORMAT = "HH:MM"


def _excel_value(value):
    """A value openpyxl stores as the right cell type, never as a formula."""
    if value is None or isinstance(value, (bool, int, timedelta)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return utc_to_local(value) if value.tzinfo is not None else value
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        if isinstance(value, Decimal):
            return value if value.is_finite() else None
        value = str(value)
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_CELL_LIMIT])


def _set_cell(worksheet, row: int, column: int, value):
    cell = worksheet.cell(row=row, column=column, value=_excel_value(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # openpyxl reads "=…" as a formula and "#N/A" as an error; text is text
    elif isinstance(cell.value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(cell.value, date):
        cell.number_format = DATE_FORMAT
    elif isinstance(cell.value, time):
        cell.number_format = TIME_FORMAT
    return cell


def _width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def _sheet_title(title, used: set[str]) -> str:
    text = re.sub(r"[\[\]:*?/\\]", " ", str(title or "")).strip().strip("'")[:31] or "Sheet"
    candidate, counter = text, 1
    while candidate.casefold() in used:
        counter += 1
        suffix = f" ({counter})"
        candidate = text[: 31 - len(suffix)] + suffix
    used.add(candidate.casefold())
    return candidate


def write_xlsx(sheets: Iterable[tuple[Any, Sequence[Any], Iterable[Sequence[Any]]]]) -> bytes:
    """An XLSX of (title, headers, rows) sheets: bold frozen header, fitted widths, typed cells, no formulas."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for title, headers, rows in sheets:
        worksheet = workbook.create_sheet(_sheet_title(title, used))
        widths: dict[int, int] = {}
        bold = Font(bold=True)
        for column, header in enumerate(headers, start=1):
            cell = _set_cell(worksheet, 1, column, header)
            cell.font = bold
            widths[column] = _width(cell.value) + 2
        last_row = 1
        for row_number, row in enumerate(rows, start=2):
            last_row = row_number
            for column, value in enumerate(row, start=1):
                cell = _set_cell(worksheet, row_number, column, value)
                if row_number <= 1001:  # the first thousand rows are enough to size the columns
                    widths[column] = max(widths.get(column, 0), _width(cell.value))
        for column, width in widths.items():
            worksheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)
        worksheet.freeze_panes = "A2"
        if headers and last_row > 1:
            worksheet.auto_filter.ref = f"A1:{get_column_letter(max(len(headers), 1))}{last_row}"
    if not workbook.worksheets:
        workbook.create_sheet("Sheet")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = utc_to_local(value)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (bool, int, float)):
        return str(value)
    return neutralise(str(value))


def write_csv(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """A comma-separated UTF-8 CSV with a BOM (so Excel reads the accents), formulas neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_value(header) for header in headers])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def template_xlsx(
    columns: Sequence[Column], example_rows: Iterable[Sequence | Mapping] = (), title="Mẫu nhập"
) -> bytes:
    """A blank import template: the header row uses each column's first (Vietnamese) spelling."""
    rows = [
        [row.get(column.key) for column in columns] if isinstance(row, Mapping) else list(row) for row in example_rows
    ]
    return write_xlsx([(title, [column.headers[0] for column in columns], rows)])
