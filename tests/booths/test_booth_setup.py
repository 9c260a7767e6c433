"""The booth rubric (its default, edited until used, then frozen) and the panel's sheets (never a judge's own unit)."""

from decimal import Decimal

import pytest

from festival.booths import scoring, services
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.models import AuditLog, BoothCriterion, BoothSheet, Festival, Role, Unit, User
from tests import factories
from tests.booths.conftest import score, sheet_of


def test_a_new_festival_has_the_default_vietnamese_booth_rubric(app, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        criteria = services.booth_criteria(festival)
        assert [(c.name_vi, c.name_en, c.max_points, c.weight) for c in criteria] == [
            ("Trang trí gian hàng", "Booth decoration", 10, Decimal(30)),
            ("Thể hiện chủ đề", "Theme", 10, Decimal(25)),
            ("Sản phẩm trưng bày", "Products shown", 10, Decimal(25)),
            ("Hướng dẫn, giới thiệu cho khách tham quan", "Guidance for visitors", 10, Decimal(20)),
        ]
        assert services.booth_policy_for(festival).is_final is False


def test_organizer_edits_the_booth_rubric_until_a_sheet_is_submitted(app, booth_world, login_as):
    client = login_as("organizer")
    page = client.get("/booths/rubric")
    assert page.status_code == 200 and "Trang trí gian hàng" in page.get_data(as_text=True)
    first = booth_world["criteria"][0]
    data = {
        "criteria-0-id": str(first),
        "criteria-0-name_vi": "Trang trí, thẩm mỹ gian hàng",
        "criteria-0-name_en": "Decoration",
        "criteria-0-max_points": "20",
        "criteria-0-weight": "40",
        "criteria-1-name_vi": "Ấn tượng chung",
        "criteria-1-max_points": "10",
    }
    response = client.post("/booths/rubric", data=data)
    assert response.status_code == 302
    with app.app_context():
        festival = db.session.get(Festival, booth_world["festival"])
        criteria = services.booth_criteria(festival)
        assert [(c.id == first, c.name_vi, c.max_points, c.weight) for c in criteria] == [
            (True, "Trang trí, thẩm mỹ gian hàng", 20, Decimal(40)),
            (False, "Ấn tượng chung", 10, Decimal(10)),
        ]
        assert db.session.execute(db.select(AuditLog).where(AuditLog.action == "booth_rubric.saved")).scalar_one()


def test_the_booth_rubric_is_frozen_once_a_sheet_is_submitted(app, booth_world, login_as):
    score(app, booth_world, "UNITA", "judge", [8, 8, 8, 8])
    client = login_as("organizer")
    page = client.get("/booths/rubric").get_data(as_text=True)
    assert "thang điểm đã cố định và không sửa được nữa" in page
    response = client.post("/booths/rubric", data={"criteria-0-name_vi": "Tiêu chí khác", "criteria-0-max_points": "5"})
    assert response.status_code == 422
    assert "đã được dùng để chấm (đã có phiếu nộp) nên không sửa được nữa" in response.get_data(as_text=True)
    with app.app_context():
        names = db.session.execute(db.select(BoothCriterion.name_vi).order_by(BoothCriterion.position)).scalars()
        assert list(names)[0] == "Trang trí gian hàng"
        festival = db.session.get(Festival, booth_world["festival"])
        organizer = db.session.get(User, booth_world["organizer"])
        with pytest.raises(NotAllowed):
            services.save_booth_rubric(festival, [services.CriterionInput("Khác")], by=organizer)


def test_removing_a_criterion_before_use_drops_its_draft_points_with_a_history_row(app, booth_world):
    score(app, booth_world, "UNITA", "judge", [8, 7, 6, 5], submit=False)
    with app.app_context():
        festival = db.session.get(Festival, booth_world["festival"])
        organizer = db.session.get(User, booth_world["organizer"])
        kept = services.booth_criteria(festival)[:3]
        services.save_booth_rubric(
            festival,
            [services.CriterionInput(c.name_vi, max_points=10, weight=c.weight, id=c.id) for c in kept],
            organizer,
        )
        db.session.commit()
        sheet = db.session.get(BoothSheet, sheet_of(booth_world, "UNITA"))
        assert sorted(s.points for s in sheet.scores) == [Decimal(6), Decimal(7), Decimal(8)]
        removed = [h for h in scoring.sheet_history(sheet) if h.old_value == "5"]
        assert len(removed) == 1 and removed[0].new_value is None
        # Its earlier history no longer names the removed criterion (whose id a new one may get).
        assert [h.criterion_id for h in scoring.sheet_history(sheet) if "5" in (h.old_value, h.new_value)] == [
            None,
            None,
        ]


def test_assign_gives_each_panel_judge_every_booth_except_their_own_units(app, booth_world):
    pairs = set(booth_world["sheets"])
    emails = booth_world["emails"]
    assert pairs == {
        (unit, emails[who])
        for unit in ("UNITA", "UNITB", "UNITC")
        for who in ("judge", "judge_b", "judge_c")
        if (unit, who) != ("UNITB", "judge_b")
    }
    with app.app_context():  # assigning again adds nothing; unit D (no accepted exhibit) has no booth
        festival = db.session.get(Festival, booth_world["festival"])
        organizer = db.session.get(User, booth_world["organizer"])
        assert services.assign_booth_judges(festival, by=organizer) == 0
        assert [b.unit.code for b in services.booths(festival)] == ["UNITA", "UNITB", "UNITC"]
        assert services.booths(festival)[0].location == "1, 3"


def test_a_judge_leaving_the_panel_loses_the_booths_not_started(app, booth_world):
    score(app, booth_world, "UNITA", "judge_c", [5, 5, 5, 5], submit=False)
    with app.app_context():
        festival = db.session.get(Festival, booth_world["festival"])
        organizer = db.session.get(User, booth_world["organizer"])
        services.set_booth_panel(
            festival, {booth_world["judges"]["judge"], booth_world["judges"]["judge_b"]}, organizer
        )
        services.assign_booth_judges(festival, by=organizer)
        judge_c = db.session.get(User, booth_world["judges"]["judge_c"])
        assert [s.unit.code for s in scoring.judge_booth_sheets(judge_c, festival)] == ["UNITA"]  # started: kept


def test_a_judge_of_the_booths_own_unit_is_refused_by_hand_with_a_clear_message(app, booth_world, login_as):
    client = login_as("organizer")
    unit_b, judge_b = booth_world["units"]["UNITB"], booth_world["judges"]["judge_b"]
    response = client.post(f"/booths/assignments/{unit_b}/add", data={"judge_id": judge_b})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/booths/assignments#booth-{unit_b}")
    page = client.get("/booths/assignments").get_data(as_text=True)
    assert "Trần Văn Bảo thuộc Tổng Công ty May Việt Tiến nên không được chấm gian hàng của chính đơn vị mình." in page
    with app.app_context():
        assert (
            db.session.execute(
                db.select(BoothSheet).where(BoothSheet.unit_id == unit_b, BoothSheet.judge_id == judge_b)
            ).first()
            is None
        )


def test_organizer_adds_a_judge_to_a_booth_by_hand(app, booth_world, login_as):
    with app.app_context():
        extra = factories.make_user(Role.JUDGE, email="judge-d@example.vn", full_name="Phạm Thu Dung").id
        db.session.commit()
    client = login_as("organizer")
    unit_c = booth_world["units"]["UNITC"]
    assert client.post(f"/booths/assignments/{unit_c}/add", data={"judge_id": extra}).status_code == 302
    with app.app_context():
        sheet = db.session.execute(db.select(BoothSheet).where(BoothSheet.judge_id == extra)).scalar_one()
        assert sheet.unit_id == unit_c and sheet.is_manual
        unit_d = db.session.get(Unit, booth_world["units"]["UNITD"])
        with pytest.raises(FestivalError, match="không có gian hàng"):
            services.add_booth_assignment(
                sheet.festival, unit_d, sheet.judge, by=db.session.get(User, booth_world["organizer"])
            )


def test_the_control_room_shows_each_judges_booth_sheets(app, booth_world, login_as):
    score(app, booth_world, "UNITA", "judge", [8, 8, 8, 8])
    page = login_as("organizer").get("/judging/control/board").get_data(as_text=True)
    section = page.split('class="card mt-3 booth-progress"', 1)[1]
    # judge: A done of A, B, C; judge_b (unit B): A and C; judge_c: A, B, C.
    rows = section.split("<tr")[2:]
    counts = sorted(row.split('class="text-end">', 1)[1].split("<", 1)[0] for row in rows)
    assert counts == ["0/2", "0/3", "1/3"]
