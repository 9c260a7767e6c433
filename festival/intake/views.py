"""Intake's pages: a unit's production teams and their QR posters, the public phone form a poster opens, and the
unit's support-team accounts."""

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from festival.auth.permissions import role_required
from festival.core.errors import FestivalError
from festival.core.extensions import db, limiter
from festival.core.transactions import form_status
from festival.core.uploads import MAX_FILE_BYTES, UploadRefused
from festival.intake import printing, services
from festival.intake.forms import IdeaForm, InviteForm, TeamForm
from festival.models import ProductionTeam, Role, Unit, User, utcnow
from festival.util import addresses

bp = Blueprint("intake", __name__)

TEAM_KEEPERS = (Role.ORGANIZER, Role.UNIT, Role.SUPPORT)
THANKED = "intake_reference"  # the session remembers the reference of the idea just sent, for the thank-you page


def _unit_for(unit_id: int) -> Unit:
    """The unit whose teams are asked for, if the visitor keeps them (403 otherwise, 404 for no such unit)."""
    unit = db.get_or_404(Unit, unit_id)
    if not services.may_keep_teams(current_user, unit):
        abort(403)
    return unit


def _team_for(team_id: int) -> ProductionTeam:
    team = db.get_or_404(ProductionTeam, team_id)
    if not services.may_keep_teams(current_user, team.unit):
        abort(403)
    return team


def _pdf(data: bytes, filename: str):
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=filename, as_attachment=False)


# Production teams ---------------------------------------------------------------------------------


@bp.route("/initiatives/teams")
@role_required(*TEAM_KEEPERS)
def my_teams():
    """A unit's way in to its teams; organizers choose the unit."""
    if current_user.role is not Role.ORGANIZER:
        return redirect(url_for("intake.teams", unit_id=current_user.unit_id))
    units = db.session.execute(db.select(Unit).order_by(Unit.code)).scalars().all()
    return render_template("intake/units.html", units=units, counts=services.team_counts())


@bp.route("/initiatives/units/<int:unit_id>/teams")
@role_required(*TEAM_KEEPERS)
def teams(unit_id):
    """A unit's production teams, each with its poster, and the form to add one."""
    unit = _unit_for(unit_id)
    return render_template(
        "intake/teams.html",
        unit=unit,
        teams=services.list_teams(unit),
        form=TeamForm(formdata=None),
        address=addresses.public_address(),
    )


@bp.route("/initiatives/units/<int:unit_id>/teams/new", methods=["GET", "POST"])
@role_required(*TEAM_KEEPERS)
def team_new(unit_id):
    """Add a production team to the unit."""
    unit = _unit_for(unit_id)
    form = TeamForm()
    if form.validate_on_submit():
        try:
            team = services.add_team(unit, form.department.data or "", form.name.data, by=current_user)
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã thêm tổ %(name)s; hãy in áp phích mã QR của tổ.", name=team.name), "success")
            return redirect(url_for("intake.teams", unit_id=unit.id))
    return render_template("intake/team_form.html", form=form, unit=unit, team=None), form_status(form)


@bp.route("/initiatives/teams/<int:team_id>/edit", methods=["GET", "POST"])
@role_required(*TEAM_KEEPERS)
def team_edit(team_id):
    """Rename a team or change its department; its poster keeps working."""
    team = _team_for(team_id)
    form = TeamForm(obj=team)
    if form.validate_on_submit():
        try:
            services.update_team(team, form.department.data or "", form.name.data, by=current_user)
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã lưu tổ %(name)s.", name=team.name), "success")
            return redirect(url_for("intake.teams", unit_id=team.unit_id))
    return render_template("intake/team_form.html", form=form, unit=team.unit, team=team), form_status(form)


@bp.route("/initiatives/teams/<int:team_id>/delete", methods=["GET", "POST"])
@role_required(*TEAM_KEEPERS)
def team_delete(team_id):
    """Delete a team after confirmation; its initiatives stay in the register."""
    team = _team_for(team_id)
    unit_id = team.unit_id
    if request.method == "POST":
        kept = services.delete_team(team, by=current_user)
        flash(_("Đã xoá tổ. %(n)d sáng kiến của tổ vẫn ở trong sổ.", n=kept), "success")
        return redirect(url_for("intake.teams", unit_id=unit_id))
    return render_template(
        "confirm.html",
        title=_("Xoá tổ %(name)s?", name=team.name),
        message=_(
            "Áp phích của tổ sẽ không dùng được nữa. Các sáng kiến đã gửi từ tổ vẫn ở trong sổ sáng kiến, "
            "chỉ không còn gắn với tổ."
        ),
        confirm_label=_("Xoá tổ"),
        cancel_url=url_for("intake.teams", unit_id=unit_id),
    )


@bp.route("/initiatives/teams/<int:team_id>/new-key", methods=["GET", "POST"])
@role_required(*TEAM_KEEPERS)
def team_new_key(team_id):
    """Give the team a new poster code after confirmation: the old poster stops working."""
    team = _team_for(team_id)
    if request.method == "POST":
        services.replace_key(team, by=current_user)
        flash(_("Đã tạo mã mới cho tổ %(name)s. Hãy in và dán áp phích mới.", name=team.name), "success")
        return redirect(url_for("intake.teams", unit_id=team.unit_id))
    return render_template(
        "confirm.html",
        title=_("Tạo mã áp phích mới cho tổ %(name)s?", name=team.name),
        message=_("Mã QR trên áp phích đang dán sẽ không mở được nữa; cần in và dán áp phích mới."),
        confirm_label=_("Tạo mã mới"),
        cancel_url=url_for("intake.teams", unit_id=team.unit_id),
    )


@bp.route("/initiatives/teams/<int:team_id>/poster.pdf")
@role_required(*TEAM_KEEPERS)
def team_poster(team_id):
    """The team's A4 QR poster."""
    team = _team_for(team_id)
    return _pdf(printing.render_team_posters([team]), f"ap-phich-{team.id}.pdf")


@bp.route("/initiatives/units/<int:unit_id>/posters.pdf")
@role_required(*TEAM_KEEPERS)
def unit_posters(unit_id):
    """Every team's poster of the unit in one PDF."""
    unit = _unit_for(unit_id)
    teams = services.list_teams(unit)
    if not teams:
        flash(_("Đơn vị chưa có tổ nào để in áp phích."), "warning")
        return redirect(url_for("intake.teams", unit_id=unit.id))
    address = addresses.public_address()
    if not address.is_reachable and request.args.get("confirm_address") != "1":
        # Asked before every team's poster is printed with a QR code no phone can open; one poster is a trial.
        return render_template("intake/posters_confirm.html", address=address, unit=unit, teams=teams)
    return _pdf(printing.render_team_posters(teams), f"ap-phich-{unit.code}.pdf")


# The phone form -----------------------------------------------------------------------------------


def _team_or_404(key: str) -> ProductionTeam:
    team = services.team_for_key(key)
    if team is None:
        abort(404)
    return team


def _chosen_photo(form: IdeaForm) -> tuple[str, bytes] | None:
    chosen = form.photo.data
    if not chosen or not getattr(chosen, "filename", ""):
        return None
    return chosen.filename, chosen.read(MAX_FILE_BYTES + 1)  # a byte past the limit: "too big" is said clearly


@bp.route("/y-tuong/<key>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PUBLIC_LOOKUP_LIMIT"], methods=["GET"])
@limiter.limit(lambda: current_app.config["INTAKE_LIMIT"], methods=["POST"])
def idea(key):
    """The phone form a team's poster opens: a worker sends an idea, no account needed."""
    team = _team_or_404(key)
    form = IdeaForm()
    if form.validate_on_submit():
        idea = services.Idea(form.full_name.data, form.phone.data, form.title.data, form.idea.data, _chosen_photo(form))
        try:
            initiative = services.receive_idea(team, idea, utcnow())
        except UploadRefused as error:
            form.photo.errors = [*form.photo.errors, error.message]
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            session[THANKED] = initiative.reference
            return redirect(url_for("intake.thanks", key=key))
    elif form.errors and _chosen_photo(form):
        form.photo.errors = [*form.photo.errors, _("Hãy chọn lại ảnh trước khi gửi.")]
    return render_template("intake/idea.html", form=form, team=team), form_status(form)


@bp.route("/y-tuong/<key>/cam-on")
@limiter.limit(lambda: current_app.config["PUBLIC_LOOKUP_LIMIT"])
def thanks(key):
    """Thanks for the idea, with its number in the register."""
    team = _team_or_404(key)
    return render_template("intake/thanks.html", team=team, reference=session.get(THANKED))


# The unit's support team --------------------------------------------------------------------------


@bp.route("/initiatives/support-team", methods=["GET", "POST"])
@role_required(Role.UNIT)
def support_team():
    """The unit's support-team accounts, and the form inviting a new member by e-mail."""
    unit = current_user.unit
    form = InviteForm()
    if form.validate_on_submit():
        try:
            member = services.invite_support_member(
                unit, form.email.data, form.full_name.data, by=current_user, now=utcnow()
            )
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã gửi lời mời tới %(email)s.", email=member.email), "success")
            return redirect(url_for("intake.support_team"))
    page = render_template("intake/support_team.html", unit=unit, members=services.support_members(unit), form=form)
    return page, form_status(form)


@bp.route("/initiatives/support-team/<int:member_id>/deactivate", methods=["GET", "POST"])
@role_required(Role.UNIT)
def support_deactivate(member_id):
    """Lock a support-team member out after confirmation."""
    member = db.get_or_404(User, member_id)
    unit = current_user.unit
    if member.role is not Role.SUPPORT or member.unit_id != unit.id:
        abort(404)
    if request.method == "POST":
        services.deactivate_support_member(unit, member, by=current_user)
        flash(_("Đã khoá tài khoản của %(name)s.", name=member.full_name), "success")
        return redirect(url_for("intake.support_team"))
    return render_template(
        "confirm.html",
        title=_("Khoá tài khoản của %(name)s?", name=member.full_name),
        message=_(
            "%(name)s sẽ không đăng nhập được nữa; các sáng kiến đã nhập vẫn ở trong sổ. Ban tổ chức mở lại được.",
            name=member.full_name,
        ),
        confirm_label=_("Khoá tài khoản"),
        cancel_url=url_for("intake.support_team"),
    )
