"""A festival with a few attendees of different roles."""

import pytest

from festival.badges import services
from festival.core.extensions import db
from festival.models import Festival, Unit


@pytest.fixture
def crowd(app, people):
    """Three attendees: two delegates of unit A (one with a long name), a guest without a unit."""
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        unit_a = db.session.get(Unit, people["ids"]["unit_a"])
        delegate = services.role_by_code(festival, "delegate")
        guest = services.role_by_code(festival, "guest")
        made = [
            services.add_attendee(
                festival,
                services.AttendeeInput(
                    "Nguyễn Thị Hằng", delegate, unit_a, email="hang@example.vn", phone="0912 345 678"
                ),
                by=None,
            ),
            services.add_attendee(
                festival, services.AttendeeInput("PGS.TS. Nguyễn Thị Thanh Hương Giang", delegate, unit_a), by=None
            ),
            services.add_attendee(
                festival, services.AttendeeInput("Lê Văn Đức", guest, None, organisation="Báo Lao Động"), by=None
            ),
        ]
        db.session.commit()
        return {"ids": [a.id for a in made], "tokens": [a.badge_token for a in made], "festival": festival.id}
