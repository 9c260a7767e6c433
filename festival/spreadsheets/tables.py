"""Finding the table in a workbook: the sheet and header row that best match a list's fields (two-row headers
combined), header text matched through aliases, and each file column's field guessed or chosen."""

import functools
import hashlib
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from openpyxl.utils import get_column_letter

from festival.spreadsheets.reading import Sheet, SheetRow, Workbook, cell_text
from festival.util.formatting import fold

_ALIASES: list = []
HEADER_SEARCH_ROWS = 30  # title rows, an organisation's letterhead and a two-row header fit in these
ORDINAL_HEADERS = frozenset({"stt", "tt", "so tt", "so thu tu", "thu tu", "no", "#"})
SCALES = {1: _l("đồng"), 1_000: _l("nghìn đồng"), 1_000_000: _l("triệu đồng"), 1_000_000_000: _l("tỷ đồng")}


@dataclass(frozen=True)
class Field:
    """One thing a list imports: its key, its label, the header spellings it is known by (the first is the
    template's), whether a file must have it, and whether money units in its header scale its values."""

    key: str
    label: Any
    aliases: Sequence[str]
    required: bool = False
    money: bool = False
    required_unless: Sequence[str] = ()  # other fields that, all mapped, stand in for this one
    in_template: bool = True  # False: recognised in files, not a column of the template (an alternative)
    fixable: bool = False  # a file without the column may give one value for every row (all "Đại biểu")
    help: Any = None  # how to fill the column, for the template's instructions
    example: Any = None

    @property
    def title(self) -> str:
        return str(self.label)


@dataclass(frozen=True)
class FileColumn:
    """One column of the file's table: where it is, its header as written, the field it looks like."""

    position: int  # from 0
    header: str  # as the file writes it ("Thông tin liên hệ › Điện thoại" for a two-row header)
    guess: str | None = None  # the field key its header matches
    score: float = 0.0
    scale: int | None = None  # money units its header states (1 = đồng, 1 000 000 = triệu đồng)
    is_ordinal: bool = False  # STT: a row number, never imported
    is_hidden: bool = False

    @property
    def letter(self) -> str:
        return get_column_letter(self.position + 1)

    def describe(self) -> str:
        """`D “SĐT”`, or `D` when the column has no header."""
        return f"{self.letter} “{self.header}”" if self.header else self.letter


@dataclass
class Table:
    """The table found on a sheet: its header rows, columns and the rows below the header."""

    sheet: Sheet
    header_rows: tuple[int, ...]  # spreadsheet row numbers; empty when no header row was recognised
    columns: list[FileColumn]
    body: list[SheetRow]

    def column(self, position: int) -> FileColumn | None:
        return next((column for column in self.columns if column.position == position), None)

    @property
    def signature(self) -> str:
        """The same for every file with these headers in this order (remembered mappings are found by it)."""
        keys = "\x1f".join(header_key(column.header) for column in self.columns)
        return hashlib.sha256(keys.encode("utf-8")).hexdigest()

    @property
    def matched(self) -> int:
        return len({column.guess for column in self.columns if column.guess})


@dataclass(frozen=True)
class SheetChoice:
    """A sheet as offered to the organizer: its name and how many of the list's fields its header matches."""

    name: str | None
    matched: int
    is_hidden: bool
    rows: int


# ---------------------------------------------------------------- header text


_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


@functools.lru_cache(maxsize=16384)
def header_key(text) -> str:
    """Header text as compared: accents, case, spacing, line breaks, bracketed explanations, a trailing `*` or
    `:` and a leading number ignored — `Họ và tên\\n(ghi đầy đủ)` and `HO VA TEN *` are `ho va ten`."""
    text = unicodedata.normalize("NFC", cell_text(text))
    previous = None
    while previous != text:  # "Tác giả (Họ tên (chức danh); …)": brackets inside brackets
        previous, text = text, _BRACKETS.sub(" ", text)
    text = re.sub(r"[\s_\-–—/\\*:.,;]+", " ", text)
    text = re.sub(r"^\s*\d{1,2}\s+(?=\D)", "", text)  # "1. Họ và tên"
    return fold(text)


def header_scale(text) -> int | None:
    """The money unit a header states: `Giá trị làm lợi (triệu đồng/năm)` → 1 000 000; None when it states none."""
    folded = fold(re.sub(r"[()\[\]/,.:]", " ", cell_text(text)))
    words = folded.split()
    if "ty" in words or "ti" in words:
        return 1_000_000_000
    if "trieu" in words or "tr" in words:
        return 1_000_000
    if "nghin" in words or "ngan" in words:
        return 1_000
    if any(word in words for word in ("dong", "vnd", "d", "vnđ")):
        return 1
    return None


def aliases_of(fields: Sequence[Field]) -> "Aliases":
    """The (cached) aliases of a list's fields; a list's FIELDS are made once, so matching is done once."""
    for cached_fields, aliases in _ALIASES:
        if cached_fields is fields:
            return aliases
    aliases = Aliases(fields)
    _ALIASES.insert(0, (fields, aliases))
    del _ALIASES[32:]
    return aliases


class Aliases:
    """The header spellings of a list's fields, matched ignoring accents, case and explanations."""

    def __init__(self, fields: Sequence[Field]):
        self.fields = list(fields)
        self.exact: dict[str, tuple[str, float]] = {}
        self._memo: dict = {}
        keys = set()
        for field in self.fields:
            if field.key in keys:
                raise ValueError(f"field key {field.key!r} defined twice")
            keys.add(field.key)
            if not field.aliases:
                raise ValueError(f"field {field.key!r} has no header spelling")
            for rank, alias in enumerate(field.aliases):
                key = header_key(alias)
                if key in self.exact and self.exact[key][0] != field.key:
                    raise ValueError(f"header {alias!r} belongs to two fields")
                # The template's own header first, then the other spellings in the order given.
                self.exact.setdefault(key, (field.key, 3.0 - min(rank, 9) * 0.01))

    def match(self, text) -> tuple[str, float] | None:
        """The field a header names and how sure the match is (3: a known spelling; 1–2: it starts with one)."""
        if text not in self._memo:
            if len(self._memo) > 20000:
                self._memo.clear()
            self._memo[text] = self._match(text)
        return self._memo[text]

    def _match(self, text) -> tuple[str, float] | None:
        candidates = [header_key(text)]
        first_line = cell_text(text).splitlines()[0] if cell_text(text) else ""
        if first_line and header_key(first_line) != candidates[0]:
            candidates.append(header_key(first_line))
        for key in candidates:
            if key in self.exact:
                return self.exact[key]
        best = None
        for key in candidates:
            for alias, (field_key, _score) in self.exact.items():
                # "Tên" (given name) must not claim "Tên khách"; short single words only match whole.
                if key.startswith(alias + " ") and (" " in alias or len(alias) >= 5):
                    score = 1.0 + min(len(alias.split()), 9) / 10
                    if best is None or score > best[1]:
                        best = (field_key, score)
        return best


# ---------------------------------------------------------------- finding the header


def _header_cells(sheet: Sheet, row: SheetRow) -> list:
    """A header row's cells, a label merged across columns repeated in each of them."""
    values = list(row.values)
    for min_row, min_col, max_row, max_col in sheet.merged:
        if min_row <= row.number <= max_row and max_col > min_col:
            top_left = next((r.get(min_col - 1) for r in sheet.rows if r.number == min_row), None)
            if top_left is None:
                continue
            if len(values) < max_col:
                values.extend([None] * (max_col - len(values)))
            for position in range(min_col - 1, max_col):
                if values[position] is None:
                    values[position] = top_left
    return values


def _combined(parent: list, child: list, aliases: Aliases) -> list[tuple[str, tuple[str, float] | None]]:
    """Two header rows read as one: the lower cell where it names a field, else the upper, else both."""
    width = max(len(parent), len(child))
    cells = []
    for position in range(width):
        upper = cell_text(parent[position]) if position < len(parent) else ""
        lower = cell_text(child[position]) if position < len(child) else ""
        if lower and upper and lower != upper:
            lower_match, upper_match = aliases.match(lower), aliases.match(upper)
            if lower_match:
                cells.append((f"{upper} › {lower}", lower_match))
            elif upper_match:
                cells.append((f"{upper} › {lower}", upper_match))
            else:
                joined = f"{upper} {lower}"
                cells.append((f"{upper} › {lower}", aliases.match(joined)))
        else:
            text = lower or upper
            cells.append((text, aliases.match(text) if text else None))
    return cells


def _single(values: list, aliases: Aliases) -> list[tuple[str, tuple[str, float] | None]]:
    return [(cell_text(value), aliases.match(value) if value is not None else None) for value in values]


def _quality(cells, required: set[str]) -> tuple[int, int, float]:
    """How well a header row matches: required fields found, fields found, sureness."""
    best: dict[str, float] = {}
    for _text, match in cells:
        if match:
            best[match[0]] = max(best.get(match[0], 0.0), match[1])
    return len(required & best.keys()), len(best), sum(best.values())


def _find_header(sheet: Sheet, aliases: Aliases):
    """(quality, header rows, cells) of the best header on the sheet, or None when no row names a field.

    A row and the one below it are one header when the lower row names at least two fields of its own and
    together they name more than either alone ("Thông tin liên hệ" above "Điện thoại", "E-mail").
    Ties go to the upper, earlier header.
    """
    required = {field.key for field in aliases.fields if field.required}
    rows = sheet.rows[:HEADER_SEARCH_ROWS]
    best = None
    for index, row in enumerate(rows):
        upper = _header_cells(sheet, row)
        single = _single(upper, aliases)
        options = [((row.number,), single, _quality(single, required))]
        following = rows[index + 1] if index + 1 < len(rows) else None
        if following is not None and following.number == row.number + 1:
            lower = _header_cells(sheet, following)
            lower_alone = _single(lower, aliases)
            if sum(1 for _text, match in lower_alone if match) >= 2:
                combined = _combined(upper, lower, aliases)
                quality = _quality(combined, required)
                # Better than either row alone (a title above the header is not part of it), or as good as
                # the lower row when the upper one names fields too (merged down over both rows).
                upper_quality, lower_quality = options[0][2][:2], _quality(lower_alone, required)[:2]
                if quality[:2] > max(upper_quality, lower_quality) or (
                    quality[:2] == lower_quality and upper_quality[1] and quality[:2] > upper_quality
                ):
                    options.insert(0, ((row.number, following.number), combined, quality))
        for numbers, cells, quality in options:
            if quality[1] and (best is None or quality > best[0]):
                best = (quality, numbers, cells)
    return best


def _columns(sheet: Sheet, cells, body: list[SheetRow]) -> list[FileColumn]:
    width = max([len(cells)] + [len(row.values) for row in body])
    columns = []
    for position in range(width):
        text, match = cells[position] if position < len(cells) else ("", None)
        has_data = any(row.get(position) is not None for row in body)
        if not text and not has_data:
            continue
        text = " ".join(text.split()) if "›" not in text else " › ".join(" ".join(p.split()) for p in text.split("›"))
        columns.append(
            FileColumn(
                position=position,
                header=text,
                guess=match[0] if match else None,
                score=match[1] if match else 0.0,
                scale=header_scale(text) if text else None,
                is_ordinal=header_key(text) in ORDINAL_HEADERS,
                is_hidden=position in sheet.hidden_columns,
            )
        )
    return columns


def read_table(sheet: Sheet, fields: Sequence[Field]) -> Table:
    """The sheet's table: the header row matching the most fields (required ones first), two rows combined
    when the second adds fields; without one, the first row stands as the header (columns left to map)."""
    aliases = aliases_of(fields)
    found = _find_header(sheet, aliases)
    if found is None:
        if not sheet.rows:
            return Table(sheet, (), [], [])
        first = sheet.rows[0]
        body = sheet.rows[1:]
        return Table(sheet, (first.number,), _columns(sheet, _single(first.values, Aliases([])), body), body)
    _quality, numbers, cells = found
    body = [row for row in sheet.rows if row.number > numbers[-1]]
    return Table(sheet, numbers, _columns(sheet, cells, body), body)


def sheet_choices(workbook: Workbook, fields: Sequence[Field]) -> list[SheetChoice]:
    """Every sheet with how well it matches, in the workbook's order."""
    aliases = aliases_of(fields)
    choices = []
    for sheet in workbook.sheets:
        found = _find_header(sheet, aliases)
        choices.append(SheetChoice(sheet.name, found[0][1] if found else 0, sheet.is_hidden, len(sheet.rows)))
    return choices


def best_sheet(workbook: Workbook, fields: Sequence[Field]) -> Sheet:
    """The sheet whose header matches the list best: required fields, then fields, visible before hidden,
    then the first (an instructions sheet in front of the list does not hide it)."""
    aliases = aliases_of(fields)
    required = {field.key for field in fields if field.required}

    def rank(indexed):
        index, sheet = indexed
        found = _find_header(sheet, aliases)
        quality = found[0] if found else (0, 0, 0.0)
        return (quality[0] == len(required), quality[0], quality[1], not sheet.is_hidden, bool(sheet.rows), -index)

    return max(enumerate(workbook.sheets), key=rank)[1]


def find_sheet(workbook: Workbook, wanted: str | None) -> Sheet | None:
    """The sheet named `wanted` (exactly, then ignoring case and accents), or numbered so from 1."""
    if wanted is None:
        return None
    sheet = workbook.sheet(wanted)
    if sheet is not None:
        return sheet
    folded = fold(str(wanted))
    for sheet in workbook.sheets:
        if sheet.name is not None and fold(sheet.name) == folded:
            return sheet
    if str(wanted).strip().isdigit() and 1 <= int(wanted) <= len(workbook.sheets):
        return workbook.sheets[int(wanted) - 1]
    return None


# ---------------------------------------------------------------- mapping columns to fields


def guess_mapping(table: Table, fields: Sequence[Field]) -> dict[int, str]:
    """Column position → field key from the headers: each field to its surest column, each column to one field."""
    known = {field.key for field in fields}
    candidates = sorted(
        (column for column in table.columns if column.guess in known and not column.is_ordinal),
        key=lambda column: (-column.score, column.position),
    )
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for column in candidates:
        if column.guess not in taken:
            mapping[column.position] = column.guess
            taken.add(column.guess)
    return mapping


def usable_mapping(table: Table, fields: Sequence[Field], mapping: Mapping) -> dict[int, str]:
    """The part of a stored or typed mapping that still fits this table and list."""
    known = {field.key for field in fields}
    positions = {column.position for column in table.columns}
    return {int(p): key for p, key in mapping.items() if int(p) in positions and key in known}


def mapping_problems(
    table: Table, fields: Sequence[Field], mapping: Mapping[int, str], fixed: Collection[str] = ()
) -> list[str]:
    """What keeps a mapping from being imported: a field read from two columns, a required field from none
    (and given no value for every row, `fixed`)."""
    problems = []
    by_field: dict[str, list[FileColumn]] = {}
    for position, key in sorted(mapping.items()):
        column = table.column(position)
        if column is not None:
            by_field.setdefault(key, []).append(column)
    for field in fields:
        columns = by_field.get(field.key, [])
        if len(columns) > 1:
            problems.append(
                str(
                    _l(
                        "“%(field)s” được chọn cho %(n)d cột: %(columns)s. Mỗi trường chỉ đọc từ một cột.",
                        field=field.title,
                        n=len(columns),
                        columns=", ".join(column.describe() for column in columns),
                    )
                )
            )
        elif (
            not columns
            and field.key not in fixed
            and field.required
            and not (field.required_unless and all(k in by_field for k in field.required_unless))
        ):
            message = (
                _l(
                    "Chưa có cột nào cho “%(field)s” (bắt buộc). Hãy chọn cột chứa %(field)s trong bảng ghép cột, "
                    "hoặc ghi một giá trị chung cho mọi dòng.",
                    field=field.title,
                )
                if field.fixable
                else _l(
                    "Chưa có cột nào cho “%(field)s” (bắt buộc). Hãy chọn cột chứa %(field)s trong bảng ghép cột.",
                    field=field.title,
                )
            )
            problems.append(str(message))
    return problems
