"""Panels, conflicts of interest and assigning judges to exhibits (the plan itself is `assignment`)."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from festival.core import audit, events
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.judging.math import assignment
from festival.judging.policy import policy_for
from festival.judging.rounds import round_exhibits
from festival.models import (
    Category,
    Conflict,
    Exhibit,
    ExhibitStatus,
    Festival,
    PanelMember,
    Role,
    ScoreSheet,
    SheetStatus,
    User,
)


def judges() -> list[User]:
    return list(
        db.session.execute(
            db.select(User).where(User.role == Role.JUDGE, User.is_active.is_(True)).order_by(User.full_name, User.id)
        ).scalars()
    )


def panel_map(festival: Festival, number: int = 1) -> dict[int, set[int]]:
    """category id → ids of the judges on its panel in round `number`."""
    rows = db.session.execute(
        db.select(PanelMember.category_id, PanelMember.judge_id)
        .join(Category)
        .where(Category.festival_id == festival.id, PanelMember.round_number == number)
    ).all()
    panels: dict[int, set[int]] = {}
    for category_id, judge_id in rows:
        panels.setdefault(category_id, set()).add(judge_id)
    return panels


def set_panels(festival: Festival, memberships: set[tuple[int, int]], by: User, number: int = 1) -> None:
    """Replace the panels of round `number` with (category id, judge id) pairs."""
    categories = {
        c.id for c in db.session.execute(db.select(Category).where(Category.festival_id == festival.id)).scalars()
    }
    judge_ids = {j.id for j in judges()}
    memberships = {(c, j) for c, j in memberships if c in categories and j in judge_ids}
    current = {(c, j) for c, js in panel_map(festival, number).items() for j in js}
    for category_id, judge_id in current - memberships:
        db.session.execute(
            sa.delete(PanelMember).where(
                PanelMember.round_number == number,
                PanelMember.category_id == category_id,
                PanelMember.judge_id == judge_id,
            )
        )
    for category_id, judge_id in sorted(memberships - current):
        db.session.add(PanelMember(round_number=number, category_id=category_id, judge_id=judge_id))
    db.session.flush()
    audit.record(
        "panels.saved",
        festival,
        by=by,
        before={"round": number, "pairs": sorted(current)},
        after={"round": number, "pairs": sorted(memberships)},
    )


def declare_conflict(judge: User, exhibit: Exhibit, reason: str, by: User) -> Conflict:
    """Record that `judge` must not judge `exhibit`; unstarted assignments of the pair (in any round) are removed.

    :raise FestivalError: the judge already scored it (an organizer must reopen and reassign).
    """
    existing = db.session.execute(
        db.select(Conflict).where(Conflict.judge_id == judge.id, Conflict.exhibit_id == exhibit.id)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    sheets = db.session.execute(
        db.select(ScoreSheet).where(ScoreSheet.exhibit_id == exhibit.id, ScoreSheet.judge_id == judge.id)
    ).scalars()
    for sheet in sheets:
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


def accepted_exhibits(festival: Festival, number: int = 1) -> list[Exhibit]:
    """The exhibits to judge in round `number`, by code, with their units loaded."""
    return list(
        db.session.execute(
            round_exhibits(festival, number).order_by(Exhibit.code).options(selectinload(Exhibit.unit))
        ).scalars()
    )


def festival_sheets(festival: Festival, number: int = 1) -> list[ScoreSheet]:
    """The sheets of round `number`, with their judges loaded (one statement for all, not one a judge)."""
    return list(
        db.session.execute(
            db.select(ScoreSheet)
            .join(ScoreSheet.exhibit)
            .where(Exhibit.festival_id == festival.id, ScoreSheet.round_number == number)
            .options(selectinload(ScoreSheet.judge))
        ).scalars()
    )


def _slots(festival: Festival, number: int):
    exhibits = accepted_exhibits(festival, number)
    panels = panel_map(festival, number)
    exhibit_slots = [assignment.ExhibitSlot(e.id, e.category_id, e.unit_id, e.code or "") for e in exhibits]
    judge_slots = [
        assignment.JudgeSlot(j.id, j.unit_id, frozenset(c for c, js in panels.items() if j.id in js), j.full_name)
        for j in judges()
    ]
    return exhibits, exhibit_slots, judge_slots


def assign_judges(festival: Festival, per_exhibit: int, by: User | None, number: int = 1) -> assignment.Plan:
    """(Re)plan round `number`'s automatic assignments: sheets already started and manual ones stay; the
    rest is planned.

    Returns the plan, whose `problems` say which rule could not be met and why.
    :raise NotAllowed: the results are final.
    """
    policy = policy_for(festival)
    if policy.is_final:
        raise NotAllowed(_l("Kết quả đã chốt; không phân công lại được."))
    if not 1 <= per_exhibit <= 10:
        raise FestivalError(_l("Số giám khảo mỗi sáng kiến phải từ 1 đến 10."))
    exhibits, exhibit_slots, judge_slots = _slots(festival, number)
    accepted_ids = {e.id for e in exhibits}
    sheets = festival_sheets(festival, number)
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
        db.session.add(ScoreSheet(round_number=number, exhibit_id=exhibit_id, judge_id=judge_id))
    policy.per_exhibit = per_exhibit
    db.session.flush()
    audit.record(
        "judging.assigned",
        festival,
        by=by,
        after={
            "round": number,
            "per_exhibit": per_exhibit,
            "pairs": len(plan.pairs),
            "problems": [p.kind for p in plan.problems],
        },
    )
    _announce_changes(festival, judges(), by)
    return plan


def _announce_changes(festival: Festival, changed: list[User], by: User | None) -> None:
    """Say whose list changed (judges already mailed their list are told what changed, festival.mail)."""
    db.session.flush()  # listeners read each judge's sheets as they are now
    events.judge_lists_changed.send(festival, judges=changed, by=by)


def _sheet_of(exhibit_id: int, judge_id: int, number: int) -> ScoreSheet | None:
    return db.session.execute(
        db.select(ScoreSheet).where(
            ScoreSheet.round_number == number, ScoreSheet.exhibit_id == exhibit_id, ScoreSheet.judge_id == judge_id
        )
    ).scalar_one_or_none()


def may_judge(judge: User, exhibit: Exhibit, conflicts: set[tuple[int, int]]) -> bool:
    """The assignment rules for one judge and exhibit: not of the exhibit's unit, no declared conflict."""
    slot_judge = assignment.JudgeSlot(judge.id, judge.unit_id, frozenset(), judge.full_name)
    slot_exhibit = assignment.ExhibitSlot(exhibit.id, exhibit.category_id, exhibit.unit_id, exhibit.code or "")
    return assignment.eligible(slot_judge, slot_exhibit, conflicts)


def add_assignment(exhibit: Exhibit, judge: User, by: User, number: int = 1) -> ScoreSheet:
    """Give `judge` the exhibit by hand in round `number` (conflict rules still apply).

    :raise FestivalError: not a judge, not accepted (not a finalist in a later round), already assigned, or a
        conflict.
    """
    if policy_for(exhibit.festival).is_final:
        raise NotAllowed(_l("Kết quả đã chốt; không phân công lại được."))
    if judge.role is not Role.JUDGE:
        raise FestivalError(_l("Chỉ giao được cho tài khoản giám khảo."))
    if exhibit.status is not ExhibitStatus.ACCEPTED:
        raise FestivalError(_l("Chỉ phân công chấm sáng kiến đã duyệt."))
    in_round = db.session.execute(round_exhibits(exhibit.festival, number).where(Exhibit.id == exhibit.id)).first()
    if in_round is None:
        raise FestivalError(_l("Sáng kiến này không có trong danh sách vào vòng."))
    if _sheet_of(exhibit.id, judge.id, number) is not None:
        raise FestivalError(_l("%(name)s đã được giao sáng kiến này.", name=judge.full_name))
    if not may_judge(judge, exhibit, conflict_pairs(exhibit.festival)):
        if judge.unit_id == exhibit.unit_id:
            raise FestivalError(_l("%(name)s thuộc đơn vị có sáng kiến này nên không được chấm.", name=judge.full_name))
        raise FestivalError(_l("%(name)s đã khai báo xung đột lợi ích với sáng kiến này.", name=judge.full_name))
    sheet = ScoreSheet(round_number=number, exhibit=exhibit, judge=judge, is_manual=True)
    db.session.add(sheet)
    db.session.flush()
    audit.record("judging.assignment_added", exhibit, by=by, after={"judge": judge.email, "round": number})
    _announce_changes(exhibit.festival, [judge], by)
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
    audit.record(
        "judging.assignment_removed",
        sheet.exhibit,
        by=by,
        before={"judge": sheet.judge.email, "round": sheet.round_number},
    )
    festival, judge = sheet.exhibit.festival, sheet.judge
    db.session.delete(sheet)
    _announce_changes(festival, [judge], by)


def assignment_overview(
    festival: Festival, number: int = 1
) -> list[tuple[Category, list[tuple[Exhibit, list[ScoreSheet]]]]]:
    """Per category, each exhibit of round `number` with its sheets (judges), for the assignment page."""
    sheets: dict[int, list[ScoreSheet]] = {}
    for sheet in festival_sheets(festival, number):
        sheets.setdefault(sheet.exhibit_id, []).append(sheet)
    by_category: dict[int, list] = {}
    for exhibit in accepted_exhibits(festival, number):
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
