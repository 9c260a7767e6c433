"""A festival judged in two rounds: the dossier round, finalists proposed, adjusted with reasons and
confirmed (audited, frozen, units mailed), round 2 at the booths on its own sheets, the defence schedule,
the combined score with the rank movement, and finalising over both rounds."""

from datetime import timedelta
from decimal import Decimal

import pytest

from festival.certificates import services as certificates
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.judging import control, defences, finalists, panels, results, rounds, scoring
from festival.judging.math import calibration
from festival.judging.math import rounds as combination
from festival.judging.policy import policy_for
from festival.mail import notify
from festival.models import (
    AuditLog,
    AwardTier,
    Category,
    Certificate,
    CertificateKind,
    Combination,
    Defence,
    Exhibit,
    Festival,
    Finalist,
    MailMessage,
    ResultsMethod,
    RoundKind,
    ScoreSheet,
    SheetStatus,
    User,
    utcnow,
)
from festival.util.formatting import utc_to_local
from tests.judging.test_results import scored  # noqa: F401 (the fixture: round 1 scored)
from tests.pdf_tools import page_texts

# Round 1 totals (every judge alike): KT-01 98, KT-02 70, KT-03 45. Round 2 reverses the two finalists.
ROUND_2 = {"KT-01": (10, 10, 20, 10), "KT-02": (30, 25, 25, 10)}  # totals 50 and 90


def _festival():
    return db.session.execute(db.select(Festival)).scalar_one()


def _organizer():
    return db.session.execute(db.select(User).where(User.email.like("organizer%"))).scalars().first()


@pytest.fixture
def two_rounds(app, scored):  # noqa: F811
    """Round 2 added (top 2 per category), its window open now."""
    with app.app_context():
        festival, organizer = _festival(), _organizer()
        final = rounds.add_round(festival, by=organizer)
        now = utcnow()
        rounds.update_round(
            final,
            name_vi="Chung khảo",
            name_en="Final round",
            kind=RoundKind.BOOTH,
            window=(now - timedelta(hours=1), now + timedelta(hours=4)),
            weight=70,
            finalist_rule=(2, None),
            by=organizer,
        )
        db.session.commit()
    return scored


def _confirm(app):
    with app.app_context():
        final = rounds.round_of(_festival(), 2)
        finalists.confirm(final, by=_organizer())
        db.session.commit()


def _score_round_2(app, judged):
    with app.app_context():
        festival, organizer = _festival(), _organizer()
        category = db.session.execute(db.select(Category)).scalar_one()
        judge_ids = set(judged["judges"].values())
        panels.set_panels(festival, {(category.id, j) for j in judge_ids}, by=organizer, number=2)
        panels.assign_judges(festival, 2, by=organizer, number=2)
        c = judged["criteria"]
        sheets = db.session.execute(db.select(ScoreSheet).where(ScoreSheet.round_number == 2)).scalars().all()
        for sheet in sheets:
            a, b, e, s = ROUND_2[sheet.exhibit.code]
            data = scoring.SheetInput(
                "t2", 1, {c[0]: Decimal(a), c[1]: Decimal(b), c[2]: Decimal(e), c[3]: Decimal(s)}, {c[4]: True}
            )
            assert scoring.submit_sheet(sheet, sheet.judge, data, utcnow()).status == "submitted"
        db.session.commit()
        return sheets


def test_adding_a_round_makes_the_first_the_dossier_round(app, two_rounds):
    with app.app_context():
        first, final = rounds.rounds_of(_festival())
        assert (first.kind, first.name_vi, first.weight) == (RoundKind.DOSSIER, "Sơ khảo", 30)
        assert (final.number, final.kind, final.weight, final.finalist_quota) == (2, RoundKind.BOOTH, 70, 2)
        assert rounds.round_exhibits(_festival(), 2) is not None
        assert panels.accepted_exhibits(_festival(), 2) == []  # nobody goes on before the list is confirmed


def test_finalists_are_proposed_adjusted_with_reasons_and_confirmed_frozen(app, two_rounds, judged):
    with app.app_context():
        festival, organizer = _festival(), _organizer()
        final = rounds.round_of(festival, 2)
        [category] = finalists.finalist_overview(final)
        codes = {e.id: e.code for e in category.block.exhibits.values()}
        assert [codes[e] for e in category.proposed] == ["KT-01", "KT-02"]
        third = db.session.get(Exhibit, judged["exhibits"]["KT-03"])
        with pytest.raises(FestivalError):
            finalists.choose(final, third, True, "  ", organizer)
        finalists.choose(final, third, True, "Giải pháp có tính lan toả cao", organizer)
        [category] = finalists.finalist_overview(final)
        assert sorted(codes[e] for e in category.chosen) == ["KT-01", "KT-02", "KT-03"]
        finalists.choose(final, third, False, "", organizer)  # back to the proposal: no reason needed
        assert db.session.execute(db.select(Finalist)).scalars().all() == []
        db.session.commit()
    _confirm(app)
    with app.app_context():
        festival = _festival()
        final = rounds.round_of(festival, 2)
        assert final.finalists_confirmed
        assert sorted(e.code for e in panels.accepted_exhibits(festival, 2)) == ["KT-01", "KT-02"]
        assert final.finalist_record["chosen"] == ["KT-01", "KT-02"]
        entry = db.session.execute(db.select(AuditLog).where(AuditLog.action == "finalists.confirmed")).scalar_one()
        assert entry.after["finalists"] == ["KT-01", "KT-02"]
        mailed = db.session.execute(db.select(MailMessage).where(MailMessage.kind == "finalists")).scalars().all()
        assert mailed, "the units were not told"
        bodies = "\n".join(m.body_text for m in mailed)
        assert "KT-01" in bodies and "KT-03" in bodies and "không vào vòng" in bodies
        third = db.session.get(Exhibit, judged["exhibits"]["KT-03"])
        with pytest.raises(NotAllowed):
            finalists.choose(final, third, True, "muộn", _organizer())


def test_round_two_has_its_own_sheets_and_the_weighted_score_combines_both_rounds(app, two_rounds, judged):
    _confirm(app)
    _score_round_2(app, judged)
    with app.app_context():
        festival = _festival()
        first_sheets = db.session.execute(db.select(ScoreSheet).where(ScoreSheet.round_number == 1)).scalars().all()
        assert all(s.status is SheetStatus.SUBMITTED for s in first_sheets)  # round 1 untouched
        [block] = results.festival_results(festival)  # the last round alone decides by default
        order = [block.exhibits[r.result.exhibit_id].code for r in block.ranked]
        assert order == ["KT-02", "KT-01"]
        policy_for(festival).combination = Combination.WEIGHTED
        [block] = results.festival_results(festival)
        scores = {block.exhibits[r.result.exhibit_id].code: r.result.score for r in block.ranked}
        # 30 % × round 1 + 70 % × round 2, each the mean of its sheets: 0.3·98 + 0.7·50 and 0.3·70 + 0.7·90.
        assert scores == {"KT-02": pytest.approx(84.0), "KT-01": pytest.approx(64.4)}
        ids = {e.code: e.id for e in block.exhibits.values()}
        first_round = block.round_scores[1]
        assert (first_round[ids["KT-01"]], first_round[ids["KT-02"]]) == (pytest.approx(98.0), pytest.approx(70.0))
        assert block.movement == {ids["KT-01"]: -1, ids["KT-02"]: 1}
        db.session.rollback()


def test_the_normalised_method_calibrates_each_round_before_combining(app, two_rounds, judged):
    _confirm(app)
    _score_round_2(app, judged)
    with app.app_context():
        festival = _festival()
        policy = policy_for(festival)
        policy.method, policy.combination = ResultsMethod.NORMALISED, Combination.WEIGHTED
        per_round = {}
        for number in (1, 2):
            [block] = results.round_results(festival, number)
            per_round[number] = calibration.normalised_scores(block.ratings, float(policy.shrinkage))
        [block] = results.festival_results(festival)
        for ranked in block.ranked:
            exhibit_id = ranked.result.exhibit_id
            expected = 0.3 * per_round[1][exhibit_id] + 0.7 * per_round[2][exhibit_id]
            assert ranked.result.score == pytest.approx(expected)
        db.session.rollback()


def test_finalising_covers_both_rounds_and_the_finalist_decision(app, two_rounds, judged):
    _confirm(app)
    _score_round_2(app, judged)
    with app.app_context():
        festival = _festival()
        record = results.finalise(festival, by=_organizer())
        rounds_record = record.data["rounds"]
        assert [r["round"] for r in rounds_record] == [1, 2]
        assert rounds_record[1]["finalists"]["chosen"] == ["KT-01", "KT-02"]
        [final_block] = results.festival_results(festival)
        assert record.scores_hash != calibration.ratings_hash(final_block.ratings)
        db.session.rollback()


def test_the_defence_schedule_never_puts_a_judge_in_two_places(app, two_rounds, judged):
    _confirm(app)
    _score_round_2(app, judged)
    with app.app_context():
        final = rounds.round_of(_festival(), 2)
        built = defences.build_schedule(final, changeover=5, by=_organizer())
        assert (built.placed, built.unplaced) == (2, [])
        rows = db.session.execute(db.select(Defence).order_by(Defence.starts_at)).scalars().all()
        assert len(rows) == 2
        assert rows[0].ends_at + timedelta(minutes=5) <= rows[1].starts_at  # two judges sit on both panels
        assert defences.clashes(final) == []
        opens, closes = final.window()
        assert opens <= rows[0].starts_at and rows[-1].ends_at <= closes
        db.session.commit()


def test_round_pages_for_organizers_units_and_judges(app, client, login_as, two_rounds, judged):
    login_as("organizer")
    page = client.get("/judging/rounds")
    assert page.status_code == 200 and "Chung khảo" in page.text and "Sơ khảo" in page.text
    page = client.get("/judging/rounds/2/finalists")
    assert page.status_code == 200 and "KT-01" in page.text
    refused = client.post(
        "/judging/rounds/2/finalists",
        data={"exhibit_id": judged["exhibits"]["KT-03"], "included": "1", "reason": ""},
        follow_redirects=True,
    )
    assert "Hãy ghi lý do khi chọn khác với đề xuất." in refused.text
    assert client.post("/judging/rounds/2/finalists", data={"action": "confirm"}).status_code == 302
    _score_round_2(app, judged)
    assert client.post("/judging/rounds/2/defences", data={"changeover": "5"}).status_code == 302
    page = client.get("/judging/rounds/2/defences")
    assert page.status_code == 200 and "KT-02" in page.text
    assert client.get("/judging/results?round=1").status_code == 200
    assert client.get("/judging/assignments?round=2").status_code == 200
    assert client.get("/judging/rounds/9/finalists").status_code == 404


def test_combined_scores_ignore_rounds_of_weight_zero_and_need_every_counted_round():
    assert combination.combined_scores([(30, {1: 80.0, 2: 60.0}), (70, {1: 50.0, 2: None})]) == {
        1: pytest.approx(59.0),
        2: None,
    }
    assert combination.combined_scores([(0, {1: 10.0}), (100, {1: 70.0})]) == {1: 70.0}
    with pytest.raises(ValueError):
        combination.combined_scores([(0, {1: 1.0})])


def test_units_see_which_exhibits_go_on_and_judges_their_defences(app, client, login_as, two_rounds, judged):
    _confirm(app)
    _score_round_2(app, judged)
    with app.app_context():
        defences.build_schedule(rounds.round_of(_festival(), 2), changeover=5, by=_organizer())
        db.session.commit()
    login_as("unit_a")  # KT-01 goes on, KT-03 does not
    page = client.get("/exhibits/mine")
    assert page.text.count("Vào Chung khảo") == 1 and "bảo vệ lúc" in page.text
    assert "Không vào Chung khảo" in page.text and "giấy chứng nhận tham gia" in page.text
    exhibit_page = client.get(f"/exhibits/{judged['exhibits']['KT-01']}")
    assert "Vào Chung khảo" in exhibit_page.text and "bảo vệ lúc" in exhibit_page.text
    client.post("/auth/logout")
    login_as("judge")
    home = client.get("/judging/")
    assert "Sơ khảo" in home.text and "Chung khảo · bảo vệ lúc" in home.text
    assert "/judging/rounds/2/defences" in home.text
    schedule = client.get("/judging/rounds/2/defences")
    assert schedule.status_code == 200 and "KT-0" in schedule.text


def test_the_control_room_and_the_evening_reminders_follow_the_rounds(app, two_rounds, judged):
    _confirm(app)
    with app.app_context():
        festival, organizer = _festival(), _organizer()
        first = rounds.round_of(festival, 1)
        now = utcnow()
        first.opens_at, first.closes_at = now - timedelta(days=5), now - timedelta(days=2)
        reopened = (
            db.session.execute(
                db.select(ScoreSheet)
                .join(ScoreSheet.exhibit)
                .where(ScoreSheet.round_number == 1, Exhibit.code == "KT-03")
            )
            .scalars()
            .first()
        )
        scoring.reopen_sheet(reopened, "Xem lại", by=organizer)  # a draft left in the closed dossier round
        category = db.session.execute(db.select(Category)).scalar_one()
        panels.set_panels(festival, {(category.id, j) for j in judged["judges"].values()}, by=organizer, number=2)
        panels.assign_judges(festival, 2, by=organizer, number=2)
        judges, exhibits = control.control_room(festival, 2)
        assert sorted(p.exhibit.code for p in exhibits) == ["KT-01", "KT-02"]
        assert sum(p.total for p in judges) == 4  # two finalists, two judges each, none submitted
        judges, exhibits = control.control_room(festival, 1)
        assert len(exhibits) == 3 and sum(p.done for p in judges) == 5
        sent = notify.judge_reminders(festival, utc_to_local(now).date())
        bodies = "\n".join(m.body_text for m in sent)
        assert "KT-01" in bodies and "KT-02" in bodies
        assert "KT-03" not in bodies  # round 1 closed two days ago: its draft is not chased tonight
        db.session.rollback()


def test_a_printed_sheet_names_its_round(app, client, login_as, two_rounds, judged):
    _confirm(app)
    sheets = _score_round_2(app, judged)
    with app.app_context():
        mine = [
            s.id for s in db.session.execute(db.select(ScoreSheet)).scalars() if s.judge_id == judged["judges"]["judge"]
        ]
        final_sheet = next(s for s in mine if db.session.get(ScoreSheet, s).round_number == 2)
    assert sheets
    login_as("judge")
    response = client.get(f"/judging/sheets/{final_sheet}.pdf")
    assert response.status_code == 200
    [text] = page_texts(response.data)
    assert "PHIẾU CHẤM ĐIỂM – CHUNG KHẢO" in text


def test_the_results_export_has_each_rounds_score(app, client, login_as, two_rounds, judged):
    _confirm(app)
    _score_round_2(app, judged)
    login_as("organizer")
    final = client.get("/judging/results.csv").get_data(as_text=True).splitlines()
    assert final[0].endswith("Điểm Sơ khảo")
    rows = {line.split(",")[2]: line for line in final[1:]}
    assert set(rows) == {"KT-01", "KT-02"} and rows["KT-01"].endswith(",98")
    first = client.get("/judging/results.csv?round=1").get_data(as_text=True).splitlines()
    assert not first[0].endswith("Điểm Sơ khảo") and len(first) == 4  # the three exhibits of the dossier round


def test_the_presentation_timer_is_on_the_defence_sheets_only(app, client, login_as, two_rounds, judged):
    _confirm(app)
    _score_round_2(app, judged)
    with app.app_context():
        policy = policy_for(_festival())
        policy.presentation_minutes, policy.questions_minutes = 7, 5
        mine = {
            s.round_number: s.id
            for s in db.session.execute(
                db.select(ScoreSheet).where(ScoreSheet.judge_id == judged["judges"]["judge"])
            ).scalars()
        }
        for sheet_id in mine.values():  # open for changes again, so the sheet is editable
            scoring.reopen_sheet(db.session.get(ScoreSheet, sheet_id), "Xem lại", by=_organizer())
        db.session.commit()
    login_as("judge")
    dossier = client.get(f"/judging/sheets/{mine[1]}").get_data(as_text=True)
    defence = client.get(f"/judging/sheets/{mine[2]}").get_data(as_text=True)
    assert "presentation-timer.js" not in dossier
    assert '<details class="card mb-3" open>' in dossier  # the dossier round's sheet opens on the dossier
    assert "presentation-timer.js" in defence and "trình bày 7 phút" in defence


def test_after_finalising_two_rounds_finalists_get_prizes_and_everyone_a_participation_certificate(
    app, two_rounds, judged
):
    _confirm(app)
    _score_round_2(app, judged)
    with app.app_context():
        festival, organizer = _festival(), _organizer()
        results.finalise(festival, by=organizer)
        today = utcnow().date()
        certificates.issue(festival, CertificateKind.AWARD, today, by=organizer)
        certificates.issue(festival, CertificateKind.PARTICIPATION, today, by=organizer)
        issued = db.session.execute(db.select(Certificate)).scalars().all()
        awarded = {c.exhibit.code for c in issued if c.kind is CertificateKind.AWARD}
        assert awarded == {"KT-01", "KT-02"}  # the prizes go to finalists only, ranked by the final round
        tiers = {c.exhibit.code: c.tier for c in issued if c.kind is CertificateKind.AWARD}
        assert tiers["KT-02"] is AwardTier.FIRST
        participation = {c.exhibit.code for c in issued if c.kind is CertificateKind.PARTICIPATION}
        assert participation == {"KT-01", "KT-02", "KT-03"}  # KT-03 did not go on and keeps its certificate
        db.session.rollback()


def test_the_judges_next_stand_is_in_the_open_round_and_earlier_results_offer_no_prizes(
    app, client, login_as, two_rounds, judged
):
    _confirm(app)
    with app.app_context():
        festival, organizer = _festival(), _organizer()
        first = rounds.round_of(festival, 1)
        now = utcnow()
        first.opens_at, first.closes_at = now - timedelta(days=5), now - timedelta(days=2)
        judge_id = judged["judges"]["judge"]
        left = (
            db.session.execute(
                db.select(ScoreSheet).where(ScoreSheet.round_number == 1, ScoreSheet.judge_id == judge_id)
            )
            .scalars()
            .first()
        )
        scoring.reopen_sheet(left, "Xem lại", by=organizer)  # a draft left in the closed dossier round
        category = db.session.execute(db.select(Category)).scalar_one()
        panels.set_panels(festival, {(category.id, j) for j in judged["judges"].values()}, by=organizer, number=2)
        panels.assign_judges(festival, 2, by=organizer, number=2)
        final_sheet = (
            db.session.execute(
                db.select(ScoreSheet.id).where(ScoreSheet.round_number == 2, ScoreSheet.judge_id == judge_id)
            )
            .scalars()
            .first()
        )
        db.session.commit()
    login_as("judge")
    home = client.get("/judging/").get_data(as_text=True)
    next_stand = home.split('class="card next-stand', 1)[1].split("</a>", 1)[0]
    assert f"/judging/sheets/{final_sheet}" in next_stand
    client.post("/auth/logout")
    login_as("organizer")
    earlier = client.get("/judging/results?round=1").get_data(as_text=True)
    assert "tier-form" not in earlier and "Xét giải ở vòng cuối" in earlier


def test_the_combined_score_by_hand_for_both_methods():
    """Two judges, two exhibits, two rounds weighted 30/70, worked out by hand.

    Round 1: judge 1 gives 80 and 60, judge 2 gives 90 and 70. Round 2: judge 1 gives 50 and 90, judge 2 60
    and 80.
    - Mean: round 1 is 85 and 65, round 2 is 55 and 85, so exhibit 1 gets 0.3·85 + 0.7·55 = 64 and exhibit 2
      0.3·65 + 0.7·85 = 79.
    - Normalised, without shrinkage: in round 1 every judge's z is +1 and −1 (each judge's SD is 10), the panel
      has mean 75 and variance 125, so 75 ± √125 = 86.1803 and 63.8197. In round 2 the z are −1 and +1, the
      panel has mean 70 and variance 250, so 70 ∓ √250 = 54.1886 and 85.8114. Combined: 0.3·86.1803 +
      0.7·54.1886 = 63.7861 and 0.3·63.8197 + 0.7·85.8114 = 79.2139.
    """
    rating = calibration.Rating
    first = [rating(1, 1, 80.0, ()), rating(2, 1, 60.0, ()), rating(1, 2, 90.0, ()), rating(2, 2, 70.0, ())]
    second = [rating(1, 1, 50.0, ()), rating(2, 1, 90.0, ()), rating(1, 2, 60.0, ()), rating(2, 2, 80.0, ())]

    means = [{e: sum(r.total for r in ratings if r.exhibit_id == e) / 2 for e in (1, 2)} for ratings in (first, second)]
    combined = combination.combined_scores([(30, means[0]), (70, means[1])])
    assert combined == {1: pytest.approx(64.0), 2: pytest.approx(79.0)}

    normalised = [calibration.normalised_scores(ratings, shrinkage=0.0) for ratings in (first, second)]
    assert normalised[0] == {1: pytest.approx(86.18034, abs=1e-5), 2: pytest.approx(63.81966, abs=1e-5)}
    assert normalised[1] == {1: pytest.approx(54.18861, abs=1e-5), 2: pytest.approx(85.81139, abs=1e-5)}
    combined = combination.combined_scores([(30, normalised[0]), (70, normalised[1])])
    assert combined == {1: pytest.approx(63.78613, abs=1e-5), 2: pytest.approx(79.21387, abs=1e-5)}
