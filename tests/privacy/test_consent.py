"""Consent to an author's name and photo in the public gallery and posters: asked unticked, recorded with its
evidence and the notice version, withdrawn with immediate effect on the gallery, the public page and the poster."""

import re

import pytest

from festival.badges import services as badges
from festival.core.extensions import db
from festival.demo import load_demo
from festival.exhibits import services as exhibits
from festival.models import (
    AuditLog,
    Author,
    BadgeRole,
    Category,
    Consent,
    Exhibit,
    ExhibitStatus,
    Festival,
    Unit,
    User,
    VoteDevice,
    VotePolicy,
    utcnow,
)
from festival.privacy import consent as consents
from festival.privacy import notice as notices
from tests import factories
from tests.exhibits.conftest import exhibit_form
from tests.pdf_tools import page_texts

HIDDEN = "Tác giả không công khai tên"


def served(client, path) -> int:
    with client.get(path) as response:
        return response.status_code


def consent_rows(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(db.select(Consent).order_by(Consent.id)).scalars().all()
        return [
            (c.subject_name, c.purpose, c.how, c.notice_version, c.recorded_by_id, c.withdrawn_at is not None)
            for c in rows
        ]


def test_the_consent_box_is_unticked_for_every_author(client, login_as, people):
    login_as("unit_a")
    page = client.get("/exhibits/new").get_data(as_text=True)
    boxes = re.findall(r'<input[^>]*name="authors-\d-gallery_consent"[^>]*>', page)
    assert len(boxes) == 6 and not any("checked" in box for box in boxes)
    assert "đồng ý hiển thị tên và ảnh trong thư viện công khai và áp phích" in page


def test_a_ticked_author_is_recorded_with_the_unit_the_way_and_the_notice_version(app, client, login_as, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        notices.publish_notice(festival, body_vi="Thông báo.", body_en="", contact="", by=None, now=utcnow())
        db.session.commit()
    login_as("unit_a")
    form = exhibit_form(people["ids"]["category"], **{"authors-1-gallery_consent": "y"})
    response = client.post("/exhibits/new", data=form)
    assert response.status_code == 302
    unit_user = people["ids"]["unit_a_user"]
    # Only the second author ticked; the first, unticked, gave nothing.
    assert consent_rows(app) == [("Trần Thị Bình", "gallery_name_photo", "web", 1, unit_user, False)]
    exhibit_id = int(response.headers["Location"].rstrip("/").split("/")[-1])

    edit = client.get(f"/exhibits/{exhibit_id}/edit").get_data(as_text=True)
    boxes = re.findall(r'<input[^>]*name="authors-\d-gallery_consent"[^>]*>', edit)
    ticked = [re.search(r"authors-(\d)-", box).group(1) for box in boxes if "checked" in box]
    assert ticked == ["1"]  # the record, shown as it is

    # Saving again with the same ticks changes nothing; unticking withdraws (the author kept their row).
    client.post(f"/exhibits/{exhibit_id}/edit", data=form)
    assert len(consent_rows(app)) == 1
    client.post(f"/exhibits/{exhibit_id}/edit", data=exhibit_form(people["ids"]["category"]))
    assert consent_rows(app) == [("Trần Thị Bình", "gallery_name_photo", "web", 1, unit_user, True)]


@pytest.fixture
def shown(app, people):
    """An accepted exhibit with a photo, both authors consenting on paper."""
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        category = db.session.get(Category, people["ids"]["category"])
        unit_a = db.session.get(Unit, people["ids"]["unit_a"])
        exhibit = factories.make_exhibit(
            festival,
            unit_a,
            category,
            status=ExhibitStatus.ACCEPTED,
            code="KT-07",
            booth="12",
            title="Cữ gá may túi tự động",
            authors=("Nguyễn Thị Hằng", "Lê Văn Đức"),
        )
        unit_user = db.session.get(User, people["ids"]["unit_a_user"])
        (photo,) = exhibits.add_attachments(exhibit, [("anh.jpg", factories.jpeg_bytes())], by=unit_user, now=utcnow())
        factories.consent_to_gallery(exhibit)
        db.session.commit()
        withdrawn = consents.active_consent(exhibit.authors[1])
        return {"exhibit": exhibit.id, "photo": photo.id, "consent": withdrawn.id}


def test_withdrawal_removes_the_name_and_the_photos_from_the_gallery_page_and_poster(
    app, client, login_as, people, shown
):
    exhibit_id, photo = shown["exhibit"], shown["photo"]
    page = client.get(f"/e/{exhibit_id}").get_data(as_text=True)
    assert "Lê Văn Đức" in page and f"/exhibits/files/{photo}" in page and HIDDEN not in page
    assert "Cữ gá may túi" in client.get("/gallery", query_string={"q": "le van duc"}).get_data(as_text=True)
    assert f"/exhibits/files/{photo}/thumb" in client.get("/gallery").get_data(as_text=True)
    assert served(client, f"/exhibits/files/{photo}/thumb") == 200

    login_as("organizer")
    confirm = client.get(f"/privacy/consents/{shown['consent']}/withdraw")
    assert confirm.status_code == 200 and "Rút lại sự đồng ý?" in confirm.get_data(as_text=True)
    assert client.post(f"/privacy/consents/{shown['consent']}/withdraw", data={"how": "paper"}).status_code == 302
    with app.app_context():
        consent = db.session.get(Consent, shown["consent"])
        assert (consent.withdrawn_how, consent.withdrawn_by_id) == ("paper", people["ids"]["organizer_user"])
        assert db.session.execute(
            db.select(AuditLog).where(AuditLog.action == "privacy.consent_withdrawn", AuditLog.object_id == consent.id)
        ).scalar_one()
    [poster] = page_texts(client.get(f"/exhibits/{exhibit_id}/poster.pdf").data)
    assert "Nguyễn Thị Hằng" in poster and "Lê Văn Đức" not in poster and HIDDEN in poster
    # The organizers still see the photo (they work on the exhibit).
    assert served(client, f"/exhibits/files/{photo}/thumb") == 200
    client.post("/auth/logout")

    page = client.get(f"/e/{exhibit_id}").get_data(as_text=True)
    assert "Lê Văn Đức" not in page and HIDDEN in page and "Nguyễn Thị Hằng" in page
    assert f"/exhibits/files/{photo}" not in page  # not every author consents: no photo
    assert f"/exhibits/files/{photo}" not in client.get("/gallery").get_data(as_text=True)
    # Nor does a search by the hidden author's name find the exhibit (the other author's still does).
    assert "Cữ gá may túi" not in client.get("/gallery", query_string={"q": "le van duc"}).get_data(as_text=True)
    assert "Cữ gá may túi" in client.get("/gallery", query_string={"q": "nguyen thi hang"}).get_data(as_text=True)
    assert served(client, f"/exhibits/files/{photo}/thumb") == 404


def test_without_any_consent_nothing_of_the_authors_is_public(app, client, people, shown):
    with app.app_context():
        for consent in db.session.execute(db.select(Consent)).scalars():
            consents.withdraw_consent(consent, how="web", by=None, now=utcnow())
        db.session.commit()
    page = client.get(f"/e/{shown['exhibit']}").get_data(as_text=True)
    assert page.count(HIDDEN) == 2 and "Nguyễn Thị Hằng" not in page and "Lê Văn Đức" not in page


def test_the_unit_withdraws_for_its_own_authors_only(app, client, login_as, people, shown):
    login_as("unit_b")
    assert client.get(f"/privacy/exhibits/{shown['exhibit']}/consents").status_code == 404
    assert client.post(f"/privacy/consents/{shown['consent']}/withdraw").status_code == 404
    client.post("/auth/logout")
    login_as("unit_a")
    listing = client.get(f"/privacy/exhibits/{shown['exhibit']}/consents").get_data(as_text=True)
    assert "Lê Văn Đức" in listing and f"/privacy/consents/{shown['consent']}/withdraw" in listing
    assert client.post(f"/privacy/consents/{shown['consent']}/withdraw", data={"how": "web"}).status_code == 302
    again = client.post(f"/privacy/consents/{shown['consent']}/withdraw", data={"how": "web"})
    assert again.status_code == 302  # already withdrawn: refused, nothing changes
    assert "đã được rút lại" in client.get(again.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Consent, shown["consent"]).withdrawn_by_id == people["ids"]["unit_a_user"]


def test_the_demo_authors_consented_on_paper(app):
    with app.app_context():
        load_demo(utcnow().date())
        db.session.commit()
        accepted = db.session.execute(
            db.select(Exhibit).where(Exhibit.status == ExhibitStatus.ACCEPTED).limit(1)
        ).scalar_one()
        assert consents.shows_photos(accepted)
        assert {c.how for c in db.session.execute(db.select(Consent)).scalars()} == {"paper"}


def test_the_vote_asks_before_linking_a_phone_and_withdrawal_removes_the_link(app, client, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        role = db.session.execute(db.select(BadgeRole).where(BadgeRole.festival_id == festival.id)).scalars().first()
        unit_a = db.session.get(Unit, people["ids"]["unit_a"])
        delegate = badges.register_delegate(festival, unit_a, badges.AttendeeInput("Nguyễn Thị Hằng", role), by=None)
        db.session.add(VotePolicy(festival=festival, is_enabled=True, voter_roles=[], unlock_reason=""))
        db.session.commit()
        token, attendee_id = delegate.badge_token, delegate.id
    box = re.search(r'<input[^>]*name="consent"[^>]*>', client.get(f"/c/{token}").get_data(as_text=True)).group(0)
    assert "checked" not in box

    refused = client.post(f"/vote/link/{token}")
    assert refused.status_code == 400 and "Hãy đánh dấu ô đồng ý" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(VoteDevice, attendee_id) is None

    assert client.post(f"/vote/link/{token}", data={"consent": "y"}).status_code == 302
    with app.app_context():
        [consent] = db.session.execute(db.select(Consent)).scalars().all()
        assert (consent.attendee_id, consent.purpose, consent.how, consent.notice_version) == (
            attendee_id,
            "vote_phone",
            "web",
            0,
        )
        assert db.session.get(VoteDevice, attendee_id) is not None

    assert client.post("/vote/unlink").status_code == 302
    with app.app_context():
        assert db.session.get(VoteDevice, attendee_id) is None
        assert db.session.get(Consent, consent.id).withdrawn_at is not None
    assert "Thẻ của Nguyễn Thị Hằng" not in client.get("/vote/").get_data(as_text=True)  # this phone no longer votes


def test_an_organizer_records_a_paper_consent_given_later(app, client, login_as, people, shown):
    with app.app_context():
        consents.withdraw_consent(db.session.get(Consent, shown["consent"]), how="paper", by=None, now=utcnow())
        db.session.commit()
        author_id = db.session.get(Consent, shown["consent"]).author_id
    assert "Lê Văn Đức" not in client.get(f"/e/{shown['exhibit']}").get_data(as_text=True)
    login_as("organizer")
    listing = client.get(f"/privacy/exhibits/{shown['exhibit']}/consents").get_data(as_text=True)
    assert f"/privacy/authors/{author_id}/consent" in listing
    assert client.post(f"/privacy/authors/{author_id}/consent", data={"how": "paper"}).status_code == 302
    with app.app_context():
        fresh = consents.active_consent(db.session.get(Author, author_id))
        assert (fresh.how, fresh.recorded_by_id) == ("paper", people["ids"]["organizer_user"])
    client.post("/auth/logout")
    assert "Lê Văn Đức" in client.get(f"/e/{shown['exhibit']}").get_data(as_text=True)
