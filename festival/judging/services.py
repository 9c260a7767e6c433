"""Judging work: rubrics and their versions, panels, conflicts, assignment, and scoring."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from festival import audit
from festival.errors import Conflict as StaleSave
from festival.errors import FestivalError, NotAllowed
from festival.extensions import db
from festival.judging import assignment
from festival.models import (
    Category,
    Conflict,
    Criterion,
    CriterionKind,
    Exhibit,
    ExhibitStatus,
    Festival,
    JudgingPolicy,
    Level,
    PanelMember,
    Role,
    Rubric,
    Score,
    ScoreChange,
    ScoreSheet,
    SheetStatus,
    User,
)

# Rubrics ---------------------------------------------------------------------------------


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
    max_points: int = 10
    weight: Decimal | None = None  # defaults to max_points
    kind: CriterionKind = CriterionKind.POINTS
    levels: list[LevelInput] = field(default_factory=list)
    id: int | None = None  # the criterion being edited, when the rubric is edited in place


def policy_for(festival: Festival) -> JudgingPolicy:
    """The festival's judging policy, created with the defaults the first time it is asked for."""
    policy = db.session.get(JudgingPolicy, festival.id)
    if policy is None:
        policy = JudgingPolicy(festival_id=festival.id, tie_break=[])
        db.session.add(policy)
        db.session.flush()
    return policy


def current_rubric(festival: Festival, category: Category | None) -> Rubric | None:
    """The rubric in force for a category: its own, else the festival's default."""
    for category_id in ([category.id] if category is not None else []) + [None]:
        rubric = db.session.execute(
            db.select(Rubric).where(
                Rubric.festival_id == festival.id,
                Rubric.category_id.is_(None) if category_id is None else Rubric.category_id == category_id,
                Rubric.is_current.is_(True),
            )
        ).scalar_one_or_none()
        if rubric is not None:
            return rubric
    return None


def own_rubric(festival: Festival, category: Category | None) -> Rubric | None:
    """The current rubric defined exactly for `category` (None: the default), without fallback."""
    condition = Rubric.category_id.is_(None) if category is None else Rubric.category_id == category.id
    return db.session.execute(
        db.select(Rubric).where(Rubric.festival_id == festival.id, condition, Rubric.is_current.is_(True))
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
    criterion.name_vi, criterion.name_en, criterion.guidance = (
        data.name_vi.strip(),
        data.name_en.strip(),
        data.guidance.strip(),
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
    festival: Festival, category: Category | None, criteria: list[CriterionInput], by: User | None
) -> Rubric:
    """Define or change a rubric; a frozen one gets a new version and keeps its own sheets.

    :raise FestivalError: no scored criterion, a bad maximum, weight or level.
    """
    _check_criteria(criteria)
    rubric = own_rubric(festival, category)
    before = _rubric_snapshot(rubric) if rubric is not None else None
    db.session.flush()
    if rubric is None or is_frozen(rubric):
        version = 1 if rubric is None else rubric.version + 1
        if rubric is not None:
            rubric.is_current = False
            db.session.flush()
        rubric = Rubric(festival=festival, category=category, version=version)
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
                        old_value=_text(score.points),
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


def delete_category_rubric(festival: Festival, category: Category, by: User) -> None:
    """Go back to the default rubric for a category (only while its own rubric is unused).

    :raise FestivalError: sheets have been scored with it.
    """
    rubric = own_rubric(festival, category)
    if rubric is None:
        return
    if db.session.execute(db.select(ScoreSheet.id).where(ScoreSheet.rubric_id == rubric.id).limit(1)).first():
        raise FestivalError(_l("Thang điểm riêng của lĩnh vực đã được dùng để chấm nên không xoá được."))
    audit.record("rubric.deleted", rubric, by=by, before=_rubric_snapshot(rubric))
    db.session.delete(rubric)


def parse_levels(text: str) -> list[LevelInput]:
    """Read `0 – Không đạt; 10 – Đạt; 20 – Tốt` (also `=` or `:` after the points).

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
        levels.append(LevelInput(int(head.strip()), label.strip() or head.strip()))
    return levels


# Panels and conflicts --------------------------------------------------------------------


def judges() -> list[User]:
    return list(
        db.session.execute(
            db.select(User).where(User.role == Role.JUDGE, User.is_active.is_(True)).order_by(User.full_name, User.id)
        ).scalars()
    )


def panel_map(festival: Festival) -> dict[int, set[int]]:
    """category id → ids of the judges on its panel."""
    rows = db.session.execute(
        db.select(PanelMember.category_id, PanelMember.judge_id)
        .join(Category)
        .where(Category.festival_id == festival.id)
    ).all()
    panels: dict[int, set[int]] = {}
    for category_id, judge_id in rows:
        panels.setdefault(category_id, set()).add(judge_id)
    return panels


def set_panels(festival: Festival, memberships: set[tuple[int, int]], by: User) -> None:
    """Replace the festival's panels with (category id, judge id) pairs."""
    categories = {
        c.id for c in db.session.execute(db.select(Category).where(Category.festival_id == festival.id)).scalars()
    }
    judge_ids = {j.id for j in judges()}
    memberships = {(c, j) for c, j in memberships if c in categories and j in judge_ids}
    current = {(c, j) for c, js in panel_map(festival).items() for j in js}
    for category_id, judge_id in current - memberships:
        db.session.execute(
            sa.delete(PanelMember).where(PanelMember.category_id == category_id, PanelMember.judge_id == judge_id)
        )
    for category_id, judge_id in sorted(memberships - current):
        db.session.add(PanelMember(category_id=category_id, judge_id=judge_id))
    db.session.flush()
    audit.record(
        "panels.saved", festival, by=by, before={"pairs": sorted(current)}, after={"pairs": sorted(memberships)}
    )


def declare_conflict(judge: User, exhibit: Exhibit, reason: str, by: User) -> Conflict:
    """Record that `judge` must not judge `exhibit`; an unstarted assignment of the pair is removed.

    :raise FestivalError: the judge already scored it (an organizer must reopen and reassign).
    """
    existing = db.session.execute(
        db.select(Conflict).where(Conflict.judge_id == judge.id, Conflict.exhibit_id == exhibit.id)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    sheet = _sheet_of(exhibit.id, judge.id)
    if sheet is not None:
        if sheet.status is not SheetStatus.NOT_STARTED:
            raise FestivalError(_l("Giám khảo đã chấm sáng kiến này; hãy báo ban tổ chức."))
        db.session.delete(sheet)
    conflict = Conflict(judge=judge, exhibit=exhibit, reason=reason.strip()[:300])
    db.session.add(conflict)
    db.session.flush()
    audit.record("conflict.declared", exhibit, by=by, after={"judge": judge.email, "reason": conflict.reason})
    return conflict


def remove_conflict(conflict: Conflict, by: User) -> None:
    audit.record(
        "conflict.removed", conflict.exhibit, by=by, before={"judge": conflict.judge.email, "reason": conflict.reason}
    )
    db.session.delete(conflict)


def conflict_pairs(festival: Festival) -> set[tuple[int, int]]:
    """Declared (judge id, exhibit id) conflicts in the festival."""
    return set(
        db.session.execute(
            db.select(Conflict.judge_id, Conflict.exhibit_id).join(Exhibit).where(Exhibit.festival_id == festival.id)
        ).tuples()
    )


# Assignment ------------------------------------------------------------------------------


def accepted_exhibits(festival: Festival) -> list[Exhibit]:
    return list(
        db.session.execute(
            db.select(Exhibit)
            .where(Exhibit.festival_id == festival.id, Exhibit.status == ExhibitStatus.ACCEPTED)
            .order_by(Exhibit.code)
            .options(selectinload(Exhibit.unit))
        ).scalars()
    )


def festival_sheets(festival: Festival) -> list[ScoreSheet]:
    return list(
        db.session.execute(
            db.select(ScoreSheet).join(ScoreSheet.exhibit).where(Exhibit.festival_id == festival.id)
        ).scalars()
    )


def _slots(festival: Festival):
    exhibits = accepted_exhibits(festival)
    panels = panel_map(festival)
    exhibit_slots = [assignment.ExhibitSlot(e.id, e.category_id, e.unit_id, e.code or "") for e in exhibits]
    judge_slots = [
        assignment.JudgeSlot(j.id, j.unit_id, frozenset(c for c, js in panels.items() if j.id in js), j.full_name)
        for j in judges()
    ]
    return exhibits, exhibit_slots, judge_slots


def assign_judges(festival: Festival, per_exhibit: int, by: User | None) -> assignment.Plan:
    """(Re)plan automatic assignments: sheets already started and manual ones stay; the rest is planned.

    Returns the plan, whose `problems` say which rule could not be met and why.
    :raise NotAllowed: the results are final.
    """
    policy = policy_for(festival)
    if policy.is_final:
        raise NotAllowed(_l("Kết quả đã chốt; không phân công lại được."))
    if not 1 <= per_exhibit <= 10:
        raise FestivalError(_l("Số giám khảo mỗi sáng kiến phải từ 1 đến 10."))
    exhibits, exhibit_slots, judge_slots = _slots(festival)
    accepted_ids = {e.id for e in exhibits}
    sheets = festival_sheets(festival)
    fixed = set()
    for sheet in sheets:
        keep = sheet.exhibit_id in accepted_ids and (sheet.is_manual or sheet.status is not SheetStatus.NOT_STARTED)
        if keep:
            fixed.add((sheet.exhibit_id, sheet.judge_id))
        elif sheet.status is SheetStatus.NOT_STARTED:
            db.session.delete(sheet)
    db.session.flush()
    plan = assignment.plan_assignments(exhibit_slots, judge_slots, conflict_pairs(festival), fixed, per_exhibit)
    for exhibit_id, judge_id in sorted(plan.pairs - fixed):
        db.session.add(ScoreSheet(exhibit_id=exhibit_id, judge_id=judge_id))
    policy.per_exhibit = per_exhibit
    db.session.flush()
    audit.record(
        "judging.assigned",
        festival,
        by=by,
        after={"per_exhibit": per_exhibit, "pairs": len(plan.pairs), "problems": [p.kind for p in plan.problems]},
    )
    return plan


def _sheet_of(exhibit_id: int, judge_id: int) -> ScoreSheet | None:
    return db.session.execute(
        db.select(ScoreSheet).where(ScoreSheet.exhibit_id == exhibit_id, ScoreSheet.judge_id == judge_id)
    ).scalar_one_or_none()


def add_assignment(exhibit: Exhibit, judge: User, by: User) -> ScoreSheet:
    """Give `judge` the exhibit by hand (conflict rules still apply).

    :raise FestivalError: not a judge, not accepted, already assigned, or a conflict.
    """
    if policy_for(exhibit.festival).is_final:
        raise NotAllowed(_l("Kết quả đã chốt; không phân công lại được."))
    if judge.role is not Role.JUDGE:
        raise FestivalError(_l("Chỉ giao được cho tài khoản giám khảo."))
    if exhibit.status is not ExhibitStatus.ACCEPTED:
        raise FestivalError(_l("Chỉ phân công chấm sáng kiến đã duyệt."))
    if _sheet_of(exhibit.id, judge.id) is not None:
        raise FestivalError(_l("%(name)s đã được giao sáng kiến này.", name=judge.full_name))
    slot_judge = assignment.JudgeSlot(judge.id, judge.unit_id, frozenset(), judge.full_name)
    slot_exhibit = assignment.ExhibitSlot(exhibit.id, exhibit.category_id, exhibit.unit_id, exhibit.code or "")
    if not assignment.eligible(slot_judge, slot_exhibit, conflict_pairs(exhibit.festival)):
        if judge.unit_id == exhibit.unit_id:
            raise FestivalError(_l("%(name)s thuộc đơn vị có sáng kiến này nên không được chấm.", name=judge.full_name))
        raise FestivalError(_l("%(name)s đã khai báo xung đột lợi ích với sáng kiến này.", name=judge.full_name))
    sheet = ScoreSheet(exhibit=exhibit, judge=judge, is_manual=True)
    db.session.add(sheet)
    db.session.flush()
    audit.record("judging.assignment_added", exhibit, by=by, after={"judge": judge.email})
    return sheet


def remove_assignment(sheet: ScoreSheet, by: User) -> None:
    """Take an exhibit away from a judge who has not started scoring it.

    :raise FestivalError: scoring has started.
    """
    if policy_for(sheet.exhibit.festival).is_final:
        raise NotAllowed(_l("Kết quả đã chốt; không phân công lại được."))
    if sheet.status is not SheetStatus.NOT_STARTED:
        raise FestivalError(
            _l("%(name)s đã bắt đầu chấm sáng kiến này nên không bỏ phân công được.", name=sheet.judge.full_name)
        )
    audit.record("judging.assignment_removed", sheet.exhibit, by=by, before={"judge": sheet.judge.email})
    db.session.delete(sheet)


# Scoring ---------------------------------------------------------------------------------


@dataclass
class SheetInput:
    """One save from the tablet: the whole sheet as the judge sees it, with its device and sequence."""

    client_id: str
    seq: int
    points: dict[int, Decimal | None]
    answers: dict[int, bool | None]
    comment: str | None = None


@dataclass
class SaveResult:
    applied: bool  # False when it repeated a save already applied
    sheet: ScoreSheet


def judge_sheets(judge: User, festival: Festival) -> list[ScoreSheet]:
    """The judge's sheets in booth order."""
    return list(
        db.session.execute(
            db.select(ScoreSheet)
            .join(ScoreSheet.exhibit)
            .where(ScoreSheet.judge_id == judge.id, Exhibit.festival_id == festival.id)
            .order_by(Exhibit.booth, Exhibit.code)
        ).scalars()
    )


def lock_sheet(sheet_id: int) -> ScoreSheet | None:
    """Load a sheet for writing; PostgreSQL locks the row so concurrent saves take turns."""
    return db.session.execute(
        db.select(ScoreSheet).where(ScoreSheet.id == sheet_id).with_for_update()
    ).scalar_one_or_none()


def check_may_score(sheet: ScoreSheet, judge: User, now: datetime) -> None:
    """:raise NotAllowed: not the judge's sheet, outside the judging window, submitted, or results final."""
    if sheet.judge_id != judge.id:
        raise NotAllowed(_l("Đây không phải phiếu của bạn."))
    festival = sheet.exhibit.festival
    if policy_for(festival).is_final:
        raise NotAllowed(_l("Kết quả đã chốt; phiếu chấm không sửa được nữa."))
    if sheet.is_locked:
        raise NotAllowed(_l("Phiếu đã nộp nên không sửa được. Hãy liên hệ ban tổ chức nếu cần mở lại."))
    if now < festival.judging_opens_at:
        raise NotAllowed(_l("Chưa đến thời gian chấm."))
    if now >= festival.judging_closes_at:
        raise NotAllowed(_l("Đã hết thời gian chấm."))


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def parse_points(value) -> Decimal | None:
    """A score as typed or sent: a number with at most two decimals, or empty.

    :raise ValueError: anything else.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("not a number")
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError("not a number") from None
    # No rubric gives more than 1000 points; bounding first keeps quantize() within its precision.
    if not number.is_finite() or abs(number) > 10_000 or number != number.quantize(Decimal("0.01")):
        raise ValueError("not a score with at most two decimals")
    return number


def _validate(rubric: Rubric, data: SheetInput) -> None:
    criteria = {c.id: c for c in rubric.criteria}
    for criterion_id, points in data.points.items():
        criterion = criteria.get(criterion_id)
        if criterion is None or criterion.kind is not CriterionKind.POINTS:
            raise FestivalError(_l("Tiêu chí không thuộc thang điểm của phiếu."))
        if points is None:
            continue
        if not Decimal(0) <= points <= criterion.max_points:
            raise FestivalError(
                _l("Điểm “%(name)s” phải từ 0 đến %(max)d.", name=criterion.name_vi, max=criterion.max_points)
            )
        if criterion.levels and points not in {Decimal(level.points) for level in criterion.levels}:
            raise FestivalError(_l("Điểm “%(name)s” phải là một trong các mức đã mô tả.", name=criterion.name_vi))
    for criterion_id in data.answers:
        criterion = criteria.get(criterion_id)
        if criterion is None or criterion.kind is not CriterionKind.YES_NO:
            raise FestivalError(_l("Câu hỏi không thuộc thang điểm của phiếu."))


def save_sheet(sheet: ScoreSheet, judge: User, data: SheetInput, now: datetime) -> SaveResult:
    """Apply one tablet save to a sheet; a repeat is recognised and a late one refused.

    Saves carry the device's id and a sequence number that grows with every change: the same
    number again is a retry (nothing is written twice), a smaller one is a save overtaken by a
    newer one from that device, and is refused so it can never overwrite newer scores.
    :raise NotAllowed: see check_may_score.
    :raise StaleSave: the save is older than one already applied from the same device.
    :raise FestivalError: a value outside the rubric.
    """
    check_may_score(sheet, judge, now)
    if sheet.last_client_id == data.client_id:
        if data.seq == sheet.last_seq:
            return SaveResult(applied=False, sheet=sheet)
        if data.seq < sheet.last_seq:
            raise StaleSave(_l("Đã có bản lưu mới hơn từ thiết bị này."))
    if sheet.rubric is None:
        sheet.rubric = current_rubric(sheet.exhibit.festival, sheet.exhibit.category)
        if sheet.rubric is None:
            raise FestivalError(_l("Ban tổ chức chưa thiết lập thang điểm."))
    _validate(sheet.rubric, data)
    existing = {score.criterion_id: score for score in sheet.scores}

    def change(criterion_id, field_name, old, new):
        db.session.add(
            ScoreChange(
                sheet_id=sheet.id,
                criterion_id=criterion_id,
                field=field_name,
                old_value=_text(old),
                new_value=_text(new),
                client_id=data.client_id,
                seq=data.seq,
                user_id=judge.id,
            )
        )

    for criterion_id, points in data.points.items():
        score = existing.get(criterion_id)
        old = score.points if score is not None else None
        if old != points:
            change(criterion_id, "points", old, points)
            if score is None:
                sheet.scores.append(Score(criterion_id=criterion_id, points=points))
            else:
                score.points = points
    for criterion_id, answer in data.answers.items():
        score = existing.get(criterion_id)
        old = score.answer if score is not None else None
        if old != answer:
            change(criterion_id, "answer", old, answer)
            if score is None:
                sheet.scores.append(Score(criterion_id=criterion_id, answer=answer))
            else:
                score.answer = answer
    if data.comment is not None and data.comment != sheet.comment:
        change(None, "comment", sheet.comment, data.comment[:5000])
        sheet.comment = data.comment[:5000]
    if sheet.status is SheetStatus.NOT_STARTED:
        sheet.status = SheetStatus.DRAFT
    sheet.last_client_id, sheet.last_seq = data.client_id, data.seq
    sheet.updated_at = now
    db.session.flush()
    return SaveResult(applied=True, sheet=sheet)


def missing_scores(sheet: ScoreSheet) -> list[Criterion]:
    """The scored criteria of the sheet's rubric that have no points yet."""
    if sheet.rubric is None:
        return []
    given = {s.criterion_id for s in sheet.scores if s.points is not None}
    return [c for c in sheet.rubric.scored_criteria if c.id not in given]


def submit_sheet(sheet: ScoreSheet, judge: User, data: SheetInput | None, now: datetime) -> None:
    """Save the last values (if given) and lock the sheet; submitting twice is harmless.

    :raise NotAllowed / StaleSave: as save_sheet.
    :raise FestivalError: a criterion has no score.
    """
    if (
        sheet.is_locked
        and sheet.judge_id == judge.id
        and data is not None
        and data.client_id == sheet.last_client_id
        and data.seq <= sheet.last_seq
    ):
        return  # the same submission again (a double tap or a retry)
    if data is not None:
        save_sheet(sheet, judge, data, now)
    else:
        check_may_score(sheet, judge, now)
    if sheet.rubric is None or missing_scores(sheet):
        names = ", ".join(c.name_vi for c in missing_scores(sheet)) if sheet.rubric else ""
        raise FestivalError(_l("Chưa chấm đủ các tiêu chí: %(names)s.", names=names or "—"))
    sheet.status = SheetStatus.SUBMITTED
    sheet.submitted_at = now
    db.session.add(
        ScoreChange(
            sheet_id=sheet.id,
            field="status",
            old_value="draft",
            new_value="submitted",
            user_id=judge.id,
            client_id=data.client_id if data else None,
            seq=data.seq if data else None,
        )
    )
    audit.record(
        "sheet.submitted", sheet, by=judge, after={"exhibit": sheet.exhibit.code, "total": _text(sheet_total(sheet))}
    )


def reopen_sheet(sheet: ScoreSheet, reason: str, by: User) -> None:
    """Unlock a submitted sheet so its judge can change it (organizers, with a reason).

    :raise FestivalError: not submitted, or no reason.
    :raise NotAllowed: the results are final (reopen them first).
    """
    if policy_for(sheet.exhibit.festival).is_final:
        raise NotAllowed(_l("Kết quả đã chốt; hãy mở lại kết quả trước."))
    if not sheet.is_locked:
        raise FestivalError(_l("Phiếu chưa nộp."))
    if not reason.strip():
        raise FestivalError(_l("Hãy ghi lý do mở lại phiếu."))
    sheet.status = SheetStatus.DRAFT
    sheet.submitted_at = None
    db.session.add(
        ScoreChange(sheet_id=sheet.id, field="status", old_value="submitted", new_value="draft", user_id=by.id)
    )
    audit.record(
        "sheet.reopened",
        sheet,
        by=by,
        after={"exhibit": sheet.exhibit.code, "judge": sheet.judge.email, "reason": reason.strip()},
    )


def sheet_total(sheet: ScoreSheet) -> Decimal | None:
    """The sheet's weighted total out of the rubric's total weight (None before any score)."""
    if sheet.rubric is None or not any(s.points is not None for s in sheet.scores):
        return None
    points = {s.criterion_id: s.points for s in sheet.scores}
    return weighted_total(sheet.rubric, points)


def weighted_total(rubric: Rubric, points: dict[int, Decimal | None]) -> Decimal:
    """Σ points/max × weight over the rubric's scored criteria (missing points count as 0)."""
    total = Decimal(0)
    for criterion in rubric.scored_criteria:
        value = points.get(criterion.id)
        if value is not None:
            total += value / criterion.max_points * criterion.weight
    return total.quantize(Decimal("0.001"))


def sheet_state(sheet: ScoreSheet) -> dict:
    """What the tablet needs to show a sheet: values, total, lock and the last save applied."""
    return {
        "id": sheet.id,
        "status": sheet.status.value,
        "locked": sheet.is_locked,
        "points": {str(s.criterion_id): _text(s.points) for s in sheet.scores if s.points is not None},
        "answers": {str(s.criterion_id): s.answer for s in sheet.scores if s.answer is not None},
        "comment": sheet.comment,
        "total": _text(sheet_total(sheet)),
        "client_id": sheet.last_client_id,
        "seq": sheet.last_seq,
    }


def judge_conflicts(judge: User) -> list[Conflict]:
    return list(
        db.session.execute(db.select(Conflict).where(Conflict.judge_id == judge.id).order_by(Conflict.id)).scalars()
    )


def festival_conflicts(festival: Festival) -> list[Conflict]:
    return list(
        db.session.execute(
            db.select(Conflict)
            .join(Conflict.exhibit)
            .where(Exhibit.festival_id == festival.id)
            .order_by(Exhibit.code, Conflict.id)
        ).scalars()
    )


def assignment_overview(festival: Festival) -> list[tuple[Category, list[tuple[Exhibit, list[ScoreSheet]]]]]:
    """Per category, each accepted exhibit with its sheets (judges), for the assignment page."""
    sheets: dict[int, list[ScoreSheet]] = {}
    for sheet in festival_sheets(festival):
        sheets.setdefault(sheet.exhibit_id, []).append(sheet)
    by_category: dict[int, list] = {}
    for exhibit in accepted_exhibits(festival):
        by_category.setdefault(exhibit.category_id, []).append(
            (exhibit, sorted(sheets.get(exhibit.id, []), key=lambda s: s.judge.full_name))
        )
    categories = db.session.execute(
        db.select(Category).where(Category.festival_id == festival.id).order_by(Category.position, Category.code)
    ).scalars()
    return [(category, by_category[category.id]) for category in categories if category.id in by_category]


PROBLEM_TEXT = {
    "too_few_judges": _l(
        "%(exhibit)s chỉ có %(assigned)s giám khảo: hội đồng lĩnh vực có %(panel)s người, %(own_unit)s cùng "
        "đơn vị, %(declared)s khai báo xung đột."
    ),
    "unbalanced": _l(
        "Lĩnh vực %(category)s: số sáng kiến mỗi giám khảo chênh nhau hơn 1 (%(loads)s) do xung đột lợi ích."
    ),
    "not_comparable": _l(
        "Lĩnh vực %(category)s: các nhóm giám khảo không chấm chung sáng kiến nào (%(groups)s) nên điểm không "
        "so sánh được."
    ),
    "conflicting_fixed": _l("%(exhibit)s: phân công cũ cho %(judge)s vi phạm xung đột lợi ích và đã bị bỏ."),
    "empty_panel": _l("Lĩnh vực %(category)s chưa có giám khảo nào trong hội đồng."),
}


def describe_problems(plan: assignment.Plan) -> list[str]:
    """Readable sentences for the rules an assignment could not meet."""
    exhibits = {
        e.id: e
        for e in db.session.execute(
            db.select(Exhibit).where(Exhibit.id.in_({p.exhibit_id for p in plan.problems if p.exhibit_id}))
        ).scalars()
    }
    people = {u.id: u for u in db.session.execute(db.select(User).where(User.role == Role.JUDGE)).scalars()}
    categories = {
        c.id: c
        for c in db.session.execute(
            db.select(Category).where(Category.id.in_({p.category_id for p in plan.problems if p.category_id}))
        ).scalars()
    }
    lines = []
    for problem in plan.problems:
        details = dict(problem.details)
        values = {
            "exhibit": exhibits[problem.exhibit_id].code if problem.exhibit_id in exhibits else "",
            "judge": people[problem.judge_id].full_name if problem.judge_id in people else "",
            "category": categories[problem.category_id].code if problem.category_id in categories else "",
            "assigned": details.get("assigned", 0),
            "panel": details.get("panel", details.get("eligible", 0)),
            "own_unit": details.get("own_unit", 0),
            "declared": details.get("declared", 0),
            "loads": ", ".join(
                f"{people[j].full_name if j in people else j}: {n}" for j, n in details.get("loads", ())
            ),
            "groups": " | ".join(
                ", ".join(people[j].full_name if j in people else str(j) for j in group)
                for group in details.get("components", ())
            ),
        }
        lines.append(str(PROBLEM_TEXT.get(problem.kind, problem.kind)) % values)
    return lines


def update_policy(
    policy: JudgingPolicy,
    *,
    method,
    shrinkage: Decimal,
    spread_flag: Decimal,
    tie_break: str,
    prizes: tuple[int, int, int],
    honourable_percent: int,
    by: User,
) -> None:
    """Change how results are computed and prizes proposed (audited).

    :raise FestivalError: a tie-break that is not a list of criterion numbers.
    :raise NotAllowed: the results are final.
    """
    if policy.is_final:
        raise NotAllowed(_l("Kết quả đã chốt; hãy mở lại kết quả trước khi đổi cách xếp hạng."))
    positions = []
    for part in [p.strip() for p in tie_break.replace(";", ",").split(",") if p.strip()]:
        if not part.isdigit() or not 1 <= int(part) <= 50 or int(part) - 1 in positions:
            raise FestivalError(_l("Thứ tự xét bằng điểm là các số thứ tự tiêu chí khác nhau, ví dụ 3, 1."))
        positions.append(int(part) - 1)
    before = {
        "method": policy.method,
        "tie_break": policy.tie_break,
        "prizes": [policy.first_prizes, policy.second_prizes, policy.third_prizes],
        "honourable": str(policy.honourable_share),
    }
    policy.method, policy.shrinkage, policy.spread_flag = method, shrinkage, spread_flag
    policy.tie_break = positions
    policy.first_prizes, policy.second_prizes, policy.third_prizes = prizes
    policy.honourable_share = (Decimal(honourable_percent) / 100).quantize(Decimal("0.001"))
    after = {
        "method": policy.method,
        "tie_break": positions,
        "prizes": list(prizes),
        "honourable": str(policy.honourable_share),
    }
    audit.record("judging.policy_saved", policy.festival, by=by, before=before, after=after)
