"""The register's queries and rules: who sees which unit's register, and the register's lists."""

import sqlalchemy as sa

from festival.core.extensions import db
from festival.models import Initiative, InitiativeState, Role, Unit, User
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
