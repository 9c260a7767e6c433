"""Intake's fixtures: a production team of unit A."""

import pytest

from festival.core.extensions import db
from festival.models import ProductionTeam, Unit


@pytest.fixture
def team(app, people):
    """Unit A's sewing team 3, with its poster key: (id, key)."""
    with app.app_context():
        unit = db.session.get(Unit, people["ids"]["unit_a"])
        team = ProductionTeam(unit=unit, department="Xí nghiệp May 1", name="Tổ may 3")
        db.session.add(team)
        db.session.commit()
        return {"id": team.id, "key": team.intake_key}
