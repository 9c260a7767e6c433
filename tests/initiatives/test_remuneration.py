"""The remuneration rules of Nghị định 13/2012/NĐ-CP Art. 10, the split by shares and the certificate's bars,
each worked by hand."""

import pytest

from festival.initiatives import remuneration
from festival.initiatives.remuneration import Bars, Proposal


def test_a_years_benefit_asks_at_least_seven_percent():
    # 7 % of 250.000.000 = 17.500.000
    assert remuneration.propose_for_year(250_000_000, 2_340_000) == Proposal(17_500_000, "benefit")


def test_seven_percent_is_rounded_up_to_the_next_dong():
    # 7 % of 1.234.567 = 86.419,69: "at least" means 86.420
    assert remuneration.propose_for_year(1_234_567, 2_340_000).amount == 86_420


def test_a_benefit_that_cannot_be_computed_asks_five_minimum_wages():
    # 5 × 2.340.000 = 11.700.000
    assert remuneration.propose_for_year(None, 2_340_000) == Proposal(11_700_000, "minimum_wage")


def test_a_transfer_asks_fifteen_percent_of_the_price():
    # 15 % of 300.000.000 = 45.000.000; 15 % of 1.000.003 = 150.000,45 → 150.001
    assert remuneration.propose_for_transfer(300_000_000) == Proposal(45_000_000, "transfer")
    assert remuneration.propose_for_transfer(1_000_003).amount == 150_001


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        remuneration.propose_for_year(-1, 2_340_000)
    with pytest.raises(ValueError):
        remuneration.propose_for_transfer(-5)


def test_an_even_split_follows_the_shares():
    assert remuneration.split_by_shares(10_000_000, [50, 30, 20]) == [5_000_000, 3_000_000, 2_000_000]


def test_the_dong_left_over_goes_to_the_largest_remainder():
    # 17.500.001 × 60 % = 10.500.000,6 and × 40 % = 7.000.000,4: the one đồng left goes to the first
    assert remuneration.split_by_shares(17_500_001, [60, 40]) == [10_500_001, 7_000_000]
    # 10 × 33 % = 3,3 / 3,3 / 10 × 34 % = 3,4: the last has the largest remainder
    assert remuneration.split_by_shares(10, [33, 33, 34]) == [3, 3, 4]


def test_equal_remainders_favour_the_earlier_author_and_the_parts_add_up():
    # 100 in three equal shares: 33,33 each; the one đồng left goes to the first
    assert remuneration.split_by_shares(100, [1, 1, 1]) == [34, 33, 33]
    parts = remuneration.split_by_shares(11_700_000, [45, 35, 20])
    assert parts == [5_265_000, 4_095_000, 2_340_000] and sum(parts) == 11_700_000


def test_shares_that_do_not_add_up_to_a_hundred_split_the_whole_amount():
    # 50 : 30 of 1.000 → 625 and 375
    assert remuneration.split_by_shares(1_000, [50, 30]) == [625, 375]


def test_no_share_to_split_by_is_refused():
    with pytest.raises(ValueError):
        remuneration.split_by_shares(1_000, [0, 0])
    with pytest.raises(ValueError):
        remuneration.split_by_shares(1_000, [])


def test_a_share_weighted_benefit_is_rounded_down():
    # 35 % of 1.000.001 = 350.000,35 → 350.000
    assert remuneration.weighted(1_000_001, 35) == 350_000


BARS = Bars(worker=80_000_000, worker_three_years=120_000_000, graduate=150_000_000, manager=200_000_000)


def test_a_worker_reaches_the_bar_in_one_year():
    assert remuneration.certificate_reason("worker", {2024: 80_000_000}, BARS) == "year"
    assert remuneration.certificate_reason("worker", {2024: 79_999_999}, BARS) is None


def test_a_worker_reaches_the_bar_over_three_consecutive_years():
    # 50 + 40 + 30 = 120 million in 2023–2025, no single year reaching 80
    by_year = {2023: 50_000_000, 2024: 40_000_000, 2025: 30_000_000}
    assert remuneration.best_three_years(by_year) == (2023, 120_000_000)
    assert remuneration.certificate_reason("worker", by_year, BARS) == "three_years"
    # the same amounts with a gap year: 2022–2024 hold 90 million, 2023–2025 40 + 30 = 70
    gapped = {2022: 50_000_000, 2024: 40_000_000, 2025: 30_000_000}
    assert remuneration.best_three_years(gapped) == (2022, 90_000_000)
    assert remuneration.certificate_reason("worker", gapped, BARS) is None


def test_graduates_and_managers_have_their_own_bars_and_no_three_year_route():
    by_year = {2023: 50_000_000, 2024: 40_000_000, 2025: 30_000_000}
    assert remuneration.certificate_reason("graduate", by_year, BARS) is None
    assert remuneration.certificate_reason("graduate", {2025: 150_000_000}, BARS) == "year"
    assert remuneration.certificate_reason("manager", {2025: 160_000_000}, BARS) is None
    assert remuneration.certificate_reason("manager", {2025: 200_000_000}, BARS) == "year"
