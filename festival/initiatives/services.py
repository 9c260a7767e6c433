"""The register's queries and rules: who sees which unit's register, its lists, entering and editing an
initiative, its files, deleting it, and the public page's list."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from festival.core import audit, uploads
from festival.core.errors import FestivalError, NotAllowed, Unavailable
from festival.core.extensions import db
from festival.core.transactions import on_commit
from festival.models import (
    Application,
    AuditLog,
    AuthorCategory,
    Initiative,
    InitiativeAuthor,
    InitiativeField,
    InitiativeFile,
    InitiativeSource,
    InitiativeState,
    ProductionTeam,
    Role,
    Unit,
    User,
)
from festival.util.formatting import fold


def register_units(user: User) -> list[Unit] | None:
    """The units whose register `user` may see and edit: None means every unit (organizers)."""
    if user.role is Role.ORGANIZER:
        return None
    if user.role in (Role.UNIT, Role.SUPPORT) and user.unit is not None:
        return [user.unit]
    return []


def register_query(
    user: User, *, year: int | None = None, unit_id: int | None = None, state: InitiativeState | None = None, q=""
) -> sa.Select:
    """The register's rows `user` may see, newest number first, filtered as asked."""
    query = sa.select(Initiative).order_by(Initiative.year.desc(), Initiative.unit_id, Initiative.number.desc())
    units = register_units(user)
    if units is not None:
        query = query.where(Initiative.unit_id.in_([unit.id for unit in units]))
    if year:
        query = query.where(Initiative.year == year)
    if unit_id:
        query = query.where(Initiative.unit_id == unit_id)
    if state:
        query = query.where(Initiative.state == state)
    if q:
        query = query.where(Initiative.search_text.contains(fold(q)))
    return query


def register_years(user: User) -> list[int]:
    """The years that have a register row `user` may see, newest first."""
    query = sa.select(Initiative.year).distinct().order_by(Initiative.year.desc())
    units = register_units(user)
    if units is not None:
        query = query.where(Initiative.unit_id.in_([unit.id for unit in units]))
    return list(db.session.execute(query).scalars())


# Entering and editing an initiative ----------------------------------------------------------

MAX_AUTHORS = 10
MAX_FILES = 10


@dataclass
class AuthorInput:
    """One author as typed: no account needed."""

    full_name: str
    job_title: str = ""
    department: str = ""
    phone: str = ""
    category: AuthorCategory = AuthorCategory.WORKER
    is_graduate: bool = False
    share_percent: int | None = None


@dataclass
class InitiativeInput:
    """What the unit, its support team or an organizer types for an initiative."""

    title: str
    field: InitiativeField
    authors: list[AuthorInput]
    team: ProductionTeam | None = None
    team_name: str = ""
    department: str = ""
    problem: str = ""
    solution: str = ""
    effect_summary: str = ""
    first_applied_on: date | None = None
    application: Application | None = None
    is_trade_secret: bool = False
    is_published: bool = False


def may_keep(user: User, unit_id: int) -> bool:
    """Whether `user` may see and change the register of the unit `unit_id`."""
    units = register_units(user)
    return units is None or unit_id in {unit.id for unit in units}


def unit_teams(unit_ids: list[int] | None) -> list[ProductionTeam]:
    """The production teams of these units (None: every unit), by unit, department and name."""
    query = sa.select(ProductionTeam).order_by(ProductionTeam.unit_id, ProductionTeam.department, ProductionTeam.name)
    if unit_ids is not None:
        query = query.where(ProductionTeam.unit_id.in_(unit_ids))
    return list(db.session.execute(query).scalars())


def check_input(unit: Unit, data: InitiativeInput, today: date) -> None:
    """The register's rules for what was typed (or imported) for an initiative of `unit`.

    :raise FestivalError: a rule is broken (no title, no author, shares not adding up to 100 %…).
    """
    if not data.title.strip():
        raise FestivalError(_l("Chưa có tên sáng kiến."))
    if not data.authors:
        raise FestivalError(_l("Sáng kiến cần ít nhất một tác giả."))
    if len(data.authors) > MAX_AUTHORS:
        raise FestivalError(_l("Mỗi sáng kiến có tối đa %(n)d tác giả.", n=MAX_AUTHORS))
    for author in data.authors:
        if not author.full_name.strip():
            raise FestivalError(_l("Mỗi dòng tác giả cần có họ và tên."))
        if author.share_percent is None:
            raise FestivalError(_l("Hãy ghi tỷ lệ đóng góp của tác giả %(name)s.", name=author.full_name.strip()))
        if not 1 <= author.share_percent <= 100:
            raise FestivalError(_l("Tỷ lệ đóng góp của mỗi tác giả từ 1 đến 100%."))
    total = sum(author.share_percent for author in data.authors)
    if total != 100:
        raise FestivalError(
            _l(
                "Tổng tỷ lệ đóng góp của các tác giả phải bằng 100%% (các tỷ lệ đã ghi cộng lại là %(total)d%%).",
                total=total,
            )
        )
    if data.team is not None and data.team.unit_id != unit.id:
        raise FestivalError(_l("Tổ sản xuất đã chọn không thuộc đơn vị %(unit)s.", unit=unit.short_name or unit.name))
    if data.is_trade_secret and data.is_published:
        raise FestivalError(_l("Sáng kiến là bí mật kinh doanh thì không được công bố công khai."))
    if data.first_applied_on is not None and data.first_applied_on > today:
        raise FestivalError(_l("Ngày áp dụng lần đầu không được sau hôm nay."))


def snapshot(initiative: Initiative) -> dict:
    """What the audit log keeps of an initiative's content (authors' phones left out)."""
    return {
        "reference": initiative.reference,
        "title": initiative.title,
        "field": initiative.field,
        "team": initiative.team.label if initiative.team else initiative.team_name,
        "department": initiative.department,
        "first_applied_on": initiative.first_applied_on,
        "application": initiative.application,
        "is_trade_secret": initiative.is_trade_secret,
        "is_published": initiative.is_published,
        "authors": [f"{a.full_name} ({a.share_percent}%)" for a in initiative.authors],
    }


def apply_input(initiative: Initiative, data: InitiativeInput) -> None:
    """Write what was typed (or imported) onto the initiative, its authors in order."""
    initiative.title = data.title.strip()
    initiative.field = data.field
    initiative.team = data.team
    initiative.team_name = "" if data.team is not None else data.team_name.strip()
    initiative.department = data.department.strip() or (data.team.department if data.team is not None else "")
    initiative.problem = data.problem.strip()
    initiative.solution = data.solution.strip()
    initiative.effect_summary = data.effect_summary.strip()
    initiative.first_applied_on = data.first_applied_on
    initiative.application = data.application
    initiative.is_trade_secret = data.is_trade_secret
    initiative.is_published = data.is_published and not data.is_trade_secret
    # An author who stays (same name) keeps their row; a new name is a new author.
    kept = {author.full_name: author for author in initiative.authors}
    authors = []
    for position, typed in enumerate(data.authors):
        name = typed.full_name.strip()
        author = kept.pop(name, None) or InitiativeAuthor(full_name=name)
        author.position = position
        author.job_title, author.department, author.phone = (
            typed.job_title.strip(),
            typed.department.strip(),
            typed.phone.strip(),
        )
        author.category, author.is_graduate, author.share_percent = (
            typed.category,
            typed.is_graduate,
            typed.share_percent,
        )
        authors.append(author)
    initiative.authors = authors


def next_number(unit: Unit, year: int) -> int:
    """The next free number of the unit's register for `year`."""
    highest = db.session.scalar(
        sa.select(sa.func.max(Initiative.number)).where(Initiative.unit_id == unit.id, Initiative.year == year)
    )
    return (highest or 0) + 1


NUMBER_TRIES = 5


def add_numbered(initiative: Initiative, unit: Unit) -> bool:
    """Add `initiative` to the session under the next free number of `unit`'s register for its year; False when
    other saves kept taking the number (the unique (unit, year, number) refuses a taken one: the next is tried,
    inside a savepoint, so the rest of the transaction stands)."""
    for _attempt in range(NUMBER_TRIES):
        initiative.number = next_number(unit, initiative.year)
        try:
            with db.session.begin_nested():
                db.session.add(initiative)
                db.session.flush()
        except IntegrityError:
            continue
        return True
    return False


def create_initiative(unit: Unit, data: InitiativeInput, by: User, today: date, year: int | None = None) -> Initiative:
    """Enter a new initiative in `unit`'s register for `year` (this year unless said) with the next free number.

    Two saves at once may pick the same number: the unique (unit, year, number) refuses the second, which then
    takes the next one.

    :raise NotAllowed: `by` does not keep this unit's register.
    :raise FestivalError: the input breaks a rule.
    """
    if not may_keep(by, unit.id):
        raise NotAllowed(_l("Bạn chỉ nhập được sáng kiến cho đơn vị của mình."))
    year = year or today.year
    if not 2000 <= year <= today.year + 1:
        raise FestivalError(_l("Năm của sổ sáng kiến không hợp lệ."))
    check_input(unit, data, today)
    initiative = Initiative(unit=unit, year=year, source=InitiativeSource.ENTERED, entered_by=by)
    apply_input(initiative, data)
    if not add_numbered(initiative, unit):
        raise Unavailable(_l("Sổ sáng kiến đang được nhiều người ghi cùng lúc. Hãy bấm Lưu lần nữa."))
    audit.record("initiative.created", initiative, by=by, after=snapshot(initiative))
    return initiative


def update_initiative(initiative: Initiative, data: InitiativeInput, by: User, today: date) -> None:
    """Save changes to an initiative's content (its number, year, unit and state stay).

    :raise NotAllowed: `by` does not keep this unit's register.
    :raise FestivalError: the input breaks a rule.
    """
    if not may_keep(by, initiative.unit_id):
        raise NotAllowed(_l("Bạn không được sửa sáng kiến này."))
    check_input(initiative.unit, data, today)
    before = snapshot(initiative)
    apply_input(initiative, data)
    db.session.flush()
    audit.record("initiative.updated", initiative, by=by, before=before, after=snapshot(initiative))


DELETABLE = (InitiativeState.RECEIVED, InitiativeState.PROPOSED)


def deletion_refusal(initiative: Initiative):
    """Why the initiative cannot be deleted, or None when it can: only an idea received or proposed, and never
    one nominated to a festival."""
    if initiative.exhibit_id is not None:
        return _l("Sáng kiến đã được đề cử tham gia ngày hội nên không xoá được.")
    if initiative.state not in DELETABLE:
        return _l("Sáng kiến ở trạng thái “%(state)s” không xoá được.", state=initiative.state.label)
    return None


def delete_initiative(initiative: Initiative, by: User) -> None:
    """Remove an initiative, its authors and files (the files go once the change is committed).

    :raise NotAllowed: not `by`'s unit, or not deletable in its state.
    """
    if not may_keep(by, initiative.unit_id):
        raise NotAllowed(_l("Bạn không được xoá sáng kiến này."))
    refusal = deletion_refusal(initiative)
    if refusal is not None:
        raise NotAllowed(refusal)
    names = [name for item in initiative.files for name in (item.stored_name, item.thumbnail_name)]
    audit.record("initiative.deleted", initiative, by=by, before=snapshot(initiative))
    db.session.delete(initiative)
    db.session.flush()
    on_commit(lambda: uploads.delete_stored(*names))


def history(initiative: Initiative) -> list[AuditLog]:
    """The initiative's audit trail, oldest first."""
    return list(
        db.session.execute(
            sa.select(AuditLog)
            .where(AuditLog.object_type == Initiative.__tablename__, AuditLog.object_id == initiative.id)
            .order_by(AuditLog.id)
        ).scalars()
    )


# Files --------------------------------------------------------------------------------------


def add_files(initiative: Initiative, files: list[tuple[str, bytes]], by: User | None) -> list[InitiativeFile]:
    """Store photos and documents of an initiative, all or none, as exhibits' attachments are stored.

    :raise FestivalError: too many in all, or a file is too big or of the wrong type.
    """
    if not files:
        raise FestivalError(_l("Hãy chọn ít nhất một tệp."))
    if len(initiative.files) + len(files) > MAX_FILES:
        raise FestivalError(
            _l("Mỗi sáng kiến có tối đa %(n)d tệp (đã có %(have)d).", n=MAX_FILES, have=len(initiative.files))
        )
    # A refusal part-way leaves no file behind: stored files go when the transaction rolls back.
    stored = [(name, uploads.store_upload(data, name, folder="initiatives")) for name, data in files]
    added = []
    for name, kept in stored:
        item = InitiativeFile(**kept.row_values(name))
        initiative.files.append(item)
        added.append(item)
    db.session.flush()
    audit.record("initiative.files_added", initiative, by=by, after={"files": [item.original_name for item in added]})
    return added


def remove_file(item: InitiativeFile, by: User) -> None:
    """Delete one file of an initiative (the stored file goes once the change is committed).

    :raise NotAllowed: not `by`'s unit.
    """
    initiative = item.initiative
    if not may_keep(by, initiative.unit_id):
        raise NotAllowed(_l("Bạn không được sửa sáng kiến này."))
    audit.record("initiative.file_removed", initiative, by=by, before={"file": item.original_name})
    names = (item.stored_name, item.thumbnail_name)
    initiative.files.remove(item)
    db.session.flush()
    on_commit(lambda: uploads.delete_stored(*names))  # the file stays while the row might still come back


# The public page ----------------------------------------------------------------------------


def public_query() -> sa.Select:
    """Recognised initiatives their unit published, never a trade secret: newest decision first."""
    return (
        sa.select(Initiative)
        .where(
            Initiative.state == InitiativeState.RECOGNISED,
            Initiative.is_published.is_(True),
            Initiative.is_trade_secret.is_(False),
        )
        .order_by(Initiative.decided_on.desc(), Initiative.id.desc())
    )
