"""The register's pages: a unit's (or, for organizers, every unit's) initiatives by year."""

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from festival.auth.permissions import role_required
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.core.transactions import form_status
from festival.initiatives import benefits, services
from festival.initiatives.benefit_forms import BenefitYearForm
from festival.models import Initiative, InitiativeState, Role, Unit
from festival.privacy.requests import page_of
from festival.util.formatting import festival_today, format_number
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


# Benefit and remuneration ---------------------------------------------------------------------


def _kept_initiative(initiative_id: int) -> Initiative:
    """The initiative, if the visitor keeps its unit's register (another unit's is not found)."""
    initiative = db.get_or_404(Initiative, initiative_id)
    if not benefits.may_keep(current_user, initiative):
        abort(404)
    return initiative


def _units_shown():
    """The units a due list or author history shows, and every unit for an organizer's filter (else None)."""
    unit_id = request.args.get("unit", type=record_id)
    units = benefits.unit_of(current_user, unit_id)
    choices = None
    if services.register_units(current_user) is None:
        choices = db.session.execute(db.select(Unit).order_by(Unit.code)).scalars().all()
    return units, choices, unit_id


@bp.route("/<int:initiative_id>/benefits", endpoint="benefits")
@role_required(*REGISTER_KEEPERS)
def benefits_page(initiative_id):
    """An initiative's three years of application: benefit, the rule's remuneration beside the unit's, payment,
    and each author's part."""
    initiative = _kept_initiative(initiative_id)
    years = benefits.benefit_years(initiative) if benefits.has_benefit(initiative) else []
    transfer = benefits.transfer_proposal(initiative)
    return render_template(
        "initiatives/benefits.html",
        initiative=initiative,
        years=years,
        next_due=benefits.next_evaluation(initiative),
        transfer=transfer,
        transfer_parts=benefits.split(initiative, transfer.amount) if transfer else [],
        minimum_wage=benefits.minimum_wage(),
        today=festival_today(),
    )


@bp.route("/<int:initiative_id>/benefits/<int:year_index>", methods=["GET", "POST"])
@role_required(*REGISTER_KEEPERS)
def benefit_edit(initiative_id, year_index):
    """Record one year's benefit, the remuneration the unit decided and its payment."""
    initiative = _kept_initiative(initiative_id)
    if year_index not in benefits.YEARS:
        abort(404)
    if not benefits.has_benefit(initiative):
        flash(_("Chỉ sáng kiến đã áp dụng hoặc đã được công nhận, có ngày áp dụng lần đầu, mới tính tiền làm lợi."))
        return redirect(url_for("initiatives.benefits", initiative_id=initiative.id))
    record = next((r for r in initiative.benefits if r.year_index == year_index), None)
    form = BenefitYearForm(obj=None)
    if request.method == "GET" and record is not None:
        form.computable.data = "yes" if record.benefit_vnd is not None or record.evaluated_on is None else "no"
        form.benefit.data, form.remuneration.data = record.benefit_vnd, record.remuneration_vnd
        form.evaluated_on.data, form.paid_on.data, form.note.data = record.evaluated_on, record.paid_on, record.note
    if form.validate_on_submit():
        data = benefits.YearInput(
            computable=form.computable.data != "no",
            benefit_vnd=form.benefit.data,
            evaluated_on=form.evaluated_on.data,
            remuneration_vnd=form.remuneration.data,
            paid_on=form.paid_on.data,
            note=form.note.data or "",
        )
        try:
            benefits.save_year(initiative, year_index, data, by=current_user, today=festival_today())
        except FestivalError as error:
            # Shown above the form with what was typed kept (the service refuses before it writes anything).
            form.form_errors.append(error.message)
        else:
            flash(_("Đã lưu tiền làm lợi và thù lao năm thứ %(n)d.", n=year_index), "success")
            return redirect(url_for("initiatives.benefits", initiative_id=initiative.id))
    return render_template(
        "initiatives/benefit_edit.html",
        initiative=initiative,
        year_index=year_index,
        due_on=benefits.due_on(initiative.first_applied_on, year_index),
        form=form,
        least_by_benefit=benefits.remuneration.BENEFIT_RATE_PERCENT,
        least_without=benefits.remuneration.propose_for_year(None, benefits.minimum_wage()).amount,
    ), form_status(form)


@bp.route("/reevaluations")
@role_required(*REGISTER_KEEPERS)
def reevaluations():
    """Initiatives whose next yearly evaluation of benefit is overdue or falls due soon."""
    units, choices, unit_id = _units_shown()
    today = festival_today()
    rows = benefits.due_evaluations(units, today)
    return render_template(
        "initiatives/benefit_due.html",
        pagination=page_of(rows, request.args.get("page", 1, type=record_id), current_app.config["PER_PAGE"]),
        today=today,
        days=current_app.config["INITIATIVE_REEVALUATION_NOTICE_DAYS"],
        units=choices,
        unit_id=unit_id,
    )


@bp.route("/authors")
@role_required(*REGISTER_KEEPERS)
def authors():
    """Each author's initiatives, shares and benefits by year; the Labour Creativity Certificate's candidates."""
    units, choices, unit_id = _units_shown()
    query = request.args.get("q", "")[:100]
    only_candidates = request.args.get("candidates") == "1"
    people = benefits.author_histories(units, query)
    if only_candidates:
        people = [person for person in people if person.reason]
    bars = benefits.bars()
    return render_template(
        "initiatives/authors.html",
        pagination=page_of(people, request.args.get("page", 1, type=record_id), current_app.config["PER_PAGE"]),
        units=choices,
        filters={"unit": unit_id, "q": query, "candidates": only_candidates},
        bars={key: format_number(value) for key, value in vars(bars).items()},
        years=benefits.YEARS,
    )


@bp.route("/authors.xlsx")
@role_required(*REGISTER_KEEPERS)
def authors_export():
    """The author histories and candidates as XLSX."""
    units, _choices, _unit_id = _units_shown()
    data = benefits.authors_xlsx(benefits.author_histories(units, request.args.get("q", "")[:100]))
    return send_file(
        io.BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"tac-gia-sang-kien-{festival_today().isoformat()}.xlsx",
    )
