"""Role bands a gate can tell apart, with text that reads on them."""

from itertools import combinations

import pytest

from festival.badges import colours
from festival.core.extensions import db
from festival.core.festivals import DEFAULT_BADGE_ROLES
from festival.models import BadgeRole


@pytest.mark.parametrize(("first", "second"), list(combinations(DEFAULT_BADGE_ROLES, 2)), ids=lambda r: r[0])
def test_the_default_bands_differ_from_each_other(first, second):
    assert colours.difference(first[3], second[3]) >= colours.MIN_DIFFERENCE


@pytest.mark.parametrize("role", DEFAULT_BADGE_ROLES, ids=lambda r: r[0])
def test_every_default_band_text_has_aa_contrast(role):
    assert colours.contrast(role[3]) >= 4.5


@pytest.mark.parametrize("band", ["#ffeb3b", "#0d4c92", "#ff0000", "#00ff00", "#1a7f37"])
def test_the_text_colour_chosen_reads_on_the_band(band):
    assert colours.contrast(band) >= 4.5


def test_a_mid_grey_band_no_text_reads_on_is_refused(app, client, login_as, people):
    login_as("organizer")
    page = client.get("/attendees/roles").get_data(as_text=True)
    role_id = int(page.split('name="role_id" value="')[1].split('"')[0])
    response = client.post(
        "/attendees/roles",
        data={"role_id": role_id, "name_vi": "Đại biểu", "name_en": "Delegate", "colour": "#777777"},
        follow_redirects=True,
    )
    assert "Chữ trên dải màu #777777 khó đọc" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(BadgeRole, role_id).colour == "#0d4c92"


def test_the_old_organizer_orange_is_named_as_too_close_to_the_judges_red():
    judge, organizer = BadgeRole(name_vi="Giám khảo", colour="#b42318"), BadgeRole(name_vi="BTC", colour="#c2410c")
    delegate = BadgeRole(name_vi="Đại biểu", colour="#0d4c92")
    assert [(a.name_vi, b.name_vi) for a, b, _ in colours.look_alike([delegate, judge, organizer])] == [
        ("Giám khảo", "BTC")
    ]


def test_saving_a_look_alike_colour_warns_and_the_page_lists_the_pair(app, client, login_as, people):
    login_as("organizer")
    page = client.get("/attendees/roles").get_data(as_text=True)
    assert "look-alike" not in page
    role_id = int(page.split('name="role_id" value="')[5].split('"')[0])  # the fifth role: Ban tổ chức
    response = client.post(
        "/attendees/roles",
        data={"role_id": role_id, "name_vi": "Ban tổ chức", "name_en": "Organiser", "colour": "#c2410c"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Dải màu của Ban tổ chức gần giống dải của Giám khảo" in page
    assert '<div class="alert alert-warning look-alike">' in page and "<li>Giám khảo – Ban tổ chức</li>" in page
