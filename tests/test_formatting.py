"""Money, dates and accent folding in the festival's formats."""

from datetime import date, datetime, timezone

import pytest

from festival.util.formatting import (
    fold,
    format_date,
    format_datetime,
    format_gate,
    format_vnd,
    local_to_utc,
    parse_vnd,
    utc_to_local,
)


def test_money_is_written_with_dots_and_dong_sign():
    assert format_vnd(1500000) == "1.500.000 ₫"
    assert format_vnd(0) == "0 ₫"
    assert format_vnd(None) == "—"


@pytest.mark.parametrize(
    "typed, value",
    [
        ("1.500.000.000", 1_500_000_000),
        ("1500000000", 1_500_000_000),
        ("1,500,000", 1_500_000),
        (" 85.000.000 đ ", 85_000_000),
        ("40 000 000 ₫", 40_000_000),
        ("15000000 VND", 15_000_000),
        ("0", 0),
        (2500000, 2_500_000),
        (2500000.0, 2_500_000),
    ],
)
def test_amounts_are_read_as_people_type_them(typed, value, app):
    with app.app_context():
        assert parse_vnd(typed) == value


@pytest.mark.parametrize(
    "typed", ["", "abc", "-5", "1.5", "1.500,50", "1.50.000", "12,5", 1.5, "1e9", "١٢٣", True, "10000000000000000"]
)
def test_bad_amounts_are_refused_with_a_message(typed, app):
    with app.test_request_context():
        with pytest.raises(ValueError) as error:
            parse_vnd(typed)
        assert str(error.value.args[0])


def test_dates_are_dd_mm_yyyy_in_the_festival_time_zone(app):
    with app.test_request_context():
        assert format_date(date(2022, 6, 5)) == "05/06/2022"
        moment = datetime(2022, 6, 14, 18, 30, tzinfo=timezone.utc)  # 01:30 on the 15th in Hà Nội
        assert format_datetime(moment) == "15/06/2022 01:30"
        assert format_date(moment) == "15/06/2022"


def test_local_times_round_trip_through_utc(app):
    with app.app_context():
        typed = datetime(2022, 6, 15, 8, 0)
        stored = local_to_utc(typed)
        assert stored == datetime(2022, 6, 15, 1, 0, tzinfo=timezone.utc)
        assert utc_to_local(stored) == typed


def test_fold_ignores_accents_case_and_spacing():
    assert fold("Nguyễn Thị  Hằng") == "nguyen thi hang"
    assert fold("ĐỨC GIANG") == "duc giang"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Cổng chính", "Cổng chính"),
        ("cổng 2", "cổng 2"),
        ("CONG B", "CONG B"),
        ("2", "cổng 2"),
        ("Sảnh A", "cổng Sảnh A"),
    ],
)
def test_a_gate_is_named_once_in_a_sentence(typed, shown, app):
    with app.test_request_context():
        assert format_gate(typed) == shown
