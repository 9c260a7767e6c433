"""Cell values as lists store them: money with units and words, years from dates, dates, people with their
job titles, phone numbers Excel mangled, and units or categories found by code or name."""

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from festival.badges.services import clean_phone
from festival.spreadsheets import Lookup, Noted, read_date, read_money, read_people, read_year, single_spaced


def value_of(result):
    return result.value if isinstance(result, Noted) else result


@pytest.mark.parametrize(
    "cell, scale, amount",
    [
        (1_500_000_000, 1, 1_500_000_000),
        (1500000000.0, 1, 1_500_000_000),
        ("1.500.000.000", 1, 1_500_000_000),
        ("1.500.000.000 đ", 1, 1_500_000_000),
        ("1.500.000.000đ", 1, 1_500_000_000),
        ("1.500.000.000 VNĐ", 1, 1_500_000_000),
        ("1,500,000 vnd", 1, 1_500_000),
        ("150.000.000 đồng/năm", 1, 150_000_000),
        (150, 1_000_000, 150_000_000),  # a header saying "triệu đồng"
        (1.5, 1_000_000, 1_500_000),
        ("1,5", 1_000_000, 1_500_000),
        ("2.500.000", 1_000, 2_500_000_000),
        (0, 1, 0),
    ],
)
def test_money_as_numbers_text_and_header_units(cell, scale, amount):
    assert read_money(cell, scale) == amount


@pytest.mark.parametrize(
    "cell, amount",
    [
        ("1,5 tỷ", 1_500_000_000),
        ("1,5 tỷ đồng", 1_500_000_000),
        ("1 tỷ 200 triệu", 1_200_000_000),
        ("85 triệu", 85_000_000),
        ("85tr", 85_000_000),
        ("200 nghìn", 200_000),
        ("1.500 triệu", 1_500_000_000),  # a dot before three digits groups thousands
        ("2 tỉ", 2_000_000_000),
    ],
)
def test_money_in_words_is_read_and_noted(app, cell, amount):
    with app.app_context():
        result = read_money(cell)
        assert isinstance(result, Noted) and result.value == amount
        assert str(result.note).startswith(f"“{cell}” đọc là ")


@pytest.mark.parametrize(
    "cell, scale, words",
    [
        ("khoảng 85 triệu", 1, "Số tiền không hợp lệ"),
        ("trên 1 tỷ", 1, "Số tiền không hợp lệ"),
        ("85 triệu/tháng", 1, "Số tiền không hợp lệ"),
        ("-5", 1, "không được âm"),
        (-5, 1, "không được âm"),
        (1500.5, 1, "phần lẻ"),
        ("1,500", 1_000_000, "không rõ là 1,5 hay 1500 triệu đồng"),
        (datetime(2021, 3, 15), 1, "ngày tháng"),
        (True, 1, "ngày tháng hoặc đúng/sai"),
        ("10" * 10, 1, "quá lớn"),
    ],
)
def test_money_that_is_not_one_amount_is_refused_clearly(app, cell, scale, words):
    with app.app_context():
        with pytest.raises(ValueError) as error:
            read_money(cell, scale)
        assert words in str(error.value.args[0])


@pytest.mark.parametrize(
    "cell, year, noted",
    [
        (2021, 2021, False),
        (2021.0, 2021, False),
        ("2021", 2021, False),
        (datetime(2021, 3, 15), 2021, True),
        (date(2021, 3, 15), 2021, True),
        ("15/03/2021", 2021, True),
        ("03/2021", 2021, True),
        ("2021-03-15 00:00:00", 2021, True),
        ("Năm 2021", 2021, True),
        ("tháng 3/2021", 2021, True),
    ],
)
def test_a_year_from_a_number_text_or_a_date(app, cell, year, noted):
    with app.app_context():
        result = read_year(cell)
        assert value_of(result) == year and isinstance(result, Noted) is noted


@pytest.mark.parametrize("cell", ["1890", 3000, "2019-2021", "hai nghìn", "21"])
def test_a_year_that_is_not_one_plausible_year_is_refused(app, cell):
    with app.app_context():
        with pytest.raises(ValueError, match="Năm không hợp lệ"):
            read_year(cell)


@pytest.mark.parametrize(
    "cell, day",
    [
        (datetime(2025, 6, 15, 8, 30), date(2025, 6, 15)),
        (date(2025, 6, 15), date(2025, 6, 15)),
        ("15/06/2025", date(2025, 6, 15)),
        ("5/6/2025", date(2025, 6, 5)),
        ("15-06-2025", date(2025, 6, 15)),
        ("15.06.2025", date(2025, 6, 15)),
        ("2025-06-15", date(2025, 6, 15)),
    ],
)
def test_dates_as_date_cells_or_dd_mm_yyyy(cell, day):
    assert read_date(cell) == day


@pytest.mark.parametrize("cell", ["31/02/2025", "06/15/2025x", "mười lăm tháng sáu"])
def test_a_date_that_cannot_be_read_is_refused(app, cell):
    with app.app_context():
        with pytest.raises(ValueError, match="dd/mm/yyyy"):
            read_date(cell)


@pytest.mark.parametrize(
    "cell, people",
    [
        (
            "Nguyễn Văn An (Tổ trưởng); Trần Thị Bình (Kỹ thuật)",
            [("Nguyễn Văn An", "Tổ trưởng"), ("Trần Thị Bình", "Kỹ thuật")],
        ),
        ("Nguyễn Văn An, Trần Thị Bình", [("Nguyễn Văn An", ""), ("Trần Thị Bình", "")]),
        ("Nguyễn Văn An\nTrần Thị Bình", [("Nguyễn Văn An", ""), ("Trần Thị Bình", "")]),
        ("Nguyễn Văn An - Tổ trưởng tổ may", [("Nguyễn Văn An", "Tổ trưởng tổ may")]),
        ("Nguyễn Văn An – Kỹ sư", [("Nguyễn Văn An", "Kỹ sư")]),
        ("Nguyễn  Văn   An ( Tổ   trưởng )", [("Nguyễn Văn An", "Tổ trưởng")]),
        ("1. Nguyễn Văn An\n2. Trần Thị Bình", [("Nguyễn Văn An", ""), ("Trần Thị Bình", "")]),
        ("- Nguyễn Văn An\n- Trần Thị Bình", [("Nguyễn Văn An", ""), ("Trần Thị Bình", "")]),
        ("Nguyễn Văn An (Tổ trưởng, tổ may 1)", [("Nguyễn Văn An", "Tổ trưởng, tổ may 1")]),
        ("Lê Thị Hoa-Mai", [("Lê Thị Hoa-Mai", "")]),  # a dash without spaces is part of the name
    ],
)
def test_people_are_split_on_separators_and_their_job_titles_kept_apart(cell, people):
    found, _notes = read_people(cell)
    assert [(person.name, person.job) for person in found] == people


def test_a_job_title_after_a_comma_belongs_to_the_person_before_it(app):
    with app.app_context():
        found, notes = read_people("Nguyễn Văn An, Tổ trưởng; Trần Thị Bình, Kỹ sư công nghệ")
        read = [(p.name, p.job) for p in found]
        assert read == [("Nguyễn Văn An", "Tổ trưởng"), ("Trần Thị Bình", "Kỹ sư công nghệ")]
        assert [str(note) for note in notes] == [
            "“Tổ trưởng” đọc là chức danh của Nguyễn Văn An.",
            "“Kỹ sư công nghệ” đọc là chức danh của Trần Thị Bình.",
        ]


@given(st.lists(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBĐ áàảãạ", min_size=1), min_size=1, max_size=6))
def test_names_come_back_single_spaced_and_nfc(names):
    found, _notes = read_people("; ".join(names))
    for person in found:
        assert person.name == single_spaced(person.name) and "  " not in person.name


@pytest.mark.parametrize(
    "cell, phone",
    [
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("0912-345-678", "0912345678"),
        (912345678, "0912345678"),  # Excel kept it as a number and dropped the 0
        (912345678.0, "0912345678"),
        (2438257700, "02438257700"),  # a landline, 024 3825 7700, typed as a number
        ("(024) 3825 7700", "02438257700"),
        ("+84 912 345 678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("842438257700", "02438257700"),
        ("0084 912 345 678", "0912345678"),
        ("'0912345678", "0912345678"),
        (None, None),
        ("", None),
    ],
)
def test_phone_numbers_get_their_leading_zero_and_lose_their_country_code(cell, phone):
    assert clean_phone(cell) == phone


@pytest.mark.parametrize(
    "cell, words",
    [
        ("9.12346E+08", "số mũ"),
        ("0912345678 / 0243825770", "một số điện thoại"),
        ("0912345678; 0987654321", "một số điện thoại"),
        ("12345", "không hợp lệ"),
        ("0912 345 678 máy lẻ 12", "không hợp lệ"),
    ],
)
def test_phone_numbers_that_cannot_be_one_number_are_refused(app, cell, words):
    with app.app_context():
        with pytest.raises(ValueError) as error:
            clean_phone(cell)
        assert words in str(error.value.args[0])


class Unit:
    def __init__(self, code, short_name, name):
        self.code, self.short_name, self.name = code, short_name, name


UNITS = [
    Unit("MAY10", "May 10", "Tổng Công ty May 10 – CTCP"),
    Unit("DUCGIANG", "Đức Giang", "Tổng Công ty Đức Giang – CTCP"),
    Unit("VIETTIEN", "Việt Tiến", "Tổng Công ty CP May Việt Tiến"),
    Unit("VIETTHANG", "Việt Thắng", "Công ty CP Việt Thắng"),
]


@pytest.mark.parametrize(
    "text, code",
    [
        ("MAY10", "MAY10"),
        ("may10", "MAY10"),
        ("May 10", "MAY10"),
        ("MAY 10", "MAY10"),
        ("Tổng Công ty May 10 – CTCP", "MAY10"),
        ("Tổng công ty May 10 - CTCP", "MAY10"),
        ("Cty May 10", "MAY10"),
        ("TCT May 10", "MAY10"),
        ("duc giang", "DUCGIANG"),
        ("Việt Tiến", "VIETTIEN"),
    ],
)
def test_units_are_found_by_code_short_or_full_name_accents_ignored(text, code):
    found, candidates = Lookup(UNITS, lambda unit: (unit.code, unit.short_name, unit.name)).find(text)
    assert found.code == code and candidates == []


def test_a_name_shared_by_several_records_is_not_guessed():
    units = [*UNITS, Unit("MAY10B", "May 10", "Công ty May 10 Bắc Giang")]
    found, candidates = Lookup(units, lambda unit: (unit.code, unit.short_name, unit.name)).find("May 10")
    assert found is None and {unit.code for unit in candidates} == {"MAY10", "MAY10B"}
    assert Lookup(UNITS, lambda unit: (unit.code,)).find("Hà Nội") == (None, [])
