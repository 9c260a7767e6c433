"""Certificates (giấy chứng nhận): the wording of each kind, and every certificate issued."""

import enum
import secrets
from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from festival.models.base import db, utcnow
from festival.models.core import Festival, Unit
from festival.models.exhibit import Exhibit
from festival.models.judging import AwardTier


class CertificateKind(enum.Enum):
    AWARD = "award"  # to each author of an awarded exhibit
    UNIT_AWARD = "unit_award"  # to the unit of an awarded exhibit (optional)
    PARTICIPATION = "participation"  # to each author of an accepted exhibit
    BOOTH_AWARD = "booth_award"  # to a unit whose booth won a booth prize (no exhibit)

    @property
    def label(self):
        return KIND_LABELS[self]


KIND_LABELS = {
    CertificateKind.AWARD: _l("Giấy chứng nhận đạt giải (tác giả)"),
    CertificateKind.UNIT_AWARD: _l("Giấy chứng nhận đạt giải (đơn vị)"),
    CertificateKind.PARTICIPATION: _l("Giấy chứng nhận tham gia"),
    CertificateKind.BOOTH_AWARD: _l("Giấy chứng nhận giải gian hàng (đơn vị)"),
}


class CertificateStatus(enum.Enum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"

    @property
    def label(self):
        return STATUS_LABELS[self]


STATUS_LABELS = {
    CertificateStatus.VALID: _l("Hợp lệ"),
    CertificateStatus.REVOKED: _l("Đã thu hồi"),
    CertificateStatus.SUPERSEDED: _l("Đã được thay bằng bản đính chính"),
}


# Verification codes: no 0/O, 1/I/L or U/V look-alikes, so a code copied from paper is typed right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CODE_LENGTH = 10  # 29**10 ≈ 4·10^14 codes: guessing one at the lookup limit would take millennia


def new_verification_code() -> str:
    """A random verification code (CODE_LENGTH characters of CODE_ALPHABET)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class CertificateTemplate(db.Model):
    """The wording and signatures of one kind of certificate in a festival (text, not markup)."""

    __tablename__ = "certificate_templates"
    __table_args__ = (sa.UniqueConstraint("festival_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CertificateKind]
    header: Mapped[str] = mapped_column(sa.Text)  # one line per organisation, top left
    motto: Mapped[str] = mapped_column(sa.Text, default="")  # top right (e.g. the national motto)
    title: Mapped[str] = mapped_column(sa.String(200))
    lead: Mapped[str] = mapped_column(sa.String(300), default="")  # the line above the name
    body: Mapped[str] = mapped_column(sa.Text)  # with {placeholders}
    place: Mapped[str] = mapped_column(sa.String(100))
    signatory_title: Mapped[str] = mapped_column(sa.Text)
    signatory_name: Mapped[str] = mapped_column(sa.String(200))
    signature_image: Mapped[Optional[str]] = mapped_column(sa.String(80))
    seal_image: Mapped[Optional[str]] = mapped_column(sa.String(80))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    festival: Mapped[Festival] = relationship()


class Certificate(db.Model):
    """One certificate with its serial number; a correction makes a new one and supersedes this."""

    __tablename__ = "certificates"
    __table_args__ = (sa.UniqueConstraint("festival_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    serial: Mapped[str] = mapped_column(sa.String(40), unique=True)
    # What the QR code carries (/verify/<code>): random, so certificates cannot be listed by serial.
    verification_code: Mapped[str] = mapped_column(sa.String(16), unique=True, default=new_verification_code)
    kind: Mapped[CertificateKind]
    # Who it is for within its exhibit ("author:<position>" or "unit"), or "booth" for its unit's booth, so
    # issuing twice adds nothing.
    recipient_key: Mapped[str] = mapped_column(sa.String(40))
    recipient_name: Mapped[str] = mapped_column(sa.String(300))
    # None for a booth prize: it is the unit's, not an exhibit's.
    exhibit_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("exhibits.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    tier: Mapped[Optional[AwardTier]]
    issued_on: Mapped[date]
    status: Mapped[CertificateStatus] = mapped_column(default=CertificateStatus.VALID)
    reason: Mapped[str] = mapped_column(sa.Text, default="")  # why it was revoked or corrected
    superseded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("certificates.id"))
    search_text: Mapped[str] = mapped_column(sa.String(400), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    festival: Mapped[Festival] = relationship()
    exhibit: Mapped[Optional[Exhibit]] = relationship()
    unit: Mapped[Unit] = relationship()
    superseded_by: Mapped[Optional["Certificate"]] = relationship(remote_side=[id])

    @property
    def code_for_print(self) -> str:
        """The verification code in two groups of five, as printed beside the QR code."""
        code = self.verification_code or ""
        return f"{code[:5]}-{code[5:]}" if len(code) == CODE_LENGTH else code

    def searchable_text(self) -> str:
        return f"{self.serial} {self.recipient_name}"
