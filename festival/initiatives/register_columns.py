"""The register's columns as a spreadsheet names them (aliases as units' registers write their headers) and how
their cells are read: fields, states, levels and author categories by their Vietnamese words, register numbers,
authors with their shares ("Nguyễn Văn An (Tổ trưởng, 60%)")."""

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from festival.initiatives import remuneration, services
from festival.models import Application, AuthorCategory, InitiativeField, InitiativeState, RecognitionLevel
from festival.spreadsheets import Field, read_people, single_spaced
from festival.util.formatting import fold

KIND = "initiatives"


def _unit_field(required: bool) -> Field:
    return Field(
        "unit",
        _l("Đơn vị"),
        ["Mã đơn vị", "Đơn vị", "Tên đơn vị", "Đơn vị áp dụng", "Mã ĐV", "unit_code", "Unit code", "Unit"],
        required=required,
        help=_l(
            "Mã đơn vị (MAY10), tên ngắn hoặc tên đầy đủ. Tài khoản của đơn vị và tổ hỗ trợ sáng kiến có thể bỏ cột "
            "này: sáng kiến vào sổ của đơn vị mình."
        ),
        example="MAY10",
        fixable=True,
    )


_OTHER_FIELDS = [
    Field(
        "year",
        _l("Năm"),
        ["Năm", "Năm đăng ký", "Năm vào sổ", "Năm theo dõi", "Năm sổ", "year", "Year"],
        help=_l("Năm của sổ (2021). Để trống: năm của ngày áp dụng lần đầu, không có thì năm nay."),
        example="2021",
        fixable=True,
    ),
    Field(
        "number",
        _l("Số đăng ký"),
        ["Số đăng ký", "Số ĐK", "Số vào sổ", "Số sổ", "Số sáng kiến", "Mã số sáng kiến", "Mã sáng kiến", "number"],
        help=_l(
            "Tuỳ chọn: số trong sổ của đơn vị năm đó (15 hoặc SK-2021-015), chưa được dùng. Để trống: lấy số tiếp theo."
        ),
        example="15",
    ),
    Field(
        "title",
        _l("Tên sáng kiến"),
        [
            "Tên sáng kiến",
            "Tên sáng kiến, cải tiến",
            "Tên sáng kiến/cải tiến kỹ thuật",
            "Tên sáng kiến, giải pháp",
            "Tên sáng kiến/giải pháp",
            "Tên giải pháp",
            "Tên đề tài",
            "Sáng kiến",
            "title",
            "Title",
        ],
        required=True,
        help=_l("Tối đa 300 ký tự."),
        example="Cữ gá may túi tự động",
    ),
    Field(
        "field",
        _l("Lĩnh vực"),
        ["Lĩnh vực", "Lĩnh vực sáng kiến", "Thuộc lĩnh vực", "field", "Field"],
        help=_l("Một trong bốn lĩnh vực của Công đoàn (xem bên dưới), ghi tên hoặc vài chữ đầu. Để trống: sản xuất."),
        example="Sản xuất, kinh doanh",
        fixable=True,
    ),
    Field(
        "team",
        _l("Tổ sản xuất"),
        ["Tổ sản xuất", "Tổ", "Tổ, nhóm", "Tổ/nhóm", "Tổ đội", "Chuyền", "team"],
        help=_l("Tuỳ chọn; tên tổ đã khai trong Festival thì được gắn với tổ đó."),
        example="Tổ may 3",
    ),
    Field(
        "department",
        _l("Phòng ban, phân xưởng"),
        [
            "Phòng ban, phân xưởng",
            "Phòng ban/phân xưởng",
            "Phòng, ban, phân xưởng",
            "Phòng ban",
            "Phân xưởng",
            "Bộ phận",
            "Xí nghiệp",
            "department",
        ],
        example="Xí nghiệp may 1",
    ),
    Field(
        "authors",
        _l("Tác giả"),
        [
            "Tác giả",
            "Tác giả, đồng tác giả",
            "Tác giả/nhóm tác giả",
            "Tác giả, nhóm tác giả",
            "Nhóm tác giả",
            "Họ và tên tác giả",
            "Họ tên tác giả",
            "Tác giả (tỷ lệ đóng góp)",
            "authors",
            "Authors",
        ],
        required=True,
        help=_l(
            "1–10 người, cách nhau bằng dấu chấm phẩy hoặc xuống dòng; tỷ lệ đóng góp và chức danh trong ngoặc: "
            "Nguyễn Văn An (60%); Trần Thị Bình (Kỹ thuật chuyền, 40%). Tổng tỷ lệ là 100%. Một tác giả: 100%. "
            "Nhiều tác giả không ghi tỷ lệ: chia đều."
        ),
        example="Nguyễn Văn An (Tổ trưởng, 60%); Trần Thị Bình (40%)",
    ),
    Field(
        "shares",
        _l("Tỷ lệ đóng góp"),
        ["Tỷ lệ đóng góp", "Tỷ lệ đóng góp (%)", "Tỷ lệ tham gia", "Tỷ lệ", "Mức độ đóng góp", "shares"],
        help=_l("Tuỳ chọn, khi tỷ lệ ở cột riêng: theo thứ tự tác giả (60; 40)."),
        example="60; 40",
        in_template=False,
    ),
    Field(
        "author_jobs",
        _l("Chức danh tác giả"),
        ["Chức danh", "Chức vụ", "Chức danh tác giả", "Chức vụ tác giả", "Nghề nghiệp", "Chức danh, nghề nghiệp"],
        help=_l("Tuỳ chọn, khi chức danh ở cột riêng: theo thứ tự tác giả."),
        example="Tổ trưởng; Kỹ thuật chuyền",
        in_template=False,
    ),
    Field(
        "author_category",
        _l("Đối tượng tác giả"),
        ["Đối tượng tác giả", "Đối tượng", "Thành phần tác giả", "Phân loại tác giả", "author_category"],
        help=_l(
            "Công nhân (người lao động), Cán bộ công đoàn hoặc Cán bộ quản lý: một giá trị cho mọi tác giả hoặc mỗi "
            "tác giả một giá trị. Để trống: công nhân."
        ),
        example="Công nhân",
    ),
    Field(
        "problem",
        _l("Thực trạng"),
        ["Thực trạng", "Vấn đề cần giải quyết", "Tình trạng trước khi có sáng kiến", "Vấn đề", "problem"],
    ),
    Field(
        "solution",
        _l("Nội dung"),
        [
            "Nội dung",
            "Nội dung sáng kiến",
            "Nội dung giải pháp",
            "Tóm tắt nội dung",
            "Nội dung tóm tắt",
            "Giải pháp",
            "Mô tả",
            "solution",
        ],
        example="Gá định vị túi, may một lần không cần vạch dấu.",
    ),
    Field(
        "effect",
        _l("Hiệu quả"),
        ["Hiệu quả", "Hiệu quả đạt được", "Hiệu quả mang lại", "Tóm tắt hiệu quả", "Kết quả đạt được", "Lợi ích"],
        example="Tăng năng suất 12%.",
    ),
    Field(
        "first_applied_on",
        _l("Ngày áp dụng"),
        [
            "Ngày áp dụng",
            "Ngày áp dụng lần đầu",
            "Ngày áp dụng đầu tiên",
            "Ngày bắt đầu áp dụng",
            "Thời gian áp dụng",
            "Thời điểm áp dụng",
            "first_applied_on",
        ],
        help=_l("Ngày áp dụng lần đầu (kể cả áp dụng thử), dạng 15/03/2021."),
        example="15/03/2021",
    ),
    Field(
        "application",
        _l("Hình thức áp dụng"),
        ["Hình thức áp dụng", "Áp dụng thử/chính thức", "Mức độ áp dụng", "application"],
        help=_l("Thử hoặc Chính thức."),
        example="Chính thức",
    ),
    Field(
        "state",
        _l("Trạng thái"),
        ["Trạng thái", "Tình trạng", "Kết quả xét", "Kết quả công nhận", "state"],
        help=_l(
            "Xem danh sách bên dưới. Để trống: Đã được công nhận nếu có số quyết định, Đã áp dụng nếu có ngày áp "
            "dụng, không thì Đã tiếp nhận ý tưởng."
        ),
        example="Đã được công nhận",
    ),
    Field(
        "decision_number",
        _l("Số quyết định"),
        ["Số quyết định", "Số QĐ", "Số quyết định công nhận", "Quyết định công nhận", "decision_number"],
        help=_l("Bắt buộc với sáng kiến đã được công nhận."),
        example="25/QĐ-HĐSK",
    ),
    Field(
        "decided_on",
        _l("Ngày quyết định"),
        ["Ngày quyết định", "Ngày QĐ", "Ngày công nhận", "Ngày ký quyết định", "decided_on"],
        help=_l("Bắt buộc với sáng kiến đã được công nhận; không trước ngày áp dụng."),
        example="20/12/2021",
    ),
    Field(
        "level",
        _l("Cấp công nhận"),
        ["Cấp công nhận", "Cấp", "Cấp độ công nhận", "level"],
        help=_l("Cơ sở, Ngành hoặc Cao hơn. Để trống: cơ sở."),
        example="Cơ sở",
    ),
    Field(
        "refusal_reason",
        _l("Lý do không công nhận"),
        ["Lý do không công nhận", "Lý do", "refusal_reason"],
        help=_l("Bắt buộc với sáng kiến không được công nhận."),
        in_template=False,
    ),
    Field(
        "benefit",
        _l("Giá trị làm lợi năm đầu (đồng)"),
        [
            "Giá trị làm lợi năm đầu (đồng)",
            "Giá trị làm lợi",
            "Giá trị làm lợi năm đầu",
            "Giá trị làm lợi (đồng/năm)",
            "Số tiền làm lợi",
            "Tiền làm lợi",
            "Làm lợi",
            "Hiệu quả kinh tế",
            "benefit",
        ],
        money=True,
        help=_l(
            "Tiền làm lợi năm áp dụng đầu tiên: 85.000.000, 85 triệu hoặc 1,5 tỷ (tiêu đề ghi triệu đồng thì số được "
            "nhân theo); “Không tính được” khi không tính được thành tiền. Chỉ ghi cho sáng kiến đã áp dụng hoặc đã "
            "được công nhận."
        ),
        example="85 triệu",
    ),
    Field(
        "trade_secret",
        _l("Bí mật kinh doanh"),
        ["Bí mật kinh doanh", "Bí mật", "BMKD", "trade_secret"],
        help=_l("Có (hoặc x, 1) khi sáng kiến là bí mật kinh doanh; để trống là không."),
        example="",
    ),
]
ORGANIZER_FIELDS = [_unit_field(True), *_OTHER_FIELDS]
UNIT_FIELDS = [_unit_field(False), *_OTHER_FIELDS]

# Words a register writes for each value, folded (accents and case ignored); the first is the template's.
FIELD_WORDS = {
    InitiativeField.PRODUCTION: ["san xuat", "kinh doanh", "sxkd", "production"],
    InitiativeField.SAFETY: ["an toan", "ve sinh", "moi truong", "atvslđ", "atvsld", "safety"],
    InitiativeField.ADMINISTRATION: [
        "cai cach",
        "hanh chinh",
        "xay dung dang",
        "cong doan",
        "quan ly",
        "administration",
    ],
    InitiativeField.COMMUNITY: ["cong dong", "y te", "giao duc", "community"],
}
STATE_WORDS = [  # the first that the cell starts with wins: "không được công nhận" before "công nhận"
    (InitiativeState.NOT_RECOGNISED, ["khong duoc cong nhan", "khong cong nhan", "not recognised", "not_recognised"]),
    (InitiativeState.RECOGNISED, ["da duoc cong nhan", "duoc cong nhan", "da cong nhan", "cong nhan", "recognised"]),
    (InitiativeState.APPLIED, ["da ap dung", "dang ap dung", "ap dung", "applied"]),
    (InitiativeState.PROPOSED, ["da de xuat", "de xuat", "trinh", "proposed"]),
    (InitiativeState.RECEIVED, ["da tiep nhan", "tiep nhan", "y tuong", "moi", "received"]),
]
LEVEL_WORDS = {
    RecognitionLevel.BASE: ["co so", "cap co so", "don vi", "base"],
    RecognitionLevel.SECTOR: ["nganh", "cap nganh", "sector"],
    RecognitionLevel.HIGHER: ["cao hon", "cap cao hon", "tong lien doan", "toan quoc", "bo", "tinh", "higher"],
}
APPLICATION_WORDS = {
    Application.TRIAL: ["thu", "ap dung thu", "thi diem", "trial"],
    Application.FULL: ["chinh thuc", "ap dung chinh thuc", "toan bo", "full"],
}
CATEGORY_WORDS = {
    AuthorCategory.WORKER: ["cong nhan", "nguoi lao dong", "nld", "cn", "worker"],
    AuthorCategory.UNION_OFFICER: ["can bo cong doan", "cbcd", "cong doan", "union officer", "union_officer"],
    AuthorCategory.MANAGER: ["can bo quan ly", "cbql", "quan ly", "manager"],
}
NOT_COMPUTABLE = {"khong tinh duoc", "khong tinh duoc thanh tien", "khong xac dinh duoc", "ktd", "not computable"}
_YES = {"co", "x", "1", "yes", "y", "true", "dung", "bi mat"}
_NO = {"khong", "0", "no", "n", "false", "sai", "-"}
_SHARE = re.compile(r"(?:^|[\s,;(–-])(\d{1,3}(?:[.,]\d+)?)\s*%")
_NUMBER = re.compile(r"(?:sk\s*-\s*(\d{4})\s*-\s*)?0*(\d{1,5})")


def words(text) -> str:
    """A cell's words as compared: accents, case and punctuation ignored."""
    return " ".join(re.sub(r"[,.;:/()\-–]+", " ", fold(single_spaced(text))).split())


def _choose(text, table, message):
    """The value whose words the cell is or starts with.

    :raise ValueError: none does.
    """
    wanted = words(text)
    for value, spellings in table:
        for word in spellings:
            if wanted == word or wanted.startswith(word + " "):
                return value
    raise ValueError(message)


def parse_field(text) -> InitiativeField:
    """:raise ValueError: not one of the union's four fields (by its number 1–4, name or first words)."""
    wanted = words(text)
    if wanted in {"1", "2", "3", "4"}:
        return list(InitiativeField)[int(wanted) - 1]
    for value in InitiativeField:
        if wanted == words(value.label):
            return value
    return _choose(text, FIELD_WORDS.items(), _l("Không có lĩnh vực “%(text)s”.", text=single_spaced(text)[:60]))


def parse_state(text) -> InitiativeState:
    """:raise ValueError: not a state of the register."""
    wanted = words(text)
    for value in InitiativeState:
        if wanted == words(value.label):
            return value
    return _choose(text, STATE_WORDS, _l("Không hiểu trạng thái “%(text)s”.", text=single_spaced(text)[:60]))


def parse_level(text) -> RecognitionLevel:
    """:raise ValueError: not cơ sở, ngành or higher."""
    message = _l("Cấp công nhận phải là Cơ sở, Ngành hoặc Cao hơn (có “%(text)s”).", text=single_spaced(text)[:40])
    return _choose(text, LEVEL_WORDS.items(), message)


def parse_application(text) -> Application:
    """:raise ValueError: neither trial nor full."""
    message = _l("Hình thức áp dụng phải là Thử hoặc Chính thức (có “%(text)s”).", text=single_spaced(text)[:40])
    return _choose(text, APPLICATION_WORDS.items(), message)


def parse_category(text) -> AuthorCategory:
    """:raise ValueError: not one of the three author categories."""
    message = _l("“%(text)s” không phải Công nhân, Cán bộ công đoàn hay Cán bộ quản lý.", text=single_spaced(text)[:40])
    return _choose(text, CATEGORY_WORDS.items(), message)


def parse_yes_no(value) -> bool:
    """:raise ValueError: neither yes nor no."""
    if isinstance(value, bool):
        return value
    folded = words(value)
    if folded in _YES:
        return True
    if folded in _NO or not folded:
        return False
    raise ValueError(_l("Ghi Có (x, 1) hoặc để trống (có “%(text)s”).", text=single_spaced(value)[:40]))


def parse_number(value) -> tuple[int | None, int]:
    """The register number, and the year when written SK-2021-015.

    :raise ValueError: anything else.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer() and value > 0:
        return None, int(value)
    match = _NUMBER.fullmatch(fold(single_spaced(value)))
    if match is None or int(match[2]) == 0:
        raise ValueError(_l("Số đăng ký phải là số (15) hoặc dạng SK-2021-015."))
    return (int(match[1]) if match[1] else None), int(match[2])


def _share(text: str) -> int:
    number = text.replace(",", ".")
    if "." in number and float(number) != int(float(number)):
        raise ValueError(_l("Tỷ lệ đóng góp là số nguyên phần trăm (có %(text)s%%).", text=text))
    return int(float(number))


@dataclass
class Author:
    """An author as the cell wrote them: name, job title and share when given."""

    name: str
    job: str = ""
    share: int | None = None


def parse_authors(text) -> tuple[list[Author], list]:
    """Authors in order with their shares and job titles (`Họ tên (chức danh, 60%)`), and how they were read.

    :raise ValueError: no author, too many, a name or share that cannot be read.
    """
    people, notes = read_people(text)
    authors = []
    for person in people:
        name, job, share = person.name, person.job, None
        found = _SHARE.search(" " + job)
        if found:
            share = _share(found[1])
            job = (" " + job)[: found.start()] + (" " + job)[found.end() :]
        else:
            found = _SHARE.search(" " + name)
            if found and found.start() > 0:
                share = _share(found[1])
                name = (" " + name)[: found.start()]
        name, job = name.strip(" -–:,"), " ".join(job.strip(" -–:,;()").split())
        if len(name) > 200 or not any(char.isalpha() for char in name):
            raise ValueError(_l("Không đọc được tác giả “%(text)s”; hãy viết Họ tên (tỷ lệ %%).", text=name[:80]))
        authors.append(Author(name, job[:200], share))
    if not authors:
        raise ValueError(_l("Cần ít nhất một tác giả."))
    if len(authors) > services.MAX_AUTHORS:
        raise ValueError(_l("Tối đa %(n)d tác giả (có %(have)d).", n=services.MAX_AUTHORS, have=len(authors)))
    return authors, notes


def settle_shares(authors: list[Author]) -> tuple[list[int], object]:
    """Each author's share: as written (adding up to 100), 100 for a sole author, an equal split for several
    authors without shares (with a note saying so).

    :raise ValueError: some shares written and some not, or a total other than 100.
    """
    written = [author.share for author in authors]
    if all(share is None for share in written):
        if len(authors) == 1:
            return [100], None
        shares = remuneration.split_by_shares(100, [1] * len(authors))
        return shares, _l("Không ghi tỷ lệ đóng góp: chia đều %(shares)s.", shares=", ".join(f"{s}%" for s in shares))
    if any(share is None for share in written):
        raise ValueError(_l("Hãy ghi tỷ lệ đóng góp cho mọi tác giả, hoặc không ghi cho ai (chia đều)."))
    total = sum(written)
    if total != 100 or any(share < 1 for share in written):
        raise ValueError(
            _l("Tổng tỷ lệ đóng góp phải bằng 100%% (các tỷ lệ đã ghi cộng lại là %(total)d%%).", total=total)
        )
    return written, None


def share_cell(text) -> int:
    """:raise ValueError: not a whole percentage."""
    bare = single_spaced(text).rstrip("%").strip()
    if not re.fullmatch(r"\d{1,3}(?:[.,]\d+)?", bare):
        raise ValueError(_l("Tỷ lệ đóng góp “%(text)s” không phải số phần trăm.", text=single_spaced(text)[:20]))
    if re.fullmatch(r"0[.,]\d+", bare) and not single_spaced(text).endswith("%"):
        # A cell formatted as a percentage holds 0.6 for 60 %.
        return _share(str(round(float(bare.replace(",", ".")) * 100, 6)))
    return _share(bare)
