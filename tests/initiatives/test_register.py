"""The register list: who sees which unit's initiatives."""

from festival.core.extensions import db
from festival.models import Initiative, InitiativeAuthor, Unit


def _add(unit_id: int, number: int, title: str, author: str) -> None:
    initiative = Initiative(unit_id=unit_id, year=2026, number=number, title=title)
    initiative.authors.append(InitiativeAuthor(full_name=author, share_percent=100))
    db.session.add(initiative)


def _register(app, people):
    with app.app_context():
        _add(people["ids"]["unit_a"], 1, "Cữ gá may túi", "Nguyễn Thị Hoà")
        _add(people["ids"]["unit_b"], 1, "Bàn cắt tự động", "Trần Văn Bình")
        db.session.commit()


def test_support_team_lands_on_its_own_units_register(app, people, auth, client):
    _register(app, people)
    response = auth.login(people["emails"]["support_a"])
    assert response.headers["Location"].endswith("/initiatives/")
    page = client.get("/initiatives/").get_data(as_text=True)
    assert "SK-2026-001" in page and "Cữ gá may túi" in page and "Nguyễn Thị Hoà" in page
    assert "Bàn cắt tự động" not in page


def test_organizer_sees_every_units_register_and_finds_an_author_without_accents(app, people, login_as):
    _register(app, people)
    client = login_as("organizer")
    page = client.get("/initiatives/").get_data(as_text=True)
    assert "Cữ gá may túi" in page and "Bàn cắt tự động" in page
    page = client.get("/initiatives/?q=tran van binh").get_data(as_text=True)
    assert "Bàn cắt tự động" in page and "Cữ gá may túi" not in page
    with app.app_context():
        unit_b = db.session.get(Unit, people["ids"]["unit_b"])
        page = client.get(f"/initiatives/?unit={unit_b.id}").get_data(as_text=True)
    assert "Bàn cắt tự động" in page and "Cữ gá may túi" not in page


def test_an_empty_register_says_so(people, login_as):
    page = login_as("unit_b").get("/initiatives/").get_data(as_text=True)
    assert "Sổ sáng kiến chưa có sáng kiến nào." in page
