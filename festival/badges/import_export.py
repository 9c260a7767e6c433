"""Attendees in spreadsheets: the all-or-nothing import (duplicates reported), export and template."""

from flask_babel import lazy_gettext as _l

from festival import audit
from festival.badges import services
from festival.extensions import db
from festival.models import Attendee, AttendeeSource, Festival, Unit, User
from festival.spreadsheets import Column, RowProblems, read_table, template_xlsx, write_xlsx

COLUMNS = [
    Column("full_name", ["Họ và tên", "full_name", "Full name", "Họ tên"], required=True, label=_l("Họ và tên")),
    Column("unit_code", ["Mã đơn vị", "unit_code", "Unit code"], label=_l("Mã đơn vị")),
    Column("organisation", ["Cơ quan", "organisation", "organization", "Organisation"], label=_l("Cơ quan")),
    Column("role", ["Vai trò", "role", "Role"], required=True, label=_l("Vai trò")),
    Column("email", ["E-mail", "email", "Thư điện tử"], label=_l("E-mail")),
    Column("phone", ["Số điện thoại", "phone", "Điện thoại", "Phone"], label=_l("Số điện thoại")),
]
EXAMPLE = {
    "full_name": "Nguyễn Thị Hằng",
    "unit_code": "MAY10",
    "organisation": "",
    "role": "Đại biểu",
    "email": "hang.nt@may10.example.vn",
    "phone": "0912345678",
}
MAX_ROWS = 5000


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_attendees(festival: Festival, data: bytes, by: User | None) -> list[Attendee]:
    """Import every row as an attendee, or none: bad cells and duplicates are all reported.

    A duplicate is the same e-mail (any case) or the same phone, within the file or already
    registered; it is reported, never merged.
    :raise SpreadsheetError: the file cannot be read as a table (or is not UTF-8).
    :raise ImportRejected: every bad cell by row number and column; nothing is written.
    """
    rows = read_table(data, COLUMNS, max_rows=MAX_ROWS)
    label = {c.key: c.title for c in COLUMNS}
    units = {unit.code: unit for unit in db.session.execute(db.select(Unit)).scalars()}
    problems = RowProblems()
    seen_email: dict[str, int] = {}
    seen_phone: dict[str, int] = {}
    inputs = []
    for row in rows:
        n = row.number
        name = services.clean_name(_text(row["full_name"]))
        if not name:
            problems.add(n, label["full_name"], _l("Chưa có họ và tên."))
        elif len(name) > 200:
            problems.add(n, label["full_name"], _l("Họ và tên quá dài."))
        unit = None
        if _text(row["unit_code"]):
            unit = units.get(_text(row["unit_code"]).upper())
            if unit is None:
                problems.add(
                    n, label["unit_code"], _l("Không có đơn vị mã “%(code)s”.", code=_text(row["unit_code"])[:40])
                )
        role = services.role_from_text(festival, _text(row["role"]))
        if role is None:
            problems.add(n, label["role"], _l("Không có vai trò “%(role)s”.", role=_text(row["role"])[:40]))
        email = problems.convert(n, label["email"], services.clean_email, _text(row["email"]))
        phone = problems.convert(n, label["phone"], services.clean_phone, row["phone"])
        for value, seen, column in ((email, seen_email, "email"), (phone, seen_phone, "phone")):
            if not value:
                continue
            if value in seen:
                problems.add(n, label[column], _l("Trùng với dòng %(row)d (%(value)s).", row=seen[value], value=value))
            else:
                seen[value] = n
                existing = services.duplicate_of(
                    festival, value if column == "email" else None, value if column == "phone" else None
                )
                if existing is not None:
                    problems.add(
                        n,
                        label[column],
                        _l("Trùng với người đã đăng ký: %(name)s (%(value)s).", name=existing.full_name, value=value),
                    )
        if name and role is not None:
            inputs.append(services.AttendeeInput(name, role, unit, _text(row["organisation"])[:200], email, phone))
    problems.raise_if_any()
    created = [services.add_attendee(festival, data, by=by, source=AttendeeSource.IMPORT) for data in inputs]
    audit.record("attendees.imported", festival, by=by, after={"rows": len(created)})
    return created


EXPORT_HEADERS = [
    _l("Họ và tên"),
    _l("Mã đơn vị"),
    _l("Đơn vị / cơ quan"),
    _l("Vai trò"),
    _l("E-mail"),
    _l("Số điện thoại"),
    _l("Nguồn"),
    _l("Đã in thẻ"),
    _l("Vào cổng lúc"),
    _l("Cổng"),
]


def export_attendees(festival: Festival) -> bytes:
    """Every attendee as an XLSX (formulas neutralised by the writer)."""
    attendees = services.for_printing(festival)
    rows = [
        [
            a.full_name,
            a.unit.code if a.unit else None,
            a.affiliation,
            a.role.name_vi,
            a.email,
            a.phone,
            str(a.source.label),
            a.printed_at,
            a.checked_in_at,
            a.checked_in_gate,
        ]
        for a in attendees
    ]
    return write_xlsx([(_l("Người tham dự"), [str(h) for h in EXPORT_HEADERS], rows)])


def import_template() -> bytes:
    return template_xlsx(COLUMNS, [EXAMPLE])
