"""The public phone form a team's poster opens: no account, the register's next number, the photo in the store,
refusals that keep what was typed, and a limit on how often one address sends."""

import io

import pytest
import sqlalchemy as sa

from festival.core import uploads
from festival.core.extensions import db
from festival.initiatives import services as initiatives
from festival.intake import services
from festival.models import (
    Initiative,
    InitiativeFile,
    InitiativeSource,
    InitiativeState,
    ProductionTeam,
    Unit,
    utcnow,
)
from festival.util.formatting import festival_today
from tests import factories
from tests.conftest import make_app

IDEA = {
    "full_name": "Lò Thị Mai",
    "phone": "0912 345 678",
    "title": "Cữ gá may túi nhanh",
    "idea": "Dùng cữ gá bằng mica để may túi đều và nhanh hơn.",
}


def _year(app) -> int:
    with app.app_context():
        return festival_today().year


def _initiatives(app):
    with app.app_context():
        found = db.session.execute(sa.select(Initiative).order_by(Initiative.number)).scalars().all()
        for initiative in found:
            initiative.files  # noqa: B018 - loaded before the session closes
        db.session.expunge_all()
        return found


def test_the_form_shows_the_unit_and_team_and_the_privacy_notice_beside_it(client, team):
    page = client.get(f"/y-tuong/{team['key']}").get_data(as_text=True)
    assert "Tổng Công ty May Đức Giang" in page and "Tổ may 3 – Xí nghiệp May 1" in page
    form = page[page.index('enctype="multipart/form-data"') :]
    assert 'class="privacy-notice-link"' in form[: form.index("</form>")]
    assert 'type="file"' in page and 'type="tel"' in page


def test_an_idea_with_a_photo_goes_into_the_register_as_received_from_qr(app, client, people, team):
    data = {**IDEA, "photo": (io.BytesIO(factories.jpeg_bytes(640, 480, gps=True)), "may-tui.jpg")}
    response = client.post(f"/y-tuong/{team['key']}", data=data, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/y-tuong/{team['key']}/cam-on")
    (initiative,) = _initiatives(app)
    year = _year(app)
    assert (initiative.unit_id, initiative.year, initiative.number) == (people["ids"]["unit_a"], year, 1)
    assert (initiative.source, initiative.state) == (InitiativeSource.INTAKE, InitiativeState.RECEIVED)
    assert (initiative.title, initiative.solution) == (IDEA["title"], IDEA["idea"])
    where = (initiative.team_id, initiative.team_name, initiative.department)
    assert where == (team["id"], "Tổ may 3", "Xí nghiệp May 1")
    assert (initiative.submitter_name, initiative.submitter_phone) == ("Lò Thị Mai", "0912 345 678")
    (photo,) = initiative.files
    assert (photo.original_name, photo.content_type, photo.width, photo.height) == (
        "may-tui.jpg",
        "image/jpeg",
        640,
        480,
    )
    with app.app_context():
        stored = uploads.read_stored(photo.stored_name)
        assert stored.startswith(b"\xff\xd8") and b"GPS" not in stored  # re-encoded as exhibits' photos are
        assert uploads.read_stored(photo.thumbnail_name)
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cảm ơn bạn đã gửi ý tưởng!" in thanks and f"SK-{year}-001" in thanks


def test_numbers_follow_the_units_year_and_another_unit_starts_at_one(app, client, people, team):
    with app.app_context():
        unit_a = db.session.get(Unit, people["ids"]["unit_a"])
        year = festival_today().year
        db.session.add(Initiative(unit=unit_a, year=year, number=14, title="Đã có"))
        db.session.add(Initiative(unit=unit_a, year=year - 1, number=80, title="Năm trước"))
        unit_b = db.session.get(Unit, people["ids"]["unit_b"])
        team_b = ProductionTeam(unit=unit_b, name="Tổ 1")
        db.session.add(team_b)
        db.session.commit()
        key_b = team_b.intake_key
    client.post(f"/y-tuong/{team['key']}", data=IDEA)
    client.post(f"/y-tuong/{key_b}", data=IDEA)
    numbers = {(i.unit_id, i.year, i.number) for i in _initiatives(app) if i.source is InitiativeSource.INTAKE}
    assert numbers == {(people["ids"]["unit_a"], year, 15), (people["ids"]["unit_b"], year, 1)}


def test_a_number_taken_meanwhile_is_skipped_without_an_error(app, people, team, monkeypatch):
    """Two phones at once read the same highest number; the later insert meets the unique constraint and takes
    the next one (simulated: the first read answers a number already taken)."""
    with app.app_context():
        unit = db.session.get(Unit, people["ids"]["unit_a"])
        year = festival_today().year
        db.session.add(Initiative(unit=unit, year=year, number=1, title="Gửi cùng lúc"))
        db.session.commit()
        answers = iter([1])
        real = initiatives.next_number
        monkeypatch.setattr(initiatives, "next_number", lambda u, y: next(answers, None) or real(u, y))
        team_row = db.session.get(ProductionTeam, team["id"])
        initiative = services.receive_idea(team_row, services.Idea("An", "0912345678", "Ý tưởng", "Vài dòng"), utcnow())
        db.session.commit()
        assert initiative.number == 2
        assert db.session.execute(sa.select(sa.func.count()).select_from(Initiative)).scalar() == 2


def test_refusals_keep_what_was_typed_with_clear_messages(app, client, team):
    data = {**IDEA, "phone": "12345", "title": ""}
    response = client.post(f"/y-tuong/{team['key']}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Số điện thoại chưa đúng" in page and "Trường này là bắt buộc." in page
    assert 'value="Lò Thị Mai"' in page and 'value="12345"' in page and IDEA["idea"] in page
    assert _initiatives(app) == []


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_stored(app, client, team):
    data = {**IDEA, "photo": (io.BytesIO(factories.pdf_bytes()), "ho-so.pdf")}
    response = client.post(f"/y-tuong/{team['key']}", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "không phải ảnh JPEG, PNG hay WebP" in page
    assert 'value="Cữ gá may túi nhanh"' in page
    assert _initiatives(app) == []
    with app.app_context():
        assert db.session.execute(sa.select(InitiativeFile)).first() is None


def test_a_broken_photo_is_refused_by_the_upload_checks(app, client, team):
    data = {**IDEA, "photo": (io.BytesIO(b"\xff\xd8\xff" + b"0" * 200), "hong.jpg")}
    response = client.post(f"/y-tuong/{team['key']}", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "bị hỏng hoặc không đọc được" in response.get_data(as_text=True)
    assert _initiatives(app) == []


def test_support_team_sees_the_idea_in_its_register_marked_as_from_qr(app, client, login_as, team):
    client.post(f"/y-tuong/{team['key']}", data=IDEA)
    login_as("support_a")
    page = client.get("/initiatives/").get_data(as_text=True)
    assert "Cữ gá may túi nhanh" in page and "Ý tưởng gửi qua mã QR" in page


@pytest.fixture
def limited(tmp_path):
    (tmp_path / "limited").mkdir()
    return make_app(tmp_path / "limited", RATELIMIT_ENABLED=True, INTAKE_LIMIT="2 per minute")


def test_one_address_sending_too_often_is_held_back(limited):
    with limited.app_context():
        unit = factories.make_unit("UNITA")
        team = ProductionTeam(unit=unit, name="Tổ may 3")
        db.session.add(team)
        db.session.commit()
        key = team.intake_key
    phone = limited.test_client()
    statuses = [phone.post(f"/y-tuong/{key}", data=IDEA).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert "Hãy đợi một lát rồi thử lại." in phone.post(f"/y-tuong/{key}", data=IDEA).get_data(as_text=True)
    assert phone.get(f"/y-tuong/{key}").status_code == 200  # reading the form is not held back by the sending limit
    other = limited.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert other.post(f"/y-tuong/{key}", data=IDEA).status_code == 302
    with limited.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Initiative)).scalar() == 3
