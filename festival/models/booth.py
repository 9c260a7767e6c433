"""The booth award: the units' booths judged on a rubric, by a panel and with prizes of their own.

A booth is not a row: every unit with an accepted exhibit in a festival has one, found where its
exhibits stand (`Exhibit.booth`). Sheets, awards and adjustments name the festival and the unit.
"""

from datetime import datetime
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from festival.models.base import db, utcnow
from festival.models.core import Festival, Unit, User
from festival.models.judging import AwardTier, SheetStatus


class BoothCriterion(db.Model):
    """One line of a festival's booth rubric: points out of a maximum, with its weight in the total.

    Editable until a booth sheet is submitted; from then on the rubric is frozen (no versions: one
    festival's booths are all judged on the same lines)."""

    __tablename__ = "booth_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name_vi: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    guidance: Mapped[str] = mapped_column(sa.Text, default="")
    max_points: Mapped[int] = mapped_column(default=10)
    weight: Mapped[Decimal] = mapped_column(sa.Numeric(7, 3), default=Decimal(10))

    festival: Mapped[Festival] = relationship()

    def name(self, language: str = "vi") -> str:
        return self.name_en if language == "en" and self.name_en else self.name_vi


class BoothJudge(db.Model):
    """A judge on a festival's booth panel."""

    __tablename__ = "booth_judges"
    __table_args__ = (sa.UniqueConstraint("festival_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)

    judge: Mapped[User] = relationship()


class BoothSheet(db.Model):
    """A judge's assignment to a unit's booth and the sheet they score it on (one per pair)."""

    __tablename__ = "booth_sheets"
    __table_args__ = (sa.UniqueConstraint("festival_id", "unit_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[SheetStatus] = mapped_column(default=SheetStatus.NOT_STARTED)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    is_manual: Mapped[bool] = mapped_column(default=False)
    # Grows by one with every save that changes something; a save names the revision it was edited
    # from and is refused when the sheet has moved on since (festival/booths/services.py).
    revision: Mapped[int] = mapped_column(default=0)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[Optional[datetime]]

    festival: Mapped[Festival] = relationship()
    unit: Mapped[Unit] = relationship()
    judge: Mapped[User] = relationship()
    scores: Mapped[list["BoothScore"]] = relationship(back_populates="sheet", cascade="all, delete-orphan")

    @property
    def is_locked(self) -> bool:
        return self.status is SheetStatus.SUBMITTED


class BoothScore(db.Model):
    """A judge's points for one booth criterion on a sheet; totals are computed."""

    __tablename__ = "booth_scores"
    __table_args__ = (sa.UniqueConstraint("sheet_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("booth_sheets.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("booth_criteria.id", ondelete="CASCADE"), index=True)
    points: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(7, 2))

    sheet: Mapped[BoothSheet] = relationship(back_populates="scores")
    criterion: Mapped[BoothCriterion] = relationship()


class BoothScoreChange(db.Model):
    """Every change of a booth score, comment or sheet state: who, when, old → new."""

    __tablename__ = "booth_score_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("booth_sheets.id", ondelete="CASCADE"), index=True)
    # None for the comment and the state, and for a criterion removed from the rubric since.
    criterion_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("booth_criteria.id", ondelete="SET NULL"))
    field: Mapped[str] = mapped_column(sa.String(20), default="points")  # points | comment | status
    old_value: Mapped[Optional[str]] = mapped_column(sa.Text)
    new_value: Mapped[Optional[str]] = mapped_column(sa.Text)
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revision: Mapped[Optional[int]]  # the sheet revision this change made
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[Optional[User]] = relationship()


class BoothPolicy(db.Model):
    """The booth track's prize quotas and whether its results are final (every festival has one)."""

    __tablename__ = "booth_policies"

    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), primary_key=True)
    first_prizes: Mapped[int] = mapped_column(default=1)
    second_prizes: Mapped[int] = mapped_column(default=2)
    third_prizes: Mapped[int] = mapped_column(default=3)
    honourable_prizes: Mapped[int] = mapped_column(default=3)
    finalised_at: Mapped[Optional[datetime]]
    finalised_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    festival: Mapped[Festival] = relationship()

    @property
    def is_final(self) -> bool:
        return self.finalised_at is not None


class BoothAwardOverride(db.Model):
    """An organizer's change to the proposed booth prize of a unit, with the reason, before finalising."""

    __tablename__ = "booth_award_overrides"

    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    tier: Mapped[Optional[AwardTier]]
    reason: Mapped[str] = mapped_column(sa.Text)
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BoothAward(db.Model):
    """A final booth prize given to a unit when the booth results are finalised."""

    __tablename__ = "booth_awards"
    __table_args__ = (sa.UniqueConstraint("festival_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), index=True)
    tier: Mapped[AwardTier]
    rank: Mapped[int]
    score: Mapped[Decimal] = mapped_column(sa.Numeric(7, 3))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    festival: Mapped[Festival] = relationship()
    unit: Mapped[Unit] = relationship()
