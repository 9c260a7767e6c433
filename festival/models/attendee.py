"""Attendees of a festival, their badge roles and tokens, and every scan at the gates."""

import enum
import secrets
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from festival.models.base import db, utcnow
from festival.models.core import Festival, Unit, User


class BadgeRole(db.Model):
    """A kind of attendee with the colour of its band on the badge (Đại biểu, Giám khảo…)."""

    __tablename__ = "badge_roles"
    __table_args__ = (sa.UniqueConstraint("festival_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    name_vi: Mapped[str] = mapped_column(sa.String(60))
    name_en: Mapped[str] = mapped_column(sa.String(60), default="")
    colour: Mapped[str] = mapped_column(sa.String(7), default="#0d4c92")
    position: Mapped[int] = mapped_column(default=0)

    festival: Mapped[Festival] = relationship()

    def name(self, language: str = "vi") -> str:
        return self.name_en if language == "en" and self.name_en else self.name_vi


class AttendeeSource(enum.Enum):
    MANUAL = "manual"
    IMPORT = "import"
    UNIT = "unit"  # a delegate registered by the unit itself
    JUDGE = "judge"
    ORGANIZER = "organizer"
    AUTHOR = "author"

    @property
    def label(self):
        return SOURCE_LABELS[self]


SOURCE_LABELS = {
    AttendeeSource.MANUAL: _l("Ban tổ chức thêm"),
    AttendeeSource.IMPORT: _l("Nhập từ tệp"),
    AttendeeSource.UNIT: _l("Đơn vị đăng ký"),
    AttendeeSource.JUDGE: _l("Tự động: giám khảo"),
    AttendeeSource.ORGANIZER: _l("Tự động: ban tổ chức"),
    AttendeeSource.AUTHOR: _l("Tự động: tác giả"),
}


def new_badge_token() -> str:
    """128 random bits, URL-safe (22 characters): unguessable and short enough for a small QR code."""
    return secrets.token_urlsafe(16)


class Attendee(db.Model):
    """A person who comes to the festival and wears a badge."""

    __tablename__ = "attendees"
    __table_args__ = (
        sa.UniqueConstraint("festival_id", "email"),
        sa.UniqueConstraint("festival_id", "phone"),
        sa.UniqueConstraint("festival_id", "user_id"),
        sa.UniqueConstraint("festival_id", "person_key"),
        # The check-in dashboard's counts read these alone, never the rows: arrivals per quarter-hour by time,
        # and the people per role, unit or outside organisation with how many of them arrived.
        sa.Index("ix_attendees_festival_id_checked_in_at", "festival_id", "checked_in_at"),
        sa.Index(
            "ix_attendees_festival_id_groups", "festival_id", "role_id", "unit_id", "organisation", "checked_in_at"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    unit_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("units.id"), index=True)
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")  # for guests and press without a unit
    role_id: Mapped[int] = mapped_column(sa.ForeignKey("badge_roles.id"), index=True)
    email: Mapped[Optional[str]] = mapped_column(sa.String(254))
    phone: Mapped[Optional[str]] = mapped_column(sa.String(20))
    source: Mapped[AttendeeSource] = mapped_column(default=AttendeeSource.MANUAL)
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Who an automatic attendee is, so synchronising twice never makes a second badge
    # (e.g. "author:<folded name>:<unit id>" for an author of several exhibits).
    person_key: Mapped[Optional[str]] = mapped_column(sa.String(300))
    # A client-made unique value: it lets SQLite insert many attendees in one statement.
    badge_token: Mapped[str] = mapped_column(sa.String(43), unique=True, default=new_badge_token, insert_sentinel=True)
    token_issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    printed_at: Mapped[Optional[datetime]]
    checked_in_at: Mapped[Optional[datetime]]
    checked_in_gate: Mapped[Optional[str]] = mapped_column(sa.String(60))
    search_text: Mapped[str] = mapped_column(sa.String(600), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    no_email: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    email_problem: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")

    festival: Mapped[Festival] = relationship()
    unit: Mapped[Optional[Unit]] = relationship(back_populates="attendees")
    role: Mapped[BadgeRole] = relationship()
    user: Mapped[Optional[User]] = relationship()

    @property
    def affiliation(self) -> str:
        return self.unit.name if self.unit else self.organisation

    def searchable_text(self) -> str:
        unit = self.unit.code if self.unit else ""
        return f"{self.full_name} {self.email or ''} {self.phone or ''} {unit} {self.organisation}"


class RevokedBadge(db.Model):
    """A badge token replaced by a reissue: scanning it says so instead of "unknown"."""

    __tablename__ = "revoked_badges"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(43), unique=True)
    attendee_id: Mapped[int] = mapped_column(sa.ForeignKey("attendees.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    revoked_at: Mapped[datetime] = mapped_column(default=utcnow)

    attendee: Mapped[Attendee] = relationship()


class ScanResult(enum.Enum):
    CHECKED_IN = "checked_in"
    ALREADY = "already"
    UNKNOWN = "unknown"
    REVOKED = "revoked"


class CheckIn(db.Model):
    """One scan (or search) at a gate, failed ones too: who, where, when, what happened."""

    __tablename__ = "check_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    attendee_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("attendees.id", ondelete="SET NULL"), index=True)
    staff_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    gate: Mapped[str] = mapped_column(sa.String(60))
    result: Mapped[ScanResult]
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    method: Mapped[str] = mapped_column(sa.String(10), default="scan")  # scan | search
    # Decided on the gate's device while the server could not be reached, uploaded later: what
    # the gate showed then (a green screen lets the person in, whatever the server says now).
    offline: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    shown: Mapped[Optional[ScanResult]]
    # The scanner's id for this scan: a retried request carries the same one and is not counted twice.
    nonce: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scanned_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # When the server recorded it (an offline scan arrives later than it was made); empty on rows
    # from before this was kept. Tells whether a gate's list could have known of an arrival.
    received_at: Mapped[Optional[datetime]] = mapped_column(default=utcnow)

    attendee: Mapped[Optional[Attendee]] = relationship()
    staff: Mapped[Optional[User]] = relationship()


class HoldReason(enum.Enum):
    OUTSIDE_FESTIVAL = "outside_festival"  # dated outside the festival's days (and the margin around them)
    FUTURE = "future"  # dated later than the server's clock, beyond the clock-skew margin
    BEFORE_LIST = "before_list"  # dated before the device fetched the check-in list it decided from
    NO_LIST = "no_list"  # no valid check-in list token: the server cannot tell when the device got its list

    @property
    def label(self):
        return HOLD_REASON_LABELS[self]


HOLD_REASON_LABELS = {
    HoldReason.OUTSIDE_FESTIVAL: _l("Ngoài các ngày của Ngày hội"),
    HoldReason.FUTURE: _l("Giờ quét muộn hơn giờ máy chủ"),
    HoldReason.BEFORE_LIST: _l("Trước khi thiết bị tải danh sách"),
    HoldReason.NO_LIST: _l("Không rõ thiết bị tải danh sách khi nào"),
}


class HeldScan(db.Model):
    """An offline scan whose time the server cannot believe: kept, never applied by itself, for an
    organizer to accept (an arrival at the time the server received it) or dismiss."""

    __tablename__ = "held_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    attendee_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("attendees.id", ondelete="SET NULL"))
    gate: Mapped[str] = mapped_column(sa.String(60))
    method: Mapped[str] = mapped_column(sa.String(10), default="scan")  # scan | search
    # What the code is to the server when it arrived: a live badge (checked_in), unknown or revoked.
    badge: Mapped[ScanResult]
    note: Mapped[str] = mapped_column(sa.String(200), default="")  # why the code was refused, if it was
    nonce: Mapped[str] = mapped_column(sa.String(64), unique=True)
    reason: Mapped[HoldReason]
    claimed_at: Mapped[datetime]  # the device's time for the scan
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    decision: Mapped[Optional[str]] = mapped_column(sa.String(10))  # None (waiting) | accepted | dismissed
    decided_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[Optional[datetime]]

    attendee: Mapped[Optional[Attendee]] = relationship()
    staff: Mapped[Optional[User]] = relationship(foreign_keys=[staff_id])
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])
