"""A worker's idea from a production team's QR poster, on a phone in Chromium: the poster's code decoded, opened,
a refusal that keeps what was typed, then the idea sent with a photo into the unit's register."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from festival.core import uploads
from festival.core.extensions import db
from festival.intake.printing import render_team_posters
from festival.models import Initiative, InitiativeSource, ProductionTeam
from tests import factories
from tests.browser.test_accessibility import audit
from tests.pdf_tools import page_qr_codes

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_scan_a_teams_poster_and_send_an_idea_with_a_photo_on_a_phone(browser, live_server, tmp_path):
    app, base = live_server.app, live_server.url
    app.config["PUBLIC_BASE_URL"] = base  # the address phones reach: here, the live server
    with app.app_context():
        factories.make_festival()
        unit = factories.make_unit("MAY10", name="Tổng Công ty May 10")
        team = ProductionTeam(unit=unit, department="Xí nghiệp 1", name="Tổ may 5")
        db.session.add(team)
        db.session.commit()
        ((scanned,),) = page_qr_codes(render_team_posters([team]), dpi=150)
        assert scanned == f"{base}/y-tuong/{team.intake_key}"
    photo = tmp_path / "gia-ong-chi.jpg"
    photo.write_bytes(factories.jpeg_bytes(800, 600, colour="blue"))

    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    page.goto(scanned)
    expect(page.locator("main")).to_contain_text("Tổng Công ty May 10")
    expect(page.locator("main")).to_contain_text("Tổ may 5 – Xí nghiệp 1")
    expect(page.locator("main .privacy-notice-link")).to_be_visible()
    assert audit(page, scanned, "intake-idea", "phone", touch=True) == []  # axe, no overflow, 44 px targets

    page.fill("#full_name", "Lò Thị Mai")
    page.fill("#phone", "0912 345 678")
    page.fill("#idea", "Giá để ống chỉ gắn bên máy, lấy chỉ nhanh hơn.")
    page.get_by_role("button", name="Gửi ý tưởng").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Tên ý tưởng")
    expect(page.locator("#full_name")).to_have_value("Lò Thị Mai")
    expect(page.locator("#idea")).to_have_value("Giá để ống chỉ gắn bên máy, lấy chỉ nhanh hơn.")
    fits(page)

    page.fill("#title", "Giá để ống chỉ bên máy may")
    page.set_input_files("#photo", str(photo))
    page.get_by_role("button", name="Gửi ý tưởng").click()
    expect(page.locator("h1")).to_have_text("Cảm ơn bạn đã gửi ý tưởng!")
    expect(page.locator("main")).to_contain_text("SK-")
    fits(page)
    phone.close()

    with app.app_context():
        initiative = db.session.execute(sa.select(Initiative)).scalar_one()
        assert (initiative.title, initiative.source, initiative.team_name) == (
            "Giá để ống chỉ bên máy may",
            InitiativeSource.INTAKE,
            "Tổ may 5",
        )
        assert (initiative.submitter_name, initiative.submitter_phone) == ("Lò Thị Mai", "0912 345 678")
        (stored,) = initiative.files
        assert (stored.original_name, stored.width, stored.height) == ("gia-ong-chi.jpg", 800, 600)
        assert uploads.read_stored(stored.stored_name).startswith(b"\xff\xd8")
