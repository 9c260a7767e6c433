"""Organizer console: figures, festival settings, programme, units, accounts, audit log."""

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from festival.admin import services
from festival.admin.forms import FestivalForm, ProgrammeItemForm, UnitForm, UserForm
from festival.auth import services as accounts
from festival.auth.permissions import role_required
from festival.core import jobs, storage
from festival.core.errors import FestivalError, refusals_return_to
from festival.core.extensions import db
from festival.core.festivals import list_festivals
from festival.core.transactions import form_status
from festival.models import Festival, JobStatus, PrintJob, ProgrammeItem, Region, Role, Unit, User, utcnow
from festival.util import addresses
from festival.util.formatting import local_to_utc, utc_to_local
from festival.util.qr import qr_svg
from festival.util.urls import public_url, record_id
from festival.voting import services as votes

bp = Blueprint("admin", __name__, url_prefix="/admin")

WINDOW_FIELDS = ("registration_opens_at", "registration_closes_at", "judging_opens_at", "judging_closes_at")


@bp.before_request
@role_required(Role.ORGANIZER)
def require_organizer():
    """Every page of the console is for organizers only."""


def _page() -> int:
    return request.args.get("page", 1, type=record_id)


@bp.route("/")
def index():
    """Console home: figures and links to every organizer task."""
    return render_template(
        "admin/index.html", festival=g.festival, counts=services.console_counts(), address=addresses.public_address()
    )


# Festival editions and programme ---------------------------------------------------------


def _festival_values(form: FestivalForm) -> dict:
    values = {name: getattr(form, name).data for name in services.FESTIVAL_FIELDS}
    for name in ("name", "venue", "address"):
        values[name] = (values[name] or "").strip()
    for name in WINDOW_FIELDS:
        values[name] = local_to_utc(values[name])
    return values


def _festival_form_for(festival: Festival) -> FestivalForm:
    """The edit form filled from the record, windows shown in the festival's time zone."""
    form = FestivalForm(obj=festival, formdata=None)
    for name in WINDOW_FIELDS:
        getattr(form, name).data = utc_to_local(getattr(festival, name))
    return form


@bp.route("/festivals")
def festivals():
    """Every edition, the current one marked."""
    return render_template("admin/festivals.html", festivals=list_festivals())


@bp.route("/festivals/new", methods=["GET", "POST"])
def festival_new():
    """Create a new edition."""
    form = FestivalForm()
    if form.validate_on_submit():
        try:
            festival = services.create_festival(_festival_values(form), by=current_user)
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã tạo ngày hội lần thứ %(n)d.", n=festival.edition), "success")
            return redirect(url_for("admin.festival_edit", festival_id=festival.id))
    return render_template("admin/festival_form.html", form=form, festival=None), form_status(form)


@bp.route("/festivals/<int:festival_id>", methods=["GET", "POST"])
def festival_edit(festival_id):
    """Edit an edition's details, windows and programme."""
    festival = db.get_or_404(Festival, festival_id)
    form = FestivalForm() if request.method == "POST" else _festival_form_for(festival)
    if form.validate_on_submit():
        try:
            services.update_festival(festival, _festival_values(form), by=current_user)
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã lưu thông tin ngày hội."), "success")
            return redirect(url_for("admin.festival_edit", festival_id=festival.id))
    programme_form = ProgrammeItemForm(formdata=None)
    return render_template(
        "admin/festival_form.html", form=form, festival=festival, programme_form=programme_form
    ), form_status(form)


@bp.route("/festivals/<int:festival_id>/current", methods=["POST"])
def festival_make_current(festival_id):
    """Make an edition the one the site runs."""
    festival = db.get_or_404(Festival, festival_id)
    services.make_current(festival, by=current_user)
    flash(_("Ngày hội lần thứ %(n)d là ngày hội hiện hành.", n=festival.edition), "success")
    return redirect(url_for("admin.festivals"))


@bp.route("/festivals/<int:festival_id>/programme", methods=["POST"])
def programme_add(festival_id):
    """Add a programme line."""
    festival = db.get_or_404(Festival, festival_id)
    form = ProgrammeItemForm()
    if form.validate_on_submit():
        try:
            services.add_programme_item(
                festival,
                local_to_utc(form.starts_at.data),
                local_to_utc(form.ends_at.data),
                form.title.data,
                form.location.data or "",
                by=current_user,
            )
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã thêm mục chương trình."), "success")
            return redirect(url_for("admin.festival_edit", festival_id=festival.id, _anchor="programme"))
    return render_template(
        "admin/festival_form.html", form=_festival_form_for(festival), festival=festival, programme_form=form
    ), form_status(form)


@bp.route("/programme/<int:item_id>/delete", methods=["GET", "POST"])
def programme_delete(item_id):
    """Remove a programme line, after confirmation."""
    item = db.get_or_404(ProgrammeItem, item_id)
    back = url_for("admin.festival_edit", festival_id=item.festival_id, _anchor="programme")
    if request.method == "POST":
        services.delete_programme_item(item, by=current_user)
        flash(_("Đã xoá mục chương trình."), "success")
        return redirect(back)
    return render_template(
        "confirm.html",
        title=_("Xoá mục chương trình?"),
        message=_("Mục “%(title)s” sẽ bị xoá khỏi chương trình.", title=item.title),
        confirm_label=_("Xoá"),
        cancel_url=back,
    )


# Member units ----------------------------------------------------------------------------


def _region_arg() -> Region | None:
    try:
        return Region(request.args.get("region", ""))
    except ValueError:
        return None


@bp.route("/units")
def units():
    """Member units, by region, with search."""
    query = request.args.get("q", "")[:100]
    region = _region_arg()
    pagination = db.paginate(
        services.search_units(region, query), page=_page(), per_page=current_app.config["PER_PAGE"], error_out=False
    )
    return render_template("admin/units.html", pagination=pagination, query=query, region=region, regions=list(Region))


@bp.route("/units/new", methods=["GET", "POST"])
def unit_new():
    """Add a member unit."""
    form = UnitForm()
    if form.validate_on_submit():
        try:
            unit = services.create_unit(
                form.code.data, form.name.data, form.short_name.data or "", Region(form.region.data), by=current_user
            )
        except FestivalError as error:
            form.code.errors.append(error.message)
        else:
            flash(_("Đã thêm đơn vị %(code)s.", code=unit.code), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/unit_form.html", form=form, unit=None), form_status(form)


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def unit_edit(unit_id):
    """Edit a member unit."""
    unit = db.get_or_404(Unit, unit_id)
    form = UnitForm(obj=unit)
    if request.method == "GET":
        form.region.data = unit.region.value
    if form.validate_on_submit():
        try:
            services.update_unit(
                unit,
                form.code.data,
                form.name.data,
                form.short_name.data or "",
                Region(form.region.data),
                by=current_user,
            )
        except FestivalError as error:
            form.code.errors.append(error.message)
        else:
            flash(_("Đã lưu đơn vị %(code)s.", code=unit.code), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/unit_form.html", form=form, unit=unit), form_status(form)


@bp.route("/units/<int:unit_id>/delete", methods=["GET", "POST"])
@refusals_return_to("admin.unit_edit")
def unit_delete(unit_id):
    """Delete a unit nothing refers to, after confirmation."""
    unit = db.get_or_404(Unit, unit_id)
    if request.method == "POST":
        services.delete_unit(unit, by=current_user)
        flash(_("Đã xoá đơn vị %(code)s.", code=unit.code), "success")
        return redirect(url_for("admin.units"))
    return render_template(
        "confirm.html",
        title=_("Xoá đơn vị?"),
        message=_("Đơn vị %(name)s (%(code)s) sẽ bị xoá. Không thể hoàn tác.", name=unit.name, code=unit.code),
        confirm_label=_("Xoá đơn vị"),
        cancel_url=url_for("admin.unit_edit", unit_id=unit.id),
    )


# Accounts --------------------------------------------------------------------------------


def _role_arg() -> Role | None:
    try:
        return Role(request.args.get("role", ""))
    except ValueError:
        return None


def _user_form(**kwargs) -> UserForm:
    form = UserForm(**kwargs)
    form.unit_id.choices = [(0, "—")] + [(u.id, f"{u.code} – {u.short_name}") for u in services.list_units()]
    return form


@bp.route("/users")
def users():
    """Accounts, by role, with search."""
    query = request.args.get("q", "")[:100]
    role = _role_arg()
    pagination = db.paginate(
        accounts.search_users(role, query), page=_page(), per_page=current_app.config["PER_PAGE"], error_out=False
    )
    return render_template("admin/users.html", pagination=pagination, query=query, role=role, roles=list(Role))


def _show_invitation(user: User, token: str):
    # The address the invitee's phone reaches, not the one the organizer's browser used (a proxy's).
    link = public_url("auth.invitation", token=token)
    return render_template("admin/invitation.html", invitee=user, link=link, qr=qr_svg(link))


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    """Create an account and show its one-time invitation link."""
    form = _user_form()
    if request.method == "GET" and request.args.get("role") in {r.value for r in Role}:
        form.role.data = request.args["role"]
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
        try:
            user, token = accounts.create_account(
                form.email.data, form.full_name.data, Role(form.role.data), unit, utcnow(), by=current_user
            )
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã tạo tài khoản cho %(name)s.", name=user.full_name), "success")
            return _show_invitation(user, token)
    return render_template("admin/user_form.html", form=form, account=None), form_status(form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id):
    """Edit an account's name, role, unit and active flag."""
    user = db.get_or_404(User, user_id)
    form = _user_form(obj=user)
    if request.method == "GET":
        form.role.data = user.role.value
        form.unit_id.data = user.unit_id or 0
    form.email.data = user.email  # the e-mail is the sign-in name and is not edited here
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
        try:
            accounts.update_account(
                user,
                full_name=form.full_name.data,
                role=Role(form.role.data),
                unit=unit,
                is_active=form.is_active.data,
                by=current_user,
            )
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã lưu tài khoản %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    failures = accounts.sign_in_failures(user)
    page = render_template("admin/user_form.html", form=form, account=user, failures=failures, now=utcnow())
    return page, form_status(form)


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
def user_unlock(user_id):
    """Let an account's owner sign in again at once after wrong passwords (audited)."""
    user = db.get_or_404(User, user_id)
    accounts.clear_sign_in_failures(user, by=current_user)
    flash(_("%(name)s có thể đăng nhập lại ngay.", name=user.full_name), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/invitation", methods=["POST"])
def user_invitation(user_id):
    """Make a new invitation link (the old one stops working)."""
    user = db.get_or_404(User, user_id)
    token = accounts.issue_invitation(user, utcnow(), by=current_user)
    return _show_invitation(user, token)


@bp.route("/audit")
def audit_log():
    """The audit log, newest first."""
    pagination = db.paginate(services.audit_entries(), page=_page(), per_page=50, error_out=False)
    sealed = votes.sealed_vote_entries(pagination.items, utcnow())
    return render_template("admin/audit.html", pagination=pagination, sealed=sealed)


@bp.route("/jobs/<int:job_id>")
def job(job_id):
    """A background print's progress (the page refreshes itself until it is done)."""
    print_job = db.get_or_404(PrintJob, job_id)
    return render_template("admin/job.html", job=print_job, **jobs.describe(print_job))


@bp.route("/jobs/<int:job_id>/retry", methods=["POST"])
@refusals_return_to("admin.job")
def job_retry(job_id):
    """ "In lại": run a failed print again from the start."""
    print_job = db.get_or_404(PrintJob, job_id)
    jobs.retry(print_job, by=current_user)
    flash(_("Đã xếp bản in vào hàng đợi để in lại."), "success")
    return redirect(url_for("admin.job", job_id=print_job.id))


@bp.route("/jobs/<int:job_id>/download")
def job_download(job_id):
    """The finished print."""
    print_job = db.get_or_404(PrintJob, job_id)
    key = jobs.output_key(print_job)
    if print_job.status is not JobStatus.DONE or key is None:
        abort(404)
    if not storage.store("prints").exists(key):
        # Finished prints hold names: the retention purge deletes them after their period.
        flash(_("Tệp của bản in này đã được xoá theo thời hạn lưu giữ. Hãy tạo bản in mới."), "warning")
        return redirect(url_for("admin.job", job_id=print_job.id))
    mimetype = "application/zip" if key.endswith(".zip") else "application/pdf"
    return storage.send("prints", key, mimetype, download_name=jobs.download_name(print_job), as_attachment=True)
