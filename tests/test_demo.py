"""The demo festival loader."""

from festival import demo
from festival.core.extensions import db
from festival.judging import defences, panels, rounds
from festival.models import (
    Attendee,
    AttendeeSource,
    BoothSheet,
    Defence,
    Exhibit,
    ExhibitStatus,
    Festival,
    Initiative,
    InitiativeSource,
    InitiativeState,
    ProductionTeam,
    Role,
    Rubric,
    ScoreSheet,
    SheetStatus,
    Unit,
    UnitTarget,
    User,
    utcnow,
)


def table_counts():
    return {
        table.name: db.session.execute(db.select(db.func.count()).select_from(table)).scalar()
        for table in db.metadata.sorted_tables
    }


def test_demo_loads_the_third_festival_with_accounts(app, runner):
    result = runner.invoke(args=["festival", "demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        festival = db.session.execute(db.select(Festival)).scalar_one()
        assert festival.edition == 3 and festival.is_current
        assert festival.venue == "Trường Đại học Công nghiệp Dệt May Hà Nội"
        assert festival.programme
        assert db.session.scalar(db.select(db.func.count()).select_from(Unit)) == 16
        roles = {user.role for user in db.session.execute(db.select(User)).scalars()}
        assert roles == set(Role)
        judge = db.session.execute(db.select(User).where(User.email == "judge1@festival.example.vn")).scalar_one()
        assert judge.unit.code == "HUNGYEN"


def test_demo_windows_are_open_on_the_day_it_is_loaded(app, runner):
    runner.invoke(args=["festival", "demo"])
    with app.app_context():
        festival = db.session.execute(db.select(Festival)).scalar_one()
        assert festival.is_registration_open(utcnow())
        assert festival.judging_opens_at <= utcnow() < festival.judging_closes_at


def test_demo_twice_changes_nothing_the_second_time(app, runner):
    runner.invoke(args=["festival", "demo"])
    with app.app_context():
        first = table_counts()
        snapshot = [(u.email, u.password_hash) for u in db.session.execute(db.select(User).order_by(User.id)).scalars()]
    result = runner.invoke(args=["festival", "demo"])
    assert result.exit_code == 0
    assert "festival: 0, units: 0, users: 0" in result.output
    with app.app_context():
        assert table_counts() == first
        assert [
            (u.email, u.password_hash) for u in db.session.execute(db.select(User).order_by(User.id)).scalars()
        ] == snapshot


def test_demo_if_empty_skips_a_database_with_data(app, runner, people):
    result = runner.invoke(args=["festival", "demo", "--if-empty"])
    assert "demo not loaded" in result.output
    with app.app_context():
        assert db.session.execute(db.select(Festival).where(Festival.edition == demo.DEMO_EDITION)).first() is None


def test_demo_accounts_can_sign_in(app, runner, client):
    runner.invoke(args=["festival", "demo"])
    for email, _name, _role, _unit in demo.demo_accounts():
        response = client.post("/auth/login", data={"email": email, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, email
        client.post("/auth/logout")


def test_demo_has_59_exhibits_in_every_state(app, runner):
    runner.invoke(args=["festival", "demo"])
    with app.app_context():
        exhibits = db.session.execute(db.select(Exhibit)).scalars().all()
        assert len(exhibits) == 59
        by_status = {status: [e for e in exhibits if e.status is status] for status in ExhibitStatus}
        assert all(by_status.values()), {s: len(v) for s, v in by_status.items()}
        accepted = by_status[ExhibitStatus.ACCEPTED]
        assert len(accepted) > 40
        assert all(e.code and e.booth for e in accepted)
        assert len({e.code for e in accepted}) == len(accepted)
        assert all(e.review_comment for e in by_status[ExhibitStatus.RETURNED])


def test_demo_judging_has_assignments_and_partial_scores(app, runner):
    runner.invoke(args=["festival", "demo"])
    with app.app_context():
        sheets = db.session.execute(db.select(ScoreSheet)).scalars().all()
        states = {status: sum(1 for s in sheets if s.status is status) for status in SheetStatus}
        assert len(sheets) > 100
        assert all(states.values()), states  # submitted, half-done and untouched sheets all show
        assert states[SheetStatus.SUBMITTED] > len(sheets) / 2
        assert all(s.judge.unit_id != s.exhibit.unit_id for s in sheets)
        rubric = db.session.execute(db.select(Rubric).where(Rubric.round_number == 1)).scalar_one()
        assert [c.max_points for c in rubric.scored_criteria] == [30, 25, 30, 15] and rubric.questions


def test_demo_has_the_420_attendees_and_the_automatic_ones(app, runner):
    runner.invoke(args=["festival", "demo"])
    with app.app_context():
        attendees = db.session.execute(db.select(Attendee)).scalars().all()
        by_source = {source: sum(1 for a in attendees if a.source is source) for source in AttendeeSource}
        assert by_source[AttendeeSource.IMPORT] == 420
        assert by_source[AttendeeSource.JUDGE] == 9 and by_source[AttendeeSource.ORGANIZER] == 1
        assert by_source[AttendeeSource.AUTHOR] > 40
        assert len({a.badge_token for a in attendees}) == len(attendees)


def test_demo_judges_in_two_rounds_with_finalists_defences_and_a_booth_track(app, runner):
    runner.invoke(args=["festival", "demo"])
    with app.app_context():
        festival = db.session.execute(db.select(Festival)).scalar_one()
        first, final = rounds.rounds_of(festival)
        now = utcnow()
        assert first.window()[1] <= now and final.window()[0] <= now < final.window()[1]  # round 2 is open
        first_sheets = db.session.execute(db.select(ScoreSheet).where(ScoreSheet.round_number == 1)).scalars().all()
        assert first_sheets and all(s.status is SheetStatus.SUBMITTED for s in first_sheets)
        assert final.finalists_confirmed
        going_on = panels.accepted_exhibits(festival, 2)
        assert 8 <= len(going_on) < len({s.exhibit_id for s in first_sheets})
        final_sheets = db.session.execute(db.select(ScoreSheet).where(ScoreSheet.round_number == 2)).scalars().all()
        assert {s.exhibit_id for s in final_sheets} == {e.id for e in going_on}
        assert len(db.session.execute(db.select(Defence)).scalars().all()) == len(going_on)
        assert defences.clashes(final) == []
        booth_sheets = db.session.execute(db.select(BoothSheet)).scalars().all()
        assert booth_sheets and any(s.status is SheetStatus.SUBMITTED for s in booth_sheets)


def test_demo_has_a_year_of_initiative_registers_some_nominated(app, runner, client):
    runner.invoke(args=["festival", "demo"])
    with app.app_context():
        festival = db.session.execute(db.select(Festival)).scalar_one()
        initiatives = db.session.execute(db.select(Initiative)).scalars().all()
        assert len(initiatives) == 59 and {i.year for i in initiatives} == {festival.starts_on.year}
        assert len({i.unit_id for i in initiatives}) >= 10
        assert {i.state for i in initiatives} == set(InitiativeState)
        recognised = [i for i in initiatives if i.is_recognised]
        assert all(i.decision_number and i.decided_on and i.level for i in recognised)
        assert all(i.benefits and i.benefits[0].year_index == 1 for i in recognised)
        assert all(sum(a.share_percent for a in i.authors) == 100 for i in initiatives)
        assert [i.is_trade_secret for i in initiatives].count(True) == 1
        secret = next(i for i in initiatives if i.is_trade_secret)
        assert secret.exhibit is None and not secret.is_published
        nominated = [i for i in initiatives if i.exhibit is not None]
        assert len(nominated) >= 5 and all(i.is_recognised for i in nominated)
        assert all(i.exhibit.festival_id == festival.id and i.exhibit.initiative is i for i in nominated)
        assert all(i.exhibit.title == i.title and i.exhibit.unit_id == i.unit_id for i in nominated)
        intake = [i for i in initiatives if i.source is InitiativeSource.INTAKE]
        assert intake and all(i.submitter_name and i.submitter_phone for i in intake)
        units = db.session.scalar(db.select(db.func.count()).select_from(Unit))
        assert db.session.scalar(db.select(db.func.count()).select_from(UnitTarget)) == units
        assert all(t.target == t.members // 10 and t.emulation_group for t in db.session.scalars(db.select(UnitTarget)))
        teams = db.session.scalars(db.select(ProductionTeam)).all()
        assert len(teams) == 2 * units and len({t.intake_key for t in teams}) == len(teams)
        support = db.session.execute(db.select(User).where(User.email == demo.SUPPORT_EMAIL)).scalar_one()
        assert support.role is Role.SUPPORT and support.unit.code == demo.SUPPORT_UNIT
        exhibit_id = nominated[0].exhibit_id
        reference = nominated[0].reference
    client.post("/auth/login", data={"email": demo.ORGANIZER_EMAIL, "password": demo.DEMO_PASSWORD})
    page = client.get(f"/exhibits/{exhibit_id}").get_data(as_text=True)
    assert "Sáng kiến được công nhận:" in page and reference in page
