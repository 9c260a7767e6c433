"""The organizers' outbox: every message and its state, retry and resend, bulk sends and their
progress, the wording of each kind of message."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from festival.auth.permissions import role_required
from festival.core import storage
from festival.core.errors import FestivalError, refusals_return_to
from festival.core.extensions import db
from festival.core.festivals import current_festival
from festival.core.transactions import form_status
from festival.mail import messages, notify, services
from festival.mail.forms import WordingForm
from festival.mail.sending import outbox_folder
from festival.models import AuditLog, MailBatch, MailMessage, MailStatus, Role, User, utcnow
from festival.util.placeholders import fill
from festival.util.urls import record_id

bp = Blueprint("mail", __name__, url_prefix="/admin/mail")

INVITATION_ROLES = {"unit": (Role.UNIT,), "judge": (Role.JUDGE,), "all": (Role.UNIT, Role.JUDGE)}


@bp.before_request
@role_required(Role.ORGANIZER)
def require_organizer():
    """The outbox is for organizers only."""


def _status_arg() -> MailStatus | None:
    try:
        return MailStatus(request.args.get("status", ""))
    except ValueError:
        return None


@bp.route("/")
def outbox():
    """Every message, newest first: recipient, subject, state and the server's answer."""
    query = request.args.get("q", "")[:100]
    status = _status_arg()
    kind = request.args.get("kind") if request.args.get("kind") in messages.KINDS else None
    pagination = db.paginate(
        services.search_outbox(status, kind, query),
        page=request.args.get("page", 1, type=record_id),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "mail/outbox.html",
        pagination=pagination,
        query=query,
        status=status,
        kind=kind,
        kinds=messages.KINDS,
        statuses=list(MailStatus),
        counts=services.outbox_counts(),
        uses_smtp=bool(current_app.config.get("MAIL_SERVER")),
        outbox_folder=outbox_folder(),
    )


@bp.route("/<int:message_id>")
def message(message_id):
    """One message as it was written, who caused it, and what the server answered."""
    mail = db.get_or_404(MailMessage, message_id)
    entry = db.session.get(AuditLog, mail.audit_id) if mail.audit_id else None
    return render_template(
        "mail/message.html", mail=mail, entry=entry, kind=messages.KINDS.get(mail.kind), html=messages.html_paragraphs
    )


@bp.route("/<int:message_id>.eml")
def message_file(message_id):
    """The .eml file the file outbox wrote (no SMTP server configured); never one holding a secret link
    (an invitation, a password reset, a badge): that file stays in the outbox, for the recipient only."""
    mail = db.get_or_404(MailMessage, message_id)
    if mail.has_secret_link:
        abort(403)
    if not mail.outbox_file:
        abort(404)
    return storage.send("outbox", mail.outbox_file, "message/rfc822", mail.outbox_file, as_attachment=True)


@bp.route("/<int:message_id>/retry", methods=["POST"])
@refusals_return_to("mail.message")
def retry(message_id):
    """Try a failed message again."""
    mail = db.get_or_404(MailMessage, message_id)
    again = services.retry(mail, by=current_user)
    flash(_("Đã xếp thư vào hàng đợi để gửi lại."), "success")
    return redirect(url_for("mail.message", message_id=again.id))


@bp.route("/<int:message_id>/resend", methods=["POST"])
@refusals_return_to("mail.message")
def resend(message_id):
    """Send a message again, as a new one."""
    mail = db.get_or_404(MailMessage, message_id)
    again = notify.resend(mail, by=current_user)
    flash(_("Đã xếp thư vào hàng đợi để gửi lại."), "success")
    return redirect(url_for("mail.message", message_id=again.id))


# Sending in bulk ------------------------------------------------------------------------------


@bp.route("/send")
def send():
    """What can be mailed now, with how many people each send reaches."""
    festival = current_festival()
    pending = notify.pending_invitees()
    return render_template(
        "mail/send.html",
        festival=festival,
        pending_units=sum(1 for u in pending if u.role is Role.UNIT),
        pending_judges=sum(1 for u in pending if u.role is Role.JUDGE),
        judges=len(notify.judges_with_sheets(festival)),
        badges=len(notify.badges_not_sent(festival)),
        certificates=len(notify.certificates_not_sent(festival)),
        batches=db.session.execute(db.select(MailBatch).order_by(MailBatch.id.desc()).limit(10)).scalars().all(),
    )


@bp.route("/send/invitations", methods=["POST"])
@refusals_return_to("mail.send")
def send_invitations():
    """Invitations to every account of the chosen roles that has no password yet."""
    roles = INVITATION_ROLES.get(request.form.get("roles", ""))
    if roles is None:
        abort(400)
    batch = notify.invite_all(roles, by=current_user, title=_("Lời mời tạo tài khoản"))
    return _after_batch(batch)


@bp.route("/send/judge-lists", methods=["POST"])
@refusals_return_to("mail.send")
def send_judge_lists():
    """Each judge's list of exhibits in walking order."""
    batch = notify.judge_lists(current_festival(), by=current_user, title=_("Danh sách chấm của giám khảo"))
    return _after_batch(batch)


@bp.route("/send/badges", methods=["POST"])
@refusals_return_to("mail.send")
def send_badges():
    """Badges as PDFs to attendees with an address whose badge was not mailed yet."""
    batch = notify.badges(current_festival(), by=current_user, title=_("Thẻ dự ngày hội"))
    return _after_batch(batch)


@bp.route("/send/certificates/confirm")
def confirm_certificates():
    """Before mailing certificates: how many messages would go, to whom, with which certificate."""
    mailing = notify.certificate_mailing(current_festival())
    messages = sum(1 for _item, recipients in mailing for recipient in recipients if recipient.may_receive)
    return render_template("mail/certificates.html", mailing=mailing, messages=messages)


@bp.route("/send/certificates", methods=["POST"])
@refusals_return_to("mail.send")
def send_certificates():
    """Certificates issued or corrected and not mailed yet."""
    batch = notify.certificates(current_festival(), by=current_user, title=_("Giấy chứng nhận"))
    if batch is None:
        flash(_("Không có giấy chứng nhận nào chưa gửi."), "info")
        return redirect(url_for("mail.send"))
    return _after_batch(batch)


@bp.route("/send/reminders", methods=["POST"])
@refusals_return_to("mail.send")
def send_reminders():
    """The reminders due now (they also go by themselves every hour from the queue's consumer)."""
    count = notify.scheduled_reminders(utcnow())
    flash(_("Đã xếp %(n)d thư nhắc vào hàng đợi.", n=count), "success" if count else "info")
    return redirect(url_for("mail.outbox"))


def _after_batch(batch: MailBatch):
    if batch.total == 0:
        flash(_("Không có ai để gửi (%(n)d người không nhận e-mail).", n=batch.skipped), "info")
    else:
        flash(_("Đã xếp %(n)d thư vào hàng đợi.", n=batch.total), "success")
    return redirect(url_for("mail.batch", batch_id=batch.id))


@bp.route("/batches/<int:batch_id>")
def batch(batch_id):
    """A bulk send's progress (the page refreshes itself until every message is sent or failed)."""
    mail_batch = db.get_or_404(MailBatch, batch_id)
    return render_template("mail/batch.html", batch=mail_batch, progress=services.batch_progress(mail_batch))


# One person -----------------------------------------------------------------------------------


@bp.route("/users/<int:user_id>/invite", methods=["POST"])
@refusals_return_to("admin.user_edit")
def invite_user(user_id):
    """Mail one account a new invitation link."""
    user = db.get_or_404(User, user_id)
    if user.has_password:
        raise FestivalError(_("%(name)s đã đặt mật khẩu, không cần lời mời nữa.", name=user.full_name))
    sent = notify.invite(user, by=current_user)
    if sent is None:
        raise FestivalError(_("%(name)s không nhận e-mail (đã đánh dấu hoặc địa chỉ bị lỗi).", name=user.full_name))
    flash(_("Đã xếp lời mời gửi %(email)s vào hàng đợi.", email=user.email), "success")
    return redirect(url_for("mail.message", message_id=sent.id))


@bp.route("/users/<int:user_id>/email", methods=["POST"])
def user_email(user_id):
    """Mark a person "no e-mail" (or not), or their failed address as working again."""
    user = db.get_or_404(User, user_id)
    if request.form.get("clear_problem"):
        services.clear_email_problem(user, by=current_user)
        flash(_("Đã bỏ đánh dấu địa chỉ lỗi của %(name)s.", name=user.full_name), "success")
    else:
        services.set_no_email(user, request.form.get("no_email") == "1", by=current_user)
        flash(_("Đã lưu lựa chọn nhận e-mail của %(name)s.", name=user.full_name), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


# Wording --------------------------------------------------------------------------------------


def _kind_or_404(kind: str, language: str):
    if kind not in messages.KINDS or language not in messages.LANGUAGES:
        abort(404)
    return messages.KINDS[kind]


@bp.route("/templates")
def templates():
    """Every kind of message and whether its wording was changed."""
    festival = current_festival()
    rows = [
        (kind, {lang: messages.wording(festival, kind.key, lang) for lang in messages.LANGUAGES})
        for kind in messages.KINDS.values()
    ]
    return render_template("mail/templates.html", rows=rows, languages=messages.LANGUAGES)


@bp.route("/templates/<kind>/<language>", methods=["GET", "POST"])
def template(kind, language):
    """Edit the wording of one kind of message in one language, with a preview."""
    festival = current_festival()
    mail_kind = _kind_or_404(kind, language)
    current = messages.wording(festival, kind, language)
    form = WordingForm() if request.method == "POST" else WordingForm(data=vars(current), formdata=None)
    if form.validate_on_submit():
        try:
            services.save_wording(festival, kind, language, form.subject.data, form.body.data, by=current_user)
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã lưu nội dung thư “%(kind)s”.", kind=mail_kind.label), "success")
            return redirect(url_for("mail.template", kind=kind, language=language))
    sample = services.sample_values(kind)
    preview_subject = messages.one_line(fill(form.subject.data or "", {**sample, "festival": festival.name}))
    preview_body = fill(form.body.data or "", {**sample, "festival": festival.name})
    return render_template(
        "mail/template.html",
        form=form,
        kind=mail_kind,
        language=language,
        is_default=current.is_default,
        help=messages.PLACEHOLDER_HELP,
        preview_subject=preview_subject,
        preview_html=messages.html_paragraphs(preview_body),
    ), form_status(form)


@bp.route("/templates/<kind>/<language>/reset", methods=["POST"])
def template_reset(kind, language):
    """Go back to the default wording."""
    mail_kind = _kind_or_404(kind, language)
    services.reset_wording(current_festival(), kind, language, by=current_user)
    flash(_("Đã dùng lại nội dung mặc định của thư “%(kind)s”.", kind=mail_kind.label), "success")
    return redirect(url_for("mail.template", kind=kind, language=language))
