"""Exhibits: drafting, submitting, reviewing, attachments, search and statistics."""

import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from festival.auth.permissions import exhibit_edit_refusal
from festival.core import audit, events, uploads
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.core.transactions import on_commit
from festival.models import (
    MAX_ATTACHMENTS,
    MAX_AUTHORS,
    UNIT_EDITABLE,
    ApplicationScope,
    Attachment,
    AuditLog,
    Author,
    Category,
    Exhibit,
    ExhibitStatus,
    Festival,
    Region,
    Role,
    Unit,
    User,
)
from festival.util.formatting import fold

# Exhibits that take a place in the unit's quota (withdrawn and rejected ones free theirs).
COUNTED_STATUSES = (ExhibitStatus.DRAFT, ExhibitStatus.SUBMITTED, ExhibitStatus.RETURNED, ExhibitStatus.ACCEPTED)
WITHDRAWABLE = UNIT_EDITABLE
# Organizer decisions and the states each may start from.
REVIEW_FROM = {
    "accept": (ExhibitStatus.SUBMITTED, ExhibitStatus.REJECTED),
    "return": (ExhibitStatus.SUBMITTED, ExhibitStatus.ACCEPTED),
    "reject": (ExhibitStatus.SUBMITTED, ExhibitStatus.RETURNED, ExhibitStatus.ACCEPTED),
}
CODE_PATTERN = re.compile(r"^[A-Z0-9]{1,8}-\d{1,4}$")


@dataclass
class AuthorInput:
    full_name: str
    job_title: str = ""
    department: str = ""


@dataclass
class ExhibitInput:
    """What a unit (or an import row) gives for an exhibit."""

    title: str
    category: Category
    authors: list[AuthorInput]
    summary: str = ""
    problem: str = ""
    solution: str = ""
    results: str = ""
    benefit_vnd: int | None = None
    applied_since: int | None = None
    scope: ApplicationScope | None = None
    ref: str | None = None
    files: list[tuple[str, bytes]] = field(default_factory=list)


# Festival set-up ---------------------------------------------------------------------------


def list_categories(festival: Festival) -> list[Category]:
    return list(
        db.session.execute(
            db.select(Category).where(Category.festival_id == festival.id).order_by(Category.position, Category.code)
        ).scalars()
    )


def category_by_code(festival: Festival, code: str) -> Category | None:
    return db.session.execute(
        db.select(Category).where(Category.festival_id == festival.id, Category.code == code.strip().upper())
    ).scalar_one_or_none()


def save_category(
    festival: Festival, category: Category | None, code: str, name_vi: str, name_en: str, by: User | None
) -> Category:
    """Add or change a category (code unique in the festival).

    :raise FestivalError: the code is malformed or taken.
    """
    code = code.strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{1,8}", code):
        raise FestivalError(_l("Mã lĩnh vực gồm 1–8 chữ cái không dấu hoặc số, ví dụ KT."))
    clash = category_by_code(festival, code)
    if clash is not None and clash is not category:
        raise FestivalError(_l("Mã lĩnh vực %(code)s đã được dùng.", code=code))
    if category is None:
        category = Category(festival=festival, position=len(list_categories(festival)))
        db.session.add(category)
    before = {"code": category.code, "name_vi": category.name_vi, "name_en": category.name_en}
    category.code, category.name_vi, category.name_en = code, name_vi.strip(), name_en.strip()
    db.session.flush()
    audit.record(
        "category.saved",
        category,
        by=by,
        before=before,
        after={"code": code, "name_vi": category.name_vi, "name_en": category.name_en},
    )
    return category


def delete_category(category: Category, by: User) -> None:
    """Remove a category no exhibit uses.

    :raise FestivalError: exhibits are registered in it.
    """
    used = db.session.scalar(db.select(sa.func.count()).select_from(Exhibit).where(Exhibit.category_id == category.id))
    if used:
        raise FestivalError(_l("Không thể xoá lĩnh vực %(code)s vì đã có %(n)d sáng kiến.", code=category.code, n=used))
    audit.record("category.deleted", category, by=by, before={"code": category.code, "name_vi": category.name_vi})
    db.session.delete(category)


# Reading -----------------------------------------------------------------------------------


def quota_used(festival: Festival, unit: Unit) -> int:
    return db.session.scalar(
        db.select(sa.func.count())
        .select_from(Exhibit)
        .where(Exhibit.festival_id == festival.id, Exhibit.unit_id == unit.id, Exhibit.status.in_(COUNTED_STATUSES))
    )


def accepted_exhibits(festival: Festival) -> sa.Select:
    """The select of a festival's accepted exhibits (shown, judged, voted on, certified); add an order or a filter."""
    return db.select(Exhibit).where(Exhibit.festival_id == festival.id, Exhibit.status == ExhibitStatus.ACCEPTED)


def unit_exhibits(festival: Festival, unit: Unit) -> list[Exhibit]:
    return list(
        db.session.execute(
            db.select(Exhibit)
            .where(Exhibit.festival_id == festival.id, Exhibit.unit_id == unit.id)
            .order_by(Exhibit.created_at.desc())
        ).scalars()
    )


SORTS = {
    "updated": Exhibit.updated_at.desc(),
    "title": Exhibit.title,
    "code": Exhibit.code,
    "booth": Exhibit.booth,
    "unit": Unit.code,
    "category": Category.code,
    "status": Exhibit.status,
    "benefit": Exhibit.benefit_vnd.desc(),
}


@dataclass
class ExhibitFilters:
    query: str = ""
    unit_id: int | None = None
    region: Region | None = None
    category_id: int | None = None
    status: ExhibitStatus | None = None
    sort: str = "updated"


def search_exhibits(festival: Festival, filters: ExhibitFilters, statuses=None):
    """The select for an exhibit list: filters, accent-insensitive search, a whitelisted sort."""
    stmt = (
        db.select(Exhibit)
        .join(Exhibit.unit)
        .join(Exhibit.category)
        .where(Exhibit.festival_id == festival.id)
        .options(
            sa.orm.contains_eager(Exhibit.unit),
            sa.orm.contains_eager(Exhibit.category),
            sa.orm.selectinload(Exhibit.authors),
        )
    )
    if statuses is not None:
        stmt = stmt.where(Exhibit.status.in_(statuses))
    if filters.status is not None:
        stmt = stmt.where(Exhibit.status == filters.status)
    if filters.unit_id:
        stmt = stmt.where(Exhibit.unit_id == filters.unit_id)
    if filters.region is not None:
        stmt = stmt.where(Unit.region == filters.region)
    if filters.category_id:
        stmt = stmt.where(Exhibit.category_id == filters.category_id)
    for word in fold(filters.query).split()[:8]:
        stmt = stmt.where(Exhibit.search_text.contains(word, autoescape=True))
    order = SORTS.get(filters.sort, SORTS["updated"])
    return stmt.order_by(order, Exhibit.id)


def history(exhibit: Exhibit) -> list[AuditLog]:
    """The exhibit's audit trail, oldest first."""
    return list(
        db.session.execute(
            db.select(AuditLog)
            .where(AuditLog.object_type == Exhibit.__tablename__, AuditLog.object_id == exhibit.id)
            .order_by(AuditLog.id)
        ).scalars()
    )


# Writing by units --------------------------------------------------------------------------


def check_registration_open(festival: Festival, now: datetime) -> None:
    """:raise NotAllowed: the festival's registration window is not open."""
    if now < festival.registration_opens_at:
        raise NotAllowed(_l("Chưa đến thời gian đăng ký sáng kiến."))
    if now >= festival.registration_closes_at:
        raise NotAllowed(_l("Đã hết thời gian đăng ký sáng kiến."))


def _check_unit_may_change(exhibit: Exhibit, by: User, now: datetime, allowed) -> None:
    if by.role is Role.ORGANIZER:
        return
    if by.role is not Role.UNIT or by.unit_id != exhibit.unit_id:
        raise NotAllowed(_l("Bạn không được sửa sáng kiến này."))
    if exhibit.status not in allowed:
        raise NotAllowed(_l("Sáng kiến ở trạng thái “%(status)s” không sửa được.", status=exhibit.status.label))
    check_registration_open(exhibit.festival, now)


def _check_may_edit(exhibit: Exhibit, by: User, now: datetime) -> None:
    """:raise NotAllowed: `by` may not change the exhibit (the rule the edit button shows), or, for a unit,
    registration is closed."""
    refusal = exhibit_edit_refusal(by, exhibit)
    if refusal is not None:
        raise NotAllowed(refusal)
    if by.role is not Role.ORGANIZER:
        check_registration_open(exhibit.festival, now)


def _check_input(data: ExhibitInput, festival: Festival) -> None:
    if not data.title.strip():
        raise FestivalError(_l("Chưa có tên sáng kiến."))
    if data.category.festival_id != festival.id:
        raise FestivalError(_l("Lĩnh vực không thuộc ngày hội này."))
    if not data.authors:
        raise FestivalError(_l("Sáng kiến cần ít nhất một tác giả."))
    if len(data.authors) > MAX_AUTHORS:
        raise FestivalError(_l("Mỗi sáng kiến có tối đa %(n)d tác giả.", n=MAX_AUTHORS))
    if data.benefit_vnd is not None and data.benefit_vnd < 0:
        raise FestivalError(_l("Số tiền không được âm."))


def _snapshot(exhibit: Exhibit) -> dict:
    return {
        "title": exhibit.title,
        "category": exhibit.category.code if exhibit.category else None,
        "authors": [a.full_name for a in exhibit.authors],
        "benefit_vnd": exhibit.benefit_vnd,
        "applied_since": exhibit.applied_since,
        "scope": exhibit.scope,
        "status": exhibit.status,
        "code": exhibit.code,
        "booth": exhibit.booth,
    }


def _apply(exhibit: Exhibit, data: ExhibitInput) -> None:
    exhibit.title = data.title.strip()
    exhibit.category = data.category
    exhibit.summary = data.summary.strip()
    exhibit.problem = data.problem.strip()
    exhibit.solution = data.solution.strip()
    exhibit.results = data.results.strip()
    exhibit.benefit_vnd = data.benefit_vnd
    exhibit.applied_since = data.applied_since
    exhibit.scope = data.scope
    # An author who stays (same name) keeps their row, so what is recorded about them (their consent to the public
    # gallery) stays theirs; a new name is a new author.
    kept = {author.full_name: author for author in exhibit.authors}
    authors = []
    for i, a in enumerate(data.authors):
        author = kept.pop(a.full_name.strip(), None) or Author(full_name=a.full_name.strip())
        author.position, author.job_title, author.department = i, a.job_title.strip(), a.department.strip()
        authors.append(author)
    exhibit.authors = authors


def create_exhibit(
    festival: Festival, unit: Unit, data: ExhibitInput, by: User, now: datetime, status=ExhibitStatus.DRAFT
) -> Exhibit:
    """Register a new exhibit for `unit` (a draft, unless an import says otherwise).

    :raise NotAllowed: registration is closed (for units) or the unit's quota is full.
    :raise FestivalError: the input breaks a rule or a file is refused.
    """
    if by is not None and by.role is Role.UNIT:
        if by.unit_id != unit.id:
            raise NotAllowed(_l("Bạn chỉ đăng ký được sáng kiến cho đơn vị của mình."))
        check_registration_open(festival, now)
    if quota_used(festival, unit) >= festival.exhibit_quota:
        raise NotAllowed(
            _l(
                "Đơn vị %(unit)s đã đăng ký đủ %(n)d sáng kiến (hạn mức của ban tổ chức).",
                unit=unit.short_name,
                n=festival.exhibit_quota,
            )
        )
    _check_input(data, festival)
    exhibit = Exhibit(festival=festival, unit=unit, created_by=by, status=status, ref=data.ref)
    _apply(exhibit, data)
    if status is ExhibitStatus.SUBMITTED:
        exhibit.submitted_at = now
    db.session.add(exhibit)
    db.session.flush()
    add_attachments(exhibit, data.files, by=by, now=now, audit_it=False)
    audit.record("exhibit.created", exhibit, by=by, after=_snapshot(exhibit))
    return exhibit


def update_exhibit(exhibit: Exhibit, data: ExhibitInput, by: User, now: datetime) -> None:
    """Save a unit's (or an organizer's) changes to an exhibit.

    :raise NotAllowed: not the unit's exhibit, not editable in its state, or registration closed.
    :raise FestivalError: the input breaks a rule or a file is refused.
    """
    _check_may_edit(exhibit, by, now)
    _check_input(data, exhibit.festival)
    before = _snapshot(exhibit)
    _apply(exhibit, data)
    db.session.flush()
    add_attachments(exhibit, data.files, by=by, now=now, audit_it=bool(data.files))
    audit.record("exhibit.updated", exhibit, by=by, before=before, after=_snapshot(exhibit))


def add_attachments(
    exhibit: Exhibit, files: list[tuple[str, bytes]], by: User, now: datetime, audit_it: bool = True
) -> list[Attachment]:
    """Store files for an exhibit, all or none.

    :raise FestivalError: more than 8 in all, or a file is too big or of the wrong type.
    """
    if not files:
        return []
    if len(exhibit.attachments) + len(files) > MAX_ATTACHMENTS:
        raise FestivalError(
            _l(
                "Mỗi sáng kiến có tối đa %(n)d tệp đính kèm (đã có %(have)d).",
                n=MAX_ATTACHMENTS,
                have=len(exhibit.attachments),
            )
        )
    # A refusal part-way leaves no file behind: stored files go when the transaction rolls back.
    stored = [(name, uploads.store_upload(data, name, folder="exhibits")) for name, data in files]
    added = []
    for name, kept in stored:
        attachment = Attachment(**kept.row_values(name))
        exhibit.attachments.append(attachment)
        added.append(attachment)
    db.session.flush()
    if audit_it:
        audit.record("exhibit.files_added", exhibit, by=by, after={"files": [a.original_name for a in added]})
    return added


def remove_attachment(attachment: Attachment, by: User, now: datetime) -> None:
    """Delete one attachment (the file goes once the change is committed).

    :raise NotAllowed: the exhibit cannot be changed by this user now.
    """
    exhibit = attachment.exhibit
    _check_may_edit(exhibit, by, now)
    audit.record("exhibit.file_removed", exhibit, by=by, before={"file": attachment.original_name})
    names = (attachment.stored_name, attachment.thumbnail_name)
    exhibit.attachments.remove(attachment)
    db.session.flush()
    on_commit(lambda: uploads.delete_stored(*names))  # the file stays while the row might still come back


def submit_exhibit(exhibit: Exhibit, by: User, now: datetime) -> None:
    """Send a draft (or a returned exhibit) to the organizers for review.

    :raise NotAllowed: not the unit's, not in draft/returned, or registration closed.
    :raise FestivalError: something required for review is missing.
    """
    _check_unit_may_change(exhibit, by, now, (ExhibitStatus.DRAFT, ExhibitStatus.RETURNED))
    missing = [
        label
        for label, ok in (
            (_l("tóm tắt"), exhibit.summary),
            (_l("giá trị làm lợi"), exhibit.benefit_vnd is not None),
            (_l("năm bắt đầu áp dụng"), exhibit.applied_since),
            (_l("phạm vi áp dụng"), exhibit.scope),
        )
        if not ok
    ]
    if missing:
        raise FestivalError(_l("Trước khi gửi, hãy điền: %(fields)s.", fields=", ".join(str(m) for m in missing)))
    exhibit.submitted_at = now  # before the change is announced, so that listeners see it whole
    _change_status(exhibit, ExhibitStatus.SUBMITTED, by, "exhibit.submitted")


def withdraw_exhibit(exhibit: Exhibit, by: User, now: datetime) -> None:
    """Take an exhibit out of the festival (it no longer counts toward the quota).

    :raise NotAllowed: not the unit's, already reviewed, or registration closed.
    """
    _check_unit_may_change(exhibit, by, now, WITHDRAWABLE)
    if exhibit.status not in WITHDRAWABLE:
        raise NotAllowed(_l("Sáng kiến ở trạng thái “%(status)s” không rút được.", status=exhibit.status.label))
    _change_status(exhibit, ExhibitStatus.WITHDRAWN, by, "exhibit.withdrawn")


def _change_status(exhibit: Exhibit, status: ExhibitStatus, by: User, action: str, comment: str | None = None) -> None:
    before = {"status": exhibit.status, "code": exhibit.code, "booth": exhibit.booth}
    exhibit.status = status
    if comment is not None:
        exhibit.review_comment = comment
    after = {"status": status, "code": exhibit.code, "booth": exhibit.booth}
    if comment:
        after["comment"] = comment
    audit.record(action, exhibit, by=by, before=before, after=after)
    events.exhibit_status_changed.send(exhibit, by=by)  # the unit's accounts are mailed (festival.mail)


# Review by organizers ----------------------------------------------------------------------


def next_code(exhibit: Exhibit) -> tuple[str, int]:
    """The next free code in the exhibit's category, e.g. KT-07."""
    highest = db.session.scalar(
        db.select(sa.func.max(Exhibit.code_number)).where(
            Exhibit.festival_id == exhibit.festival_id, Exhibit.category_id == exhibit.category_id
        )
    )
    number = (highest or 0) + 1
    return f"{exhibit.category.code}-{number:02d}", number


def next_booth(festival: Festival) -> str:
    """One more than the highest numeric booth given so far."""
    booths = db.session.execute(
        db.select(Exhibit.booth).where(Exhibit.festival_id == festival.id, Exhibit.booth.is_not(None))
    ).scalars()
    numbers = [int(b) for b in booths if b.isdigit()]
    return f"{(max(numbers) if numbers else 0) + 1:02d}"


def _check_code(exhibit: Exhibit, code: str) -> int:
    if not CODE_PATTERN.match(code):
        raise FestivalError(_l("Mã sáng kiến có dạng MÃLĨNHVỰC-SỐ, ví dụ KT-07."))
    clash = db.session.execute(
        db.select(Exhibit.id).where(
            Exhibit.festival_id == exhibit.festival_id, Exhibit.code == code, Exhibit.id != exhibit.id
        )
    ).first()
    if clash:
        raise FestivalError(_l("Mã %(code)s đã được dùng cho sáng kiến khác.", code=code))
    return int(code.rsplit("-", 1)[1])


def _require_review(exhibit: Exhibit, decision: str, by: User) -> None:
    if by.role is not Role.ORGANIZER:
        raise NotAllowed(_l("Chỉ ban tổ chức được duyệt sáng kiến."))
    if exhibit.status not in REVIEW_FROM[decision]:
        raise NotAllowed(_l("Sáng kiến đang ở trạng thái “%(status)s”.", status=exhibit.status.label))


def _check_booth(exhibit: Exhibit, zone: str, booth: str) -> None:
    """:raise FestivalError: another accepted exhibit of the festival has this booth in this zone."""
    clash = db.session.execute(
        accepted_exhibits(exhibit.festival).where(
            Exhibit.id != exhibit.id, Exhibit.zone == zone, Exhibit.booth == booth
        )
    ).scalar_one_or_none()
    if clash is not None:
        raise FestivalError(
            _l("Gian %(booth)s đã dành cho %(code)s – %(title)s.", booth=booth, code=clash.code, title=clash.title)
        )


def accept_exhibit(
    exhibit: Exhibit, by: User, code: str | None = None, booth: str | None = None, zone: str | None = None
) -> None:
    """Accept an exhibit: it gets a code in its category (e.g. KT-07) and a booth (in a hall zone).

    :raise NotAllowed: not an organizer, or not waiting for review.
    :raise FestivalError: the code is malformed or taken, or the booth is another exhibit's.
    """
    _require_review(exhibit, "accept", by)
    code = (code or "").strip().upper()
    if code:
        exhibit.code_number = _check_code(exhibit, code)
        exhibit.code = code
    elif exhibit.code is None:
        exhibit.code, exhibit.code_number = next_code(exhibit)
    exhibit.zone = " ".join((zone or "").split())[:40] if zone is not None else exhibit.zone
    exhibit.booth = (booth or "").strip()[:20] or exhibit.booth or next_booth(exhibit.festival)
    _check_booth(exhibit, exhibit.zone, exhibit.booth)
    exhibit.review_comment = ""
    _change_status(exhibit, ExhibitStatus.ACCEPTED, by, "exhibit.accepted")


def return_exhibit(exhibit: Exhibit, comment: str, by: User) -> None:
    """Send an exhibit back to its unit with a comment saying what to change.

    :raise NotAllowed: not an organizer, or not in a state that can be returned.
    :raise FestivalError: no comment.
    """
    _require_review(exhibit, "return", by)
    if not comment.strip():
        raise FestivalError(_l("Hãy ghi rõ đơn vị cần sửa gì."))
    _change_status(exhibit, ExhibitStatus.RETURNED, by, "exhibit.returned", comment.strip())


def reject_exhibit(exhibit: Exhibit, reason: str, by: User) -> None:
    """Refuse an exhibit with a reason.

    :raise NotAllowed: not an organizer, or not in a state that can be rejected.
    :raise FestivalError: no reason.
    """
    _require_review(exhibit, "reject", by)
    if not reason.strip():
        raise FestivalError(_l("Hãy ghi lý do không duyệt."))
    _change_status(exhibit, ExhibitStatus.REJECTED, by, "exhibit.rejected", reason.strip())


def set_code_and_booth(exhibit: Exhibit, code: str, booth: str, by: User, zone: str = "") -> None:
    """Correct an accepted exhibit's code, booth or hall zone.

    :raise NotAllowed: not an organizer or not accepted.
    :raise FestivalError: the code is malformed or taken, or the booth is another exhibit's.
    """
    if by.role is not Role.ORGANIZER or exhibit.status is not ExhibitStatus.ACCEPTED:
        raise NotAllowed(_l("Chỉ sáng kiến đã duyệt mới có mã và gian trưng bày."))
    code = code.strip().upper()
    number = _check_code(exhibit, code)
    booth, zone = booth.strip()[:20] or None, " ".join(zone.split())[:40]
    if booth:
        _check_booth(exhibit, zone, booth)
    before = {"code": exhibit.code, "booth": exhibit.booth, "zone": exhibit.zone}
    exhibit.code, exhibit.code_number, exhibit.booth, exhibit.zone = code, number, booth, zone
    after = {"code": exhibit.code, "booth": exhibit.booth, "zone": exhibit.zone}
    audit.record("exhibit.placed", exhibit, by=by, before=before, after=after)


# Statistics --------------------------------------------------------------------------------


@dataclass
class StatLine:
    label: str
    count: int
    benefit: int


def _totals(festival: Festival, statuses, *keys):
    stmt = (
        db.select(*keys, sa.func.count(Exhibit.id), sa.func.coalesce(sa.func.sum(Exhibit.benefit_vnd), 0))
        .select_from(Exhibit)
        .join(Exhibit.unit)
        .join(Exhibit.category)
        .where(Exhibit.festival_id == festival.id, Exhibit.status.in_(statuses))
    )
    if keys:
        stmt = stmt.group_by(*keys)
    return db.session.execute(stmt).all()


def statistics(festival: Festival, statuses=(ExhibitStatus.ACCEPTED,)) -> dict:
    """Counts and benefit totals by unit, region and category, and the headline total."""
    [(total_count, total_benefit)] = _totals(festival, statuses)
    by_unit = [
        StatLine(f"{short} ({code})", n, int(v))
        for code, short, n, v in _totals(festival, statuses, Unit.code, Unit.short_name)
    ]
    by_region = {region: (n, int(v)) for region, n, v in _totals(festival, statuses, Unit.region)}
    by_category = {code: (n, int(v)) for code, n, v in _totals(festival, statuses, Category.code)}
    by_status = dict(
        db.session.execute(
            db.select(Exhibit.status, sa.func.count())
            .where(Exhibit.festival_id == festival.id)
            .group_by(Exhibit.status)
        ).all()
    )
    return {
        "total_count": total_count,
        "total_benefit": int(total_benefit),
        "by_unit": sorted(by_unit, key=lambda line: (-line.benefit, line.label)),
        "by_region": [StatLine(str(r.label), *by_region.get(r, (0, 0))) for r in Region],
        "by_category": [
            StatLine(f"{c.name_vi} ({c.code})", *by_category.get(c.code, (0, 0))) for c in list_categories(festival)
        ],
        "by_status": {status: by_status.get(status, 0) for status in ExhibitStatus},
    }
