"""The arithmetic of judging results: severity, calibration, agreement, ranking, tiers, flags, hash.

Expected numbers are worked out by hand (or by the small calculation in the comment beside
them), never by calling the function under test.
"""

import hashlib
import math
import statistics

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from festival.judging.math.calibration import (
    Entry,
    Quotas,
    Rating,
    exhibit_results,
    icc1,
    judge_severity,
    near_cutoffs,
    normalised_scores,
    propose_tiers,
    rank,
    ratings_hash,
)


def sheet(exhibit_id, judge_id, *criteria):
    """A rating whose total is the sum of its criteria."""
    return Rating(exhibit_id, judge_id, float(sum(criteria)), tuple(float(c) for c in criteria))


def entry(exhibit_id, benefit=0):
    return Entry(exhibit_id, f"KT-{exhibit_id:02d}", benefit)


def ranked_by_score(scores):
    """Ranked results of exhibits 1..n with one rating each, scored as given."""
    ratings = [sheet(i, 1, s) for i, s in enumerate(scores, start=1)]
    entries = [entry(i) for i in range(1, len(scores) + 1)]
    return rank(exhibit_results(ratings, entries), entries)


# --- severity ------------------------------------------------------------------------------

# Judges 1 and 2 agree; judge 3 gives every exhibit 10 points less.
HARSH_THREE = [
    sheet(1, 1, 80),
    sheet(1, 2, 80),
    sheet(1, 3, 70),
    sheet(2, 1, 70),
    sheet(2, 2, 70),
    sheet(2, 3, 60),
    sheet(3, 1, 60),
    sheet(3, 2, 60),
    sheet(3, 3, 50),
]


def test_harsh_judge_offset_is_measured_against_the_same_exhibits():
    # Exhibit means 76.67, 66.67, 56.67: judges 1 and 2 are each 80 − 76.67 = +3.33 above,
    # judge 3 is 70 − 76.67 = −6.67 below, on every exhibit.
    stats = judge_severity(HARSH_THREE)

    assert sorted(stats) == [1, 2, 3]
    assert stats[1].offset == pytest.approx(10 / 3)
    assert stats[2].offset == pytest.approx(10 / 3)
    assert stats[3].offset == pytest.approx(-20 / 3)
    assert (stats[3].n, stats[3].mean, stats[3].sd) == (3, 60.0, pytest.approx(10.0))
    assert (stats[1].n, stats[1].mean, stats[1].sd) == (3, 70.0, pytest.approx(10.0))


def test_judge_who_drew_strong_exhibits_is_not_called_lenient():
    # Judge 1 only saw exhibit 1 (strong), judge 3 only exhibit 2 (weak); both agree with
    # judge 2 exactly. Against the category mean (70) judge 1 would look 20 points lenient;
    # against the panels they sat on, nobody is off.
    stats = judge_severity([sheet(1, 1, 90), sheet(1, 2, 90), sheet(2, 2, 50), sheet(2, 3, 50)])

    assert [(s.judge_id, s.mean, s.offset) for s in stats.values()] == [(1, 90.0, 0.0), (2, 70.0, 0.0), (3, 50.0, 0.0)]


def test_severity_of_a_judge_with_one_sheet_has_zero_sd():
    stats = judge_severity([sheet(1, 1, 80), sheet(1, 2, 60)])

    assert stats[1].sd == 0.0
    assert stats[1].offset == pytest.approx(10.0)
    assert stats[2].offset == pytest.approx(-10.0)


# --- calibration ---------------------------------------------------------------------------

# Four exhibits, each scored by three of four judges; judge 4 is about 12 points harsh and
# scored exhibit 2 but not exhibit 1.
#   exhibit 1: judges 1,2,3 → 70, 71, 69   raw mean 70.00
#   exhibit 2: judges 1,2,4 → 74, 73, 61   raw mean 69.33
#   exhibit 3: judges 1,3,4 → 60, 61, 48   raw mean 56.33
#   exhibit 4: judges 2,3,4 → 50, 51, 38   raw mean 46.33
# Panel: P = 726 / 12 = 60.5, V = 122.91667 (population), √V = 11.08678.
# With m = 3 and n_j = 3, M* = (M_j + P) / 2 and V* = (V_j + V) / 2:
#   judge 1: M = 68.000, V_j =  34.667 → M* = 64.250, √V* =  8.87647
#   judge 2: M = 64.667, V_j = 108.222 → M* = 62.583, √V* = 10.75032
#   judge 3: M = 60.333, V_j =  54.222 → M* = 60.417, √V* =  9.41113
#   judge 4: M = 49.000, V_j =  88.667 → M* = 54.750, √V* = 10.28551
# exhibit 1: z = (70−64.25)/8.87647, (71−62.5833)/10.75032, (69−60.4167)/9.41113
#              = 0.64778, 0.78292, 0.91204 → 60.5 + 11.08678 × 0.78091 = 69.1578
# exhibit 2: z = 1.09841, 0.96896, 0.60765 → 60.5 + 11.08678 × 0.89167 = 70.3858
# exhibit 3: z = −0.47879, 0.06198, −0.65626 → 56.5344;  exhibit 4: → 46.4582
CROSSED = [
    sheet(1, 1, 70),
    sheet(1, 2, 71),
    sheet(1, 3, 69),
    sheet(2, 1, 74),
    sheet(2, 2, 73),
    sheet(2, 4, 61),
    sheet(3, 1, 60),
    sheet(3, 3, 61),
    sheet(3, 4, 48),
    sheet(4, 2, 50),
    sheet(4, 3, 51),
    sheet(4, 4, 38),
]


def test_normalised_scores_correct_for_the_harsh_judge():
    scores = normalised_scores(CROSSED)

    assert scores == {
        1: pytest.approx(69.1578, abs=1e-4),
        2: pytest.approx(70.3858, abs=1e-4),
        3: pytest.approx(56.5344, abs=1e-4),
        4: pytest.approx(46.4582, abs=1e-4),
    }


def test_normalised_method_reorders_exhibits_the_raw_mean_gets_wrong():
    entries = [entry(i) for i in (1, 2, 3, 4)]

    by_mean = rank(exhibit_results(CROSSED, entries, method="mean"), entries)
    by_normalised = rank(exhibit_results(CROSSED, entries, method="normalised"), entries)

    assert [r.result.exhibit_id for r in by_mean] == [1, 2, 3, 4]
    assert [r.result.exhibit_id for r in by_normalised] == [2, 1, 3, 4]
    assert by_normalised[0].result.score == pytest.approx(70.3858, abs=1e-4)
    assert by_normalised[0].result.mean == pytest.approx(69.3333, abs=1e-4)


def test_without_shrinkage_normalised_scores_are_plain_judge_z_scores():
    # m = 0: judge 1 → M 68, SD 5.88784 (population SD of 70, 74, 60); judge 2 → 64.6667,
    # 10.40299; judge 3 → 60.3333, 7.36357. Exhibit 1: z = 0.33968, 0.60880, 1.17696, mean
    # 0.70848 → 60.5 + 11.08678 × 0.70848 = 68.3548.
    assert normalised_scores(CROSSED, shrinkage=0)[1] == pytest.approx(68.3548, abs=1e-4)


def test_infinite_shrinkage_gives_back_the_raw_mean():
    scores = normalised_scores(CROSSED, shrinkage=math.inf)

    assert scores[2] == pytest.approx(208 / 3)


def test_negative_shrinkage_is_refused():
    with pytest.raises(ValueError):
        normalised_scores(CROSSED, shrinkage=-1)


# --- exhibit results -----------------------------------------------------------------------


def test_exhibit_results_figures_and_spread_flag():
    ratings = [
        sheet(1, 1, 30, 40),
        sheet(1, 2, 35, 45),
        sheet(1, 3, 40, 50),  # 70, 80, 90
        sheet(2, 1, 40, 40),
        sheet(2, 2, 41, 40),  # 80, 81
    ]
    entries = [entry(1), entry(2), entry(3)]

    one, two, three = exhibit_results(ratings, entries, spread_flag=15.0)

    # Exhibit 1: mean 80, sample SD 10, spread 20, SE 10/√3 = 5.7735; spread ≥ 15 → flagged.
    assert (one.n, one.mean, one.sd, one.spread) == (3, 80.0, pytest.approx(10.0), 20.0)
    assert one.se == pytest.approx(5.7735, abs=1e-4)
    assert one.criterion_means == (35.0, 45.0)
    assert one.score == one.mean
    assert one.flagged_spread
    # Exhibit 2: SD 0.70711, spread 1 → not flagged.
    assert two.sd == pytest.approx(0.70711, abs=1e-5)
    assert not two.flagged_spread
    # Exhibit 3 has no ratings.
    assert (three.n, three.score, three.mean, three.criterion_means) == (0, None, None, ())


def test_sd_of_half_the_spread_flag_is_flagged_without_the_spread():
    # 70, 70, 85, 85 with spread_flag 16: the spread 15 is under 16, but the sample SD
    # √(4 × 7.5² / 3) = 8.660 is at least 16 / 2 = 8 → flagged by the SD rule alone.
    ratings = [sheet(1, j, t) for j, t in enumerate((70, 70, 85, 85), start=1)]

    (result,) = exhibit_results(ratings, [entry(1)], spread_flag=16.0)

    assert result.spread == 15.0
    assert result.sd == pytest.approx(8.660, abs=1e-3)
    assert result.flagged_spread


def test_ratings_of_exhibits_not_entered_are_left_out():
    ratings = [sheet(1, 1, 80), sheet(9, 1, 20)]

    results = exhibit_results(ratings, [entry(1)], method="normalised")

    assert [(r.exhibit_id, r.n, r.mean) for r in results] == [(1, 1, 80.0)]
    assert results[0].normalised == 80.0


def test_mixed_rubrics_and_duplicate_sheets_are_refused():
    with pytest.raises(ValueError, match="criteria"):
        exhibit_results([sheet(1, 1, 40, 40), sheet(1, 2, 80)], [entry(1)])
    with pytest.raises(ValueError, match="two ratings"):
        exhibit_results([sheet(1, 1, 80), sheet(1, 1, 70)], [entry(1)])
    with pytest.raises(ValueError, match="method"):
        exhibit_results([], [entry(1)], method="median")


# --- ranking -------------------------------------------------------------------------------

# All four first exhibits have a mean of 80; criteria (3 of them) differ.
TIED = [
    sheet(1, 1, 30, 20, 30),  # criterion 2 = 30
    sheet(2, 1, 35, 25, 20),  # criterion 2 = 20, criterion 0 = 35, benefit 500
    sheet(3, 1, 40, 20, 20),  # criterion 2 = 20, criterion 0 = 40, benefit 300
    sheet(4, 1, 40, 20, 20),  # same as 3, same benefit → code
    sheet(5, 1, 30, 20, 20),  # 70
]
TIED_ENTRIES = [entry(1, 100), entry(2, 500), entry(3, 300), entry(4, 300), entry(5, 900)]


def test_tie_break_chain_criterion_then_benefit_then_code():
    ranked = rank(exhibit_results(TIED, TIED_ENTRIES), TIED_ENTRIES, [2])

    assert [(r.rank, r.result.exhibit_id, r.decided_by) for r in ranked] == [
        (1, 1, None),
        (2, 2, "criterion:2"),
        (3, 3, "benefit"),
        (4, 4, "code"),
        (5, 5, "score"),
    ]


def test_second_tie_break_criterion_comes_before_benefit():
    ranked = rank(exhibit_results(TIED, TIED_ENTRIES), TIED_ENTRIES, [2, 0])

    assert [(r.result.exhibit_id, r.decided_by) for r in ranked] == [
        (1, None),
        (3, "criterion:2"),
        (4, "code"),
        (2, "criterion:0"),
        (5, "score"),
    ]


def test_scores_equal_to_two_decimals_are_a_tie():
    # 83.3333 against 83.33333334 (and 250/3 from three sheets): the score does not decide.
    ratings = [sheet(1, 1, 83.3333), sheet(2, 1, 83.33333334), sheet(3, 1, 80), sheet(3, 2, 85), sheet(3, 3, 85)]
    entries = [entry(1, 100), entry(2, 300), entry(3, 200)]

    ranked = rank(exhibit_results(ratings, entries), entries)

    assert [(r.result.exhibit_id, r.decided_by) for r in ranked] == [(2, None), (3, "benefit"), (1, "benefit")]


def test_unscored_exhibits_come_last_without_a_rank():
    entries = [entry(1), entry(2), entry(3)]

    ranked = rank(exhibit_results([sheet(2, 1, 50)], entries), entries)

    assert [(r.rank, r.result.exhibit_id) for r in ranked] == [(1, 2), (None, 1), (None, 3)]


def test_tie_break_index_outside_the_rubric_is_refused():
    with pytest.raises(ValueError, match="tie-break"):
        rank(exhibit_results(TIED, TIED_ENTRIES), TIED_ENTRIES, [3])


# --- agreement -----------------------------------------------------------------------------


def test_icc1_reproduces_shrout_and_fleiss_table_2():
    # Shrout & Fleiss (1979) Table 2: 6 targets × 4 judges, ICC(1,1) = 0.17.
    # BMS = 1349/120 = 11.2417, WMS = 451/72 = 6.2639 → (BMS − WMS) / (BMS + 3·WMS) = 448/2703.
    table = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    ratings = [sheet(target, judge, x) for target, row in enumerate(table, 1) for judge, x in enumerate(row, 1)]

    agreement = icc1(ratings)

    assert round(agreement.icc, 2) == 0.17
    assert agreement.icc == pytest.approx(448 / 2703)
    assert (agreement.n_exhibits, agreement.n_ratings, agreement.reading) == (6, 24, "poor")


def test_icc1_unbalanced_design_uses_k0_and_skips_single_sheets():
    # Exhibit 1: 2, 4; exhibit 2: 6, 8, 10; exhibit 3 has one sheet and is left out.
    # Grand mean 6; SSB = 2·9 + 3·4 = 30, MSB = 30; SSW = 2 + 8 = 10, MSW = 10/3;
    # k0 = (5 − 13/5) / 1 = 2.4; ICC = (30 − 10/3) / (30 + 1.4 · 10/3) = 80/104 = 10/13.
    ratings = [sheet(1, 1, 2), sheet(1, 2, 4), sheet(2, 1, 6), sheet(2, 2, 8), sheet(2, 3, 10), sheet(3, 1, 99)]

    agreement = icc1(ratings)

    assert agreement.icc == pytest.approx(10 / 13)
    assert (agreement.n_exhibits, agreement.n_ratings, agreement.reading) == (2, 5, "good")


def test_icc1_is_undefined_without_two_shared_exhibits_or_any_variance():
    assert icc1([sheet(1, 1, 80), sheet(1, 2, 70), sheet(2, 1, 60)]) is None
    assert icc1([sheet(e, j, 75) for e in (1, 2) for j in (1, 2)]) is None


def test_icc1_readings_follow_koo_and_li_bands():
    # Identical panels on spread-out exhibits: MSW = 0 → ICC = 1, "excellent".
    assert icc1([sheet(e, j, 10 * e) for e in (1, 2, 3) for j in (1, 2)]).reading == "excellent"


# --- tiers ---------------------------------------------------------------------------------


def test_ten_exhibits_get_the_six_prizes_and_no_honourable():
    # ceil(0.3 × 10) = 3 awarded positions, already filled by the 6 prizes.
    tiers = propose_tiers(ranked_by_score([90 - i for i in range(10)]), Quotas())

    assert [tiers[i] for i in range(1, 11)] == ["first", "second", "second", "third", "third", "third"] + [None] * 4


def test_thirty_exhibits_get_three_honourable_after_the_prizes():
    # ceil(0.3 × 30) = 9 awarded positions: 6 prizes + 3 honourable.
    tiers = propose_tiers(ranked_by_score([95 - i for i in range(30)]), Quotas())

    assert [tiers[i] for i in range(1, 10)] == ["first", "second", "second", "third", "third", "third"] + [
        "honourable"
    ] * 3
    assert all(tiers[i] is None for i in range(10, 31))


def test_fewer_exhibits_than_prizes_fill_the_top_tiers_first():
    ranked = ranked_by_score([80, 70, 60, 50])
    entries = [entry(i) for i in range(1, 6)]
    ranked = rank([r.result for r in ranked] + exhibit_results([], [entry(5)]), entries)

    assert propose_tiers(ranked, Quotas()) == {1: "first", 2: "second", 3: "second", 4: "third", 5: None}


def test_honourable_count_ignores_float_noise_in_the_share():
    # 0.28 × 25 is 7.000000000000001 in floats; the awarded positions are 7, not 8.
    tiers = propose_tiers(ranked_by_score([90 - i for i in range(25)]), Quotas(1, 0, 0, 0.28))

    assert sum(1 for t in tiers.values() if t == "honourable") == 6


def test_negative_quota_is_refused():
    with pytest.raises(ValueError):
        Quotas(first=-1)


# --- near the cutoff -----------------------------------------------------------------------


def test_exhibits_within_their_se_of_a_cutoff_are_flagged_on_both_sides():
    ratings = [
        sheet(1, 1, 90),
        sheet(1, 2, 90),
        sheet(1, 3, 90),  # 90, SE 0 → margin 0.5
        sheet(2, 1, 86),
        sheet(2, 2, 88),
        sheet(2, 3, 90),  # 88, SE 2/√3 = 1.155
        sheet(3, 1, 70),  # 70, n = 1 → margin 0.5
        sheet(4, 1, 69),
        sheet(4, 2, 70),  # 69.5, SE 0.7071/√2 = 0.5
    ]
    entries = [entry(i) for i in (1, 2, 3, 4, 5)]
    ranked = rank(exhibit_results(ratings, entries), entries)
    tiers = propose_tiers(ranked, Quotas(first=1, second=1, third=1, honourable_share=0))
    assert [tiers[i] for i in (1, 2, 3, 4, 5)] == ["first", "second", "third", None, None]

    # Cutoffs: 89 (first|second), 79 (second|third), 69.75 (third|none).
    # 1: |90 − 89| = 1 > 0.5; 2: |88 − 89| = 1 ≤ 1.155; 3: 0.25 ≤ 0.5; 4: 0.25 ≤ 0.5.
    assert near_cutoffs(ranked, tiers) == {2, 3, 4}
    # z = 2 doubles every margin: exhibit 1 (1 ≤ 1.0) joins.
    assert near_cutoffs(ranked, tiers, z=2) == {1, 2, 3, 4}
    # z = 0.2: margins 0.23, 0.1, 0.1 — nobody.
    assert near_cutoffs(ranked, tiers, z=0.2) == set()


def test_cutoffs_follow_the_tiers_given_not_the_proposal():
    ranked = ranked_by_score([80, 79.8, 60])
    # An organizer gave exhibit 2 the same tier as exhibit 1: the only cutoff is 69.9.
    assert near_cutoffs(ranked, {1: "first", 2: "first", 3: None}) == set()
    assert near_cutoffs(ranked, {1: "first", 2: "second", 3: None}) == {1, 2}


# --- hash ----------------------------------------------------------------------------------


def test_ratings_hash_is_sha256_of_the_documented_canonical_json():
    ratings = [Rating(2, 7, 80, (40, 40)), Rating(1, 7, 66.66666666, (33.333333333, 33.333333327))]
    canonical = (
        '[{"criteria":[33.333333,33.333333],"exhibit_id":1,"judge_id":7,"total":66.666667},'
        '{"criteria":[40.0,40.0],"exhibit_id":2,"judge_id":7,"total":80.0}]'
    )

    assert ratings_hash(ratings) == hashlib.sha256(canonical.encode()).hexdigest()


def test_ratings_hash_ignores_order_and_noise_but_not_a_changed_score():
    ratings = [sheet(1, 1, 40, 40), sheet(1, 2, 35, 40), sheet(2, 1, 30, 30)]
    noisy = [Rating(r.exhibit_id, r.judge_id, r.total + 1e-9, r.criteria) for r in reversed(ratings)]
    changed = [ratings[0], sheet(1, 2, 35, 41), ratings[2]]

    assert ratings_hash(noisy) == ratings_hash(ratings)
    assert ratings_hash(changed) != ratings_hash(ratings)
    with pytest.raises(ValueError):
        ratings_hash([Rating(1, 1, math.nan, ())])


# --- properties ----------------------------------------------------------------------------

POINTS = st.one_of(st.integers(0, 50).map(float), st.floats(0, 50, allow_nan=False))


@st.composite
def categories(draw, complete=False):
    """Ratings (two criteria each) and entries for one category; some exhibits may be unscored."""
    n_exhibits = draw(st.integers(1, 7))
    n_judges = draw(st.integers(1, 4))
    pairs = [(e, j) for e in range(1, n_exhibits + 1) for j in range(1, n_judges + 1)]
    if not complete:
        pairs = sorted(draw(st.sets(st.sampled_from(pairs))))
    ratings = [sheet(e, j, draw(POINTS), draw(POINTS)) for e, j in pairs]
    entries = [Entry(e, f"KT-{e:02d}", draw(st.integers(0, 2)) * 1000) for e in range(1, n_exhibits + 1)]
    return ratings, entries


@settings(max_examples=150)
@given(categories(), st.sampled_from(["mean", "normalised"]), st.lists(st.integers(0, 1), max_size=2))
def test_ranks_are_a_permutation_of_the_scored_exhibits(category, method, tie_break):
    ratings, entries = category

    ranked = rank(exhibit_results(ratings, entries, method=method), entries, tie_break)

    scored = {r.exhibit_id for r in ratings}
    assert sorted(r.result.exhibit_id for r in ranked) == [e.exhibit_id for e in entries]
    assert [r.rank for r in ranked[: len(scored)]] == list(range(1, len(scored) + 1))
    assert {r.result.exhibit_id for r in ranked[: len(scored)]} == scored
    assert all(r.rank is None for r in ranked[len(scored) :])


@settings(max_examples=150)
@given(st.data(), categories(), st.sampled_from(["mean", "normalised"]))
def test_ranking_does_not_depend_on_input_order(data, category, method):
    ratings, entries = category
    shuffled_ratings = data.draw(st.permutations(ratings))
    shuffled_entries = data.draw(st.permutations(entries))

    first = rank(exhibit_results(ratings, entries, method=method), entries, [1, 0])
    results = exhibit_results(shuffled_ratings, shuffled_entries, method=method)
    second = rank(data.draw(st.permutations(results)), shuffled_entries, [1, 0])

    assert second == first


# The policy keeps shrinkage with two decimals (Numeric(5, 2)): a shrinkage of 1e-16 on a judge with
# one sheet would only measure float rounding.
@settings(max_examples=100)
@given(st.data(), categories(complete=True), st.integers(0, 1000).map(lambda n: n / 100))
def test_a_shift_common_to_all_judges_shifts_every_normalised_score(data, category, shrinkage):
    ratings, _ = category
    c = data.draw(st.integers(-20, 20))
    shifted = [Rating(r.exhibit_id, r.judge_id, r.total + c, r.criteria) for r in ratings]

    before = normalised_scores(ratings, shrinkage)
    after = normalised_scores(shifted, shrinkage)

    assert after == {e: pytest.approx(s + c, abs=1e-9) for e, s in before.items()}


@settings(max_examples=100)
@given(st.data(), categories(complete=True))
def test_each_judges_own_shift_leaves_the_calibrated_standing_unchanged(data, category):
    # Without shrinkage each judge's z-scores ignore a constant they add; what can still move is
    # the panel's mean and SD used to put the mean z back on the 0–100 scale.
    ratings, _ = category
    judges = sorted({r.judge_id for r in ratings})
    shifts = dict(zip(judges, data.draw(st.lists(st.integers(-20, 20), min_size=len(judges), max_size=len(judges)))))
    shifted = [Rating(r.exhibit_id, r.judge_id, r.total + shifts[r.judge_id], r.criteria) for r in ratings]

    def standing(rs):
        totals = [r.total for r in rs]
        mean, sd = statistics.mean(totals), statistics.pstdev(totals)
        assume(sd > 1e-6)
        return {e: (s - mean) / sd for e, s in normalised_scores(rs, shrinkage=0).items()}

    assert standing(shifted) == {e: pytest.approx(z, abs=1e-6) for e, z in standing(ratings).items()}


@settings(max_examples=100)
@given(categories())
def test_infinite_shrinkage_makes_normalised_the_mean(category):
    ratings, entries = category

    for shrinkage in (math.inf, 1e12):
        for result in exhibit_results(ratings, entries, method="normalised", shrinkage=shrinkage):
            if result.n:
                assert result.normalised == pytest.approx(result.mean, abs=1e-6)


@settings(max_examples=150)
@given(categories())
def test_icc_lies_between_minus_one_and_one(category):
    ratings, _ = category

    agreement = icc1(ratings)

    if agreement is not None:
        assert -1 - 1e-9 <= agreement.icc <= 1 + 1e-9


@settings(max_examples=100)
@given(categories())
def test_severity_offsets_weighted_by_sheets_sum_to_zero(category):
    # Within each exhibit the differences from its own mean sum to zero.
    ratings, _ = category

    stats = judge_severity(ratings)

    assert math.fsum(s.n * s.offset for s in stats.values()) == pytest.approx(0, abs=1e-9)
