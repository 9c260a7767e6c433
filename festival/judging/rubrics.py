"""Rubrics: the criteria a category is scored on, their weights and levels, and their versions."""

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from festival.core import audit
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.models import (
    Category,
    Criterion,
    CriterionKind,
    Festival,
    Level,
    Rubric,
    Score,
    ScoreChange,
    ScoreSheet,
    SheetStatus,
    User,
)


@dataclass
class LevelInput:
    points: int
    label_vi: str
    label_en: str = ""


@dataclass
class CriterionInput:
    name_vi: str
    name_en: str = ""
    guidance: str = ""
    guidance_en: str = ""
    max_points: int = 10
    weight: Decimal | None = None  # defaults to max_points
    kind: CriterionKind = CriterionKind.POINTS
    levels: list[LevelInput] = field(default_factory=list)
    id: int | None = None  # the criterion being edited, when the rubric is edited in place


def current_rubric(festival: Festival, category: Category | None, number: int = 1) -> Rubric | None:
    """The rubric in force for a category in round `number`: the category's own, else the round's default,
    else (for a later round that kept its criteria) the round before's."""
    for round_number in range(number, 0, -1):
        for category_id in ([category.id] if category is not None else []) + [None]:
            rubric = db.session.execute(
                db.select(Rubric).where(
                    Rubric.festival_id == festival.id,
                    Rubric.round_number == round_number,
                    Rubric.category_id.is_(None) if category_id is None else Rubric.category_id == category_id,
                    Rubric.is_current.is_(True),
                )
            ).scalar_one_or_none()
            if rubric is not None:
                return rubric
    return None


def sheet_rubric(sheet: ScoreSheet) -> Rubric | None:
    """The rubric a sheet is scored with: the version it began with, else the one in force for its round."""
    return sheet.rubric or current_rubric(sheet.exhibit.festival, sheet.exhibit.category, sheet.round_number)


def own_rubric(festival: Festival, category: Category | None, number: int = 1) -> Rubric | None:
    """The current rubric defined exactly for `category` (None: the default) in round `number`, without fallback."""
    condition = Rubric.category_id.is_(None) if category is None else Rubric.category_id == category.id
    return db.session.execute(
        db.select(Rubric).where(
            Rubric.festival_id == festival.id, Rubric.round_number == number, condition, Rubric.is_current.is_(True)
        )
    ).scalar_one_or_none()


def is_frozen(rubric: Rubric) -> bool:
    """A rubric is frozen once any sheet scored with it has been submitted."""
    return (
        db.session.execute(
            db.select(ScoreSheet.id)
            .where(ScoreSheet.rubric_id == rubric.id, ScoreSheet.status == SheetStatus.SUBMITTED)
            .limit(1)
        ).first()
        is not None
    )


def _check_criteria(criteria: list[CriterionInput]) -> None:
    if not any(c.kind is CriterionKind.POINTS for c in criteria):
        raise FestivalError(_l("Thang điểm cần ít nhất một tiêu chí tính điểm."))
    for c in criteria:
        if not c.name_vi.strip():
            raise FestivalError(_l("Mỗi tiêu chí cần có tên."))
        if c.kind is CriterionKind.POINTS:
            if not 1 <= c.max_points <= 1000:
                raise FestivalError(_l("Điểm tối đa của “%(name)s” phải từ 1 đến 1000.", name=c.name_vi))
            if c.weight is not None and not Decimal(0) < c.weight <= Decimal(1000):
                raise FestivalError(_l("Trọng số của “%(name)s” phải lớn hơn 0.", name=c.name_vi))
            points = [level.points for level in c.levels]
            if len(set(points)) != len(points) or any(not 0 <= p <= c.max_points for p in points):
                raise FestivalError(
                    _l(
                        "Các mức của “%(name)s” phải khác nhau và nằm trong 0–%(max)d.",
                        name=c.name_vi,
                        max=c.max_points,
                    )
                )


def _fill(criterion: Criterion, data: CriterionInput, position: int) -> None:
    criterion.position = position
    criterion.kind = data.kind
    criterion.name_vi, criterion.name_en, criterion.guidance, criterion.guidance_en = (
        data.name_vi.strip(),
        data.name_en.strip(),
        data.guidance.strip(),
        data.guidance_en.strip(),
    )
    is_points = data.kind is CriterionKind.POINTS
    criterion.max_points = data.max_points if is_points else 1
    criterion.weight = (
        (data.weight if data.weight is not None else Decimal(data.max_points)) if is_points else Decimal(0)
    )
    if criterion.id is not None and criterion.levels:
        # Old levels must be gone before new ones with the same points are inserted.
        criterion.levels = []
        db.session.flush()
    criterion.levels = (
        [Level(points=lv.points, label_vi=lv.label_vi.strip(), label_en=lv.label_en.strip()) for lv in data.levels]
        if is_points
        else []
    )


def _rubric_snapshot(rubric: Rubric) -> dict:
    return {
        "version": rubric.version,
        "criteria": [
            {
                "name": c.name_vi,
                "kind": c.kind,
                "max": c.max_points,
                "weight": str(c.weight),
                "levels": [lv.points for lv in c.levels],
            }
            for c in rubric.criteria
        ],
    }


def save_rubric(
    festival: Festival, category: Category | None, criteria: list[CriterionInput], by: User | None, number: int = 1
) -> Rubric:
    """Define or change a rubric of round `number`; a frozen one gets a new version and keeps its own sheets.

    :raise FestivalError: no scored criterion, a bad maximum, weight or level.
    """
    _check_criteria(criteria)
    rubric = own_rubric(festival, category, number)
    before = _rubric_snapshot(rubric) if rubric is not None else None
    db.session.flush()
    if rubric is None or is_frozen(rubric):
        version = 1 if rubric is None else rubric.version + 1
        if rubric is not None:
            rubric.is_current = False
            db.session.flush()
        rubric = Rubric(festival=festival, category=category, version=version, round_number=number)
        db.session.add(rubric)
        rubric.criteria = []
        for position, data in enumerate(criteria):
            criterion = Criterion()
            _fill(criterion, data, position)
            rubric.criteria.append(criterion)
    else:
        # Not frozen: edit in place. Draft scores on a removed criterion go, with a history row each.
        keep = {c.id: c for c in rubric.criteria}
        wanted = []
        for position, data in enumerate(criteria):
            criterion = keep.pop(data.id, None) if data.id is not None else None
            criterion = criterion or Criterion()
            _fill(criterion, data, position)
            wanted.append(criterion)
        for removed in keep.values():
            for score in db.session.execute(db.select(Score).where(Score.criterion_id == removed.id)).scalars():
                db.session.add(
                    ScoreChange(
                        sheet_id=score.sheet_id,
                        criterion_id=None,
                        field="points",
                        old_value=ScoreChange.text_of(score.points),
                        new_value=None,
                        user_id=by.id if by else None,
                    )
                )
                db.session.delete(score)
        db.session.flush()
        rubric.criteria = wanted
    db.session.flush()
    audit.record("rubric.saved", rubric, by=by, before=before, after=_rubric_snapshot(rubric))
    return rubric


def parse_levels(text: str) -> list[LevelInput]:
    """Read `0 – Không đạt; 10 – Đạt; 20 – Tốt` (also `=` or `:` after the points); a label may carry its
    English after a slash, `20 – Tốt / Good`, shown to judges who use the app in English.

    :raise FestivalError: a level that does not start with whole points.
    """
    levels = []
    for part in [p.strip() for p in text.replace("\n", ";").split(";") if p.strip()]:
        head, label = part, ""
        for separator in ("–", "-", "=", ":"):
            if separator in part:
                head, label = part.split(separator, 1)
                break
        if not head.strip().isdigit():
            raise FestivalError(_l("Không đọc được mức “%(level)s”; hãy viết dạng 10 – Đạt.", level=part[:60]))
        label_vi, _slash, label_en = label.partition("/")
        levels.append(LevelInput(int(head.strip()), label_vi.strip() or head.strip(), label_en.strip()))
    return levels


def format_levels(levels) -> str:
    """Levels as `parse_levels` reads them back (the rubric form shows them so)."""
    return "; ".join(
        f"{level.points} – {level.label_vi}" + (f" / {level.label_en}" if level.label_en else "") for level in levels
    )
