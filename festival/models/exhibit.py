"""Exhibits: the innovations units register, with their authors, categories and files."""

import enum
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from festival.models.base import db, utcnow
from festival.models.core import Festival, Unit, User

MAX_AUTHORS = 6
MAX_ATTACHMENTS = 8


class ExhibitStatus(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self):
        return STATUS_LABELS[self]

    @property
    def colour(self):
        return STATUS_COLOURS[self]


STATUS_LABELS = {
    ExhibitStatus.DRAFT: _l("Bản nháp"),
    ExhibitStatus.SUBMITTED: _l("Đã gửi, chờ duyệt"),
    ExhibitStatus.RETURNED: _l("Trả lại để sửa"),
    ExhibitStatus.ACCEPTED: _l("Đã duyệt"),
    ExhibitStatus.REJECTED: _l("Không duyệt"),
    ExhibitStatus.WITHDRAWN: _l("Đã rút"),
}

# States in which the unit may still change its exhibit (while registration is open).
UNIT_EDITABLE = (ExhibitStatus.DRAFT, ExhibitStatus.SUBMITTED, ExhibitStatus.RETURNED)

STATUS_COLOURS = {
    ExhibitStatus.DRAFT: "secondary",
    ExhibitStatus.SUBMITTED: "primary",
    ExhibitStatus.RETURNED: "warning",
    ExhibitStatus.ACCEPTED: "success",
    ExhibitStatus.REJECTED: "danger",
    ExhibitStatus.WITHDRAWN: "dark",
}


class ApplicationScope(enum.Enum):
    OWN_UNIT = "own_unit"
    SEVERAL_UNITS = "several_units"
    WHOLE_SECTOR = "whole_sector"

    @property
    def label(self):
        return SCOPE_LABELS[self]


SCOPE_LABELS = {
    ApplicationScope.OWN_UNIT: _l("Trong đơn vị"),
    ApplicationScope.SEVERAL_UNITS: _l("Ở một số đơn vị"),
    ApplicationScope.WHOLE_SECTOR: _l("Toàn ngành"),
}


class Category(db.Model):
    """A field (lĩnh vực) exhibits are registered and judged in, per festival."""

    __tablename__ = "categories"
    __table_args__ = (sa.UniqueConstraint("festival_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(10))
    name_vi: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    festival: Mapped[Festival] = relationship()

    def name(self, language: str = "vi") -> str:
        return self.name_en if language == "en" and self.name_en else self.name_vi


class Exhibit(db.Model):
    """An innovation a unit shows at the festival, from draft to accepted (with code and booth)."""

    __tablename__ = "exhibits"
    __table_args__ = (
        sa.UniqueConstraint("festival_id", "code"),
        sa.UniqueConstraint("festival_id", "ref"),
        sa.CheckConstraint("benefit_vnd >= 0", name="benefit_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    # A reference from an imported spreadsheet (e.g. E001), so the same row is never imported twice.
    ref: Mapped[Optional[str]] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    problem: Mapped[str] = mapped_column(sa.Text, default="")
    solution: Mapped[str] = mapped_column(sa.Text, default="")
    results: Mapped[str] = mapped_column(sa.Text, default="")
    benefit_vnd: Mapped[Optional[int]] = mapped_column(sa.BigInteger)
    applied_since: Mapped[Optional[int]]
    scope: Mapped[Optional[ApplicationScope]]
    status: Mapped[ExhibitStatus] = mapped_column(default=ExhibitStatus.DRAFT, index=True)
    code: Mapped[Optional[str]] = mapped_column(sa.String(20))
    code_number: Mapped[Optional[int]]
    booth: Mapped[Optional[str]] = mapped_column(sa.String(20))
    zone: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")  # the hall zone, e.g. "Khu A"
    # The organizers' latest word to the unit: why it was returned or rejected.
    review_comment: Mapped[str] = mapped_column(sa.Text, default="")
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[Optional[datetime]]

    festival: Mapped[Festival] = relationship()
    unit: Mapped[Unit] = relationship()
    category: Mapped[Category] = relationship()
    created_by: Mapped[Optional[User]] = relationship()
    authors: Mapped[list["Author"]] = relationship(
        back_populates="exhibit", order_by="Author.position", cascade="all, delete-orphan"
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="exhibit", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    @property
    def lead_author(self) -> Optional["Author"]:
        return self.authors[0] if self.authors else None

    @property
    def images(self) -> list["Attachment"]:
        return [a for a in self.attachments if a.is_image]

    @property
    def documents(self) -> list["Attachment"]:
        return [a for a in self.attachments if not a.is_image]

    @property
    def is_public(self) -> bool:
        return self.status is ExhibitStatus.ACCEPTED

    def searchable_text(self) -> str:
        return f"{self.code or ''} {self.title} {' '.join(a.full_name for a in self.authors)}"

    def __repr__(self):
        return f"<Exhibit {self.id} {self.code or self.status.value}>"


class Author(db.Model):
    """One of an exhibit's 1–6 authors; position 0 is the lead author."""

    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibit_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibits.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    job_title: Mapped[str] = mapped_column(sa.String(200), default="")
    department: Mapped[str] = mapped_column(sa.String(200), default="")

    exhibit: Mapped[Exhibit] = relationship(back_populates="authors")

    def search_owners(self) -> list:
        return [self.exhibit]


class Attachment(db.Model):
    """A photo (re-encoded, with a thumbnail) or PDF document of an exhibit, stored under instance/."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibit_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibits.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    thumbnail_name: Mapped[Optional[str]] = mapped_column(sa.String(80))
    content_type: Mapped[str] = mapped_column(sa.String(60))
    size: Mapped[int]
    width: Mapped[Optional[int]]
    height: Mapped[Optional[int]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    exhibit: Mapped[Exhibit] = relationship(back_populates="attachments")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
