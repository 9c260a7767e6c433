"""The judge-effects model: exact recovery of planted offsets, shrinkage, groups, ranking by it.

Expected numbers are worked out by hand (or planted in the data), never by calling the function
under test.
"""

import itertools
import math
import random
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from festival.judging.math.calibration import (
    Entry,
    Rating,
    exhibit_results,
    judge_effects,
    judge_severity,
    normalised_scores,
    rank,
)
from festival.judging.math.effects import fit_effects


def sheet(exhibit_id, judge_id, total):
    return Rating(exhibit_id, judge_id, float(total), (float(total),))


# Six exhibits on a connected incomplete design of four judges, two per exhibit; every total is
# exactly quality + offset, the offsets summing to 0.
QUALITY = {1: 70, 2: 65, 3: 80, 4: 55, 5: 60, 6: 75}
OFFSET = {1: 4, 2: 1, 3: -2, 4: -3}
DESIGN = [(1, 1), (1, 2), (2, 2), (2, 3), (3, 3), (3, 4), (4, 4), (4, 1), (5, 1), (5, 3), (6, 2), (6, 4)]
EXACT = [sheet(e, j, QUALITY[e] + OFFSET[j]) for e, j in DESIGN]


def test_planted_offsets_and_qualities_are_recovered_exactly_without_shrinkage():
    fit = judge_effects(EXACT, shrinkage=0)

    assert fit.offsets == {j: pytest.approx(o, abs=1e-9) for j, o in OFFSET.items()}
    assert fit.quality == {e: pytest.approx(q, abs=1e-9) for e, q in QUALITY.items()}
    assert fit.components == ((1, 2, 3, 4),) and fit.is_connected
    # 12 sheets − 6 exhibits − (4 judges − 1 group) = 3 degrees of freedom, no residual.
    assert fit.residual_df == 3
    assert fit.residual_ss == pytest.approx(0, abs=1e-18)


def test_shrinkage_pulls_every_offset_toward_zero_and_keeps_their_order():
    plain = judge_effects(EXACT, shrinkage=0).offsets
    shrunk = judge_effects(EXACT, shrinkage=1).offsets

    assert sorted(shrunk, key=shrunk.get) == sorted(plain, key=plain.get) == [4, 3, 2, 1]
    assert all(abs(shrunk[j]) < abs(plain[j]) for j in plain)
    assert math.fsum(shrunk.values()) == pytest.approx(0, abs=1e-9)


def cyclic_trios(exhibits, judges):
    """Exhibit i gets judges i, i+1, i+3 (mod n): every judge on 3·exhibits/n panels, pairs overlapping."""
    return [(e, judges[(e + step) % len(judges)]) for e in range(exhibits) for step in (0, 1, 3)]


def test_always_harsher_judge_shows_the_full_gap_not_two_thirds_of_it():
    # Nine judges on 63 trios; judge 0 gives 9 points less than the others on everything.
    quality = {e: 50 + (e * 37) % 41 for e in range(63)}
    ratings = [sheet(e, j, quality[e] - (9 if j == 0 else 0)) for e, j in cyclic_trios(63, list(range(9)))]

    exact = judge_effects(ratings, shrinkage=0).offsets
    stats = judge_severity(ratings)

    # Centred over nine judges: −9 + 1 for judge 0, +1 for each other, a gap of exactly 9.
    assert exact[0] == pytest.approx(-8, abs=1e-9)
    assert all(exact[j] == pytest.approx(1, abs=1e-9) for j in range(1, 9))
    # The panel-mean offset holds the judge's own total: −9 − (−9 / 3) = −6 on every exhibit.
    assert stats[0].offset == pytest.approx(-6)
    # With the default shrinkage (one sheet's worth) a judge with 21 sheets keeps most of the gap.
    gap = stats[0].effect - statistics.mean(stats[j].effect for j in range(1, 9))
    assert -9 < gap < -0.9 * 9


def test_judge_with_few_sheets_is_pulled_harder_toward_zero():
    # Judges 0-5 are all 6 points harsh against judges 6-8 on a cyclic design (12 sheets each);
    # judge 9 is as harsh but scored only exhibits 0 and 1, beside three of the others each time.
    quality = {e: 40 + (e * 13) % 50 for e in range(36)}
    ratings = [sheet(e, j, quality[e] - (6 if j < 6 else 0)) for e, j in cyclic_trios(36, list(range(9)))]
    ratings += [sheet(0, 9, quality[0] - 6), sheet(1, 9, quality[1] - 6)]

    exact = judge_effects(ratings, shrinkage=0).offsets
    shrunk = judge_effects(ratings, shrinkage=1).offsets

    # Centred over ten judges, the harsh ones sit at 6 × 3/10 = −1.8, the others at +4.2.
    assert exact[9] == pytest.approx(-1.8, abs=1e-9) and exact[0] == pytest.approx(-1.8, abs=1e-9)
    assert exact[8] == pytest.approx(4.2, abs=1e-9)
    # Two sheets are worth little against one sheet of shrinkage; twelve are worth a lot.
    assert shrunk[9] / exact[9] < 0.7
    assert shrunk[0] / exact[0] > 0.9


def test_separate_groups_of_judges_are_reported_and_centred_each():
    ratings = [sheet(1, 1, 80), sheet(1, 2, 70), sheet(2, 3, 60), sheet(2, 4, 50), sheet(3, 5, 40)]

    fit = judge_effects(ratings, shrinkage=0)

    assert fit.components == ((1, 2), (3, 4), (5,))
    assert not fit.is_connected
    assert fit.offsets == {1: pytest.approx(5), 2: pytest.approx(-5), 3: pytest.approx(5), 4: pytest.approx(-5), 5: 0.0}
    assert fit.quality == {1: pytest.approx(75), 2: pytest.approx(55), 3: 40.0}
    # Exhibits 1 and 2 give one degree of freedom each, and each spends it on its pair's difference.
    assert fit.residual_df == 0 and fit.residual_ms is None


def test_an_exhibit_scored_once_is_corrected_by_its_judges_offset():
    # Judge 3 is 10 harsh against judges 1 and 2 on exhibits 1-3, then alone scores exhibit 4 at 65.
    ratings = [sheet(e, j, 70 + e - (10 if j == 3 else 0)) for e in (1, 2, 3) for j in (1, 2, 3)]
    ratings.append(sheet(4, 3, 65))

    fit = judge_effects(ratings, shrinkage=0)

    # Offsets +10/3, +10/3, −20/3: exhibit 4 is worth 65 + 20/3 to a judge of offset 0.
    assert fit.offsets[3] == pytest.approx(-20 / 3, abs=1e-9)
    assert fit.quality[4] == pytest.approx(65 + 20 / 3, abs=1e-9)


def test_effects_method_ranks_by_the_fitted_quality():
    entries = [Entry(e, f"KT-{e:02d}", 0) for e in QUALITY]

    results = exhibit_results(EXACT, entries, method="effects", effects_shrinkage=0)
    ranked = rank(results, entries)

    assert [r.result.exhibit_id for r in ranked] == [3, 6, 1, 2, 5, 4]
    assert all(r.result.score == pytest.approx(QUALITY[r.result.exhibit_id], abs=1e-9) for r in ranked)
    assert all(r.result.effect == r.result.score for r in ranked)
    # The raw means are pulled by who judged: exhibit 2 (judges +1, −2) has 64.5, exhibit 4 (−3, +4) 55.5.
    means = {r.result.exhibit_id: r.result.mean for r in ranked}
    assert (means[2], means[4]) == (64.5, 55.5)


def test_bad_shrinkage_and_duplicates_are_refused():
    with pytest.raises(ValueError):
        judge_effects(EXACT, shrinkage=-1)
    with pytest.raises(ValueError):
        fit_effects([(1, 1, 80.0)], shrinkage=math.nan)
    with pytest.raises(ValueError):
        fit_effects([(1, 1, 80.0), (1, 1, 70.0)])


def kendall_tau(truth, estimate):
    """Kendall's τ-a between two scorings of the same exhibits."""
    concordant = discordant = 0
    for a, b in itertools.combinations(sorted(truth), 2):
        sign = (truth[a] - truth[b]) * (estimate[a] - estimate[b])
        concordant += sign > 0
        discordant += sign < 0
    pairs = len(truth) * (len(truth) - 1) / 2
    return (concordant - discordant) / pairs


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_with_topic_grouped_judges_effects_rank_better_than_z_scores(seed):
    # Judges 1-4 mostly see topic A (stronger), 5-8 topic B (weaker); every fourth exhibit has one
    # judge of the other topic. Per-judge z-scores take each judge's own set as the yardstick, so
    # they erase the topics' difference; the effects model compares judges on shared exhibits.
    rng = random.Random(seed)
    group_a, group_b = [1, 2, 3, 4], [5, 6, 7, 8]
    offsets = {j: rng.gauss(0, 5) for j in group_a + group_b}
    quality, ratings = {}, []
    for e in range(1, 41):
        own, other = (group_a, group_b) if e <= 20 else (group_b, group_a)
        quality[e] = rng.gauss(72 if e <= 20 else 58, 8)
        panel = rng.sample(own, 2) + [rng.choice(other)] if e % 4 == 0 else rng.sample(own, 3)
        ratings += [Rating(e, j, quality[e] + offsets[j] + rng.gauss(0, 4), ()) for j in panel]

    effects = kendall_tau(quality, judge_effects(ratings).quality)

    assert effects > kendall_tau(quality, normalised_scores(ratings, shrinkage=3)) + 0.05
    assert effects > kendall_tau(quality, normalised_scores(ratings, shrinkage=0)) + 0.05


# --- properties ----------------------------------------------------------------------------


@st.composite
def designs(draw):
    """Sheets of up to 8 exhibits by up to 5 judges (any pattern), totals 0-100."""
    pairs = [(e, j) for e in range(1, 9) for j in range(1, 6)]
    chosen = sorted(draw(st.sets(st.sampled_from(pairs), min_size=1, max_size=25)))
    return [(e, j, draw(st.floats(0, 100, allow_nan=False))) for e, j in chosen]


@settings(max_examples=150, deadline=None)
@given(designs(), st.floats(0, 10))
def test_offsets_sum_to_zero_in_every_group(observations, shrinkage):
    fit = fit_effects(observations, shrinkage)

    for group in fit.components:
        assert math.fsum(fit.offsets[j] for j in group) == pytest.approx(0, abs=1e-9)
    assert sorted(j for group in fit.components for j in group) == sorted({j for _, j, _ in observations})


@settings(max_examples=150, deadline=None)
@given(designs(), st.data())
def test_a_judges_own_constant_moves_only_their_offset(observations, data):
    # Without shrinkage the fit is exact in the offsets: adding d_j to every total of judge j adds
    # d_j − (mean of d over j's group) to j's offset and leaves the qualities' differences alone.
    judges = sorted({j for _, j, _ in observations})
    shifts = {j: data.draw(st.integers(-20, 20)) for j in judges}
    before = fit_effects(observations, 0)
    after = fit_effects([(e, j, x + shifts[j]) for e, j, x in observations], 0)

    for group in before.components:
        centre = statistics.mean(shifts[j] for j in group)
        for j in group:
            assert after.offsets[j] == pytest.approx(before.offsets[j] + shifts[j] - centre, abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(designs(), st.floats(0, 10))
def test_the_fit_does_not_depend_on_input_order(observations, shrinkage):
    assert fit_effects(observations[::-1], shrinkage) == fit_effects(observations, shrinkage)
