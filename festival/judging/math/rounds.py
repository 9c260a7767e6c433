"""The arithmetic of a festival judged in rounds: which exhibits a round proposes for the next, and how the
rounds' scores combine into the final one. Plain data in, plain data out (no database, no Flask).

Each round's score is already on the 0–100 scale and calibrated by the festival's results method
(festival.judging.math.calibration), so rounds judged by different panels and rubrics are combined as
comparable numbers: score = Σ weight_r × score_r / Σ weight_r.
"""

from collections.abc import Iterable, Mapping, Sequence

from festival.judging.math.calibration import SCORE_DECIMALS, Ranked


def combined_scores(rounds: Sequence[tuple[float, Mapping[int, float | None]]]) -> dict[int, float | None]:
    """Each exhibit's weighted combination of its rounds' scores, given (weight, exhibit id → score) per round.

    Exhibits are those of the last round (the finalists); one that lacks a score in any round with a
    positive weight has None (it cannot be ranked on part of its marks). Rounds of weight 0 are ignored.

    :raise ValueError: no round, a negative weight, or no positive weight.
    """
    if not rounds:
        raise ValueError("at least one round is needed")
    if any(weight < 0 for weight, _scores in rounds):
        raise ValueError("weights must not be negative")
    counted = [(weight, scores) for weight, scores in rounds if weight > 0]
    if not counted:
        raise ValueError("at least one round must have a positive weight")
    total = sum(weight for weight, _scores in counted)
    combined: dict[int, float | None] = {}
    for exhibit_id in sorted(rounds[-1][1]):
        parts = [scores.get(exhibit_id) for _weight, scores in counted]
        combined[exhibit_id] = (
            None
            if any(part is None for part in parts)
            else sum(weight * part for (weight, _scores), part in zip(counted, parts)) / total
        )
    return combined


def propose_finalists(ranked: Iterable[Ranked], quota: int | None = None, threshold: float | None = None) -> list[int]:
    """The exhibit ids a category proposes for the next round, best first: its top `quota` ranked exhibits
    (those tied with the last one on the rounded score come too), or every exhibit scoring at least
    `threshold`. Exhibits with fewer submitted sheets than assigned are never proposed (an organizer may
    still add them, with a reason).

    :raise ValueError: neither or both of quota and threshold, or a negative quota.
    """
    if (quota is None) == (threshold is None):
        raise ValueError("give a quota or a threshold")
    if quota is not None and quota < 0:
        raise ValueError("quota must not be negative")
    scored = [r for r in ranked if r.rank is not None and r.result.score is not None and not r.result.incomplete]
    if threshold is not None:
        return [r.result.exhibit_id for r in scored if round(r.result.score, SCORE_DECIMALS) >= threshold]
    if quota == 0 or not scored:
        return []
    chosen = scored[:quota]
    last = round(chosen[-1].result.score, SCORE_DECIMALS)
    chosen += [r for r in scored[quota:] if round(r.result.score, SCORE_DECIMALS) == last]
    return [r.result.exhibit_id for r in chosen]


def rank_movement(before: Mapping[int, int], after: Mapping[int, int]) -> dict[int, int | None]:
    """How many places each exhibit ranked in `after` rose (positive) or fell since `before`; None when it
    had no rank before."""
    return {
        exhibit_id: (before[exhibit_id] - rank if exhibit_id in before else None)
        for exhibit_id, rank in sorted(after.items())
    }
