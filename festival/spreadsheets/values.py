"""Cell values as a list stores them: names with single spaces, money (numbers, `1.500.000 đ`, `1,5 tỷ`, a header's
unit), years from year or date cells, dates, people written `Name (job)` or `Name - job`, and records (units,
categories, roles) found by code or name. Parsers raise ValueError with a readable message; a value read in a way
the organizer should see comes back as `Noted(value, note)`."""

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l

from festival.spreadsheets.reading import cell_text
from festival.spreadsheets.tables import SCALES
from festival.util.formatting import MAX_VND, fold, format_vnd, parse_vnd


@dataclass(frozen=True)
class Noted:
    """A value read from a cell, with a note saying how (shown in the preview so nothing happens unseen)."""

    value: Any
    note: Any


def single_spaced(value) -> str:
    """Text as one line: NFC, every run of spaces and line breaks one space."""
    return " ".join(unicodedata.normalize("NFC", cell_text(value)).split())


def paragraphs(value) -> str:
    """Text keeping its line breaks, each line single-spaced, no blank lines at either end."""
    lines = [" ".join(line.split()) for line in unicodedata.normalize("NFC", cell_text(value)).splitlines()]
    return "\n".join(lines).strip()


# ---------------------------------------------------------------- money

_CURRENCY = re.compile(r"\s*(₫|đồng|đ|vnđ|vnd)\s*(/\s*năm)?\s*$", re.IGNORECASE)
_WORD_UNITS = {"tỷ": 10**9, "tỉ": 10**9, "triệu": 10**6, "tr": 10**6, "nghìn": 10**3, "ngàn": 10**3}
_WORD_PART = re.compile(r"(\d+(?:[.,]\d+)*)\s*(tỷ|tỉ|triệu|tr|nghìn|ngàn)\b\.?", re.IGNORECASE)


def _number(text: str, *, comma_decimal: bool = False) -> Decimal:
    """`1.500.000`, `1500000`, `1,5` or `1.5` as a number; `.` before exactly three digits groups thousands."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text) or re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}", text):
        return Decimal(re.sub(r"[.,]", "", text))
    if re.fullmatch(r"\d+", text):
        return Decimal(text)
    if re.fullmatch(r"\d+[.,]\d+", text) and (comma_decimal or not re.fullmatch(r"\d{1,3}[.,]\d{3}", text)):
        return Decimal(text.replace(",", "."))
    raise InvalidOperation(text)


def _whole(amount: Decimal, shown: str) -> int:
    if amount != amount.to_integral_value():
        raise ValueError(_l("Số tiền “%(value)s” có phần lẻ dưới một đồng.", value=shown))
    if amount >= MAX_VND:
        raise ValueError(_l("Số tiền quá lớn."))
    return int(amount)


def read_money(value, scale: int = 1):
    """A cell as whole đồng: a number (times `scale`, the unit the header states), `1.500.000.000 đ`, `VNĐ`, or
    words such as `1,5 tỷ` and `85 triệu` (read, and noted).

    :raise ValueError: a negative, fractional or unreadable amount, or an estimate such as `khoảng 85 triệu`.
    """
    if isinstance(value, bool) or isinstance(value, (date, datetime)):
        raise ValueError(_l("Ô chứa ngày tháng hoặc đúng/sai, không phải số tiền."))
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(_l("Số tiền không được âm."))
        amount = Decimal(repr(value)) * scale
        return _whole(amount, cell_text(value))
    text = single_spaced(value)
    bare = _CURRENCY.sub("", text).strip()
    if bare.startswith("-"):
        raise ValueError(_l("Số tiền không được âm."))
    parts = list(_WORD_PART.finditer(bare))
    if parts and not _WORD_PART.sub("", bare).strip(" ,"):
        try:
            amount = sum(
                _number(part.group(1), comma_decimal=True) * _WORD_UNITS[part.group(2).lower()] for part in parts
            )
        except InvalidOperation:
            raise ValueError(_money_hint(text)) from None
        amount = _whole(amount, text)
        return Noted(amount, _l("“%(text)s” đọc là %(amount)s.", text=text, amount=format_vnd(amount)))
    if scale == 1:
        try:
            return parse_vnd(bare)
        except ValueError:
            if re.fullmatch(r"[\d.,\s\u00a0]+", bare):
                raise  # a number, too large or written oddly: parse_vnd says which
            raise ValueError(_money_hint(text)) from None
    compact = re.sub(r"[\s\u00a0\u202f]", "", bare)
    if re.fullmatch(r"\d{1,3}[.,]\d{3}", compact):
        as_decimal = str(Decimal(compact.replace(",", ".")).normalize()).replace(".", ",")
        raise ValueError(
            _l(
                "“%(text)s” không rõ là %(decimal)s hay %(whole)s %(unit)s. Hãy ghi %(decimal)s hoặc %(whole)s.",
                text=text,
                decimal=as_decimal,
                whole=re.sub(r"[.,]", "", compact),
                unit=SCALES.get(scale, scale),
            )
        )
    try:
        return _whole(_number(compact) * scale, text)
    except InvalidOperation:
        raise ValueError(_money_hint(text)) from None


def _money_hint(text: str):
    return _l(
        "Số tiền không hợp lệ: “%(text)s”. Hãy ghi một con số, ví dụ 1.500.000, 1500000 hoặc 85 triệu.",
        text=text[:40],
    )


# ---------------------------------------------------------------- years and dates

_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M")


def read_date(value) -> date:
    """A date cell, or text `dd/mm/yyyy` (also with `-` or `.`, or ISO `yyyy-mm-dd`).

    :raise ValueError: anything else, or a date that does not exist.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = single_spaced(value)
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_l("Ngày không hợp lệ: “%(value)s”. Hãy ghi dạng dd/mm/yyyy, ví dụ 15/03/2021.", value=text[:30]))


def read_year(value, earliest: int = 1975, latest: int | None = None):
    """A year: a number, `năm 2021`, or a date (cell or `15/03/2021`, `03/2021`) giving its year (noted).

    :raise ValueError: no single year in it, or one outside earliest..latest (next year by default).
    """
    latest = latest if latest is not None else datetime.now().year + 1
    year, note = None, None
    if isinstance(value, (date, datetime)):
        year = value.year
        note = _l("Ô là ngày %(date)s; lấy năm %(year)s.", date=value.strftime("%d/%m/%Y"), year=year)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer():
            year = int(value)
    else:
        text = single_spaced(value)
        folded = fold(text)
        if re.fullmatch(r"\d{4}", text):
            year = int(text)
        elif re.fullmatch(r"((tu )?nam|tu|thang \d{1,2}( nam)?|t\d{1,2})?\s*[\d/.\-: ]*\d{4}[\d/.\-: ]*", folded):
            years = re.findall(r"(?<!\d)(\d{4})(?!\d)", text)
            if len(years) == 1:
                year = int(years[0])
                if text != years[0]:
                    note = _l("“%(text)s” đọc là năm %(year)s.", text=text, year=year)
    if year is None or not earliest <= year <= latest:
        raise ValueError(
            _l(
                "Năm không hợp lệ: “%(value)s”. Hãy ghi năm từ %(earliest)s đến %(latest)s, ví dụ 2021.",
                value=cell_text(value)[:30],
                earliest=earliest,
                latest=latest,
            )
        )
    return Noted(year, note) if note else year


# ---------------------------------------------------------------- people


@dataclass
class Person:
    name: str
    job: str = ""


_BULLET = re.compile(r"^\s*(?:[-–—•+*·]+|\d{1,2}\s*[.)/]|[a-z]\))\s*", re.IGNORECASE)
_IN_BRACKETS = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<job>[^()]*)\)$")
_DASHED = re.compile(r"^(?P<name>.+?)\s+[-–—]\s+(?P<job>.+)$")
# A part after a comma that starts like this is the previous person's job title, not another person.
_JOB_STARTS = (
    "to truong",
    "to pho",
    "truong ",
    "pho giam doc",
    "pho quan doc",
    "pho phong",
    "pho truong",
    "quan doc",
    "ky su",
    "ky thuat",
    "cong nhan",
    "tho ",
    "nhan vien",
    "chuyen vien",
    "can bo",
    "giam doc",
    "chu tich",
    "bi thu",
    "ke toan",
    "doi truong",
    "chuyen truong",
    "ktv",
)


def _split_outside_brackets(text: str, separators: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
        if char in separators and not depth:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def read_list(text) -> list[str]:
    """Items written one after another (`;`, `,` or line breaks, numbered or bulleted), single-spaced."""
    parts = _split_outside_brackets(unicodedata.normalize("NFC", cell_text(text)), ";,\n\r")
    return [item for item in (" ".join(_BULLET.sub("", part).split()) for part in parts) if item]


def _looks_like_job(text: str) -> bool:
    folded = fold(text) + " "
    return folded.startswith(_JOB_STARTS)


def read_people(text) -> tuple[list[Person], list]:
    """People written one after another — separated by `;`, `,` or line breaks, each `Name (job)`, `Name - job`
    or a bare name, numbered or bulleted or not — and notes on what was read as a job title after a comma."""
    people: list[Person] = []
    notes = []
    for raw in _split_outside_brackets(unicodedata.normalize("NFC", cell_text(text)), ";,\n\r"):
        part = " ".join(_BULLET.sub("", raw).split())
        if not part:
            continue
        match = _IN_BRACKETS.match(part) or _DASHED.match(part)
        name, job = (match["name"].strip(), " ".join(match["job"].split())) if match else (part, "")
        if not job and people and not people[-1].job and _looks_like_job(name):
            people[-1].job = name
            notes.append(_l("“%(job)s” đọc là chức danh của %(name)s.", job=name, name=people[-1].name))
            continue
        people.append(Person(name, job))
    return people, notes


# ---------------------------------------------------------------- records by code or name

_COMPANY_WORDS = re.compile(
    r"\b(tong cong ty|cong ty|tct|cty|ctcp|tnhh|mtv|mot thanh vien|co phan|cp|tap doan|jsc|corporation|company|"
    r"ltd|corp)\b"
)


def loose_key(text) -> str:
    """A name with accents, case, punctuation, spaces and company-form words gone: `Tổng Công ty May 10 – CTCP`
    and `Cty May 10` are both `may10`."""
    folded = fold(single_spaced(text))
    folded = _COMPANY_WORDS.sub(" ", folded)
    return re.sub(r"[\W_]+", "", folded)


class Lookup:
    """Records found by any of their names (code, short name, full name…), ignoring accents, case and spacing,
    then ignoring punctuation and company-form words."""

    def __init__(self, records: Iterable, names: Callable[[Any], Iterable[str]]):
        self.records = list(records)
        self.exact: dict[str, list] = {}
        self.loose: dict[str, list] = {}
        for record in self.records:
            for name in names(record):
                if not name:
                    continue
                for index, key in ((self.exact, fold(single_spaced(name))), (self.loose, loose_key(name))):
                    if key and record not in index.setdefault(key, []):
                        index[key].append(record)

    def find(self, text) -> tuple[Any, list]:
        """(the record, []) when the text names exactly one; (None, candidates) when several; (None, [])."""
        for index, key in ((self.exact, fold(single_spaced(text))), (self.loose, loose_key(text))):
            found = index.get(key, [])
            if len(found) == 1:
                return found[0], []
            if found:
                return None, found
        return None, []
