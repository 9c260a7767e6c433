"""Two gates lose the network while people keep arriving: scans are decided on each device from the
kept check-in list, queued, uploaded when the network is back, and the person both gates let in
is reported; a revoked badge is refused offline too."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from festival.badges import services
from festival.badges.printing import render_badges
from festival.core.extensions import db
from festival.models import Attendee, CheckIn, HeldScan, Role, ScanResult
from tests import factories
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, sign_in
from tests.browser.test_checkin_camera import FRAME_SIZE, badge_frame, write_y4m

pytestmark = pytest.mark.browser


@pytest.fixture
def crowd(live_app):
    """Hằng (badge printed), Đức (badge reissued: his old one is revoked), gate staff."""
    with live_app.app_context():
        festival = factories.make_festival()
        unit = factories.make_unit("MAY10", name="Tổng Công ty May 10", short_name="May 10")
        delegate = services.role_by_code(festival, "delegate")
        hang = services.add_attendee(festival, services.AttendeeInput("Nguyễn Thị Hằng", delegate, unit), by=None)
        duc = services.add_attendee(festival, services.AttendeeInput("Lê Văn Đức", delegate, unit), by=None)
        factories.make_user(Role.CHECKIN, email="cong@example.vn", full_name="Trần Văn Cổng")
        db.session.commit()
        with live_app.test_request_context():
            hang_badge = render_badges(festival, [hang], "a6")
            duc_old_badge = render_badges(festival, [duc], "a6")
        services.reissue_badge(db.session.get(Attendee, duc.id), "Mất thẻ", by=None)
        db.session.commit()
        return {"hang": hang.id, "duc": duc.id, "hang_badge": hang_badge, "duc_old_badge": duc_old_badge}


def camera(browser, live_server, pdf, tmp_path, name):
    """A Chromium whose camera shows one badge, and a signed-in gate page in it."""
    video = tmp_path / f"{name}.y4m"
    # Held up for 3 s, taken away for 4 s, again (the video loops): each showing is read once.
    write_y4m([badge_frame(pdf)] * 30 + [Image.new("RGB", FRAME_SIZE, "white")] * 40, video)
    args = CHROMIUM_ARGS + [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    gate_browser = browser.browser_type.launch(executable_path=chromium_path(), args=args)
    context = gate_browser.new_context(viewport={"width": 412, "height": 915}, has_touch=True, locale="vi-VN")
    context.grant_permissions(["camera"], origin=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, live_server.url, "cong@example.vn", factories.PASSWORD)
    page.goto(f"{live_server.url}/checkin/")
    expect(page.locator("#gate-connection")).to_contain_text("danh sách 2 người")
    return gate_browser, context, page


def rows(live_app):
    with live_app.app_context():
        db.session.expire_all()
        return db.session.execute(db.select(CheckIn).order_by(CheckIn.scanned_at)).scalars().all()


def test_offline_gates_decide_queue_upload_and_report_a_double_entry(browser, live_server, live_app, crowd, tmp_path):
    gate_a_browser, gate_a_context, gate_a = camera(browser, live_server, crowd["hang_badge"], tmp_path, "hang-a")
    gate_b_browser, gate_b_context, gate_b = camera(browser, live_server, crowd["hang_badge"], tmp_path, "hang-b")
    revoked_browser, revoked_context, gate_c = camera(browser, live_server, crowd["duc_old_badge"], tmp_path, "duc")
    try:
        for page, name in ((gate_a, "Cổng A"), (gate_b, "Cổng B"), (gate_c, "Cổng A")):
            page.context.set_offline(True)
            page.fill("#gate", name)
            expect(page.locator("#gate-connection")).to_contain_text("Mất kết nối")

        gate_a.locator("#start-camera").tap()
        expect(gate_a.locator("#result")).to_have_class(re.compile(r"\bresult-checked_in\b"))
        expect(gate_a.locator("#result-name")).to_have_text("Nguyễn Thị Hằng")
        expect(gate_a.locator("#result-detail")).to_contain_text("Quyết định trên máy")
        gate_a.locator("#result-close").tap()
        # Shown again: this device remembers its own scan.
        expect(gate_a.locator("#result")).to_have_class(re.compile(r"\bresult-already\b"), timeout=20_000)
        expect(gate_a.locator("#gate-connection")).to_contain_text("2 lượt quét chờ gửi")

        gate_b.locator("#start-camera").tap()  # gate B cannot know gate A let her in
        expect(gate_b.locator("#result")).to_have_class(re.compile(r"\bresult-checked_in\b"))

        gate_c.locator("#start-camera").tap()
        expect(gate_c.locator("#result")).to_have_class(re.compile(r"\bresult-revoked\b"))
        expect(gate_c.locator("#result-name")).to_have_text("Lê Văn Đức")
        assert rows(live_app) == []  # nothing reached the server yet

        for page in (gate_a, gate_b, gate_c):
            page.context.set_offline(False)
            page.evaluate("window.dispatchEvent(new Event('online'))")
        for page in (gate_a, gate_b, gate_c):
            expect(page.locator("#gate-connection")).to_contain_text("0 lượt quét chờ gửi")
        recorded = rows(live_app)
        assert all(row.offline for row in recorded)
        hang = [(row.gate, row.shown.value) for row in recorded if row.attendee_id == crowd["hang"]]
        assert sorted(hang) == [("Cổng A", "already"), ("Cổng A", "checked_in"), ("Cổng B", "checked_in")]
        assert [row.result for row in recorded if row.attendee_id == crowd["duc"]] == [ScanResult.REVOKED]
        with live_app.app_context():
            assert db.session.get(Attendee, crowd["duc"]).checked_in_at is None

        gate_a.goto(f"{live_server.url}/checkin/dashboard")
        doubles = gate_a.locator(".card.border-warning")
        expect(doubles).to_contain_text("Vào hai lần khi cổng mất mạng")
        expect(doubles).to_contain_text("Nguyễn Thị Hằng")
        expect(doubles).to_contain_text("ở Cổng A lúc")
        expect(doubles).to_contain_text("ở Cổng B lúc")
    finally:
        for gate_browser in (gate_a_browser, gate_b_browser, revoked_browser):
            gate_browser.close()


def test_offline_search_checks_in_from_the_kept_list_and_sign_out_removes_it(live_server, live_app, crowd, page):
    sign_in(page, live_server.url, "cong@example.vn", factories.PASSWORD)
    page.goto(f"{live_server.url}/checkin/")
    expect(page.locator("#gate-connection")).to_contain_text("danh sách 2 người")
    page.fill("#gate", "Cổng chính")
    page.context.set_offline(True)
    page.fill("#search", "duc")  # no accents, offline
    row = page.locator("#search-results li", has_text="Lê Văn Đức")
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Cho vào").click()
    expect(page.locator("#result")).to_have_class(re.compile(r"\bresult-checked_in\b"))
    page.locator("#result-close").click()
    assert page.evaluate("Object.keys(localStorage).some(k => k.includes('.gatelist.'))")

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#gate-connection")).to_contain_text("0 lượt quét chờ gửi")
    assert [(r.attendee_id, r.method, r.result) for r in rows(live_app)] == [
        (crowd["duc"], "search", ScanResult.CHECKED_IN)
    ]
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.locator("main")).to_contain_text("Bạn đã đăng xuất")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('festival.u')).length") == 0


def test_a_scan_whose_time_cannot_be_right_is_held_and_the_gate_says_so(live_server, live_app, crowd, page):
    sign_in(page, live_server.url, "cong@example.vn", factories.PASSWORD)
    page.goto(f"{live_server.url}/checkin/")
    expect(page.locator("#gate-connection")).to_contain_text("danh sách 2 người")
    page.fill("#gate", "Cổng chính")
    page.context.set_offline(True)
    page.fill("#search", "duc")
    page.locator("#search-results li", has_text="Lê Văn Đức").get_by_role("button", name="Cho vào").click()
    expect(page.locator("#result")).to_have_class(re.compile(r"\bresult-checked_in\b"))
    page.locator("#result-close").click()
    # The tablet's clock had reset: the queued scan says 2020.
    page.evaluate(
        """Object.keys(localStorage).filter(k => k.includes('.outbox.gate.')).forEach(k => {
             const scan = JSON.parse(localStorage.getItem(k));
             scan.scanned_at = '2020-01-01T08:00:00+07:00';
             localStorage.setItem(k, JSON.stringify(scan));
           })"""
    )
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#gate-connection")).to_contain_text("0 lượt quét chờ gửi")
    expect(page.locator("#gate-connection .gate-held")).to_contain_text(
        "1 lượt quét có giờ không tin được (ngoài ngày hội, hoặc trước khi máy tải danh sách)"
    )
    assert rows(live_app) == []
    with live_app.app_context():
        held = db.session.execute(db.select(HeldScan)).scalar_one()
        assert held.attendee_id == crowd["duc"] and held.method == "search"
        assert db.session.get(Attendee, crowd["duc"]).checked_in_at is None
