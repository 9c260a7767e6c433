"""Rubric arithmetic and versions: weights, levels, freezing after a submission."""

import re
from decimal import Decimal

import pytest

from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.judging import rubrics, scoring
from festival.models import CriterionKind, Festival, Rubric, ScoreSheet, SheetStatus, User, utcnow
from tests.judging.conftest import rubric_inputs


def test_total_is_the_sum_of_points_when_weights_equal_the_maxima(app, judged):
    with app.app_context():
        rubric = db.session.get(Rubric, judged["rubric"])
        c = judged["criteria"]
        points = {c[0]: Decimal(20), c[1]: Decimal("18.5"), c[2]: Decimal(25), c[3]: Decimal(10)}
        assert rubric.total_weight == 100
        assert scoring.weighted_total(rubric, points) == Decimal("73.500")


def test_weights_scale_each_criterion(app, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        rubric = rubrics.save_rubric(
            festival,
            None,
            [
                rubrics.CriterionInput("Tính mới", max_points=10, weight=Decimal(40)),
                rubrics.CriterionInput("Hiệu quả", max_points=10, weight=Decimal(60)),
            ],
            by=None,
        )
        first, second = rubric.criteria
        # 8/10 × 40 + 5/10 × 60 = 32 + 30
        assert scoring.weighted_total(rubric, {first.id: Decimal(8), second.id: Decimal(5)}) == Decimal("62.000")
        # missing points count as zero
        assert scoring.weighted_total(rubric, {first.id: Decimal(10)}) == Decimal("40.000")


def test_levels_and_maxima_are_checked(app, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        with pytest.raises(FestivalError, match="Các mức"):
            rubrics.save_rubric(
                festival,
                None,
                [rubrics.CriterionInput("A", max_points=10, levels=[rubrics.LevelInput(12, "Quá")])],
                by=None,
            )
        with pytest.raises(FestivalError, match="ít nhất một tiêu chí tính điểm"):
            rubrics.save_rubric(
                festival, None, [rubrics.CriterionInput("Có/không", kind=CriterionKind.YES_NO)], by=None
            )
    assert rubrics.parse_levels("0 – Không đạt; 10 – Đạt\n20=Tốt; 30: Xuất sắc") == [
        rubrics.LevelInput(0, "Không đạt"),
        rubrics.LevelInput(10, "Đạt"),
        rubrics.LevelInput(20, "Tốt"),
        rubrics.LevelInput(30, "Xuất sắc"),
    ]


def test_a_rubric_is_edited_in_place_until_a_sheet_is_submitted(app, judged):
    with app.app_context():
        festival = db.session.get(Festival, db.session.get(Rubric, judged["rubric"]).festival_id)
        edited = rubric_inputs()
        edited[1].name_vi = "Khả năng áp dụng"
        for data, criterion_id in zip(edited, [judged["criteria"][i] for i in range(5)]):
            data.id = criterion_id
        rubric = rubrics.save_rubric(festival, None, edited, by=None)
        assert rubric.id == judged["rubric"] and rubric.version == 1
        assert rubric.criteria[1].name_vi == "Khả năng áp dụng"


def test_a_change_after_a_submission_makes_a_new_version_and_sheets_keep_theirs(app, judged):
    with app.app_context():
        sheet = (
            db.session.execute(db.select(ScoreSheet).where(ScoreSheet.judge_id == judged["judges"]["judge"]))
            .scalars()
            .first()
        )
        judge = db.session.get(User, judged["judges"]["judge"])
        c = judged["criteria"]
        data = scoring.SheetInput(
            "t", 1, {c[0]: Decimal(30), c[1]: Decimal(25), c[2]: Decimal(30), c[3]: Decimal(15)}, {}
        )
        scoring.submit_sheet(sheet, judge, data, utcnow())
        festival = sheet.exhibit.festival
        edited = rubric_inputs()
        edited[2].max_points = 20
        new = rubrics.save_rubric(festival, None, edited, by=None)
        db.session.commit()
        assert new.version == 2 and new.id != judged["rubric"]
        old = db.session.get(Rubric, judged["rubric"])
        assert old.is_current is False and rubrics.is_frozen(old)
        assert sheet.rubric_id == old.id and scoring.sheet_total(sheet) == Decimal("100.000")
        assert rubrics.current_rubric(festival, sheet.exhibit.category).id == new.id
        # a sheet not started yet takes the new version at its first save
        other = (
            db.session.execute(
                db.select(ScoreSheet).where(
                    ScoreSheet.status == SheetStatus.NOT_STARTED, ScoreSheet.judge_id == judge.id
                )
            )
            .scalars()
            .first()
        )
        if other is not None:
            scoring.save_sheet(other, judge, scoring.SheetInput("t", 2, {}, {}), utcnow())
            assert other.rubric_id == new.id


def test_rubric_page_shows_the_version_and_saves(client, login_as, judged):
    login_as("organizer")
    page = client.get("/judging/rubric").get_data(as_text=True)
    assert "Phiên bản 1." in page and 'value="Tính mới, tính sáng tạo"' in page
    assert "0 – Không đạt; 10 – Đạt; 20 – Tốt; 30 – Xuất sắc" in page


def test_level_names_and_guidance_are_shown_in_english_to_an_english_judge(app, client, auth, login_as, judged):
    assert rubrics.parse_levels("10 – Đạt / Met; 20 – Tốt / Good")[1] == rubrics.LevelInput(20, "Tốt", "Good")
    login_as("organizer")
    page = client.get("/judging/rubric").get_data(as_text=True)
    form = {name: value for name, value in re.findall(r'name="(criteria-\d+-[a-z_]+)"[^>]*value="([^"]*)"', page)}
    for name, text in re.findall(r'name="(criteria-\d+-(?:guidance|guidance_en))"[^>]*>([^<]*)</textarea>', page):
        form[name] = text
    for name, value in re.findall(
        r'<select[^>]*name="(criteria-\d+-kind)"[^>]*>.*?<option selected value="([^"]*)"', page, re.S
    ):
        form[name] = value
    for row in range(10):  # the rubric's empty rows, as a browser posts them
        form.setdefault(f"criteria-{row}-kind", "points")
    form["criteria-0-levels"] = "0 – Không đạt / Not met; 15 – Đạt / Met; 30 – Xuất sắc / Excellent"
    form["criteria-0-guidance_en"] = "New, never applied in the unit."
    response = client.post("/judging/rubric", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    page = client.get("/judging/rubric").get_data(as_text=True)
    assert "0 – Không đạt / Not met; 15 – Đạt / Met; 30 – Xuất sắc / Excellent" in page  # read back as typed
    client.post("/auth/logout")
    auth.login(judged["emails"]["judge"])
    sheet = next(
        sheet_id for (_code, email), sheet_id in judged["sheets"].items() if email == judged["emails"]["judge"]
    )
    vietnamese = client.get(f"/judging/sheets/{sheet}").get_data(as_text=True)
    assert "<span>Xuất sắc</span>" in vietnamese and "New, never applied" not in vietnamese
    client.post("/lang/en")
    english = client.get(f"/judging/sheets/{sheet}").get_data(as_text=True)
    assert "<span>Excellent</span>" in english and "<span>Not met</span>" in english
    assert "New, never applied in the unit." in english
