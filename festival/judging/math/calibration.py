"""The arithmetic of judging results in one category: judge severity, calibrated scores (per-judge
z-scores, or the judge-effects model of festival.judging.math.effects), inter-judge agreement, the
pooled error of a score, ranking with its tie-break chain, award tiers (leaving incomplete panels
out if asked), near-cutoff flags and the hash that freezes a finalised result's inputs.

Plain data in, plain data out (no database, no Flask). Every function gives the same answer
whatever the order of its input: ratings are sorted by (exhibit, judge) first and means are
computed exactly (`statistics.mean`), so no summation order can tip a tie. Nothing is rounded
here except where a comparison must ignore float noise (ranking compares to 2 decimals, the
hash to 6); rounding for display is the caller's.
"""

import hashlib
import json
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from festival.judging.math.effects import EffectsFit, fit_effects

METHODS = ("mean", "normalised", "effects")
# The ridge penalty of the judge-effects model, in sheets: a judge with 20 sheets on panels of 3
# keeps about 93 % of their offset, one with 2 sheets about 57 %.
EFFECTS_SHRINKAGE = 1.0
SCORE_DECIMALS = 2
HASH_DECIMALS = 6
# n=1 or three identical totals give an SE of 0; half a point is still within any judge's noise.
MIN_MARGIN = 0.5
POOLED_FLAG_RULE = (
    "An exhibit is flagged for discussion when its score lies within z standard errors of a cutoff (the midpoint "
    "between two exhibits next to each other in rank order whose tiers differ), its standard error being "
    "√(σ²/n) for its n submitted sheets, with σ² the variance between sheets of one exhibit pooled over every "
    "exhibit of the category with two sheets or more (after taking out each judge's offset when ranking by judge "
    "effects), and never less than 0.5 points."
)
# Koo & Li (2016): below 0.5 poor, 0.5–0.75 moderate, 0.75–0.9 good, from 0.9 excellent.
ICC_BANDS = ((0.9, "excellent"), (0.75, "good"), (0.5, "moderate"))


@dataclass(frozen=True)
class Rating:
    """One submitted score sheet: the total on the 0–100 scale and its per-criterion points."""

    exhibit_id: int
    judge_id: int
    total: float
    criteria: tuple[float, ...]


@dataclass(frozen=True)
class Entry:
    """An exhibit taking part, with the values the last links of the tie-break chain use."""

    exhibit_id: int
    code: str
    benefit_vnd: int


@dataclass(frozen=True)
class JudgeStats:
    """How one judge scored: count, mean, sample SD, offset from the panels they sat on, and the
    offset the judge-effects model gives (unbiased, shrunk toward 0 for a judge with few sheets)."""

    judge_id: int
    n: int
    mean: float
    sd: float
    offset: float
    effect: float | None = None


@dataclass(frozen=True)
class ExhibitResult:
    """One exhibit's figures; everything but n, criterion_means, the flags and the assigned count is
    None unscored. `se` is the exhibit's own SD/√n; `pooled_se` is √(σ²/n) with σ² pooled over the
    category (None when no exhibit has two sheets). `incomplete`: fewer sheets submitted than assigned."""

    exhibit_id: int
    n: int
    mean: float | None
    sd: float | None
    spread: float | None
    se: float | None
    normalised: float | None
    score: float | None
    criterion_means: tuple[float, ...]
    flagged_spread: bool
    effect: float | None = None
    pooled_se: float | None = None
    assigned: int | None = None
    incomplete: bool = False


@dataclass(frozen=True)
class Ranked:
    """A result in ranking order: rank (None unscored) and the link of the chain that placed it."""

    rank: int | None
    result: ExhibitResult
    decided_by: str | None


@dataclass(frozen=True)
class Agreement:
    """Inter-judge agreement in a category: ICC(1) and its Koo & Li reading."""

    icc: float
    n_exhibits: int
    n_ratings: int
    reading: str


@dataclass(frozen=True)
class PooledError:
    """The noise of one sheet in a category: σ² pooled within exhibits, its degrees of freedom and
    the number of exhibits with two sheets or more it comes from (variance None without any)."""

    variance: float | None
    df: int
    exhibits: int

    def se(self, n: int) -> float | None:
        """The standard error of a score from n sheets, √(σ²/n)."""
        return math.sqrt(self.variance / n) if self.variance is not None and n > 0 else None


@dataclass(frozen=True)
class Quotas:
    """Prizes per category and the share of scored exhibits that are awarded at all."""

    first: int = 1
    second: int = 2
    third: int = 3
    honourable_share: float = 0.30

    def __post_init__(self):
        if min(self.first, self.second, self.third) < 0:
            raise ValueError("prize quotas cannot be negative")
        if not 0 <= self.honourable_share <= 1:
            raise ValueError("honourable_share must lie between 0 and 1")


def judge_severity(ratings: Iterable[Rating], effects_shrinkage: float = EFFECTS_SHRINKAGE) -> dict[int, JudgeStats]:
    """Each judge's n, mean, sample SD and offset: the average of (their total − that exhibit's
    mean over all its judges) over the exhibits they scored; negative = harsh, positive = lenient.
    `effect` is the judge's offset in the judge-effects model (`judge_effects`).

    Comparing with the same exhibits' panel means, not the category mean, keeps a judge who
    happened to get the strong exhibits from looking lenient. An exhibit only this judge scored
    adds a difference of 0. But the judge's own total is part of that mean, so `offset` shows only
    about (k − 1)/k of a constant harshness on panels of k; `effect` shows all of it (less the
    shrinkage), measured against the average judge of the category.
    """
    ratings = _sorted_ratings(ratings)
    effects = judge_effects(ratings, effects_shrinkage).offsets
    panel_means = {e: _mean(totals) for e, totals in _totals_by_exhibit(ratings).items()}
    by_judge: dict[int, list[Rating]] = {}
    for rating in ratings:
        by_judge.setdefault(rating.judge_id, []).append(rating)
    stats = {}
    for judge_id in sorted(by_judge):
        own = by_judge[judge_id]
        totals = [r.total for r in own]
        stats[judge_id] = JudgeStats(
            judge_id=judge_id,
            n=len(own),
            mean=_mean(totals),
            sd=_sample_sd(totals),
            offset=_mean([r.total - panel_means[r.exhibit_id] for r in own]),
            effect=effects[judge_id],
        )
    return stats


def judge_effects(ratings: Iterable[Rating], shrinkage: float = EFFECTS_SHRINKAGE) -> EffectsFit:
    """The judge-effects model fitted to one category's ratings: total = quality + judge offset +
    noise, least squares with a ridge penalty of `shrinkage` sheets on the offsets (see
    festival.judging.math.effects.fit_effects). `components` lists the groups of judges linked by
    shared exhibits; with more than one, scores of different groups cannot be compared.

    :raise ValueError: negative shrinkage, or two ratings for one (exhibit, judge).
    """
    return fit_effects(((r.exhibit_id, r.judge_id, r.total) for r in _sorted_ratings(ratings)), shrinkage)


def normalised_scores(ratings: Iterable[Rating], shrinkage: float = 3.0) -> dict[int, float]:
    """Each exhibit's calibrated score on the 0–100 scale, correcting for harsh or lenient judges.

    With P the mean and V the population variance of every total in the category, and for
    judge j with n_j ratings, mean M_j and population variance V_j, m = shrinkage:

        M*_j = (n_j·M_j + m·P) / (n_j + m)        V*_j = (n_j·V_j + m·V) / (n_j + m)
        z    = (x − M*_j) / √V*_j                 (z = 0 when V*_j = 0)
        score(exhibit) = P + √V × mean of the exhibit's z

    The shrinkage is empirical Bayes: a judge with few sheets is pulled toward the panel instead
    of being trusted on three numbers. m = 0 is plain per-judge z-scores; m = ∞ (math.inf is
    accepted) gives back each exhibit's raw mean. The score is not clipped, so an extreme
    exhibit may land slightly outside 0–100.

    :raise ValueError: negative or NaN shrinkage, or two ratings for one (exhibit, judge).
    """
    panel_mean, panel_sd, z_by_exhibit = _z_scores(_sorted_ratings(ratings), shrinkage)
    return {e: panel_mean + panel_sd * _mean(zs) for e, zs in sorted(z_by_exhibit.items())}


def _z_scores(ratings: list[Rating], shrinkage: float) -> tuple[float, float, dict[int, list[float]]]:
    """The panel's mean and SD, and each exhibit's shrunk per-judge z-scores (see normalised_scores)."""
    if not shrinkage >= 0:
        raise ValueError("shrinkage must be a non-negative number")
    if not ratings:
        return 0.0, 0.0, {}
    panel_totals = [r.total for r in ratings]
    panel_mean = _mean(panel_totals)
    panel_var = float(statistics.pvariance(panel_totals))
    by_judge: dict[int, list[float]] = {}
    for rating in ratings:
        by_judge.setdefault(rating.judge_id, []).append(rating.total)
    scale = {}
    for judge_id, totals in by_judge.items():
        if math.isinf(shrinkage):
            mean, var = panel_mean, panel_var
        else:
            n = len(totals)
            mean = (n * _mean(totals) + shrinkage * panel_mean) / (n + shrinkage)
            var = (n * float(statistics.pvariance(totals)) + shrinkage * panel_var) / (n + shrinkage)
        scale[judge_id] = (mean, math.sqrt(var))
    z_by_exhibit: dict[int, list[float]] = {}
    for rating in ratings:
        mean, sd = scale[rating.judge_id]
        z_by_exhibit.setdefault(rating.exhibit_id, []).append((rating.total - mean) / sd if sd > 0 else 0.0)
    return panel_mean, math.sqrt(panel_var), z_by_exhibit


def pooled_error(
    ratings: Iterable[Rating],
    method: str = "mean",
    shrinkage: float = 3.0,
    effects_shrinkage: float = EFFECTS_SHRINKAGE,
) -> PooledError:
    """σ², the variance of one sheet about its exhibit's score, pooled over the exhibits with two
    sheets or more, on the scale of `method`'s scores:

        mean         MSW = Σ (total − exhibit mean)² / Σ (n_e − 1)
        normalised   the same of the calibrated sheets P + √V·z (see normalised_scores)
        effects      Σ (total − quality − offset)² / (Σ (n_e − 1) − linked judges + groups), the
                     residual mean square of the judge-effects model fitted without shrinkage

    so an exhibit scored once still gets a real error, √σ², instead of 0.

    :raise ValueError: unknown method, or two ratings for one (exhibit, judge).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    ratings = _sorted_ratings(ratings)
    fit = judge_effects(ratings, effects_shrinkage) if method == "effects" else None
    return _pooled_error(ratings, method, shrinkage, fit)


def _pooled_error(ratings: list[Rating], method: str, shrinkage: float, fit: EffectsFit | None) -> PooledError:
    groups = [t for t in _totals_by_exhibit(ratings).values() if len(t) >= 2]
    if method == "effects":
        variance = fit.residual_ms
        return PooledError(None if variance is None else max(0.0, variance), fit.residual_df, len(groups))
    df = sum(len(t) - 1 for t in groups)
    if method == "normalised":
        _, panel_sd, z_by_exhibit = _z_scores(ratings, shrinkage)
        groups = [[panel_sd * z for z in zs] for zs in z_by_exhibit.values() if len(zs) >= 2]
    if df <= 0:
        return PooledError(None, df, len(groups))
    squares = math.fsum((x - m) ** 2 for t in groups for m in [math.fsum(t) / len(t)] for x in t)
    return PooledError(squares / df, df, len(groups))


def exhibit_results(
    ratings: Iterable[Rating],
    entries: Iterable[Entry],
    method: str = "mean",
    shrinkage: float = 3.0,
    spread_flag: float = 15.0,
    assigned: Mapping[int, int] | None = None,
    effects_shrinkage: float = EFFECTS_SHRINKAGE,
) -> list[ExhibitResult]:
    """Per entry, by exhibit id: n, mean, sample SD, spread (max − min), SE, normalised score,
    judge-effects score, the score used for ranking (mean, normalised or effects, per `method`),
    criterion means, whether the judges disagree enough to flag (spread ≥ spread_flag or SD ≥
    spread_flag / 2), the pooled SE of `method`'s score (see pooled_error), and, when `assigned`
    gives the sheets assigned per exhibit id, that count and whether fewer were submitted.

    Ratings of exhibits that are not entries (a withdrawn exhibit's sheets) are left out of
    everything, the normalisation panel included. An entry without ratings has n = 0 and None.

    :raise ValueError: unknown method, duplicate entries or ratings, or ratings with different
        numbers of criteria (two rubrics mixed in one category).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    by_id = _entries_by_id(entries)
    counted = [r for r in _sorted_ratings(ratings) if r.exhibit_id in by_id]
    if len({len(r.criteria) for r in counted}) > 1:
        raise ValueError("ratings in one category must all have the same number of criteria")
    normalised = normalised_scores(counted, shrinkage)
    fit = judge_effects(counted, effects_shrinkage)
    error = _pooled_error(counted, method, shrinkage, fit)
    assigned = assigned or {}
    by_exhibit: dict[int, list[Rating]] = {}
    for rating in counted:
        by_exhibit.setdefault(rating.exhibit_id, []).append(rating)
    results = []
    for exhibit_id in sorted(by_id):
        own = by_exhibit.get(exhibit_id, [])
        wanted = assigned.get(exhibit_id)
        if not own:
            incomplete = bool(wanted)
            results.append(
                ExhibitResult(
                    exhibit_id, 0, None, None, None, None, None, None, (), False, None, None, wanted, incomplete
                )
            )
            continue
        totals = [r.total for r in own]
        mean = _mean(totals)
        sd = _sample_sd(totals)
        spread = float(max(totals) - min(totals))
        score = {"mean": mean, "normalised": normalised[exhibit_id], "effects": fit.quality[exhibit_id]}[method]
        results.append(
            ExhibitResult(
                exhibit_id=exhibit_id,
                n=len(own),
                mean=mean,
                sd=sd,
                spread=spread,
                se=sd / math.sqrt(len(own)),
                normalised=normalised[exhibit_id],
                score=score,
                criterion_means=tuple(_mean(points) for points in zip(*(r.criteria for r in own))),
                flagged_spread=spread >= spread_flag or sd >= spread_flag / 2,
                effect=fit.quality[exhibit_id],
                pooled_se=error.se(len(own)),
                assigned=wanted,
                incomplete=wanted is not None and len(own) < wanted,
            )
        )
    return results


def rank(results: Iterable[ExhibitResult], entries: Iterable[Entry], tie_break: Sequence[int] = ()) -> list[Ranked]:
    """Scored results best first, ranked 1..n, then the unscored (rank None) by code.

    The chain: score desc; then criterion_means[i] desc for each i of `tie_break` (0-based
    indexes into the rubric's criteria); then benefit_vnd desc; then code asc. Scores and
    criterion means are compared rounded to 2 decimals, so float noise never decides (two means
    of 83.333… are equal). `decided_by` names the link that put a result below the one above
    it: "score", "criterion:<i>", "benefit" or "code"; None for the first and the unscored.

    :raise ValueError: a result without an entry, duplicate results, entry ids or codes, or a
        tie-break index that is not a criterion of the scored results.
    """
    by_id = _entries_by_id(entries)
    results = list(results)
    if len({r.exhibit_id for r in results}) != len(results):
        raise ValueError("each exhibit may have only one result")
    missing = sorted({r.exhibit_id for r in results} - set(by_id))
    if missing:
        raise ValueError(f"results without an entry: {missing}")
    scored = [r for r in results if r.score is not None]
    tie_break = tuple(tie_break)
    for result in scored:
        if any(not 0 <= i < len(result.criterion_means) for i in tie_break):
            raise ValueError(f"tie-break {list(tie_break)} names a criterion the rubric does not have")

    def chain(result: ExhibitResult) -> tuple[tuple[str, object], ...]:
        entry = by_id[result.exhibit_id]
        return (
            ("score", -round(result.score, SCORE_DECIMALS)),
            *((f"criterion:{i}", -round(result.criterion_means[i], SCORE_DECIMALS)) for i in tie_break),
            ("benefit", -entry.benefit_vnd),
            ("code", entry.code),
        )

    keyed = sorted(((chain(r), r) for r in scored), key=lambda item: tuple(value for _, value in item[0]))
    ranked = []
    previous = None
    for position, (links, result) in enumerate(keyed, start=1):
        decided_by = None
        if previous is not None:
            decided_by = next(label for (label, value), (_, before) in zip(links, previous) if value != before)
        ranked.append(Ranked(rank=position, result=result, decided_by=decided_by))
        previous = links
    unscored = sorted((r for r in results if r.score is None), key=lambda r: (by_id[r.exhibit_id].code, r.exhibit_id))
    ranked.extend(Ranked(rank=None, result=r, decided_by=None) for r in unscored)
    return ranked


def icc1(ratings: Iterable[Rating]) -> Agreement | None:
    """ICC(1) — one-way random effects, single rater (Shrout & Fleiss 1979; McGraw & Wong 1996)
    — over the exhibits with at least two ratings, for an unbalanced design:

        MSB = Σ n_i (m_i − m)² / (g − 1)      MSW = Σ (x − m_i)² / (N − g)
        k0  = (N − Σ n_i² / N) / (g − 1)      ICC = (MSB − MSW) / (MSB + (k0 − 1)·MSW)

    g exhibits, N ratings, m_i an exhibit's mean and m the grand mean. An exhibit one judge
    scored says nothing about agreement, so it is left out. The ICC may be negative (judges
    agree less than chance); it lies in [−1, 1].

    :return: None when fewer than 2 exhibits have 2 ratings, or every total is the same.
    """
    groups = [totals for _, totals in sorted(_totals_by_exhibit(_sorted_ratings(ratings)).items()) if len(totals) >= 2]
    g = len(groups)
    if g < 2:
        return None
    n_total = sum(len(totals) for totals in groups)
    grand_mean = _mean([x for totals in groups for x in totals])
    means = [_mean(totals) for totals in groups]
    msb = math.fsum(len(t) * (m - grand_mean) ** 2 for t, m in zip(groups, means)) / (g - 1)
    msw = math.fsum((x - m) ** 2 for t, m in zip(groups, means) for x in t) / (n_total - g)
    k0 = (n_total - sum(len(t) ** 2 for t in groups) / n_total) / (g - 1)
    denominator = msb + (k0 - 1) * msw
    if denominator <= 0:
        return None
    icc = (msb - msw) / denominator
    reading = next((label for bound, label in ICC_BANDS if icc >= bound), "poor")
    return Agreement(icc=icc, n_exhibits=g, n_ratings=n_total, reading=reading)


def propose_tiers(
    ranked: Iterable[Ranked], quotas: Quotas = Quotas(), skip_incomplete: bool = False
) -> dict[int, str | None]:
    """Proposed tier per exhibit: first, second, third by quota in rank order, then honourable
    up to ceil(honourable_share × scored exhibits) awarded positions in all; the rest and the
    unscored get None. With fewer exhibits than prizes the top tiers fill first.

    With skip_incomplete, an exhibit with fewer sheets submitted than assigned gets None and is
    not counted, so the prizes go to the complete ones below it; without, it is proposed as
    ranked and `provisional` names it."""
    ranked = list(ranked)
    scored = sorted((r for r in ranked if _counts(r, skip_incomplete)), key=lambda r: r.rank)
    labels = ["first"] * quotas.first + ["second"] * quotas.second + ["third"] * quotas.third
    # 0.3 × 10 must give 3, not ceil(3.0000000000000004) = 4.
    awarded = math.ceil(round(quotas.honourable_share * len(scored), 9))
    labels += ["honourable"] * max(0, awarded - len(labels))
    tiers: dict[int, str | None] = {r.result.exhibit_id: None for r in ranked}
    for result, label in zip(scored, labels):
        tiers[result.result.exhibit_id] = label
    return tiers


def provisional(ranked: Iterable[Ranked], tiers: Mapping[int, str | None]) -> set[int]:
    """Exhibits given a tier while fewer of their sheets are submitted than were assigned."""
    return {r.result.exhibit_id for r in ranked if r.result.incomplete and tiers.get(r.result.exhibit_id)}


def _counts(ranked: Ranked, skip_incomplete: bool) -> bool:
    return ranked.result.score is not None and not (skip_incomplete and ranked.result.incomplete)


def near_cutoffs(ranked: Iterable[Ranked], tiers: Mapping[int, str | None], z: float = 1.0) -> set[int]:
    """Exhibits to discuss: a score within z × max(SE, 0.5) of a cutoff, a cutoff being the
    midpoint between two exhibits next to each other in rank order whose tiers differ (the last
    of a tier and the first below it). Exhibits on both sides are flagged; unscored never are."""
    if not z >= 0:
        raise ValueError("z must be a non-negative number")
    scored = sorted((r for r in ranked if r.result.score is not None), key=lambda r: r.rank)
    cutoffs = [
        (above.result.score + below.result.score) / 2
        for above, below in pairwise(scored)
        if tiers.get(above.result.exhibit_id) != tiers.get(below.result.exhibit_id)
    ]
    return {
        r.result.exhibit_id
        for r in scored
        if any(abs(r.result.score - cutoff) <= z * max(r.result.se, MIN_MARGIN) for cutoff in cutoffs)
    }


def near_cutoffs_pooled(
    ranked: Iterable[Ranked], tiers: Mapping[int, str | None], z: float = 1.0, skip_incomplete: bool = False
) -> set[int]:
    """Exhibits to discuss, by POOLED_FLAG_RULE: a score within z × max(pooled SE, 0.5) of a cutoff,
    a cutoff being the midpoint between two exhibits next to each other in rank order whose tiers
    differ. Exhibits on both sides are flagged; unscored never are, nor (with skip_incomplete)
    those left out of the proposal. When no exhibit has two sheets, σ² is unknown and the two
    exhibits beside each cutoff are flagged.
    """
    if not z >= 0:
        raise ValueError("z must be a non-negative number")
    scored = sorted((r for r in ranked if _counts(r, skip_incomplete)), key=lambda r: r.rank)
    flagged = set()
    cutoffs = []
    for above, below in pairwise(scored):
        if tiers.get(above.result.exhibit_id) != tiers.get(below.result.exhibit_id):
            cutoffs.append((above.result.score + below.result.score) / 2)
            if above.result.pooled_se is None:
                flagged |= {above.result.exhibit_id, below.result.exhibit_id}
    for r in scored:
        if r.result.pooled_se is not None:
            margin = z * max(r.result.pooled_se, MIN_MARGIN)
            if any(abs(r.result.score - cutoff) <= margin for cutoff in cutoffs):
                flagged.add(r.result.exhibit_id)
    return flagged


def ratings_hash(ratings: Iterable[Rating]) -> str:
    """SHA-256 hex of the ratings as canonical JSON, sorted by (exhibit, judge), numbers rounded
    to 6 decimals, so a finalised result can prove which scores it was computed from.

    The JSON is a list of {"criteria", "exhibit_id", "judge_id", "total"} objects, keys sorted,
    no spaces; numbers are floats (80 and 80.0 hash alike) and −0.0 is written as 0.0.

    :raise ValueError: two ratings for one (exhibit, judge), or a NaN or infinite number.
    """
    rows = [
        {
            "exhibit_id": int(r.exhibit_id),
            "judge_id": int(r.judge_id),
            "total": _canonical_number(r.total),
            "criteria": [_canonical_number(c) for c in r.criteria],
        }
        for r in _sorted_ratings(ratings)
    ]
    text = json.dumps(rows, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _sorted_ratings(ratings: Iterable[Rating]) -> list[Rating]:
    ordered = sorted(ratings, key=lambda r: (r.exhibit_id, r.judge_id))
    for first, second in pairwise(ordered):
        if (first.exhibit_id, first.judge_id) == (second.exhibit_id, second.judge_id):
            # A second sheet from one judge would silently count that judge twice.
            raise ValueError(f"two ratings of exhibit {first.exhibit_id} by judge {first.judge_id}")
    return ordered


def _entries_by_id(entries: Iterable[Entry]) -> dict[int, Entry]:
    by_id: dict[int, Entry] = {}
    for entry in entries:
        if entry.exhibit_id in by_id:
            raise ValueError(f"exhibit {entry.exhibit_id} entered twice")
        by_id[entry.exhibit_id] = entry
    # The code is the last link of the tie-break chain; only if it is unique is the ranking total.
    if len({e.code for e in by_id.values()}) != len(by_id):
        raise ValueError("exhibit codes must be unique within a category")
    return by_id


def _totals_by_exhibit(ratings: list[Rating]) -> dict[int, list[float]]:
    totals: dict[int, list[float]] = {}
    for rating in ratings:
        totals.setdefault(rating.exhibit_id, []).append(rating.total)
    return totals


def _mean(values: Sequence[float]) -> float:
    # statistics.mean is exact (then rounded once), so the same multiset gives the same float
    # in any order and identical totals give exactly that total.
    return float(statistics.mean(values))


def _sample_sd(values: Sequence[float]) -> float:
    return float(statistics.stdev(values)) if len(values) >= 2 else 0.0


def _canonical_number(value: float) -> float:
    return round(float(value), HASH_DECIMALS) + 0.0
