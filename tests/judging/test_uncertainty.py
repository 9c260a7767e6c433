"""Honest uncertainty: the pooled error of a score, cutoff flags that use it, and incomplete panels.

Expected numbers are worked out by hand, never by calling the function under test.
"""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from festival.judging.math.calibration import (
    POOLED_FLAG_RULE,
    Entry,
    PooledError,
    Quotas,
    Rating,
    exhibit_results,
    near_cutoffs,
    near_cutoffs_pooled,
    pooled_error,
    propose_tiers,
    provisional,
    rank,
)
from tests.judging.test_results_math import categories


def sheet(exhibit_id, judge_id, total):
    return Rating(exhibit_id, judge_id, float(total), (float(total),))


def entry(exhibit_id):
    return Entry(exhibit_id, f"KT-{exhibit_id:02d}", 0)


def entries_for(ratings, extra=()):
    return [entry(e) for e in sorted({r.exhibit_id for r in ratings} | set(extra))]


# --- the pooled error ------------------------------------------------------------------------

# Exhibit 1: 70, 80, 90 (SS 200, 2 df); exhibit 2: 80, 81 (SS 0.5, 1 df); exhibit 3 one sheet.
POOLED = [sheet(1, 1, 70), sheet(1, 2, 80), sheet(1, 3, 90), sheet(2, 1, 80), sheet(2, 2, 81), sheet(3, 3, 75)]


def test_pooled_variance_is_the_within_exhibit_mean_square():
    assert pooled_error(POOLED) == PooledError(variance=pytest.approx(200.5 / 3), df=3, exhibits=2)


def test_a_single_sheet_gets_the_pooled_error_not_zero():
    one, two, three = exhibit_results(POOLED, entries_for(POOLED))

    # σ² = 66.8333: SE √(σ²/3) = 4.7199, √(σ²/2) = 5.7807, √σ² = 8.1752.
    assert one.pooled_se == pytest.approx(4.7199, abs=1e-4)
    assert two.pooled_se == pytest.approx(5.7807, abs=1e-4)
    assert (three.se, three.pooled_se) == (0.0, pytest.approx(8.1752, abs=1e-4))


# Judge 2 gives 6, 4 and 12 points less than judge 1 on the same three exhibits.
TWO_JUDGES = [sheet(1, 1, 70), sheet(2, 1, 80), sheet(3, 1, 60), sheet(1, 2, 64), sheet(2, 2, 76), sheet(3, 2, 48)]


def test_the_effects_error_leaves_out_the_judges_offsets():
    # Raw: Σ d²/2 = (36 + 16 + 144) / 2 = 98 over 3 df → 32.667. With the offset gap fitted
    # (mean difference −22/3), what is left is Σ (d − d̄)²/2 = 34.667 / 2 = 17.333 over 6 − 3 − 1 = 2 df.
    assert pooled_error(TWO_JUDGES).variance == pytest.approx(98 / 3)
    assert pooled_error(TWO_JUDGES, method="effects") == PooledError(pytest.approx(26 / 3), 2, 3)

    results = exhibit_results(TWO_JUDGES, entries_for(TWO_JUDGES), method="effects")

    assert results[0].pooled_se == pytest.approx(math.sqrt(26 / 3 / 2))


def test_normalised_error_with_infinite_shrinkage_is_the_raw_one():
    # With m = ∞ every judge is scaled by the panel's own mean and SD: the calibrated sheet is the total.
    assert pooled_error(POOLED, method="normalised", shrinkage=math.inf).variance == pytest.approx(200.5 / 3)


def test_without_two_sheets_anywhere_the_error_is_unknown():
    error = pooled_error([sheet(1, 1, 80), sheet(2, 2, 70)])

    assert error == PooledError(None, 0, 0) and error.se(1) is None
    with pytest.raises(ValueError, match="method"):
        pooled_error(POOLED, method="median")


# --- flags near a cutoff ---------------------------------------------------------------------

# Exhibit 1: 88, 90, 92 (mean 90, SS 8); exhibit 2: 87 alone; exhibit 3: 80, 82 (81, SS 2);
# exhibit 4: 70, 72, 74 (72, SS 8). σ² = 18 / 5 = 3.6.
NEAR = [sheet(1, 1, 88), sheet(1, 2, 90), sheet(1, 3, 92), sheet(2, 1, 87), sheet(3, 2, 80), sheet(3, 3, 82)]
NEAR += [sheet(4, 1, 70), sheet(4, 2, 72), sheet(4, 3, 74)]


def near_ranked():
    entries = entries_for(NEAR)
    ranked = rank(exhibit_results(NEAR, entries), entries)
    tiers = propose_tiers(ranked, Quotas(first=1, second=1, third=1, honourable_share=0))
    assert [tiers[e] for e in (1, 2, 3, 4)] == ["first", "second", "third", None]
    return ranked, tiers


def test_single_sheet_next_to_a_cutoff_is_flagged_by_the_pooled_rule():
    ranked, tiers = near_ranked()

    # Cutoffs 88.5, 84, 76.5. Pooled SEs: √1.2 = 1.095, √3.6 = 1.897, √1.8 = 1.342, 1.095.
    # Exhibit 2 (87) is 1.5 from 88.5, within 1.897; exhibit 1 (90) is 1.5 away, beyond 1.095.
    assert near_cutoffs_pooled(ranked, tiers) == {2}
    # The old rule gives exhibit 2 an SE of 0 (margin 0.5) and exhibit 1 its own 2/√3 = 1.155.
    assert near_cutoffs(ranked, tiers) == set()
    # z = 2: exhibit 1's margin 2.19 ≥ 1.5 joins; exhibit 3 (3 from 84) stays out of 2.68.
    assert near_cutoffs_pooled(ranked, tiers, z=2) == {1, 2}


def test_with_the_error_unknown_the_neighbours_of_each_cutoff_are_flagged():
    ratings = [sheet(i, i, s) for i, s in enumerate((90, 80, 70, 60), start=1)]
    entries = entries_for(ratings)
    ranked = rank(exhibit_results(ratings, entries), entries)

    assert near_cutoffs_pooled(ranked, {1: "first", 2: None, 3: None, 4: None}) == {1, 2}
    assert near_cutoffs_pooled(ranked, {1: "first", 2: "second", 3: None, 4: None}) == {1, 2, 3}


def test_the_rule_the_page_quotes_names_its_parts():
    for words in ("within z standard errors", "√(σ²/n)", "two sheets or more", "0.5 points"):
        assert words in POOLED_FLAG_RULE
    with pytest.raises(ValueError):
        near_cutoffs_pooled([], {}, z=-1)


# --- incomplete panels -----------------------------------------------------------------------

# Exhibit 1: 2 of 3 sheets in; 2: 2 of 2; 3: one sheet, no count given; 4: assigned 3, none in.
PARTIAL = [sheet(1, 1, 95), sheet(1, 2, 95), sheet(2, 1, 90), sheet(2, 3, 90), sheet(3, 2, 85)]
ASSIGNED = {1: 3, 2: 2, 4: 3}


def test_results_say_which_panels_are_incomplete():
    results = exhibit_results(PARTIAL, entries_for(PARTIAL, extra=[4]), assigned=ASSIGNED)

    assert [(r.exhibit_id, r.n, r.assigned, r.incomplete) for r in results] == [
        (1, 2, 3, True),
        (2, 2, 2, False),
        (3, 1, None, False),
        (4, 0, 3, True),
    ]
    assert all(not r.incomplete for r in exhibit_results(PARTIAL, entries_for(PARTIAL)))


def ranked_partial():
    ratings = PARTIAL + [sheet(5, 3, 80)]
    entries = entries_for(ratings, extra=[4])
    return rank(exhibit_results(ratings, entries, assigned={**ASSIGNED, 3: 1, 5: 1}), entries)


def test_incomplete_exhibit_is_proposed_provisionally_by_default():
    ranked = ranked_partial()

    tiers = propose_tiers(ranked, Quotas(first=1, second=1, third=1, honourable_share=0))

    assert tiers == {1: "first", 2: "second", 3: "third", 5: None, 4: None}
    assert provisional(ranked, tiers) == {1}


def test_incomplete_exhibit_can_be_left_out_of_the_proposal():
    ranked = ranked_partial()

    tiers = propose_tiers(ranked, Quotas(first=1, second=1, third=1, honourable_share=0), skip_incomplete=True)

    assert tiers == {1: None, 2: "first", 3: "second", 5: "third", 4: None}
    assert provisional(ranked, tiers) == set()
    # Half of the 3 complete scored exhibits, rounded up, are awarded; exhibit 1 does not count.
    honourable = propose_tiers(ranked, Quotas(0, 0, 0, 0.5), skip_incomplete=True)
    assert [e for e, t in honourable.items() if t] == [2, 3]
    assert [e for e, t in propose_tiers(ranked, Quotas(0, 0, 0, 0.5)).items() if t] == [1, 2]


def test_cutoffs_ignore_exhibits_left_out_of_the_proposal():
    ranked = ranked_partial()
    tiers = propose_tiers(ranked, Quotas(first=1, second=0, third=0, honourable_share=0), skip_incomplete=True)

    # Only 2 (90), 3 (85) and 5 (80) count: one cutoff, 87.5. σ² = 0 (every panel agrees), margin 0.5.
    assert near_cutoffs_pooled(ranked, tiers, z=5, skip_incomplete=True) == {2, 3}
    assert 1 not in near_cutoffs_pooled(ranked, tiers, z=100, skip_incomplete=True)


# --- properties ----------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(categories(), st.sampled_from(["mean", "normalised", "effects"]))
def test_pooled_se_is_one_sigma_over_root_n_for_every_scored_exhibit(category, method):
    ratings, entries = category

    results = [r for r in exhibit_results(ratings, entries, method=method) if r.n]

    error = pooled_error(ratings, method=method)
    if method != "effects":
        assert (error.variance is None) == all(r.n < 2 for r in results)
    for r in results:
        if error.variance is None:
            assert r.pooled_se is None
        else:
            assert error.variance >= 0
            assert r.pooled_se == pytest.approx(math.sqrt(error.variance / r.n))
