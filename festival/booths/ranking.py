"""Booth totals, ranking and proposed prizes as plain arithmetic (standard library only: plain data in,
plain data out), so a hand-computed example can check every step."""

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

TIERS = ("first", "second", "third", "honourable")  # AwardTier values, best first


@dataclass(frozen=True)
class Line:
    """One criterion of a sheet: the points given (None: not scored), its maximum and weight."""

    points: Decimal | None
    max_points: int
    weight: Decimal


def sheet_score(lines: list[Line]) -> Fraction:
    """A sheet's total on the 0–100 scale: Σ points/max × weight, scaled by 100/Σ weight (exact)."""
    total_weight = sum((Fraction(line.weight) for line in lines), Fraction(0))
    if not total_weight:
        return Fraction(0)
    total = sum(
        (Fraction(line.points) / line.max_points * Fraction(line.weight) for line in lines if line.points is not None),
        Fraction(0),
    )
    return total * 100 / total_weight


def rounded(value: Fraction | None) -> Decimal | None:
    """Two decimals, half up (how every booth score is shown and stored)."""
    if value is None:
        return None
    return (Decimal(math.floor(value * 100 + Fraction(1, 2))) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Entry:
    """A booth to rank: its unit, the exact mean of its submitted sheets (None: none yet), how many
    sheets were submitted and assigned, and what orders it among equals (unit code, then name)."""

    unit_id: int
    mean: Fraction | None
    submitted: int
    assigned: int
    code: str
    name: str

    @property
    def is_incomplete(self) -> bool:
        return self.submitted < self.assigned


@dataclass(frozen=True)
class Ranked:
    entry: Entry
    rank: int | None  # None: no submitted sheet
    tied_with: tuple[int, ...]  # unit ids of the other booths with exactly the same mean


def rank(entries: list[Entry]) -> list[Ranked]:
    """Best mean first; equal means are ordered by unit code, then name, and each names the booths it ties
    with. Booths without a submitted sheet come last, unranked."""
    scored = sorted((e for e in entries if e.mean is not None), key=lambda e: (-e.mean, e.code, e.name, e.unit_id))
    unscored = sorted((e for e in entries if e.mean is None), key=lambda e: (e.code, e.name, e.unit_id))
    by_mean: dict[Fraction, list[int]] = {}
    for entry in scored:
        by_mean.setdefault(entry.mean, []).append(entry.unit_id)
    ranked = [
        Ranked(entry, position, tuple(u for u in by_mean[entry.mean] if u != entry.unit_id))
        for position, entry in enumerate(scored, start=1)
    ]
    return ranked + [Ranked(entry, None, ()) for entry in unscored]


def propose(ranked: list[Ranked], quotas: tuple[int, int, int, int]) -> dict[int, str | None]:
    """Prizes down the ranking: `quotas` first, second, third and honourable prizes in turn. A booth with a
    sheet still missing (or none submitted) is passed over: the organizers decide it themselves."""
    slots = [tier for tier, count in zip(TIERS, quotas) for _ in range(max(count, 0))]
    proposed: dict[int, str | None] = {}
    for row in ranked:
        eligible = row.rank is not None and not row.entry.is_incomplete
        proposed[row.entry.unit_id] = slots.pop(0) if eligible and slots else None
    return proposed
