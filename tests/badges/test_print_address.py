"""Badges printed with an address phones cannot open: the web print asks first (a trial sheet does not),
the command refuses without --allow-local-address; QR codes follow the configured address."""

import pytest

from festival.badges import printing
from festival.core.extensions import db
from festival.models import Attendee, Festival, PrintJob
from tests.badges.test_badge_pdf import wait_for_job
from tests.pdf_tools import page_count, page_qr_codes

LOOPBACK = "http://127.0.0.1:5000"


def job_count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(PrintJob))


def printed(app) -> set:
    with app.app_context():
        return {a.id for a in db.session.execute(db.select(Attendee)).scalars() if a.printed_at is not None}


@pytest.mark.parametrize("base", ["http://192.168.1.20:5101", "https://ldst.example.vn"])
def test_badge_qr_codes_hold_the_configured_address(app, crowd, base):
    app.config["PUBLIC_BASE_URL"] = base
    with app.test_request_context():
        festival = db.session.get(Festival, crowd["festival"])
        attendees = [db.session.get(Attendee, i) for i in crowd["ids"]]
        data = printing.render_badges(festival, attendees, "a4")
        expected = sorted(f"{base}/c/{a.badge_token}" for a in attendees)
    assert sorted(code for page in page_qr_codes(data) for code in page) == expected


def test_the_print_page_shows_what_the_qr_codes_hold(app, client, login_as, crowd):
    login_as("organizer")
    page = client.get("/attendees/print").get_data(as_text=True)
    assert "Mã QR sẽ chứa:" in page and "https://ldst.example.vn/c/…" in page
    assert "Điện thoại sẽ không mở được" not in page and 'name="confirm_address"' not in page
    app.config["PUBLIC_BASE_URL"] = LOOPBACK
    page = client.get("/attendees/print").get_data(as_text=True)
    assert "Điện thoại sẽ không mở được mã QR của bản in này." in page and f"{LOOPBACK}/c/…" in page
    assert 'name="confirm_address"' in page


def test_printing_with_a_loopback_address_asks_for_confirmation_first(app, client, login_as, crowd):
    app.config["PUBLIC_BASE_URL"] = LOOPBACK
    login_as("organizer")
    form = {"layout": "a6", "unit_id": 0, "role_id": 0, "only_new": "y"}
    refused = client.post("/attendees/print", data=form)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Hãy xác nhận trước khi in" in page and "loopback" in page
    assert job_count(app) == 0 and printed(app) == set()

    confirmed = client.post("/attendees/print", data={**form, "confirm_address": "y"})
    assert confirmed.status_code == 302 and "/admin/jobs/" in confirmed.headers["Location"]
    assert job_count(app) == 1
    wait_for_job(app, int(confirmed.headers["Location"].rstrip("/").split("/")[-1]))
    assert printed(app) == set(crowd["ids"])


@pytest.mark.parametrize("layout, badges", [("a6", 1), ("a4", 3)])
def test_a_trial_sheet_needs_no_confirmation_and_marks_nothing_printed(app, client, login_as, crowd, layout, badges):
    app.config["PUBLIC_BASE_URL"] = LOOPBACK
    login_as("organizer")
    response = client.post(
        "/attendees/print", data={"layout": layout, "unit_id": 0, "role_id": 0, "only_new": "y", "trial": "1"}
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert page_count(response.data) == 1
    codes = [code for page in page_qr_codes(response.data) for code in page]
    assert len(codes) == badges and all(code.startswith(f"{LOOPBACK}/c/") for code in codes)
    assert job_count(app) == 0 and printed(app) == set()


def test_print_command_refuses_a_loopback_address_without_allow_local_address(app, runner, crowd, tmp_path):
    app.config["PUBLIC_BASE_URL"] = LOOPBACK
    out = tmp_path / "the.pdf"
    refused = runner.invoke(args=["badges", "print", "--out", str(out), "--only-new"])
    assert refused.exit_code == 2 and "Refusing to print" in refused.output and LOOPBACK in refused.output
    assert "--allow-local-address" in refused.output
    assert not out.exists() and printed(app) == set()
    allowed = runner.invoke(args=["badges", "print", "--out", str(out), "--only-new", "--allow-local-address"])
    assert allowed.exit_code == 0, allowed.output
    assert page_count(out.read_bytes()) == 3 and printed(app) == set(crowd["ids"])
