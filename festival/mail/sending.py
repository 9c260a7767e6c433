"""Sending: one message built by the standard library's `email` package and handed to the SMTP server
(smtplib) in the task queue, with retries and back-off — or, with no MAIL_SERVER, written to the outbox
(the "outbox" area of the file store, a folder or a bucket's prefix) as an .eml file.
"""

import logging
import smtplib
import ssl
from datetime import timedelta, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid

from flask import current_app

from config import Config
from festival.auth import services as accounts
from festival.badges.printing import render_badges
from festival.certificates.printing import certificate_pdfs
from festival.core import storage
from festival.core.extensions import db
from festival.core.queue import UNREACHABLE, task
from festival.mail.messages import one_line, to_html, with_secrets
from festival.models import Attendee, Certificate, MailMessage, MailStatus, User, utcnow
from festival.util.formatting import fold
from festival.util.urls import public_url

log = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """The server could not take the message now (4xx, no connection): try again later."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx)."""

    def __init__(self, reason: str, bounced: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.bounced = bounced  # the server refused the recipient's address itself


def sender() -> Address:
    """MAIL_FROM as an Address ("Name <addr>" or a bare address)."""
    name, address = getaddresses([current_app.config["MAIL_FROM"]])[0]
    return Address(display_name=one_line(name), addr_spec=address)


def new_message_id() -> str:
    domain = sender().domain or "festival.local"
    return make_msgid(domain=domain)


def attachment_files(message: MailMessage) -> list[tuple[str, bytes]]:
    """The PDFs a message carries, rendered now (badges and certificates are never stored twice)."""
    files = []
    for item in message.attachments or []:
        if item.get("type") == "badge":
            attendee = db.session.get(Attendee, item["id"])
            if attendee is not None:
                files.append(
                    (f"the-du-{_file_name(attendee.full_name)}.pdf", render_badges(attendee.festival, [attendee]))
                )
        elif item.get("type") == "certificate":
            certificate = db.session.get(Certificate, item["id"])
            if certificate is not None:
                files.append((f"{_file_name(certificate.serial)}.pdf", certificate_pdfs([certificate])[0]))
    return files


def _file_name(text: str) -> str:
    return "-".join(fold(text).replace("đ", "d").split()).replace("/", "-")[:60] or "tep"


def secret_links(message: MailMessage) -> dict:
    """The secret link a message carries, made now that it is sent: it exists only in the message
    (never in the queue's payload nor in the outbox row). An invitation or reset link is a new
    single-use token each time (any older one stops working), written in its own short transaction
    before the message leaves; a badge link is the attendee's badge token.

    :raise PermanentFailure: the account or attendee is gone, disabled, or needs no invitation any more.
    """
    if message.kind == "badge":
        attendee = db.session.get(Attendee, message.attendee_id) if message.attendee_id else None
        if attendee is None:
            raise PermanentFailure("Người dự không còn trong danh sách.")
        return {"link": public_url("checkin.badge", token=attendee.badge_token)}
    user = db.session.get(User, message.user_id) if message.user_id else None
    if user is None or not user.is_active:
        raise PermanentFailure("Tài khoản không còn hoặc đã bị khoá: không gửi liên kết.")
    if message.kind == "invitation":
        if user.has_password:
            raise PermanentFailure("Tài khoản đã đặt mật khẩu: không cần lời mời nữa.")
        link = public_url("auth.invitation", token=accounts.new_invitation_token(user, utcnow()))
    elif message.kind == "password_reset":
        link = public_url("auth.reset_password", token=accounts.new_password_reset_token(user, utcnow()))
    else:
        raise PermanentFailure(f"Không có liên kết riêng cho loại thư {message.kind}.")
    db.session.commit()
    return {"link": link}


def build(message: MailMessage, secrets: dict | None = None) -> EmailMessage:
    """The message as sent: headers set through the library (names and subjects on one line, so
    nothing typed can add a header), a plain-text and an HTML part, and its attachments.

    :raise PermanentFailure: the recipient's address cannot be written in a header.
    """
    email = EmailMessage(policy=policy.SMTP)
    try:
        email["To"] = Address(display_name=one_line(message.recipient_name), addr_spec=message.recipient_email)
    except (ValueError, IndexError) as error:
        raise PermanentFailure(f"Địa chỉ e-mail không hợp lệ: {error}") from error
    email["From"] = sender()
    if current_app.config.get("MAIL_REPLY_TO"):
        email["Reply-To"] = current_app.config["MAIL_REPLY_TO"]
    email["Subject"] = one_line(message.subject)
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"
    body = with_secrets(message.body_text, secrets)
    email.set_content(body)
    email.add_alternative(to_html(body), subtype="html")
    for name, data in attachment_files(message):
        email.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    email["Content-Language"] = message.language  # after the parts: setting content clears Content-* headers
    return email


def _smtp_reason(code: int, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {one_line(text)}"[:500]


def transmit(email: EmailMessage, message: MailMessage) -> str | None:
    """Hand `email` to the SMTP server, or write it to the outbox; returns the file's name then.

    :raise TemporaryFailure: 4xx answers, a lost or refused connection (try again later).
    :raise PermanentFailure: 5xx answers; `bounced` when the recipient was refused.
    """
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        try:
            return write_to_outbox(email, message)
        except OSError as error:  # a full disk or an unreachable bucket: the queue tries again later
            raise TemporaryFailure(one_line(f"{type(error).__name__}: {error}")[:500]) from error
    try:
        connect = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        kwargs = {"context": ssl.create_default_context()} if config["MAIL_USE_SSL"] else {}
        with connect(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"], **kwargs) as smtp:
            if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(email, to_addrs=[message.recipient_email])
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        if 400 <= code < 500:
            raise TemporaryFailure(_smtp_reason(code, text)) from error
        raise PermanentFailure(_smtp_reason(code, text), bounced=True) from error
    except smtplib.SMTPResponseException as error:
        if 400 <= error.smtp_code < 500:
            raise TemporaryFailure(_smtp_reason(error.smtp_code, error.smtp_error)) from error
        raise PermanentFailure(_smtp_reason(error.smtp_code, error.smtp_error)) from error
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryFailure(one_line(f"{type(error).__name__}: {error}")[:500]) from error
    return None


def outbox_folder() -> str | None:
    """The folder on this machine the .eml files are written to, or None when they are in the shared bucket
    (a folder path would send an organizer looking on the wrong machine)."""
    files = storage.store("outbox")
    return str(files.root) if isinstance(files, storage.LocalStore) else None


def write_to_outbox(email: EmailMessage, message: MailMessage) -> str:
    """Write the message, as it would go on the wire, to the outbox (whole or not at all); returns its key.

    The store's files are its owner's only (the process umask): invitation, reset and badge links are in them.
    """
    name = f"{message.id:06d}-{message.kind}.eml"
    storage.store("outbox").put(name, email.as_bytes(policy=policy.SMTP))
    return name


def _flag_address(message: MailMessage, reason: str) -> None:
    """An address the server refused for good is marked on the person, so nothing more is queued to it."""
    now = utcnow()
    people = []
    if message.user_id:
        people.append(db.session.get(User, message.user_id))
    if message.attendee_id:
        people.append(db.session.get(Attendee, message.attendee_id))
    for person in people:
        if person is not None and person.email == message.recipient_email:
            person.email_problem = reason[:300]
            if isinstance(person, User):
                person.email_failed_at = now


def max_attempts() -> int:
    return current_app.config["MAIL_RETRIES"] + 1


@task(retries=Config.MAIL_RETRIES, retry_delay=Config.MAIL_RETRY_DELAY, retry_backoff=2)
def deliver(message_id: int, *_before_upgrade) -> str:
    """Send one queued message (a task, given only the message's id): once sent it is never sent
    again, whatever retries come. A secret link is made here, as it is sent (secret_links); the link
    that tasks queued by an older version carried as a second argument is ignored (a new one is made).

    A temporary failure is raised again so the queue retries it (each wait twice the last);
    the last try, or a permanent refusal, marks the message failed with the server's reason.
    """
    message = db.session.get(MailMessage, message_id, with_for_update=True)
    if message is None or message.status is not MailStatus.QUEUED:
        db.session.rollback()
        return "skipped"
    message.status = MailStatus.SENDING
    message.attempts += 1
    message.updated_at = utcnow()
    db.session.commit()  # short transactions: never hold the database while talking to the server
    try:
        email = build(message, secret_links(message) if message.has_secret_link else None)
        outbox_file = transmit(email, message)
    except PermanentFailure as failure:
        message.status = MailStatus.BOUNCED if failure.bounced else MailStatus.FAILED
        message.last_error = failure.reason
        if failure.bounced:
            _flag_address(message, failure.reason)
        message.updated_at = utcnow()
        db.session.commit()
        return message.status.value
    except TemporaryFailure as failure:
        message.last_error = str(failure)
        message.updated_at = utcnow()
        if message.attempts >= max_attempts():
            message.status = MailStatus.FAILED
            db.session.commit()
            return message.status.value
        message.status = MailStatus.QUEUED
        message.scheduled_for = utcnow() + timedelta(seconds=retry_wait(message.attempts))
        db.session.commit()
        raise  # the queue tries again after its back-off
    except Exception as error:  # a bug or a missing attachment: say so in the outbox, do not retry blindly
        log.exception("Message %s could not be built", message.id)
        message.status = MailStatus.FAILED
        message.last_error = one_line(f"{type(error).__name__}: {error}")[:500]
        message.updated_at = utcnow()
        db.session.commit()
        return message.status.value
    message.status = MailStatus.SENT
    message.sent_at = message.updated_at = utcnow()
    message.last_error = ""
    message.outbox_file = outbox_file
    db.session.commit()
    return message.status.value


def retry_wait(attempts: int) -> int:
    """Seconds the queue waits before try `attempts + 1` (MAIL_RETRY_DELAY, doubled each time)."""
    return Config.MAIL_RETRY_DELAY * 2 ** max(attempts - 1, 0)


def enqueue(message: MailMessage) -> None:
    """Hand a committed message to the queue at its scheduled time (its id only: never a link).

    A queue that does not answer (its Redis down) leaves the message queued, for the periodic sweep
    (festival/mail/schedule.py) to hand over again; the action that wrote it has committed and stands.
    """
    eta = message.scheduled_for
    try:
        if eta is not None and eta > utcnow() + timedelta(seconds=1):
            deliver.schedule(args=(message.id,), eta=eta.astimezone(timezone.utc).replace(tzinfo=None))
        else:
            deliver(message.id)
    except UNREACHABLE:
        log.exception("Message %s stays queued: the queue did not answer", message.id)
