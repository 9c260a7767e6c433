"""The register's pages: a unit's (or, for organizers, every unit's) initiatives by year."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from festival.auth.permissions import role_required
from festival.core.extensions import db
from festival.initiatives import services
from festival.models import InitiativeState, Role, Unit
from festival.util.urls import record_id

bp = Blueprint("initiatives", __name__, url_prefix="/initiatives")

REGISTER_KEEPERS = (Role.ORGANIZER, Role.UNIT, Role.SUPPORT)


def _page() -> int:
    return request.args.get("page", 1, type=record_id)


@bp.route("/")
@role_required(*REGISTER_KEEPERS)
def register():
    """The register (sổ sáng kiến): filter by year, unit, state and words; newest first, a page at a time."""
    year = request.args.get("year", type=int)
    unit_id = request.args.get("unit", type=record_id)
    state = InitiativeState._value2member_map_.get(request.args.get("state", ""))
    query = request.args.get("q", "")[:100]
    pagination = db.paginate(
        services.register_query(current_user, year=year, unit_id=unit_id, state=state, q=query),
        page=_page(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    units = services.register_units(current_user)
    return render_template(
        "initiatives/register.html",
        pagination=pagination,
        years=services.register_years(current_user),
        units=db.session.execute(db.select(Unit).order_by(Unit.code)).scalars().all() if units is None else units,
        states=list(InitiativeState),
        filters={"year": year, "unit": unit_id, "state": state, "q": query},
    )
