"""Attendees in spreadsheets: the all-or-nothing import (duplicates reported), export and template."""

from flask_babel import lazy_gettext as _l

from festival import audit
from festival.badges import services
from festival.extensions import db
from festival.models import Attendee, AttendeeSource, Festival, Unit, User
from festival.spreadsheets import Column, RowProblems, cell_text, read_table, template_xlsx, write_xlsx

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


def import_attendees(festival: Festival, data: bytes, by: User | None) -> list[Attendee]:
    """Import every row as an attendee, or none: bad cells and duplicates are all reported.

    A duplicate is the same e-mail (any case) or the same phone, within the file or already
    registered; it is reported, never merged. Units, roles and registered contacts are read once,
    so a list of thousands costs a few queries, not several per row.
    :raise SpreadsheetError: the file cannot be read as a table (or is not UTF-8).
    :raise ImportRejected: every bad cell by row number and column; nothing is written.
    """
    rows = read_table(data, COLUMNS)
    label = {c.key: c.title for c in COLUMNS}
    units = {unit.code: unit for unit in db.session.execute(db.select(Unit)).scalars()}
    roles = services.badge_roles(festival)
    registered = services.registered_contacts(festival)
    problems = RowProblems()
    seen: dict[str, int] = {}
    inputs = []
    for row in rows:
        n = row.number
        name = services.clean_name(cell_text(row["full_name"]))
        if not name:
            problems.add(n, label["full_name"], _l("Chưa có họ và tên."))
        elif len(name) > 200:
            problems.add(n, label["full_name"], _l("Họ và tên quá dài."))
        unit = None
        if cell_text(row["unit_code"]):
            unit = units.get(cell_text(row["unit_code"]).upper())
            if unit is None:
                problems.add(
                    n, label["unit_code"], _l("Không có đơn vị mã “%(code)s”.", code=cell_text(row["unit_code"])[:40])
                )
        role = services.role_from_text(roles, cell_text(row["role"]))
        if role is None:
            problems.add(n, label["role"], _l("Không có vai trò “%(role)s”.", role=cell_text(row["role"])[:40]))
        email = problems.convert(n, label["email"], services.clean_email, cell_text(row["email"]))
        phone = problems.convert(n, label["phone"], services.clean_phone, row["phone"])
        for value, column in ((email, "email"), (phone, "phone")):
            if not value:
                continue
            if value in seen:
                problems.add(n, label[column], _l("Trùng với dòng %(row)d (%(value)s).", row=seen[value], value=value))
                continue
            seen[value] = n
            if value in registered:
                existing = registered[value].full_name
                problems.add(
                    n,
                    label[column],
                    _l("Trùng với người đã đăng ký: %(name)s (%(value)s).", name=existing, value=value),
                )
        if name and role is not None:
            organisation = cell_text(row["organisation"])[:200]
            inputs.append(services.AttendeeInput(name, role, unit, organisation, email, phone))
    problems.raise_if_any()
    created = [services.new_attendee(festival, item, AttendeeSource.IMPORT) for item in inputs]
    db.session.add_all(created)
    db.session.flush()
    audit.record_many(
        "attendee.added",
        created,
        by=by,
        after=lambda attendee: {"name": attendee.full_name, "role": attendee.role.code, "source": attendee.source},
    )
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
