"""Deterministic judge-to-exhibit assignment: conflict-free, balanced, varied and comparable panels.

Plain data in, plain data out (no database, no Flask). Each category's panel gets a near-balanced
incomplete block design, built in passes: a greedy fill toward each judge's quota (a judge who
links separate groups of judges first, then the one who has shared fewest exhibits with those
already chosen), a load repair along chains of single moves, and a connectivity repair by swaps
and moves that keep the load rule. Then judges' totals over all categories are evened out along
chains of moves that keep every category's rules, and a local search of swaps spreads the pairs
of judges evenly over each category's exhibits (festival.judging.math.designs): normalisation compares
judges through the exhibits they share, so the more pairs meet, the better each severity is
measured. A small category whose judges are still in separate groups is searched exhaustively.
Whatever still breaks a rule is returned as a `Problem` rather than hidden.
"""

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations

from festival.judging.math import designs

TOO_FEW_JUDGES = "too_few_judges"
UNBALANCED = "unbalanced"
NOT_COMPARABLE = "not_comparable"
CONFLICTING_FIXED = "conflicting_fixed"
EMPTY_PANEL = "empty_panel"

SEARCH_STEPS = 20_000  # choices the exhaustive search for a connected plan may try in one category


@dataclass(frozen=True)
class ExhibitSlot:
    """An exhibit to be judged, as the planner sees it."""

    exhibit_id: int
    category_id: int
    unit_id: int | None
    order_key: str


@dataclass(frozen=True)
class JudgeSlot:
    """A judge and the category panels they sit on."""

    judge_id: int
    unit_id: int | None
    categories: frozenset[int]
    order_key: str


@dataclass(frozen=True)
class Problem:
    """A rule the plan could not satisfy, with plain values for the caller's message."""

    kind: str
    category_id: int | None
    exhibit_id: int | None = None
    judge_id: int | None = None
    details: tuple = ()


@dataclass(frozen=True)
class Plan:
    """All (exhibit_id, judge_id) pairs to keep or create, and why any rule could not be met."""

    pairs: frozenset[tuple[int, int]]
    problems: tuple[Problem, ...]

    def judges_of(self, exhibit_id: int) -> list[int]:
        """The judges of one exhibit, by id."""
        return sorted(j for e, j in self.pairs if e == exhibit_id)

    def loads(self) -> dict[int, int]:
        """How many exhibits each judge has in total (judges with none are absent)."""
        counts: dict[int, int] = {}
        for _, judge_id in sorted(self.pairs, key=lambda p: p[1]):
            counts[judge_id] = counts.get(judge_id, 0) + 1
        return counts


@dataclass(frozen=True)
class DesignStats:
    """How varied one category's panels are: distinct judge sets, judge pairs that share an
    exhibit (of all pairs of panel members) and the spread of the panel's loads."""

    category_id: int
    exhibits: int
    distinct_panels: int
    pairs_meeting: int
    pairs_possible: int
    min_load: int
    max_load: int

    @property
    def pair_coverage(self) -> float:
        """The share of pairs of panel judges that meet on at least one exhibit (1.0 for a lone judge)."""
        return self.pairs_meeting / self.pairs_possible if self.pairs_possible else 1.0


def eligible(judge: JudgeSlot, exhibit: ExhibitSlot, conflicts) -> bool:
    """Whether `judge` may judge `exhibit`: not their own unit's, and no declared conflict."""
    return _may_judge(judge.unit_id, exhibit.unit_id, judge.judge_id, exhibit.exhibit_id, conflicts)


def category_loads(
    plan: Plan, exhibits: Iterable[ExhibitSlot], judges: Iterable[JudgeSlot] | None = None
) -> dict[int, dict[int, int]]:
    """How many of each category's exhibits each judge has; with `judges`, idle panel members show 0."""
    category_of = {e.exhibit_id: e.category_id for e in exhibits}
    result: dict[int, dict[int, int]] = {c: {} for c in sorted(set(category_of.values()))}
    for judge in sorted(judges or (), key=_judge_order):
        for category_id in sorted(judge.categories & result.keys()):
            result[category_id][judge.judge_id] = 0
    for exhibit_id, judge_id in sorted(plan.pairs):
        if exhibit_id in category_of:
            loads = result[category_of[exhibit_id]]
            loads[judge_id] = loads.get(judge_id, 0) + 1
    return {c: dict(sorted(loads.items())) for c, loads in result.items()}


def design_stats(plan: Plan, exhibits: Iterable[ExhibitSlot], judges: Iterable[JudgeSlot]) -> dict[int, DesignStats]:
    """Per category: distinct panels, judge pairs meeting and load spread, counting panel members only."""
    exhibits = list(exhibits)
    loads = category_loads(plan, exhibits, judges)
    panels = {c: {j.judge_id for j in judges if c in j.categories} for c in loads}
    category_of = {e.exhibit_id: e.category_id for e in exhibits}
    on_exhibit: dict[int, list[int]] = {}
    for exhibit_id, judge_id in sorted(plan.pairs):
        if exhibit_id in category_of and judge_id in panels[category_of[exhibit_id]]:
            on_exhibit.setdefault(exhibit_id, []).append(judge_id)
    stats = {}
    for category_id, panel in panels.items():
        own = [tuple(js) for e, js in on_exhibit.items() if category_of[e] == category_id]
        met = {pair for js in own for pair in combinations(js, 2)}
        panel_loads = [loads[category_id].get(j, 0) for j in panel] or [0]
        stats[category_id] = DesignStats(
            category_id=category_id,
            exhibits=sum(1 for c in category_of.values() if c == category_id),
            distinct_panels=len(set(own)),
            pairs_meeting=len(met),
            pairs_possible=len(panel) * (len(panel) - 1) // 2,
            min_load=min(panel_loads),
            max_load=max(panel_loads),
        )
    return stats


def plan_assignments(
    exhibits: Iterable[ExhibitSlot],
    judges: Iterable[JudgeSlot],
    conflicts: Iterable[tuple[int, int]],
    fixed: Iterable[tuple[int, int]],
    per_exhibit: int = 3,
) -> Plan:
    """Give each exhibit `per_exhibit` judges of its category's panel, keeping the fixed pairs.

    `conflicts` holds (judge_id, exhibit_id) pairs, `fixed` holds (exhibit_id, judge_id) pairs.
    :raise ValueError: per_exhibit below 1, a repeated id, or a fixed pair naming an unknown exhibit.
    """
    if per_exhibit < 1:
        raise ValueError("per_exhibit must be at least 1")
    exhibits = sorted(exhibits, key=_exhibit_order)
    judges = sorted(judges, key=_judge_order)
    exhibit_by_id = {e.exhibit_id: e for e in exhibits}
    judge_by_id = {j.judge_id: j for j in judges}
    if len(exhibit_by_id) != len(exhibits) or len(judge_by_id) != len(judges):
        raise ValueError("exhibit and judge ids must be unique")
    conflicts = frozenset(conflicts)
    judge_rank = {j.judge_id: i for i, j in enumerate(judges)}

    def may_judge(judge_id: int, exhibit_id: int) -> bool:
        judge = judge_by_id.get(judge_id)
        judge_unit = judge.unit_id if judge else None
        return _may_judge(judge_unit, exhibit_by_id[exhibit_id].unit_id, judge_id, exhibit_id, conflicts)

    members: dict[int, list[int]] = {e.exhibit_id: [] for e in exhibits}
    pinned: set[tuple[int, int]] = set()
    total_load: dict[int, int] = {j.judge_id: 0 for j in judges}
    problems: list[Problem] = []
    for exhibit_id, judge_id in sorted(fixed):
        if exhibit_id not in exhibit_by_id:
            raise ValueError(f"fixed pair names unknown exhibit {exhibit_id}")
        exhibit = exhibit_by_id[exhibit_id]
        if not may_judge(judge_id, exhibit_id):
            # The conflict rules are absolute: a started sheet of a conflicted judge is still dropped.
            judge = judge_by_id.get(judge_id)
            own_unit = judge is not None and judge.unit_id is not None and judge.unit_id == exhibit.unit_id
            declared = (judge_id, exhibit_id) in conflicts
            reasons = (("own_unit",) if own_unit else ()) + (("declared",) if declared else ())
            details = (("reasons", reasons),)
            problems.append(Problem(CONFLICTING_FIXED, exhibit.category_id, exhibit_id, judge_id, details))
            continue
        # A fixed judge missing from `judges` is kept too: the sheet exists, only its unit is unknown.
        members[exhibit_id].append(judge_id)
        pinned.add((exhibit_id, judge_id))
        total_load[judge_id] = total_load.get(judge_id, 0) + 1
    for exhibit_id in members:
        members[exhibit_id].sort(key=lambda j: (judge_rank.get(j, len(judge_rank)), j))

    by_category: dict[int, list[ExhibitSlot]] = {}
    for exhibit in exhibits:
        by_category.setdefault(exhibit.category_id, []).append(exhibit)
    works: list[_Category] = []
    for category_id, category_exhibits in by_category.items():
        panel = [j.judge_id for j in judges if category_id in j.categories]
        if not panel:
            continue
        exhibit_ids = [e.exhibit_id for e in category_exhibits]
        work = _Category(category_id, exhibit_ids, panel, members, pinned, total_load, may_judge)
        _fill(work, per_exhibit)
        _rebalance(work)
        _connect(work)
        works.append(work)
    _balance_totals(works)
    for work in works:
        _improve(work, per_exhibit)
        if len(_components(work)) > 1:
            _connect(work)
        if len(_components(work)) > 1:
            _search_connected(work)

    work_of = {work.category_id: work for work in works}
    for category_id, category_exhibits in by_category.items():
        work = work_of.get(category_id)
        if work is None:
            problems.append(Problem(EMPTY_PANEL, category_id, details=(("exhibits", len(category_exhibits)),)))
            continue
        problems.extend(_too_few(work, category_exhibits, judge_by_id, conflicts, per_exhibit))
        low, high = min(work.load.values()), max(work.load.values())
        if high - low > 1:
            loads = tuple((j, work.load[j]) for j in sorted(work.panel))
            problems.append(Problem(UNBALANCED, category_id, details=(("min", low), ("max", high), ("loads", loads))))
        components = _components(work)
        if len(components) > 1:
            problems.append(Problem(NOT_COMPARABLE, category_id, details=(("components", components),)))

    pairs = frozenset((e, j) for e, judge_ids in members.items() for j in judge_ids)
    return Plan(pairs, tuple(problems))


def _may_judge(judge_unit, exhibit_unit, judge_id, exhibit_id, conflicts) -> bool:
    own_unit = judge_unit is not None and judge_unit == exhibit_unit
    return not own_unit and (judge_id, exhibit_id) not in conflicts


def _exhibit_order(exhibit: ExhibitSlot):
    return (exhibit.category_id, exhibit.order_key, exhibit.exhibit_id)


def _judge_order(judge: JudgeSlot):
    return (judge.order_key, judge.judge_id)


@dataclass
class _Category:
    """One category's working state; `members` and `total_load` are the whole plan's, shared.

    Sets of panel judges are int bit masks (bit i = panel[i]) so the searches over "eligible
    judges not yet on this exhibit" stay cheap at a thousand exhibits.
    """

    category_id: int
    exhibit_ids: list[int]  # in processing order
    panel: list[int]  # in judge order
    members: dict[int, list[int]]
    pinned: set[tuple[int, int]]
    total_load: dict[int, int]
    may_judge: Callable[[int, int], bool]
    load: dict[int, int] = field(init=False)  # this category's exhibits per panel member
    bit: dict[int, int] = field(init=False)
    allowed: dict[int, int] = field(init=False)  # exhibit -> panel judges free of conflicts with it

    def __post_init__(self):
        self.bit = {j: 1 << i for i, j in enumerate(self.panel)}
        self.load = {j: 0 for j in self.panel}
        self.allowed = {}
        for exhibit_id in self.exhibit_ids:
            for judge_id in self.members[exhibit_id]:
                if judge_id in self.load:
                    self.load[judge_id] += 1
            self.allowed[exhibit_id] = sum(b for j, b in self.bit.items() if self.may_judge(j, exhibit_id))

    def on(self, exhibit_id: int) -> int:
        """The panel judges on the exhibit, as a mask."""
        return sum(self.bit.get(j, 0) for j in self.members[exhibit_id])

    def judges_in(self, mask: int) -> list[int]:
        """The judges of a mask, in panel order."""
        judges = []
        while mask:
            lowest = mask & -mask
            judges.append(self.panel[lowest.bit_length() - 1])
            mask ^= lowest
        return judges

    def move(self, exhibit_id: int, old: int, new: int) -> None:
        """Hand one panel assignment of the exhibit from `old` to `new`."""
        judges = self.members[exhibit_id]
        judges[judges.index(old)] = new
        self.load[old] -= 1
        self.load[new] += 1
        self.total_load[old] -= 1
        self.total_load[new] += 1

    def movable(self, exhibit_id: int) -> list[int]:
        """Panel judges of the exhibit whose assignment the planner may change (not fixed)."""
        return [j for j in self.members[exhibit_id] if j in self.load and (exhibit_id, j) not in self.pinned]

    def snapshot(self) -> tuple[dict[int, list[int]], dict[int, int], dict[int, int]]:
        """The category's assignments and the loads they make, to put back with `restore`."""
        members = {e: list(self.members[e]) for e in self.exhibit_ids}
        return members, dict(self.load), dict(self.total_load)

    def restore(self, saved) -> None:
        """Put back a `snapshot`."""
        members, load, total_load = saved
        self.members.update({e: list(judges) for e, judges in members.items()})
        self.load.update(load)
        self.total_load.update(total_load)


def _quotas(work: _Category, per_exhibit: int) -> dict[int, int]:
    """How many of the category's exhibits each panel judge should end with: as even as their
    conflicts allow, the one extra going to the judges with the smallest total load so far."""
    need = {e: max(0, per_exhibit - len(work.members[e])) for e in work.exhibit_ids}
    slots = sum(work.load.values()) + sum(need.values())
    capacity = dict(work.load)
    for exhibit_id, missing in need.items():
        if missing:
            for judge_id in work.judges_in(work.allowed[exhibit_id] & ~work.on(exhibit_id)):
                capacity[judge_id] += 1

    def quotas_at(level: int) -> dict[int, int]:
        return {j: max(work.load[j], min(capacity[j], level)) for j in work.panel}

    level = 0
    while sum(quotas_at(level).values()) < slots and level < max(capacity.values()):
        level += 1
    quotas = quotas_at(level)
    extra = sum(quotas.values()) - slots
    rank = {j: i for i, j in enumerate(work.panel)}
    # Whoever has the most work elsewhere gives up the extra exhibit first.
    for judge_id in sorted(work.panel, key=lambda j: (-work.total_load.get(j, 0), -rank[j])):
        if extra <= 0:
            break
        if quotas[judge_id] == level and level - 1 >= work.load[judge_id] and capacity[judge_id] >= level:
            quotas[judge_id] -= 1
            extra -= 1
    return quotas


def _fill(work: _Category, per_exhibit: int) -> None:
    """Greedy pass toward the quotas: a judge who joins separate groups, then the one who has shared
    fewest exhibits with the judges already chosen, then the lighter load and total load."""
    size = len(work.panel)
    position = {j: i for i, j in enumerate(work.panel)}
    parent = {j: j for j in work.panel}
    quota = _quotas(work, per_exhibit)
    design = designs.PairCounts(work)

    def find(j):
        while parent[j] != j:
            parent[j] = parent[parent[j]]
            j = parent[j]
        return j

    def join(judge_ids):
        roots = [find(j) for j in judge_ids if j in parent]
        for root in roots[1:]:
            parent[find(root)] = find(roots[0])

    for exhibit_id in work.exhibit_ids:
        join(work.members[exhibit_id])
    need = {e: per_exhibit - len(work.members[e]) for e in work.exhibit_ids}
    # The exhibits with the fewest eligible judges to spare go first, before those judges are full.
    spare = {e: (work.allowed[e] & ~work.on(e)).bit_count() - need[e] for e in work.exhibit_ids}
    order = sorted(range(len(work.exhibit_ids)), key=lambda i: (spare[work.exhibit_ids[i]], i))
    load, total_load = work.load, work.total_load
    for index in order:
        exhibit_id = work.exhibit_ids[index]
        chosen = work.members[exhibit_id]
        if need[exhibit_id] <= 0:
            continue
        candidates = work.judges_in(work.allowed[exhibit_id] & ~work.on(exhibit_id))
        roots = {find(j) for j in chosen if j in parent}
        for _ in range(min(need[exhibit_id], len(candidates))):
            # The rotation makes consecutive exhibits start at different judges when all else is equal.
            best = min(
                candidates,
                key=lambda j: (
                    load[j] >= quota[j],
                    find(j) in roots,
                    design.shared(j, exhibit_id) + designs.PANEL_WEIGHT * design.repeats(j, exhibit_id),
                    load[j],
                    total_load.get(j, 0),
                    (position[j] - index) % size,
                ),
            )
            candidates.remove(best)
            chosen.append(best)
            load[best] += 1
            total_load[best] = total_load.get(best, 0) + 1
            design.add(exhibit_id, best)
            join(chosen)
            roots = {find(best)}


def _improve(work: _Category, per_exhibit: int) -> None:
    """Spread the pairs of judges over the exhibits (festival.judging.math.designs), unless that would
    split the judges into groups that share no exhibit."""
    groups = len(_components(work))
    saved = work.snapshot()
    designs.spread_pairs(work, per_exhibit)
    if len(_components(work)) > groups:
        work.restore(saved)


def _balance_totals(works: list[_Category]) -> None:
    """Even out judges' totals over all categories along chains of moves: the heavier judge hands one
    exhibit to a judge of the same panel, who hands one of another category on, and so on to a
    judge at least 2 lighter. Every category's loads stay between its lightest and heaviest, and
    a chain that would split a category's judges into separate groups is not used.
    """
    if len(works) < 2:
        return
    total = works[0].total_load
    refused: set[tuple[int, int, int]] = set()
    while True:
        path = None
        for threshold in sorted({total[j] for work in works for j in work.panel}, reverse=True):
            path = _path_to_lighter_total(works, threshold, refused)
            if path:
                break
        if not path:
            break
        touched = {index for index, _, _, _ in path}
        groups = {index: len(_components(works[index])) for index in touched}
        for index, exhibit_id, old, new in path:
            works[index].move(exhibit_id, old, new)
        if any(len(_components(works[index])) > groups[index] for index in touched):
            for index, exhibit_id, old, new in reversed(path):
                works[index].move(exhibit_id, new, old)
            refused.update((exhibit_id, old, new) for _, exhibit_id, old, new in path)


def _path_to_lighter_total(works: list[_Category], threshold: int, refused) -> list[tuple[int, int, int, int]]:
    """Shortest chain of (category index, exhibit, from, to) moves from a judge with a total of at
    least `threshold` to one with at most threshold − 2, every move keeping its category's load range."""
    total = works[0].total_load
    categories_of: dict[int, list[int]] = {}
    for index, work in enumerate(works):
        for judge_id in work.panel:
            categories_of.setdefault(judge_id, []).append(index)
    ranges = [(min(w.load.values()), max(w.load.values())) for w in works]
    # Judges below their category's heaviest, who may take one more there.
    takers = [sum(w.bit[j] for j in w.panel if w.load[j] < ranges[i][1]) for i, w in enumerate(works)]
    sources = [j for j in sorted(categories_of) if total[j] >= threshold]
    came_from: dict[int, tuple[int, int, int, int] | None] = {j: None for j in sources}
    queue = deque(sources)
    while queue:
        judge_id = queue.popleft()
        for index in categories_of[judge_id]:
            work = works[index]
            if work.load[judge_id] <= ranges[index][0]:
                continue
            for exhibit_id in work.exhibit_ids:
                if (exhibit_id, judge_id) in work.pinned or judge_id not in work.members[exhibit_id]:
                    continue
                fresh = work.allowed[exhibit_id] & ~work.on(exhibit_id) & takers[index]
                for other in work.judges_in(fresh):
                    if other in came_from or (exhibit_id, judge_id, other) in refused:
                        continue
                    came_from[other] = (index, exhibit_id, judge_id, other)
                    if total[other] <= threshold - 2:
                        path = []
                        step = came_from[other]
                        while step is not None:
                            path.append(step)
                            step = came_from[step[2]]
                        return path[::-1]
                    queue.append(other)
    return []


def _search_connected(work: _Category) -> None:
    """Depth-first search over the category's assignments, within its load spread, for one whose
    judges form a single group; the repairs above make local changes only and can miss one in a
    small, tightly constrained category. Gives up after SEARCH_STEPS choices, changing nothing."""
    low, high = min(work.load.values()), max(work.load.values())
    spread = max(high - low, 1)
    kept = {e: [j for j in work.members[e] if j not in work.movable(e)] for e in work.exhibit_ids}
    choose = {e: len(work.members[e]) - len(kept[e]) for e in work.exhibit_ids}
    options = {
        e: work.judges_in(work.allowed[e] & ~work.on(e) | sum(work.bit[j] for j in work.movable(e))) for e in kept
    }
    order = sorted(work.exhibit_ids, key=lambda e: (len(options[e]) - choose[e], work.exhibit_ids.index(e)))
    order = [e for e in order if choose[e]]
    load = {j: 0 for j in work.panel}
    for judges in kept.values():
        for judge_id in judges:
            if judge_id in load:
                load[judge_id] += 1
    slots = sum(work.load.values())
    size = len(work.panel)
    # The current range first, then the others of the same spread that the slots can fill.
    floors = sorted(
        (f for f in range(slots // size + 1) if f * size <= slots <= (f + spread) * size), key=lambda f: f != low
    )
    steps = [0]
    picked: dict[int, tuple[int, ...]] = {}

    def connected() -> bool:
        parent = {j: j for j in work.panel if load[j] > 0}

        def find(j):
            while parent[j] != j:
                j = parent[j]
            return j

        for exhibit_id in work.exhibit_ids:
            judges = [j for j in kept[exhibit_id] + list(picked.get(exhibit_id, ())) if j in parent]
            for other in judges[1:]:
                parent[find(other)] = find(judges[0])
        return len({find(j) for j in parent}) <= 1

    def search(position: int, floor: int, remaining: int) -> bool:
        if position == len(order):
            return min(load.values()) >= floor and connected()
        exhibit_id = order[position]
        for combo in combinations(options[exhibit_id], choose[exhibit_id]):
            steps[0] += 1
            if steps[0] > SEARCH_STEPS:
                return False
            if any(load[j] >= floor + spread for j in combo):
                continue
            for j in combo:
                load[j] += 1
            left = remaining - len(combo)
            if sum(max(0, floor - n) for n in load.values()) <= left:
                picked[exhibit_id] = combo
                if search(position + 1, floor, left):
                    return True
                del picked[exhibit_id]
            for j in combo:
                load[j] -= 1
        return False

    remaining = sum(choose.values())
    # Each exhibit links at most (its panel judges − 1) more judges into one group; a floor whose
    # heaviest load leaves more judges with work than the links can join is hopeless.
    links = sum(max(0, choose[e] + sum(j in load for j in kept[e]) - 1) for e in work.exhibit_ids)
    for floor in floors:
        if links < -(-slots // (floor + spread)) - 1:
            continue
        if search(0, floor, remaining):
            for exhibit_id, combo in picked.items():
                for old in work.movable(exhibit_id):
                    work.total_load[old] -= 1
                    work.load[old] -= 1
                work.members[exhibit_id][:] = kept[exhibit_id] + list(combo)
                for new in combo:
                    work.total_load[new] += 1
                    work.load[new] += 1
            return
        if steps[0] > SEARCH_STEPS:
            return


def _rebalance(work: _Category) -> None:
    """Move assignments along chains from heavy to light panel members until loads differ by ≤ 1."""
    load = work.load
    rank = {j: i for i, j in enumerate(work.panel)}
    while max(load.values()) - min(load.values()) > 1:
        lowest = min(load.values())
        heavy = sorted((j for j in work.panel if load[j] >= lowest + 2), key=lambda j: (-load[j], rank[j]))
        exhibits_of: dict[int, list[int]] = {j: [] for j in work.panel}
        for exhibit_id in work.exhibit_ids:
            for judge_id in work.movable(exhibit_id):
                exhibits_of[judge_id].append(exhibit_id)
        for start in heavy:
            path = _path_to_lighter(work, start, exhibits_of)
            if path:
                for exhibit_id, old, new in path:
                    work.move(exhibit_id, old, new)
                break
        else:
            return  # the conflicts (or fixed pairs) allow no better spread


def _path_to_lighter(work: _Category, start: int, exhibits_of: dict[int, list[int]]) -> list[tuple[int, int, int]]:
    """Shortest chain of moves handing one exhibit from `start` to a judge at least 2 lighter.

    Each step gives one exhibit of a judge to another eligible judge; the judges in between keep
    their load, so the chain reaches light judges that `start` cannot hand anything to directly.
    A shortest chain never uses one exhibit twice, so its moves can be applied one after another.
    """
    load = work.load
    came_from: dict[int, tuple[int, int] | None] = {start: None}
    seen = work.bit[start]
    queue = deque([start])
    while queue:
        judge_id = queue.popleft()
        for exhibit_id in exhibits_of[judge_id]:
            fresh = work.allowed[exhibit_id] & ~work.on(exhibit_id) & ~seen
            for other in work.judges_in(fresh):
                seen |= work.bit[other]
                came_from[other] = (judge_id, exhibit_id)
                if load[other] <= load[start] - 2:
                    path = []
                    node = other
                    while came_from[node] is not None:
                        previous, via = came_from[node]
                        path.append((via, previous, node))
                        node = previous
                    return path[::-1]
                queue.append(other)
    return []


def _components(work: _Category) -> tuple[tuple[int, ...], ...]:
    """Groups of panel judges linked by shared exhibits (judges without exhibits are left out)."""
    parent = {j: j for j in work.panel if work.load[j] > 0}

    def find(j):
        while parent[j] != j:
            parent[j] = parent[parent[j]]
            j = parent[j]
        return j

    for exhibit_id in work.exhibit_ids:
        judges = [j for j in work.members[exhibit_id] if j in parent]
        for other in judges[1:]:
            parent[find(other)] = find(judges[0])
    groups: dict[int, list[int]] = {}
    for judge_id in work.panel:
        if judge_id in parent:
            groups.setdefault(find(judge_id), []).append(judge_id)
    return tuple(sorted(tuple(sorted(g)) for g in groups.values()))


def _connect(work: _Category) -> tuple[tuple[int, ...], ...]:
    """Join separate groups of judges by changes that keep every load rule; return the groups left."""
    components = _components(work)
    while len(components) > 1:
        for change in _joining_changes(work, components):
            for exhibit_id, old, new in change:
                work.move(exhibit_id, old, new)
            joined = _components(work)
            if len(joined) < len(components):
                components = joined
                break
            for exhibit_id, old, new in reversed(change):
                work.move(exhibit_id, new, old)
        else:
            break
    return components


def _joining_changes(work: _Category, components):
    """Candidate changes, each joining two groups, in a fixed order.

    A judge `a` whose link to exhibit X is not a bridge stays connected to X's other judges
    without X. So replacing `a` on X by a judge `b` of another group joins the two groups: by a
    swap (b gives one of its exhibits Y to a; loads unchanged) or by a plain move when that keeps
    every load between the current lightest and heaviest.
    """
    load = work.load
    group_of = {j: i for i, group in enumerate(components) for j in group}
    group_mask = [sum(work.bit[j] for j in group) for group in components]
    low, high = min(load.values()), max(load.values())
    # A move must not widen the spread: the giver stays ≥ the lightest, the taker ≤ the heaviest.
    lighter = sum(work.bit[j] for j in work.panel if 0 < load[j] < high)
    movable = {e: sum(work.bit[j] for j in work.movable(e)) for e in work.exhibit_ids}
    group_of_exhibit = {}
    for exhibit_id in work.exhibit_ids:
        linked = [j for j in work.members[exhibit_id] if j in group_of]
        if linked:
            group_of_exhibit[exhibit_id] = group_of[linked[0]]
    swaps_for: dict[int, tuple[list[int], int]] = {}  # judge -> (exhibits it could take, their movable judges)
    for exhibit_id, judge_id, is_bridge in _links(work):
        mine = work.bit[judge_id]
        if not movable[exhibit_id] & mine:
            continue
        # A judge whose only exhibit this is leaves the graph when moved off it, so the move
        # still joins; it can only happen when someone is idle already (load ≥ lightest).
        leaves = load[judge_id] == 1 and work.on(exhibit_id) & ~mine
        if is_bridge and not leaves:
            continue
        group = group_of[judge_id]
        takers = work.allowed[exhibit_id] & ~work.on(exhibit_id) & ~group_mask[group]
        if load[judge_id] > low:
            for other in work.judges_in(takers & lighter):
                yield [(exhibit_id, judge_id, other)]
        if is_bridge:
            continue
        if judge_id not in swaps_for:
            targets = [
                e
                for e in work.exhibit_ids
                if group_of_exhibit.get(e, group) != group
                and work.allowed[e] & mine
                and not work.on(e) & mine
                and movable[e]
            ]
            swaps_for[judge_id] = (targets, _union(movable[e] for e in targets))
        targets, givers = swaps_for[judge_id]
        if not givers & takers:
            continue
        for swap_exhibit in targets:
            for other in work.judges_in(movable[swap_exhibit] & takers):
                yield [(exhibit_id, judge_id, other), (swap_exhibit, other, judge_id)]


def _union(masks) -> int:
    """All judges of several masks."""
    result = 0
    for mask in masks:
        result |= mask
    return result


def _links(work: _Category) -> list[tuple[int, int, bool]]:
    """Every (exhibit_id, judge_id) link of the panel, and whether it is the judge's only path to
    the exhibit's other judges (a bridge of the judge–exhibit graph)."""
    judges = [j for j in work.panel if work.load[j] > 0]
    index = {j: i for i, j in enumerate(judges)}
    links: list[tuple[int, int]] = []
    for exhibit_id in work.exhibit_ids:
        for judge_id in work.members[exhibit_id]:
            if judge_id in index:
                links.append((exhibit_id, judge_id))
    # Incidence graph: judge nodes first, then one node per exhibit.
    exhibit_node = {e: len(judges) + i for i, e in enumerate(work.exhibit_ids)}
    node_count = len(judges) + len(work.exhibit_ids)
    adjacent: list[list[tuple[int, int]]] = [[] for _ in range(node_count)]
    for link, (exhibit_id, judge_id) in enumerate(links):
        u, v = index[judge_id], exhibit_node[exhibit_id]
        adjacent[u].append((v, link))
        adjacent[v].append((u, link))
    bridges = _bridges(adjacent)
    return [(e, j, link in bridges) for link, (e, j) in enumerate(links)]


def _bridges(adjacent: list[list[tuple[int, int]]]) -> set[int]:
    """Ids of the bridge edges of an undirected graph (iterative Tarjan, no recursion limit)."""
    discovered = [-1] * len(adjacent)
    low = [0] * len(adjacent)
    bridges: set[int] = set()
    clock = 0
    for root in range(len(adjacent)):
        if discovered[root] != -1:
            continue
        discovered[root] = low[root] = clock
        clock += 1
        stack = [(root, -1, iter(adjacent[root]))]
        while stack:
            node, via, edges = stack[-1]
            for neighbour, edge in edges:
                if edge == via:
                    continue
                if discovered[neighbour] == -1:
                    discovered[neighbour] = low[neighbour] = clock
                    clock += 1
                    stack.append((neighbour, edge, iter(adjacent[neighbour])))
                    break
                low[node] = min(low[node], discovered[neighbour])
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > discovered[parent]:
                        bridges.add(via)
    return bridges


def _too_few(work: _Category, category_exhibits, judge_by_id, conflicts, per_exhibit: int) -> list[Problem]:
    """A problem for each exhibit left with fewer than `per_exhibit` judges, saying why."""
    problems = []
    for exhibit in category_exhibits:
        assigned = len(work.members[exhibit.exhibit_id])
        if assigned >= per_exhibit:
            continue
        own_unit = declared = 0
        for judge_id in work.panel:
            judge = judge_by_id[judge_id]
            if judge.unit_id is not None and judge.unit_id == exhibit.unit_id:
                own_unit += 1
            elif (judge_id, exhibit.exhibit_id) in conflicts:
                declared += 1
        details = (
            ("assigned", assigned),
            ("per_exhibit", per_exhibit),
            ("panel", len(work.panel)),
            ("eligible", len(work.panel) - own_unit - declared),
            ("own_unit", own_unit),
            ("declared", declared),
        )
        problems.append(Problem(TOO_FEW_JUDGES, exhibit.category_id, exhibit.exhibit_id, details=details))
    return problems
