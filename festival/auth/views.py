"""Sign-in, sign-out, accepting an invitation and changing one's password."""

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from festival.auth import resets, services
from festival.auth.forms import ChangePasswordForm, ForgotPasswordForm, SetPasswordForm, SignInForm
from festival.auth.permissions import home_endpoint
from festival.core.errors import FestivalError, error_response, wants_json
from festival.core.extensions import limiter, login_manager, writes_late
from festival.core.transactions import form_status
from festival.models import utcnow
from festival.util.urls import safe_next

bp = Blueprint("auth", __name__, url_prefix="/auth")

DEVICE_COOKIE = "festival_device"
SESSION_HEADER = "X-Festival-Session"


@login_manager.user_loader
def load_user(session_id):
    return services.load_session_user(session_id, utcnow())


def session_ended() -> bool:
    """Whether this browser's cookie names a session that was revoked: signed out of every device,
    the account locked or its password changed (a session that merely timed out is not)."""
    if "session_ended" not in g:
        user_id = str(session.get("_user_id") or "").partition(":")[0]
        g.session_ended = (
            user_id.isdigit()
            # is_anonymous reads no column: after the request's commit, is_authenticated would load the user
            # again in a transaction of its own (on SQLite a write lock, for a save that is done)
            and current_user.is_anonymous
            and services.session_revoked(int(user_id), session.get("signed_in_at"))
        )
    return g.session_ended


def device_session() -> str:
    """The public id of the session this request signed in with ("" when none)."""
    if "device_session" not in g:
        row = services.current_session(current_user) if current_user.is_authenticated else None
        g.device_session = (row.public_id or "") if row else ""
    return g.device_session


@bp.app_context_processor
def session_on_pages():
    # Every page names its session (changes kept on the device belong to it) and says when the
    # session was revoked, so that the device wipes what it kept (static/js/offline.js).
    return {"device_session": device_session, "session_ended": session_ended, "render_time": _render_time}


def _render_time() -> int:
    """When the page was made (POSIX seconds): a copy kept on a device tells its age by it."""
    return int(utcnow().timestamp())


@bp.after_app_request
def tell_revoked_devices(response):
    """Every answer to a revoked session's browser says so, for scripts that read no page (the gate's list)."""
    # Only where the request looked for its user (Flask-Login keeps it in g): static files cost no query.
    if "_login_user" in g and session_ended():
        response.headers[SESSION_HEADER] = "ended"
    return response


@login_manager.unauthorized_handler
def unauthorized():
    """Pages send visitors to sign in; JSON callers (the tablet's autosave) get a 401 to act on."""
    if wants_json():
        if session_ended():
            return error_response(
                401, _("Tài khoản đã được đăng xuất khỏi mọi thiết bị. Hãy đăng nhập lại."), code="session_ended"
            )
        return error_response(
            401, _("Phiên đăng nhập đã hết. Hãy đăng nhập lại; điểm chưa gửi vẫn được giữ trên máy."), code="signed_out"
        )
    flash(_("Hãy đăng nhập để tiếp tục."), "warning")
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def _start_session(user, remember: bool = False):
    """Sign `user` in on this browser, in a fresh cookie session (an identifier planted before
    sign-in is worth nothing) tied to a new server-side session row."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    now = utcnow()
    services.start_session(user, now, remember, request.headers.get("User-Agent", ""))
    login_user(user, remember=remember)
    # Compared with the account's "signed out of every device" time when this cookie comes back dead.
    session["signed_in_at"] = now.timestamp()


def _end_session():
    """Sign this browser out: the session row goes, so neither its cookie nor a copy opens anything;
    Flask-Login deletes the remember cookie (its flag is set after the session is cleared)."""
    services.end_session(current_user._get_current_object())
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    logout_user()


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="sign-in-device")


def _trusted_user_id() -> int | None:
    """The account this browser signed in to before (its device cookie), or None."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return None
    try:
        return int(_device_serializer().loads(cookie, max_age=current_app.config["DEVICE_COOKIE_DAYS"] * 86400))
    except (BadSignature, ValueError, TypeError):
        return None


@bp.route("/login", methods=["GET", "POST"])
@writes_late
@limiter.limit(
    lambda: current_app.config["SIGN_IN_CLIENT_LIMIT"],
    methods=["POST"],
    deduct_when=lambda response: response.status_code != 302,  # only failed sign-ins count
)
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = services.sign_in(form.email.data, form.password.data, utcnow(), _trusted_user_id())
        except services.SignInRefused as refused:
            # Answered 200, not 422, so that the failure counted against the address is kept.
            flash(refused.message, "danger")
        else:
            _start_session(user, remember=form.remember.data)
            response = redirect(safe_next(request.args.get("next")) or url_for(home_endpoint(user)))
            # This browser is the owner's from now on: guesses made elsewhere never delay it.
            response.set_cookie(
                DEVICE_COOKIE,
                _device_serializer().dumps(user.id),
                max_age=current_app.config["DEVICE_COOKIE_DAYS"] * 86400,
                secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
                httponly=True,
                samesite="Lax",
            )
            return response
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (a POST, so a link or image elsewhere cannot sign anyone out)."""
    if current_user.is_authenticated:
        _end_session()
    flash(_("Bạn đã đăng xuất."), "info")
    # The page wiped what the device kept of this user before posting (offline.js): no Clear-Site-Data header,
    # which Chromium can take many seconds to honour while the navigation waits.
    return redirect(url_for("public.index"))


@bp.route("/sessions/end-all", methods=["POST"])
@login_required
def end_all_sessions():
    """Sign out of every device (a lost phone, a tablet left signed in)."""
    count = services.end_all_sessions(current_user._get_current_object())
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    logout_user()
    flash(_("Đã đăng xuất khỏi %(n)d thiết bị. Hãy đăng nhập lại.", n=count), "info")
    return redirect(url_for("auth.login"))


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


def _reset_address_key() -> str:
    return "reset:" + services.normalise_email(request.form.get("email", ""))[:254]


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["PASSWORD_RESET_ADDRESS_LIMIT"], methods=["POST"], key_func=_reset_address_key
)
def forgot_password():
    """ "Quên mật khẩu": ask for a reset link by e-mail (the answer never says whether the address has an account)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # Only queued, known address or not: the worker looks it up, so the time taken says nothing.
        resets.request_password_reset(form.email.data, request.remote_addr or "")
        flash(
            _(
                "Nếu %(email)s là e-mail của một tài khoản, chúng tôi vừa gửi tới đó liên kết đặt lại mật khẩu "
                "(dùng được %(minutes)d phút). Hãy xem cả hộp thư rác.",
                email=services.normalise_email(form.email.data),
                minutes=current_app.config["PASSWORD_RESET_MINUTES"],
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), form_status(form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    """Choose a new password through a single-use reset link."""
    now = utcnow()
    user = services.find_password_reset(token, now)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.complete_password_reset(user, form.password.data, now)
        except FestivalError as error:
            form.password.errors.append(error.message)
        else:
            _start_session(user)
            flash(_("Đã đặt mật khẩu mới. Các thiết bị khác đã được đăng xuất."), "success")
            return redirect(url_for(home_endpoint(user)))
    return render_template("auth/reset.html", form=form, account=user), form_status(form)


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
    sessions = services.active_sessions(current_user, utcnow())
    return render_template("auth/account.html", form=form, sessions=sessions), form_status(form)
