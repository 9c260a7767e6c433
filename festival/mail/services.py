"""Queueing messages: one per recipient, throttled, audited, handed to the task queue once committed;
the outbox organizers see, with retry and resend; the organizers' wording of each kind."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from festival.core import audit
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.core.transactions import on_commit
from festival.mail import messages
from festival.mail.sending import enqueue, new_message_id
from festival.models import (
    Attendee,
    Festival,
    MailBatch,
    MailMessage,
    MailStatus,
    MailTemplate,
    User,
    utcnow,
)


@dataclass
class Recipient:
    """Who a message goes to: an account, an attendee, or both."""

    email: str | None
    name: str
    language: str = "vi"
    user: User | None = None
    attendee: Attendee | None = None

    @classmethod
    def of_user(cls, user: User) -> "Recipient":
        return cls(user.email, user.full_name, user.language or "vi", user=user)

    @classmethod
    def of_attendee(cls, attendee: Attendee) -> "Recipient":
        language = attendee.user.language if attendee.user is not None and attendee.user.language else "vi"
        return cls(attendee.email, attendee.full_name, language or "vi", user=attendee.user, attendee=attendee)

    @property
    def may_receive(self) -> bool:
        """False for "no e-mail" people, addresses that failed for good, and no address at all."""
        if not self.email:
            return False
        for person in (self.user, self.attendee):
            if person is not None and (person.no_email or person.email_problem):
                return False
        return True


@dataclass
class Queued:
    messages: list[MailMessage] = field(default_factory=list)
    skipped: int = 0


def _next_slot(now: datetime) -> datetime:
    """The earliest time the next message may go, MAIL_RATE_PER_MINUTE spreading a bulk send out."""
    rate = current_app.config["MAIL_RATE_PER_MINUTE"]
    if not rate:
        return now
    last = db.session.scalar(
        db.select(sa.func.max(MailMessage.scheduled_for)).where(MailMessage.status == MailStatus.QUEUED)
    )
    if last is None:
        return now
    return max(now, last + timedelta(seconds=60 / rate))


def queue(
    festival: Festival | None,
    kind: str,
    recipient: Recipient,
    values: dict,
    *,
    by: User | None,
    secret_link: bool = False,
    attachments: list | None = None,
    about=None,
    facts: dict | None = None,
    batch: MailBatch | None = None,
    audit_entry=None,
    now: datetime | None = None,
) -> MailMessage | None:
    """Write one message to the outbox and queue it once the transaction commits; None (nothing
    written) when the recipient may not receive e-mail.

    With `secret_link` the body keeps `{link}`: the worker makes the link as it sends the message
    (sending.secret_links), so the link is in neither this row nor the queue's payload.
    """
    if not recipient.may_receive:
        return None
    now = now or utcnow()
    language = recipient.language if recipient.language in messages.LANGUAGES else "vi"
    values = {"name": recipient.name, "festival": festival.name if festival else "", **values}
    subject, body = messages.compose(festival, kind, language, values)
    message = MailMessage(
        festival=festival,
        batch=batch,
        kind=kind,
        subject_type=about.__tablename__ if about is not None else None,
        subject_id=about.id if about is not None else None,
        user_id=recipient.user.id if recipient.user is not None else None,
        attendee_id=recipient.attendee.id if recipient.attendee is not None else None,
        recipient_email=recipient.email,
        recipient_name=recipient.name,
        language=language,
        subject=subject,
        body_text=body,
        attachments=attachments or [],
        facts=facts or {},
        has_secret_link=secret_link,
        message_id=new_message_id(),
        created_by_id=by.id if by is not None else None,
        created_at=now,
        scheduled_for=_next_slot(now),
        updated_at=now,
    )
    db.session.add(message)
    db.session.flush()
    if audit_entry is None:
        audit_entry = audit.record("mail.queued", message, by=by, after={"kind": kind, "to": message.recipient_email})
        db.session.flush()
    message.audit_id = audit_entry.id
    on_commit(lambda: enqueue(message))
    return message


def start_batch(festival: Festival | None, kind: str, title: str, by: User | None) -> tuple[MailBatch, object]:
    """A bulk send and the one audit-log entry its messages point to."""
    batch = MailBatch(
        festival_id=festival.id if festival else None, kind=kind, title=title, created_by_id=by.id if by else None
    )
    db.session.add(batch)
    db.session.flush()
    entry = audit.record("mail.bulk", batch, by=by, after={"kind": kind, "title": title})
    db.session.flush()
    return batch, entry


def finish_batch(batch: MailBatch, entry, queued: Queued) -> None:
    """Record how many messages a bulk send queued and how many people it skipped."""
    batch.total = len(queued.messages)
    batch.skipped = queued.skipped
    entry.after = {**(entry.after or {}), "total": batch.total, "skipped": batch.skipped}


def batch_progress(batch: MailBatch) -> dict:
    """How many of a bulk send's messages are in each state."""
    counts = dict(
        db.session.execute(
            db.select(MailMessage.status, sa.func.count())
            .where(MailMessage.batch_id == batch.id)
            .group_by(MailMessage.status)
        ).all()
    )
    done = sum(counts.get(s, 0) for s in (MailStatus.SENT, MailStatus.FAILED, MailStatus.BOUNCED))
    total = batch.total or sum(counts.values())
    return {
        "counts": {status: counts.get(status, 0) for status in MailStatus},
        "done": done,
        "total": total,
        "percent": int(100 * done / total) if total else 100,
        "finished": done >= total,
    }


# The outbox ---------------------------------------------------------------------------------


def search_outbox(status: MailStatus | None, kind: str | None, query: str):
    """The select for the outbox page, newest first."""
    stmt = db.select(MailMessage).order_by(MailMessage.id.desc())
    if status is not None:
        stmt = stmt.where(MailMessage.status == status)
    if kind:
        stmt = stmt.where(MailMessage.kind == kind)
    if query.strip():
        pattern = query.strip().lower()
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(MailMessage.recipient_email).contains(pattern, autoescape=True),
                sa.func.lower(MailMessage.recipient_name).contains(pattern, autoescape=True),
                sa.func.lower(MailMessage.subject).contains(pattern, autoescape=True),
            )
        )
    return stmt


def outbox_counts() -> dict:
    counts = dict(db.session.execute(db.select(MailMessage.status, sa.func.count()).group_by(MailMessage.status)).all())
    return {status: counts.get(status, 0) for status in MailStatus}


def retry(message: MailMessage, by: User) -> MailMessage:
    """Try a failed or bounced message again (a secret link in it is made anew when it is sent).

    :raise FestivalError: the message was sent or is still waiting, or it is a password reset.
    """
    if message.status not in (MailStatus.FAILED, MailStatus.BOUNCED):
        raise FestivalError(_l("Chỉ gửi lại được thư đã thất bại."))
    _refuse_password_reset(message)
    message.status = MailStatus.QUEUED
    message.attempts = 0
    message.scheduled_for = _next_slot(utcnow())
    audit.record("mail.retried", message, by=by, before={"error": message.last_error})
    on_commit(lambda: enqueue(message))
    return message


def check_may_resend(message: MailMessage) -> None:
    """Refuse sending `message` again while it waits, and a password reset ever.

    :raise FestivalError: the message is still waiting, or it is a password reset.
    """
    if not message.is_finished:
        raise FestivalError(_l("Thư này vẫn đang chờ gửi."))
    _refuse_password_reset(message)


def send_copy(message: MailMessage, by: User) -> MailMessage:
    """A finished message again, word for word, as a new message in the outbox (audited under `by`)."""
    copy = MailMessage(
        festival_id=message.festival_id,
        kind=message.kind,
        subject_type=message.subject_type,
        subject_id=message.subject_id,
        user_id=message.user_id,
        attendee_id=message.attendee_id,
        recipient_email=message.recipient_email,
        recipient_name=message.recipient_name,
        language=message.language,
        subject=message.subject,
        body_text=message.body_text,
        attachments=message.attachments,
        facts=message.facts,
        has_secret_link=message.has_secret_link,
        message_id=new_message_id(),
        created_by_id=by.id,
        scheduled_for=_next_slot(utcnow()),
    )
    db.session.add(copy)
    db.session.flush()
    copy.audit_id = audit.record("mail.resent", copy, by=by, after={"of": message.id, "to": copy.recipient_email}).id
    on_commit(lambda: enqueue(copy))
    return copy


def _refuse_password_reset(message: MailMessage) -> None:
    """A reset link goes only to someone who asked for it: organizers do not send one again."""
    if message.kind == "password_reset":
        raise FestivalError(_l("Liên kết trong thư này không gửi lại được; người nhận hãy yêu cầu lại."))


def clear_email_problem(user: User, by: User) -> None:
    """Mark a person's address as working again (after they fixed their mailbox)."""
    if user.email_problem:
        audit.record("user.email_problem_cleared", user, by=by, before={"problem": user.email_problem})
    user.email_problem = ""
    user.email_failed_at = None


def set_no_email(user: User, no_email: bool, by: User) -> None:
    if user.no_email != no_email:
        audit.record("user.no_email", user, by=by, before={"no_email": user.no_email}, after={"no_email": no_email})
        user.no_email = no_email


# Wording ------------------------------------------------------------------------------------


def save_wording(festival: Festival, kind: str, language: str, subject: str, body: str, by: User) -> MailTemplate:
    """Save the organizers' wording of a kind of message (audited).

    :raise FestivalError: empty, a placeholder this kind does not know (a misspelling), or a link
        placed where it would not stand alone (check_links).
    """
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise FestivalError(_l("Tiêu đề và nội dung thư không được để trống."))
    unknown = messages.unknown_placeholders(kind, subject + " " + body)
    if unknown:
        raise FestivalError(
            _l("Không có chỗ trống %(names)s trong loại thư này.", names=", ".join("{" + n + "}" for n in unknown))
        )
    check_links(kind, subject, body)
    template = messages.saved_template(festival, kind, language)
    before = {"subject": template.subject, "body": template.body} if template else None
    if template is None:
        template = MailTemplate(festival_id=festival.id, kind=kind, language=language, subject=subject, body=body)
        db.session.add(template)
    template.subject, template.body = subject, body
    template.updated_by_id = by.id
    template.updated_at = utcnow()
    db.session.flush()
    audit.record("mail.template_saved", template, by=by, before=before, after={"subject": subject, "body": body})
    return template


def check_links(kind: str, subject: str, body: str) -> None:
    """Refuse wording that glues a link to anything else, or moves a secret link out of the body.

    :raise FestivalError: `{link}` inside another address, markup or a word; a secret link in the
        subject (it would be kept in the outbox) or missing from the body.
    """
    misplaced = messages.misplaced_links(subject + " " + body)
    if misplaced:
        raise FestivalError(
            _l(
                "Liên kết phải đứng riêng, cách chữ khác bằng dấu cách: không đặt nó trong một địa chỉ, thẻ HTML "
                "hay từ khác (%(words)s).",
                words=", ".join(misplaced[:3]),
            )
        )
    if kind in messages.SECRET_LINK_KINDS:
        if "{link}" in subject:
            raise FestivalError(_l("Liên kết riêng {link} chỉ đặt được trong nội dung thư, không trong tiêu đề."))
        if "{link}" not in body:
            raise FestivalError(_l("Nội dung thư này phải có chỗ trống {link}: người nhận cần liên kết đó."))


def reset_wording(festival: Festival, kind: str, language: str, by: User) -> None:
    """Go back to the default wording."""
    template = messages.saved_template(festival, kind, language)
    if template is not None:
        audit.record(
            "mail.template_reset", template, by=by, before={"subject": template.subject, "body": template.body}
        )
        db.session.delete(template)


def sample_values(kind: str) -> dict:
    """Made-up values for a template's preview."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    samples = {
        "name": "Nguyễn Thị Hoa",
        "role": "Đơn vị",
        "unit": "Tổng Công ty May 10",
        "link": f"{base}/…",
        "days": "14",
        "minutes": "60",
        "exhibit": "Cữ gá may túi tự động",
        "code": "KT-07",
        "booth": "12",
        "comment": "Bổ sung ảnh chụp thiết bị.",
        "reason": "Trùng với sáng kiến đã đạt giải năm trước.",
        "closes_at": "17:00 15/06/2026",
        "drafts": "- Cữ gá may túi tự động",
        "count": "3",
        "list": "1. KT-07 – gian 12 – Cữ gá may túi tự động",
        "added": "- KT-07 – gian 12",
        "removed": "- KT-02 – gian 3",
        "day": "15/06/2026",
        "award": "Giải Nhất",
        "serial": "LĐST3-2026-00017",
        "verify": f"{base}/verify/LĐST3-2026-00017",
    }
    return {name: samples.get(name, "") for name in messages.KINDS[kind].placeholders}
