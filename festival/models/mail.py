"""E-mail: every message in the outbox with its state, bulk sends, and the wording organizers edit."""

import enum
from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from festival.models.base import db, utcnow
from festival.models.core import Festival, User


class MailStatus(enum.Enum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BOUNCED = "bounced"

    @property
    def label(self):
        return MAIL_STATUS_LABELS[self]


MAIL_STATUS_LABELS = {
    MailStatus.QUEUED: _l("Đang chờ gửi"),
    MailStatus.SENDING: _l("Đang gửi"),
    MailStatus.SENT: _l("Đã gửi"),
    MailStatus.FAILED: _l("Gửi không được"),
    MailStatus.BOUNCED: _l("Bị trả lại"),
}


class MailBatch(db.Model):
    """A bulk send (invitations to every pending account, badges to every attendee…), for its progress."""

    __tablename__ = "mail_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    total: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)  # people marked "no e-mail" or without an address
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[Optional[User]] = relationship()


class MailMessage(db.Model):
    """One message to one recipient, as it was (or will be) sent, and what became of it.

    Secret links (invitations, password resets) are not stored: the body keeps `{link}` and the
    queued task carries the link, so a copy of the database opens nothing.
    """

    __tablename__ = "mail_messages"
    __table_args__ = (sa.Index("ix_mail_messages_status", "status", "scheduled_for"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    batch_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("mail_batches.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    # What the message is about, e.g. ("exhibits", 12), so a resend or a change can find it.
    subject_type: Mapped[Optional[str]] = mapped_column(sa.String(40))
    subject_id: Mapped[Optional[int]]
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    attendee_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("attendees.id", ondelete="SET NULL"))
    recipient_email: Mapped[str] = mapped_column(sa.String(254))
    recipient_name: Mapped[str] = mapped_column(sa.String(200), default="")
    language: Mapped[str] = mapped_column(sa.String(5), default="vi")
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)  # the HTML part is made from it when sent
    # [{"type": "badge"|"certificate", "id": n}]: rendered when sent, never stored twice.
    attachments: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    # Values the message was written from (a judge's list, for comparing with a later one).
    facts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    has_secret_link: Mapped[bool] = mapped_column(default=False)
    message_id: Mapped[str] = mapped_column(sa.String(200), unique=True)  # the Message-ID header
    status: Mapped[MailStatus] = mapped_column(default=MailStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    outbox_file: Mapped[Optional[str]] = mapped_column(sa.String(200))  # the .eml written without SMTP
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    audit_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("audit_log.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    scheduled_for: Mapped[datetime] = mapped_column(default=utcnow)  # throttling: not sent before then
    sent_at: Mapped[Optional[datetime]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    festival: Mapped[Optional[Festival]] = relationship()
    batch: Mapped[Optional[MailBatch]] = relationship()
    user: Mapped[Optional[User]] = relationship(foreign_keys=[user_id])
    created_by: Mapped[Optional[User]] = relationship(foreign_keys=[created_by_id])

    @property
    def is_finished(self) -> bool:
        return self.status in (MailStatus.SENT, MailStatus.FAILED, MailStatus.BOUNCED)


class MailTemplate(db.Model):
    """An organizer's wording of one kind of message in one language (the default until saved)."""

    __tablename__ = "mail_templates"
    __table_args__ = (sa.UniqueConstraint("festival_id", "kind", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    language: Mapped[str] = mapped_column(sa.String(5), default="vi")
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    updated_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
