"""A unit registers an exhibit with two authors and a photo; an organizer accepts it; the public sees it."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from festival.core.extensions import db
from festival.models import Role
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def festival_people(live_app):
    with live_app.app_context():
        festival = factories.make_festival()
        factories.make_category(festival, "KT", "Cải tiến kỹ thuật, thiết bị")
        unit = factories.make_unit("MAY10", name="Tổng Công ty May 10 – CTCP", short_name="May 10")
        factories.make_user(Role.UNIT, unit=unit, email="may10@example.vn")
        factories.make_user(Role.ORGANIZER, email="btc@example.vn")
        db.session.commit()


def test_unit_registers_organizer_accepts_public_sees(page, live_server, festival_people, tmp_path):
    photo = tmp_path / "cu-ga.jpg"
    photo.write_bytes(factories.jpeg_bytes(800, 600, colour="orange", gps=True))
    base = live_server.url

    sign_in(page, base, "may10@example.vn", factories.PASSWORD)
    expect(page.locator("h1")).to_have_text("Sáng kiến của đơn vị")
    page.get_by_role("link", name="Đăng ký sáng kiến").click()
    page.fill("#title", "Cữ gá may túi tự động")
    page.select_option("#category_id", label="KT – Cải tiến kỹ thuật, thiết bị")
    page.fill("#authors-0-full_name", "Nguyễn Thị Hằng")
    page.fill("#authors-0-job_title", "Tổ trưởng tổ may")
    page.fill("#authors-1-full_name", "Lê Văn Đức")
    # Both authors agreed (on their declaration) to be named, and shown, in the public gallery.
    page.check("#authors-0-gallery_consent")
    page.check("#authors-1-gallery_consent")
    page.fill("#summary", "Cữ gá giúp may túi áo sơ mi nhanh và đều.")
    page.fill("#benefit", "1.500.000.000")
    page.fill("#applied_since", "2022")
    page.select_option("#scope", "own_unit")
    page.set_input_files("#files", str(photo))
    page.get_by_role("button", name="Lưu").click()

    expect(page.locator(".alert-success")).to_contain_text("Đã lưu bản nháp")
    expect(page.locator("main")).to_contain_text("1.500.000.000 ₫")
    expect(page.locator(".exhibit-photos img")).to_have_count(1)
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Gửi ban tổ chức").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã gửi")
    assert asked and asked[0].startswith("Gửi sáng kiến này cho ban tổ chức?")
    exhibit_url = page.url

    sign_in(page, base, "btc@example.vn", factories.PASSWORD)
    page.goto(exhibit_url)
    page.get_by_role("button", name="Duyệt và cấp mã").click()
    expect(page.locator(".alert-success")).to_contain_text("mã KT-01")

    page.context.clear_cookies()
    page.goto(f"{base}/gallery")
    card = page.get_by_role("link", name=re.compile("Cữ gá may túi tự động"))
    expect(card).to_be_visible()
    card.click()
    expect(page.locator("h1")).to_have_text("Cữ gá may túi tự động")
    expect(page.locator("main")).to_contain_text("Nguyễn Thị Hằng")
    expect(page.locator("main")).to_contain_text("Lê Văn Đức")
    image = page.locator(".exhibit-photos img")
    expect(image).to_have_count(1)
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")


def test_a_refused_form_on_a_phone_keeps_the_photo_and_shows_its_errors_first(
    browser, live_server, festival_people, tmp_path
):
    photo = tmp_path / "ban-cat.jpg"
    photo.write_bytes(factories.jpeg_bytes(640, 480, colour="green"))
    context = browser.new_context(viewport={"width": 360, "height": 780}, has_touch=True, locale="vi-VN")
    page = context.new_page()
    sign_in(page, live_server.url, "may10@example.vn", factories.PASSWORD)
    page.goto(f"{live_server.url}/exhibits/new")
    page.select_option("#category_id", label="KT – Cải tiến kỹ thuật, thiết bị")
    page.fill("#authors-0-full_name", "Nguyễn Thị Hằng")
    page.fill("#summary", "Bàn cắt hút chân không giữ vải phẳng.")
    page.fill("#benefit", "1,5 tỷ")
    page.set_input_files("#files", str(photo))
    page.get_by_role("button", name="Lưu").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    assert summary.bounding_box()["y"] < 780  # seen without scrolling
    expect(summary).to_contain_text("Tên sáng kiến")
    expect(page.locator("#summary")).to_have_value("Bàn cắt hút chân không giữ vải phẳng.")
    expect(page.locator("#benefit")).to_have_value("1,5 tỷ")
    expect(page.locator(".pending-files")).to_contain_text("ban-cat.jpg")
    summary.get_by_role("link", name="Tên sáng kiến").click()
    expect(page.locator("#title")).to_be_focused()

    page.fill("#title", "Bàn cắt vải hút chân không")
    page.fill("#benefit", "40.000.000")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu bản nháp")
    expect(page.locator(".exhibit-photos img")).to_have_count(1)
    context.close()


def test_a_large_photo_shows_how_far_its_upload_has_got_then_the_saved_exhibit(
    page, live_server, festival_people, tmp_path
):
    noise = Image.effect_noise((1600, 1200), 60).convert("RGB")
    photo = tmp_path / "may-cat.jpg"
    noise.save(photo, "JPEG", quality=95)
    assert photo.stat().st_size > 600 * 1024
    sign_in(page, live_server.url, "may10@example.vn", factories.PASSWORD)
    page.goto(f"{live_server.url}/exhibits/new")
    page.fill("#title", "Máy cắt vải tự động")
    page.select_option("#category_id", label="KT – Cải tiến kỹ thuật, thiết bị")
    page.fill("#authors-0-full_name", "Nguyễn Thị Hằng")
    page.set_input_files("#files", str(photo))
    # A venue's slow uplink: about 200 KB/s, so the upload takes a few seconds.
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 200 * 1024},
    )
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.resource_type))
    page.get_by_role("button", name="Lưu").click()
    progress = page.locator("#upload-progress")
    expect(progress).to_be_visible()
    expect(progress).to_contain_text("Đang gửi tệp")
    expect(page.get_by_role("button", name="Lưu")).to_be_disabled()  # not sent twice meanwhile
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu bản nháp", timeout=30_000)
    expect(page.locator(".exhibit-photos img")).to_have_count(1)
    assert re.search(r"/exhibits/\d+$", page.url)
    assert posts == ["xhr"]
