"""The public gallery, public exhibit pages and booth posters (QR codes that really scan)."""

import pytest

from festival.core.extensions import db
from festival.models import Category, ExhibitStatus, Festival, PrintJob, Unit, utcnow
from festival.privacy import consent as consents
from tests import factories
from tests.pdf_tools import page_count, page_qr_codes, page_texts


@pytest.fixture
def shown(app, people):
    """One accepted exhibit (its authors consenting to the gallery) with a photo-less page, one submitted, one draft."""
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        kt = db.session.get(Category, people["ids"]["category"])
        unit_a, unit_b = db.session.get(Unit, people["ids"]["unit_a"]), db.session.get(Unit, people["ids"]["unit_b"])
        accepted = factories.make_exhibit(
            festival,
            unit_a,
            kt,
            status=ExhibitStatus.ACCEPTED,
            code="KT-07",
            booth="12",
            title="Cữ gá may túi tự động cho áo sơ mi",
            authors=("Nguyễn Thị Hằng", "Lê Văn Đức"),
            benefit_vnd=1_500_000_000,
        )
        accepted.authors[0].job_title = "Tổ trưởng tổ may"
        for author in accepted.authors:  # both signed the unit's paper declaration: the gallery names them
            consents.give_author_consent(author, how="paper", by=None, now=utcnow())
        second = factories.make_exhibit(
            festival,
            unit_b,
            kt,
            status=ExhibitStatus.ACCEPTED,
            code="KT-08",
            booth="13",
            title="Bàn là hơi tiết kiệm điện",
        )
        submitted = factories.make_exhibit(
            festival, unit_b, kt, status=ExhibitStatus.SUBMITTED, title="Chưa duyệt nên chưa hiện"
        )
        draft = factories.make_exhibit(festival, unit_a, kt, status=ExhibitStatus.DRAFT, title="Bản nháp riêng tư")
        db.session.commit()
        return {"accepted": accepted.id, "second": second.id, "submitted": submitted.id, "draft": draft.id}


def test_gallery_lists_only_accepted_exhibits(client, shown):
    page = client.get("/gallery").get_data(as_text=True)
    assert "Cữ gá may túi tự động cho áo sơ mi" in page and "Bàn là hơi tiết kiệm điện" in page
    assert "Chưa duyệt nên chưa hiện" not in page and "Bản nháp riêng tư" not in page


def test_gallery_searches_and_filters(client, people, shown):
    page = client.get("/gallery", query_string={"q": "nguyen thi hang"}).get_data(as_text=True)
    assert "Cữ gá may túi" in page and "Bàn là hơi" not in page
    page = client.get("/gallery", query_string={"region": "hcmc"}).get_data(as_text=True)
    assert "Bàn là hơi" in page and "Cữ gá may túi" not in page
    page = client.get("/gallery", query_string={"unit": people["ids"]["unit_a"]}).get_data(as_text=True)
    assert "Cữ gá may túi" in page and "Bàn là hơi" not in page
    page = client.get("/gallery", query_string={"q": "không có gì như vậy"}).get_data(as_text=True)
    assert "Không có sáng kiến nào khớp." in page


def test_public_exhibit_page_shows_authors_unit_booth_and_benefit(client, shown):
    page = client.get(f"/e/{shown['accepted']}").get_data(as_text=True)
    for text in (
        "Cữ gá may túi tự động cho áo sơ mi",
        "KT-07",
        "Gian 12",
        "Nguyễn Thị Hằng",
        "Tổ trưởng tổ may",
        "Lê Văn Đức",
        "Tổng Công ty May Đức Giang",
        "1.500.000.000 ₫",
    ):
        assert text in page, text


@pytest.mark.parametrize("which", ["submitted", "draft"])
def test_unaccepted_exhibits_have_no_public_page(client, shown, which):
    assert client.get(f"/e/{shown[which]}").status_code == 404


def test_booth_poster_has_exact_vietnamese_text_and_a_qr_to_the_public_page(client, login_as, shown):
    login_as("organizer")
    response = client.get(f"/exhibits/{shown['accepted']}/poster.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    [text] = page_texts(response.data)
    for expected in (
        "KT-07",
        "Cữ gá may túi tự động cho áo sơ mi",
        "Tổng Công ty May Đức Giang",
        "Nguyễn Thị Hằng",
        "Lê Văn Đức",
        "Cải tiến kỹ thuật, thiết bị",
        "1.500.000.000 ₫",
    ):
        assert expected in text, expected
    assert page_qr_codes(response.data) == [[f"https://ldst.example.vn/e/{shown['accepted']}"]]


def test_all_posters_at_once_one_page_each(client, login_as, shown):
    login_as("organizer")
    job = client.post("/exhibits/posters")
    assert job.status_code == 302 and "/admin/jobs/" in job.headers["Location"]  # a print job
    assert "Đã xong." in client.get(job.headers["Location"]).get_data(as_text=True)
    with client.get(job.headers["Location"] + "/download") as response:
        data = response.data
    assert page_count(data) == 2
    codes = page_qr_codes(data, dpi=150)
    assert codes == [
        [f"https://ldst.example.vn/e/{shown['accepted']}"],
        [f"https://ldst.example.vn/e/{shown['second']}"],
    ]


def test_no_poster_for_an_unaccepted_exhibit(client, login_as, shown):
    login_as("organizer")
    assert client.get(f"/exhibits/{shown['submitted']}/poster.pdf").status_code == 404


def test_posters_follow_the_configured_address(app, client, login_as, shown):
    app.config["PUBLIC_BASE_URL"] = "http://192.168.1.20:5101"
    login_as("organizer")
    response = client.get(f"/exhibits/{shown['accepted']}/poster.pdf")
    assert page_qr_codes(response.data) == [[f"http://192.168.1.20:5101/e/{shown['accepted']}"]]


def test_all_posters_with_a_loopback_address_ask_first_but_one_poster_is_a_trial(app, client, login_as, shown):
    app.config["PUBLIC_BASE_URL"] = "http://localhost:5000"
    login_as("organizer")
    warning = client.post("/exhibits/posters")
    assert warning.mimetype == "text/html" and warning.status_code == 200
    page = warning.get_data(as_text=True)
    assert "Điện thoại sẽ không mở được mã QR của bản in này." in page and "http://localhost:5000/e/…" in page
    assert f"/exhibits/{shown['accepted']}/poster.pdf" in page and 'name="confirm_address" value="1"' in page
    with app.app_context():
        assert db.session.execute(db.select(PrintJob)).first() is None  # nothing printed before the answer
    trial = client.get(f"/exhibits/{shown['accepted']}/poster.pdf")
    assert trial.mimetype == "application/pdf"
    confirmed = client.post("/exhibits/posters", data={"confirm_address": "1"})
    with client.get(confirmed.headers["Location"] + "/download") as response:
        data = response.data
    assert page_count(data) == 2
    assert page_qr_codes(data, dpi=150)[0] == [f"http://localhost:5000/e/{shown['accepted']}"]
