"""A person's data as files: JSON for machines (keys are the tables' and columns' names), XLSX with a sheet per
table and a PDF to read, all made from `collect`; every export is written to the audit log."""

import enum
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import render_template
from flask_babel import gettext as _

from festival.core import audit
from festival.models import User, utcnow
from festival.privacy.people import Person
from festival.privacy.person_data import Section, collect
from festival.spreadsheets import write_xlsx
from festival.util import pdf
from festival.util.formatting import festival_timezone

FORMATS = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def json_value(value: Any) -> Any:
    """A value as JSON writes it: times in the festival's time zone with their offset, codes for enums."""
    if isinstance(value, datetime):
        return value.astimezone(festival_timezone()).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    return value


def shown_value(value: Any, choices: dict[str, Any] | None = None) -> Any:
    """A value as a person reads it in the spreadsheet or the PDF (times are the spreadsheet's to format)."""
    if value is None:
        return ""
    if choices and value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, enum.Enum):
        return str(value.label) if hasattr(value, "label") else value.value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        return str(value)
    return value


def shown_text(value: Any, choices: dict[str, Any] | None = None) -> str:
    """A value as text: dates and times as dd/mm/yyyy HH:mm in the festival's time zone."""
    value = shown_value(value, choices)
    if isinstance(value, datetime):
        return value.astimezone(festival_timezone()).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def person_name(sections: list[Section]) -> str:
    """The name the person's rows give (account first, then badge, then authorship)."""
    for section in sections:
        if section.table in ("users", "attendees", "authors", "initiative_authors") and section.rows:
            return section.rows[0]["full_name"]
    return ""


def to_json(person: Person, sections: list[Section], now: datetime) -> bytes:
    document = {
        "exported_at": json_value(now),
        "time_zone": str(festival_timezone()),
        "person": {
            "user_ids": sorted(person.user_ids),
            "attendee_ids": sorted(person.attendee_ids),
            "author_ids": sorted(person.author_ids),
            "initiative_author_ids": sorted(person.initiative_author_ids),
            "submission_ids": sorted(person.submission_ids),
        },
        "tables": {
            section.table: {
                "title": {"vi": section.title[0], "en": section.title[1]},
                "columns": {column.key: {"vi": column.vi, "en": column.en} for column in section.columns},
                "rows": [{key: json_value(value) for key, value in row.items()} for row in section.rows],
            }
            for section in sections
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def to_xlsx(sections: list[Section]) -> bytes:
    """One sheet per table that holds rows about the person; headers in Vietnamese and English."""
    sheets = [
        (
            section.title[0],
            [f"{column.vi} ({column.en})" for column in section.columns],
            [[shown_value(row.get(column.key), column.choices) for column in section.columns] for row in section.rows],
        )
        for section in sections
        if section.rows
    ]
    return write_xlsx(sheets or [(_("Không có dữ liệu"), [], [])])


def to_pdf(sections: list[Section], now: datetime) -> bytes:
    rows = [
        (section, [[(c, shown_text(row.get(c.key), c.choices)) for c in section.columns] for row in section.rows])
        for section in sections
        if section.rows
    ]
    html = render_template("privacy/person_pdf.html", name=person_name(sections), sections=rows, now=shown_text(now))
    return pdf.render_pdf(html)


def export(person: Person, file_format: str, *, by: User) -> tuple[bytes, str, str]:
    """The person's data as `file_format` (json, xlsx or pdf): its bytes, content type and file name; audited."""
    now = utcnow()
    sections = collect(person)
    if file_format == "json":
        data = to_json(person, sections, now)
    elif file_format == "xlsx":
        data = to_xlsx(sections)
    else:
        data = to_pdf(sections, now)
    audit.record(
        "privacy.person_exported",
        by=by,
        after={
            "format": file_format,
            "user_ids": sorted(person.user_ids),
            "attendee_ids": sorted(person.attendee_ids),
            "author_ids": sorted(person.author_ids),
            "initiative_author_ids": sorted(person.initiative_author_ids),
            "submission_ids": sorted(person.submission_ids),
            "rows": sum(len(section.rows) for section in sections),
        },
    )
    name = f"du-lieu-ca-nhan-{now.astimezone(festival_timezone()):%Y%m%d-%H%M}.{file_format}"
    return data, FORMATS[file_format], name
