"""The visitors' choice vote: its settings, the phones linked to badges, votes, paper ballots, winners."""

import enum
from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from festival.models.attendee import Attendee
from festival.models.base import db, utcnow
from festival.models.core import Festival, User
from festival.models.exhibit import Category, Exhibit


class VotePolicy(db.Model):
    """How a festival's visitors' choice vote runs (a festival without a row has the defaults, vote off)."""

    __tablename__ = "vote_policies"

    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), primary_key=True)
    is_enabled: Mapped[bool] = mapped_column(default=False)
    # None: the festival's days (from the first day's midnight to the last day's end, festival time).
    opens_at: Mapped[Optional[datetime]]
    closes_at: Mapped[Optional[datetime]]
    # Badge role codes that may vote; empty: every role.
    voter_roles: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    per_category: Mapped[bool] = mapped_column(default=False)  # one vote per category, or one overall
    own_unit_allowed: Mapped[bool] = mapped_column(default=False)  # authors voting for their own unit
    winners: Mapped[int] = mapped_column(default=1)  # exhibits given the prize (per category if per_category)
    results_unlocked_at: Mapped[Optional[datetime]]
    results_unlocked_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    unlock_reason: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    festival: Mapped[Festival] = relationship()
    results_unlocked_by: Mapped[Optional[User]] = relationship()


class VoteDevice(db.Model):
    """The one phone a badge is linked to: the secret its signed cookie carries (re-linking replaces it)."""

    __tablename__ = "vote_devices"

    attendee_id: Mapped[int] = mapped_column(sa.ForeignKey("attendees.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(sa.String(43), unique=True)
    badge_token: Mapped[str] = mapped_column(sa.String(43))  # the badge scanned to link
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    address: Mapped[str] = mapped_column(sa.String(64), default="")
    links: Mapped[int] = mapped_column(default=1)

    attendee: Mapped[Attendee] = relationship()


class VoteSource(enum.Enum):
    PHONE = "phone"
    KIOSK = "kiosk"

    @property
    def label(self):
        return SOURCE_LABELS[self]


SOURCE_LABELS = {VoteSource.PHONE: _l("Điện thoại"), VoteSource.KIOSK: _l("Máy bình chọn")}


class Vote(db.Model):
    """A badge's vote in one slot (overall, or one category): changed in place until the window closes."""

    __tablename__ = "votes"
    __table_args__ = (sa.UniqueConstraint("badge_token", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    attendee_id: Mapped[int] = mapped_column(sa.ForeignKey("attendees.id", ondelete="CASCADE"), index=True)
    # The badge that cast it: a reissued badge's votes are withdrawn, the new badge votes afresh.
    badge_token: Mapped[str] = mapped_column(sa.String(43))
    slot: Mapped[int]  # the category's id when voting per category, 0 for the one overall vote
    exhibit_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibits.id", ondelete="CASCADE"), index=True)
    source: Mapped[VoteSource]
    address: Mapped[str] = mapped_column(sa.String(64), default="")
    cast_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changes: Mapped[int] = mapped_column(default=0)
    withdrawn_at: Mapped[Optional[datetime]]
    withdrawn_reason: Mapped[str] = mapped_column(sa.String(200), default="")

    attendee: Mapped[Attendee] = relationship()
    exhibit: Mapped[Exhibit] = relationship()


class PaperBallots(db.Model):
    """A count of paper ballots for one exhibit, entered by an organizer (several entries add up)."""

    __tablename__ = "paper_ballots"

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    exhibit_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibits.id", ondelete="CASCADE"), index=True)
    count: Mapped[int]
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    entered_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    exhibit: Mapped[Exhibit] = relationship()
    entered_by: Mapped[Optional[User]] = relationship()


class VisitorAward(db.Model):
    """An exhibit given the visitors' choice prize (Giải do khán giả bình chọn), beside any judged award."""

    __tablename__ = "visitor_awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    exhibit_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibits.id", ondelete="CASCADE"), unique=True)
    category_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("categories.id", ondelete="SET NULL"))
    votes: Mapped[int]
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)
    awarded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    exhibit: Mapped[Exhibit] = relationship()
    category: Mapped[Optional[Category]] = relationship()
