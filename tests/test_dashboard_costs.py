"""Dashboards cost the same number of SQL statements whatever the festival's size: the control board, the
check-in dashboard, the progress page and the vote tally are read in aggregates, never one query per judge,
exhibit or attendee (issue 29). Each is counted on a small festival and on one three times as large."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from festival.checkin import services as checkin
from festival.core.extensions import db
from festival.judging import control, panels, rubrics, scoring
from festival.models import (
    CheckIn,
    CriterionKind,
    ExhibitStatus,
    Region,
    Role,
    ScanResult,
    ScoreSheet,
    UserSession,
    Vote,
    VotePolicy,
    VoteSource,
    utcnow,
)
from tests import factories
from tests.conftest import ON_POSTGRES, empty_tables, make_app
from tests.judging.conftest import rubric_inputs
from tests.sql import statements_sent
from tests.voting.conftest import make_attendee

DASHBOARDS = ["/judging/control", "/judging/control/board", "/checkin/dashboard", "/judging/progress", "/vote/tally"]


def build(n: int) -> None:
    """A festival of n units: 4n accepted exhibits in two categories, n + 2 judges (two sheets an exhibit, a
    third saved, a third submitted, a stand reported empty, devices reporting), 10n attendees (half arrived,
    some twice through offline gates, a refused scan) and votes from phones."""
    now = utcnow()
    festival = factories.make_festival()
    organizer = factories.make_user(Role.ORGANIZER, email="organizer@example.vn")
    categories = [
        factories.make_category(festival),
        factories.make_category(festival, code="QL", name_vi="Quản lý", name_en="Management"),
    ]
    units = [factories.make_unit(f"U{i}", region=list(Region)[i % len(Region)]) for i in range(n)]
    rubric = rubrics.save_rubric(festival, None, rubric_inputs(), by=organizer)
    judges = [
        factories.make_user(Role.JUDGE, email=f"judge{i}@example.vn", full_name=f"Giám khảo {i}") for i in range(n + 2)
    ]
    exhibits = [
        factories.make_exhibit(
            festival,
            units[i % n],
            categories[i % 2],
            status=ExhibitStatus.ACCEPTED,
            code=f"SK-{i:03}",
            booth=str(i + 1),
            title=f"Sáng kiến {i}",
        )
        for i in range(4 * n)
    ]
    panels.set_panels(festival, {(c.id, j.id) for c in categories for j in judges}, by=organizer)
    panels.assign_judges(festival, 2, by=organizer)
    db.session.commit()
    criteria = [c for c in rubric.criteria]
    sheets = db.session.execute(sa.select(ScoreSheet).order_by(ScoreSheet.id)).scalars().all()
    for i, sheet in enumerate(sheets):
        if i % 3 == 2:
            continue
        data = scoring.SheetInput(
            client_id="tablet",
            seq=1,
            points={c.id: Decimal(c.max_points) for c in criteria if c.kind is CriterionKind.POINTS},
            answers={c.id: True for c in criteria if c.kind is CriterionKind.YES_NO},
            comment="Tốt",
        )
        if i % 3 == 0:
            scoring.save_sheet(sheet, sheet.judge, data, now)
        else:
            scoring.submit_sheet(sheet, sheet.judge, data, now)
    untouched = next(s for i, s in enumerate(sheets) if i % 3 == 2)
    control.report_unattended(untouched, untouched.judge, now)
    for judge in judges[:2]:
        db.session.add(
            UserSession(
                user=judge,
                token_hash=f"{judge.id:064}",
                expires_at=now + timedelta(hours=8),
                last_report_at=now,
                pending_changes=1,
            )
        )
    staff = factories.make_user(Role.CHECKIN, email="gate@example.vn")
    attendees = [
        make_attendee(festival, f"Người {i}", ["guest", "delegate"][i % 2], units[i % n], checked_in=False)
        for i in range(10 * n)
    ]
    db.session.flush()
    for i, attendee in enumerate(attendees[: 5 * n]):
        checkin.record_scan(festival, attendee.badge_token, staff, "Cổng 1", f"scan-{i}", now - timedelta(minutes=i))
    checkin.record_scan(festival, "no such badge", staff, "Cổng 1", "refused", now)
    for i, attendee in enumerate(attendees[5 * n : 6 * n]):  # let in at two gates that had lost the network
        for gate in ("Cổng 2", "Cổng 3"):
            db.session.add(
                CheckIn(
                    festival_id=festival.id,
                    attendee=attendee,
                    gate=gate,
                    result=ScanResult.ALREADY,
                    shown=ScanResult.CHECKED_IN,
                    offline=True,
                    nonce=f"offline-{gate}-{i}",
                    scanned_at=now - timedelta(minutes=i),
                )
            )
    db.session.add(
        VotePolicy(
            festival=festival,
            is_enabled=True,
            opens_at=now - timedelta(hours=2),
            closes_at=now - timedelta(minutes=1),
            voter_roles=["delegate", "guest"],
            per_category=True,
            own_unit_allowed=True,
            winners=1,
            unlock_reason="",
        )
    )
    for i, attendee in enumerate(attendees[: 5 * n]):
        exhibit = exhibits[i % len(exhibits)]
        db.session.add(
            Vote(
                festival_id=festival.id,
                attendee=attendee,
                badge_token=attendee.badge_token,
                slot=exhibit.category_id,
                exhibit=exhibit,
                source=VoteSource.PHONE,
                address="10.0.0.1",
                cast_at=now - timedelta(minutes=i),
            )
        )
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 7 * n + 1


def statements_per_page(app) -> dict[str, int]:
    client = app.test_client()
    client.post("/auth/login", data={"email": "organizer@example.vn", "password": factories.PASSWORD})
    with app.app_context():
        engine = db.engine
    counts = {}
    for url in DASHBOARDS:
        with statements_sent(engine) as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(statements)
    return counts


def counts_at(tmp_path, n: int) -> dict[str, int]:
    (tmp_path / f"size-{n}").mkdir()
    app = make_app(tmp_path / f"size-{n}")
    with app.app_context():
        build(n)
    counts = statements_per_page(app)
    with app.app_context():
        empty_tables()
    return counts


def test_every_dashboard_costs_the_same_statements_at_three_times_the_size(tmp_path):
    small, large = counts_at(tmp_path, 2), counts_at(tmp_path, 6)
    assert small == large, (small, large)
    assert max(small.values()) <= 20, small


@pytest.mark.skipif(ON_POSTGRES, reason="PostgreSQL plans by its statistics: a test's few rows are read whole")
def test_the_check_in_dashboards_counts_read_the_attendees_indexes_alone(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        build(2)
        engine = db.engine
    client = app.test_client()
    client.post("/auth/login", data={"email": "organizer@example.vn", "password": factories.PASSWORD})
    sent = []

    def record(conn, cursor, statement, parameters, *args):
        sent.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/checkin/dashboard/board").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    counts = [(statement, parameters) for statement, parameters in sent if "FROM attendees" in statement]
    assert len(counts) == 2  # by role, unit and organisation; arrivals per quarter-hour
    with engine.connect() as connection:
        plans = [
            " / ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
            for statement, parameters in counts
        ]
    assert "attendees USING COVERING INDEX ix_attendees_festival_id_groups (festival_id=?)" in plans[0], plans
    assert "attendees USING COVERING INDEX ix_attendees_festival_id_checked_in_at (festival_id=? AND" in plans[1], plans
    with app.app_context():
        empty_tables()
