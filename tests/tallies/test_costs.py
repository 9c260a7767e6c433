"""The tallies, targets and portal pages cost the same number of SQL statements whatever the number of units:
every figure is a GROUP BY, never a query per unit (counted with tests/sql.py)."""

import sqlalchemy as sa

from festival.core.extensions import db
from festival.models import Role, Unit
from tests import factories
from tests.conftest import empty_tables, make_app
from tests.sql import statements_sent
from tests.tallies.conftest import YEAR, build_year

PERIOD = f"date_from={YEAR}-01-01&date_to={YEAR}-12-31"
PAGES = {
    "organizer": [
        f"/programme/tallies?year={YEAR}",
        f"/programme/tallies?year={YEAR}&quarter=2",
        f"/programme/tallies.xlsx?year={YEAR}",
        f"/programme/targets?year={YEAR}",
        f"/programme/portal?{PERIOD}",
        f"/programme/portal.xlsx?{PERIOD}",
    ],
    "support": [f"/programme/tallies?year={YEAR}", f"/programme/portal.xlsx?{PERIOD}"],
}


def statements_per_page(app) -> dict[str, int]:
    with app.app_context():
        engine = db.engine
    counts = {}
    for who, urls in PAGES.items():
        client = app.test_client()
        client.post("/auth/login", data={"email": f"{who}@example.vn", "password": factories.PASSWORD})
        for url in urls:
            with statements_sent(engine) as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            counts[f"{who} {url}"] = len(statements)
    return counts


def counts_at(tmp_path, n: int) -> dict[str, int]:
    (tmp_path / f"size-{n}").mkdir()
    app = make_app(tmp_path / f"size-{n}")
    with app.app_context():
        build_year(n)
        factories.make_user(Role.ORGANIZER, email="organizer@example.vn")
        unit = db.session.execute(sa.select(Unit).where(Unit.code == "U00")).scalar_one()
        factories.make_user(Role.SUPPORT, unit=unit, email="support@example.vn")
        db.session.commit()
    counts = statements_per_page(app)
    with app.app_context():
        empty_tables()
    return counts


def test_the_programme_pages_cost_the_same_statements_at_three_times_the_units(tmp_path):
    small, large = counts_at(tmp_path, 3), counts_at(tmp_path, 9)
    assert small == large, (small, large)
    assert max(small.values()) <= 25, small
