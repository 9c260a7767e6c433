"""Deterministic judge-to-exhibit assignment: conflict-free, balanced per panel, comparable scores.

Plain data in, plain data out (no database, no Flask). The plan is built in three passes per
category: a greedy fill (least loaded in the category first, then a judge who links separate
groups of judges, then the smaller total load, then a rotation by the exhibit's position), a
load repair along chains of single moves, and a connectivity repair by swaps and moves that
keep the load rule.
Whatever still breaks a rule is returned as a `Problem` rather than hidden.
"""

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

TOO_FEW_JUDGES = "too_few_judges"
UNBALANCED = "unbalanced"
NOT_COMPARABLE = "not_comparable"
CONFLICTING_FIXED = "conflicting_fixed"
EMPTY_PANEL = "empty_panel"


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
            reasons = (("own_unit",) if own_unit else ()) + (
                ("declared",) if (judge_id, exhibit_id) in conflicts else ()
            )
            problems.append(
                Problem(CONFLICTING_FIXED, exhibit.category_id, exhibit_id, judge_id, (("reasons", reasons),))
            )
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
    for category_id, category_exhibits in by_category.items():
        panel = [j.judge_id for j in judges if category_id in j.categories]
        if not panel:
            problems.append(Problem(EMPTY_PANEL, category_id, details=(("exhibits", len(category_exhibits)),)))
            continue
        work = _Category(
            category_id, [e.exhibit_id for e in category_exhibits], panel, members, pinned, total_load, may_judge
        )
        _fill(work, per_exhibit)
        _rebalance(work)
        components = _connect(work)
        problems.extend(_too_few(work, category_exhibits, judge_by_id, conflicts, per_exhibit))
        low, high = min(work.load.values()), max(work.load.values())
        if high - low > 1:
            loads = tuple((j, work.load[j]) for j in sorted(panel))
            problems.append(Problem(UNBALANCED, category_id, details=(("min", low), ("max", high), ("loads", loads))))
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


def _fill(work: _Category, per_exhibit: int) -> None:
    """Greedy pass: least loaded in the category, then joining separate groups, then total load."""
    size = len(work.panel)
    position = {j: i for i, j in enumerate(work.panel)}
    parent = {j: j for j in work.panel}

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
    load, total_load = work.load, work.total_load
    for index, exhibit_id in enumerate(work.exhibit_ids):
        chosen = work.members[exhibit_id]
        need = per_exhibit - len(chosen)
        if need <= 0:
            continue
        candidates = work.judges_in(work.allowed[exhibit_id] & ~work.on(exhibit_id))
        roots = {find(j) for j in chosen if j in parent}
        for _ in range(min(need, len(candidates))):
            # The rotation makes consecutive exhibits start at different judges, which gives a
            # cyclic, overlapping design instead of the same blocks of judges over and over.
            best = min(
                candidates,
                key=lambda j: (load[j], find(j) in roots, total_load.get(j, 0), (position[j] - index) % size),
            )
            candidates.remove(best)
            chosen.append(best)
            load[best] += 1
            total_load[best] = total_load.get(best, 0) + 1
            join(chosen)
            roots = {find(best)}


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
