"""The privacy notice's published versions and people's consents, with the evidence the law asks for."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from festival.models.attendee import Attendee
from festival.models.base import db, utcnow
from festival.models.core import Festival, User
from festival.models.exhibit import Author

# Purposes for which consent (not the service the person signed up for) is the legal basis.
GALLERY_NAME_PHOTO = "gallery_name_photo"  # an author's name and photo in the public gallery and booth posters
VOTE_PHONE = "vote_phone"  # the visitors' vote linking a phone to a badge
NEWSLETTER = "newsletter"  # e-mails that are not service messages
PURPOSES = (GALLERY_NAME_PHOTO, VOTE_PHONE, NEWSLETTER)

# How a consent was given or withdrawn.
HOW_WEB = "web"  # ticked on a form on this site (for an author: by the unit, on the author's declaration)
HOW_IMPORT = "import"  # a column of the unit's spreadsheet declaration
HOW_PAPER = "paper"  # a signed paper form, kept by the organizers
HOWS = (HOW_WEB, HOW_IMPORT, HOW_PAPER)


class PrivacyNotice(db.Model):
    """One published version of a festival's privacy notice (each saved edit is a new version)."""

    __tablename__ = "privacy_notices"
    __table_args__ = (sa.UniqueConstraint("festival_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    body_vi: Mapped[str] = mapped_column(sa.Text)
    body_en: Mapped[str] = mapped_column(sa.Text, default="")
    contact: Mapped[str] = mapped_column(sa.String(300), default="")
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    festival: Mapped[Festival] = relationship()
    published_by: Mapped[Optional[User]] = relationship()

    def body(self, language: str = "vi") -> str:
        return (self.body_en if language == "en" else "") or self.body_vi


class Consent(db.Model):
    """A person's consent to one purpose: who, what, under which notice version, when, how, recorded by whom, and
    its withdrawal. Kept after withdrawal as the evidence; the subject's name is kept as it was given."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    subject_kind: Mapped[str] = mapped_column(sa.String(20))  # "author", "attendee" or "user"
    author_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("authors.id", ondelete="SET NULL"), index=True)
    attendee_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("attendees.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject_name: Mapped[str] = mapped_column(sa.String(200), default="")
    purpose: Mapped[str] = mapped_column(sa.String(40))
    notice_version: Mapped[int]  # 0: the default notice, before organizers published one
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    how: Mapped[str] = mapped_column(sa.String(10))
    recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[Optional[datetime]]
    withdrawn_how: Mapped[Optional[str]] = mapped_column(sa.String(10))
    withdrawn_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    festival: Mapped[Festival] = relationship()
    author: Mapped[Optional[Author]] = relationship()
    attendee: Mapped[Optional[Attendee]] = relationship()
    user: Mapped[Optional[User]] = relationship(foreign_keys=[user_id])
    recorded_by: Mapped[Optional[User]] = relationship(foreign_keys=[recorded_by_id])
    withdrawn_by: Mapped[Optional[User]] = relationship(foreign_keys=[withdrawn_by_id])

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
