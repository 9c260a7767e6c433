"""Varied panels: counting how often pairs of judges meet, and a local search that spreads them.

Used by festival.judging.math.assignment on one category's working state (its `_Category`: the panel,
the exhibits, who is on each, the conflict masks, the loads). The design's cost is Σ λ² over
pairs of panel judges (λ = exhibits the pair shares) plus PANEL_WEIGHT × Σ m² over identical
panels (m = exhibits judged by exactly that set of panel judges). For a fixed number of sheets
it is smallest when every pair meets about equally often and no set of judges repeats, which is
what lets normalisation compare each judge with every other through exhibits they share.
Randomness is seeded from the category's input, so the same input always gives the same plan.
"""

import hashlib
import random
from itertools import combinations

PANEL_WEIGHT = 1
IMPROVE_ROUNDS = 4
SWAP_CANDIDATES = 3  # judges tried per assignment when looking for a swap
SWAP_SCAN = 24  # of that judge's exhibits, how many are tried to swap back (bounds the time at 1,000 exhibits)


class PairCounts:
    """How often each pair of panel judges shares an exhibit, and how often each exact set of
    panel judges occurs, kept up to date as assignments are added or handed over through it."""

    def __init__(self, work):
        self.work = work
        self.position = {j: i for i, j in enumerate(work.panel)}
        self.pairs = [[0] * len(work.panel) for _ in work.panel]
        self.at: dict[int, list[int]] = {}  # exhibit -> panel positions of its judges
        self.mask: dict[int, int] = {}  # exhibit -> its panel judges
        self.panels: dict[int, int] = {}  # mask -> exhibits with exactly those panel judges
        self.repeated = 0  # masks held by two exhibits or more
        for exhibit_id in work.exhibit_ids:
            self.at[exhibit_id] = [self.position[j] for j in work.members[exhibit_id] if j in self.position]
            for x, y in combinations(self.at[exhibit_id], 2):
                self.pairs[x][y] += 1
                self.pairs[y][x] += 1
            self._count(work.on(exhibit_id), exhibit_id)

    def is_even(self) -> bool:
        """Whether no swap can lower the cost: pair counts within one of each other, no panel repeated."""
        counts = [c for i, row in enumerate(self.pairs) for c in row[i + 1 :]]
        return not self.repeated and (not counts or max(counts) - min(counts) <= 1)

    def shared(self, judge_id: int, exhibit_id: int) -> int:
        """How many exhibits `judge_id` already shares with the panel judges on this exhibit, in all."""
        row = self.pairs[self.position[judge_id]]
        return sum(row[o] for o in self.at[exhibit_id])

    def repeats(self, judge_id: int, exhibit_id: int) -> int:
        """How many exhibits already have the panel this exhibit would have with `judge_id` added."""
        return self.panels.get(self.mask[exhibit_id] | self.work.bit[judge_id], 0)

    def add(self, exhibit_id: int, judge_id: int) -> None:
        """Count a judge the fill just put on the exhibit."""
        p = self.position[judge_id]
        for o in self.at[exhibit_id]:
            self.pairs[p][o] += 1
            self.pairs[o][p] += 1
        self.at[exhibit_id].append(p)
        self._uncount(exhibit_id)
        self._count(self.mask[exhibit_id] | self.work.bit[judge_id], exhibit_id)

    def change(self, exhibit_id: int, old: int, new: int) -> int:
        """How much handing the exhibit from `old` to `new` would change the design's cost."""
        p_old, p_new = self.position[old], self.position[new]
        row_old, row_new = self.pairs[p_old], self.pairs[p_new]
        pair_change = 0
        for o in self.at[exhibit_id]:
            if o != p_old:
                pair_change += row_new[o] - row_old[o] + 1
        mask = self.mask[exhibit_id]
        target = mask ^ self.work.bit[old] ^ self.work.bit[new]
        return 2 * pair_change + PANEL_WEIGHT * 2 * (self.panels.get(target, 0) - self.panels[mask] + 1)

    def move(self, exhibit_id: int, old: int, new: int) -> None:
        """Hand the exhibit from `old` to `new`, in the plan and in the counts."""
        p_old, p_new = self.position[old], self.position[new]
        at = self.at[exhibit_id]
        for o in at:
            if o != p_old:
                self.pairs[p_old][o] -= 1
                self.pairs[o][p_old] -= 1
                self.pairs[p_new][o] += 1
                self.pairs[o][p_new] += 1
        at[at.index(p_old)] = p_new
        self._uncount(exhibit_id)
        self._count(self.mask[exhibit_id] ^ self.work.bit[old] ^ self.work.bit[new], exhibit_id)
        self.work.move(exhibit_id, old, new)

    def _count(self, mask: int, exhibit_id: int) -> None:
        self.mask[exhibit_id] = mask
        count = self.panels[mask] = self.panels.get(mask, 0) + 1
        self.repeated += count == 2

    def _uncount(self, exhibit_id: int) -> None:
        mask = self.mask[exhibit_id]
        count = self.panels[mask] = self.panels[mask] - 1
        self.repeated -= count == 1


def spread_pairs(work, per_exhibit: int) -> None:
    """Local search that spreads pairs of judges evenly over the category's exhibits and avoids
    repeating a panel: swaps of two judges between two exhibits (loads unchanged), and single moves
    that keep every load between the lightest and heaviest and no judge's total heavier than it was.
    Fixed assignments and the conflict rules are kept; whether the judges stay linked is the caller's.
    """
    if per_exhibit < 2 or len(work.panel) < 3 or not work.exhibit_ids:
        return
    design = PairCounts(work)
    rng = random.Random(_seed(work, per_exhibit))
    exhibits_of: dict[int, set[int]] = {j: set() for j in work.panel}
    for exhibit_id in work.exhibit_ids:
        for judge_id in work.movable(exhibit_id):
            exhibits_of[judge_id].add(exhibit_id)
    for _ in range(IMPROVE_ROUNDS):
        if design.is_even():
            break
        changed = False
        for exhibit_id in _shuffled(work.exhibit_ids, rng):
            for judge_id in work.movable(exhibit_id):
                changed |= _improve_assignment(work, design, exhibits_of, exhibit_id, judge_id, rng)
        if not changed:
            break


def _improve_assignment(work, design: PairCounts, exhibits_of, exhibit_id: int, judge_id: int, rng) -> bool:
    """Make the best improving move or swap of one assignment, if there is one."""
    load, total = work.load, work.total_load
    low, high = min(load.values()), max(load.values())
    takers = work.judges_in(work.allowed[exhibit_id] & ~design.mask[exhibit_id])
    ranked = sorted((design.change(exhibit_id, judge_id, other), i, other) for i, other in enumerate(takers))
    for change, _, other in ranked:
        if change >= 0:
            break
        if load[judge_id] > low and load[other] < high and total[judge_id] > total[other]:
            design.move(exhibit_id, judge_id, other)
            exhibits_of[judge_id].discard(exhibit_id)
            exhibits_of[other].add(exhibit_id)
            return True
    mine = work.bit[judge_id]
    me = design.position[judge_id]
    for change, _, other in ranked[:SWAP_CANDIDATES]:
        design.move(exhibit_id, judge_id, other)
        if change >= 0 and not design.repeated and _no_pair_gain(design.pairs, me, design.position[other]):
            # Handing any exhibit back cannot lower the cost: no judge shares more with `other` than with `judge_id`.
            design.move(exhibit_id, other, judge_id)
            continue
        best = None
        swappable = sorted(exhibits_of[other])
        if len(swappable) > SWAP_SCAN:
            start = int(rng.random() * len(swappable))
            swappable = (swappable[start:] + swappable[:start])[:SWAP_SCAN]
        for swap_exhibit in swappable:
            if work.allowed[swap_exhibit] & mine and not design.mask[swap_exhibit] & mine:
                back = design.change(swap_exhibit, other, judge_id)
                if change + back < 0 and (best is None or back < best[0]):
                    best = (back, swap_exhibit)
        if best is not None:
            swap_exhibit = best[1]
            design.move(swap_exhibit, other, judge_id)
            exhibits_of[judge_id].discard(exhibit_id)
            exhibits_of[other].add(exhibit_id)
            exhibits_of[other].discard(swap_exhibit)
            exhibits_of[judge_id].add(swap_exhibit)
            return True
        design.move(exhibit_id, other, judge_id)
    return False


def _no_pair_gain(pairs: list[list[int]], me: int, other: int) -> bool:
    """Whether `me` shares at least as many exhibits as `other` does with every third judge, less one."""
    row_me, row_other = pairs[me], pairs[other]
    return all(row_me[o] >= row_other[o] - 1 for o in range(len(row_me)) if o != me and o != other)


def _seed(work, per_exhibit: int) -> int:
    """A seed drawn from the category's input, so the same input always gives the same plan."""
    text = repr(
        (work.category_id, per_exhibit, work.panel, [(e, work.allowed[e], work.members[e]) for e in work.exhibit_ids])
    )
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _shuffled(items: list[int], rng: random.Random) -> list[int]:
    """A copy in random order (Fisher–Yates on rng.random(), whose sequence Python keeps stable across versions)."""
    items = list(items)
    for i in range(len(items) - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        items[i], items[j] = items[j], items[i]
    return items
