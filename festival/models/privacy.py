"""Personal data's lifetime and mishaps: each festival's retention periods, the purges run, the breach register,
and people's requests about their data."""

import enum
from datetime import datetime, timedelta
from typing import Any, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from festival.models.base import db, utcnow
from festival.models.core import Festival, User

AUTHORITY_DEADLINE = timedelta(hours=72)  # Decree 356/2025: the authority (A05) is told within 72 hours


class RetentionSetting(db.Model):
    """An organizer's period for one category of personal data in one festival (the default until saved)."""

    __tablename__ = "retention_settings"
    __table_args__ = (sa.UniqueConstraint("festival_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(sa.String(40))  # a key of festival.privacy.inventory.CATEGORIES
    days: Mapped[int]
    updated_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PurgeRun(db.Model):
    """One run of the retention purge (or its dry run): when, by whom (nobody: the daily schedule), how much."""

    __tablename__ = "purge_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    ran_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    scheduled: Mapped[bool] = mapped_column(default=False)
    dry_run: Mapped[bool] = mapped_column(default=False)
    counts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)  # category key -> rows (or files)

    festival: Mapped[Festival] = relationship()
    by: Mapped[Optional[User]] = relationship()

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class Breach(db.Model):
    """A personal data breach: what happened, who and what it touched, what was done, who was told and when."""

    __tablename__ = "breaches"

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    what_happened: Mapped[str] = mapped_column(sa.Text)
    found_at: Mapped[datetime]
    people_affected: Mapped[Optional[int]]  # how many, when known
    people_description: Mapped[str] = mapped_column(sa.Text, default="")
    data_affected: Mapped[str] = mapped_column(sa.Text, default="")
    actions_taken: Mapped[str] = mapped_column(sa.Text, default="")
    authority_notified_at: Mapped[Optional[datetime]]
    authority_name: Mapped[str] = mapped_column(sa.String(200), default="")
    people_notified_at: Mapped[Optional[datetime]]
    people_notice: Mapped[str] = mapped_column(sa.Text, default="")  # how the people affected were told
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    festival: Mapped[Festival] = relationship()
    created_by: Mapped[Optional[User]] = relationship()

    @property
    def authority_due_at(self) -> datetime:
        return self.found_at + AUTHORITY_DEADLINE

    def is_overdue(self, now: datetime) -> bool:
        """72 hours have passed since it was found and the authority has not been told."""
        return self.authority_notified_at is None and now > self.authority_due_at


class RequestRight(enum.Enum):
    """The right a person uses (Law 91/2025/QH15, Art. 4)."""

    KNOW = "know"
    WITHDRAW = "withdraw"
    ACCESS = "access"
    COPY = "copy"
    CORRECT = "correct"
    DELETE = "delete"
    RESTRICT = "restrict"
    OBJECT = "object"

    @property
    def label(self):
        return REQUEST_RIGHT_LABELS[self]


REQUEST_RIGHT_LABELS = {
    RequestRight.KNOW: _l("Được biết về việc xử lý dữ liệu"),
    RequestRight.WITHDRAW: _l("Rút lại sự đồng ý"),
    RequestRight.ACCESS: _l("Xem dữ liệu"),
    RequestRight.COPY: _l("Nhận bản sao dữ liệu"),
    RequestRight.CORRECT: _l("Chỉnh sửa dữ liệu"),
    RequestRight.DELETE: _l("Xoá dữ liệu"),
    RequestRight.RESTRICT: _l("Hạn chế xử lý"),
    RequestRight.OBJECT: _l("Phản đối xử lý"),
}


class RequestChannel(enum.Enum):
    """How a request reached the organizers."""

    WEB = "web"
    EMAIL = "email"
    LETTER = "letter"
    PHONE = "phone"
    IN_PERSON = "in_person"

    @property
    def label(self):
        return REQUEST_CHANNEL_LABELS[self]


REQUEST_CHANNEL_LABELS = {
    RequestChannel.WEB: _l("Biểu mẫu trên trang web"),
    RequestChannel.EMAIL: _l("E-mail"),
    RequestChannel.LETTER: _l("Thư, giấy tờ"),
    RequestChannel.PHONE: _l("Điện thoại"),
    RequestChannel.IN_PERSON: _l("Trực tiếp"),
}


class DataRequest(db.Model):
    """A person's request about their personal data: who, which right, when and how it came, and what was done
    (acknowledged, extended once, completed or refused) — the evidence that it was answered in time."""

    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    subject_name: Mapped[str] = mapped_column(sa.String(200))
    subject_contact: Mapped[str] = mapped_column(sa.String(200), default="")  # an e-mail or a phone, as given
    right: Mapped[RequestRight]
    received_at: Mapped[datetime] = mapped_column(index=True)
    channel: Mapped[RequestChannel]
    processor_involved: Mapped[bool] = mapped_column(default=False)
    details: Mapped[str] = mapped_column(sa.Text, default="")
    acknowledged_at: Mapped[Optional[datetime]]
    extended_at: Mapped[Optional[datetime]]
    extension_reason: Mapped[str] = mapped_column(sa.Text, default="")
    completed_at: Mapped[Optional[datetime]]  # completed or refused
    refused: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str] = mapped_column(sa.Text, default="")  # what was done, or why it was refused
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    festival: Mapped[Festival] = relationship()
    created_by: Mapped[Optional[User]] = relationship()

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    @property
    def is_extended(self) -> bool:
        return self.extended_at is not None
