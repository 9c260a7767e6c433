"""Finalists: from a round's results, the exhibits that go on to the next round — proposed per category by
the next round's rule (a quota or a score threshold), adjusted by organizers with reasons, then confirmed
as a frozen, audited list that units are told about."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from festival.core import audit, events
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.judging.math import rounds as combination
from festival.judging.policy import policy_for
from festival.judging.results import CategoryResults, round_results
from festival.judging.rounds import round_exhibits
from festival.models import Exhibit, Finalist, JudgingRound, ScoreSheet, User, utcnow


@dataclass
class CategoryFinalists:
    """One category's previous-round results and who goes on: proposed by the rule, after adjustments."""

    block: CategoryResults
    proposed: list[int]
    chosen: set[int]
    choices: dict[int, Finalist]  # exhibit id → the organizer's departure from the proposal, with its reason


def _choices(judging_round: JudgingRound) -> dict[int, Finalist]:
    return {
        f.exhibit_id: f
        for f in db.session.execute(db.select(Finalist).where(Finalist.round_id == judging_round.id)).scalars()
    }


def finalist_overview(judging_round: JudgingRound) -> list[CategoryFinalists]:
    """Per category: the previous round's ranking, the proposal, and the list as it stands.

    Once confirmed, the list is the frozen one; before, the proposal with the organizer's changes.
    """
    blocks = round_results(judging_round.festival, judging_round.number - 1)
    choices = _choices(judging_round)
    threshold = float(judging_round.finalist_threshold) if judging_round.finalist_threshold is not None else None
    quota = judging_round.finalist_quota if threshold is None else None
    overview = []
    for block in blocks:
        proposed = combination.propose_finalists(
            block.ranked, quota=quota if quota is not None else 0, threshold=threshold
        )
        chosen = set(proposed)
        for exhibit_id, choice in choices.items():
            if exhibit_id in block.exhibits:
                (chosen.add if choice.included else chosen.discard)(exhibit_id)
        overview.append(
            CategoryFinalists(block, proposed, chosen, {k: v for k, v in choices.items() if k in block.exhibits})
        )
    return overview


def _check_open(judging_round: JudgingRound) -> None:
    if not judging_round.takes_finalists:
        raise FestivalError(_l("Vòng 1 chấm mọi sáng kiến đã duyệt; không chọn danh sách vào vòng."))
    if judging_round.finalists_confirmed:
        raise NotAllowed(_l("Danh sách vào vòng đã được xác nhận và khoá."))
    if policy_for(judging_round.festival).is_final:
        raise NotAllowed(_l("Kết quả đã chốt."))


def choose(judging_round: JudgingRound, exhibit: Exhibit, included: bool, reason: str, by: User) -> None:
    """Put an exhibit in or out of the next round against the proposal (with a reason), or back as proposed.

    :raise FestivalError: round 1, no reason for a departure from the proposal, or an exhibit not judged
        in the previous round.
    :raise NotAllowed: the list is confirmed, or the results are final.
    """
    _check_open(judging_round)
    overview = {c.block.category.id: c for c in finalist_overview(judging_round)}
    category = overview.get(exhibit.category_id)
    if category is None or exhibit.id not in category.block.exhibits:
        raise FestivalError(_l("Sáng kiến này không được chấm ở vòng trước."))
    proposed = exhibit.id in category.proposed
    existing = category.choices.get(exhibit.id)
    if included == proposed:
        if existing is not None:
            db.session.delete(existing)
    else:
        if not reason.strip():
            raise FestivalError(_l("Hãy ghi lý do khi chọn khác với đề xuất."))
        if existing is None:
            existing = Finalist(round_id=judging_round.id, exhibit_id=exhibit.id)
            db.session.add(existing)
        existing.proposed, existing.included = proposed, included
        existing.reason, existing.user_id = reason.strip()[:1000], by.id
    db.session.flush()
    audit.record(
        "finalists.chosen",
        exhibit,
        by=by,
        after={"round": judging_round.number, "included": included, "proposed": proposed, "reason": reason.strip()},
    )


def confirm(judging_round: JudgingRound, by: User) -> list[int]:
    """Freeze the list: a Finalist row per exhibit going on, the decision kept on the round (its rule, the
    previous round's scores, the proposal and each change with its reason), audited; units are told.

    :raise FestivalError: nobody would go on.
    :raise NotAllowed: already confirmed, or the results are final.
    """
    _check_open(judging_round)
    overview = finalist_overview(judging_round)
    chosen = sorted(exhibit_id for c in overview for exhibit_id in c.chosen)
    if not chosen:
        raise FestivalError(_l("Chưa có sáng kiến nào vào vòng."))
    for category in overview:
        for exhibit_id in category.chosen - set(category.choices):
            db.session.add(Finalist(round_id=judging_round.id, exhibit_id=exhibit_id, proposed=True, included=True))
    db.session.flush()
    judging_round.finalist_record = _record(judging_round, overview)
    judging_round.finalists_confirmed_at, judging_round.finalists_confirmed_by_id = utcnow(), by.id
    audit.record(
        "finalists.confirmed",
        judging_round.festival,
        by=by,
        after={"round": judging_round.number, "finalists": [c for c in judging_round.finalist_record["chosen"]]},
    )
    events.finalists_confirmed.send(judging_round, by=by)
    return chosen


def _record(judging_round: JudgingRound, overview: list[CategoryFinalists]) -> dict:
    return {
        "quota": judging_round.finalist_quota,
        "threshold": None if judging_round.finalist_threshold is None else str(judging_round.finalist_threshold),
        "chosen": sorted(c.block.exhibits[e].code or str(e) for c in overview for e in c.chosen),
        "categories": [
            {
                "category": c.block.category.code,
                "exhibits": [
                    {
                        "code": c.block.exhibits[r.result.exhibit_id].code,
                        "rank": r.rank,
                        "score": r.result.score,
                        "proposed": r.result.exhibit_id in c.proposed,
                        "finalist": r.result.exhibit_id in c.chosen,
                        "reason": c.choices[r.result.exhibit_id].reason if r.result.exhibit_id in c.choices else "",
                    }
                    for r in c.block.ranked
                ],
            }
            for c in overview
        ],
    }


def reopen(judging_round: JudgingRound, reason: str, by: User) -> None:
    """Unfreeze a confirmed list while its round has no sheet yet (audited with the reason).

    :raise FestivalError: no reason, not confirmed, or the round's judging has been assigned.
    """
    if not judging_round.finalists_confirmed:
        raise FestivalError(_l("Danh sách vào vòng chưa được xác nhận."))
    if not reason.strip():
        raise FestivalError(_l("Hãy ghi lý do mở lại danh sách."))
    has_sheets = db.session.execute(
        db.select(ScoreSheet.id)
        .join(ScoreSheet.exhibit)
        .where(Exhibit.festival_id == judging_round.festival_id, ScoreSheet.round_number == judging_round.number)
        .limit(1)
    ).first()
    if has_sheets is not None:
        raise FestivalError(_l("Vòng này đã được phân công chấm; hãy bỏ phân công trước khi mở lại danh sách."))
    db.session.execute(sa.delete(Finalist).where(Finalist.round_id == judging_round.id, Finalist.reason == ""))
    judging_round.finalists_confirmed_at = judging_round.finalists_confirmed_by_id = None
    judging_round.finalist_record = None
    audit.record(
        "finalists.reopened",
        judging_round.festival,
        by=by,
        after={"round": judging_round.number, "reason": reason.strip()},
    )


def unit_news(festival, exhibit_ids: list[int]) -> dict[int, tuple[JudgingRound, bool]]:
    """For a unit's exhibits judged in a round whose next round's list is confirmed: exhibit id → (that next
    round, whether the exhibit goes on). Exhibits of no decided round are absent."""
    confirmed = list(
        db.session.execute(
            db.select(JudgingRound)
            .where(JudgingRound.festival_id == festival.id, JudgingRound.finalists_confirmed_at.is_not(None))
            .order_by(JudgingRound.number)
        ).scalars()
    )
    news: dict[int, tuple[JudgingRound, bool]] = {}
    for judging_round in confirmed:
        judged = {
            exhibit_id
            for exhibit_id in db.session.execute(
                round_exhibits(festival, judging_round.number - 1)
                .where(Exhibit.id.in_(exhibit_ids))
                .with_only_columns(Exhibit.id)
            ).scalars()
        }
        going_on = set(
            db.session.execute(
                db.select(Finalist.exhibit_id).where(
                    Finalist.round_id == judging_round.id,
                    Finalist.included.is_(True),
                    Finalist.exhibit_id.in_(exhibit_ids),
                )
            ).scalars()
        )
        for exhibit_id in judged:
            news[exhibit_id] = (judging_round, exhibit_id in going_on)
    return news
