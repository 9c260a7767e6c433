"""The teams' QR posters: the unit, the team, the call to action, and a code a phone reads as the form's address."""

import pytest

from festival.core.extensions import db
from festival.intake import printing
from festival.models import ProductionTeam
from tests.pdf_tools import page_count, page_qr_codes, page_texts

BASE = "https://ldst.congdoandetmay.vn"


@pytest.fixture
def app(app):
    app.config["PUBLIC_BASE_URL"] = BASE
    return app


def test_a_teams_poster_holds_the_absolute_address_of_its_phone_form(app, people, login_as, team):
    client = login_as("unit_a")
    response = client.get(f"/initiatives/teams/{team['id']}/poster.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    url = f"{BASE}/y-tuong/{team['key']}"
    assert page_qr_codes(response.data, dpi=150) == [[url]]
    (text,) = page_texts(response.data)
    flat = " ".join(text.split())
    for expected in ("Tổng Công ty May Đức Giang", "Tổ may 3", "Xí nghiệp May 1", url):
        assert expected in flat
    assert "Bạn có ý tưởng cải tiến? Quét mã để gửi" in flat


def test_the_units_poster_pdf_has_one_page_per_team(app, people, login_as, team):
    client = login_as("organizer")
    unit_id = people["ids"]["unit_a"]
    client.post(f"/initiatives/units/{unit_id}/teams/new", data={"name": "Tổ cắt 1", "department": "Xí nghiệp May 1"})
    response = client.get(f"/initiatives/units/{unit_id}/posters.pdf")
    assert response.status_code == 200 and page_count(response.data) == 2
    with app.app_context():
        keys = {
            t.name: t.intake_key
            for t in db.session.execute(db.select(ProductionTeam).order_by(ProductionTeam.name)).scalars()
        }
    assert page_qr_codes(response.data, dpi=150) == [
        [f"{BASE}/y-tuong/{keys['Tổ cắt 1']}"],
        [f"{BASE}/y-tuong/{keys['Tổ may 3']}"],
    ]


def test_a_unit_without_teams_is_told_so_instead_of_an_empty_pdf(people, login_as):
    client = login_as("unit_b")
    response = client.get(f"/initiatives/units/{people['ids']['unit_b']}/posters.pdf", follow_redirects=True)
    assert "Đơn vị chưa có tổ nào để in áp phích." in response.get_data(as_text=True)


def test_render_without_http_refuses_an_empty_list(app):
    with app.app_context(), pytest.raises(ValueError):
        printing.render_team_posters([])


def test_every_teams_poster_with_a_loopback_address_asks_first_but_one_poster_is_a_trial(app, people, login_as, team):
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    client = login_as("unit_a")
    unit_id = people["ids"]["unit_a"]
    warning = client.get(f"/initiatives/units/{unit_id}/posters.pdf")
    assert warning.status_code == 200 and warning.mimetype == "text/html"
    page = warning.get_data(as_text=True)
    assert "Điện thoại sẽ không mở được mã QR của bản in này." in page and "http://127.0.0.1:5000/y-tuong/…" in page
    assert f"/initiatives/teams/{team['id']}/poster.pdf" in page and "confirm_address=1" in page
    trial = client.get(f"/initiatives/teams/{team['id']}/poster.pdf")
    assert trial.mimetype == "application/pdf"
    confirmed = client.get(f"/initiatives/units/{unit_id}/posters.pdf", query_string={"confirm_address": "1"})
    assert confirmed.mimetype == "application/pdf"
    assert page_qr_codes(confirmed.data, dpi=150) == [[f"http://127.0.0.1:5000/y-tuong/{team['key']}"]]
