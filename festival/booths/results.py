"""The booth track's results: each booth's mean score, the ranking, proposed prizes from the track's own
quotas, the organizers' adjustments with reasons, then finalised (frozen, audited) awards."""

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from festival.booths import ranking
from festival.booths.scoring import lines
from festival.booths.services import Booth, booth_criteria, booth_policy_for, booths, is_own_unit
from festival.core import audit
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.models import (
    AwardTier,
    BoothAward,
    BoothAwardOverride,
    BoothPolicy,
    BoothScore,
    BoothSheet,
    Festival,
    SheetStatus,
    Unit,
    User,
    utcnow,
)
from festival.spreadsheets import write_csv, write_xlsx

MAX_PRIZES = 50


@dataclass
class BoothResult:
    """One line of the booth ranking."""

    booth: Booth
    submitted: int
    assigned: int
    score: Decimal | None  # the mean of the submitted sheets' totals, 0–100, two decimals
    rank: int | None
    tied_with: list[Unit]  # booths with exactly the same mean (ordered among them by unit code, then name)
    proposed: AwardTier | None
    tier: AwardTier | None  # after the organizers' adjustments (or as finalised)
    override: BoothAwardOverride | None

    @property
    def is_incomplete(self) -> bool:
        return self.submitted < self.assigned


def _submitted_scores(festival: Festival) -> dict[int, list]:
    """unit id → the exact 0–100 score of each submitted sheet of its booth. A sheet whose judge has come to
    belong to the booth's unit since it was given is left out: the conflict rule holds at the results too."""
    criteria = booth_criteria(festival)
    sheets = list(
        db.session.execute(
            db.select(BoothSheet).where(
                BoothSheet.festival_id == festival.id, BoothSheet.status == SheetStatus.SUBMITTED
            )
        ).scalars()
    )
    points: dict[int, dict[int, Decimal | None]] = {}
    for sheet_id, criterion_id, value in db.session.execute(
        db.select(BoothScore.sheet_id, BoothScore.criterion_id, BoothScore.points)
        .join(BoothScore.sheet)
        .where(BoothSheet.festival_id == festival.id, BoothSheet.status == SheetStatus.SUBMITTED)
    ):
        points.setdefault(sheet_id, {})[criterion_id] = value
    scores: dict[int, list] = {}
    for sheet in sheets:
        if not is_own_unit(sheet.judge, sheet.unit_id):
            scores.setdefault(sheet.unit_id, []).append(ranking.sheet_score(lines(criteria, points.get(sheet.id, {}))))
    return scores


def quotas(policy: BoothPolicy) -> tuple[int, int, int, int]:
    return policy.first_prizes, policy.second_prizes, policy.third_prizes, policy.honourable_prizes


def booth_results(festival: Festival) -> list[BoothResult]:
    """Every booth ranked by the mean of its submitted sheets, with its proposed and adjusted prize (the
    final one once the results are final)."""
    policy = booth_policy_for(festival)
    all_booths = {b.unit.id: b for b in booths(festival)}
    scores = _submitted_scores(festival)
    assigned = dict(
        db.session.execute(
            db.select(BoothSheet.unit_id, sa.func.count())
            .where(BoothSheet.festival_id == festival.id)
            .group_by(BoothSheet.unit_id)
        ).all()
    )
    entries = [
        ranking.Entry(
            unit_id=unit_id,
            mean=sum(scores[unit_id]) / len(scores[unit_id]) if scores.get(unit_id) else None,
            submitted=len(scores.get(unit_id, [])),
            assigned=assigned.get(unit_id, 0),
            code=booth.unit.code,
            name=booth.unit.name,
        )
        for unit_id, booth in all_booths.items()
    ]
    ranked = ranking.rank(entries)
    proposed = ranking.propose(ranked, quotas(policy))
    overrides = {
        o.unit_id: o
        for o in db.session.execute(
            db.select(BoothAwardOverride).where(BoothAwardOverride.festival_id == festival.id)
        ).scalars()
    }
    finals = {a.unit_id: a for a in final_awards(festival)}
    results = []
    for row in ranked:
        unit_id = row.entry.unit_id
        suggestion = AwardTier(proposed[unit_id]) if proposed.get(unit_id) else None
        if policy.is_final:
            tier = finals[unit_id].tier if unit_id in finals else None
        elif unit_id in overrides:
            tier = overrides[unit_id].tier
        else:
            tier = suggestion
        results.append(
            BoothResult(
                booth=all_booths[unit_id],
                submitted=row.entry.submitted,
                assigned=row.entry.assigned,
                score=ranking.rounded(row.entry.mean),
                rank=row.rank,
                tied_with=[all_booths[u].unit for u in row.tied_with],
                proposed=suggestion,
                tier=tier,
                override=overrides.get(unit_id),
            )
        )
    return results


def set_booth_quotas(festival: Festival, prizes: tuple[int, int, int, int], by: User) -> None:
    """How many first, second, third and honourable booth prizes are proposed (audited).

    :raise NotAllowed: the booth results are final.
    :raise FestivalError: a number outside 0–50.
    """
    policy = booth_policy_for(festival)
    if policy.is_final:
        raise NotAllowed(_l("Kết quả giải gian hàng đã chốt; hãy mở lại kết quả trước."))
    if any(not 0 <= n <= MAX_PRIZES for n in prizes):
        raise FestivalError(_l("Số giải mỗi loại phải từ 0 đến %(n)d.", n=MAX_PRIZES))
    before = list(quotas(policy))
    policy.first_prizes, policy.second_prizes, policy.third_prizes, policy.honourable_prizes = prizes
    audit.record("booth_prizes.saved", festival, by=by, before={"prizes": before}, after={"prizes": list(prizes)})


def set_booth_tier(festival: Festival, unit: Unit, tier: AwardTier | None, reason: str, by: User) -> None:
    """An organizer's change to a booth's proposed prize, with the reason (audited).

    :raise NotAllowed: the booth results are final (reopen them first).
    :raise FestivalError: no reason, a tier that is not a judges' prize, or the unit has no booth.
    """
    if booth_policy_for(festival).is_final:
        raise NotAllowed(_l("Kết quả giải gian hàng đã chốt; hãy mở lại kết quả trước."))
    if not reason.strip():
        raise FestivalError(_l("Hãy ghi lý do điều chỉnh giải."))
    if tier is not None and not tier.is_judged:
        raise FestivalError(_l("Giải này không dành cho gian hàng."))
    if unit.id not in {b.unit.id for b in booths(festival)}:
        raise FestivalError(_l("%(unit)s không có gian hàng (chưa có sáng kiến được duyệt).", unit=unit.name))
    override = db.session.get(BoothAwardOverride, (festival.id, unit.id))
    before = {"tier": override.tier, "reason": override.reason} if override else None
    if override is None:
        override = BoothAwardOverride(festival_id=festival.id, unit_id=unit.id, reason="")
        db.session.add(override)
    override.tier, override.reason, override.user_id, override.created_at = tier, reason.strip(), by.id, utcnow()
    db.session.flush()
    audit.record(
        "booth_award.adjusted",
        festival,
        by=by,
        before=before,
        after={"unit": unit.code, "tier": tier, "reason": reason.strip()},
    )


def unsubmitted_booth_sheets(festival: Festival) -> list[BoothSheet]:
    return list(
        db.session.execute(
            db.select(BoothSheet)
            .join(BoothSheet.unit)
            .where(BoothSheet.festival_id == festival.id, BoothSheet.status != SheetStatus.SUBMITTED)
            .order_by(Unit.code, BoothSheet.id)
        ).scalars()
    )


def finalise_booths(festival: Festival, by: User, accept_missing: bool = False) -> int:
    """Freeze the booth prizes as awards (for the units' certificates); audited with the whole ranking.
    Returns how many booths got a prize.

    :raise NotAllowed: already final.
    :raise FestivalError: sheets are not submitted and `accept_missing` was not given, or no booth has
        a submitted sheet.
    """
    policy = booth_policy_for(festival)
    if policy.is_final:
        raise NotAllowed(_l("Kết quả giải gian hàng đã được chốt."))
    if unsubmitted_booth_sheets(festival) and not accept_missing:
        raise FestivalError(_l("Hãy xác nhận rằng các phiếu chưa nộp sẽ không được tính."))
    results = booth_results(festival)
    if not any(r.submitted for r in results):
        raise FestivalError(_l("Chưa có phiếu chấm gian hàng nào được nộp."))
    db.session.execute(sa.delete(BoothAward).where(BoothAward.festival_id == festival.id))
    awarded = [r for r in results if r.tier is not None]
    for position, result in enumerate(results, start=1):
        if result.tier is not None:
            db.session.add(
                BoothAward(
                    festival_id=festival.id,
                    unit_id=result.booth.unit.id,
                    tier=result.tier,
                    rank=result.rank or position,
                    score=result.score or Decimal(0),
                )
            )
    policy.finalised_at, policy.finalised_by_id = utcnow(), by.id
    db.session.flush()
    audit.record(
        "booth_results.finalised",
        festival,
        by=by,
        after={
            "prizes": list(quotas(policy)),
            "ranking": [
                {
                    "unit": r.booth.unit.code,
                    "rank": r.rank,
                    "score": str(r.score) if r.score is not None else None,
                    "sheets": r.submitted,
                    "proposed": r.proposed,
                    "tier": r.tier,
                    "reason": r.override.reason if r.override else None,
                }
                for r in results
            ],
        },
    )
    return len(awarded)


def reopen_booth_results(festival: Festival, reason: str, by: User) -> None:
    """Unlock finalised booth results (the awards stay until the next finalisation replaces them).

    :raise FestivalError: not final, or no reason.
    """
    policy = booth_policy_for(festival)
    if not policy.is_final:
        raise FestivalError(_l("Kết quả giải gian hàng chưa chốt."))
    if not reason.strip():
        raise FestivalError(_l("Hãy ghi lý do mở lại kết quả."))
    policy.finalised_at = None
    audit.record("booth_results.reopened", festival, by=by, after={"reason": reason.strip()})


def final_awards(festival: Festival) -> list[BoothAward]:
    """The finalised booth prizes, best first."""
    awards = db.session.execute(db.select(BoothAward).where(BoothAward.festival_id == festival.id)).scalars()
    return sorted(awards, key=lambda a: (a.tier.rank, a.rank, a.unit.code))


EXPORT_HEADERS = [
    _l("Hạng"),
    _l("Mã đơn vị"),
    _l("Đơn vị"),
    _l("Gian"),
    _l("Phiếu đã nộp"),
    _l("Phiếu được giao"),
    _l("Điểm"),
    _l("Giải đề xuất"),
    _l("Giải"),
]


def export_booth_results(festival: Festival, fmt: str = "xlsx") -> bytes:
    """The booth ranking as XLSX or CSV: rank, unit, booth, sheets, score, proposed and adjusted prize."""
    headers = [str(h) for h in EXPORT_HEADERS]
    rows = [
        [
            row.rank,
            row.booth.unit.code,
            row.booth.unit.name,
            row.booth.location,
            row.submitted,
            row.assigned,
            None if row.score is None else float(row.score),
            str(row.proposed.label) if row.proposed else None,
            str(row.tier.label) if row.tier else None,
        ]
        for row in booth_results(festival)
    ]
    if fmt == "csv":
        return write_csv(headers, rows)
    return write_xlsx([(str(_l("Giải gian hàng")), headers, rows)])
