"""The planner's designs: varied, overlapping panels, connected whenever a connected plan exists, even totals."""

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from festival.judging.math.assignment import (
    DesignStats,
    ExhibitSlot,
    JudgeSlot,
    Plan,
    category_loads,
    design_stats,
    eligible,
    plan_assignments,
)
from tests.judging.test_assignment import exhibit, groups, judge, kinds, panel_loads


def meetings(plan, exhibits, judges, category_id):
    """Independent count: distinct judge sets and judge pairs sharing an exhibit, among panel members."""
    panel = {j.judge_id for j in judges if category_id in j.categories}
    ids = {e.exhibit_id for e in exhibits if e.category_id == category_id}
    on = {}
    for exhibit_id, judge_id in plan.pairs:
        if exhibit_id in ids and judge_id in panel:
            on.setdefault(exhibit_id, set()).add(judge_id)
    pairs = {pair for judges_on in on.values() for pair in itertools.combinations(sorted(judges_on), 2)}
    return len({frozenset(s) for s in on.values()}), len(pairs) / (len(panel) * (len(panel) - 1) / 2)


def test_sixty_exhibits_nine_judges_get_varied_overlapping_trios():
    # The old rotation gave 6 distinct trios (one judged 19 exhibits) and 16 of 36 pairs meeting.
    exhibits = [exhibit(i, code=f"KT-{i:03d}") for i in range(1, 61)]
    judges = [judge(j) for j in range(11, 20)]

    plan = plan_assignments(exhibits, judges, set(), set(), per_exhibit=3)

    assert plan.problems == ()
    assert all(len(plan.judges_of(e.exhibit_id)) == 3 for e in exhibits)
    assert set(plan.loads().values()) == {20}
    distinct, coverage = meetings(plan, exhibits, judges, 1)
    assert distinct >= 30
    assert coverage >= 0.95


def eight_categories():
    """1,000 exhibits in 8 categories, 40 judges each on 2 category panels (10 judges per panel)."""
    exhibits = [exhibit(i, category_id=1 + i % 8, unit_id=None, code=f"KT-{i:04d}") for i in range(1000)]
    judges = [judge(1000 + j, categories={1 + j % 8, 1 + (j + 3) % 8}) for j in range(40)]
    return exhibits, judges


def test_thousand_exhibits_in_eight_categories_meet_most_pairs():
    exhibits, judges = eight_categories()

    plan = plan_assignments(exhibits, judges, set(), set(), per_exhibit=3)

    assert plan.problems == ()
    for category_id in range(1, 9):
        distinct, coverage = meetings(plan, exhibits, judges, category_id)
        assert coverage >= 0.90
        assert distinct >= 100  # of the 120 trios 10 judges can form, for 125 exhibits
        loads = panel_loads(plan, exhibits, judges)[category_id]
        assert max(loads.values()) - min(loads.values()) <= 1
    # Every judge has one category with 38 exhibits and one with 37: 75 in all, none 74 or 76.
    assert set(plan.loads().values()) == {75}


def test_one_big_category_meets_every_pair_of_forty_judges():
    # The old rotation met 12 % of the 780 pairs.
    exhibits = [exhibit(i, code=f"KT-{i:04d}") for i in range(1000)]
    judges = [judge(1000 + j) for j in range(40)]

    plan = plan_assignments(exhibits, judges, set(), set(), per_exhibit=3)

    assert plan.problems == ()
    distinct, coverage = meetings(plan, exhibits, judges, 1)
    assert coverage >= 0.95
    assert distinct == 1000


def test_conflict_heavy_panel_is_connected_when_it_can_be():
    # Units 0/1, 12 declared conflicts, k = 2. The old planner reported two groups of judges,
    # {0, 1, 2, 4} and {3, 5, 6, 7}, yet loads 3,3,3,3,2,2,2,2 on one chain of shared exhibits exist.
    judge_units = [0, 0, None, 1, 0, 1, 1, 1]
    exhibit_units = [0, 1, 1, 0, 0, 0, 1, 1, 1, 0]
    conflicts = {(100, 6), (100, 10), (101, 4), (101, 7), (103, 6), (103, 10)}
    conflicts |= {(104, 2), (104, 8), (104, 10), (105, 2), (105, 7), (107, 4)}
    exhibits = [exhibit(i, unit_id=u) for i, u in enumerate(exhibit_units, start=1)]
    judges = [judge(100 + i, unit_id=u) for i, u in enumerate(judge_units)]

    plan = plan_assignments(exhibits, judges, conflicts, set(), per_exhibit=2)

    assert plan.problems == ()
    assert len(groups(plan, exhibits, judges, 1)) == 1
    judge_of = {j.judge_id: j for j in judges}
    exhibit_of = {e.exhibit_id: e for e in exhibits}
    assert all(eligible(judge_of[j], exhibit_of[e], conflicts) for e, j in plan.pairs)
    assert sorted(panel_loads(plan, exhibits, judges)[1].values()) == [2, 2, 2, 2, 3, 3, 3, 3]


def test_conflicts_and_units_still_give_varied_panels():
    rng = random.Random(3)
    exhibits = [exhibit(i, unit_id=rng.randrange(12), code=f"KT-{i:04d}") for i in range(1000)]
    judges = [judge(2000 + j, unit_id=rng.choice([None, *range(12)])) for j in range(40)]
    conflicts = {(rng.choice(judges).judge_id, rng.choice(exhibits).exhibit_id) for _ in range(400)}

    plan = plan_assignments(exhibits, judges, conflicts, set(), per_exhibit=3)

    assert plan.problems == ()
    judge_of = {j.judge_id: j for j in judges}
    exhibit_of = {e.exhibit_id: e for e in exhibits}
    assert all(eligible(judge_of[j], exhibit_of[e], conflicts) for e, j in plan.pairs)
    assert meetings(plan, exhibits, judges, 1)[1] >= 0.95


def test_fixed_pairs_stay_while_the_rest_is_varied():
    exhibits = [exhibit(i, code=f"KT-{i:03d}") for i in range(1, 61)]
    judges = [judge(j) for j in range(11, 20)]
    fixed = {(e, 11) for e in range(1, 11)} | {(1, 12), (2, 12)}

    plan = plan_assignments(exhibits, judges, set(), fixed, per_exhibit=3)

    assert fixed <= plan.pairs
    assert plan.problems == ()
    assert set(plan.loads().values()) == {20}
    assert meetings(plan, exhibits, judges, 1)[1] >= 0.95


def test_design_stats_counts_panels_pairs_and_loads():
    exhibits = [exhibit(1), exhibit(2), exhibit(3), exhibit(4, category_id=2)]
    judges = [judge(11), judge(12), judge(13), judge(14), judge(15, categories=(2,))]
    # Judge 15 on exhibit 1 is a manual edit outside category 1's panel: not counted there.
    plan = Plan(frozenset({(1, 11), (1, 12), (1, 15), (2, 11), (2, 12), (3, 12), (3, 13), (4, 15)}), ())

    stats = design_stats(plan, exhibits, judges)

    assert stats[1] == DesignStats(1, 3, distinct_panels=2, pairs_meeting=2, pairs_possible=6, min_load=0, max_load=3)
    assert stats[1].pair_coverage == 2 / 6
    assert stats[2] == DesignStats(2, 1, distinct_panels=1, pairs_meeting=0, pairs_possible=0, min_load=1, max_load=1)
    assert stats[2].pair_coverage == 1.0


def test_same_input_gives_the_same_varied_plan():
    exhibits = [exhibit(i, category_id=1 + i % 2, unit_id=i % 3, code=f"KT-{i:03d}") for i in range(80)]
    judges = [judge(j, categories={1, 2} if j % 3 else {1}, unit_id=j % 3) for j in range(11, 23)]

    plans = {plan_assignments(exhibits, judges, {(12, 5)}, {(7, 13)}, 3) for _ in range(3)}
    reversed_plan = plan_assignments(exhibits[::-1], judges[::-1], {(12, 5)}, {(7, 13)}, 3)

    assert len(plans) == 1 and reversed_plan in plans


# ---- not comparable only when no connected plan exists -------------------------------------


@st.composite
def small_festivals(draw):
    """One category of up to 4 exhibits and 5 judges, with units, declared conflicts and fixed pairs."""
    k = draw(st.integers(1, 3))
    exhibits = [ExhibitSlot(100 + i, 1, draw(st.integers(1, 3)), f"KT-{i}") for i in range(draw(st.integers(1, 4)))]
    judges = [
        JudgeSlot(200 + i, draw(st.none() | st.integers(1, 3)), frozenset({1}), f"J{i}")
        for i in range(draw(st.integers(1, 5)))
    ]
    pairs = [(j.judge_id, e.exhibit_id) for j in judges for e in exhibits]
    conflicts = draw(st.sets(st.sampled_from(pairs), max_size=5))
    fixed = draw(st.sets(st.sampled_from([(e, j) for j, e in pairs]), max_size=2))
    return exhibits, judges, conflicts, fixed, k


@settings(max_examples=300, deadline=None)
@given(small_festivals())
def test_not_comparable_only_when_no_connected_plan_exists(festival):
    exhibits, judges, conflicts, fixed, k = festival
    plan = plan_assignments(exhibits, judges, conflicts, fixed, k)
    loads = category_loads(plan, exhibits, judges)[1]
    spread = max(loads.values()) - min(loads.values())
    if "not_comparable" not in kinds(plan):
        return
    choices = []
    for e in exhibits:
        kept = tuple(j.judge_id for j in judges if (e.exhibit_id, j.judge_id) in fixed and eligible(j, e, conflicts))
        free = [j.judge_id for j in judges if j.judge_id not in kept and eligible(j, e, conflicts)]
        choices.append([kept + more for more in itertools.combinations(free, max(0, min(k - len(kept), len(free))))])
    for combo in itertools.product(*choices):
        counts = [sum(j.judge_id in c for c in combo) for j in judges]
        if max(counts) - min(counts) > max(spread, 1):
            continue
        other = Plan(frozenset((e.exhibit_id, j) for e, c in zip(exhibits, combo) for j in c), ())
        assert len(groups(other, exhibits, judges, 1)) > 1, f"connected plan missed: {combo}"
