"""Rows under the header that are not data: blank rows, totals, signature blocks, notes, group headings,
repeated headers, column numbers, the template's example row and hidden rows — each skipped with its reason."""

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from festival.spreadsheets.reading import SheetRow, cell_text
from festival.spreadsheets.tables import Table, header_key
from festival.util.formatting import fold

REASONS = {
    "blank": _l("Dòng trống"),
    "unused_only": _l("Chỉ có dữ liệu ở cột không nhập"),
    "hidden": _l("Dòng bị ẩn trong tệp"),
    "total": _l("Dòng tổng cộng"),
    "signature": _l("Phần ký tên, xác nhận cuối danh sách"),
    "note": _l("Dòng ghi chú"),
    "heading": _l("Dòng tiêu đề nhóm"),
    "repeated_header": _l("Dòng tiêu đề lặp lại"),
    "column_numbers": _l("Dòng đánh số cột"),
    "example": _l("Dòng ví dụ của tệp mẫu"),
}
# Rows the organizer may import anyway: a hidden row on purpose, or a row a rule took for something else.
INCLUDABLE = frozenset({"hidden", "total", "signature", "note", "heading", "example"})

_TOTAL = re.compile(r"^(tong cong|tong so|tong|cong|total|grand total|sum)\s*(?:[:.(].*|\d.*)?$")
# A signature block starts at a cell that is, as a whole, one of these (a summary that mentions a date does not).
_SIGNATURE = [
    re.compile(r"^((tm|kt|tl|tuq|q)\.\s*[a-z]|(t/m|thay mat)\s+[a-z]).{0,60}$"),  # TM. BAN THƯỜNG VỤ, KT. CHỦ TỊCH
    re.compile(r"^nguoi (lap|lap bieu|lap bang|lap danh sach|duyet|kiem tra)\W*$"),
    re.compile(r"^(xac nhan|noi nhan)\b.{0,60}$"),
    re.compile(r"^\(ky[ ,].{0,50}\)$"),  # (Ký, ghi rõ họ tên)
    re.compile(r"^([^\d,]{1,40},\s*)?ngay\W*[\d.…_ ]*\W*thang\W*[\d.…_ ]*\W*nam\W*[\d.…_ ]*\W*$"),
]
_NOTE = re.compile(r"^(\(?\*+\)?|(ghi chu|luu y|chu y|note|nb)\s*[:.])")
_HEADING = re.compile(r"^(([ivxlc]+|[a-z]|\d{1,2})[.)]\s+\S|(khoi|nhom|phan|muc)\s)")
_GROUP_NUMBER = re.compile(r"^([ivxlc]+|[a-z])[.)]?$")
_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,3}|[a-z]{1,2})\)?$")
_ORDINAL = re.compile(r"[\dIVXLCivxlc.)\s]*")
_EXAMPLE = re.compile(r"^\(?(vi du|vd|mau|dong mau)\)?\s*([:.)]|$)")


def _signature(text: str) -> bool:
    folded = fold(text)
    return any(rule.match(folded) for rule in _SIGNATURE)


@dataclass(frozen=True)
class Skipped:
    """Rows recognised as not data, with the reason, what they say, and whether they may be imported anyway."""

    first: int
    last: int
    reason: str
    text: str = ""
    includable: bool = False

    @property
    def label(self):
        return REASONS[self.reason]

    @property
    def rows(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}–{self.last}"


@dataclass
class DataRow:
    """A row to import: its number as the spreadsheet shows it and its cells by field key (None when empty)."""

    number: int
    values: dict[str, Any]
    hidden: bool = False  # a hidden row the organizer chose to import

    def __getitem__(self, key: str):
        return self.values.get(key)

    def get(self, key: str, default=None):
        value = self.values.get(key)
        return default if value is None else value


def _excerpt(texts: Sequence[str], limit: int = 80) -> str:
    text = " | ".join(" ".join(t.split()) for t in texts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _matches_example(values: Mapping[str, Any], examples: Sequence[Mapping[str, Any]]) -> bool:
    for example in examples:
        compared = [key for key in example if values.get(key) is not None]
        if len(compared) >= min(2, len(example)) and all(
            fold(" ".join(cell_text(values[key]).split())) == fold(" ".join(str(example[key]).split()))
            for key in compared
        ):
            return True
    return False


class _Rules:
    def __init__(self, table: Table, mapping: Mapping[int, str], examples):
        self.table = table
        self.mapping = dict(mapping)
        self.examples = examples
        self.ordinal = {c.position for c in table.columns if c.is_ordinal and c.position not in self.mapping}
        self.header_keys = {
            c.position: {header_key(part) for part in c.header.split("›")} - {""} for c in table.columns if c.header
        }
        self.header_end = table.header_rows[-1] if table.header_rows else 0
        self.in_footer = False

    def texts(self, row: SheetRow, positions=None) -> list[tuple[int, str]]:
        return [
            (position, cell_text(value))
            for position, value in enumerate(row.values)
            if value is not None and (positions is None or position in positions) and cell_text(value)
        ]

    def reason(self, row: SheetRow, values: dict[str, Any]) -> tuple[str | None, list[str]]:
        """Why the row is not data (None when it is) and the texts that say so."""
        cells = self.texts(row)
        words = [t for _p, t in cells]
        if self.in_footer:
            return "signature", words
        if any(_signature(text) for _p, text in cells if len(text) <= 80):
            self.in_footer = True
            return "signature", words
        first_text = next((t for _p, t in cells if not re.fullmatch(r"[\d\s.,]+", t)), "")
        folded_first = fold(first_text)
        if first_text and _TOTAL.match(folded_first):
            return "total", words
        repeated = sum(1 for p, t in cells if header_key(t) in self.header_keys.get(p, ()))
        if repeated >= 2:
            return "repeated_header", words
        if row.number <= self.header_end + 2 and len(cells) >= 3 and self._column_numbers(cells):
            return "column_numbers", words
        if len(cells) <= 2 and first_text and _NOTE.match(folded_first):
            return "note", words
        if self._heading(row, cells):
            return "heading", words
        if not any(value is not None for value in values.values()):
            unused = [
                t for p, t in cells if p not in self.mapping and not (p in self.ordinal and _ORDINAL.fullmatch(t))
            ]
            return ("unused_only", unused) if unused else ("blank", [])
        marker = fold(cells[0][1]) if cells else ""
        if _EXAMPLE.match(marker) or _matches_example(values, self.examples):
            return "example", words
        if row.hidden:
            return "hidden", words
        return None, words

    def _column_numbers(self, cells) -> bool:
        """`(1) (2) (3)…` or `A B 1 2 3…` under the header: labels, consecutive numbers at least half of them."""
        if not all(_COLUMN_NUMBER.match(text.lower()) for _p, text in cells):
            return False
        numbers = [int(text.strip("()")) for _p, text in cells if text.strip("()").isdigit()]
        return len(numbers) * 2 >= len(cells) and all(b == a + 1 for a, b in zip(numbers, numbers[1:]))

    def _heading(self, row: SheetRow, cells) -> bool:
        """One text alone on its row (a row number such as "I" aside): merged across columns, numbered like
        "I." or "A)", or saying "Khối…", "Nhóm…" — the heading of a group of rows."""
        numbers = [t for p, t in cells if p in self.ordinal and _ORDINAL.fullmatch(t)]
        texts = [(p, t) for p, t in cells if not (p in self.ordinal and _ORDINAL.fullmatch(t))]
        if len({fold(t) for _p, t in texts}) != 1:
            return False
        position, text = texts[0]
        if isinstance(row.values[position], (int, float)):
            return False
        merge = self.table.sheet.merge_at(row.number, position)
        if merge is not None and merge[3] > merge[1] and merge[2] == merge[0]:
            return True
        if numbers and _GROUP_NUMBER.match(fold(numbers[0])):
            return True
        return bool(_HEADING.match(fold(text)))


def classify(
    table: Table,
    mapping: Mapping[int, str],
    *,
    examples: Sequence[Mapping[str, Any]] = (),
    include: Collection[int] = (),
) -> tuple[list[DataRow], list[Skipped]]:
    """Split the rows under the header into rows to import and rows skipped (blank ones as ranges).

    `include` names skipped rows (a hidden row, say) to import anyway; a blank row never is.
    """
    rules = _Rules(table, mapping, examples)
    rows: list[DataRow] = []
    skipped: list[Skipped] = []
    blank_from = None
    previous = rules.header_end

    def close_blank(last: int):
        nonlocal blank_from
        if blank_from is not None:
            skipped.append(Skipped(blank_from, last, "blank"))
            blank_from = None

    for row in table.body:
        if row.number > previous + 1 and blank_from is None:
            blank_from = previous + 1
        previous = row.number
        values = {key: row.get(position) for position, key in rules.mapping.items()}
        reason, texts = rules.reason(row, values)
        if reason == "blank":
            if blank_from is None:
                blank_from = row.number
            continue
        close_blank(row.number - 1)
        if reason is None or (reason in INCLUDABLE and row.number in include):
            rows.append(DataRow(row.number, values, hidden=row.hidden))
        else:
            skipped.append(Skipped(row.number, row.number, reason, _excerpt(texts), reason in INCLUDABLE))
    close_blank(previous)
    return rows, skipped
