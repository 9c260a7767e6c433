"""Personal data pages: the public privacy notice and its editor, consent evidence and withdrawal; for organizers,
finding a person, exporting, correcting and erasing what is held about them, the inventory (and its XLSX),
retention periods, the purge, the breach register and the log of people's requests."""

import io

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from festival.auth.permissions import can_view_exhibit, is_own_unit_exhibit, role_required
from festival.core.errors import FestivalError, refusals_return_to
from festival.core.extensions import db
from festival.core.festivals import current_festival, festival_by_edition, list_festivals
from festival.core.transactions import form_status
from festival.models import Attendee, Author, Breach, Consent, DataRequest, Exhibit, Role, User, utcnow
from festival.privacy import breaches, corrections, erasure, inventory, retention
from festival.privacy import consent as consents
from festival.privacy import notice as notices
from festival.privacy import requests as data_requests
from festival.privacy.deadlines import deadlines
from festival.privacy.erasure_forms import AttendeeCorrectionForm, AuthorCorrectionForm, ErasureForm, UserCorrectionForm
from festival.privacy.forms import BreachForm, retention_form
from festival.privacy.notice_forms import NoticeForm
from festival.privacy.people import IDENTITY_LABELS, LOOSE_LABELS, MAX_PER_KIND, Person, person_from_ids
from festival.privacy.people import find as find_people
from festival.privacy.person_data import collect
from festival.privacy.person_export import export as export_person
from festival.privacy.person_export import person_name, shown_text
from festival.privacy.request_forms import CompleteForm, DataRequestForm, ExtendForm, RefuseForm
from festival.spreadsheets import write_xlsx
from festival.spreadsheets.importing import XLSX
from festival.util.formatting import festival_today, local_to_utc, utc_to_local
from festival.util.urls import record_id

bp = Blueprint("privacy", __name__)

# The privacy notice and consent ----------------------------------------------------------


@bp.route("/privacy")
@bp.route("/privacy/<any(vi, en):language>", endpoint="notice_in")
def notice(language=None):
    """The current festival's privacy notice (its current version), for anyone, signed in or not."""
    language = language or get_locale().language
    current = notices.current_notice(g.festival)
    return render_template("privacy/notice.html", notice=current, language=language, festival=g.festival)


@bp.route("/admin/privacy/notice", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def notice_edit():
    """Organizers edit the notice, preview it and publish it as a new version."""
    festival = current_festival()
    current = notices.current_notice(festival)
    form = NoticeForm(data={"body_vi": current.body_vi, "body_en": current.body_en, "contact": current.contact})
    preview = None
    if form.validate_on_submit():
        if form.publish.data:
            try:
                saved = notices.publish_notice(
                    festival,
                    body_vi=form.body_vi.data,
                    body_en=form.body_en.data or "",
                    contact=form.contact.data or "",
                    by=current_user,
                    now=utcnow(),
                )
            except FestivalError as error:
                form.form_errors.append(error.message)
            else:
                flash(_("Đã công bố thông báo phiên bản %(n)d.", n=saved.version), "success")
                return redirect(url_for("privacy.notice_edit"))
        else:
            preview = {"vi": form.body_vi.data, "en": form.body_en.data or ""}
    page = render_template(
        "privacy/notice_edit.html",
        form=form,
        current=current,
        preview=preview,
        versions=notices.versions(festival),
    )
    return page, form_status(form)


def _consent_viewer(exhibit: Exhibit) -> None:
    """Consents are the organizers' and the exhibit's own unit's to see and withdraw."""
    if not (current_user.role is Role.ORGANIZER or is_own_unit_exhibit(current_user, exhibit)):
        abort(404)
    if not can_view_exhibit(current_user, exhibit):
        abort(404)


@bp.route("/privacy/exhibits/<int:exhibit_id>/consents")
@login_required
def consents_of_exhibit(exhibit_id):
    """The authors of an exhibit, whether each consents to the public gallery, and the evidence."""
    exhibit = db.get_or_404(Exhibit, exhibit_id)
    _consent_viewer(exhibit)
    standing = consents.consenting_author_ids(a.id for a in exhibit.authors)
    active = {c.author_id: c for c in consents.author_consents(exhibit) if c.is_active}
    return render_template(
        "privacy/consents.html",
        exhibit=exhibit,
        standing=standing,
        active=active,
        history=consents.author_consents(exhibit),
        purpose_labels=consents.PURPOSE_LABELS,
        how_labels=consents.HOW_LABELS,
    )


@bp.route("/privacy/authors/<int:author_id>/consent", methods=["POST"])
@login_required
def consent_record(author_id):
    """Record an author's consent given on paper (or on the website) after the exhibit was registered."""
    author = db.get_or_404(Author, author_id)
    _consent_viewer(author.exhibit)
    back = url_for("privacy.consents_of_exhibit", exhibit_id=author.exhibit_id)
    try:  # refused before anything is written (an unknown way): said on the list
        consents.give_author_consent(author, how=request.form.get("how", "paper"), by=current_user, now=utcnow())
    except FestivalError as error:
        flash(error.message, "warning")
    else:
        flash(_("Đã ghi nhận sự đồng ý của %(name)s.", name=author.full_name), "success")
    return redirect(back)


@bp.route("/privacy/consents/<int:consent_id>/withdraw", methods=["GET", "POST"])
@login_required
def consent_withdraw(consent_id):
    """Withdraw an author's consent (an organizer, or the unit for its own authors), after confirmation."""
    consent = db.get_or_404(Consent, consent_id)
    if consent.author is None:
        abort(404)
    exhibit = consent.author.exhibit
    _consent_viewer(exhibit)
    back = url_for("privacy.consents_of_exhibit", exhibit_id=exhibit.id)
    if request.method == "POST":
        try:  # refused before anything is written (already withdrawn, an unknown way): said on the list
            consents.withdraw_consent(consent, how=request.form.get("how", "web"), by=current_user, now=utcnow())
        except FestivalError as error:
            flash(error.message, "warning")
        else:
            flash(_("Đã rút lại sự đồng ý của %(name)s.", name=consent.author.full_name), "success")
        return redirect(back)
    return render_template(
        "privacy/consent_withdraw.html",
        title=_("Rút lại sự đồng ý?"),
        message=_(
            "Tên của %(name)s sẽ không còn hiện trong thư viện công khai và áp phích; ảnh của sáng kiến “%(title)s” "
            "cũng không còn hiện công khai.",
            name=consent.author.full_name,
            title=exhibit.title,
        ),
        confirm_label=_("Rút lại"),
        cancel_url=back,
        how_labels=consents.HOW_LABELS,
    )


# A person's data: correct and erase ---------------------------------------------------------------------

# Row kind → its model, its correction form and the service that corrects it.
CORRECTABLE = {
    "author": (Author, AuthorCorrectionForm, corrections.correct_author),
    "attendee": (Attendee, AttendeeCorrectionForm, corrections.correct_attendee),
    "user": (User, UserCorrectionForm, corrections.correct_user),
}
MAX_ID = 2**31 - 1  # an id no database row can have is no one's


def _chosen(values, kind: str) -> list[int]:
    """The ids of `kind` rows the address or the form names (?author=3&author=5)."""
    return sorted({int(v) for v in values.getlist(kind) if v.isdigit() and 0 < int(v) <= MAX_ID})


def _person_of(values) -> Person:
    """The person made of the rows ticked (user=, attendee=, author= ids, each possibly repeated)."""
    return person_from_ids(
        user_ids=_chosen(values, "user"),
        attendee_ids=_chosen(values, "attendee"),
        author_ids=_chosen(values, "author"),
        initiative_author_ids=_chosen(values, "initiative_author"),
        submission_ids=_chosen(values, "submitter"),
    )


def _chosen_rows() -> list[tuple[str, object]]:
    rows = []
    for kind, (model, _form, _service) in CORRECTABLE.items():
        ids = _chosen(request.values, kind)
        if ids:
            found = db.session.execute(db.select(model).where(model.id.in_(ids)).order_by(model.id)).scalars()
            rows += [(kind, row) for row in found]
    return rows


def _correction_form(kind: str, row, submitted: bool = False):
    form_class = CORRECTABLE[kind][1]
    prefix = f"{kind}{row.id}"  # several forms on one page: their fields' ids differ
    return form_class(prefix=prefix) if submitted else form_class(formdata=None, obj=row, prefix=prefix)


@bp.route("/admin/privacy/people/correct", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def person_correct():
    """Correct the fields of the rows chosen (?author=, ?attendee=, ?user=), a form for each; audited."""
    rows = _chosen_rows()
    refused = None
    if request.method == "POST":
        kind, row_id = request.form.get("kind", ""), request.form.get("id", "")
        if kind not in CORRECTABLE or not row_id.isdigit() or int(row_id) > MAX_ID:
            abort(404)
        model, _form, service = CORRECTABLE[kind]
        row = db.get_or_404(model, int(row_id))
        if (kind, row) not in rows:
            rows.append((kind, row))
        form = _correction_form(kind, row, submitted=True)
        if form.validate_on_submit():
            values = {field.short_name: field.data or "" for field in form}
            try:
                changed = service(row, **values, by=current_user)
            except FestivalError as error:
                form.form_errors.append(error.message)
            else:
                if changed:
                    flash(
                        _("Đã sửa: %(fields)s.", fields=", ".join(str(form[name].label.text) for name in changed)),
                        "success",
                    )
                else:
                    flash(_("Không có gì thay đổi."), "info")
                chosen = {name: [r.id for k, r in rows if k == name] for name in CORRECTABLE}
                return redirect(url_for("privacy.person_correct", **{k: ids for k, ids in chosen.items() if ids}))
        refused = (kind, row.id, form)
    forms = [
        (kind, row, refused[2] if refused and refused[:2] == (kind, row.id) else _correction_form(kind, row))
        for kind, row in rows
    ]
    page = render_template("privacy/person_correct.html", forms=forms, language=_language())
    return page, 422 if refused else 200


@bp.route("/admin/privacy/people/erase", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def person_erase():
    """What erasing the chosen person (?user=, ?attendee=, ?author=) changes and keeps; erasing it takes a reason
    and the typed confirmation, then shows the report."""
    person = _person_of(request.values)
    rows = _chosen_rows()
    planned = None if person.is_empty else erasure.preview(person)  # read before anything changes
    form = ErasureForm()
    if form.validate_on_submit():
        try:
            report = erasure.erase(person, reason=form.reason.data, by=current_user, now=utcnow())
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            return render_template(
                "privacy/person_erased.html", report=report, reason=form.reason.data, language=_language()
            )
    page = render_template(
        "privacy/person_erase.html", form=form, person=person, rows=rows, report=planned, language=_language()
    )
    return page, form_status(form)


# A person's data: find and export ---------------------------------------------------------------------


@bp.route("/admin/privacy/people")
@role_required(Role.ORGANIZER)
def people():
    """Find a person by e-mail, phone or name across every table, and tick the rows that are them."""
    query = request.args.get("q", "").strip()
    matches, error = None, None
    if query:
        try:
            matches = find_people(query)
        except FestivalError as refused:
            error = refused.message
    return render_template(
        "privacy/people.html",
        query=query,
        matches=matches,
        error=error,
        cap=MAX_PER_KIND,
        kind_labels=IDENTITY_LABELS,
        table_labels=LOOSE_LABELS,
    )


@bp.route("/admin/privacy/people/person")
@role_required(Role.ORGANIZER)
def person():
    """Everything held about the ticked rows, table by table, with the buttons to export it."""
    chosen = _person_of(request.args)
    sections = [] if chosen.is_empty else collect(chosen)
    return render_template(
        "privacy/person.html",
        person=chosen,
        sections=sections,
        name=person_name(sections),
        shown=shown_text,
        query=request.args.get("q", ""),
        language=_language(),
    )


@bp.route("/admin/privacy/people/export.<any(json, xlsx, pdf):fmt>", methods=["POST"])
@role_required(Role.ORGANIZER)
def person_export(fmt):
    """Download the person's data as JSON, XLSX or PDF (a POST: each export is written to the audit log)."""
    chosen = _person_of(request.form)
    if chosen.is_empty:
        abort(404)
    data, mimetype, name = export_person(chosen, fmt, by=current_user)
    return send_file(io.BytesIO(data), mimetype=mimetype, download_name=name, as_attachment=True)


# The data inventory, retention and the breach register (organizers) ----------------------------------


def _language() -> str:
    return str(get_locale() or "vi")


@bp.route("/admin/privacy/")
@role_required(Role.ORGANIZER)
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


@bp.route("/admin/privacy/inventory.xlsx")
@role_required(Role.ORGANIZER)
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


@bp.route("/admin/privacy/retention", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def retention_settings():
    """A festival's retention period for each purged category, within the admin maximum."""
    festival = _chosen_festival()
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
            return redirect(url_for("privacy.retention_settings", edition=festival.edition))
    return render_template(
        "privacy/retention.html",
        festival=festival,
        festivals=list_festivals(),
        form=form,
        categories=inventory.PURGED,
        maximum=maximum,
        language=_language(),
        anchor_labels=inventory.ANCHOR_LABELS,
    ), form_status(form)


def _chosen_festival():
    """The edition named by `?edition=` (past editions' data is what the purge is mostly for), else the current."""
    edition = request.args.get("edition", type=int)
    if edition is None:
        return current_festival()
    return festival_by_edition(edition) or abort(404)


@bp.route("/admin/privacy/purge", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def purge_page():
    """What the purge would remove now from a festival (nothing is written), the runs so far, and a button to run
    it; past editions are chosen with `?edition=`."""
    festival = _chosen_festival()
    if request.method == "POST":
        report = retention.purge(festival, utcnow(), dry_run=False, by=current_user)
        flash(_("Đã xoá dữ liệu quá hạn: %(n)d mục.", n=report.total), "success")
        return redirect(url_for("privacy.purge_page", edition=festival.edition))
    return render_template(
        "privacy/purge.html",
        festival=festival,
        festivals=list_festivals(),
        due=retention.due(festival, utcnow()),
        runs=retention.recent_runs(festival),
        names={c.key: c.text(c.what, _language()) for c in inventory.CATEGORIES},
        language=_language(),
    )


@bp.route("/admin/privacy/breaches")
@role_required(Role.ORGANIZER)
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


@bp.route("/admin/privacy/breaches/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
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


@bp.route("/admin/privacy/breaches/<int:breach_id>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
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


# People's requests ---------------------------------------------------------------------------------


@bp.route("/admin/privacy/requests")
@role_required(Role.ORGANIZER)
def request_list():
    """People's requests about their data: the open ones first, the earliest due first, late ones marked."""
    show_all = request.args.get("show") == "all"
    rows = data_requests.list_requests(festival_today(), open_only=not show_all)
    pagination = data_requests.page_of(
        rows, page=request.args.get("page", 1, type=record_id), per_page=current_app.config["PER_PAGE"]
    )
    return render_template("privacy/requests.html", pagination=pagination, show_all=show_all)


@bp.route("/admin/privacy/requests/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def request_new():
    """Log a request received in writing, by e-mail, on the phone or in person."""
    festival = current_festival()
    form = DataRequestForm()
    if request.method == "GET":
        form.received_at.data = utc_to_local(utcnow()).replace(second=0, microsecond=0)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in data_requests.FIELDS}
        values["received_at"] = local_to_utc(values["received_at"])
        try:
            data_request = data_requests.log_request(festival, values, by=current_user, now=utcnow())
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã ghi yêu cầu của %(name)s.", name=data_request.subject_name), "success")
            return redirect(url_for("privacy.request_page", request_id=data_request.id))
    return render_template("privacy/request_form.html", form=form), form_status(form)


def _request_page(data_request, **forms):
    """A request's page, with the action forms given (a refused one, as typed) and fresh ones for the others."""
    forms = {
        "extend_form": ExtendForm(formdata=None),
        "complete_form": CompleteForm(formdata=None),
        "refuse_form": RefuseForm(formdata=None),
        **forms,
    }
    refused = any(form.errors for form in forms.values())
    people_url = url_for("privacy.people", q=data_request.subject_contact or data_request.subject_name)
    page = render_template(
        "privacy/request.html",
        data_request=data_request,
        due=deadlines(data_request, festival_today()),
        people_url=people_url,
        **forms,
    )
    return page, 422 if refused else 200


@bp.route("/admin/privacy/requests/<int:request_id>")
@role_required(Role.ORGANIZER)
def request_page(request_id):
    """A request: who, which right, its deadlines and what was done, with the next steps."""
    return _request_page(db.get_or_404(DataRequest, request_id))


@bp.route("/admin/privacy/requests/<int:request_id>/acknowledge", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("privacy.request_page")
def request_acknowledge(request_id):
    """Record that the person was told their request was received."""
    data_request = db.get_or_404(DataRequest, request_id)
    data_requests.acknowledge(data_request, by=current_user, now=utcnow())
    flash(_("Đã ghi nhận việc báo đã nhận yêu cầu."), "success")
    return redirect(url_for("privacy.request_page", request_id=request_id))


@bp.route("/admin/privacy/requests/<int:request_id>/extend", methods=["POST"])
@role_required(Role.ORGANIZER)
def request_extend(request_id):
    """Extend the period to answer, once, with a reason."""
    data_request = db.get_or_404(DataRequest, request_id)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            data_requests.extend(
                data_request, form.extension_reason.data, by=current_user, now=utcnow(), today=festival_today()
            )
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã gia hạn."), "success")
            return redirect(url_for("privacy.request_page", request_id=request_id))
    return _request_page(data_request, extend_form=form)


@bp.route("/admin/privacy/requests/<int:request_id>/complete", methods=["POST"])
@role_required(Role.ORGANIZER)
def request_complete(request_id):
    """Record that the request was carried out, and how."""
    data_request = db.get_or_404(DataRequest, request_id)
    form = CompleteForm()
    if form.validate_on_submit():
        try:
            data_requests.complete(data_request, form.outcome.data, by=current_user, now=utcnow())
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã ghi kết quả: yêu cầu đã xong."), "success")
            return redirect(url_for("privacy.request_page", request_id=request_id))
    return _request_page(data_request, complete_form=form)


@bp.route("/admin/privacy/requests/<int:request_id>/refuse", methods=["POST"])
@role_required(Role.ORGANIZER)
def request_refuse(request_id):
    """Record that the request was refused, and why."""
    data_request = db.get_or_404(DataRequest, request_id)
    form = RefuseForm()
    if form.validate_on_submit():
        try:
            data_requests.refuse(data_request, form.refusal_reason.data, by=current_user, now=utcnow())
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã ghi việc từ chối yêu cầu."), "success")
            return redirect(url_for("privacy.request_page", request_id=request_id))
    return _request_page(data_request, refuse_form=form)
