"""A judged festival: a rubric with levels and a yes/no question, a panel, accepted exhibits, sheets."""

from decimal import Decimal

import pytest

from festival.core.extensions import db
from festival.judging import panels, rubrics
from festival.models import Category, CriterionKind, ExhibitStatus, Festival, Role, ScoreSheet, Unit, User
from tests import factories


def rubric_inputs():
    """Novelty 30 (levels 0/10/20/30), applicability 25, effect 30, social 15 (levels), and a question."""
    return [
        rubrics.CriterionInput(
            "Tính mới, tính sáng tạo",
            "Novelty",
            max_points=30,
            levels=[
                rubrics.LevelInput(p, label)
                for p, label in [(0, "Không đạt"), (10, "Đạt"), (20, "Tốt"), (30, "Xuất sắc")]
            ],
        ),
        rubrics.CriterionInput("Khả năng áp dụng, nhân rộng", "Applicability", max_points=25),
        rubrics.CriterionInput("Hiệu quả kinh tế – kỹ thuật", "Economic effect", max_points=30),
        rubrics.CriterionInput(
            "Hiệu quả xã hội",
            "Social effect",
            max_points=15,
            levels=[rubrics.LevelInput(p, str(p)) for p in (0, 5, 10, 15)],
        ),
        rubrics.CriterionInput("Đề xuất nhân rộng toàn ngành?", "Recommend?", kind=CriterionKind.YES_NO),
    ]


@pytest.fixture
def judged(app, people):
    """Unit A and B exhibits (accepted), three judges on the KT panel, sheets assigned (k=2)."""
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        category = db.session.get(Category, people["ids"]["category"])
        unit_a, unit_b = db.session.get(Unit, people["ids"]["unit_a"]), db.session.get(Unit, people["ids"]["unit_b"])
        organizer = db.session.get(User, people["ids"]["organizer_user"])
        rubric = rubrics.save_rubric(festival, None, rubric_inputs(), by=organizer)
        judge = db.session.get(User, people["ids"]["judge_user"])
        judge_b = factories.make_user(Role.JUDGE, email="judge-b@example.vn", full_name="Trần Văn Bảo", unit=unit_b)
        judge_c = factories.make_user(Role.JUDGE, email="judge-c@example.vn", full_name="Lê Thị Cúc")
        exhibits = [
            factories.make_exhibit(
                festival,
                unit_a,
                category,
                status=ExhibitStatus.ACCEPTED,
                code="KT-01",
                booth="1",
                title="Cữ gá may túi",
                benefit_vnd=100,
            ),
            factories.make_exhibit(
                festival,
                unit_b,
                category,
                status=ExhibitStatus.ACCEPTED,
                code="KT-02",
                booth="2",
                title="Bàn là hơi",
                benefit_vnd=200,
            ),
            factories.make_exhibit(
                festival,
                unit_a,
                category,
                status=ExhibitStatus.ACCEPTED,
                code="KT-03",
                booth="3",
                title="Máy cắt chỉ",
                benefit_vnd=300,
            ),
        ]
        panels.set_panels(festival, {(category.id, j.id) for j in (judge, judge_b, judge_c)}, by=organizer)
        panels.assign_judges(festival, 2, by=organizer)
        db.session.commit()
        criteria = {c.position: c.id for c in rubric.criteria}
        sheets = {(s.exhibit.code, s.judge.email): s.id for s in db.session.execute(db.select(ScoreSheet)).scalars()}
        return {
            "rubric": rubric.id,
            "criteria": criteria,
            "exhibits": {e.code: e.id for e in exhibits},
            "judges": {"judge": judge.id, "judge_b": judge_b.id, "judge_c": judge_c.id},
            "emails": {"judge": judge.email, "judge_b": judge_b.email, "judge_c": judge_c.email},
            "sheets": sheets,
        }


def snapshot(
    judged,
    seq,
    client="tablet-1",
    novelty=20,
    applicability=Decimal("18.5"),
    effect=25,
    social=10,
    recommend=True,
    comment="Tốt",
    base=0,
):
    c = judged["criteria"]
    return {
        "client_id": client,
        "seq": seq,
        "base": base,
        "points": {
            str(c[0]): novelty,
            str(c[1]): str(applicability) if applicability is not None else None,
            str(c[2]): effect,
            str(c[3]): social,
        },
        "answers": {str(c[4]): recommend},
        "comment": comment,
    }


def sheet_of(judged, code, who="judge"):
    return judged["sheets"][(code, judged["emails"][who])]
