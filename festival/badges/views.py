"""Attendee pages: the organizers' list, add/edit/remove, import/export, automatic attendees,
badge printing and reissue, roles; and a unit's own delegates."""

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from festival.admin.services import list_units
from festival.auth.permissions import role_required
from festival.badges import colours, import_export, printing, services
from festival.badges.forms import AttendeeForm, DelegateForm, PrintForm, ReissueForm, RoleForm
from festival.core import jobs
from festival.core.errors import FestivalError, refusals_return_to
from festival.core.extensions import db, limiter
from festival.core.festivals import current_festival
from festival.core.transactions import form_status
from festival.models import Attendee, AttendeeSource, BadgeRole, Role, Unit
from festival.spreadsheets import importing
from festival.util import addresses
from festival.util.urls import record_id

bp = Blueprint("badges", __name__, url_prefix="/attendees")


def _choices(form, festival, with_any=False):
    language = get_locale().language
    roles = services.badge_roles(festival)
    empty = [(0, _("Tất cả") if with_any else "—")]
    form.role_id.choices = ([(0, _("Tất cả"))] if with_any else []) + [(r.id, r.name(language)) for r in roles]
    form.unit_id.choices = empty + [(u.id, f"{u.code} – {u.short_name}") for u in list_units()]


def _input(form, festival) -> services.AttendeeInput:
    role = db.session.get(BadgeRole, form.role_id.data)
    if role is None or role.festival_id != festival.id:
        abort(400)
    unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
    return services.AttendeeInput(
        form.full_name.data, role, unit, form.organisation.data or "", form.email.data, form.phone.data
    )


# Organizers --------------------------------------------------------------------------------


@bp.route("/")
@role_required(Role.ORGANIZER)
def index():
    """Everyone coming: search by name, phone or e-mail; filter by unit, role, printed, arrived."""
    festival = current_festival()
    args = request.args
    filters = services.AttendeeFilters(
        query=args.get("q", "")[:100],
        unit_id=args.get("unit", type=record_id),
        role_id=args.get("role", type=record_id),
        printed=args.get("printed", "") if args.get("printed") in ("yes", "no") else "",
        checked_in=args.get("arrived", "") if args.get("arrived") in ("yes", "no") else "",
    )
    pagination = db.paginate(
        services.search_attendees(festival, filters),
        page=args.get("page", 1, type=record_id),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "badges/index.html",
        festival=festival,
        pagination=pagination,
        filters=filters,
        units=list_units(),
        roles=services.badge_roles(festival),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new():
    """Add a person."""
    festival = current_festival()
    form = AttendeeForm()
    _choices(form, festival)
    if form.validate_on_submit():
        try:
            attendee = services.add_attendee(festival, _input(form, festival), by=current_user)
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã thêm %(name)s.", name=attendee.full_name), "success")
            return redirect(url_for("badges.index"))
    return render_template("badges/form.html", form=form, attendee=None), form_status(form)


@bp.route("/<int:attendee_id>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit(attendee_id):
    """Change a person's details; reprint or reissue their badge."""
    attendee = db.get_or_404(Attendee, attendee_id)
    form = AttendeeForm(obj=attendee)
    _choices(form, attendee.festival)
    if request.method == "GET":
        form.unit_id.data = attendee.unit_id or 0
    if form.validate_on_submit():
        try:
            services.update_attendee(attendee, _input(form, attendee.festival), by=current_user)
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã lưu %(name)s.", name=attendee.full_name), "success")
            return redirect(url_for("badges.index"))
    page = render_template("badges/form.html", form=form, attendee=attendee, reissue_form=ReissueForm(formdata=None))
    return page, form_status(form)


@bp.route("/<int:attendee_id>/delete", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def delete(attendee_id):
    """Remove a person, after confirmation (their badge stops working)."""
    attendee = db.get_or_404(Attendee, attendee_id)
    if request.method == "POST":
        name = attendee.full_name
        services.remove_attendee(attendee, by=current_user)
        flash(_("Đã xoá %(name)s.", name=name), "success")
        return redirect(url_for("badges.index"))
    return render_template(
        "confirm.html",
        title=_("Xoá người tham dự?"),
        message=_("%(name)s sẽ bị xoá và thẻ của họ không còn dùng được.", name=attendee.full_name),
        confirm_label=_("Xoá"),
        cancel_url=url_for("badges.edit", attendee_id=attendee.id),
    )


@bp.route("/<int:attendee_id>/reissue", methods=["POST"])
@role_required(Role.ORGANIZER)
def reissue(attendee_id):
    """Make a new badge code (lost badge, wrong name); the old code is refused from now on."""
    attendee = db.get_or_404(Attendee, attendee_id)
    form = ReissueForm()
    if not form.validate():
        flash(_("Hãy ghi lý do cấp lại thẻ."), "danger")
        return redirect(url_for("badges.edit", attendee_id=attendee.id))
    services.reissue_badge(attendee, form.reason.data, by=current_user)
    flash(
        _("Đã cấp mã thẻ mới cho %(name)s; thẻ cũ không còn dùng được. Hãy in lại thẻ.", name=attendee.full_name),
        "success",
    )
    return redirect(url_for("badges.edit", attendee_id=attendee.id))


@bp.route("/<int:attendee_id>/badge.pdf")
@role_required(Role.ORGANIZER)
def badge_pdf(attendee_id):
    """Reprint one badge (A6, or A4 with ?layout=a4)."""
    attendee = db.get_or_404(Attendee, attendee_id)
    layout = request.args.get("layout", "a6") if request.args.get("layout") in printing.LAYOUTS else "a6"
    data = printing.render_badges(attendee.festival, [attendee], layout)
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=f"the-{attendee.id}.pdf")


@bp.route("/sync", methods=["POST"])
@role_required(Role.ORGANIZER)
def sync():
    """Add judges, organizers and authors of accepted exhibits who have no badge yet."""
    festival = current_festival()
    added = services.sync_automatic(festival, by=current_user)
    flash(_("Đã thêm %(judge)d giám khảo, %(organizer)d ban tổ chức, %(author)d tác giả.", **added), "success")
    return redirect(url_for("badges.index"))


@bp.route("/print", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def print_badges():
    """Print badges: all, by unit, by role, or only new ones — in the background, with progress."""
    festival = current_festival()
    form = PrintForm()
    _choices(form, festival, with_any=True)
    if form.validate_on_submit():
        params = {
            "layout": form.layout.data,
            "unit_id": form.unit_id.data or None,
            "role_id": form.role_id.data or None,
            "only_new": form.only_new.data,
            "festival_id": festival.id,
        }
        attendees = printing.selection(festival, params)
        if not attendees:
            flash(_("Không có thẻ nào cần in với lựa chọn này."), "warning")
        elif request.form.get("trial"):
            # One sheet of the selection to check the paper and the QR codes; nothing is marked printed.
            sheet = attendees[: printing.BADGES_PER_SHEET[form.layout.data]]
            data = printing.render_badges(festival, sheet, form.layout.data)
            return send_file(io.BytesIO(data), mimetype="application/pdf", download_name="the-in-thu.pdf")
        elif not addresses.print_refused(form.confirm_address):
            job = jobs.create_job(
                "badges",
                _("In %(n)d thẻ (%(layout)s)", n=len(attendees), layout=form.layout.data.upper()),
                params,
                by=current_user,
            )
            jobs.start(job)
            return redirect(url_for("admin.job", job_id=job.id))
    return render_template(
        "badges/print.html",
        form=form,
        total=len(services.for_printing(festival)),
        new=len(services.for_printing(festival, only_new=True)),
        address=addresses.public_address(),
    ), form_status(form)


@bp.route("/roles", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("badges.roles")
def roles():
    """Badge roles and the colour of each band."""
    festival = current_festival()
    all_roles = services.badge_roles(festival)
    if request.method == "POST":
        role = db.get_or_404(BadgeRole, request.form.get("role_id", type=record_id) or 0)
        form = RoleForm()
        if not form.validate() or role.festival_id != festival.id:
            raise FestivalError(_("Hãy nhập tên và màu (#rrggbb)."))
        close = services.save_role(role, form.name_vi.data, form.name_en.data or "", form.colour.data, by=current_user)
        flash(_("Đã lưu vai trò %(name)s.", name=role.name_vi), "success")
        for first, second, _difference in close:
            other = second if first is role else first
            flash(
                _(
                    "Dải màu của %(role)s gần giống dải của %(other)s: ở cổng khó phân biệt. Nên chọn màu khác hẳn.",
                    role=role.name_vi,
                    other=other.name_vi,
                ),
                "warning",
            )
        return redirect(url_for("badges.roles"))
    return render_template("badges/roles.html", roles=all_roles, look_alike=colours.look_alike(all_roles))


importing.add_list_routes(
    bp,
    import_export.ATTENDEES,
    guard=role_required(Role.ORGANIZER),
    headings=(_l("Nhập người tham dự từ Excel/CSV"), _l("Nhập người tham dự: xem trước")),
    help_template="badges/_import_help.html",
    help_context=lambda festival: {"roles": services.badge_roles(festival)},
    done_url=lambda: url_for("badges.index"),
    template=(import_export.import_template, "mau-nhap-nguoi-tham-du.xlsx"),
    export=(import_export.export_attendees, "nguoi-tham-du-lan-{edition}.xlsx"),
)


# A unit's own delegates --------------------------------------------------------------------


@bp.route("/mine", methods=["GET", "POST"])
@role_required(Role.UNIT)
@limiter.limit(
    lambda: current_app.config["DELEGATE_LIMIT"], methods=["POST"], key_func=lambda: f"user:{current_user.id}"
)
def mine():
    """The unit registers its delegates, within the organizers' quota."""
    festival = current_festival()
    form = DelegateForm()
    if form.validate_on_submit():
        data = services.AttendeeInput(
            form.full_name.data, services.role_by_code(festival, "delegate"), None, "", form.email.data, form.phone.data
        )
        try:
            services.register_delegate(festival, current_user.unit, data, by=current_user)
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã đăng ký %(name)s.", name=data.full_name), "success")
            return redirect(url_for("badges.mine"))
    delegates = services.unit_delegates(festival, current_user.unit)
    page = render_template("badges/mine.html", festival=festival, form=form, delegates=delegates)
    return page, form_status(form)


@bp.route("/mine/<int:attendee_id>/delete", methods=["GET", "POST"])
@role_required(Role.UNIT)
def mine_delete(attendee_id):
    """The unit removes one of its delegates, after confirmation."""
    attendee = db.get_or_404(Attendee, attendee_id)
    if attendee.unit_id != current_user.unit_id or attendee.source is not AttendeeSource.UNIT:
        abort(404)
    if request.method == "POST":
        services.remove_attendee(attendee, by=current_user)
        flash(_("Đã huỷ đăng ký %(name)s.", name=attendee.full_name), "success")
        return redirect(url_for("badges.mine"))
    return render_template(
        "confirm.html",
        title=_("Huỷ đăng ký đại biểu?"),
        message=_("%(name)s sẽ không còn trong danh sách đại biểu của đơn vị.", name=attendee.full_name),
        confirm_label=_("Huỷ đăng ký"),
        cancel_url=url_for("badges.mine"),
    )
