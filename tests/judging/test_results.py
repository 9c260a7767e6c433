"""Results: calibrated ranking, tiers, organizer changes, finalisation, public page, exports."""

import io
from decimal import Decimal

import openpyxl
import pytest

from festival.core.extensions import db
from festival.judging import scoring
from festival.judging.math import calibration
from festival.judging.policy import policy_for
from festival.judging.results import festival_results, rating_of
from festival.models import (
    AuditLog,
    Award,
    AwardTier,
    Exhibit,
    Festival,
    JudgingPolicy,
    ResultRecord,
    ScoreSheet,
    utcnow,
)
from tests.sql import statements_sent

# novelty level, applicability, effect, social level → totals per (exhibit, judge)
SCORES = {"KT-01": (30, 25, 28, 15), "KT-02": (20, 20, 20, 10), "KT-03": (10, 15, 15, 5)}


@pytest.fixture
def scored(app, judged):
    """Every assigned sheet submitted; KT-01 best, KT-03 worst."""
    with app.app_context():
        c = judged["criteria"]
        for sheet in db.session.execute(db.select(ScoreSheet)).scalars():
            a, b, e, s = SCORES[sheet.exhibit.code]
            data = scoring.SheetInput(
                "t", 1, {c[0]: Decimal(a), c[1]: Decimal(b), c[2]: Decimal(e), c[3]: Decimal(s)}, {c[4]: True}
            )
            scoring.submit_sheet(sheet, sheet.judge, data, utcnow())
        policy = policy_for(db.session.execute(db.select(Festival)).scalar_one())
        policy.first_prizes, policy.second_prizes, policy.third_prizes = 1, 1, 0
        policy.honourable_share = Decimal("1")
        db.session.commit()
    return judged


def sheet_rating(sheet):
    return rating_of(
        sheet.rubric, sheet.exhibit_id, sheet.judge_id, {score.criterion_id: score.points for score in sheet.scores}
    )


def test_ratings_are_on_a_100_scale_with_each_criterions_share(app, scored):
    with app.app_context():
        sheet = db.session.execute(db.select(ScoreSheet).join(Exhibit).where(Exhibit.code == "KT-02")).scalars().first()
        rating = sheet_rating(sheet)
        assert rating.total == pytest.approx(70.0)
        assert rating.criteria == pytest.approx((20.0, 20.0, 20.0, 10.0))


def test_results_read_the_sheets_in_a_few_queries_not_a_few_per_sheet(app, scored):
    with app.app_context():
        festival = db.session.execute(db.select(Festival)).scalar_one()
        db.session.expire_all()
        with statements_sent(db.engine) as statements:
            [block] = festival_results(festival)
        assert len(block.ratings) == 6
        # One for each kind of row (the rounds included, and a rubric's levels, read with it everywhere); with a
        # query per sheet (or per score) this would be 20 or more.
        assert len(statements) <= 16, "\n".join(statements)


def test_results_rank_and_propose_tiers(app, scored):
    with app.app_context():
        [block] = festival_results(db.session.execute(db.select(Festival)).scalar_one())
        order = [
            (block.exhibits[r.result.exhibit_id].code, r.rank, round(r.result.mean, 2), r.result.n)
            for r in block.ranked
        ]
        assert order == [("KT-01", 1, 98.0, 2), ("KT-02", 2, 70.0, 2), ("KT-03", 3, 45.0, 2)]
        assert {block.exhibits[k].code: v for k, v in block.tiers.items()} == {
            "KT-01": AwardTier.FIRST,
            "KT-02": AwardTier.SECOND,
            "KT-03": AwardTier.HONOURABLE,
        }


def test_results_page_shows_means_agreement_and_tiers(client, login_as, scored):
    login_as("organizer")
    page = client.get("/judging/results").get_data(as_text=True)
    assert "KT-01" in page and "98" in page and "Giải Nhất" in page
    assert "ICC(1)" in page and "mức “rất tốt” theo thang của Koo và Li (2016)" in page


def test_organizer_changes_a_tier_only_with_a_reason(app, client, login_as, scored):
    login_as("organizer")
    kt03 = scored["exhibits"]["KT-03"]
    page = client.post(
        f"/judging/results/{kt03}/tier", data={"tier": "", "reason": ""}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Hãy ghi lý do điều chỉnh giải." in page
    client.post(f"/judging/results/{kt03}/tier", data={"tier": "", "reason": "Chưa đủ điều kiện nhân rộng"})
    with app.app_context():
        [block] = festival_results(db.session.execute(db.select(Festival)).scalar_one())
        assert block.tiers[kt03] is None and block.proposed[kt03] == "honourable"
        entry = db.session.execute(db.select(AuditLog).where(AuditLog.action == "award.adjusted")).scalar_one()
        assert entry.after["reason"] == "Chưa đủ điều kiện nhân rộng"


def test_finalise_locks_creates_awards_and_a_reproducible_record(app, client, login_as, scored):
    login_as("organizer")
    assert "Chốt kết quả?" in client.get("/judging/finalise").get_data(as_text=True)
    response = client.post("/judging/finalise")
    assert response.status_code == 302
    with app.app_context():
        awards = {a.exhibit.code: (a.tier, a.rank, a.score) for a in db.session.execute(db.select(Award)).scalars()}
        assert awards == {
            "KT-01": (AwardTier.FIRST, 1, Decimal("98.000")),
            "KT-02": (AwardTier.SECOND, 2, Decimal("70.000")),
            "KT-03": (AwardTier.HONOURABLE, 3, Decimal("45.000")),
        }
        record = db.session.execute(db.select(ResultRecord)).scalar_one()
        ratings = [sheet_rating(s) for s in db.session.execute(db.select(ScoreSheet)).scalars()]
        assert record.scores_hash == calibration.ratings_hash(ratings)
        assert record.data["method"] == "mean" and record.data["categories"][0]["rubric"]["criteria"][0]["max"] == 30
        assert db.session.execute(db.select(JudgingPolicy)).scalar_one().is_final
    public = client.get("/results").get_data(as_text=True)
    assert "Giải Nhất" in public and "Cữ gá may túi" in public and "Giải Khuyến khích" in public


def test_public_results_wait_for_finalisation(client, scored):
    assert "Kết quả sẽ được công bố" in client.get("/results").get_data(as_text=True)


def test_after_finalising_judges_get_403_and_an_organizer_override_is_logged(app, client, auth, scored):
    auth.login("organizer@example.vn")
    client.post("/judging/finalise")
    kt02 = scored["exhibits"]["KT-02"]
    client.post(f"/judging/results/{kt02}/tier", data={"tier": "first", "reason": "Hội đồng xét lại: đồng giải Nhất"})
    with app.app_context():
        assert db.session.execute(db.select(Award).where(Award.exhibit_id == kt02)).scalar_one().tier is AwardTier.FIRST
        assert db.session.execute(
            db.select(AuditLog).where(AuditLog.action == "award.overridden_after_final")
        ).scalar_one()
        sheet_id = (
            db.session.execute(db.select(ScoreSheet.id).where(ScoreSheet.judge_id == scored["judges"]["judge"]))
            .scalars()
            .first()
        )
    auth.logout()
    auth.login(scored["emails"]["judge"])
    response = client.post(
        f"/judging/sheets/{sheet_id}/save", json={"client_id": "t", "seq": 9, "base": 0, "points": {}, "answers": {}}
    )
    assert response.status_code == 403


def test_export_has_a_sheet_per_category_and_the_command_writes_csv(app, client, login_as, runner, scored, tmp_path):
    login_as("organizer")
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/judging/results.xlsx").data))
    assert workbook.sheetnames == ["KT"]
    rows = list(workbook["KT"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Hạng", "Mã", "Tên sáng kiến") and rows[1][:2] == (1, "KT-01") and rows[1][5] == 98
    result = runner.invoke(args=["judging", "results", "--format", "csv"])
    assert result.exit_code == 0 and "KT,1,KT-01,Cữ gá may túi" in result.output
    out = tmp_path / "ket-qua.xlsx"
    assert runner.invoke(args=["judging", "results", "--format", "xlsx", "--out", str(out)]).exit_code == 0
    assert openpyxl.load_workbook(out).sheetnames == ["KT"]


def test_progress_matrix_shows_missing_sheets(app, client, login_as, judged):
    login_as("organizer")
    page = client.get("/judging/progress").get_data(as_text=True)
    assert "đã nộp 0, còn thiếu 6 phiếu" in page
