"""The programme's targets, tallies and portal export: organizers see and set every unit's, a unit and its
support team see their own unit's figures and their emulation group's ranking."""

import io
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from festival.auth.permissions import role_required
from festival.core.errors import FestivalError
from festival.core.transactions import form_status
from festival.models import AwardTier, Role
from festival.tallies import exports, portal, services, tally
from festival.tallies.forms import CopyTargetsForm, PortalForm, TargetsForm
from festival.util.formatting import festival_today

bp = Blueprint("tallies", __name__, url_prefix="/programme")

KEEPERS = (Role.ORGANIZER, Role.UNIT, Role.SUPPORT)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(unit_ids) -> tuple[int, list[int]]:
    years = services.programme_years(unit_ids)
    return services.chosen_year(request.args.get("year", type=int)), years


def _period(year: int) -> services.Period:
    quarter = request.args.get("quarter", type=int)
    return services.Period(year, quarter if quarter in services.QUARTERS else None)


@bp.route("/targets", methods=["GET", "POST"])
@role_required(*KEEPERS)
def targets():
    """A year's targets: organizers set every unit's membership, target and group on one page; a unit sees its own."""
    unit_ids = services.visible_unit_ids(current_user)
    year, years = _year(unit_ids)
    if request.method == "POST" and unit_ids is not None:
        abort(403)
    rows = services.units_with_targets(year, unit_ids)
    form = TargetsForm()
    if unit_ids is None and form.validate_on_submit():
        try:
            changed = services.save_targets(year, _target_inputs(form), by=current_user)
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã lưu chỉ tiêu năm %(year)d (%(n)d đơn vị thay đổi).", year=year, n=changed), "success")
            return redirect(url_for("tallies.targets", year=year))
    elif request.method == "GET":
        for unit, target in rows:
            form.rows.append_entry(
                {
                    "unit_id": unit.id,
                    "members": target.members if target else None,
                    "target": target.target if target else None,
                    "emulation_group": target.emulation_group if target else "",
                }
            )
    units = {unit.id: unit for unit, _target in rows}
    page = render_template(
        "tallies/targets.html",
        year=year,
        years=years,
        rows=rows,
        form=form,
        form_units=[units.get(_row_unit(entry)) for entry in form.rows],
        can_edit=unit_ids is None,
    )
    return page, form_status(form)


def _row_unit(entry) -> int | None:
    try:
        return int(entry.form.unit_id.data)
    except (TypeError, ValueError):
        return None


def _target_inputs(form: TargetsForm) -> list[services.TargetInput]:
    """The rows a person filled in; a row without members is left as it is."""
    return [
        services.TargetInput(
            int(row.form.unit_id.data), row.form.members.data, row.form.target.data, row.form.emulation_group.data or ""
        )
        for row in form.rows
        if row.form.members.data is not None
    ]


@bp.route("/targets/copy", methods=["POST"])
@role_required(Role.ORGANIZER)
def copy_targets():
    """Give the units with no target this year last year's membership, target and group."""
    year = services.chosen_year(request.args.get("year", type=int))
    form = CopyTargetsForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        copied = services.copy_targets(year, by=current_user)
    except FestivalError as error:
        flash(error.message, "danger")
    else:
        flash(_("Đã chép chỉ tiêu năm %(old)d cho %(n)d đơn vị.", old=year - 1, n=copied), "success")
    return redirect(url_for("tallies.targets", year=year))


@bp.route("/tallies")
@role_required(*KEEPERS)
def index():
    """The year's (or, cumulatively, a quarter's) tallies against target, with the rankings, charts and history."""
    unit_ids = services.visible_unit_ids(current_user)
    year, years = _year(unit_ids)
    period = _period(year)
    return render_template(
        "tallies/index.html",
        result=tally.tally(period, unit_ids),
        years=years,
        quarters=services.QUARTERS,
        roman=tally.ROMAN,
        tiers=list(AwardTier),
        is_organizer=unit_ids is None,
    )


@bp.route("/tallies.xlsx")
@role_required(*KEEPERS)
def export():
    """The tallies of the page as an XLSX."""
    unit_ids = services.visible_unit_ids(current_user)
    year, _years = _year(unit_ids)
    period = _period(year)
    data = exports.tally_xlsx(tally.tally(period, unit_ids))
    name = f"thong-ke-sang-kien-{year}{f'-quy-{period.quarter}' if period.quarter else ''}.xlsx"
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


def _portal_form() -> PortalForm:
    """The export's choices from the address; this year so far until the person picks."""
    today = festival_today()
    return PortalForm(request.args or None, data={"date_from": date(today.year, 1, 1), "date_to": today})


@bp.route("/portal")
@role_required(*KEEPERS)
def portal_page():
    """Choose the period of recognition decisions (and the unit) to export for the Confederation's portal."""
    unit_ids = services.visible_unit_ids(current_user)
    form, choices = _portal_setup(unit_ids)
    rows = None
    if form.validate():
        rows = portal.portal_rows(_portal_period(form, unit_ids))
    page = render_template(
        "tallies/portal.html", form=form, rows=rows, columns=portal.COLUMNS, is_organizer=unit_ids is None
    )
    return page, form_status(form)


@bp.route("/portal.xlsx")
@role_required(*KEEPERS)
def portal_export():
    """The period's recognised initiatives as an XLSX laid out for the portal (trade secrets reduced)."""
    unit_ids = services.visible_unit_ids(current_user)
    form, _choices = _portal_setup(unit_ids)
    if not form.validate():
        return redirect(url_for("tallies.portal_page", **request.args))
    period = _portal_period(form, unit_ids)
    name = f"cong-sang-kien-{period.starts_on:%Y%m%d}-{period.ends_on:%Y%m%d}.xlsx"
    return send_file(io.BytesIO(portal.portal_xlsx(period)), mimetype=XLSX, as_attachment=True, download_name=name)


def _portal_setup(unit_ids):
    form = _portal_form()
    units = [unit for unit, _target in services.units_with_targets(festival_today().year, unit_ids)]
    choices = [("", _("Mọi đơn vị"))] if unit_ids is None else []
    form.unit.choices = choices + [(str(unit.id), f"{unit.short_name or unit.code} ({unit.code})") for unit in units]
    return form, units


def _portal_period(form: PortalForm, unit_ids) -> portal.PortalPeriod:
    """The form's period; a unit's account always exports its own unit, whatever the form says."""
    chosen = form.unit.data
    if unit_ids is None:
        unit_ids = [chosen] if chosen else None
    return portal.PortalPeriod(form.date_from.data, form.date_to.data, unit_ids)
