"""The defences of a round at the booths: each finalist's authors present and answer before the judges
assigned to it, in a time slot that never puts a judge in two places, an author in two defences or two
defences at one booth at once (the plan itself is festival.judging.math.schedule)."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from festival.core import audit, events
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.judging.math import schedule
from festival.judging.policy import policy_for
from festival.judging.rounds import round_exhibits
from festival.models import Defence, Exhibit, Festival, JudgingRound, ScoreSheet, Unit, User
from festival.util.formatting import fold

# Minutes of a defence when the festival has no presentation timer.
DEFAULT_DEFENCE_MINUTES = 15


@dataclass
class Built:
    placed: int
    unplaced: list[Exhibit]


def defence_minutes(festival: Festival) -> int:
    policy = policy_for(festival)
    return policy.presentation_minutes + policy.questions_minutes if policy.has_timer else DEFAULT_DEFENCE_MINUTES


def _defences(judging_round: JudgingRound) -> tuple[list[Exhibit], list[schedule.Defence]]:
    festival = judging_round.festival
    exhibits = list(
        db.session.execute(
            round_exhibits(festival, judging_round.number).order_by(Exhibit.code).options(selectinload(Exhibit.authors))
        ).scalars()
    )
    judges: dict[int, set[int]] = {}
    for exhibit_id, judge_id in db.session.execute(
        db.select(ScoreSheet.exhibit_id, ScoreSheet.judge_id)
        .join(ScoreSheet.exhibit)
        .where(Exhibit.festival_id == festival.id, ScoreSheet.round_number == judging_round.number)
    ):
        judges.setdefault(exhibit_id, set()).add(judge_id)
    plans = [
        schedule.Defence(
            exhibit_id=e.id,
            booth=" ".join(part for part in (e.zone, e.booth) if part),
            judges=frozenset(judges.get(e.id, ())),
            # An author is known by name within their unit: the same worker may be named on two exhibits.
            authors=frozenset(f"{e.unit_id}:{fold(a.full_name)}" for a in e.authors),
            order_key=e.code or "",
        )
        for e in exhibits
    ]
    return exhibits, plans


def build_schedule(judging_round: JudgingRound, changeover: int, by: User) -> Built:
    """Plan the round's defences in its window, replacing the schedule saved before (audited; units and
    judges see it on their pages, units are mailed).

    :raise FestivalError: round 1, no finalist, a changeover outside 0–60 minutes, or no judge assigned yet.
    :raise NotAllowed: the results are final.
    """
    festival = judging_round.festival
    if policy_for(festival).is_final:
        raise NotAllowed(_l("Kết quả đã chốt."))
    if not judging_round.takes_finalists:
        raise FestivalError(_l("Lịch bảo vệ dành cho vòng chung khảo."))
    if not 0 <= changeover <= 60:
        raise FestivalError(_l("Thời gian chuyển giữa hai lượt phải từ 0 đến 60 phút."))
    exhibits, plans = _defences(judging_round)
    if not plans:
        raise FestivalError(_l("Chưa có danh sách vào vòng."))
    if not any(p.judges for p in plans):
        raise FestivalError(_l("Hãy phân công giám khảo cho vòng này trước khi xếp lịch bảo vệ."))
    slots = schedule.slots([judging_round.window()], defence_minutes(festival), changeover)
    planned = schedule.schedule_defences(plans, len(slots))
    db.session.execute(sa.delete(Defence).where(Defence.round_id == judging_round.id))
    for exhibit_id, index in sorted(planned.placed.items()):
        slot = slots[index]
        db.session.add(
            Defence(round_id=judging_round.id, exhibit_id=exhibit_id, starts_at=slot.start, ends_at=slot.end)
        )
    db.session.flush()
    by_id = {e.id: e for e in exhibits}
    audit.record(
        "defences.scheduled",
        festival,
        by=by,
        after={
            "round": judging_round.number,
            "placed": len(planned.placed),
            "unplaced": [by_id[e].code for e in planned.unplaced],
        },
    )
    events.defences_scheduled.send(judging_round, by=by)
    return Built(placed=len(planned.placed), unplaced=[by_id[e] for e in planned.unplaced])


def round_defences(judging_round: JudgingRound) -> list[tuple[Defence, list[User]]]:
    """The round's defences in time order, each with its judges."""
    defences = list(
        db.session.execute(
            db.select(Defence)
            .join(Defence.exhibit)
            .where(Defence.round_id == judging_round.id)
            .order_by(Defence.starts_at, Exhibit.booth, Exhibit.code)
            .options(selectinload(Defence.exhibit).selectinload(Exhibit.unit))
        ).scalars()
    )
    judges: dict[int, list[User]] = {}
    for sheet in db.session.execute(
        db.select(ScoreSheet)
        .join(ScoreSheet.exhibit)
        .where(Exhibit.festival_id == judging_round.festival_id, ScoreSheet.round_number == judging_round.number)
        .options(selectinload(ScoreSheet.judge))
    ).scalars():
        judges.setdefault(sheet.exhibit_id, []).append(sheet.judge)
    return [(d, sorted(judges.get(d.exhibit_id, []), key=lambda j: j.full_name)) for d in defences]


def exhibit_defences(exhibit_ids: list[int]) -> dict[int, Defence]:
    """exhibit id → its defence (the latest round's), for the unit's and the judge's pages."""
    rows = db.session.execute(
        db.select(Defence)
        .join(JudgingRound, JudgingRound.id == Defence.round_id)
        .where(Defence.exhibit_id.in_(exhibit_ids))
        .order_by(JudgingRound.number)
    ).scalars()
    return {d.exhibit_id: d for d in rows}


def unit_defences(festival: Festival, unit: Unit) -> list[Defence]:
    return list(
        db.session.execute(
            db.select(Defence)
            .join(Defence.exhibit)
            .where(Exhibit.festival_id == festival.id, Exhibit.unit_id == unit.id)
            .order_by(Defence.starts_at)
        ).scalars()
    )


def clashes(judging_round: JudgingRound) -> list:
    """Every clash in the saved schedule (none unless exhibits, authors or judges changed after it was built)."""
    _exhibits, plans = _defences(judging_round)
    finalist_ids = {p.exhibit_id for p in plans}
    # A saved defence of an exhibit no longer in the round (withdrawn) cannot clash with anyone.
    saved = [d for d, _judges in round_defences(judging_round) if d.exhibit_id in finalist_ids]
    starts = sorted({d.starts_at for d in saved})
    placed = {d.exhibit_id: starts.index(d.starts_at) for d in saved}
    return schedule.clashes([p for p in plans if p.exhibit_id in placed], schedule.Schedule(placed=placed, unplaced=()))
