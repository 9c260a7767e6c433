"""Sign-in, sign-out, accepting an invitation and changing one's password."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from festival.auth import bp, services
from festival.auth.forms import ChangePasswordForm, SetPasswordForm, SignInForm
from festival.auth.permissions import home_endpoint
from festival.errors import FestivalError, error_response, wants_json
from festival.extensions import login_manager
from festival.models import utcnow
from festival.transactions import form_status
from festival.urls import safe_next


@login_manager.user_loader
def load_user(session_id):
    return services.load_session_user(session_id)


@login_manager.unauthorized_handler
def unauthorized():
    """Pages send visitors to sign in; JSON callers (the tablet's autosave) get a 401 to act on."""
    if wants_json():
        return error_response(
            401, _("Phiên đăng nhập đã hết. Hãy đăng nhập lại; điểm chưa gửi vẫn được giữ trên máy."), code="signed_out"
        )
    flash(_("Hãy đăng nhập để tiếp tục."), "warning")
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def _start_session(user, remember: bool = False):
    # A fresh session at sign-in, so an identifier planted before sign-in is worth nothing.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = services.sign_in(form.email.data, form.password.data, utcnow())
        except services.SignInRefused as refused:
            # Answered 200, not 422, so that the failure counted against the account is kept.
            flash(refused.message, "danger")
        else:
            _start_session(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for(home_endpoint(user)))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (a POST, so a link or image elsewhere cannot sign anyone out)."""
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("public.index"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token):
    """Set a password through a one-time invitation link."""
    now = utcnow()
    user = services.find_invitation(token, now)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.accept_invitation(user, form.password.data, now)
        except FestivalError as error:
            form.password.errors.append(error.message)
        else:
            _start_session(user)
            flash(_("Đã đặt mật khẩu. Chào mừng %(name)s!", name=user.full_name), "success")
            return redirect(url_for(home_endpoint(user)))
    return render_template("auth/invitation.html", form=form, invitee=user), form_status(form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Your account: who you are, your unit, and a password change."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except services.WrongPassword as error:
            form.current.errors.append(error.message)
        except FestivalError as error:
            form.password.errors.append(error.message)
        else:
            _start_session(current_user._get_current_object())
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), form_status(form)
