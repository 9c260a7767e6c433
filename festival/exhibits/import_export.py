"""Exhibits in spreadsheets: the list's columns, aliases and value rules for the import engine (all rows or none,
repeated exhibits reported), the export and the template with its instructions sheet."""

from functools import partial

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from festival.core.extensions import db
from festival.exhibits import services
from festival.models import MAX_AUTHORS, ApplicationScope, Author, Exhibit, ExhibitStatus, Festival, User, utcnow
from festival.models.consent import HOW_IMPORT
from festival.privacy import consent as privacy_consents
from festival.spreadsheets import (
    Batch,
    Field,
    ImportList,
    Lookup,
    Prepared,
    cell_text,
    paragraphs,
    read_people,
    read_year,
    single_spaced,
    write_xlsx,
)
from festival.spreadsheets.imports import UNIT_WORDS, RecordWords, list_template, unit_choices, unit_lookup
from festival.spreadsheets.values import read_list
from festival.util.formatting import fold, format_vnd

FIELDS = [
    Field(
        "ref",
        _l("Mã tham chiếu"),
        ["Mã tham chiếu", "ref", "Reference", "Mã hồ sơ", "Số hồ sơ", "Mã đăng ký"],
        help=_l("Tuỳ chọn; giữ cho lần nhập sau không trùng (không phân biệt hoa thường)."),
        example="E001",
    ),
    Field(
        "unit",
        _l("Đơn vị"),
        [
            "Mã đơn vị",
            "Đơn vị",
            "Tên đơn vị",
            "Đơn vị đăng ký",
            "Đơn vị công tác",
            "Đơn vị tác giả",
            "Mã ĐV",
            "unit_code",
            "Unit code",
            "Unit",
        ],
        required=True,
        help=_l("Mã đơn vị (MAY10), tên ngắn (May 10) hoặc tên đầy đủ."),
        example="MAY10",
        fixable=True,
    ),
    Field(
        "category",
        _l("Lĩnh vực"),
        [
            "Mã lĩnh vực",
            "Lĩnh vực",
            "Tên lĩnh vực",
            "Nhóm lĩnh vực",
            "Lĩnh vực dự thi",
            "category_code",
            "Category code",
            "Category",
        ],
        required=True,
        help=_l("Mã (KT) hoặc tên lĩnh vực."),
        example="KT",
        fixable=True,
    ),
    Field(
        "title",
        _l("Tên sáng kiến"),
        [
            "Tên sáng kiến",
            "Tên giải pháp",
            "Tên sáng kiến/giải pháp",
            "Tên sáng kiến, giải pháp",
            "Tên đề tài",
            "Tên công trình",
            "Tên sản phẩm",
            "Sáng kiến",
            "title",
            "Title",
        ],
        required=True,
        help=_l("Tối đa 300 ký tự."),
        example="Cữ gá may túi tự động",
    ),
    Field(
        "authors",
        _l("Tác giả"),
        [
            "Tác giả",
            "Tác giả/nhóm tác giả",
            "Nhóm tác giả",
            "Tác giả, đồng tác giả",
            "Họ và tên tác giả",
            "Họ tên tác giả",
            "Đồng tác giả",
            "authors",
            "Authors",
            "Tác giả (Họ tên (chức danh); …)",
        ],
        required=True,
        help=_l(
            "1–6 người, cách nhau bằng dấu chấm phẩy, dấu phẩy hoặc xuống dòng; chức danh trong ngoặc hoặc sau "
            "dấu gạch: Họ tên (chức danh) hoặc Họ tên - chức danh."
        ),
        example="Nguyễn Văn An (Tổ trưởng tổ may); Trần Thị Bình (Kỹ thuật chuyền)",
    ),
    Field(
        "author_jobs",
        _l("Chức danh tác giả"),
        ["Chức danh", "Chức vụ", "Chức danh tác giả", "Chức vụ tác giả", "Nghề nghiệp", "Chức danh, nghề nghiệp"],
        help=_l("Tuỳ chọn, khi chức danh ở cột riêng: theo thứ tự tác giả, cách nhau như tên tác giả."),
        example="Tổ trưởng tổ may; Kỹ thuật chuyền",
        in_template=False,
    ),
    Field(
        "benefit",
        _l("Giá trị làm lợi"),
        [
            "Giá trị làm lợi (đồng/năm)",
            "Giá trị làm lợi",
            "benefit_vnd_per_year",
            "Giá trị làm lợi ước tính",
            "Giá trị làm lợi hằng năm",
            "Số tiền làm lợi",
            "Hiệu quả kinh tế",
            "Benefit (VND per year)",
            "Benefit",
        ],
        money=True,
        help=_l(
            "Đồng mỗi năm: 1.500.000.000, 1500000000, 1,5 tỷ hoặc 85 triệu. Nếu tiêu đề cột ghi đơn vị "
            "(triệu đồng), số trong cột được nhân theo đơn vị đó."
        ),
        example="150.000.000",
    ),
    Field(
        "applied_since",
        _l("Năm bắt đầu áp dụng"),
        [
            "Năm bắt đầu áp dụng",
            "applied_since",
            "Năm áp dụng",
            "Thời gian áp dụng",
            "Thời điểm áp dụng",
            "Ngày áp dụng",
            "Năm bắt đầu",
            "Year first applied",
        ],
        help=_l("Năm (2021) hoặc ngày bắt đầu áp dụng (15/03/2021: lấy năm)."),
        example="2021",
    ),
    Field(
        "scope",
        _l("Phạm vi áp dụng"),
        ["Phạm vi áp dụng", "scope", "Scope", "Phạm vi"],
        help=_l("Trong đơn vị, Ở một số đơn vị hoặc Toàn ngành."),
        example="Trong đơn vị",
    ),
    Field(
        "summary",
        _l("Tóm tắt"),
        ["Tóm tắt", "summary", "Summary", "Tóm tắt nội dung", "Nội dung tóm tắt", "Mô tả", "Mô tả ngắn", "Nội dung"],
        example="",
    ),
    Field("problem", _l("Vấn đề cần giải quyết"), ["Vấn đề cần giải quyết", "Thực trạng", "Vấn đề", "problem"]),
    Field("solution", _l("Giải pháp"), ["Giải pháp", "Nội dung giải pháp", "solution"]),
    Field("results", _l("Kết quả đạt được"), ["Kết quả đạt được", "Kết quả", "Hiệu quả đạt được", "results"]),
    Field(
        "consent",
        _l("Đồng ý công khai tên, ảnh"),
        [
            "Đồng ý công khai tên, ảnh",
            "Đồng ý công khai tên và ảnh",
            "Đồng ý công khai",
            "Công khai tên, ảnh",
            "Tác giả đồng ý công khai",
            "consent",
            "Gallery consent",
        ],
        help=_l(
            "Tuỳ chọn, theo bản khai có chữ ký của tác giả: Có hoặc Không cho từng tác giả, cùng thứ tự tên tác "
            "giả (một giá trị: cho mọi tác giả). Để trống là không đồng ý: tên và ảnh không công khai."
        ),
        example="Có; Không",
    ),
]
# The example row of the template downloaded before the instructions moved to their own sheet.
EXAMPLES = [
    {
        "title": "Cữ gá may túi tự động",
        "authors": "Nguyễn Văn An (Tổ trưởng tổ may); Trần Thị Bình (Kỹ thuật chuyền)",
    }
]
SCOPE_NAMES = {
    ApplicationScope.OWN_UNIT: "Trong đơn vị",
    ApplicationScope.SEVERAL_UNITS: "Ở một số đơn vị",
    ApplicationScope.WHOLE_SECTOR: "Toàn ngành",
}


def parse_authors(text) -> tuple[list[services.AuthorInput], list]:
    """Authors in order, and notes on how they were read.

    :raise ValueError: no author, more than six, or a name too long.
    """
    people, notes = read_people(text)
    if not people:
        raise ValueError(_l("Cần ít nhất một tác giả."))
    if len(people) > MAX_AUTHORS:
        raise ValueError(_l("Tối đa %(n)d tác giả (có %(have)d).", n=MAX_AUTHORS, have=len(people)))
    for person in people:
        if len(person.name) > 200 or not any(char.isalpha() for char in person.name):
            text = person.name[:80]
            raise ValueError(_l("Không đọc được tác giả “%(text)s”; hãy viết Họ tên (chức danh).", text=text))
    return [services.AuthorInput(person.name, person.job[:200]) for person in people], notes


_YES = {"co", "x", "dong y", "yes", "y", "1", "true"}
_NO = {"khong", "khong dong y", "no", "n", "0", "false", "-"}


def parse_consent(value, authors: int) -> list[bool]:
    """Each author's answer, in the authors' order; one answer stands for every author.

    :raise ValueError: an answer that is neither yes nor no, or not one per author.
    """
    answers = []
    for item in read_list(value):
        folded = fold(item)
        if folded not in _YES | _NO:
            raise ValueError(_l("“%(text)s” không phải Có hoặc Không.", text=item[:40]))
        answers.append(folded in _YES)
    if len(answers) == 1:
        return answers * authors
    if len(answers) != authors:
        raise ValueError(
            _l(
                "Có %(answers)d câu trả lời cho %(authors)d tác giả; hãy ghi mỗi tác giả một giá trị, cùng thứ tự.",
                answers=len(answers),
                authors=authors,
            )
        )
    return answers


def parse_scope(value) -> ApplicationScope:
    """:raise ValueError: not one of the three scopes (by value or by its Vietnamese/English label)."""
    wanted = fold(single_spaced(value))
    for scope in ApplicationScope:
        if wanted in {scope.value.replace("_", " "), scope.value, fold(str(scope.label)), fold(SCOPE_NAMES[scope])}:
            return scope
    raise ValueError(_l("Phạm vi áp dụng phải là “Trong đơn vị”, “Ở một số đơn vị” hoặc “Toàn ngành”."))


CATEGORY_WORDS = RecordWords(
    unknown=_l("Không có lĩnh vực “%(text)s”."),
    several=_l("“%(text)s” giống nhiều lĩnh vực: %(codes)s. Hãy ghi mã lĩnh vực."),
    named=_l("“%(text)s” là lĩnh vực %(code)s."),
    valid=_l("Lĩnh vực hợp lệ: %(choices)s."),
    missing=_l("Chưa có lĩnh vực."),
)


def _category_choices(categories) -> str:
    return "; ".join(f"{c.code} – {c.name_vi}" for c in categories) or str(_l("(chưa có lĩnh vực nào)"))


def _title_key(title: str) -> str:
    return fold(title).strip(" .")


def _people_key(authors) -> frozenset[str]:
    return frozenset(fold(getattr(author, "full_name", author)) for author in authors or ())


def _check_repeats(n: int, key: tuple, people: frozenset, seen: dict, known: dict, problems) -> None:
    """The same title for the same unit: the same exhibit twice when the authors are the same too (refused),
    otherwise worth a look (a warning); never merged."""
    if key in seen:
        row, others = seen[key]
        if others == people or not people or not others:
            problems.add(n, "title", _l("Trùng với dòng %(row)d (cùng tên sáng kiến, đơn vị và tác giả).", row=row))
        else:
            problems.warn(n, "title", _l("Cùng tên sáng kiến và đơn vị với dòng %(row)d, khác tác giả.", row=row))
    elif key in known:
        existing, others = known[key]
        if others == people or not people or not others:
            problems.add(n, "title", _l("Đơn vị đã có sáng kiến này (%(existing)s).", existing=existing))
        else:
            problems.warn(
                n, "title", _l("Đơn vị đã có sáng kiến cùng tên (%(existing)s), khác tác giả.", existing=existing)
            )
    seen.setdefault(key, (n, people))


def prepare_exhibits(festival: Festival, batch: Batch) -> list[Prepared]:
    """Check and convert every row. A reference used before (any case), the same title for the same unit
    (in the file or already registered) and a unit over its quota are problems; nothing is merged."""
    problems = batch.problems
    units = unit_lookup()
    category_list = services.list_categories(festival)
    categories = Lookup(category_list, lambda category: (category.code, category.name_vi, category.name_en))
    existing = db.session.execute(
        db.select(Exhibit.id, Exhibit.ref, Exhibit.unit_id, Exhibit.title, Exhibit.code, Exhibit.status).where(
            Exhibit.festival_id == festival.id
        )
    ).all()
    known_refs = {ref.casefold(): ref for _id, ref, *_rest in existing if ref}
    authors_of: dict[int, list[str]] = {}
    for exhibit_id, name in db.session.execute(
        db.select(Author.exhibit_id, Author.full_name)
        .join(Exhibit)
        .where(Exhibit.festival_id == festival.id)
        .order_by(Author.position)
    ):
        authors_of.setdefault(exhibit_id, []).append(name)
    known_titles = {
        (unit_id, _title_key(title)): (code or ref or title, _people_key(authors_of.get(exhibit_id, [])))
        for exhibit_id, ref, unit_id, title, code, status in existing
        if status in services.COUNTED_STATUSES
    }
    used = dict(
        db.session.execute(
            db.select(Exhibit.unit_id, sa.func.count())
            .where(Exhibit.festival_id == festival.id, Exhibit.status.in_(services.COUNTED_STATUSES))
            .group_by(Exhibit.unit_id)
        ).all()
    )
    seen_refs: dict[str, int] = {}
    seen_titles: dict[tuple, int] = {}
    planned: dict[int, int] = {}
    prepared = []
    for row in batch.rows:
        n, before = row.number, len(problems)
        ref = single_spaced(row["ref"])[:40] or None
        if ref:
            key = ref.casefold()
            if key in seen_refs:
                problems.add(n, "ref", _l("Mã tham chiếu %(ref)s lặp lại dòng %(row)d.", ref=ref, row=seen_refs[key]))
            elif key in known_refs:
                problems.add(n, "ref", _l("Mã tham chiếu %(ref)s đã có (đã nhập trước đó).", ref=known_refs[key]))
            seen_refs.setdefault(key, n)
        unit = batch.record(row, "unit", units, UNIT_WORDS, lambda: unit_choices(units))
        category = batch.record(row, "category", categories, CATEGORY_WORDS, lambda: _category_choices(category_list))
        authors = None
        if row["authors"] is None:
            problems.add(n, "authors", _l("Cần ít nhất một tác giả."))
        else:
            read = problems.convert(n, "authors", parse_authors, row["authors"])
            if read is not None:
                authors, notes = read
                for note in notes:
                    problems.note(n, "authors", note)
                if row["author_jobs"] is not None:
                    _add_jobs(authors, row, problems)
        title = single_spaced(row["title"])
        if not title:
            problems.add(n, "title", _l("Chưa có tên sáng kiến."))
        elif len(title) > 300:
            problems.add(n, "title", _l("Tên dài quá 300 ký tự."))
        elif unit is not None:
            _check_repeats(n, (unit.id, _title_key(title)), _people_key(authors), seen_titles, known_titles, problems)
        benefit = batch.money(row, "benefit")
        year = None
        if row["applied_since"] is not None:
            year = problems.convert(n, "applied_since", read_year, row["applied_since"])
        scope = problems.convert(n, "scope", parse_scope, row["scope"]) if row["scope"] is not None else None
        consents = [False] * len(authors or ())
        if row["consent"] is not None and authors:
            consents = (
                problems.convert(n, "consent", partial(parse_consent, authors=len(authors)), row["consent"]) or consents
            )
        if unit is not None:
            planned[unit.id] = planned.get(unit.id, used.get(unit.id, 0)) + 1
            if planned[unit.id] > festival.exhibit_quota:
                problems.add(
                    n,
                    "unit",
                    _l("Đơn vị %(code)s vượt hạn mức %(n)d sáng kiến.", code=unit.code, n=festival.exhibit_quota),
                )
        texts = {key: paragraphs(row[key])[:5000] for key in ("summary", "problem", "solution", "results")}
        shown = {
            "ref": ref or "",
            "unit": unit.code if unit else cell_text(row["unit"]),
            "category": category.code if category else cell_text(row["category"]),
            "title": title,
            "authors": _authors_text(authors) if authors else cell_text(row["authors"]),
            "benefit": format_vnd(benefit) if benefit is not None else "",
            "applied_since": str(year) if year else "",
            "scope": str(scope.label) if scope else "",
            **{key: (text[:120] + "…" if len(text) > 120 else text) for key, text in texts.items()},
            "consent": "; ".join(str(_l("Có") if given else _l("Không")) for given in consents)
            if authors
            else cell_text(row["consent"]),
        }
        data = None
        if len(problems) == before:
            data = (
                unit,
                services.ExhibitInput(
                    title=title,
                    category=category,
                    authors=authors,
                    summary=texts["summary"][:3000],
                    problem=texts["problem"],
                    solution=texts["solution"],
                    results=texts["results"],
                    benefit_vnd=benefit,
                    applied_since=year,
                    scope=scope,
                    ref=ref,
                ),
                consents,
            )
        prepared.append(Prepared(n, shown, data))
    return prepared


def _add_jobs(authors: list[services.AuthorInput], row, problems) -> None:
    """Job titles from their own column: one for a single author, or one per author in the same order."""
    jobs = read_list(row["author_jobs"])
    if len(jobs) == 1 and len(authors) == 1 or len(jobs) == len(authors):
        for author, job in zip(authors, jobs):
            author.job_title = author.job_title or job[:200]
    else:
        problems.add(
            row.number,
            "author_jobs",
            _l(
                "Có %(jobs)d chức danh cho %(authors)d tác giả; hãy ghi mỗi tác giả một chức danh, cùng thứ tự.",
                jobs=len(jobs),
                authors=len(authors),
            ),
        )


def create_exhibits(festival: Festival, inputs: list, by: User | None) -> list[Exhibit]:
    """Register the checked rows as submitted exhibits, each with its audit line, and the authors' consents the
    unit declared (kept as given "on the unit's declaration", under the current notice version)."""
    now = utcnow()
    exhibits = []
    for unit, data, consents in inputs:
        exhibit = services.create_exhibit(festival, unit, data, by=by, now=now, status=ExhibitStatus.SUBMITTED)
        for author, given in zip(exhibit.authors, consents):
            if given:
                privacy_consents.give_author_consent(author, how=HOW_IMPORT, by=by, now=now)
        exhibits.append(exhibit)
    return exhibits


def every_row_options(festival: Festival) -> dict[str, list[str]]:
    """What an organizer may give every row of an exhibit list: a unit's code or a category's code."""
    return {
        "unit": [unit.code for unit in unit_lookup().records],
        "category": [category.code for category in services.list_categories(festival)],
    }


EXHIBITS = ImportList(
    kind="exhibits",
    fields=FIELDS,
    prepare=prepare_exhibits,
    create=create_exhibits,
    audit_action="exhibits.imported",
    done=_l("Đã nhập %(n)d sáng kiến (chờ duyệt) từ %(where)s; bỏ qua %(skipped)d dòng."),
    examples=EXAMPLES,
    options=every_row_options,
)


def _authors_text(authors) -> str:
    return "; ".join(f"{a.full_name} ({a.job_title})" if a.job_title else a.full_name for a in authors)


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
            _authors_text(e.authors),
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


def import_template(festival: Festival) -> bytes:
    """The template: the header row on “Danh sách”, the instructions and valid values on “Hướng dẫn”."""
    return list_template(
        FIELDS,
        one_per_row=_l("Ghi mỗi sáng kiến một dòng trên trang “Danh sách”, từ dòng 2; giữ nguyên dòng tiêu đề."),
        notes=[_l("Sáng kiến nhập vào ở trạng thái “Đã gửi, chờ duyệt”.")],
        upload_here=_l("Lưu tệp dạng .xlsx hoặc “CSV UTF-8”, rồi tải lên ở trang Nhập sáng kiến."),
        lists=[(_l("Lĩnh vực"), [[c.code, "", c.name_vi, c.name_en] for c in services.list_categories(festival)])],
    )
