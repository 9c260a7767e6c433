"""A festival with three booths (units A, B and C), three judges on the booth panel (one of them from unit B)
and their sheets assigned."""

from decimal import Decimal

import pytest

from festival.booths import scoring, services
from festival.core.extensions import db
from festival.models import BoothSheet, Category, ExhibitStatus, Festival, Region, Role, Unit, User, utcnow
from tests import factories


@pytest.fixture
def booth_world(app, people):
    """Unit A shows two exhibits (booths 1 and 3), B one (booth 2), C one (booth 4); unit D only a draft.
    Judges: `judge` and `judge_c` (no unit), `judge_b` (unit B); all three on the booth panel, assigned."""
    ids = people["ids"]
    with app.app_context():
        festival = db.session.get(Festival, ids["festival"])
        category = db.session.get(Category, ids["category"])
        unit_a, unit_b = db.session.get(Unit, ids["unit_a"]), db.session.get(Unit, ids["unit_b"])
        unit_c = factories.make_unit("UNITC", name="Công ty Cổ phần Dệt 10/10", short_name="Dệt 10/10")
        unit_d = factories.make_unit("UNITD", region=Region.DANANG, name="Công ty Dệt may Hoà Thọ")
        accepted = ExhibitStatus.ACCEPTED
        make = factories.make_exhibit
        make(festival, unit_a, category, status=accepted, code="KT-01", booth="1", title="Cữ gá may túi")
        make(festival, unit_a, category, status=accepted, code="KT-03", booth="3", title="Máy cắt chỉ")
        make(festival, unit_b, category, status=accepted, code="KT-02", booth="2", title="Bàn là hơi")
        make(festival, unit_c, category, status=accepted, code="KT-04", booth="4", title="Xe đẩy vải")
        make(festival, unit_d, category, title="Bản nháp của D")
        organizer = db.session.get(User, ids["organizer_user"])
        judge = db.session.get(User, ids["judge_user"])
        judge_b = factories.make_user(Role.JUDGE, email="judge-b@example.vn", full_name="Trần Văn Bảo", unit=unit_b)
        judge_c = factories.make_user(Role.JUDGE, email="judge-c@example.vn", full_name="Lê Thị Cúc")
        services.set_booth_panel(festival, {judge.id, judge_b.id, judge_c.id}, by=organizer)
        services.assign_booth_judges(festival, by=organizer)
        db.session.commit()
        sheets = {(s.unit.code, s.judge.email): s.id for s in db.session.execute(db.select(BoothSheet)).scalars()}
        return {
            "festival": festival.id,
            "units": {u.code: u.id for u in (unit_a, unit_b, unit_c, unit_d)},
            "organizer": organizer.id,
            "judges": {"judge": judge.id, "judge_b": judge_b.id, "judge_c": judge_c.id},
            "emails": {"judge": judge.email, "judge_b": judge_b.email, "judge_c": judge_c.email},
            "criteria": [c.id for c in services.booth_criteria(festival)],
            "sheets": sheets,
        }


def sheet_of(booth_world, unit_code, who="judge"):
    return booth_world["sheets"][(unit_code, booth_world["emails"][who])]


def form(booth_world, points, comment="", base=0, action="save"):
    """The sheet form as a browser posts it: points by criterion position."""
    data = {f"points-{booth_world['criteria'][i]}": str(p) for i, p in enumerate(points)}
    return {**data, "comment": comment, "base": str(base), "action": action}


def score(app, booth_world, unit_code, who, points, submit=True):
    """A judge scores a booth through the services (and submits, unless told not to)."""
    with app.app_context():
        sheet = db.session.get(BoothSheet, sheet_of(booth_world, unit_code, who))
        judge = db.session.get(User, booth_world["judges"][who])
        data = scoring.BoothSheetInput(
            dict(zip(booth_world["criteria"], (Decimal(str(p)) for p in points))), "", sheet.revision
        )
        if submit:
            scoring.submit_booth_sheet(sheet, judge, data, utcnow())
        else:
            scoring.save_booth_sheet(sheet, judge, data, utcnow())
        db.session.commit()
