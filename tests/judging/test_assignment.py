"""Judge-to-exhibit assignment: conflicts, fixed pairs, balanced loads, connected panels, determinism."""

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from festival.judging.math.assignment import (
    ExhibitSlot,
    JudgeSlot,
    Plan,
    Problem,
    category_loads,
    eligible,
    plan_assignments,
)


def exhibit(exhibit_id, category_id=1, unit_id=1, code=None):
    return ExhibitSlot(exhibit_id, category_id, unit_id, code or f"KT-{exhibit_id:02d}")


def judge(judge_id, categories=(1,), unit_id=None, name=None):
    return JudgeSlot(judge_id, unit_id, frozenset(categories), name or f"Judge {judge_id:02d}")


def kinds(plan):
    return [p.kind for p in plan.problems]


def panel_loads(plan, exhibits, judges):
    """Independent count: category -> {panel judge: that category's exhibits}."""
    category_of = {e.exhibit_id: e.category_id for e in exhibits}
    loads = {c: {j.judge_id: 0 for j in judges if c in j.categories} for c in set(category_of.values())}
    for exhibit_id, judge_id in plan.pairs:
        panel = loads[category_of[exhibit_id]]
        if judge_id in panel:
            panel[judge_id] += 1
    return loads


def groups(plan, exhibits, judges, category_id):
    """Independent check: the groups of panel judges linked by shared exhibits in one category."""
    panel = {j.judge_id for j in judges if category_id in j.categories}
    on_exhibit = {}
    for exhibit_id, judge_id in plan.pairs:
        if judge_id in panel:
            on_exhibit.setdefault(exhibit_id, set()).add(judge_id)
    linked = {}
    for e in exhibits:
        if e.category_id == category_id:
            for judge_id in on_exhibit.get(e.exhibit_id, ()):
                linked.setdefault(judge_id, set()).update(on_exhibit[e.exhibit_id])
    seen, result = set(), []
    for start in sorted(linked):
        if start in seen:
            continue
        group, todo = set(), [start]
        while todo:
            node = todo.pop()
            if node not in group:
                group.add(node)
                todo.extend(linked[node] - group)
        seen |= group
        result.append(group)
    return result


def test_six_exhibits_four_judges_are_spread_within_one():
    exhibits = [exhibit(i) for i in range(1, 7)]
    judges = [judge(j) for j in range(11, 15)]

    plan = plan_assignments(exhibits, judges, set(), set(), per_exhibit=3)

    assert plan.problems == ()
    for e in exhibits:
        assert len(plan.judges_of(e.exhibit_id)) == 3
    assert sorted(plan.loads().values()) == [4, 4, 5, 5]
    assert len(groups(plan, exhibits, judges, 1)) == 1


def test_judge_never_gets_own_units_exhibits():
    exhibits = [exhibit(i, unit_id=7 if i % 2 else 8) for i in range(1, 9)]
    judges = [judge(11, unit_id=7), judge(12, unit_id=8), judge(13), judge(14), judge(15), judge(16)]

    plan = plan_assignments(exhibits, judges, set(), set(), per_exhibit=3)

    unit_of = {e.exhibit_id: e.unit_id for e in exhibits}
    assert [e for e, j in plan.pairs if j == 11 and unit_of[e] == 7] == []
    assert [e for e, j in plan.pairs if j == 12 and unit_of[e] == 8] == []
    assert plan.loads()[11] > 0 and plan.loads()[12] > 0
    assert plan.problems == ()


def test_declared_conflict_is_respected():
    exhibits = [exhibit(i) for i in range(1, 7)]
    judges = [judge(j) for j in range(11, 15)]
    conflicts = {(11, 1), (12, 1), (13, 4)}

    plan = plan_assignments(exhibits, judges, conflicts, set(), per_exhibit=2)

    assert not {(e, j) for j, e in conflicts} & plan.pairs
    assert plan.judges_of(1) == [13, 14]
    assert plan.problems == ()


def test_fixed_pairs_are_kept_and_count_toward_k_and_load():
    exhibits = [exhibit(i) for i in range(1, 7)]
    judges = [judge(j) for j in range(11, 15)] + [judge(20, categories=(2,))]
    # Judge 20 is not on category 1's panel: a manual edit that must stay.
    fixed = {(1, 11), (2, 11), (3, 20)}

    plan = plan_assignments(exhibits, judges, set(), fixed, per_exhibit=3)

    assert fixed <= plan.pairs
    assert all(len(plan.judges_of(e.exhibit_id)) == 3 for e in exhibits)
    assert plan.loads()[20] == 1
    loads = panel_loads(plan, exhibits, judges)[1]
    assert max(loads.values()) - min(loads.values()) <= 1
    assert plan.problems == ()


def test_fixed_pairs_beyond_k_are_all_kept():
    exhibits = [exhibit(1), exhibit(2)]
    judges = [judge(j) for j in range(11, 16)]
    fixed = {(1, 11), (1, 12), (1, 13)}

    plan = plan_assignments(exhibits, judges, set(), fixed, per_exhibit=2)

    assert plan.judges_of(1) == [11, 12, 13]
    assert len(plan.judges_of(2)) == 2


def test_conflicting_fixed_pair_is_dropped_and_reported():
    exhibits = [exhibit(1, unit_id=5), exhibit(2), exhibit(3)]
    judges = [judge(11, unit_id=5), judge(12), judge(13), judge(14)]
    fixed = {(1, 11), (2, 12)}

    plan = plan_assignments(exhibits, judges, {(12, 2)}, fixed, per_exhibit=2)

    assert (1, 11) not in plan.pairs and (2, 12) not in plan.pairs
    assert plan.problems[:2] == (
        Problem("conflicting_fixed", 1, 1, 11, (("reasons", ("own_unit",)),)),
        Problem("conflicting_fixed", 1, 2, 12, (("reasons", ("declared",)),)),
    )
    assert all(len(plan.judges_of(e)) == 2 for e in (1, 2, 3))


def test_too_few_eligible_judges_is_reported_with_reasons():
    exhibits = [exhibit(1, unit_id=5), exhibit(2, unit_id=6)]
    judges = [judge(11, unit_id=5), judge(12), judge(13)]

    plan = plan_assignments(exhibits, judges, {(12, 2)}, set(), per_exhibit=3)

    assert plan.judges_of(1) == [12, 13]
    assert plan.judges_of(2) == [11, 13]
    too_few = [p for p in plan.problems if p.kind == "too_few_judges"]
    assert too_few == [
        Problem(
            "too_few_judges",
            1,
            1,
            details=(
                ("assigned", 2),
                ("per_exhibit", 3),
                ("panel", 3),
                ("eligible", 2),
                ("own_unit", 1),
                ("declared", 0),
            ),
        ),
        Problem(
            "too_few_judges",
            1,
            2,
            details=(
                ("assigned", 2),
                ("per_exhibit", 3),
                ("panel", 3),
                ("eligible", 2),
                ("own_unit", 0),
                ("declared", 1),
            ),
        ),
    ]


def test_shuffled_input_gives_identical_plan():
    exhibits = [exhibit(i, category_id=1 + i % 3, unit_id=i % 4, code=f"KT-{i % 5}") for i in range(1, 25)]
    judges = [judge(j, categories={1 + j % 3, 1 + (j + 1) % 3}, unit_id=j % 4, name="Same name") for j in range(11, 21)]
    conflicts = {(11, 3), (15, 7), (19, 12)}
    fixed = {(1, 12), (5, 16)}
    plan = plan_assignments(exhibits, judges, conflicts, fixed, per_exhibit=3)

    rng = random.Random(4)
    for _ in range(5):
        shuffled_exhibits, shuffled_judges = exhibits[:], judges[:]
        rng.shuffle(shuffled_exhibits)
        rng.shuffle(shuffled_judges)
        again = plan_assignments(
            shuffled_exhibits, shuffled_judges, set(sorted(conflicts, reverse=True)), list(fixed), 3
        )
        assert again == plan


def test_category_without_judges_reports_empty_panel():
    exhibits = [exhibit(1), exhibit(2, category_id=2), exhibit(3, category_id=2)]
    judges = [judge(j) for j in range(11, 15)]

    plan = plan_assignments(exhibits, judges, set(), set(), per_exhibit=3)

    assert plan.problems == (Problem("empty_panel", 2, details=(("exhibits", 2),)),)
    assert plan.judges_of(2) == [] and len(plan.judges_of(1)) == 3


def test_second_panel_prefers_judges_with_smaller_total_load():
    exhibits = [exhibit(1), exhibit(2, category_id=2)]
    judges = [judge(11, categories=(1, 2)), judge(12, categories=(1, 2)), judge(13, categories=(1, 2))]

    plan = plan_assignments(exhibits, judges, set(), set(), per_exhibit=2)

    assert plan.judges_of(1) == [11, 12]
    assert 13 in plan.judges_of(2)
    assert sorted(plan.loads().values()) == [1, 1, 2]


def test_disjoint_blocks_are_avoided_so_scores_are_comparable():
    # Six judges, three per exhibit: a plain round robin would give {A,B,C},{D,E,F} twice.
    exhibits = [exhibit(i) for i in range(1, 5)]
    judges = [judge(j) for j in range(11, 17)]

    plan = plan_assignments(exhibits, judges, set(), set(), per_exhibit=3)

    assert plan.problems == ()
    assert len(groups(plan, exhibits, judges, 1)) == 1
    assert set(plan.loads().values()) == {2}


def test_groups_split_by_own_unit_conflicts_are_linked_by_a_repair():
    # Judges 12 and 13 cannot take exhibit 2 (their unit's), so the greedy pass gives exhibits 1
    # and 2 to judges 10 and 11 and exhibit 3 to 12 and 13: two groups that share nothing.
    exhibits = [exhibit(1, unit_id=3), exhibit(2, unit_id=2), exhibit(3, unit_id=3)]
    judges = [judge(10, unit_id=1), judge(11), judge(12, unit_id=2), judge(13, unit_id=2)]

    plan = plan_assignments(exhibits, judges, set(), set(), per_exhibit=2)

    assert plan.problems == ()
    assert len(groups(plan, exhibits, judges, 1)) == 1
    assert sorted(plan.loads().values()) == [1, 1, 2, 2]


def test_fixed_pair_of_a_judge_no_longer_listed_is_kept():
    exhibits = [exhibit(1), exhibit(2)]
    judges = [judge(11), judge(12)]

    plan = plan_assignments(exhibits, judges, set(), {(1, 99)}, per_exhibit=2)

    assert plan.judges_of(1) == [11, 99] or plan.judges_of(1) == [12, 99]
    assert plan.judges_of(2) == [11, 12]


def test_one_judge_per_exhibit_cannot_be_compared_and_says_so():
    exhibits = [exhibit(1), exhibit(2)]
    judges = [judge(11), judge(12)]

    plan = plan_assignments(exhibits, judges, set(), set(), per_exhibit=1)

    assert plan.problems == (Problem("not_comparable", 1, details=(("components", ((11,), (12,))),)),)


def test_loads_are_balanced_when_conflicts_limit_a_judge_to_few_exhibits():
    # Judge 11 may only judge exhibits 1-3, so it must get all three for loads 3/3/3/3.
    exhibits = [exhibit(i) for i in range(1, 7)]
    judges = [judge(j) for j in range(11, 15)]
    conflicts = {(11, e) for e in range(4, 7)}

    plan = plan_assignments(exhibits, judges, conflicts, set(), per_exhibit=2)

    assert plan.problems == ()
    assert sorted(e for e, j in plan.pairs if j == 11) == [1, 2, 3]
    assert set(plan.loads().values()) == {3}


def test_unreachable_balance_is_reported_as_unbalanced():
    exhibits = [exhibit(i) for i in range(1, 5)]
    judges = [judge(11, unit_id=1), judge(12, unit_id=2), judge(13, unit_id=2)]

    plan = plan_assignments(exhibits, judges, set(), set(), per_exhibit=1)

    assert plan.loads() == {12: 2, 13: 2}
    assert (
        Problem("unbalanced", 1, details=(("min", 0), ("max", 2), ("loads", ((11, 0), (12, 2), (13, 2)))))
        in plan.problems
    )


def test_eligible_is_the_one_conflict_rule():
    e = exhibit(1, unit_id=5)
    assert eligible(judge(11, unit_id=6), e, set())
    assert eligible(judge(11, unit_id=None), e, set())
    assert not eligible(judge(11, unit_id=5), e, set())
    assert not eligible(judge(11, unit_id=6), e, {(11, 1)})
    # Panel membership is not part of it: a manual edit may bring in any judge.
    assert eligible(judge(11, categories=(), unit_id=6), e, {(1, 11)})


def test_category_loads_counts_per_category_and_lists_idle_members():
    exhibits = [exhibit(1), exhibit(2), exhibit(3, category_id=2)]
    judges = [judge(11, categories=(1, 2)), judge(12, categories=(1,)), judge(13, categories=(1, 2))]
    plan = Plan(frozenset({(1, 11), (2, 11), (3, 11), (3, 12)}), ())

    assert category_loads(plan, exhibits) == {1: {11: 2}, 2: {11: 1, 12: 1}}
    assert category_loads(plan, exhibits, judges) == {1: {11: 2, 12: 0, 13: 0}, 2: {11: 1, 12: 1, 13: 0}}
    assert plan.loads() == {11: 3, 12: 1}


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        plan_assignments([exhibit(1)], [judge(11)], set(), set(), per_exhibit=0)
    with pytest.raises(ValueError):
        plan_assignments([exhibit(1), exhibit(1)], [judge(11)], set(), set())
    with pytest.raises(ValueError):
        plan_assignments([exhibit(1)], [judge(11)], set(), {(2, 11)})


def test_thousand_exhibits_forty_judges_are_planned():
    rng = random.Random(7)
    exhibits = [exhibit(i, category_id=1 + i % 8, unit_id=rng.randrange(12), code=f"KT-{i:04d}") for i in range(1000)]
    judges = [
        judge(1000 + j, categories={1 + j % 8, 1 + (j + 3) % 8}, unit_id=rng.choice([None, *range(12)]))
        for j in range(40)
    ]
    conflicts = {(rng.choice(judges).judge_id, rng.choice(exhibits).exhibit_id) for _ in range(100)}

    plan = plan_assignments(exhibits, judges, conflicts, set(), per_exhibit=3)

    assert len(plan.pairs) == 3000
    assert [p for p in plan.problems if p.kind in ("unbalanced", "too_few_judges", "not_comparable")] == []


# ---- property-based -------------------------------------------------------------------------

units = st.integers(1, 3)
names = st.sampled_from(["An", "Bình", "Chi"])


@st.composite
def festivals(draw):
    """Random small festivals: categories, exhibits, judges, conflicts, fixed pairs and k."""
    categories = list(range(1, draw(st.integers(1, 4)) + 1))
    exhibits = [
        ExhibitSlot(100 + i, draw(st.sampled_from(categories)), draw(units), f"{draw(names)}-{i % 4}")
        for i in range(draw(st.integers(0, 30)))
    ]
    judges = [
        JudgeSlot(200 + i, draw(st.none() | units), frozenset(draw(st.sets(st.sampled_from(categories)))), draw(names))
        for i in range(draw(st.integers(0, 12)))
    ]
    pairs = [(j.judge_id, e.exhibit_id) for j in judges for e in exhibits]
    conflicts = draw(st.sets(st.sampled_from(pairs), max_size=25)) if pairs else set()
    fixed = draw(st.sets(st.sampled_from([(e, j) for j, e in pairs]), max_size=12)) if pairs else set()
    return exhibits, judges, conflicts, fixed, draw(st.integers(1, 4))


@settings(max_examples=200, deadline=None)
@given(festivals())
def test_no_pair_ever_breaks_a_conflict(festival):
    exhibits, judges, conflicts, fixed, k = festival
    plan = plan_assignments(exhibits, judges, conflicts, fixed, k)
    judge_of = {j.judge_id: j for j in judges}
    exhibit_of = {e.exhibit_id: e for e in exhibits}

    for exhibit_id, judge_id in plan.pairs:
        assert eligible(judge_of[judge_id], exhibit_of[exhibit_id], conflicts)
    dropped = {(e, j) for e, j in fixed if not eligible(judge_of[j], exhibit_of[e], conflicts)}
    assert fixed - dropped <= plan.pairs
    assert {(p.exhibit_id, p.judge_id) for p in plan.problems if p.kind == "conflicting_fixed"} == dropped


@settings(max_examples=200, deadline=None)
@given(festivals())
def test_each_exhibit_gets_k_distinct_panel_judges_when_it_can(festival):
    exhibits, judges, conflicts, fixed, k = festival
    plan = plan_assignments(exhibits, judges, conflicts, fixed, k)
    judge_of = {j.judge_id: j for j in judges}
    too_few = {p.exhibit_id for p in plan.problems if p.kind == "too_few_judges"}
    empty = {p.category_id for p in plan.problems if p.kind == "empty_panel"}

    assert len(plan.pairs) == sum(len(plan.judges_of(e.exhibit_id)) for e in exhibits)
    for e in exhibits:
        assigned = plan.judges_of(e.exhibit_id)
        kept = {j for x, j in fixed if x == e.exhibit_id and eligible(judge_of[j], e, conflicts)}
        usable = kept | {j.judge_id for j in judges if e.category_id in j.categories and eligible(j, e, conflicts)}
        assert len(assigned) == len(set(assigned))
        assert len(assigned) <= max(k, len(kept))
        if len(kept) > k:
            assert set(assigned) == kept
        assert set(assigned) - kept <= {j.judge_id for j in judges if e.category_id in j.categories}
        if e.category_id not in empty:
            assert len(assigned) >= min(k, len(usable))
        if len(assigned) < k:
            assert e.exhibit_id in too_few or e.category_id in empty
        else:
            assert e.exhibit_id not in too_few


@settings(max_examples=200, deadline=None)
@given(festivals())
def test_panel_loads_are_within_one_or_reported(festival):
    exhibits, judges, conflicts, fixed, k = festival
    plan = plan_assignments(exhibits, judges, conflicts, fixed, k)
    unbalanced = {p.category_id for p in plan.problems if p.kind == "unbalanced"}
    not_comparable = {p.category_id for p in plan.problems if p.kind == "not_comparable"}

    for category_id, loads in panel_loads(plan, exhibits, judges).items():
        if not loads:
            continue
        spread = max(loads.values()) - min(loads.values())
        # (That the spread is the smallest the conflicts and fixed pairs allow is checked by brute
        # force in test_load_spread_is_the_smallest_the_conflicts_allow; a single heavy-to-light move can be left
        # undone on purpose when it would split the judges into groups that share no exhibit.)
        assert (spread > 1) == (category_id in unbalanced)
        assert (len(groups(plan, exhibits, judges, category_id)) > 1) == (category_id in not_comparable)


@settings(max_examples=200, deadline=None)
@given(festivals(), st.data())
def test_same_input_in_any_order_gives_same_plan(festival, data):
    exhibits, judges, conflicts, fixed, k = festival
    plan = plan_assignments(exhibits, judges, conflicts, fixed, k)

    assert plan_assignments(exhibits, judges, conflicts, fixed, k) == plan
    shuffled = plan_assignments(
        data.draw(st.permutations(exhibits)),
        data.draw(st.permutations(judges)),
        set(data.draw(st.permutations(sorted(conflicts)))),
        set(data.draw(st.permutations(sorted(fixed)))),
        k,
    )
    assert shuffled == plan


@st.composite
def clean_festivals(draw):
    """No conflicts of any kind, no fixed pairs, every panel at least k judges."""
    k = draw(st.integers(1, 4))
    categories = list(range(1, draw(st.integers(1, 4)) + 1))
    judge_ids = list(range(200, 200 + draw(st.integers(k, 12))))
    panels = {c: draw(st.sets(st.sampled_from(judge_ids), min_size=k)) for c in categories}
    judges = [JudgeSlot(j, None, frozenset(c for c in categories if j in panels[c]), draw(names)) for j in judge_ids]
    exhibits = [
        ExhibitSlot(100 + i, draw(st.sampled_from(categories)), draw(units), f"{draw(names)}-{i}")
        for i in range(draw(st.integers(0, 30)))
    ]
    return exhibits, judges, k


@settings(max_examples=200, deadline=None)
@given(clean_festivals())
def test_without_conflicts_every_rule_holds(festival):
    exhibits, judges, k = festival
    plan = plan_assignments(exhibits, judges, set(), set(), k)

    for e in exhibits:
        assert len(plan.judges_of(e.exhibit_id)) == k
    for category_id, loads in panel_loads(plan, exhibits, judges).items():
        assert max(loads.values()) - min(loads.values()) <= 1
        count = sum(e.category_id == category_id for e in exhibits)
        # A connected design needs count*(k-1) >= panel-1 links (each exhibit joins at most k-1
        # new judges); below that, balance forces separate groups and the plan must say so.
        can_connect = count <= 1 or count * (k - 1) >= len(loads) - 1
        connected = len(groups(plan, exhibits, judges, category_id)) == 1
        assert connected == can_connect
    assert all(p.kind == "not_comparable" for p in plan.problems)


@st.composite
def tiny_festivals(draw):
    """One category small enough to try every possible assignment."""
    k = draw(st.integers(1, 2))
    exhibits = [ExhibitSlot(100 + i, 1, draw(units), f"KT-{i}") for i in range(draw(st.integers(1, 4)))]
    judges = [
        JudgeSlot(200 + i, draw(st.none() | units), frozenset({1}), draw(names)) for i in range(draw(st.integers(1, 4)))
    ]
    pairs = [(j.judge_id, e.exhibit_id) for j in judges for e in exhibits]
    conflicts = draw(st.sets(st.sampled_from(pairs), max_size=4))
    fixed = draw(st.sets(st.sampled_from([(e, j) for j, e in pairs]), max_size=3))
    return exhibits, judges, conflicts, fixed, k


@settings(max_examples=200, deadline=None)
@given(tiny_festivals())
def test_load_spread_is_the_smallest_the_conflicts_allow(festival):
    exhibits, judges, conflicts, fixed, k = festival
    plan = plan_assignments(exhibits, judges, conflicts, fixed, k)
    choices = []
    for e in exhibits:
        kept = tuple(j.judge_id for j in judges if (e.exhibit_id, j.judge_id) in fixed and eligible(j, e, conflicts))
        free = [j.judge_id for j in judges if j.judge_id not in kept and eligible(j, e, conflicts)]
        choices.append([kept + more for more in itertools.combinations(free, max(0, min(k - len(kept), len(free))))])
    best = min(
        max(counts) - min(counts)
        for combo in itertools.product(*choices)
        for counts in [[sum(j.judge_id in c for c in combo) for j in judges]]
    )

    loads = panel_loads(plan, exhibits, judges)[1]
    # Within one is the rule; beyond that, the plan must reach the best any assignment could.
    assert max(loads.values()) - min(loads.values()) <= max(best, 1)
