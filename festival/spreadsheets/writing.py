"""Writing spreadsheets: exports no spreadsheet will run as formulas (XLSX with typed cells, CSV UTF-8 with a
BOM) and the import templates, whose instructions sit on their own sheet."""

import codecs
import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from festival.spreadsheets.reading import FORMULA_TRIGGERS
from festival.util.formatting import utc_to_local

EXCEL_CELL_LIMIT = 32767


def neutralise(value):
    """A text value that no spreadsheet will run as a formula (prefixed with `'`); other values as they are."""
    if isinstance(value, str) and value[:1] in FORMULA_TRIGGERS:
        return "'" + value
    return value


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


REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")


def template_xlsx(
    fields,
    *,
    title,
    instructions_title,
    instructions: Sequence[Any] = (),
    lists: Sequence[tuple[Any, Sequence[Sequence[Any]]]] = (),
    required_label: Any = "*",
    column_headings: Sequence[Any] = ("", "", "", ""),
) -> bytes:
    """An import template: the list's sheet holds only the header row (each field's first spelling; required
    ones shaded), and a second sheet the instructions — what each column takes, with an example, then the
    valid values (`lists`: a heading and its rows) — so no example row can be imported by mistake."""
    fields = [field for field in fields if field.in_template]
    workbook = Workbook()
    data = workbook.active
    data.title = _sheet_title(title, set())
    bold = Font(bold=True)
    for position, field in enumerate(fields, start=1):
        cell = _set_cell(data, 1, position, field.aliases[0])
        cell.font = bold
        if field.required:
            cell.fill = REQUIRED_FILL
        data.column_dimensions[get_column_letter(position)].width = min(max(len(field.aliases[0]) + 4, 14), 40)
    data.freeze_panes = "A2"

    sheet = workbook.create_sheet(_sheet_title(instructions_title, {data.title.casefold()}))
    wrap = Alignment(wrap_text=True, vertical="top")
    row = 1
    _set_cell(sheet, row, 1, instructions_title).font = Font(bold=True, size=14)
    for line in instructions:
        row += 1
        _set_cell(sheet, row, 1, line).alignment = Alignment(wrap_text=False)
    row += 2
    for position, heading in enumerate(column_headings, start=1):
        _set_cell(sheet, row, position, heading).font = bold
    for field in fields:
        row += 1
        values = [field.aliases[0], required_label if field.required else "", field.help, field.example]
        for position, value in enumerate(values, start=1):
            _set_cell(sheet, row, position, value).alignment = wrap
    for heading, entries in lists:
        row += 2
        _set_cell(sheet, row, 1, heading).font = bold
        for entry in entries:
            row += 1
            for position, value in enumerate(entry, start=1):
                _set_cell(sheet, row, position, value).alignment = wrap
    for letter, width in zip("ABCD", (28, 10, 60, 36)):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
