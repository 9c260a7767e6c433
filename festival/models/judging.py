"""Judging: rubrics (versioned), panels, conflicts, score sheets, results policy and awards."""

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from festival.models.base import db, utcnow
from festival.models.core import Festival, User
from festival.models.exhibit import Category, Exhibit


class CriterionKind(enum.Enum):
    POINTS = "points"  # counts toward the total
    YES_NO = "yes_no"  # an independent question, e.g. "recommend for the sector-wide rollout"


class Rubric(db.Model):
    """A festival's scoring rubric, the default one (no category) or a category's own.

    Frozen once a sheet scored with it is submitted: a change then makes a new version,
    and sheets keep the version they were scored with.
    """

    __tablename__ = "rubrics"
    __table_args__ = (sa.UniqueConstraint("festival_id", "round_number", "category_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    round_number: Mapped[int] = mapped_column(default=1, server_default="1")  # JudgingRound.number
    category_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("categories.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    festival: Mapped[Festival] = relationship()
    category: Mapped[Optional[Category]] = relationship()
    # A rubric is always read with its criteria and their levels (a save validates every one): three statements
    # in all, not one per criterion (a save reads them in one joined statement: judging.scoring.lock_sheet).
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="rubric", order_by="Criterion.position", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def scored_criteria(self) -> list["Criterion"]:
        return [c for c in self.criteria if c.kind is CriterionKind.POINTS]

    @property
    def questions(self) -> list["Criterion"]:
        return [c for c in self.criteria if c.kind is CriterionKind.YES_NO]

    @property
    def total_weight(self) -> Decimal:
        return sum((c.weight for c in self.scored_criteria), Decimal(0))


class Criterion(db.Model):
    """One line of a rubric: points out of a maximum (weighted), or a yes/no question."""

    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(sa.ForeignKey("rubrics.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[CriterionKind] = mapped_column(default=CriterionKind.POINTS)
    name_vi: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    guidance: Mapped[str] = mapped_column(sa.Text, default="")
    guidance_en: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    max_points: Mapped[int] = mapped_column(default=10)
    # The criterion's share of the total: a sheet's total is Σ points/max × weight, shown out of
    # Σ weight (100 for the demo rubric, where weight = max points).
    weight: Mapped[Decimal] = mapped_column(sa.Numeric(7, 3), default=Decimal(10))

    rubric: Mapped[Rubric] = relationship(back_populates="criteria")
    levels: Mapped[list["Level"]] = relationship(
        back_populates="criterion", order_by="Level.points", cascade="all, delete-orphan", lazy="selectin"
    )

    def name(self, language: str = "vi") -> str:
        return self.name_en if language == "en" and self.name_en else self.name_vi

    def guidance_in(self, language: str = "vi") -> str:
        return self.guidance_en if language == "en" and self.guidance_en else self.guidance


class Level(db.Model):
    """A described score a judge taps instead of typing a number, e.g. `20 – Tốt`."""

    __tablename__ = "levels"
    __table_args__ = (sa.UniqueConstraint("criterion_id", "points"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria.id", ondelete="CASCADE"), index=True)
    points: Mapped[int]
    label_vi: Mapped[str] = mapped_column(sa.String(120))
    label_en: Mapped[str] = mapped_column(sa.String(120), default="")

    criterion: Mapped[Criterion] = relationship(back_populates="levels")

    def label(self, language: str = "vi") -> str:
        return self.label_en if language == "en" and self.label_en else self.label_vi


class PanelMember(db.Model):
    """A judge sitting on a category's panel in one round."""

    __tablename__ = "panel_members"
    __table_args__ = (sa.UniqueConstraint("round_number", "category_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_number: Mapped[int] = mapped_column(default=1, server_default="1")  # JudgingRound.number
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)

    category: Mapped[Category] = relationship()
    judge: Mapped[User] = relationship()


class Conflict(db.Model):
    """An exhibit a judge has declared they must not judge (family, former colleague…)."""

    __tablename__ = "conflicts"
    __table_args__ = (sa.UniqueConstraint("judge_id", "exhibit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    exhibit_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibits.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    judge: Mapped[User] = relationship()
    exhibit: Mapped[Exhibit] = relationship()


class SheetStatus(enum.Enum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"

    @property
    def label(self):
        return SHEET_STATUS_LABELS[self]


SHEET_STATUS_LABELS = {
    SheetStatus.NOT_STARTED: _l("Chưa chấm"),
    SheetStatus.DRAFT: _l("Đang chấm"),
    SheetStatus.SUBMITTED: _l("Đã nộp"),
}


class ScoreSheet(db.Model):
    """A judge's assignment to an exhibit in one round and the sheet they score it on (one per pair and round)."""

    __tablename__ = "score_sheets"
    __table_args__ = (sa.UniqueConstraint("round_number", "exhibit_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The round within the exhibit's festival (JudgingRound.number): a number, not a key, so that a festival
    # judged in one round never has to name it.
    round_number: Mapped[int] = mapped_column(default=1, server_default="1")
    exhibit_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibits.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The rubric version in force when scoring began; None until the first save.
    rubric_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("rubrics.id"))
    status: Mapped[SheetStatus] = mapped_column(default=SheetStatus.NOT_STARTED)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    is_manual: Mapped[bool] = mapped_column(default=False)
    # Grows by one with every save that changes something; a save names the revision it was
    # edited from, so saves from several tabs or devices are merged (festival/judging/scoring.py).
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[Optional[datetime]]
    # Why an organizer kept this sheet in the results although its judge has a conflict of interest
    # with the exhibit (declared, or the same unit) since it was scored; None: left out.
    conflict_kept_reason: Mapped[Optional[str]] = mapped_column(sa.Text)

    exhibit: Mapped[Exhibit] = relationship()
    judge: Mapped[User] = relationship()
    rubric: Mapped[Optional[Rubric]] = relationship()
    scores: Mapped[list["Score"]] = relationship(back_populates="sheet", cascade="all, delete-orphan")

    @property
    def is_locked(self) -> bool:
        return self.status is SheetStatus.SUBMITTED


class StandReport(db.Model):
    """A judge at a stand nobody was attending: the organizers send someone or reassign the sheet."""

    __tablename__ = "stand_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("score_sheets.id", ondelete="CASCADE"), index=True)
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[Optional[datetime]]

    sheet: Mapped[ScoreSheet] = relationship()


class SheetClient(db.Model):
    """One editing client of a sheet (a page opened on a tablet, a phone, a plain form): the newest
    save it sent, so that its retries are recognised and its late, older saves refused."""

    __tablename__ = "sheet_clients"

    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("score_sheets.id", ondelete="CASCADE"), primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
    revision: Mapped[int] = mapped_column(default=0)  # the sheet's revision after that save
    conflicts: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)  # what that save could not apply
    # The signed-in session (its public id) and the device it ran on, to say where a change came from.
    session_key: Mapped[Optional[str]] = mapped_column(sa.String(32))
    device: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Score(db.Model):
    """A judge's raw points for one criterion (or yes/no answer) on a sheet; totals are computed."""

    __tablename__ = "scores"
    __table_args__ = (sa.UniqueConstraint("sheet_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("score_sheets.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria.id"), index=True)
    points: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(7, 2))
    answer: Mapped[Optional[bool]]

    sheet: Mapped[ScoreSheet] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()


class ScoreChange(db.Model):
    """Every change of a score or comment: who, when, from which device and save."""

    __tablename__ = "score_changes"
    # The control room reads each sheet's last change: one step down this index, not every change of the sheet.
    __table_args__ = (sa.Index("ix_score_changes_sheet_id_created_at", "sheet_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("score_sheets.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("criteria.id"))
    field: Mapped[str] = mapped_column(sa.String(20), default="points")  # points | answer | comment | status
    old_value: Mapped[Optional[str]] = mapped_column(sa.Text)
    new_value: Mapped[Optional[str]] = mapped_column(sa.Text)
    client_id: Mapped[Optional[str]] = mapped_column(sa.String(64))
    seq: Mapped[Optional[int]]
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revision: Mapped[Optional[int]]  # the sheet revision this change made (None: before revisions existed)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @staticmethod
    def text_of(value) -> str | None:
        """A score, answer or comment as the history stores it (points without trailing zeros)."""
        if value is None:
            return None
        if isinstance(value, bool):
            return "yes" if value else "no"
        return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


class RoundKind(enum.Enum):
    DOSSIER = "dossier"  # sơ khảo: scored remotely from the exhibit's dossier
    BOOTH = "booth"  # at the booths; in a later round, the authors' defence (chung khảo)

    @property
    def label(self):
        return ROUND_KIND_LABELS[self]


ROUND_KIND_LABELS = {
    RoundKind.DOSSIER: _l("Chấm hồ sơ"),
    RoundKind.BOOTH: _l("Chấm tại gian hàng"),
}


class JudgingRound(db.Model):
    """One round of a festival's judging, in order: its window, its share of the combined score, and
    (from round 2) the frozen list of finalists it judges. Rubrics, panels and sheets name it by number."""

    __tablename__ = "judging_rounds"
    __table_args__ = (sa.UniqueConstraint("festival_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    name_vi: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120), default="")
    kind: Mapped[RoundKind] = mapped_column(default=RoundKind.BOOTH)
    # None: the festival's judging window (a festival judged in one round keeps a single window).
    opens_at: Mapped[Optional[datetime]]
    closes_at: Mapped[Optional[datetime]]
    # Percent of the combined score when the festival combines its rounds.
    weight: Mapped[int] = mapped_column(default=100)
    # How finalists for this round are proposed from the previous round: the top N of each category, or
    # every exhibit at or above a score (0–100).
    finalist_quota: Mapped[Optional[int]]
    finalist_threshold: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(6, 2))
    finalists_confirmed_at: Mapped[Optional[datetime]]
    finalists_confirmed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The frozen finalist decision: the rule, the previous round's scores, the proposal and the choice.
    finalist_record: Mapped[Optional[dict[str, Any]]] = mapped_column(sa.JSON)

    festival: Mapped[Festival] = relationship()

    def name(self, language: str = "vi") -> str:
        return self.name_en if language == "en" and self.name_en else self.name_vi

    def window(self) -> tuple[datetime, datetime]:
        return (
            self.opens_at or self.festival.judging_opens_at,
            self.closes_at or self.festival.judging_closes_at,
        )

    @property
    def takes_finalists(self) -> bool:
        return self.number > 1

    @property
    def finalists_confirmed(self) -> bool:
        return self.finalists_confirmed_at is not None


class Finalist(db.Model):
    """An exhibit's place in a later round: before the list is confirmed, only the organizer's departures from
    the proposal (with the reason); once confirmed, a row for every exhibit that goes on."""

    __tablename__ = "finalists"
    __table_args__ = (sa.UniqueConstraint("round_id", "exhibit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    exhibit_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibits.id", ondelete="CASCADE"), index=True)
    proposed: Mapped[bool] = mapped_column(default=True)
    included: Mapped[bool] = mapped_column(default=True)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    exhibit: Mapped[Exhibit] = relationship()


class Defence(db.Model):
    """A finalist's slot to present and defend its exhibit at its booth before its round's judges."""

    __tablename__ = "defences"
    __table_args__ = (sa.UniqueConstraint("round_id", "exhibit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    exhibit_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibits.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]

    exhibit: Mapped[Exhibit] = relationship()


class ResultsMethod(enum.Enum):
    MEAN = "mean"
    NORMALISED = "normalised"
    EFFECTS = "effects"

    @property
    def label(self):
        return {
            ResultsMethod.MEAN: _l("Điểm trung bình"),
            ResultsMethod.NORMALISED: _l("Điểm chuẩn hoá (z-score)"),
            ResultsMethod.EFFECTS: _l("Điểm hiệu chỉnh độ khắt khe của giám khảo (mô hình hiệu ứng)"),
        }[self]


class Combination(enum.Enum):
    LAST = "last"  # the last round alone decides
    WEIGHTED = "weighted"  # each round's score (by the results method) weighted by JudgingRound.weight

    @property
    def label(self):
        return {
            Combination.LAST: _l("Chỉ tính điểm vòng cuối"),
            Combination.WEIGHTED: _l("Cộng có trọng số điểm các vòng"),
        }[self]


class JudgingPolicy(db.Model):
    """How a festival is judged: judges per exhibit, results method, tie-breaks and prize quotas."""

    __tablename__ = "judging_policies"

    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), primary_key=True)
    per_exhibit: Mapped[int] = mapped_column(default=3)
    method: Mapped[ResultsMethod] = mapped_column(default=ResultsMethod.MEAN)
    shrinkage: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal(3))
    spread_flag: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal(15))
    # Criterion positions (0-based, in rubric order) compared when scores tie, before the
    # benefit value and the exhibit code.
    tie_break: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    first_prizes: Mapped[int] = mapped_column(default=1)
    second_prizes: Mapped[int] = mapped_column(default=2)
    third_prizes: Mapped[int] = mapped_column(default=3)
    honourable_share: Mapped[Decimal] = mapped_column(sa.Numeric(4, 3), default=Decimal("0.300"))
    # The authors' defence at the booth: minutes to present, then to answer; 0 and 0 = no timer on the sheet.
    presentation_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    questions_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    combination: Mapped[Combination] = mapped_column(default=Combination.LAST, server_default="last")
    finalised_at: Mapped[Optional[datetime]]
    finalised_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    festival: Mapped[Festival] = relationship()

    @property
    def is_final(self) -> bool:
        return self.finalised_at is not None

    @property
    def has_timer(self) -> bool:
        return self.presentation_minutes > 0


class AwardTier(enum.Enum):
    FIRST = "first"
    SECOND = "second"
    THIRD = "third"
    HONOURABLE = "honourable"
    VISITORS = "visitors"  # the visitors' choice (festival/voting/), given beside the judges' tiers

    @property
    def label(self):
        return AWARD_LABELS[self]

    @property
    def is_judged(self) -> bool:
        return self is not AwardTier.VISITORS

    @property
    def rank(self) -> int:
        return list(AwardTier).index(self)


AWARD_LABELS = {
    AwardTier.FIRST: _l("Giải Nhất"),
    AwardTier.SECOND: _l("Giải Nhì"),
    AwardTier.THIRD: _l("Giải Ba"),
    AwardTier.HONOURABLE: _l("Giải Khuyến khích"),
    AwardTier.VISITORS: _l("Giải do khán giả bình chọn"),
}
JUDGED_TIERS = [tier for tier in AwardTier if tier.is_judged]


class AwardOverride(db.Model):
    """An organizer's change to the proposed tier of an exhibit, with the reason, before finalising."""

    __tablename__ = "award_overrides"

    exhibit_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibits.id", ondelete="CASCADE"), primary_key=True)
    tier: Mapped[Optional[AwardTier]]
    reason: Mapped[str] = mapped_column(sa.Text)
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Award(db.Model):
    """A final prize given to an exhibit when the results are finalised."""

    __tablename__ = "awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    exhibit_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibits.id", ondelete="CASCADE"), unique=True)
    tier: Mapped[AwardTier]
    rank: Mapped[int]
    score: Mapped[Decimal] = mapped_column(sa.Numeric(7, 3))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    festival: Mapped[Festival] = relationship()
    exhibit: Mapped[Exhibit] = relationship()


class ResultRecord(db.Model):
    """The frozen inputs and outputs of finalised results, so they can be reproduced later."""

    __tablename__ = "result_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(sa.ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(sa.String(20))
    scores_hash: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
