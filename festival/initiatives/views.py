"""The register's pages: a unit's (or, for organizers, every unit's) initiatives by year."""

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from festival.auth.permissions import role_required
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.core.festivals import current_festival
from festival.core.transactions import form_status
from festival.exhibits import services as exhibit_services
from festival.initiatives import nominations, services
from festival.initiatives.nomination_forms import NominationForm
from festival.models import Category, Initiative, InitiativeState, Role, Unit, utcnow
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


# Nominations ---------------------------------------------------------------------------------------------------


def _nominable_initiative(initiative_id: int) -> Initiative:
    """A recognised-or-not initiative the signed-in nominator may see: 404 for another unit's."""
    initiative = db.get_or_404(Initiative, initiative_id)
    if not nominations.may_nominate(current_user, initiative):
        abort(404)
    return initiative


@bp.route("/nominations")
@role_required(*nominations.NOMINATORS)
def nominations_list():
    """The unit's recognised initiatives (every unit's for organizers): nominated ones with their exhibit, the
    others with the way into the current festival or why not."""
    unit_id = request.args.get("unit", type=record_id) if current_user.role is Role.ORGANIZER else None
    units = services.register_units(current_user)
    pagination = db.paginate(
        nominations.nomination_query(units, unit_id),
        page=_page(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    festival = g.festival
    return render_template(
        "initiatives/nominate_list.html",
        pagination=pagination,
        festival=festival,
        is_open=festival is not None and festival.is_registration_open(utcnow()),
        refusal=nominations.nomination_refusal,
        units=db.session.execute(db.select(Unit).order_by(Unit.code)).scalars().all() if units is None else [],
        unit_id=unit_id,
    )


@bp.route("/<int:initiative_id>/nominate", methods=["GET", "POST"])
@role_required(*nominations.NOMINATORS)
def nominate(initiative_id):
    """Nominate a recognised initiative as an exhibit of the current festival: choose its category; the texts,
    authors, benefit and files are carried over."""
    initiative = _nominable_initiative(initiative_id)
    festival = current_festival()
    form = NominationForm()
    form.category.choices = [("", _("— Chọn lĩnh vực —"))] + [
        (c.id, f"{c.code} – {c.name(get_locale().language)}") for c in exhibit_services.list_categories(festival)
    ]
    if form.validate_on_submit():
        category = db.get_or_404(Category, form.category.data)
        try:
            exhibit = nominations.nominate(initiative, festival, category, by=current_user, now=utcnow())
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(
                _(
                    "Đã tạo bản nháp “%(title)s” từ sáng kiến %(reference)s. Kiểm tra, ghi sự đồng ý công khai tên "
                    "của tác giả rồi gửi ban tổ chức.",
                    title=exhibit.title,
                    reference=initiative.reference,
                ),
                "success",
            )
            return redirect(url_for("exhibits.show", exhibit_id=exhibit.id))
    page = render_template(
        "initiatives/nominate.html",
        initiative=initiative,
        festival=festival,
        form=form,
        refusal=nominations.nomination_refusal(initiative),
        is_open=festival.is_registration_open(utcnow()),
        first_benefit=nominations.first_benefit(initiative),
    )
    return page, form_status(form)


@bp.route("/closing-tally")
@role_required(Role.ORGANIZER, Role.UNIT)
def closing_tally():
    """The festival's results joined to the register: per unit, initiatives recognised in the festival's year,
    nominated, accepted as exhibits, and prizes won (a unit sees its own line)."""
    festival = current_festival()
    units = services.register_units(current_user)
    return render_template(
        "initiatives/nominate_tally.html",
        festival=festival,
        tally=nominations.closing_tally(festival, units),
    )
