"""The programme all year: a unit's register of workers' initiatives (sổ sáng kiến), from an idea on the line
to the unit council's recognition, its benefit and remuneration, the unit's targets, and the festival it is
nominated to.

Authors need no account. Money is whole đồng in BIGINT, as exhibits keep it.
"""

import enum
import secrets
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from festival.models.base import db, utcnow
from festival.models.core import Unit, User
from festival.models.exhibit import Exhibit


class InitiativeField(enum.Enum):
    """The union's fields of initiatives (lĩnh vực), as the programme counts them."""

    PRODUCTION = "production"
    SAFETY = "safety"
    ADMINISTRATION = "administration"
    COMMUNITY = "community"

    @property
    def label(self):
        return FIELD_LABELS[self]


FIELD_LABELS = {
    InitiativeField.PRODUCTION: _l("Sản xuất, kinh doanh"),
    InitiativeField.SAFETY: _l("An toàn, vệ sinh lao động và môi trường"),
    InitiativeField.ADMINISTRATION: _l("Cải cách hành chính, xây dựng Đảng, công đoàn, quản lý"),
    InitiativeField.COMMUNITY: _l("Cộng đồng (y tế, giáo dục)"),
}


class InitiativeState(enum.Enum):
    """Where an initiative stands: received → proposed → applied → recognised or not recognised."""

    RECEIVED = "received"
    PROPOSED = "proposed"
    APPLIED = "applied"
    RECOGNISED = "recognised"
    NOT_RECOGNISED = "not_recognised"

    @property
    def label(self):
        return STATE_LABELS[self]


STATE_LABELS = {
    InitiativeState.RECEIVED: _l("Đã tiếp nhận ý tưởng"),
    InitiativeState.PROPOSED: _l("Đã đề xuất với lãnh đạo"),
    InitiativeState.APPLIED: _l("Đã áp dụng"),
    InitiativeState.RECOGNISED: _l("Đã được công nhận"),
    InitiativeState.NOT_RECOGNISED: _l("Không được công nhận"),
}


class Application(enum.Enum):
    """How an applied initiative is used: on trial or in full."""

    TRIAL = "trial"
    FULL = "full"

    @property
    def label(self):
        return APPLICATION_LABELS[self]


APPLICATION_LABELS = {Application.TRIAL: _l("Áp dụng thử"), Application.FULL: _l("Áp dụng chính thức")}


class RecognitionLevel(enum.Enum):
    """Who recognised it: the unit's council (cơ sở), the sector, or a higher level."""

    BASE = "base"
    SECTOR = "sector"
    HIGHER = "higher"

    @property
    def label(self):
        return LEVEL_LABELS[self]


LEVEL_LABELS = {
    RecognitionLevel.BASE: _l("Cấp cơ sở"),
    RecognitionLevel.SECTOR: _l("Cấp ngành"),
    RecognitionLevel.HIGHER: _l("Cấp cao hơn"),
}


class AuthorCategory(enum.Enum):
    """The tallies' and the Labour Creativity Certificate's categories of authors."""

    WORKER = "worker"
    UNION_OFFICER = "union_officer"
    MANAGER = "manager"

    @property
    def label(self):
        return AUTHOR_CATEGORY_LABELS[self]


AUTHOR_CATEGORY_LABELS = {
    AuthorCategory.WORKER: _l("Công nhân, người lao động"),
    AuthorCategory.UNION_OFFICER: _l("Cán bộ công đoàn"),
    AuthorCategory.MANAGER: _l("Cán bộ quản lý"),
}


class InitiativeSource(enum.Enum):
    """How the initiative reached the register."""

    INTAKE = "intake"  # a worker's phone form from a team's QR poster
    ENTERED = "entered"  # typed by the unit or its support team
    IMPORT = "import"  # a spreadsheet of the unit's existing register

    @property
    def label(self):
        return SOURCE_LABELS[self]


SOURCE_LABELS = {
    InitiativeSource.INTAKE: _l("Ý tưởng gửi qua mã QR"),
    InitiativeSource.ENTERED: _l("Nhập trực tiếp"),
    InitiativeSource.IMPORT: _l("Nhập từ bảng tính"),
}


class ProductionTeam(db.Model):
    """A production team (tổ) or department of a unit, with the key of its intake poster's QR code.

    The key only presets the unit and team of an idea sent from the poster; it grants nothing else, and a
    new key replaces a poster that went astray.
    """

    __tablename__ = "production_teams"
    __table_args__ = (sa.UniqueConstraint("unit_id", "department", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), index=True)
    department: Mapped[str] = mapped_column(sa.String(200), default="")
    name: Mapped[str] = mapped_column(sa.String(200))
    intake_key: Mapped[str] = mapped_column(sa.String(32), unique=True, default=lambda: secrets.token_urlsafe(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()

    @property
    def label(self) -> str:
        return f"{self.name} – {self.department}" if self.department else self.name


class Initiative(db.Model):
    """One initiative in a unit's register for a year, and its way to recognition."""

    __tablename__ = "initiatives"
    __table_args__ = (sa.UniqueConstraint("unit_id", "year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    number: Mapped[int]  # the register's running number within the unit's year
    title: Mapped[str] = mapped_column(sa.String(300))
    field: Mapped[InitiativeField] = mapped_column(default=InitiativeField.PRODUCTION)
    team_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("production_teams.id", ondelete="SET NULL"))
    department: Mapped[str] = mapped_column(sa.String(200), default="")
    team_name: Mapped[str] = mapped_column(sa.String(200), default="")
    problem: Mapped[str] = mapped_column(sa.Text, default="")
    solution: Mapped[str] = mapped_column(sa.Text, default="")
    effect_summary: Mapped[str] = mapped_column(sa.Text, default="")
    first_applied_on: Mapped[Optional[date]]
    application: Mapped[Optional[Application]]
    is_trade_secret: Mapped[bool] = mapped_column(default=False)
    is_published: Mapped[bool] = mapped_column(default=False)  # the unit shows it on the public programme page
    state: Mapped[InitiativeState] = mapped_column(default=InitiativeState.RECEIVED, index=True)
    state_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[InitiativeSource] = mapped_column(default=InitiativeSource.ENTERED)
    # Who sent the idea from a poster, for the support team to call back; emptied by the retention purge.
    submitter_name: Mapped[str] = mapped_column(sa.String(200), default="")
    submitter_phone: Mapped[str] = mapped_column(sa.String(30), default="")
    entered_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Recognition (Nghị định 13/2012 Điều lệ sáng kiến, Thông tư 18/2013): the request, the council's
    # three findings, and the decision.
    requested_on: Mapped[Optional[date]]
    is_new_in_unit: Mapped[Optional[bool]]
    is_applied_with_benefit: Mapped[Optional[bool]]
    is_not_excluded: Mapped[Optional[bool]]
    decision_number: Mapped[str] = mapped_column(sa.String(60), default="")
    decided_on: Mapped[Optional[date]]
    level: Mapped[Optional[RecognitionLevel]]
    refusal_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # Benefit of the first year of application; None with benefit_computable False means "không tính được".
    benefit_computable: Mapped[bool] = mapped_column(default=True)
    transfer_price_vnd: Mapped[Optional[int]] = mapped_column(sa.BigInteger)
    award: Mapped[str] = mapped_column(sa.String(300), default="")  # an award it won, as the portal asks
    exhibit_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("exhibits.id", ondelete="SET NULL"), unique=True
    )  # the festival exhibit it was nominated as
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()
    team: Mapped[Optional[ProductionTeam]] = relationship()
    entered_by: Mapped[Optional[User]] = relationship()
    # The exhibit's side (exhibit.initiative) lets its pages and certificates show the recognition.
    exhibit: Mapped[Optional[Exhibit]] = relationship(backref=backref("initiative", uselist=False))
    authors: Mapped[list["InitiativeAuthor"]] = relationship(
        back_populates="initiative", order_by="InitiativeAuthor.position", cascade="all, delete-orphan"
    )
    files: Mapped[list["InitiativeFile"]] = relationship(
        back_populates="initiative", order_by="InitiativeFile.id", cascade="all, delete-orphan"
    )
    benefits: Mapped[list["InitiativeBenefit"]] = relationship(
        back_populates="initiative", order_by="InitiativeBenefit.year_index", cascade="all, delete-orphan"
    )

    @property
    def reference(self) -> str:
        """The register's number as people quote it, e.g. "SK-2026-015"."""
        return f"SK-{self.year}-{self.number:03d}"

    @property
    def is_recognised(self) -> bool:
        return self.state is InitiativeState.RECOGNISED

    def searchable_text(self) -> str:
        return f"{self.reference} {self.title} {' '.join(a.full_name for a in self.authors)}"

    def __repr__(self):
        return f"<Initiative {self.id} {self.reference}>"


class InitiativeAuthor(db.Model):
    """An author of an initiative, with their share of the contribution (%); no account needed."""

    __tablename__ = "initiative_authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    job_title: Mapped[str] = mapped_column(sa.String(200), default="")
    department: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(30), default="")
    category: Mapped[AuthorCategory] = mapped_column(default=AuthorCategory.WORKER)
    is_graduate: Mapped[bool] = mapped_column(default=False)  # a university degree: the certificate's higher bar
    share_percent: Mapped[int] = mapped_column(default=100)

    initiative: Mapped[Initiative] = relationship(back_populates="authors")

    def search_owners(self):
        return [self.initiative]


class InitiativeFile(db.Model):
    """A photo or document of an initiative, kept in the uploads store as exhibits' attachments are."""

    __tablename__ = "initiative_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    thumbnail_name: Mapped[Optional[str]] = mapped_column(sa.String(80))
    content_type: Mapped[str] = mapped_column(sa.String(60))
    size: Mapped[int]
    width: Mapped[Optional[int]]
    height: Mapped[Optional[int]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    initiative: Mapped[Initiative] = relationship(back_populates="files")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class InitiativeBenefit(db.Model):
    """One year's benefit of an applied initiative (years 1–3 of application) and the authors' remuneration.

    `benefit_vnd` None means the benefit cannot be computed that year. `remuneration_vnd` is the amount the
    unit decided (proposed from the rules, editable to the unit's own rate); it is split by the shares.
    """

    __tablename__ = "initiative_benefits"
    __table_args__ = (sa.UniqueConstraint("initiative_id", "year_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    year_index: Mapped[int]  # 1, 2 or 3: the year of application
    benefit_vnd: Mapped[Optional[int]] = mapped_column(sa.BigInteger)
    remuneration_vnd: Mapped[Optional[int]] = mapped_column(sa.BigInteger)
    evaluated_on: Mapped[Optional[date]]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    paid_on: Mapped[Optional[date]]

    initiative: Mapped[Initiative] = relationship(back_populates="benefits")


class UnitTarget(db.Model):
    """A unit's union membership and initiative target for a year ("10 đoàn viên có một sáng kiến")."""

    __tablename__ = "unit_targets"
    __table_args__ = (sa.UniqueConstraint("unit_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    members: Mapped[int] = mapped_column(default=0)
    target: Mapped[int] = mapped_column(default=0)  # members ÷ 10 unless the union set another
    emulation_group: Mapped[str] = mapped_column(sa.String(100), default="")  # cụm/khối thi đua

    unit: Mapped[Unit] = relationship()
