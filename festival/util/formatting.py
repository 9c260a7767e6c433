"""The one place for money and date formats (`1.500.000 ₫`, dd/mm/yyyy) and accent folding."""

import re
import unicodedata
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_datetime as babel_format_datetime
from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l

MAX_VND = 10**15  # far above any benefit value; keeps totals inside a 64-bit integer

_CURRENCY_SUFFIX = re.compile(r"\s*(₫|đ|đồng|vnđ|vnd)\s*$", re.IGNORECASE)
_GROUPED = re.compile(r"^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")


def format_vnd(amount: int | None) -> str:
    """Format an amount of đồng as `1.500.000 ₫` (dots between thousands)."""
    if amount is None:
        return "—"
    return f"{amount:,} ₫".replace(",", ".")


def format_number(value: int | None) -> str:
    """A whole number with dots between thousands, as Vietnamese readers expect."""
    if value is None:
        return "—"
    return f"{value:,}".replace(",", ".")


def format_score(value) -> str:
    """A score with up to two decimals in the reader's language: `87,5` (vi), `87.5` (en)."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0.##")


def parse_vnd(text) -> int:
    """Read an amount typed as `1.500.000.000`, `1500000000` or `1,500,000 ₫` into an int ≥ 0.

    :raise ValueError: with a readable message when it is not a whole, non-negative amount.
    """
    if isinstance(text, bool):
        raise ValueError(_l("Số tiền không hợp lệ."))
    if isinstance(text, int):
        value = text
    elif isinstance(text, float):
        if not text.is_integer():
            raise ValueError(_l("Số tiền phải là số nguyên đồng, không có phần lẻ."))
        value = int(text)
    else:
        cleaned = _CURRENCY_SUFFIX.sub("", str(text).strip())
        cleaned = re.sub(r"[\s\u00a0\u202f]", "", cleaned)
        if not cleaned:
            raise ValueError(_l("Chưa nhập số tiền."))
        if cleaned.startswith("-"):
            raise ValueError(_l("Số tiền không được âm."))
        if cleaned.isdecimal() and cleaned.isascii():
            value = int(cleaned)
        elif _GROUPED.match(cleaned):
            value = int(re.sub(r"[.,]", "", cleaned))
        else:
            raise ValueError(_l("Số tiền không hợp lệ: hãy viết dạng 1.500.000 hoặc 1500000."))
    if value < 0:
        raise ValueError(_l("Số tiền không được âm."))
    if value >= MAX_VND:
        raise ValueError(_l("Số tiền quá lớn."))
    return value


def format_date(value: date | None) -> str:
    """dd/mm/yyyy in both languages."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return babel_format_datetime(value, "dd/MM/yyyy")
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    """dd/mm/yyyy HH:mm in the festival's time zone."""
    if value is None:
        return ""
    return babel_format_datetime(value, "dd/MM/yyyy HH:mm")


def format_time(value: datetime | None) -> str:
    """HH:mm in the festival's time zone."""
    if value is None:
        return ""
    return babel_format_datetime(value, "HH:mm")


def format_gate(name: str | None) -> str:
    """A gate as a sentence names it: "Cổng chính" as typed, a bare "2" as "cổng 2" (never "cổng Cổng chính")."""
    name = (name or "").strip()
    if not name or fold(name).split(" ")[0] in ("cong", "gate"):
        return name
    return gettext("cổng %(name)s", name=name)


def register_template_filters(app):
    app.add_template_filter(format_vnd, "vnd")
    app.add_template_filter(format_number, "number")
    app.add_template_filter(format_score, "score")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_time, "time")
    app.add_template_filter(format_gate, "gate")


def festival_timezone() -> ZoneInfo:
    """The festival's time zone (Asia/Ho_Chi_Minh unless configured otherwise)."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def festival_today() -> date:
    """Today's date in the festival's time zone."""
    return datetime.now(festival_timezone()).date()


def local_to_utc(value: datetime | None) -> datetime | None:
    """A wall-clock time typed in the festival's time zone, as an aware UTC datetime."""
    if value is None:
        return None
    return value.replace(tzinfo=festival_timezone()).astimezone(timezone.utc)


def utc_to_local(value: datetime | None) -> datetime | None:
    """An aware datetime as naive wall-clock time in the festival's time zone (for form fields)."""
    if value is None:
        return None
    return value.astimezone(festival_timezone()).replace(tzinfo=None)


def fold(text: str) -> str:
    """Lower-case text without Vietnamese accents, so `nguyen thi` matches `Nguyễn Thị`."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in text if unicodedata.category(c) != "Mn").casefold().split())
