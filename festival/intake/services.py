"""Intake's rules: who keeps a unit's production teams, the teams and their poster keys, an idea received from a
poster's phone form, the register's next number, and the unit's support-team accounts."""

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from festival.auth import services as accounts
from festival.core import audit, events, uploads
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.initiatives import services as initiatives
from festival.models import (
    Initiative,
    InitiativeFile,
    InitiativeSource,
    InitiativeState,
    ProductionTeam,
    Role,
    Unit,
    User,
)
from festival.util.formatting import utc_to_local

# Who may do what -------------------------------------------------------------------------------


def may_keep_teams(user: User, unit: Unit) -> bool:
    """Organizers keep any unit's teams; a unit's own account and its support team keep that unit's."""
    if not user.is_authenticated:
        return False
    if user.role is Role.ORGANIZER:
        return True
    return user.role in (Role.UNIT, Role.SUPPORT) and user.unit_id == unit.id


# Production teams -------------------------------------------------------------------------------


def list_teams(unit: Unit) -> list[ProductionTeam]:
    """A unit's teams, by department then name."""
    query = (
        sa.select(ProductionTeam)
        .where(ProductionTeam.unit_id == unit.id)
        .order_by(ProductionTeam.department, ProductionTeam.name, ProductionTeam.id)
    )
    return list(db.session.execute(query).scalars())


def team_counts() -> dict[int, int]:
    """How many production teams each unit has (units with none are absent)."""
    query = sa.select(ProductionTeam.unit_id, sa.func.count()).group_by(ProductionTeam.unit_id)
    return dict(db.session.execute(query).all())


def _check_unique(unit: Unit, department: str, name: str, team: ProductionTeam | None = None) -> None:
    query = sa.select(ProductionTeam.id).where(
        ProductionTeam.unit_id == unit.id, ProductionTeam.department == department, ProductionTeam.name == name
    )
    if team is not None:
        query = query.where(ProductionTeam.id != team.id)
    if db.session.execute(query).first() is not None:
        raise FestivalError(_l("Đơn vị đã có tổ “%(name)s” trong bộ phận này.", name=name))


def _fields(team: ProductionTeam) -> dict:
    return {"unit": team.unit.code, "department": team.department, "name": team.name}


def add_team(unit: Unit, department: str, name: str, by: User) -> ProductionTeam:
    """Add a production team to `unit`, with a new poster key (audited).

    :raise FestivalError: the unit already has a team of that name in that department.
    """
    department, name = department.strip(), name.strip()
    _check_unique(unit, department, name)
    team = ProductionTeam(unit=unit, department=department, name=name)
    db.session.add(team)
    db.session.flush()
    audit.record("production_team.created", team, by=by, after=_fields(team))
    return team


def update_team(team: ProductionTeam, department: str, name: str, by: User) -> None:
    """Rename a team or move it to another department; its poster keeps working (audited).

    :raise FestivalError: the unit already has a team of that name in that department.
    """
    department, name = department.strip(), name.strip()
    _check_unique(team.unit, department, name, team)
    before = _fields(team)
    team.department, team.name = department, name
    if _fields(team) != before:
        audit.record("production_team.updated", team, by=by, before=before, after=_fields(team))


def delete_team(team: ProductionTeam, by: User) -> int:
    """Delete a team; its initiatives stay in the register, without the team (their team's name is kept as text).

    Returns how many initiatives were from the team.
    """
    kept = db.session.execute(
        sa.update(Initiative).where(Initiative.team_id == team.id).values(team_id=None)
    ).rowcount  # as the foreign key's ON DELETE SET NULL would, also where SQLite does not enforce it
    audit.record("production_team.deleted", team, by=by, before=_fields(team), after={"initiatives_kept": kept})
    db.session.delete(team)
    db.session.flush()
    return kept


def replace_key(team: ProductionTeam, by: User) -> None:
    """Give the team a new poster key: the old poster's QR code stops working (audited; the keys are not logged)."""
    team.intake_key = secrets.token_urlsafe(12)
    audit.record("production_team.key_replaced", team, by=by, after=_fields(team))


def team_for_key(key: str) -> ProductionTeam | None:
    """The team whose current poster carries `key`, or None (unknown, or replaced by a new poster)."""
    if not key or len(key) > 32:
        return None
    return db.session.execute(sa.select(ProductionTeam).where(ProductionTeam.intake_key == key)).scalar_one_or_none()


# Ideas from the phone form -----------------------------------------------------------------------


@dataclass
class Idea:
    """What a worker typed on the phone form (the photo as its file name and bytes, if one was chosen)."""

    name: str
    phone: str
    title: str
    text: str
    photo: tuple[str, bytes] | None = None


def receive_idea(team: ProductionTeam, idea: Idea, now: datetime) -> Initiative:
    """Put a worker's idea in the unit's register as received, from the team's poster, with its photo.

    :raise UploadRefused: the photo is too big, not a JPEG, PNG or WebP picture, or unreadable.
    :raise FestivalError: the register's number could not be taken.
    """
    stored = None
    if idea.photo is not None:
        name, data = idea.photo
        if len(data) <= uploads.MAX_FILE_BYTES and not (uploads.sniff(data) or "").startswith("image/"):
            raise uploads.UploadRefused(_l("Tệp “%(name)s” không phải ảnh JPEG, PNG hay WebP.", name=name))
        # Stored before the row: a refused photo leaves nothing behind, and a stored one goes if the row is undone.
        stored = uploads.store_upload(data, name, folder="initiatives")
    values = {
        "title": idea.title.strip(),
        "solution": idea.text.strip(),
        "team_id": team.id,
        "department": team.department,
        "team_name": team.name,
        "state": InitiativeState.RECEIVED,
        "state_changed_at": now,
        "source": InitiativeSource.INTAKE,
        "submitter_name": idea.name.strip(),
        "submitter_phone": idea.phone.strip(),
    }
    # The register's year where it was sent.
    initiative = Initiative(unit_id=team.unit_id, year=utc_to_local(now).year, **values)
    if not initiatives.add_numbered(initiative, team.unit):
        raise FestivalError(_l("Nhiều ý tưởng đang được gửi cùng lúc. Hãy bấm Gửi lại sau vài giây."))
    if stored is not None:
        initiative.files.append(InitiativeFile(**stored.row_values(idea.photo[0])))
        db.session.flush()
    # The sender's name and phone stay out of the log: they are purged from the row after their period.
    facts = {"reference": initiative.reference, "unit": team.unit.code, "team": team.label}
    audit.record("initiative.received", initiative, by=None, after={**facts, "photos": len(initiative.files)})
    return initiative


# The unit's support team ------------------------------------------------------------------------


def support_members(unit: Unit) -> list[User]:
    """The unit's support-team accounts, active ones first, by name."""
    query = (
        sa.select(User)
        .where(User.unit_id == unit.id, User.role == Role.SUPPORT)
        .order_by(User.is_active.desc(), User.full_name, User.id)
    )
    return list(db.session.execute(query).scalars())


def invite_support_member(unit: Unit, email: str, full_name: str, by: User, now: datetime) -> User:
    """Make a support-team account of `unit` and have its invitation mailed (the link is made as it is sent).

    :raise FestivalError: the e-mail already has an account.
    """
    user, _token = accounts.create_account(email, full_name, Role.SUPPORT, unit, now, by=by)
    events.account_invited.send(user, by=by)
    return user


def check_own_member(unit: Unit, member: User) -> None:
    """:raise NotAllowed: `member` is not a support-team account of `unit`."""
    if member.role is not Role.SUPPORT or member.unit_id != unit.id:
        raise NotAllowed(_l("Tài khoản này không thuộc tổ hỗ trợ sáng kiến của đơn vị."))


def deactivate_support_member(unit: Unit, member: User, by: User) -> None:
    """Lock a support-team account of `unit` out (audited; its sessions end). Its register entries stay.

    :raise NotAllowed: the account is not of this unit's support team.
    """
    check_own_member(unit, member)
    accounts.update_account(member, full_name=member.full_name, role=Role.SUPPORT, unit=unit, is_active=False, by=by)
