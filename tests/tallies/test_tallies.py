"""Tallies against target: the figures of a generated year equal plain SQL counts, quarters and targets follow
the programme's arithmetic, units are ranked in their emulation groups, and a unit sees only its own."""

import io
from datetime import date, datetime
from fractions import Fraction

import sqlalchemy as sa
from openpyxl import load_workbook

from festival.core.extensions import db
from festival.models import AuthorCategory, InitiativeField, Region, Role, Unit
from festival.tallies import services, tally
from festival.tallies.services import Period, default_target, percent_of, period_target
from festival.tallies.tally import UnitLine, rank_group
from tests import factories
from tests.tallies.conftest import GROUPS, YEAR, build_year

# The year in Hà Nội (UTC+7), as naive UTC: what a person would type into psql.
YEAR_STARTS, YEAR_ENDS = datetime(YEAR - 1, 12, 31, 17), datetime(YEAR, 12, 31, 17)

PLAIN_RECEIVED = sa.text(
    "SELECT unit_id, COUNT(*) FROM initiatives WHERE created_at >= :start AND created_at < :end GROUP BY unit_id"
).bindparams(sa.bindparam("start", type_=sa.DateTime), sa.bindparam("end", type_=sa.DateTime))
PLAIN_RECOGNISED = sa.text(
    "SELECT i.unit_id, COUNT(*), COALESCE(SUM(b.benefit_vnd), 0) FROM initiatives i "
    "LEFT JOIN initiative_benefits b ON b.initiative_id = i.id AND b.year_index = 1 "
    "WHERE i.state = 'recognised' AND i.decided_on >= :start AND i.decided_on < :end GROUP BY i.unit_id"
).bindparams(sa.bindparam("start", type_=sa.Date), sa.bindparam("end", type_=sa.Date))


def plain(start_day: date, end_day: date, start: datetime, end: datetime) -> dict[int, tuple[int, int, int]]:
    received = dict(db.session.execute(PLAIN_RECEIVED, {"start": start, "end": end}).all())
    recognised = {
        unit_id: (n, int(benefit))
        for unit_id, n, benefit in db.session.execute(PLAIN_RECOGNISED, {"start": start_day, "end": end_day}).all()
    }
    return {
        unit_id: (received.get(unit_id, 0), *recognised.get(unit_id, (0, 0)))
        for unit_id in received.keys() | recognised.keys()
    }


def test_a_years_figures_equal_a_plain_sql_count(ctx):
    units = build_year(5)
    expected = plain(date(YEAR, 1, 1), date(YEAR + 1, 1, 1), YEAR_STARTS, YEAR_ENDS)
    result = tally.tally(Period(YEAR), None)
    got = {line.unit.id: (line.received, line.recognised, line.benefit) for line in result.units}
    assert got == {unit.id: expected.get(unit.id, (0, 0, 0)) for unit in units}
    totals = tuple(sum(column) for column in zip(*expected.values()))
    assert (result.total.received, result.total.recognised, result.total.benefit) == totals
    # 4 + i entered in the year and one on its last evening; the one after midnight of 1 January is next year's.
    assert result.total.received == sum(4 + i + 1 for i in range(5))
    # Every breakdown adds up to the same total (an initiative counts once per field and region).
    for lines in (result.regions, result.fields, result.quarters):
        assert sum(line.received for line in lines) == result.total.received
        assert sum(line.recognised for line in lines) == result.total.recognised
        assert sum(line.benefit for line in lines) == result.total.benefit
    assert [line.label for line in result.fields] == [str(f.label) for f in InitiativeField]
    by_region = {line.label: line for line in result.regions}
    hanoi = [u.id for u in units if u.region is Region.HANOI]
    assert by_region[str(Region.HANOI.label)].recognised == sum(expected.get(u, (0, 0, 0))[1] for u in hanoi)


def test_author_categories_count_an_initiative_once_in_each_category_of_its_authors(ctx):
    build_year(3)
    rows = db.session.execute(
        sa.text(
            "SELECT a.category, COUNT(DISTINCT i.id) FROM initiatives i JOIN initiative_authors a "
            "ON a.initiative_id = i.id WHERE i.state = 'recognised' AND i.decided_on >= :start "
            "AND i.decided_on < :end GROUP BY a.category"
        ),
        {"start": date(YEAR, 1, 1), "end": date(YEAR + 1, 1, 1)},
    ).all()
    result = tally.tally(Period(YEAR), None)
    labels = {str(c.label): c.value for c in AuthorCategory}
    assert {labels[line.label]: line.recognised for line in result.categories if line.recognised} == dict(rows)


def test_a_quarter_is_counted_from_january_against_its_share_of_the_years_target(ctx):
    units = build_year(4)
    expected = plain(date(YEAR, 1, 1), date(YEAR, 7, 1), YEAR_STARTS, datetime(YEAR, 6, 30, 17))
    result = tally.tally(Period(YEAR, 2), None)
    for line in result.units:
        assert (line.received, line.recognised, line.benefit) == expected.get(line.unit.id, (0, 0, 0))
        if line.year_target:
            assert line.target == Fraction(line.year_target * 2, 4)
            assert line.percent == Fraction(line.recognised * 100 * 4, line.year_target * 2)
        else:
            assert line.target is None and line.percent is None
    assert units[-1].id in {line.unit.id for line in result.units if line.year_target is None}
    quarters = tally.tally(Period(YEAR), None).quarters
    assert quarters[1].cumulative == result.total.recognised
    assert quarters[1].target == result.total.target


def test_quarter_and_target_arithmetic():
    assert [default_target(m) for m in (0, 1, 10, 11, 95, 100, 101)] == [0, 1, 1, 2, 10, 10, 11]
    assert period_target(7, 1) == Fraction(7, 4) and period_target(7, 4) == 7 and period_target(10, 2) == 5
    assert percent_of(3, Fraction(7, 4)) == Fraction(1200, 7)  # 171.4 %
    assert percent_of(3, 0) is None and percent_of(3, None) is None
    assert Period(YEAR, 3).ends_before == date(YEAR, 10, 1) and Period(YEAR).ends_before == date(YEAR + 1, 1, 1)
    assert Period(YEAR, 1).quarters_elapsed == 1 and Period(YEAR).quarters_elapsed == 4


def _line(code, recognised, target):
    unit = Unit(code=code, name=code, short_name=code, region=Region.HANOI)
    return UnitLine(code, recognised=recognised, target=Fraction(target) if target else None, unit=unit)


def test_ranking_shares_a_rank_on_equal_percentages_and_leaves_units_without_target_unranked():
    ranked = rank_group([_line("A", 2, 4), _line("B", 5, 5), _line("C", 4, 8), _line("D", 9, None), _line("E", 1, 1)])
    assert [(line.unit.code, line.rank) for line in ranked] == [("B", 1), ("E", 1), ("C", 3), ("A", 3), ("D", None)]


def test_ranking_within_each_emulation_group_by_percent_of_target(ctx):
    build_year(5)
    result = tally.tally(Period(YEAR), None)
    assert [name for name, _lines in result.groups] == sorted(GROUPS)
    for name, lines in result.groups:
        assert {line.group for line in lines} == {name}
        percents = [line.percent for line in lines]
        assert percents == sorted(percents, reverse=True)
        assert lines[0].rank == 1
    assert not any(line.unit.code == "U04" for _name, lines in result.groups for line in lines)  # no target


def _sign_in(app, role, unit_id=None, email=None):
    with app.app_context():
        user = factories.make_user(role, unit=db.session.get(Unit, unit_id) if unit_id else None, email=email)
        db.session.commit()
        email = user.email
    client = app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302
    return client


def test_a_unit_sees_its_own_figures_and_its_groups_ranking_only(app):
    with app.app_context():
        own = build_year(4)[0].id
    client = _sign_in(app, Role.SUPPORT, own)
    page = client.get(f"/programme/tallies?year={YEAR}").get_data(as_text=True)
    assert "(U00)" in page and "(U02)" in page  # U02 is in U00's group: the ranking shows it
    assert "(U01)" not in page and "(U03)" not in page and GROUPS[1] not in page
    workbook = load_workbook(io.BytesIO(client.get(f"/programme/tallies.xlsx?year={YEAR}").data))
    assert [row[0] for row in workbook["Theo đơn vị"].iter_rows(min_row=2, values_only=True)] == ["U00"]
    with app.app_context():
        mine = tally.tally(Period(YEAR), [own])
    assert [line.unit.code for line in mine.units] == ["U00"]


def test_the_organizers_page_and_spreadsheet_show_every_unit_and_the_quarter_rule(app):
    with app.app_context():
        build_year(3)
    client = _sign_in(app, Role.ORGANIZER)
    page = client.get(f"/programme/tallies?year={YEAR}&quarter=2").get_data(as_text=True)
    assert "lũy kế đến hết quý II" in page and "chỉ tiêu năm × số quý đã qua ÷ 4" in page
    assert all(f"(U0{i})" in page for i in range(3))
    assert f"Chưa có chỉ tiêu năm {YEAR}: U02 (U02)." in page  # the last unit has none
    response = client.get(f"/programme/tallies.xlsx?year={YEAR}&quarter=2")
    assert response.headers["Content-Disposition"].endswith(f"thong-ke-sang-kien-{YEAR}-quy-2.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames[:3] == ["Theo đơn vị", "Xếp hạng", "Theo khu vực"]
    with app.app_context():
        expected = tally.tally(Period(YEAR, 2), None)
    rows = list(workbook["Theo đơn vị"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[6], r[7], r[8]) for r in rows] == [
        (line.unit.code, line.received, line.recognised, line.benefit) for line in expected.units
    ]


def test_people_outside_the_programme_are_refused(app, people, client, login_as):
    assert client.get("/programme/tallies").headers["Location"].startswith("/auth/login")
    for role in ("judge", "checkin"):
        client.post("/auth/logout")
        assert login_as(role).get("/programme/tallies").status_code == 403
        assert client.get("/programme/portal.xlsx").status_code == 403


def test_years_list_the_register_and_targets_and_this_year(ctx):
    build_year(2)
    years = services.programme_years(None)
    assert {YEAR - 1, YEAR, YEAR + 1} <= set(years) and years == sorted(years, reverse=True)
