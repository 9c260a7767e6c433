"""The gate scanner in Chromium: a fake camera shows a real printed badge; search checks in without one.

Headless Chromium on Linux has no BarcodeDetector, so the camera test exercises the jsQR path of
static/js/scanner.js (the path every browser without BarcodeDetector takes).
"""

import json
import re

import pypdfium2
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from festival.badges import services
from festival.badges.printing import checkin_url, render_badges
from festival.core.extensions import db
from festival.models import Attendee, CheckIn, Role, ScanResult
from tests import factories
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, sign_in

pytestmark = pytest.mark.browser

GATE = "Cổng chính"
NAME = "Nguyễn Thị Hằng"
FRAME_SIZE = (640, 480)


@pytest.fixture
def gate_data(live_app):
    """A festival with one delegate and a check-in account; the delegate's badge as a PDF."""
    with live_app.app_context():
        festival = factories.make_festival()
        unit = factories.make_unit("MAY10", name="Tổng Công ty May 10", short_name="May 10")
        attendee = services.add_attendee(
            festival, services.AttendeeInput(NAME, services.role_by_code(festival, "delegate"), unit), by=None
        )
        factories.make_user(Role.CHECKIN, email="cong@example.vn", full_name="Trần Văn Cổng")
        db.session.commit()
        with live_app.test_request_context():
            pdf = render_badges(festival, [attendee], "a6")
            url = checkin_url(attendee)
        return {"attendee_id": attendee.id, "pdf": pdf, "url": url}


def badge_frame(pdf: bytes) -> Image.Image:
    """The badge as a phone camera would see it: page 1 at 150 dpi, cropped 4:3 around the QR code."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0].render(scale=150 / 72).to_pil().convert("RGB")
    finally:
        document.close()
    found = zxingcpp.read_barcodes(page)
    assert len(found) == 1, "the badge page should hold exactly one QR code"
    corners = found[0].position
    xs = [corners.top_left.x, corners.top_right.x, corners.bottom_right.x, corners.bottom_left.x]
    ys = [corners.top_left.y, corners.top_right.y, corners.bottom_right.y, corners.bottom_left.y]
    centre_x, centre_y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    # A window twice the code's height, 4:3, on white where it runs past the page edge.
    height = 2 * (max(ys) - min(ys))
    width = height * FRAME_SIZE[0] / FRAME_SIZE[1]
    box = tuple(
        round(v) for v in (centre_x - width / 2, centre_y - height / 2, centre_x + width / 2, centre_y + height / 2)
    )
    window = Image.new("RGB", (box[2] - box[0], box[3] - box[1]), "white")
    window.paste(page, (-box[0], -box[1]))
    return window.resize(FRAME_SIZE, Image.Resampling.LANCZOS)


def write_y4m(frames: list[Image.Image], path, fps=10):
    """A YUV4MPEG2 4:2:0 video of these frames, as Chromium's fake camera reads it (and loops)."""
    width, height = frames[0].size
    assert width % 2 == 0 and height % 2 == 0
    half = (width // 2, height // 2)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for frame in frames:
            luma, blue, red = frame.convert("YCbCr").split()
            planes = (
                luma.tobytes()
                + blue.resize(half, Image.Resampling.BOX).tobytes()
                + red.resize(half, Image.Resampling.BOX).tobytes()
            )
            video.write(b"FRAME\n" + planes)


def check_ins(live_app, attendee_id):
    """The attendee as stored now and their CheckIn rows, oldest first."""
    with live_app.app_context():
        db.session.expire_all()
        attendee = db.session.get(Attendee, attendee_id)
        rows = (
            db.session.execute(db.select(CheckIn).where(CheckIn.attendee_id == attendee_id).order_by(CheckIn.id))
            .scalars()
            .all()
        )
        return (
            {"checked_in_at": attendee.checked_in_at, "checked_in_gate": attendee.checked_in_gate},
            [{"result": row.result, "method": row.method, "gate": row.gate, "nonce": row.nonce} for row in rows],
        )


def watch_errors(page):
    """Console errors and uncaught exceptions (a CSP violation shows up here too)."""
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_camera_checks_in_a_printed_badge_then_reports_it_already_used(
    browser, live_app, live_server, gate_data, tmp_path
):
    frame = badge_frame(gate_data["pdf"])
    decoded = zxingcpp.read_barcodes(frame)
    assert [code.text for code in decoded] == [gate_data["url"]]  # the video really shows this badge
    video = tmp_path / "badge.y4m"
    # Held up for 3 s, then taken away for 4 s (the video loops): the badge leaves the frame and comes back.
    blank = Image.new("RGB", FRAME_SIZE, "white")
    write_y4m([frame] * 30 + [blank] * 40, video)

    args = CHROMIUM_ARGS + [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    # A Chromium of its own (through the session's Playwright): the fake camera is set at launch.
    camera_browser = browser.browser_type.launch(executable_path=chromium_path(), args=args)
    try:
        context = camera_browser.new_context(
            viewport={"width": 412, "height": 915}, has_touch=True, is_mobile=True, locale="vi-VN"
        )
        context.grant_permissions(["camera"], origin=live_server.url)
        context.set_default_timeout(15_000)
        page = context.new_page()
        errors = watch_errors(page)
        sign_in(page, live_server.url, "cong@example.vn", factories.PASSWORD)
        page.goto(f"{live_server.url}/checkin/")
        assert page.evaluate("'BarcodeDetector' in window") is False  # so jsQR is what reads the code
        page.fill("#gate", GATE)
        page.locator("#start-camera").tap()

        result = page.locator("#result")
        expect(result).to_be_visible()
        expect(result).to_have_class(re.compile(r"\bresult-checked_in\b"))
        expect(page.locator("#result-title")).to_have_text("Mời vào")
        expect(page.locator("#result-name")).to_have_text(NAME)
        expect(page.locator("#result-detail")).to_contain_text("Tổng Công ty May 10 · Đại biểu")
        page.locator("#result-close").tap()  # before the green result closes itself after 4 s
        expect(result).to_be_hidden()

        person, rows = check_ins(live_app, gate_data["attendee_id"])
        assert person["checked_in_at"] is not None and person["checked_in_gate"] == GATE
        assert [(row["result"], row["method"], row["gate"]) for row in rows] == [(ScanResult.CHECKED_IN, "scan", GATE)]
        first_arrival = person["checked_in_at"]

        # The badge still in front of the camera is not read again: the result would cover the page for nothing.
        page.wait_for_timeout(1500)
        expect(result).to_be_hidden()
        assert len(check_ins(live_app, gate_data["attendee_id"])[1]) == 1

        # Taken away and shown again, it is read again: already in.
        expect(result).to_have_class(re.compile(r"\bresult-already\b"), timeout=20_000)
        expect(result).to_be_visible()
        expect(page.locator("#result-title")).to_have_text("Đã vào cổng")
        expect(page.locator("#result-name")).to_have_text(NAME)
        expect(page.locator("#result-detail")).to_contain_text(f"ở {GATE}")
        expect(page.locator("#result-detail")).not_to_contain_text(f"cổng {GATE}")
        person, rows = check_ins(live_app, gate_data["attendee_id"])
        assert [row["result"] for row in rows] == [ScanResult.CHECKED_IN, ScanResult.ALREADY]
        assert len({row["nonce"] for row in rows}) == 2
        assert person["checked_in_at"] == first_arrival and person["checked_in_gate"] == GATE
        assert page.evaluate("localStorage.getItem('festival.gate')") == GATE
        assert errors == []
        context.close()
    finally:
        camera_browser.close()


def test_search_checks_in_a_person_without_a_badge_and_a_lost_answer_is_not_counted_twice(
    live_app, live_server, gate_data, page
):
    errors = watch_errors(page)
    sign_in(page, live_server.url, "cong@example.vn", factories.PASSWORD)
    page.goto(f"{live_server.url}/checkin/")
    page.fill("#gate", GATE)

    page.fill("#search", "zzzz")
    expect(page.locator("#search-results")).to_have_text("Không tìm thấy ai.")
    page.fill("#search", "hang")  # no accents, as typed in a hurry
    row = page.locator("#search-results li", has_text=NAME)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Tổng Công ty May 10")

    # The first check-in reaches the server but its answer is lost on the way back: the page
    # sends the same request again and the server answers it from the first one.
    sent = []

    def lose_first_answer(route):
        sent.append(json.loads(route.request.post_data))
        if len(sent) == 1:
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/checkin/attendees/*", lose_first_answer)
    row.get_by_role("button", name="Cho vào").click()
    result = page.locator("#result")
    expect(result).to_be_visible()
    expect(result).to_have_class(re.compile(r"\bresult-checked_in\b"))
    expect(page.locator("#result-name")).to_have_text(NAME)

    assert len(sent) == 2 and sent[0] == sent[1] and sent[0]["gate"] == GATE
    person, rows = check_ins(live_app, gate_data["attendee_id"])
    assert person["checked_in_at"] is not None and person["checked_in_gate"] == GATE
    assert [(row["result"], row["method"], row["nonce"]) for row in rows] == [
        (ScanResult.CHECKED_IN, "search", sent[0]["nonce"])
    ]

    page.locator("#result-close").click()
    expect(result).to_be_hidden()
    expect(row).to_contain_text("Đã vào cổng")  # the list is refreshed after the result
    assert [e for e in errors if "ERR_CONNECTION_RESET" not in e and "Failed to fetch" not in e] == []
