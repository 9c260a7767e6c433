"""The festival's core records: editions, member units, user accounts and the audit log."""

import enum
import secrets
from datetime import date, datetime
from typing import Any, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from festival.models.base import db, utcnow


class Region(enum.Enum):
    HANOI = "hanoi"
    HUE = "hue"
    DANANG = "danang"
    HCMC = "hcmc"

    @property
    def label(self):
        return REGION_LABELS[self]


REGION_LABELS = {
    Region.HANOI: _l("Hà Nội"),
    Region.HUE: _l("Huế"),
    Region.DANANG: _l("Đà Nẵng"),
    Region.HCMC: _l("TP.HCM"),
}


class Role(enum.Enum):
    ORGANIZER = "organizer"
    UNIT = "unit"
    JUDGE = "judge"
    CHECKIN = "checkin"
    SUPPORT = "support"  # a unit's initiative support team (tổ hỗ trợ sáng kiến): the register only

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ORGANIZER: _l("Ban tổ chức"),
    Role.UNIT: _l("Đơn vị"),
    Role.JUDGE: _l("Giám khảo"),
    Role.CHECKIN: _l("Đón tiếp (check-in)"),
    Role.SUPPORT: _l("Tổ hỗ trợ sáng kiến"),
}


class Festival(db.Model):
    """One edition of the Creative Labour Festival; exactly one is current."""

    __tablename__ = "festivals"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    venue: Mapped[str] = mapped_column(sa.String(300))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    registration_opens_at: Mapped[datetime]
    registration_closes_at: Mapped[datetime]
    judging_opens_at: Mapped[datetime]
    judging_closes_at: Mapped[datetime]
    is_current: Mapped[bool] = mapped_column(default=False)
    exhibit_quota: Mapped[int] = mapped_column(default=10, server_default="10")
    delegate_quota: Mapped[int] = mapped_column(default=5, server_default="5")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[list["ProgrammeItem"]] = relationship(
        back_populates="festival",
        order_by="ProgrammeItem.starts_at",
        cascade="all, delete-orphan",
    )

    def is_registration_open(self, now: datetime) -> bool:
        return self.registration_opens_at <= now < self.registration_closes_at

    def __repr__(self):
        return f"<Festival {self.edition}>"


class ProgrammeItem(db.Model):
    """A line of the festival's programme shown on the public home page."""

    __tablename__ = "programme_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[Optional[datetime]]
    title: Mapped[str] = mapped_column(sa.String(300))
    location: Mapped[str] = mapped_column(sa.String(200), default="")

    festival: Mapped[Festival] = relationship(back_populates="programme")


class Unit(db.Model):
    """A member unit: a company of the sector and its grassroots trade union."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    short_name: Mapped[str] = mapped_column(sa.String(100))
    region: Mapped[Region]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    search_text: Mapped[str] = mapped_column(sa.String(700), default="")

    users: Mapped[list["User"]] = relationship(back_populates="unit")
    # Attendee is named, not imported: models/attendee.py imports this module. Deleting a unit leaves its
    # attendees to the foreign key (refused while any remain), never unlinks them.
    attendees: Mapped[list[Any]] = relationship("Attendee", back_populates="unit", passive_deletes="all")

    def searchable_text(self) -> str:
        return f"{self.code} {self.name} {self.short_name}"

    def search_owners(self) -> list:
        """People are found by their unit's code: a new code changes their search text too."""
        if self.id is None or not sa.inspect(self).attrs.code.history.has_changes():
            return []
        return list(self.attendees)

    def __repr__(self):
        return f"<Unit {self.code}>"


class User(UserMixin, db.Model):
    """A person who signs in: an organizer, a unit's representative, a judge or check-in staff."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[Optional[str]] = mapped_column(sa.String(255))
    role: Mapped[Role]
    unit_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("units.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Only a hash of the invitation token is kept, so a database copy cannot be used to sign in.
    invitation_hash: Mapped[Optional[str]] = mapped_column(sa.String(64), unique=True)
    invitation_expires_at: Mapped[Optional[datetime]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[Optional[datetime]]
    search_text: Mapped[str] = mapped_column(sa.String(500), default="")
    # The language the person last chose (their messages are written in it); None: not known yet.
    language: Mapped[Optional[str]] = mapped_column(sa.String(5))
    # "No e-mail" (the unit asked for it), and the reason the address last failed for good.
    no_email: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    email_problem: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    email_failed_at: Mapped[Optional[datetime]]
    # Password reset by e-mail: the hash of a single-use token and when it stops working.
    reset_hash: Mapped[Optional[str]] = mapped_column(sa.String(64), unique=True)
    reset_expires_at: Mapped[Optional[datetime]]
    # When the person last signed out of every device (or was locked, or changed the password): a
    # browser still holding a cookie from before then wipes what it kept for offline use.
    sessions_ended_at: Mapped[Optional[datetime]]

    unit: Mapped[Optional[Unit]] = relationship(back_populates="users")
    sessions: Mapped[list["UserSession"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    # The raw token of the session this request signed in with (never stored: only its hash is), and that
    # session's row when the sign-in read it.
    session_key = None
    signed_in_session = None

    def searchable_text(self) -> str:
        return f"{self.full_name} {self.email}"

    def get_id(self) -> str:
        return f"{self.id}:{self.session_key}"

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    def __repr__(self):
        return f"<User {self.email} {self.role.value}>"


class SignInFailures(db.Model):
    """Wrong passwords for one e-mail address, whether or not an account has it (so the delays
    they cause say nothing about which addresses exist), counted by one atomic statement."""

    __tablename__ = "sign_in_failures"

    account_key: Mapped[str] = mapped_column(sa.String(254), primary_key=True)  # the e-mail as typed, normalised
    failures: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime]
    # Browsers without this account's device cookie may not try again before then (see auth/services.py).
    delayed_until: Mapped[Optional[datetime]]


class UserSession(db.Model):
    """A signed-in browser: its cookies name it, signing out deletes it, so a copied session or
    remember-me cookie opens nothing afterwards."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # SHA-256 of the cookie's token
    remember: Mapped[bool] = mapped_column(default=False)
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # Names the session on its own pages (a change waiting on the device says which session made
    # it); random, unlike the row id a database may give again, and no use for signing in.
    public_id: Mapped[Optional[str]] = mapped_column(sa.String(32), unique=True, default=lambda: secrets.token_hex(8))
    # What the device last reported from a judge page: when, and how many changes it had waiting.
    last_report_at: Mapped[Optional[datetime]]
    pending_changes: Mapped[int] = mapped_column(default=0, server_default="0")

    user: Mapped[User] = relationship(back_populates="sessions")


class BoardVersion(db.Model):
    """A live board's version: moved by the same transaction as any write to a table the board shows
    (festival/core/board_versions.py), so an open board's unchanged poll reads one row."""

    __tablename__ = "board_versions"

    board: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


class AuditLog(db.Model):
    """Who did what to which record, with the values before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[Optional[str]] = mapped_column(sa.String(40))
    object_id: Mapped[Optional[int]]
    before: Mapped[Optional[dict[str, Any]]] = mapped_column(sa.JSON)
    after: Mapped[Optional[dict[str, Any]]] = mapped_column(sa.JSON)

    user: Mapped[Optional[User]] = relationship()


class ImportMapping(db.Model):
    """How a festival's organizers mapped a file's columns to a list's fields, remembered for the next file
    with the same headers (found by their signature)."""

    __tablename__ = "import_mappings"
    __table_args__ = (sa.UniqueConstraint("festival_id", "kind", "signature"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))  # the list: "attendees", "exhibits"
    signature: Mapped[str] = mapped_column(sa.String(64))  # sha256 of the folded headers in order
    headers: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)  # as the file wrote them, for people
    mapping: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)  # column position -> field key
    scales: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)  # column position -> money multiplier
    updated_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class JobStatus(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class PrintJob(db.Model):
    """A long print (badges, certificates) rendered in the background, with its progress."""

    __tablename__ = "print_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(default=JobStatus.QUEUED)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(sa.Text, default="")
    filename: Mapped[Optional[str]] = mapped_column(sa.String(200))
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[Optional[datetime]]
    # A run of the job: "In lại" starts attempt n + 1, and a run that finds another attempt in the
    # row stops writing (its worker was thought dead). The running worker touches heartbeat_at
    # every few seconds; a job not heard from for PRINT_JOB_STALE_SECONDS died with its worker.
    attempt: Mapped[int] = mapped_column(default=1, server_default="1")
    started_at: Mapped[Optional[datetime]]
    heartbeat_at: Mapped[Optional[datetime]]

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0
