"""Exhibits in spreadsheets: the all-or-nothing import (XLSX or CSV), the export and the template."""

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l

from festival import audit
from festival.exhibits import services
from festival.extensions import db
from festival.formatting import fold, parse_vnd
from festival.models import MAX_AUTHORS, ApplicationScope, Exhibit, ExhibitStatus, Festival, Unit, User
from festival.spreadsheets import Column, RowProblems, cell_text, read_table, template_xlsx, write_xlsx

# The first spelling is the template's header; the others are what exhibits.csv and people write.
COLUMNS = [
    Column("ref", ["Mã tham chiếu", "ref", "Reference"]),
    Column("unit_code", ["Mã đơn vị", "unit_code", "Unit code", "Đơn vị"], required=True, label=_l("Mã đơn vị")),
    Column(
        "category_code",
        ["Mã lĩnh vực", "category_code", "Category code", "Lĩnh vực"],
        required=True,
        label=_l("Mã lĩnh vực"),
    ),
    Column("title", ["Tên sáng kiến", "title", "Title", "Tên giải pháp"], required=True, label=_l("Tên sáng kiến")),
    Column(
        "authors",
        ["Tác giả", "authors", "Authors", "Tác giả (Họ tên (chức danh); …)"],
        required=True,
        label=_l("Tác giả"),
    ),
    Column(
        "benefit",
        ["Giá trị làm lợi (đồng/năm)", "benefit_vnd_per_year", "Giá trị làm lợi", "Benefit (VND per year)"],
        label=_l("Giá trị làm lợi"),
    ),
    Column(
        "applied_since",
        ["Năm bắt đầu áp dụng", "applied_since", "Năm áp dụng", "Year first applied"],
        label=_l("Năm bắt đầu áp dụng"),
    ),
    Column("scope", ["Phạm vi áp dụng", "scope", "Scope"], label=_l("Phạm vi áp dụng")),
    Column("summary", ["Tóm tắt", "summary", "Summary"], label=_l("Tóm tắt")),
]
EXAMPLE = {
    "ref": "E001",
    "unit_code": "MAY10",
    "category_code": "KT",
    "title": "Cữ gá may túi tự động",
    "authors": "Nguyễn Văn An (Tổ trưởng tổ may); Trần Thị Bình (Kỹ thuật chuyền)",
    "benefit": 150_000_000,
    "applied_since": 2021,
    "scope": "Trong đơn vị",
    "summary": "",
}
_AUTHOR = re.compile(r"^(?P<name>[^()]+?)\s*(?:\((?P<job>[^()]*)\))?$")


def parse_authors(text: str) -> list[services.AuthorInput]:
    """Read `Name (job); Name (job)` into authors, in order.

    :raise ValueError: no author, more than six, or a name that cannot be read.
    """
    parts = [part.strip() for part in re.split(r"[;\n]", text or "") if part.strip()]
    if not parts:
        raise ValueError(_l("Cần ít nhất một tác giả."))
    if len(parts) > MAX_AUTHORS:
        raise ValueError(_l("Tối đa %(n)d tác giả (có %(have)d).", n=MAX_AUTHORS, have=len(parts)))
    authors = []
    for part in parts:
        match = _AUTHOR.match(part)
        if not match or len(match["name"]) > 200:
            raise ValueError(_l("Không đọc được tác giả “%(text)s”; hãy viết Họ tên (chức danh).", text=part[:80]))
        authors.append(services.AuthorInput(match["name"].strip(), (match["job"] or "").strip()[:200]))
    return authors


def parse_year(value) -> int:
    """:raise ValueError: not a year between 1975 and next year."""
    text = cell_text(value)
    if not text.isdigit() or not 1975 <= int(text) <= datetime.now().year + 1:
        raise ValueError(_l("Năm không hợp lệ: “%(value)s”.", value=text[:20]))
    return int(text)


def parse_scope(value) -> ApplicationScope:
    """:raise ValueError: not one of the three scopes (by value or by its Vietnamese/English label)."""
    wanted = fold(cell_text(value))
    for scope in ApplicationScope:
        if wanted in {scope.value.replace("_", " "), scope.value, fold(str(scope.label)), fold(SCOPE_NAMES[scope])}:
            return scope
    raise ValueError(_l("Phạm vi áp dụng phải là “Trong đơn vị”, “Ở một số đơn vị” hoặc “Toàn ngành”."))


SCOPE_NAMES = {
    ApplicationScope.OWN_UNIT: "Trong đơn vị",
    ApplicationScope.SEVERAL_UNITS: "Ở một số đơn vị",
    ApplicationScope.WHOLE_SECTOR: "Toàn ngành",
}


def import_exhibits(festival: Festival, data: bytes, by: User | None, now: datetime) -> list[Exhibit]:
    """Import every row as a submitted exhibit, or none: every bad row is reported.

    :raise SpreadsheetError: the file cannot be read as a table.
    :raise ImportRejected: with every bad cell by row number and column; nothing is written.
    """
    rows = read_table(data, COLUMNS)
    label = {column.key: column.title for column in COLUMNS}
    units = {unit.code: unit for unit in db.session.execute(db.select(Unit)).scalars()}
    categories = {category.code: category for category in services.list_categories(festival)}
    known_refs = set(
        db.session.execute(
            db.select(Exhibit.ref).where(Exhibit.festival_id == festival.id, Exhibit.ref.is_not(None))
        ).scalars()
    )
    planned: dict[int, int] = {}
    problems = RowProblems()
    inputs: list[tuple[Unit, services.ExhibitInput]] = []

    for row in rows:
        n = row.number
        ref = cell_text(row["ref"]) or None
        if ref and ref in known_refs:
            problems.add(
                n, label["ref"], _l("Mã tham chiếu %(ref)s đã có (đã nhập trước đó hoặc lặp trong tệp).", ref=ref)
            )
        if ref:
            known_refs.add(ref)
        unit = units.get(cell_text(row["unit_code"]).upper())
        if unit is None:
            problems.add(
                n, label["unit_code"], _l("Không có đơn vị mã “%(code)s”.", code=cell_text(row["unit_code"])[:40])
            )
        category = categories.get(cell_text(row["category_code"]).upper())
        if category is None:
            problems.add(
                n,
                label["category_code"],
                _l("Không có lĩnh vực mã “%(code)s”.", code=cell_text(row["category_code"])[:40]),
            )
        title = cell_text(row["title"])
        if not title:
            problems.add(n, label["title"], _l("Chưa có tên sáng kiến."))
        elif len(title) > 300:
            problems.add(n, label["title"], _l("Tên dài quá 300 ký tự."))
        authors = problems.convert(n, label["authors"], parse_authors, cell_text(row["authors"]))
        benefit = (
            problems.convert(n, label["benefit"], parse_vnd, row["benefit"]) if row["benefit"] is not None else None
        )
        year = (
            problems.convert(n, label["applied_since"], parse_year, row["applied_since"])
            if row["applied_since"] is not None
            else None
        )
        scope = problems.convert(n, label["scope"], parse_scope, row["scope"]) if row["scope"] is not None else None
        if unit is not None:
            planned[unit.id] = planned.get(unit.id, services.quota_used(festival, unit)) + 1
            if planned[unit.id] > festival.exhibit_quota:
                problems.add(
                    n,
                    label["unit_code"],
                    _l("Đơn vị %(code)s vượt hạn mức %(n)d sáng kiến.", code=unit.code, n=festival.exhibit_quota),
                )
        if unit is not None and category is not None and title and authors:
            inputs.append(
                (
                    unit,
                    services.ExhibitInput(
                        title=title,
                        category=category,
                        authors=authors,
                        summary=cell_text(row["summary"])[:3000],
                        benefit_vnd=benefit,
                        applied_since=year,
                        scope=scope,
                        ref=ref,
                    ),
                )
            )
    problems.raise_if_any()
    created = [
        services.create_exhibit(festival, unit, data, by=by, now=now, status=ExhibitStatus.SUBMITTED)
        for unit, data in inputs
    ]
    audit.record("exhibits.imported", festival, by=by, after={"rows": len(created)})
    return created


def _authors_text(exhibit: Exhibit) -> str:
    return "; ".join(f"{a.full_name} ({a.job_title})" if a.job_title else a.full_name for a in exhibit.authors)


EXPORT_HEADERS = [
    _l("Mã"),
    _l("Gian"),
    _l("Trạng thái"),
    _l("Mã đơn vị"),
    _l("Đơn vị"),
    _l("Khu vực"),
    _l("Mã lĩnh vực"),
    _l("Tên sáng kiến"),
    _l("Tác giả"),
    _l("Giá trị làm lợi (đồng/năm)"),
    _l("Năm bắt đầu áp dụng"),
    _l("Phạm vi áp dụng"),
    _l("Tóm tắt"),
    _l("Vấn đề cần giải quyết"),
    _l("Giải pháp"),
    _l("Kết quả đạt được"),
    _l("Nhận xét của ban tổ chức"),
    _l("Mã tham chiếu"),
    _l("Cập nhật lúc"),
]


def export_exhibits(festival: Festival) -> bytes:
    """Every exhibit of the festival as an XLSX (formulas neutralised by the writer)."""
    exhibits = db.session.execute(services.search_exhibits(festival, services.ExhibitFilters(sort="code"))).scalars()
    rows = (
        [
            e.code,
            e.booth,
            str(e.status.label),
            e.unit.code,
            e.unit.name,
            str(e.unit.region.label),
            e.category.code,
            e.title,
            _authors_text(e),
            e.benefit_vnd,
            e.applied_since,
            str(e.scope.label) if e.scope else None,
            e.summary,
            e.problem,
            e.solution,
            e.results,
            e.review_comment,
            e.ref,
            e.updated_at,
        ]
        for e in exhibits
    )
    return write_xlsx([(_l("Sáng kiến"), [str(h) for h in EXPORT_HEADERS], rows)])


def import_template() -> bytes:
    """The downloadable template: Vietnamese headers and one example row."""
    return template_xlsx(COLUMNS, [EXAMPLE])
