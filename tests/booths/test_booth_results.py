"""Booth results on a hand-computed example: means on the 0–100 scale, a tie shown and ordered by unit code,
prizes from the booth track's quotas, an organizer's adjustment, finalising (audited) and reopening."""

import io
from decimal import Decimal
from fractions import Fraction

import openpyxl

from festival.booths import ranking, results, scoring
from festival.core.extensions import db
from festival.models import AuditLog, AwardTier, BoothAward, BoothPolicy, BoothSheet, Festival, User, utcnow
from tests.booths.conftest import score, sheet_of


def score_the_example(app, booth_world):
    """Every sheet submitted; with weights 30/25/25/20 out of 10 points each:
    A: 80, 76.5, 80 → 78.83; B: 72, 81 → 76.5; C: 75, 80, 74.5 → 76.5 (a tie with B)."""
    for unit, who, points in [
        ("UNITA", "judge", [8, 8, 8, 8]),
        ("UNITA", "judge_c", [9, 7, 8, 6]),
        ("UNITA", "judge_b", [8, 8, 8, 8]),
        ("UNITB", "judge", [10, 6, 6, 6]),
        ("UNITB", "judge_c", [6, 9, 9, 9]),
        ("UNITC", "judge", [8, 7, 7, 8]),
        ("UNITC", "judge_c", [8, 8, 8, 8]),
        ("UNITC", "judge_b", [7, 7, 8, 8]),
    ]:
        score(app, booth_world, unit, who, points)


def test_a_sheets_score_is_its_weighted_points_scaled_to_100():
    lines = [ranking.Line(Decimal("7.5"), 10, Decimal("12.5")), ranking.Line(Decimal(3), 4, Decimal("7.5"))]
    assert ranking.sheet_score(lines) == 75  # (9.375 + 5.625) of 20, on the 0–100 scale
    assert ranking.rounded(Fraction(236_5, 30)) == Decimal("78.83")


def test_booths_are_ranked_by_mean_with_the_tie_shown_and_prizes_from_the_booth_quotas(app, booth_world):
    score_the_example(app, booth_world)
    with app.app_context():
        festival = db.session.get(Festival, booth_world["festival"])
        organizer = db.session.get(User, booth_world["organizer"])
        rows = results.booth_results(festival)
        assert [(r.booth.unit.code, r.rank, r.score, r.submitted) for r in rows] == [
            ("UNITA", 1, Decimal("78.83"), 3),
            ("UNITB", 2, Decimal("76.50"), 2),
            ("UNITC", 3, Decimal("76.50"), 3),
        ]
        assert [[u.code for u in r.tied_with] for r in rows] == [[], ["UNITC"], ["UNITB"]]
        # The default quotas: 1 first, 2 second, 3 third, 3 honourable.
        assert [r.proposed for r in rows] == [AwardTier.FIRST, AwardTier.SECOND, AwardTier.SECOND]
        results.set_booth_quotas(festival, (1, 1, 0, 1), by=organizer)
        rows = results.booth_results(festival)
        assert [r.proposed for r in rows] == [AwardTier.FIRST, AwardTier.SECOND, AwardTier.HONOURABLE]
        assert [r.tier for r in rows] == [r.proposed for r in rows]


def test_the_results_page_shows_the_tie_clearly(app, booth_world, login_as):
    score_the_example(app, booth_world)
    page = login_as("organizer").get("/booths/results").get_data(as_text=True)
    assert "Bằng điểm với UNITC — xếp theo mã đơn vị" in page and "Bằng điểm với UNITB" in page
    assert "78,83" in page and "76,5" in page


def test_a_booth_with_a_sheet_missing_is_not_proposed(app, booth_world):
    score(app, booth_world, "UNITA", "judge", [9, 9, 9, 9])
    score(app, booth_world, "UNITB", "judge", [5, 5, 5, 5])
    score(app, booth_world, "UNITB", "judge_c", [5, 5, 5, 5])
    with app.app_context():
        rows = results.booth_results(db.session.get(Festival, booth_world["festival"]))
        by_code = {r.booth.unit.code: r for r in rows}
        assert by_code["UNITA"].rank == 1 and by_code["UNITA"].is_incomplete and by_code["UNITA"].proposed is None
        assert by_code["UNITB"].proposed is AwardTier.FIRST
        assert by_code["UNITC"].rank is None and by_code["UNITC"].score is None


def test_organizer_adjusts_a_prize_with_a_reason(app, booth_world, login_as):
    score_the_example(app, booth_world)
    client = login_as("organizer")
    unit_c = booth_world["units"]["UNITC"]
    refused = client.post(f"/booths/results/{unit_c}/tier", data={"tier": "first", "reason": ""})
    assert refused.status_code == 302
    assert "Hãy ghi lý do điều chỉnh giải." in client.get("/booths/results").get_data(as_text=True)
    response = client.post(f"/booths/results/{unit_c}/tier", data={"tier": "third", "reason": "Hội đồng thống nhất"})
    assert response.status_code == 302
    with app.app_context():
        rows = {r.booth.unit.code: r for r in results.booth_results(db.session.get(Festival, booth_world["festival"]))}
        assert (rows["UNITC"].proposed, rows["UNITC"].tier) == (AwardTier.SECOND, AwardTier.THIRD)
        entry = db.session.execute(db.select(AuditLog).where(AuditLog.action == "booth_award.adjusted")).scalar_one()
        assert entry.after == {"unit": "UNITC", "tier": "third", "reason": "Hội đồng thống nhất"}


def test_finalising_freezes_the_awards_audited_and_reopening_needs_a_reason(app, booth_world, login_as):
    score_the_example(app, booth_world)
    client = login_as("organizer")
    assert "Chốt giải gian hàng?" in client.get("/booths/finalise").get_data(as_text=True)
    assert client.post("/booths/finalise").status_code == 302
    with app.app_context():
        festival = db.session.get(Festival, booth_world["festival"])
        awards = results.final_awards(festival)
        assert [(a.unit.code, a.tier, a.rank, a.score) for a in awards] == [
            ("UNITA", AwardTier.FIRST, 1, Decimal("78.83")),
            ("UNITB", AwardTier.SECOND, 2, Decimal("76.5")),
            ("UNITC", AwardTier.SECOND, 3, Decimal("76.5")),
        ]
        policy = db.session.get(BoothPolicy, festival.id)
        assert policy.is_final and policy.finalised_by_id == booth_world["organizer"]
        entry = db.session.execute(db.select(AuditLog).where(AuditLog.action == "booth_results.finalised")).scalar_one()
        assert entry.user_id == booth_world["organizer"]
        assert [(r["unit"], r["score"], r["tier"]) for r in entry.after["ranking"]] == [
            ("UNITA", "78.83", "first"),
            ("UNITB", "76.50", "second"),
            ("UNITC", "76.50", "second"),
        ]
    # Final: prizes are not changed and judges cannot change their sheets.
    unit_a = booth_world["units"]["UNITA"]
    client.post(f"/booths/results/{unit_a}/tier", data={"tier": "third", "reason": "Thử"})
    assert "hãy mở lại kết quả trước" in client.get("/booths/results").get_data(as_text=True)
    assert client.post("/booths/results/reopen", data={"reason": ""}).status_code == 302
    with app.app_context():
        assert db.session.get(BoothPolicy, booth_world["festival"]).is_final
        sheet = db.session.get(BoothSheet, sheet_of(booth_world, "UNITA"))
        assert "Kết quả giải gian hàng đã chốt" in scoring.edit_refusal(sheet, sheet.judge, utcnow())
    assert client.post("/booths/results/reopen", data={"reason": "Phúc khảo"}).status_code == 302
    with app.app_context():
        assert not db.session.get(BoothPolicy, booth_world["festival"]).is_final
        reopened = db.session.execute(
            db.select(AuditLog).where(AuditLog.action == "booth_results.reopened")
        ).scalar_one()
        assert reopened.after == {"reason": "Phúc khảo"}


def test_finalising_with_sheets_missing_needs_the_organizers_word(app, booth_world, login_as):
    score(app, booth_world, "UNITA", "judge", [9, 9, 9, 9])
    client = login_as("organizer")
    assert "phiếu được giao chưa nộp" in client.get("/booths/finalise").get_data(as_text=True)
    client.post("/booths/finalise")
    assert "Hãy xác nhận rằng các phiếu chưa nộp sẽ không được tính." in client.get("/booths/finalise").get_data(
        as_text=True
    )
    assert client.post("/booths/finalise", data={"accept_missing": "yes"}).status_code == 302
    with app.app_context():
        assert db.session.execute(db.select(BoothAward)).scalars().all() == []  # its only booth is incomplete
        assert db.session.get(BoothPolicy, booth_world["festival"]).is_final


def test_the_booth_ranking_exports_to_a_spreadsheet(app, booth_world, login_as):
    score_the_example(app, booth_world)
    client = login_as("organizer")
    rows = client.get("/booths/results.csv").get_data(as_text=True).splitlines()
    assert rows[0].lstrip("\ufeff").startswith("Hạng,Mã đơn vị,Đơn vị,Gian")  # a BOM, for Excel
    assert [row.split(",")[1] for row in rows[1:]] == ["UNITA", "UNITB", "UNITC"]
    assert "78.83" in rows[1] and rows[1].endswith("Giải Nhất,Giải Nhất")
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/booths/results.xlsx").data))
    sheet = workbook.active
    assert sheet["B2"].value == "UNITA" and sheet["G2"].value == 78.83
