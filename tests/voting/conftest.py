"""A festival with its vote open: three accepted exhibits (two of unit A, one of unit B) in two
categories, and badges of several kinds (checked in or not)."""

from datetime import timedelta

import pytest

from festival.badges import services as badges
from festival.core.extensions import db
from festival.models import Attendee, Category, ExhibitStatus, Festival, Unit, VotePolicy, utcnow
from tests import factories


def make_attendee(festival, name, role_code, unit=None, checked_in=True):
    role = badges.role_by_code(festival, role_code)
    attendee = Attendee(festival=festival, full_name=name, role=role, unit=unit)
    if checked_in:
        attendee.checked_in_at, attendee.checked_in_gate = utcnow() - timedelta(hours=1), "Cổng chính"
    db.session.add(attendee)
    db.session.flush()
    return attendee


@pytest.fixture
def vote_world(app, people):
    ids = people["ids"]
    with app.app_context():
        festival = db.session.get(Festival, ids["festival"])
        category = db.session.get(Category, ids["category"])
        other_category = factories.make_category(festival, code="QL", name_vi="Quản lý", name_en="Management")
        unit_a, unit_b = db.session.get(Unit, ids["unit_a"]), db.session.get(Unit, ids["unit_b"])
        make = factories.make_exhibit
        a1 = make(
            festival, unit_a, category, status=ExhibitStatus.ACCEPTED, code="KT-01", booth="1", title="Cữ gá may túi"
        )
        a2 = make(
            festival, unit_a, category, status=ExhibitStatus.ACCEPTED, code="KT-02", booth="2", title="Bàn là hơi"
        )
        b1 = make(
            festival,
            unit_b,
            other_category,
            status=ExhibitStatus.ACCEPTED,
            code="QL-01",
            booth="3",
            title="Phần mềm ca",
        )
        draft = make(festival, unit_b, category, status=ExhibitStatus.DRAFT, title="Bản nháp")
        now = utcnow()
        db.session.add(
            VotePolicy(
                festival=festival,
                is_enabled=True,
                opens_at=now - timedelta(hours=2),
                closes_at=now + timedelta(hours=2),
                voter_roles=["delegate", "guest", "author"],
                per_category=False,
                own_unit_allowed=False,
                winners=1,
                unlock_reason="",
            )
        )
        people_ = {
            "guest": make_attendee(festival, "Khách Mời Một", "guest"),
            "guest2": make_attendee(festival, "Khách Mời Hai", "guest"),
            "delegate_a": make_attendee(festival, "Đại Biểu A", "delegate", unit_a),
            "late": make_attendee(festival, "Chưa Vào Cổng", "guest", checked_in=False),
            "judge": make_attendee(festival, "Giám Khảo Một", "judge"),
        }
        db.session.commit()
        world = {"festival": festival.id, "a1": a1.id, "a2": a2.id, "b1": b1.id, "draft": draft.id}
        world["category"], world["other_category"] = category.id, other_category.id
        for key, attendee in people_.items():
            world[key] = attendee.id
            world[f"{key}_token"] = attendee.badge_token
        return world


def set_policy(app, festival_id, **values):
    with app.app_context():
        policy = db.session.get(VotePolicy, festival_id)
        for name, value in values.items():
            setattr(policy, name, value)
        db.session.commit()


def link(client, token):
    response = client.post(f"/vote/link/{token}", data={"consent": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response
