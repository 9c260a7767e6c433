"""Search ignores accents through one mechanism: every searchable row's folded text is rebuilt at
flush, so a change made anywhere (a service, a command, a test) is found by the next search."""

from festival.admin import services as admin_services
from festival.badges import services as badges
from festival.core.extensions import db
from festival.exhibits import services as exhibits
from festival.models import Author, Exhibit, Festival, Unit
from tests import factories


def test_an_authors_new_name_finds_the_exhibit_without_any_refresh_call(app, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        unit = db.session.get(Unit, people["ids"]["unit_a"])
        category = factories.make_category(festival, code="MT", name_vi="Môi trường")
        exhibit = factories.make_exhibit(festival, unit, category, authors=("Nguyễn Văn An",))
        db.session.commit()
        author = db.session.execute(db.select(Author).where(Author.exhibit_id == exhibit.id)).scalar_one()
        author.full_name = "Trần Thị Bích Ngọc"
        exhibit.authors.append(Author(position=1, full_name="Lê Đức Thọ"))
        db.session.commit()
        found = db.session.execute(
            exhibits.search_exhibits(festival, exhibits.ExhibitFilters(query="bich ngoc"))
        ).scalars()
        assert [e.id for e in found] == [exhibit.id]
        found = db.session.execute(
            exhibits.search_exhibits(festival, exhibits.ExhibitFilters(query="duc tho"))
        ).scalars()
        assert [e.id for e in found] == [exhibit.id]
        assert "nguyen van an" not in db.session.get(Exhibit, exhibit.id).search_text


def test_people_are_found_by_their_units_new_code(app, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        unit = db.session.get(Unit, people["ids"]["unit_a"])
        delegate = badges.role_by_code(festival, "delegate")
        attendee = badges.add_attendee(festival, badges.AttendeeInput("Phạm Thị Hoa", delegate, unit), by=None)
        db.session.commit()
        admin_services.update_unit(unit, "DGIANG", unit.name, unit.short_name, unit.region, by=None)
        db.session.commit()
        found = db.session.execute(badges.search_attendees(festival, badges.AttendeeFilters(query="dgiang"))).scalars()
        assert [a.id for a in found] == [attendee.id]
        units = db.session.execute(admin_services.search_units(None, "dgiang")).scalars()
        assert [u.id for u in units] == [unit.id]
