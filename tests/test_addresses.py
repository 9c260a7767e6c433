"""The address in QR codes: derived from HOST and PORT for `make run`, the LAN addresses it prints,
which addresses phones cannot open, and the organizer console saying what every QR code holds."""

import pytest

from festival.badges import printing, services
from festival.core.extensions import db
from festival.models import Attendee
from festival.util import addresses
from tests import factories
from tests.conftest import make_app
from tests.pdf_tools import page_qr_codes


@pytest.mark.parametrize(
    "host, port, lan, expected",
    [
        ("127.0.0.1", "5000", [], "http://127.0.0.1:5000"),
        ("127.0.0.1", "5101", [], "http://127.0.0.1:5101"),
        ("0.0.0.0", "5101", ["192.168.1.20", "10.0.0.5"], "http://192.168.1.20:5101"),
        ("0.0.0.0", "8000", [], "http://127.0.0.1:8000"),  # no network: nothing better to print
        ("192.168.1.20", "80", [], "http://192.168.1.20"),
        ("::", "5000", ["192.168.1.20"], "http://192.168.1.20:5000"),
        ("fe80::1", "5000", [], "http://[fe80::1]:5000"),
    ],
)
def test_make_run_derives_the_address_from_host_and_port(host, port, lan, expected):
    assert addresses.derived_base_url(host, port, lan=lan) == expected


def test_public_base_url_wins_over_host_and_port():
    environ = {"PUBLIC_BASE_URL": "https://ldst.example.vn", "HOST": "127.0.0.1", "PORT": "5101"}
    assert addresses.base_url_from_environment(environ) == "https://ldst.example.vn"
    assert addresses.base_url_from_environment({"PORT": "5101"}) == "http://127.0.0.1:5101"
    assert addresses.base_url_from_environment({}) == "http://127.0.0.1:5000"


def test_the_app_prints_qr_codes_for_the_port_it_is_served_on(tmp_path, monkeypatch):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "5101")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setattr(addresses, "lan_addresses", lambda: ["192.168.1.20"])
    app = make_app(tmp_path, PUBLIC_BASE_URL="")
    assert app.config["PUBLIC_BASE_URL"] == "http://192.168.1.20:5101"

    with app.test_request_context():
        festival = factories.make_festival()
        attendee = services.add_attendee(
            festival, services.AttendeeInput("Nguyễn Thị Hằng", services.role_by_code(festival, "guest")), by=None
        )
        db.session.commit()
        data = printing.render_badges(festival, [db.session.get(Attendee, attendee.id)], "a6")
        assert page_qr_codes(data) == [[f"http://192.168.1.20:5101/c/{attendee.badge_token}"]]


def test_lan_addresses_leave_out_loopback_and_link_local(monkeypatch):
    monkeypatch.setattr(addresses, "_interface_addresses", lambda: ["127.0.0.1", "192.168.1.20", "169.254.3.4"])
    monkeypatch.setattr(addresses, "_default_route_address", lambda: "192.168.1.20")
    assert addresses.lan_addresses() == ["192.168.1.20"]


def test_this_machine_has_no_loopback_among_its_lan_addresses():
    found = addresses.lan_addresses()
    assert all(not a.startswith(("127.", "169.254.")) for a in found)


@pytest.mark.parametrize(
    "url, reachable",
    [
        ("http://127.0.0.1:5000", False),
        ("http://127.3.4.5:5000", False),
        ("http://localhost:5000", False),
        ("http://app.localhost", False),
        ("http://[::1]:5000", False),
        ("http://0.0.0.0:5000", False),
        ("http://169.254.10.1:5000", False),
        ("http://festival.test", False),
        ("http://laptop.local:5000", False),
        ("http://laptop:5000", False),
        ("https://www.example.com", False),
        ("ftp://192.168.1.20", False),
        ("http://192.168.1.20:5000", True),
        ("http://10.0.0.5", True),
        ("https://ldst.example.vn", True),
        ("https://ldst.congdoandetmay.vn/", True),
    ],
)
def test_addresses_phones_cannot_open_are_recognised(url, reachable):
    assert (addresses.unreachable_reason(url) is None) == reachable


def run_addresses(runner, monkeypatch, app, host, port, base, lan):
    monkeypatch.setattr(addresses, "lan_addresses", lambda: lan)
    app.config["PUBLIC_BASE_URL"] = base
    result = runner.invoke(args=["festival", "addresses", "--host", host, "--port", port])
    assert result.exit_code == 0, result.output
    return result.output


def test_addresses_command_on_loopback_says_phones_cannot_reach_it(app, runner, monkeypatch):
    output = run_addresses(runner, monkeypatch, app, "127.0.0.1", "5101", "http://127.0.0.1:5101", ["192.168.1.20"])
    assert "QR codes (badges, posters, certificates) will hold: http://127.0.0.1:5101" in output
    assert "Phones and tablets cannot reach this server" in output and "HOST=0.0.0.0 PORT=5101 make run" in output
    assert "WARNING" in output


def test_addresses_command_on_every_interface_lists_the_lan_addresses(app, runner, monkeypatch):
    output = run_addresses(
        runner, monkeypatch, app, "0.0.0.0", "5101", "http://192.168.1.20:5101", ["192.168.1.20", "10.8.0.2"]
    )
    assert "will hold: http://192.168.1.20:5101" in output
    assert "  http://192.168.1.20:5101\n" in output and "  http://10.8.0.2:5101\n" in output
    assert "WARNING" not in output and "camera scanner or offline mode" in output


def test_addresses_command_behind_a_proxy_is_content(app, runner, monkeypatch):
    output = run_addresses(runner, monkeypatch, app, "127.0.0.1", "8000", "https://ldst.example.vn", [])
    assert "phones reach it through https://ldst.example.vn" in output
    assert "WARNING" not in output and "cannot reach" not in output


def test_console_shows_what_every_qr_code_holds(app, client, login_as):
    login_as("organizer")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Địa chỉ trong mã QR" in page and "https://ldst.example.vn/verify/…" in page
    assert "https://ldst.example.vn/c/…" in page and "https://ldst.example.vn/e/…" in page
    assert "Điện thoại sẽ không mở được" not in page
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    page = client.get("/admin/").get_data(as_text=True)
    assert "Điện thoại sẽ không mở được các mã QR này:" in page and "loopback" in page
