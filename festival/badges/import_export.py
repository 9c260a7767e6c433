"""Attendees in spreadsheets: the list's columns, aliases and value rules for the import engine (all rows or
none, duplicates reported, never merged), the export and the template with its instructions sheet."""

from flask_babel import lazy_gettext as _l

from festival.badges import services
from festival.core import audit
from festival.core.extensions import db
from festival.models import Attendee, AttendeeSource, Festival, User
from festival.spreadsheets import (
    Batch,
    Choices,
    Field,
    ImportList,
    Lookup,
    Prepared,
    cell_text,
    read_workbook,
    run_import,
    single_spaced,
    write_xlsx,
)
from festival.spreadsheets.imports import UNIT_WORDS, list_template, unit_choices, unit_lookup
from festival.util.formatting import fold

FIELDS = [
    Field(
        "full_name",
        _l("Họ và tên"),
        [
            "Họ và tên",
            "Họ tên",
            "Họ và tên đại biểu",
            "Họ tên đại biểu",
            "Họ và tên người tham dự",
            "Họ tên người tham dự",
            "Tên đại biểu",
            "Tên người tham dự",
            "full_name",
            "Full name",
            "Name",
        ],
        required=True,
        required_unless=("family_name", "given_name"),
        help=_l("Bắt buộc (hoặc hai cột “Họ và tên đệm” và “Tên”). Khoảng trắng thừa được bỏ."),
        example="Nguyễn Thị Hằng",
    ),
    Field(
        "family_name",
        _l("Họ và tên đệm"),
        ["Họ và tên đệm", "Họ và đệm", "Họ đệm", "Họ", "Family name", "Last name", "Surname"],
        help=_l("Chỉ khi danh sách tách họ và tên thành hai cột."),
        example="Nguyễn Thị",
        in_template=False,
    ),
    Field(
        "given_name",
        _l("Tên"),
        ["Tên", "Given name", "First name"],
        help=_l("Chỉ khi danh sách tách họ và tên thành hai cột."),
        example="Hằng",
        in_template=False,
    ),
    Field(
        "unit",
        _l("Đơn vị"),
        [
            "Mã đơn vị",
            "Đơn vị",
            "Tên đơn vị",
            "Đơn vị công tác",
            "Mã ĐV",
            "Công ty",
            "Doanh nghiệp",
            "unit_code",
            "Unit code",
            "Unit",
        ],
        help=_l("Mã đơn vị (MAY10), tên ngắn (May 10) hoặc tên đầy đủ; bỏ trống cho khách ngoài ngành."),
        example="MAY10",
        fixable=True,
    ),
    Field(
        "organisation",
        _l("Cơ quan"),
        ["Cơ quan", "Cơ quan công tác", "Nơi công tác", "Tổ chức", "organisation", "organization", "Organisation"],
        help=_l("Cho khách mời, báo chí không thuộc đơn vị nào."),
        example="Báo Lao Động",
        fixable=True,
    ),
    Field(
        "role",
        _l("Vai trò"),
        ["Vai trò", "Thành phần", "Đối tượng", "Loại đại biểu", "Vai trò tham dự", "role", "Role"],
        required=True,
        help=_l("Tên vai trò, không phân biệt dấu và hoa thường."),
        example="Đại biểu",
        fixable=True,
    ),
    Field(
        "email",
        _l("E-mail"),
        [
            "E-mail",
            "Email",
            "Thư điện tử",
            "Địa chỉ email",
            "Địa chỉ e-mail",
            "Địa chỉ thư điện tử",
            "Mail",
            "email",
        ],
        help=_l("Một địa chỉ mỗi ô. Trùng e-mail (không phân biệt hoa thường) được báo lỗi."),
        example="hang.nt@may10.example.vn",
    ),
    Field(
        "phone",
        _l("Số điện thoại"),
        [
            "Số điện thoại",
            "Điện thoại",
            "SĐT",
            "Số ĐT",
            "ĐT",
            "ĐTDĐ",
            "Di động",
            "Điện thoại di động",
            "Số di động",
            "Điện thoại liên hệ",
            "phone",
            "Phone",
            "Mobile",
            "Tel",
        ],
        help=_l("Di động hoặc cố định, có hoặc không có +84; số 0 đầu bị Excel bỏ được thêm lại."),
        example="0912 345 678",
    ),
]
# The example row of the template downloaded before the instructions moved to their own sheet.
EXAMPLES = [{"full_name": "Nguyễn Thị Hằng", "email": "hang.nt@may10.example.vn"}]
# Other words organizers use for the roles, by role code.
ROLE_WORDS = {
    "delegate": ("Đại biểu chính thức", "ĐB"),
    "guest": ("Khách", "Khách mời đặc biệt"),
    "press": ("Báo chí", "Nhà báo", "PV"),
    "volunteer": ("TNV", "Tình nguyện"),
    "organizer": ("BTC",),
    "judge": ("Thành viên hội đồng", "Hội đồng giám khảo", "GK"),
}


def prepare_attendees(festival: Festival, batch: Batch) -> list[Prepared]:
    """Check and convert every row; duplicates (same e-mail in any case, same phone) inside the file and
    against those registered are problems, the same name in the same unit a note.

    Units, roles and registered people are read once, so a list of thousands costs a few queries.
    """
    problems = batch.problems
    units = unit_lookup()
    roles_list = services.badge_roles(festival)
    roles = Lookup(roles_list, lambda role: (role.code, role.name_vi, role.name_en, *ROLE_WORDS.get(role.code, ())))
    registered = list(db.session.execute(db.select(Attendee).where(Attendee.festival_id == festival.id)).scalars())
    contacts = {value: person for person in registered for value in (person.email, person.phone) if value}
    names = {(fold(person.full_name), person.unit_id): person for person in registered}
    seen: dict[str, int] = {}
    seen_names: dict[tuple, int] = {}
    prepared = []
    for row in batch.rows:
        n, before = row.number, len(problems)
        name_column = "full_name" if row["full_name"] is not None else "given_name"
        name = services.clean_name(cell_text(row["full_name"]))
        if not name and (row["family_name"] is not None or row["given_name"] is not None):
            name = services.clean_name(f"{cell_text(row['family_name'])} {cell_text(row['given_name'])}")
        if not name:
            problems.add(n, "full_name" if "full_name" in problems.columns else name_column, _l("Chưa có họ và tên."))
        elif len(name) > 200:
            problems.add(n, name_column, _l("Họ và tên quá dài (tối đa 200 ký tự)."))
        role = None
        if row["role"] is None:
            problems.add(n, "role", _l("Chưa có vai trò."))
        else:
            role, _candidates = roles.find(row["role"])
            if role is None:
                problems.add(n, "role", _l("Không có vai trò “%(role)s”.", role=single_spaced(row["role"])[:40]))
        if row["role"] is None or role is None:
            problems.hint(
                "role", _l("Vai trò hợp lệ: %(roles)s.", roles=", ".join(role.name_vi for role in roles_list))
            )
        organisation = single_spaced(row["organisation"])[:200]
        unit = None
        if row["unit"] is not None:
            text = single_spaced(row["unit"])
            outside = units.find(text) == (None, [])
            if outside and role is not None and role.code not in services.MEMBER_ROLES:
                # "Báo Lao Động" in the "Đơn vị" column of a press list: the organisation the badge names.
                organisation = organisation or text[:200]
                problems.note(
                    n,
                    "unit",
                    _l(
                        "“%(text)s” không phải đơn vị thành viên: ghi là cơ quan (vai trò %(role)s).",
                        text=text[:60],
                        role=role.name_vi,
                    ),
                )
            else:
                if outside and role is not None:
                    problems.hint(
                        "unit",
                        _l(
                            "Đơn vị hợp lệ (mã và tên ngắn): %(choices)s. Vai trò %(role)s cần một đơn vị thành viên; "
                            "khách mời, phóng viên và các vai trò khác có thể ghi tên cơ quan ngoài ngành.",
                            role=role.name_vi,
                            choices=unit_choices(units),
                        ),
                    )
                unit = batch.record(row, "unit", units, UNIT_WORDS, lambda: unit_choices(units))
        email = problems.convert(n, "email", _email, row["email"])
        phone = problems.convert(n, "phone", services.clean_phone, row["phone"])
        if phone and isinstance(row["phone"], (int, float)) and not cell_text(row["phone"]).startswith("0"):
            problems.note(n, "phone", _l("Số ghi dạng số (Excel bỏ số 0 đầu); đã thêm lại số 0."))
        for value, column in ((email, "email"), (phone, "phone")):
            if not value:
                continue
            if value in seen:
                problems.add(n, column, _l("Trùng với dòng %(row)d (%(value)s).", row=seen[value], value=value))
                continue
            seen[value] = n
            if value in contacts:
                existing = contacts[value].full_name
                problems.add(
                    n, column, _l("Trùng với người đã đăng ký: %(name)s (%(value)s).", name=existing, value=value)
                )
        if name and not email and not phone:
            key = (fold(name), unit.id if unit else None)
            if key in seen_names:
                problems.note(n, name_column, _l("Trùng họ tên và đơn vị với dòng %(row)d.", row=seen_names[key]))
            elif key in names:
                problems.note(n, name_column, _l("Đã có người cùng họ tên và đơn vị trong danh sách tham dự."))
            seen_names.setdefault(key, n)
        shown = {
            "full_name": name,
            "unit": unit.code if unit else "",
            "organisation": organisation,
            "role": role.name_vi if role else cell_text(row["role"]),
            "email": email or "",
            "phone": phone or "",
        }
        data = None
        if len(problems) == before:
            data = services.AttendeeInput(name, role, unit, organisation, email, phone)
        prepared.append(Prepared(n, shown, data))
    return prepared


def _email(value):
    text = cell_text(value)
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if text.count("@") > 1:
        raise ValueError(_l("Mỗi ô chỉ ghi một địa chỉ e-mail (ô có “%(email)s”).", email=text[:60]))
    return services.clean_email(text)


def create_attendees(festival: Festival, inputs: list, by: User | None) -> list[Attendee]:
    """Add the checked rows in one go, each with its own audit line."""
    created = [services.new_attendee(festival, item, AttendeeSource.IMPORT) for item in inputs]
    db.session.add_all(created)
    db.session.flush()
    audit.record_many(
        "attendee.added",
        created,
        by=by,
        after=lambda attendee: {"name": attendee.full_name, "role": attendee.role.code, "source": attendee.source},
    )
    return created


def every_row_options(festival: Festival) -> dict[str, list[str]]:
    """What an organizer may give every row of a people list: a role's name or a unit's code."""
    return {
        "role": [role.name_vi for role in services.badge_roles(festival)],
        "unit": [unit.code for unit in unit_lookup().records],
    }


ATTENDEES = ImportList(
    kind="attendees",
    fields=FIELDS,
    prepare=prepare_attendees,
    create=create_attendees,
    audit_action="attendees.imported",
    done=_l("Đã nhập %(n)d người từ %(where)s; bỏ qua %(skipped)d dòng."),
    examples=EXAMPLES,
    options=every_row_options,
)


def import_attendees(
    festival: Festival, data: bytes, by: User | None, choices: Choices | None = None, filename: str | None = None
) -> list[Attendee]:
    """Import every row of a file as an attendee, or none (the CLI and the tests; the web goes step by step).

    :raise SpreadsheetError: the file cannot be read as a table (or is not UTF-8).
    :raise ImportRejected: every problem by row and column; nothing is written.
    """
    created, _preview = run_import(festival, ATTENDEES, read_workbook(data), choices, filename=filename, by=by)
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


def import_template(festival: Festival) -> bytes:
    """The template: the header row on “Danh sách”, the instructions and valid values on “Hướng dẫn”."""
    return list_template(
        FIELDS,
        one_per_row=_l("Ghi mỗi người một dòng trên trang “Danh sách”, từ dòng 2; giữ nguyên dòng tiêu đề."),
        upload_here=_l("Lưu tệp dạng .xlsx hoặc “CSV UTF-8”, rồi tải lên ở trang Nhập người tham dự."),
        lists=[(_l("Vai trò"), [[role.name_vi, "", role.name_en] for role in services.badge_roles(festival)])],
    )
