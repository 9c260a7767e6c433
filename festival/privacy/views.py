"""Organizer pages for personal data: the inventory (and its XLSX), retention periods, the purge, breaches."""

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from festival.auth.permissions import role_required
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.core.festivals import current_festival
from festival.core.transactions import form_status
from festival.models import Breach, Role, utcnow
from festival.privacy import breaches, inventory, retention
from festival.privacy.forms import BreachForm, retention_form
from festival.spreadsheets import write_xlsx
from festival.spreadsheets.importing import XLSX
from festival.util.formatting import local_to_utc, utc_to_local

bp = Blueprint("privacy", __name__, url_prefix="/admin/privacy")


@bp.before_request
@role_required(Role.ORGANIZER)
def require_organizer():
    """Every personal data page is for organizers only."""


def _language() -> str:
    return str(get_locale() or "vi")


@bp.route("/")
def inventory_page():
    """What personal data Festival holds, where, why, for whom and for how long in this festival."""
    festival = current_festival()
    return render_template(
        "privacy/inventory.html",
        festival=festival,
        categories=inventory.CATEGORIES,
        periods=retention.periods(festival),
        language=_language(),
        basis_labels=inventory.BASIS_LABELS,
        anchor_labels=inventory.ANCHOR_LABELS,
    )


@bp.route("/inventory.xlsx")
def inventory_xlsx():
    """The inventory as a spreadsheet, for the impact-assessment dossier."""
    festival = current_festival()
    rows = inventory_rows(festival, _language())
    headers = [
        _("Dữ liệu"),
        _("Nơi lưu"),
        _("Mục đích"),
        _("Cơ sở pháp lý"),
        _("Bên nhận"),
        _("Thời hạn lưu"),
        _("Khi hết hạn"),
    ]
    data = write_xlsx([(_("Dữ liệu cá nhân"), headers, rows)])
    name = f"du-lieu-ca-nhan-lan-{festival.edition}.xlsx"
    return send_file(io.BytesIO(data), mimetype=XLSX, download_name=name, as_attachment=True)


def inventory_rows(festival, language: str) -> list[list[str]]:
    periods = retention.periods(festival)
    rows = []
    for category in inventory.CATEGORIES:
        if category.key in periods:
            anchor = category.text(inventory.ANCHOR_LABELS[category.counted_from], language)
            period = _("%(days)d ngày %(anchor)s", days=periods[category.key], anchor=anchor)
        else:
            period = _("Giữ cùng hồ sơ ngày hội")
        rows.append(
            [
                category.text(category.what, language),
                category.where,
                category.text(category.purpose, language),
                category.text(inventory.BASIS_LABELS[category.basis], language),
                category.text(category.recipients, language),
                period,
                category.text(category.purge_note, language),
            ]
        )
    return rows


@bp.route("/retention", methods=["GET", "POST"])
def retention_settings():
    """This festival's retention period for each purged category, within the admin maximum."""
    festival = current_festival()
    maximum = retention.max_days()
    submitted = request.method == "POST"
    form = retention_form(maximum, retention.periods(festival), submitted, _language())
    if form.validate_on_submit():
        try:
            retention.save_periods(
                festival, {c.key: getattr(form, c.key).data for c in inventory.PURGED}, by=current_user
            )
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã lưu thời hạn lưu trữ."), "success")
            return redirect(url_for("privacy.retention_settings"))
    return render_template(
        "privacy/retention.html",
        festival=festival,
        form=form,
        categories=inventory.PURGED,
        maximum=maximum,
        language=_language(),
        anchor_labels=inventory.ANCHOR_LABELS,
    ), form_status(form)


@bp.route("/purge", methods=["GET", "POST"])
def purge_page():
    """What the purge would remove now (nothing is written), the runs so far, and a button to run it."""
    festival = current_festival()
    if request.method == "POST":
        report = retention.purge(festival, utcnow(), dry_run=False, by=current_user)
        flash(_("Đã xoá dữ liệu quá hạn: %(n)d mục.", n=report.total), "success")
        return redirect(url_for("privacy.purge_page"))
    return render_template(
        "privacy/purge.html",
        festival=festival,
        due=retention.due(festival, utcnow()),
        runs=retention.recent_runs(festival),
        names={c.key: c.text(c.what, _language()) for c in inventory.CATEGORIES},
        language=_language(),
    )


@bp.route("/breaches")
def breach_list():
    """The festival's breach register, overdue notifications marked."""
    festival = current_festival()
    return render_template(
        "privacy/breaches.html", festival=festival, breaches=breaches.list_breaches(festival), now=utcnow()
    )


def _breach_values(form: BreachForm) -> dict:
    values = {name: getattr(form, name).data for name in breaches.FIELDS}
    for name in ("found_at", "authority_notified_at", "people_notified_at"):
        values[name] = local_to_utc(values[name])
    return values


@bp.route("/breaches/new", methods=["GET", "POST"])
def breach_new():
    """Record a breach."""
    festival = current_festival()
    form = BreachForm()
    if request.method == "GET":
        form.authority_name.data = breaches.DEFAULT_AUTHORITY
    if form.validate_on_submit():
        try:
            breaches.record_breach(festival, _breach_values(form), by=current_user)
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã ghi sự cố vào sổ."), "success")
            return redirect(url_for("privacy.breach_list"))
    return render_template("privacy/breach_form.html", form=form, breach=None), form_status(form)


@bp.route("/breaches/<int:breach_id>", methods=["GET", "POST"])
def breach_edit(breach_id):
    """Update a breach's record (actions taken, who was told and when)."""
    breach = db.get_or_404(Breach, breach_id)
    if request.method == "POST":
        form = BreachForm()
    else:
        form = BreachForm(obj=breach, formdata=None)
        for name in ("found_at", "authority_notified_at", "people_notified_at"):
            getattr(form, name).data = utc_to_local(getattr(breach, name))
    if form.validate_on_submit():
        try:
            breaches.update_breach(breach, _breach_values(form), by=current_user)
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã lưu sự cố."), "success")
            return redirect(url_for("privacy.breach_list"))
    return render_template("privacy/breach_form.html", form=form, breach=breach, now=utcnow()), form_status(form)
