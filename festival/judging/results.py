"""Results: ratings from submitted sheets, calibrated and ranked per category, award tiers,
finalisation with a frozen record, and the results export."""

import hashlib
import json
from dataclasses import dataclass, field, replace
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, selectinload

from festival.core import audit
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.judging.math import calibration
from festival.judging.math import rounds as combination
from festival.judging.panels import accepted_exhibits, conflict_pairs, festival_sheets
from festival.judging.policy import policy_for
from festival.judging.rounds import rounds_of
from festival.judging.scoring import has_conflict
from festival.models import (
    Award,
    AwardOverride,
    AwardTier,
    Category,
    Combination,
    Exhibit,
    Festival,
    JudgingPolicy,
    JudgingRound,
    ResultRecord,
    Rubric,
    Score,
    ScoreSheet,
    SheetStatus,
    User,
    utcnow,
)
from festival.spreadsheets import write_csv, write_xlsx


def rating_of(rubric: Rubric, exhibit_id: int, judge_id: int, points: dict[int, Decimal | None]) -> calibration.Rating:
    """A submitted sheet (its rubric and points by criterion) as a rating on the 0–100 scale, with
    each criterion's share of it."""
    scale = Decimal(100) / rubric.total_weight
    parts = tuple(
        float((points.get(c.id) or Decimal(0)) / c.max_points * c.weight * scale) for c in rubric.scored_criteria
    )
    return calibration.Rating(exhibit_id=exhibit_id, judge_id=judge_id, total=sum(parts), criteria=parts)


def _aligned(ratings: list[calibration.Rating]) -> list[calibration.Rating]:
    # Sheets scored with different rubric versions can have different numbers of criteria; the
    # per-criterion means used for tie-breaks need one width, so shorter ones are padded with 0.
    width = max((len(r.criteria) for r in ratings), default=0)
    return [
        r
        if len(r.criteria) == width
        else calibration.Rating(r.exhibit_id, r.judge_id, r.total, r.criteria + (0.0,) * (width - len(r.criteria)))
        for r in ratings
    ]


def quotas(policy: JudgingPolicy) -> calibration.Quotas:
    return calibration.Quotas(
        first=policy.first_prizes,
        second=policy.second_prizes,
        third=policy.third_prizes,
        honourable_share=float(policy.honourable_share),
    )


@dataclass(frozen=True)
class ConflictedSheet:
    """A submitted sheet whose judge has a conflict of interest with the exhibit (of its unit, or
    declared): left out of the results unless an organizer kept it, with a reason."""

    sheet_id: int
    exhibit_id: int
    judge_id: int
    kept_reason: str | None


@dataclass
class CategoryResults:
    category: Category
    exhibits: dict[int, Exhibit]
    ranked: list  # calibration.Ranked, best first (unscored last)
    proposed: dict[int, str | None]
    tiers: dict[int, AwardTier | None]  # after organizers' changes
    overrides: dict[int, AwardOverride]
    near_cutoff: set[int]
    agreement: object  # calibration.Agreement | None
    severity: dict[int, object]  # judge id → calibration.JudgeStats
    judges: dict[int, User]
    ratings: list
    error: object  # calibration.PooledError: σ² of one sheet, pooled over the category
    effects: object  # calibration EffectsFit: the judge-effects model and its groups of judges
    mean_rank: dict[int, int]  # each exhibit's rank by the raw mean, to say why a rank moved
    conflicted: list[ConflictedSheet]
    # A festival judged in rounds: each earlier round's score and rank of these exhibits (round number →
    # exhibit id → value), and how many places each moved from the round before to the final ranking.
    round_scores: dict[int, dict[int, float | None]] = field(default_factory=dict)
    round_ranks: dict[int, dict[int, int]] = field(default_factory=dict)
    movement: dict[int, int | None] = field(default_factory=dict)


FLAG_RULE = _l(
    "Một sáng kiến được đánh dấu “sát ngưỡng giải” khi điểm của nó cách một ngưỡng giải (điểm giữa hai sáng "
    "kiến liền nhau trên bảng xếp hạng mà khác giải) không quá một sai số chuẩn. Sai số chuẩn là √(σ²/n) với n "
    "phiếu đã nộp của sáng kiến, σ² là phương sai giữa các phiếu của cùng một sáng kiến, gộp chung mọi sáng kiến "
    "có từ 2 phiếu của lĩnh vực (đã trừ độ khắt khe của từng giám khảo khi xếp theo mô hình hiệu ứng), và không "
    "nhỏ hơn 0,5 điểm. Nhờ vậy sáng kiến chỉ có 1 phiếu cũng có sai số thật. Hội đồng nên xem lại các sáng kiến "
    "này trước khi chốt."
)


def _sheets_by_category(festival: Festival, number: int):
    """Every submitted sheet of round `number` as a rating, by category, with the sheets left out for a conflict of
    interest, and how many sheets each exhibit was assigned. Read as plain rows in a few queries:
    a 1,000-exhibit festival has 3,000 sheets and 15,000 scores, too many to load as objects."""
    submitted = (
        Exhibit.festival_id == festival.id,
        ScoreSheet.round_number == number,
        ScoreSheet.status == SheetStatus.SUBMITTED,
        ScoreSheet.rubric_id.is_not(None),
    )
    judge_unit = aliased(User)
    sheets = db.session.execute(
        db.select(
            ScoreSheet.id,
            ScoreSheet.exhibit_id,
            ScoreSheet.judge_id,
            ScoreSheet.rubric_id,
            ScoreSheet.conflict_kept_reason,
            Exhibit.category_id,
            Exhibit.unit_id,
            judge_unit.unit_id.label("judge_unit_id"),
        )
        .join(ScoreSheet.exhibit)
        .join(judge_unit, judge_unit.id == ScoreSheet.judge_id)
        .where(*submitted)
    ).all()
    assigned = dict(
        db.session.execute(
            db.select(ScoreSheet.exhibit_id, sa.func.count())
            .join(ScoreSheet.exhibit)
            .where(Exhibit.festival_id == festival.id, ScoreSheet.round_number == number)
            .group_by(ScoreSheet.exhibit_id)
        ).all()
    )
    declared = conflict_pairs(festival)
    points: dict[int, dict[int, Decimal | None]] = {}
    scores = (
        db.select(Score.sheet_id, Score.criterion_id, Score.points)
        .join(Score.sheet)
        .join(ScoreSheet.exhibit)
        .where(*submitted)
    )
    for sheet_id, criterion_id, value in db.session.execute(scores):
        points.setdefault(sheet_id, {})[criterion_id] = value
    rubric_ids = {sheet.rubric_id for sheet in sheets}
    rubrics = {
        r.id: r
        for r in db.session.execute(
            db.select(Rubric).where(Rubric.id.in_(rubric_ids)).options(selectinload(Rubric.criteria))
        ).scalars()
    }
    ratings: dict[int, list[calibration.Rating]] = {}
    conflicted: dict[int, list[ConflictedSheet]] = {}
    for sheet in sorted(sheets, key=lambda row: row.id):
        same_unit = sheet.judge_unit_id is not None and sheet.judge_unit_id == sheet.unit_id
        if same_unit or (sheet.judge_id, sheet.exhibit_id) in declared:
            conflicted.setdefault(sheet.category_id, []).append(
                ConflictedSheet(sheet.id, sheet.exhibit_id, sheet.judge_id, sheet.conflict_kept_reason)
            )
            if sheet.conflict_kept_reason is None:
                continue
        rating = rating_of(rubrics[sheet.rubric_id], sheet.exhibit_id, sheet.judge_id, points.get(sheet.id, {}))
        ratings.setdefault(sheet.category_id, []).append(rating)
    return ratings, conflicted, assigned


@dataclass(frozen=True)
class EarlierRound:
    """An earlier round's calibrated scores and ranks by category (category id → exhibit id → value)."""

    number: int
    weight: int
    scores: dict[int, dict[int, float | None]]
    ranks: dict[int, dict[int, int]]


def _earlier_round(festival: Festival, judging_round: JudgingRound) -> EarlierRound:
    blocks = round_results(festival, judging_round.number)
    return EarlierRound(
        number=judging_round.number,
        weight=judging_round.weight,
        scores={b.category.id: {r.result.exhibit_id: r.result.score for r in b.ranked} for b in blocks},
        ranks={b.category.id: {r.result.exhibit_id: r.rank for r in b.ranked if r.rank} for b in blocks},
    )


def festival_results(festival: Festival) -> list[CategoryResults]:
    """The final results: the last round's, its scores combined with the earlier rounds' when the festival
    weighs its rounds together (each round calibrated by the results method first)."""
    rounds = rounds_of(festival)
    if len(rounds) == 1:
        return round_results(festival, 1)
    earlier = [_earlier_round(festival, r) for r in rounds[:-1]]
    combine = policy_for(festival).combination is Combination.WEIGHTED
    return round_results(festival, rounds[-1].number, earlier=earlier, weight=rounds[-1].weight if combine else None)


def round_results(
    festival: Festival, number: int = 1, earlier: list[EarlierRound] = (), weight: int | None = None
) -> list[CategoryResults]:
    """Every category's calibrated, ranked results of round `number` with proposed and adjusted tiers.

    An exhibit with fewer submitted sheets than assigned is marked and left out of the proposed
    tiers (an organizer may still give it one, with a reason); cutoff flags use the pooled error.
    With `earlier` rounds, their scores and ranks are shown beside this round's; with `weight` (this
    round's weight) the ranking is by the weighted combination of every round's score.
    """
    policy = policy_for(festival)
    method = policy.method.value
    exhibits_by_category: dict[int, list[Exhibit]] = {}
    for exhibit in accepted_exhibits(festival, number):
        exhibits_by_category.setdefault(exhibit.category_id, []).append(exhibit)
    ratings_by_category, conflicted_by_category, assigned = _sheets_by_category(festival, number)
    judge_ids = {r.judge_id for ratings in ratings_by_category.values() for r in ratings}
    judge_ids |= {c.judge_id for sheets in conflicted_by_category.values() for c in sheets}
    judges = {u.id: u for u in db.session.execute(db.select(User).where(User.id.in_(judge_ids))).scalars()}
    overrides = {
        o.exhibit_id: o
        for o in db.session.execute(
            db.select(AwardOverride).join(Exhibit).where(Exhibit.festival_id == festival.id)
        ).scalars()
    }
    finals = {
        a.exhibit_id: a for a in db.session.execute(db.select(Award).where(Award.festival_id == festival.id)).scalars()
    }
    categories = db.session.execute(
        db.select(Category).where(Category.festival_id == festival.id).order_by(Category.position, Category.code)
    ).scalars()
    results = []
    for category in categories:
        exhibits = exhibits_by_category.get(category.id, [])
        if not exhibits:
            continue
        exhibit_ids = {e.id for e in exhibits}
        ratings = _aligned([r for r in ratings_by_category.get(category.id, []) if r.exhibit_id in exhibit_ids])
        width = len(ratings[0].criteria) if ratings else 0
        entries = [calibration.Entry(e.id, e.code or "", e.benefit_vnd or 0) for e in exhibits]
        tie_break = [i for i in policy.tie_break or [] if 0 <= i < width]
        counts = {e.id: assigned.get(e.id, 0) for e in exhibits}
        settings = {"shrinkage": float(policy.shrinkage), "spread_flag": float(policy.spread_flag)}
        exhibit_results = calibration.exhibit_results(ratings, entries, method=method, assigned=counts, **settings)
        round_scores = {r.number: r.scores.get(category.id, {}) for r in earlier}
        if weight is not None:
            this_round = {r.exhibit_id: r.score for r in exhibit_results}
            parts = [(r.weight, round_scores[r.number]) for r in earlier] + [(weight, this_round)]
            combined = combination.combined_scores(parts)
            exhibit_results = [replace(r, score=combined.get(r.exhibit_id)) for r in exhibit_results]
        ranked = calibration.rank(exhibit_results, entries, tie_break)
        by_mean = calibration.rank(calibration.exhibit_results(ratings, entries, **settings), entries, tie_break)
        proposed = calibration.propose_tiers(ranked, quotas(policy), skip_incomplete=True)
        tiers = {}
        for exhibit in exhibits:
            if policy.is_final:
                tiers[exhibit.id] = finals[exhibit.id].tier if exhibit.id in finals else None
            elif exhibit.id in overrides:
                tiers[exhibit.id] = overrides[exhibit.id].tier
            else:
                tiers[exhibit.id] = AwardTier(proposed[exhibit.id]) if proposed.get(exhibit.id) else None
        tier_values = {k: (v.value if v else None) for k, v in tiers.items()}
        conflicted = [c for c in conflicted_by_category.get(category.id, []) if c.exhibit_id in exhibit_ids]
        results.append(
            CategoryResults(
                category=category,
                exhibits={e.id: e for e in exhibits},
                ranked=ranked,
                proposed=proposed,
                tiers=tiers,
                overrides={k: v for k, v in overrides.items() if k in exhibit_ids},
                near_cutoff=calibration.near_cutoffs_pooled(ranked, tier_values, skip_incomplete=True),
                agreement=calibration.icc1(ratings),
                severity=calibration.judge_severity(ratings),
                judges={
                    judge_id: judges[judge_id]
                    for judge_id in {r.judge_id for r in ratings} | {c.judge_id for c in conflicted}
                },
                ratings=ratings,
                error=calibration.pooled_error(ratings, method=method, shrinkage=float(policy.shrinkage)),
                effects=calibration.judge_effects(ratings),
                mean_rank={r.result.exhibit_id: r.rank for r in by_mean if r.result.n},
                conflicted=conflicted,
                round_scores=round_scores,
                round_ranks={r.number: r.ranks.get(category.id, {}) for r in earlier},
                movement=combination.rank_movement(
                    earlier[-1].ranks.get(category.id, {}) if earlier else {},
                    {r.result.exhibit_id: r.rank for r in ranked if r.rank},
                )
                if earlier
                else {},
            )
        )
    return results


def keep_conflicted_sheet(sheet: ScoreSheet, reason: str, by: User) -> None:
    """Count a sheet in the results although its judge has a conflict with the exhibit (audited).

    :raise FestivalError: no reason.
    :raise NotAllowed: the results are final.
    """
    if policy_for(sheet.exhibit.festival).is_final:
        raise NotAllowed(_l("Kết quả đã chốt; hãy mở lại kết quả trước."))
    if not reason.strip():
        raise FestivalError(_l("Hãy ghi lý do giữ lại phiếu."))
    if not has_conflict(sheet):
        raise FestivalError(_l("Giám khảo của phiếu này không có xung đột lợi ích với sáng kiến."))
    sheet.conflict_kept_reason = reason.strip()[:1000]
    audit.record(
        "sheet.conflict_kept",
        sheet,
        by=by,
        after={"exhibit": sheet.exhibit.code, "judge": sheet.judge.email, "reason": sheet.conflict_kept_reason},
    )


def incomplete_exhibits(results: list[CategoryResults]) -> list[tuple[Exhibit, int, int]]:
    """Exhibits with fewer submitted sheets than assigned: (exhibit, submitted, assigned)."""
    return [
        (block.exhibits[r.result.exhibit_id], r.result.n, r.result.assigned)
        for block in results
        for r in block.ranked
        if r.result.incomplete
    ]


def progress(festival: Festival, number: int = 1) -> list[dict]:
    """Per category: round `number`'s judges × exhibits matrix of sheet states and what is still missing."""
    sheets = festival_sheets(festival, number)
    by_category: dict[int, dict] = {}
    exhibits = accepted_exhibits(festival, number)
    for exhibit in exhibits:
        by_category.setdefault(
            exhibit.category_id, {"exhibits": [], "judges": {}, "cells": {}, "missing": 0, "done": 0}
        )["exhibits"].append(exhibit)
    for sheet in sheets:
        block = by_category.get(sheet.exhibit.category_id)
        if block is None or sheet.exhibit.status.value != "accepted":
            continue
        block["judges"][sheet.judge_id] = sheet.judge
        block["cells"][(sheet.judge_id, sheet.exhibit_id)] = sheet
        if sheet.status is SheetStatus.SUBMITTED:
            block["done"] += 1
        else:
            block["missing"] += 1
    categories = db.session.execute(
        db.select(Category).where(Category.festival_id == festival.id).order_by(Category.position, Category.code)
    ).scalars()
    out = []
    for category in categories:
        block = by_category.get(category.id)
        if block:
            block["category"] = category
            block["judges"] = sorted(block["judges"].values(), key=lambda j: j.full_name)
            out.append(block)
    return out


TIE_LABELS = {"criterion": _l("tiêu chí {n}"), "benefit": _l("giá trị làm lợi"), "code": _l("mã")}


def tie_label(decided_by: str) -> str:
    """What broke a tie, in words: `criterion:N` (0-based position), `benefit` or `code`."""
    kind, _sep, position = decided_by.partition(":")
    label = TIE_LABELS.get(kind)
    if label is None:
        return decided_by
    return str(label).format(n=int(position) + 1 if position.isdigit() else "")


def set_tier(exhibit: Exhibit, tier: AwardTier | None, reason: str, by: User) -> None:
    """An organizer's change to an exhibit's tier, with the reason (logged; after finalising too).

    :raise FestivalError: no reason, or the exhibit is not accepted.
    """
    if not reason.strip():
        raise FestivalError(_l("Hãy ghi lý do điều chỉnh giải."))
    if exhibit.status.value != "accepted":
        raise FestivalError(_l("Chỉ sáng kiến đã duyệt mới được xét giải."))
    policy = policy_for(exhibit.festival)
    override = db.session.get(AwardOverride, exhibit.id)
    before = override.tier if override else None
    if override is None:
        override = AwardOverride(exhibit_id=exhibit.id, reason="")
        db.session.add(override)
    override.tier, override.reason, override.user_id = tier, reason.strip(), by.id
    if policy.is_final:
        award = db.session.execute(db.select(Award).where(Award.exhibit_id == exhibit.id)).scalar_one_or_none()
        before = award.tier if award else None
        if tier is None and award is not None:
            db.session.delete(award)
        elif tier is not None and award is None:
            db.session.add(
                Award(festival_id=exhibit.festival_id, exhibit_id=exhibit.id, tier=tier, rank=0, score=Decimal(0))
            )
        elif award is not None:
            award.tier = tier
    db.session.flush()
    action = "award.overridden_after_final" if policy.is_final else "award.adjusted"
    audit.record(action, exhibit, by=by, before={"tier": before}, after={"tier": tier, "reason": reason.strip()})


def unsubmitted_sheets(festival: Festival) -> list[ScoreSheet]:
    """Assigned sheets of the final round's exhibits that are not submitted (they will not count)."""
    return [
        s
        for s in festival_sheets(festival, rounds_of(festival)[-1].number)
        if s.status is not SheetStatus.SUBMITTED and s.exhibit.status.value == "accepted"
    ]


def _record_data(festival: Festival, policy: JudgingPolicy, results: list[CategoryResults]) -> dict:
    categories = []
    for block in results:
        rubric = next(
            (
                s.rubric
                for s in festival_sheets(festival, rounds_of(festival)[-1].number)
                if s.rubric and s.exhibit.category_id == block.category.id and s.status is SheetStatus.SUBMITTED
            ),
            None,
        )
        categories.append(
            {
                "category": block.category.code,
                "rubric": None
                if rubric is None
                else {
                    "id": rubric.id,
                    "version": rubric.version,
                    "criteria": [
                        {"name": c.name_vi, "max": c.max_points, "weight": str(c.weight)}
                        for c in rubric.scored_criteria
                    ],
                },
                "agreement": None
                if block.agreement is None
                else {"icc1": block.agreement.icc, "reading": block.agreement.reading},
                "exhibits": [
                    {
                        "code": block.exhibits[r.result.exhibit_id].code,
                        "rank": r.rank,
                        "n": r.result.n,
                        "mean": r.result.mean,
                        "normalised": r.result.normalised,
                        "score": r.result.score,
                        "rounds": {
                            str(number): scores.get(r.result.exhibit_id)
                            for number, scores in block.round_scores.items()
                        },
                        "decided_by": r.decided_by,
                        "proposed": block.proposed.get(r.result.exhibit_id),
                        "tier": block.tiers[r.result.exhibit_id].value
                        if block.tiers.get(r.result.exhibit_id)
                        else None,
                    }
                    for r in block.ranked
                ],
                "overrides": [
                    {"code": block.exhibits[k].code, "tier": v.tier.value if v.tier else None, "reason": v.reason}
                    for k, v in block.overrides.items()
                ],
            }
        )
    return {
        "method": policy.method.value,
        "shrinkage": str(policy.shrinkage),
        "spread_flag": str(policy.spread_flag),
        "tie_break": list(policy.tie_break or []),
        "quotas": {
            "first": policy.first_prizes,
            "second": policy.second_prizes,
            "third": policy.third_prizes,
            "honourable_share": str(policy.honourable_share),
        },
        "categories": categories,
        "combination": policy.combination.value,
    }


def _scores_hash(festival: Festival, final_ratings: list, record: dict) -> str:
    """The hash of every score that decided the results: the final round's ratings alone for a festival
    judged in one round (as always); with rounds, every round's ratings and each finalist decision."""
    rounds = rounds_of(festival)
    if len(rounds) == 1:
        return calibration.ratings_hash(final_ratings)
    parts = []
    for judging_round in rounds:
        ratings = (
            final_ratings
            if judging_round is rounds[-1]
            else [rating for block in round_results(festival, judging_round.number) for rating in block.ratings]
        )
        parts.append(
            {
                "round": judging_round.number,
                "weight": judging_round.weight,
                "ratings": calibration.ratings_hash(ratings),
                "finalists": judging_round.finalist_record,
            }
        )
    record["rounds"] = parts
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def finalise(festival: Festival, by: User, accept_missing: bool = False) -> ResultRecord:
    """Lock the results: Award rows for the certificates, a public results page, and a frozen
    record of the inputs, weights, method and a hash of every score.

    :raise NotAllowed: already final.
    :raise FestivalError: sheets are not submitted and `accept_missing` was not given, or no
        exhibit has a submitted sheet.
    """
    policy = policy_for(festival)
    if policy.is_final:
        raise NotAllowed(_l("Kết quả đã được chốt."))
    if unsubmitted_sheets(festival) and not accept_missing:
        raise FestivalError(_l("Hãy xác nhận rằng các phiếu chưa nộp sẽ không được tính."))
    results = festival_results(festival)
    if not any(r.ratings for r in results):
        raise FestivalError(_l("Chưa có phiếu chấm nào được nộp."))
    db.session.execute(sa.delete(Award).where(Award.festival_id == festival.id))
    for block in results:
        for ranked in block.ranked:
            tier = block.tiers.get(ranked.result.exhibit_id)
            if tier is not None:
                db.session.add(
                    Award(
                        festival_id=festival.id,
                        exhibit_id=ranked.result.exhibit_id,
                        tier=tier,
                        rank=ranked.rank,
                        score=Decimal(str(round(ranked.result.score or 0, 3))),
                    )
                )
    ratings = [rating for block in results for rating in block.ratings]
    data = _record_data(festival, policy, results)
    record = ResultRecord(
        festival_id=festival.id,
        user_id=by.id,
        method=policy.method.value,
        scores_hash=_scores_hash(festival, ratings, data),
        data=data,
    )
    db.session.add(record)
    policy.finalised_at, policy.finalised_by_id = utcnow(), by.id
    db.session.flush()
    audit.record(
        "results.finalised",
        festival,
        by=by,
        after={"hash": record.scores_hash, "awards": sum(1 for b in results for t in b.tiers.values() if t)},
    )
    return record


def reopen_results(festival: Festival, reason: str, by: User) -> None:
    """Unlock finalised results (the awards stay until the next finalisation replaces them).

    :raise FestivalError: no reason, or not final.
    """
    policy = policy_for(festival)
    if not policy.is_final:
        raise FestivalError(_l("Kết quả chưa chốt."))
    if not reason.strip():
        raise FestivalError(_l("Hãy ghi lý do mở lại kết quả."))
    policy.finalised_at = None
    audit.record("results.reopened", festival, by=by, after={"reason": reason.strip()})


def latest_record(festival: Festival) -> ResultRecord | None:
    return db.session.execute(
        db.select(ResultRecord).where(ResultRecord.festival_id == festival.id).order_by(ResultRecord.id.desc()).limit(1)
    ).scalar_one_or_none()


def public_awards(festival: Festival) -> list[tuple[Category, list[Award]]]:
    """Final awards per category, best tier first, for the public results page."""
    awards = (
        db.session.execute(db.select(Award).join(Award.exhibit).where(Award.festival_id == festival.id)).scalars().all()
    )
    by_category: dict[int, list[Award]] = {}
    for award in awards:
        by_category.setdefault(award.exhibit.category_id, []).append(award)
    categories = db.session.execute(
        db.select(Category).where(Category.festival_id == festival.id).order_by(Category.position, Category.code)
    ).scalars()
    return [
        (c, sorted(by_category[c.id], key=lambda a: (a.tier.rank, a.rank, a.exhibit.code)))
        for c in categories
        if c.id in by_category
    ]


EXPORT_HEADERS = [
    _l("Hạng"),
    _l("Mã"),
    _l("Tên sáng kiến"),
    _l("Đơn vị"),
    _l("Số giám khảo"),
    _l("Điểm trung bình"),
    _l("Độ lệch chuẩn"),
    _l("Chênh lệch cao–thấp"),
    _l("Điểm chuẩn hoá"),
    _l("Điểm xếp hạng"),
    _l("Phân định bởi"),
    _l("Giải đề xuất"),
    _l("Giải"),
    _l("Cần hội đồng xem lại"),
]


def _rows(block: CategoryResults, earlier: list[int]):
    for r in block.ranked:
        exhibit = block.exhibits[r.result.exhibit_id]
        tier = block.tiers.get(exhibit.id)
        proposed = block.proposed.get(exhibit.id)
        yield [
            r.rank if r.result.n else None,
            exhibit.code,
            exhibit.title,
            exhibit.unit.name,
            r.result.n,
            _round(r.result.mean),
            _round(r.result.sd),
            _round(r.result.spread),
            _round(r.result.normalised),
            _round(r.result.score),
            r.decided_by,
            str(AwardTier(proposed).label) if proposed else None,
            str(tier.label) if tier else None,
            "x" if exhibit.id in block.near_cutoff or r.result.flagged_spread else None,
            *(_round(block.round_scores.get(number, {}).get(exhibit.id)) for number in earlier),
        ]


def _round(value):
    return None if value is None else round(value, 2)


def export_results(festival: Festival, fmt: str = "xlsx", number: int | None = None) -> bytes:
    """The results as XLSX (a sheet per category) or CSV (one table with a category column): the final
    results, with each earlier round's score in a column of its own, or round `number`'s alone."""
    all_rounds = rounds_of(festival)
    if number is None or number == all_rounds[-1].number:
        results, earlier = festival_results(festival), all_rounds[:-1]
    else:
        results, earlier = round_results(festival, number), []
    headers = [str(h) for h in EXPORT_HEADERS] + [str(_l("Điểm %(round)s", round=r.name_vi)) for r in earlier]
    numbers = [r.number for r in earlier]
    if fmt == "csv":
        return write_csv(
            [str(_l("Lĩnh vực"))] + headers,
            ([block.category.code] + row for block in results for row in _rows(block, numbers)),
        )
    return write_xlsx(
        [(f"{block.category.code}", headers, list(_rows(block, numbers))) for block in results]
        or [(str(_l("Kết quả")), headers, [])]
    )
