"""The sector of the demo festival (its units and categories) with an organizer, for the import tests."""

import pytest

from festival import demo
from festival.admin import services as admin
from festival.core.extensions import db
from festival.exhibits import services as exhibits
from festival.models import Attendee, AuditLog, Exhibit, ImportMapping, Role
from tests import factories

ORGANIZER = "btc@festival.example.vn"


def make_sector(app) -> dict:
    """The 3rd festival with the sector's 16 units and 6 categories, a quota of 50, and an organizer."""
    with app.app_context():
        festival = factories.make_festival(edition=3)
        festival.exhibit_quota = 50
        for row in demo.read_rows("units.csv"):
            admin.create_unit(
                row["code"], row["name"], row["short_name"], admin.region_from_text(row["region"]), by=None
            )
        for row in demo.read_rows("categories.csv"):
            exhibits.save_category(festival, None, row["code"], row["name_vi"], row["name_en"], by=None)
        organizer = factories.make_user(Role.ORGANIZER, email=ORGANIZER, full_name="Ban tổ chức")
        db.session.commit()
        return {"festival": festival.id, "organizer": organizer.id}


@pytest.fixture
def sector(app):
    """The demo festival's sector (see make_sector)."""
    return make_sector(app)


@pytest.fixture
def organizer(client, auth, sector):
    """The client, signed in as the sector's organizer."""
    assert auth.login(ORGANIZER).status_code == 302
    return client


def count(app, model=Attendee) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def written(app) -> dict:
    """How many rows an import could have written, table by table."""
    return {model.__name__: count(app, model) for model in (Attendee, Exhibit, ImportMapping, AuditLog)}
