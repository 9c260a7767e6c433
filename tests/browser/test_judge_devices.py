"""A judge's sheet open in two tabs, on two devices, through a dead spot, on a shared tablet:
the database ends with exactly the values the judge chose, and the page never says "saved" for
what is not stored."""

import re
import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from festival.badges import services as badge_services
from festival.core.extensions import db
from festival.judging import rubrics
from festival.judging.policy import policy_for
from festival.models import ExhibitStatus, Festival, Role, ScoreChange, ScoreSheet, UserSession, utcnow
from tests import factories
from tests.browser.conftest import sign_in, sign_out_of_tablet, wait_for
from tests.judging.conftest import rubric_inputs

pytestmark = pytest.mark.browser
TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True, "locale": "vi-VN"}


@pytest.fixture
def sheet(live_app):
    with live_app.app_context():
        festival = factories.make_festival()
        category = factories.make_category(festival)
        unit = factories.make_unit("MAY10")
        judge = factories.make_user(Role.JUDGE, email="gk@example.vn", full_name="Nguyễn Thu Lan")
        rubric = rubrics.save_rubric(festival, None, rubric_inputs(), by=None)
        ids = []
        for code, booth, title in [("KT-01", "7", "Cữ gá may túi tự động"), ("KT-02", "8", "Bàn là hơi tiết kiệm")]:
            exhibit = factories.make_exhibit(
                festival, unit, category, status=ExhibitStatus.ACCEPTED, code=code, booth=booth, title=title
            )
            row = ScoreSheet(exhibit=exhibit, judge=judge)
            db.session.add(row)
            db.session.flush()
            ids.append(row.id)
        db.session.commit()
        return {"id": ids[0], "other": ids[1], "criteria": [c.id for c in rubric.criteria], "festival": festival.id}


def stored(live_app, sheet_id):
    with live_app.app_context():
        db.session.expire_all()
        row = db.session.get(ScoreSheet, sheet_id)
        points = {s.criterion.position: s.points for s in row.scores if s.points is not None}
        return points, row.comment


def device(browser, live_server, **options):
    """A signed-in tablet (a browser context of its own: its own cookies and storage)."""
    context = browser.new_context(**{**TABLET, **options})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server.url, "gk@example.vn", factories.PASSWORD)
    return context, page


def open_sheet(page, live_server, sheet_id):
    page.goto(f"{live_server.url}/judging/sheets/{sheet_id}")
    expect(page.locator("#connection")).to_be_visible()


def type_points(page, criterion, value):
    page.locator(f"#p{criterion}").fill(value)
    page.locator(f"#p{criterion}").dispatch_event("change")


def test_two_tabs_of_one_sheet_both_save_and_each_shows_the_other(browser, live_server, live_app, sheet):
    context, first = device(browser, live_server)
    novelty, applicability = sheet["criteria"][0], sheet["criteria"][1]
    open_sheet(first, live_server, sheet["id"])
    second = context.new_page()
    open_sheet(second, live_server, sheet["id"])  # both tabs start from the same revision

    first.locator(f"label[for=p{novelty}-20]").tap()
    expect(first.locator("#save-status")).to_have_text("Đã lưu")
    expect(second.locator(f"#p{novelty}-20")).to_be_checked()  # the other tab shows it too
    type_points(second, applicability, "15")
    expect(second.locator("#save-status")).to_contain_text("Đã lưu")
    expect(first.locator(f"#p{applicability}")).to_have_value("15")
    assert stored(live_app, sheet["id"])[0] == {0: Decimal(20), 1: Decimal(15)}

    # The same field in both tabs, one after the other: each change is stored, none is "duplicate".
    first.locator(f"label[for=p{novelty}-30]").tap()
    expect(first.locator("#save-status")).to_have_text("Đã lưu")
    expect(second.locator(f"#p{novelty}-30")).to_be_checked()
    second.locator(f"label[for=p{novelty}-10]").tap()
    expect(second.locator("#save-status")).to_contain_text("Đã lưu")
    assert stored(live_app, sheet["id"])[0] == {0: Decimal(10), 1: Decimal(15)}
    expect(first.locator(f"#p{novelty}-10")).to_be_checked()
    with live_app.app_context():
        history = db.session.execute(
            db.select(ScoreChange.new_value)
            .where(ScoreChange.sheet_id == sheet["id"], ScoreChange.criterion_id == novelty)
            .order_by(ScoreChange.id)
        ).scalars()
        assert list(history) == ["20", "30", "10"]
    context.close()


@pytest.mark.parametrize("offline_first", [True, False])
def test_two_devices_one_offline_end_with_the_values_chosen(browser, live_server, live_app, sheet, offline_first):
    """Tablet and phone edit one sheet; one of them is in a dead spot meanwhile, in either order."""
    tablet_context, tablet = device(browser, live_server)
    phone_context, phone = device(browser, live_server, viewport={"width": 360, "height": 780})
    novelty, applicability, effect = sheet["criteria"][:3]
    open_sheet(tablet, live_server, sheet["id"])
    open_sheet(phone, live_server, sheet["id"])

    phone_context.set_offline(True)
    if offline_first:
        phone.locator(f"label[for=p{novelty}-10]").tap()
        type_points(phone, effect, "22")
        expect(phone.locator("#connection")).to_contain_text("chờ gửi")
        tablet.locator(f"label[for=p{novelty}-30]").tap()
        type_points(tablet, applicability, "20")
    else:
        tablet.locator(f"label[for=p{novelty}-30]").tap()
        type_points(tablet, applicability, "20")
        phone.locator(f"label[for=p{novelty}-10]").tap()
        type_points(phone, effect, "22")
    expect(tablet.locator("#save-status")).to_have_text("Đã lưu")
    expect(phone.locator("#save-status")).not_to_have_text("Đã lưu")
    assert stored(live_app, sheet["id"])[0] == {0: Decimal(30), 1: Decimal(20)}

    phone_context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    # The phone's untouched-elsewhere change goes in; the field both changed waits for the judge.
    assert wait_for(lambda: stored(live_app, sheet["id"])[0] == {0: Decimal(30), 1: Decimal(20), 2: Decimal(22)})
    expect(phone.locator("#sheet-conflicts")).to_contain_text("Dùng bản đã lưu: 30")
    expect(phone.locator(f"#p{applicability}")).to_have_value("20")  # the tablet's value arrived
    phone.locator("#sheet-conflicts").get_by_role("button", name="Dùng bản đã lưu: 30").click()
    expect(phone.locator(f"#p{novelty}-30")).to_be_checked()
    expect(phone.locator("#save-status")).to_have_text("Đã lưu")
    assert stored(live_app, sheet["id"])[0] == {0: Decimal(30), 1: Decimal(20), 2: Decimal(22)}
    tablet_context.close()
    phone_context.close()


def test_offline_change_reload_change_close_reopen_then_online(browser, live_server, live_app, sheet):
    """The server unreachable (the venue's Wi-Fi gone): the list and the sheets still open, from the
    device, through reloads and a closed tab; every change reaches the server when it is back."""
    context, page = device(browser, live_server)
    novelty, applicability = sheet["criteria"][0], sheet["criteria"][1]
    page.goto(f"{live_server.url}/judging/")  # opened online: the tablet keeps the list and both sheets
    expect(page.locator("#connection")).to_contain_text("Đang có mạng")
    assert wait_for(
        lambda: (
            page.evaluate(
                "caches.keys().then(k => Promise.all(k.filter(n => n.startsWith('festival-pages')).map(n => "
                "caches.open(n).then(c => c.keys())))).then(l => l.flat().length)"
            )
            >= 3
        )
    )
    open_sheet(page, live_server, sheet["id"])
    page.locator(f"label[for=p{novelty}-20]").tap()
    expect(page.locator("#save-status")).to_have_text("Đã lưu")

    live_server.stop()
    page.locator(f"label[for=p{novelty}-30]").tap()
    expect(page.locator("#connection")).to_contain_text("Mất kết nối")
    page.reload()  # no server: the kept page, with the change still waiting
    expect(page.locator(f"#p{novelty}-30")).to_be_checked()
    type_points(page, applicability, "12")
    expect(page.locator("#connection")).to_contain_text("chờ gửi")
    page.close()

    again = context.new_page()  # the tab was closed; the judge opens the sheet from the list
    again.goto(f"{live_server.url}/judging/")
    expect(again.locator(f"[data-pending-sheet='{sheet['id']}']")).to_be_visible()
    again.goto(f"{live_server.url}/judging/sheets/{sheet['other']}")  # an assigned sheet never opened
    expect(again.locator("h1")).to_have_text("Bàn là hơi tiết kiệm")
    open_sheet(again, live_server, sheet["id"])
    expect(again.locator(f"#p{novelty}-30")).to_be_checked()
    expect(again.locator(f"#p{applicability}")).to_have_value("12")
    expect(again.locator("#save-status")).not_to_have_text("Đã lưu")
    assert stored(live_app, sheet["id"])[0] == {0: Decimal(20)}

    live_server.restart()
    again.evaluate("window.dispatchEvent(new Event('online'))")
    assert wait_for(lambda: stored(live_app, sheet["id"])[0] == {0: Decimal(30), 1: Decimal(12)})
    expect(again.locator("#save-status")).to_contain_text("Đã lưu")
    expect(again.locator("#connection")).to_contain_text("Không còn gì chờ gửi")
    context.close()


def test_a_refusal_stays_and_an_invalid_value_is_marked_and_not_counted(browser, live_server, live_app, sheet):
    context, page = device(browser, live_server)
    novelty, applicability, effect = sheet["criteria"][:3]
    open_sheet(page, live_server, sheet["id"])
    page.locator(f"label[for=p{novelty}-20]").tap()
    type_points(page, effect, "45")  # of 30
    expect(page.locator(f"#p{effect}")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator(f"#p{effect}-error")).to_contain_text("từ 0 đến 30")
    expect(page.locator("#total")).to_have_text("20")  # 45 is not counted
    expect(page.locator("#save-status")).to_contain_text("chưa hợp lệ")
    assert wait_for(lambda: stored(live_app, sheet["id"])[0] == {0: Decimal(20)})

    type_points(page, effect, "25")
    expect(page.locator("#save-status")).to_have_text("Đã lưu")
    page.get_by_role("button", name="Nộp phiếu").tap()  # applicability and social are not scored yet
    alert = page.locator("#sheet-alert")
    expect(alert).to_contain_text("Chưa chấm đủ các tiêu chí")
    type_points(page, applicability, "10")  # a save after the refusal does not hide it
    expect(page.locator("#save-status")).to_have_text("Đã lưu")
    page.wait_for_timeout(1500)
    expect(alert).to_be_visible()
    alert.locator(".btn-close").click()
    expect(alert).to_be_hidden()
    context.close()


def test_a_sheet_of_final_results_renders_read_only(browser, live_server, live_app, sheet):
    with live_app.app_context():
        policy_for(db.session.get(Festival, sheet["festival"])).finalised_at = utcnow()
        db.session.commit()
    context, page = device(browser, live_server)
    page.goto(f"{live_server.url}/judging/sheets/{sheet['id']}")
    expect(page.locator("main")).to_contain_text("Kết quả đã chốt")
    expect(page.locator(f"#p{sheet['criteria'][1]}")).to_be_disabled()
    expect(page.get_by_role("button", name="Nộp phiếu")).to_have_count(0)
    context.close()


def test_without_javascript_the_steppers_are_number_fields_and_a_refusal_keeps_the_values(
    browser, live_server, live_app, sheet
):
    context, page = device(browser, live_server, java_script_enabled=False)
    novelty, applicability, effect = sheet["criteria"][:3]
    page.goto(f"{live_server.url}/judging/sheets/{sheet['id']}")
    expect(page.locator(".step").first).to_be_hidden()
    page.locator(f"label[for=p{novelty}-20]").click()
    page.fill(f"#p{applicability}", "18,5")
    page.fill(f"#p{effect}", "99")  # more than 30
    page.fill("#comment", "Cần số liệu kiểm chứng")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#sheet-alert")).to_contain_text("phải từ 0 đến 30")
    expect(page.locator(f"#p{applicability}")).to_have_value("18,5")
    expect(page.locator(f"#p{effect}")).to_have_value("99")
    expect(page.locator("#comment")).to_have_value("Cần số liệu kiểm chứng")
    expect(page.locator(f"#p{novelty}-20")).to_be_checked()
    assert stored(live_app, sheet["id"]) == ({}, "")
    page.fill(f"#p{effect}", "25")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu")
    assert stored(live_app, sheet["id"]) == (
        {0: Decimal(20), 1: Decimal("18.5"), 2: Decimal(25)},
        "Cần số liệu kiểm chứng",
    )
    context.close()


def test_signing_out_of_a_shared_tablet_leaves_nothing_that_opens_the_sheet(browser, live_server, live_app, sheet):
    context = browser.new_context(**TABLET)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/auth/login")
    page.fill("#email", "gk@example.vn")
    page.fill("#password", factories.PASSWORD)
    page.check("#remember")
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/judging/")
    cookies = context.cookies()
    remember = [c for c in cookies if c["name"] == "remember_token"]
    assert remember and remember[0]["expires"] - time.time() <= 30 * 86400 + 60  # at most 30 days

    open_sheet(page, live_server, sheet["id"])
    page.route("**/save", lambda route: route.abort())  # a dead spot: the change stays on the tablet
    page.locator(f"label[for=p{sheet['criteria'][0]}-10]").tap()
    expect(page.locator("#connection")).to_contain_text("1 thay đổi chờ gửi")
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    sign_out_of_tablet(page)
    assert messages and "chưa gửi" in messages[0]
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('festival.')).length") == 0
    assert wait_for(lambda: kept_pages(page) == 0)  # the pages kept for offline use went too
    assert [c for c in context.cookies() if c["name"] == "remember_token"] == []

    page.goto(f"{live_server.url}/judging/")
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))
    context.add_cookies(cookies)  # the old session and remember-me cookies, replayed
    page.goto(f"{live_server.url}/judging/sheets/{sheet['id']}")
    assert "/auth/login" in page.url
    context.clear_cookies()
    context.add_cookies(remember)  # the remember-me cookie alone
    page.goto(f"{live_server.url}/judging/")
    assert "/auth/login" in page.url
    context.close()


IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile Safari/604.1"


def reported(live_app):
    """What the judge's newest device report said was waiting (None before any report)."""
    with live_app.app_context():
        db.session.expire_all()
        return db.session.execute(
            db.select(UserSession.pending_changes)
            .where(UserSession.last_report_at.is_not(None))
            .order_by(UserSession.last_report_at.desc())
        ).scalar()


def test_an_offline_change_is_sent_from_the_list_which_marks_only_the_waiting_sheet(
    browser, live_server, live_app, sheet
):
    context, page = device(browser, live_server)
    novelty = sheet["criteria"][0]
    open_sheet(page, live_server, sheet["id"])
    page.route("**/save", lambda route: route.abort())  # a dead spot
    page.locator(f"label[for=p{novelty}-20]").tap()
    expect(page.locator("#connection")).to_contain_text("1 thay đổi chờ gửi")

    page.goto(f"{live_server.url}/judging/")  # the judge goes back to the list and stays there
    expect(page.locator("#connection")).to_contain_text("1 thay đổi chờ gửi")
    expect(page.locator(f"[data-pending-sheet='{sheet['id']}']")).to_be_visible()
    expect(page.locator(f"[data-pending-sheet='{sheet['other']}']")).to_be_hidden()
    expect(page.locator(".pending-badge:visible")).to_have_count(1)
    assert wait_for(lambda: reported(live_app) == 1)  # the control room hears a change waits
    assert stored(live_app, sheet["id"])[0] == {}

    page.unroute("**/save")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    assert wait_for(lambda: stored(live_app, sheet["id"])[0] == {0: Decimal(20)})
    expect(page.locator("#connection")).to_contain_text("Không còn gì chờ gửi")
    expect(page.locator(".pending-badge:visible")).to_have_count(0)
    assert wait_for(lambda: reported(live_app) == 0)
    context.close()


def test_a_submit_after_another_devices_change_shows_what_changed_and_locks_nothing(
    browser, live_server, live_app, sheet
):
    novelty, applicability, effect, social, question = sheet["criteria"]
    tablet_context, tablet = device(browser, live_server)
    open_sheet(tablet, live_server, sheet["id"])
    tablet.locator(f"label[for=p{novelty}-20]").tap()
    type_points(tablet, applicability, "20")
    type_points(tablet, effect, "9")
    tablet.locator(f"label[for=p{social}-10]").tap()
    tablet.locator(f"label[for=a{question}-yes]").tap()
    expect(tablet.locator("#save-status")).to_have_text("Đã lưu")

    phone_context, phone = device(browser, live_server, viewport={"width": 360, "height": 780}, user_agent=IPHONE)
    open_sheet(phone, live_server, sheet["id"])
    type_points(phone, effect, "14")
    phone.locator(f"label[for=a{question}-no]").tap()
    expect(phone.locator("#save-status")).to_have_text("Đã lưu")
    expect(tablet.locator(f"#p{effect}")).to_have_value("9")  # the tablet has not seen it

    tablet.get_by_role("button", name="Nộp phiếu").tap()
    changes = tablet.locator("#sheet-changes")
    expect(changes).to_contain_text("Phiếu chưa được nộp")
    expect(changes).to_contain_text("Hiệu quả kinh tế – kỹ thuật: 9 → 14 (từ iPhone · Safari)")
    expect(changes).to_contain_text("Đề xuất nhân rộng toàn ngành?: Có → Không (từ iPhone · Safari)")
    expect(tablet.locator(f"#p{effect}")).to_have_value("14")  # the page now shows what would be sealed
    expect(tablet.locator(f"#a{question}-no")).to_be_checked()
    with live_app.app_context():
        assert db.session.get(ScoreSheet, sheet["id"]).status.value == "draft"

    tablet.get_by_role("button", name="Nộp phiếu").tap()  # asked again, with the values now on screen
    expect(tablet.locator(".alert-success")).to_contain_text("Phiếu đã nộp")
    with live_app.app_context():
        row = db.session.get(ScoreSheet, sheet["id"])
        answers = {s.criterion.position: s.answer for s in row.scores if s.answer is not None}
        assert row.status.value == "submitted" and answers == {4: False}
    assert stored(live_app, sheet["id"])[0][2] == Decimal(14)
    tablet_context.close()
    phone_context.close()


@pytest.mark.parametrize("broadcast", [True, False], ids=["broadcast-channel", "storage-event"])
def test_signing_out_in_one_tab_locks_the_other_at_once(browser, live_server, live_app, sheet, broadcast):
    context, sheet_tab = device(browser, live_server)
    if not broadcast:  # a browser without BroadcastChannel hears it through the storage event
        context.add_init_script("delete window.BroadcastChannel")
    open_sheet(sheet_tab, live_server, sheet["id"])
    list_tab = context.new_page()
    # Playwright dismisses a dialog nobody handles, which would cancel the sign-out: whatever the page asks
    # (unsent changes on this device) is answered yes.
    list_tab.on("dialog", lambda dialog: dialog.accept())
    list_tab.goto(f"{live_server.url}/judging/")
    expect(list_tab.locator("#connection")).to_contain_text("Không còn gì chờ gửi")
    sign_out_of_tablet(list_tab)

    expect(sheet_tab.locator("#signed-out-notice")).to_contain_text("Bạn đã đăng xuất ở một thẻ khác")
    applicability = sheet["criteria"][1]
    expect(sheet_tab.locator(f"#p{applicability}")).to_be_disabled()
    expect(sheet_tab.get_by_role("button", name="Nộp phiếu")).to_be_disabled()
    # The next person's tap on the old page writes nothing, on the device or the server.
    sheet_tab.locator(f"label[for=p{sheet['criteria'][0]}-20]").click(force=True)
    assert sheet_tab.evaluate("Object.keys(localStorage).filter(k => k.includes('.outbox.')).length") == 0
    assert stored(live_app, sheet["id"])[0] == {}
    context.close()


def test_changes_of_an_ended_session_are_offered_kept_or_dropped_never_sent_alone(
    browser, live_server, live_app, sheet
):
    context, page = device(browser, live_server)
    novelty = sheet["criteria"][0]
    page.route("**/save", lambda route: route.abort())  # a dead spot: both changes wait on the tablet
    open_sheet(page, live_server, sheet["id"])
    page.locator(f"label[for=p{novelty}-10]").tap()
    open_sheet(page, live_server, sheet["other"])
    page.locator(f"label[for=p{novelty}-30]").tap()
    expect(page.locator("#connection")).to_contain_text("2 thay đổi chờ gửi")
    # The session ends without the device hearing of it (timed out); the judge signs in again.
    context.clear_cookies()
    page.unroute("**/save")
    sign_in(page, live_server.url, "gk@example.vn", factories.PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/judging/")
    left_over = page.locator("#left-over")
    expect(left_over).to_contain_text("Thay đổi chưa gửi từ phiên trước")
    first = left_over.locator("li", has_text="KT-01 Cữ gá may túi tự động")
    second = left_over.locator("li", has_text="KT-02 Bàn là hơi tiết kiệm")
    expect(first).to_contain_text("Tính mới, tính sáng tạo: 10")
    expect(second).to_contain_text("Tính mới, tính sáng tạo: 30")
    expect(page.locator("#connection")).to_contain_text("Không còn gì chờ gửi")  # nothing goes by itself
    assert stored(live_app, sheet["id"])[0] == {} and stored(live_app, sheet["other"])[0] == {}

    second.get_by_role("button", name="Bỏ").click()
    first.get_by_role("button", name="Giữ và gửi").click()
    assert wait_for(lambda: stored(live_app, sheet["id"])[0] == {0: Decimal(10)})
    expect(left_over).to_be_hidden()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.includes('.outbox.')).length") == 0
    assert stored(live_app, sheet["other"])[0] == {}  # the dropped change was never sent
    context.close()


def kept_pages(page):
    return page.evaluate(
        "caches.keys().then(k => Promise.all(k.filter(n => n.startsWith('festival-pages')).map(n => "
        "caches.open(n).then(c => c.keys())))).then(l => l.flat().length)"
    )


def festival_keys(page):
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('festival.'))")


def test_signing_out_of_every_device_wipes_a_lost_tablet_and_a_gate_phone_at_their_next_contact(
    browser, live_server, live_app, sheet
):
    with live_app.app_context():
        festival = db.session.get(Festival, sheet["festival"])
        delegate = badge_services.role_by_code(festival, "delegate")
        for name in ("Nguyễn Thị Hằng", "Lê Văn Đức"):
            badge_services.add_attendee(festival, badge_services.AttendeeInput(name, delegate, None), by=None)
        factories.make_user(Role.CHECKIN, email="cong@example.vn", full_name="Trần Văn Cổng")
        db.session.commit()
    tablet_context, tablet = device(browser, live_server)
    tablet.goto(f"{live_server.url}/judging/")  # opened online: the tablet keeps the list and both sheets
    assert wait_for(lambda: kept_pages(tablet) >= 3)
    open_sheet(tablet, live_server, sheet["id"])
    tablet.locator(f"label[for=p{sheet['criteria'][0]}-20]").tap()
    expect(tablet.locator("#save-status")).to_have_text("Đã lưu")

    gate_context = browser.new_context(viewport={"width": 412, "height": 915}, has_touch=True, locale="vi-VN")
    gate_context.set_default_timeout(15_000)
    gate = gate_context.new_page()
    sign_in(gate, live_server.url, "cong@example.vn", factories.PASSWORD)
    gate.goto(f"{live_server.url}/checkin/")
    expect(gate.locator("#gate-connection")).to_contain_text("danh sách 2 người")
    assert any(".gatelist." in key for key in festival_keys(gate))

    # The judge, from another device, signs out of every device; so does the gate's account.
    for email in ("gk@example.vn", "cong@example.vn"):
        owner_context = browser.new_context(**TABLET)
        owner = owner_context.new_page()
        sign_in(owner, live_server.url, email, factories.PASSWORD)
        owner.goto(f"{live_server.url}/auth/account")
        owner.once("dialog", lambda dialog: dialog.accept())
        owner.get_by_role("button", name=re.compile("Đăng xuất khỏi mọi thiết bị")).click()
        expect(owner).to_have_url(re.compile(r"/auth/login"))
        owner_context.close()

    # The lost tablet's next contact: its next save is answered "session ended", and it wipes itself.
    tablet.locator(f"label[for=p{sheet['criteria'][0]}-30]").tap()
    expect(tablet).to_have_url(re.compile(r"/auth/login"))
    assert wait_for(lambda: festival_keys(tablet) == [] and kept_pages(tablet) == 0)
    tablet_context.set_offline(True)
    tablet.goto(f"{live_server.url}/judging/sheets/{sheet['id']}")
    expect(tablet.locator("main")).not_to_contain_text("Cữ gá may túi tự động")
    assert stored(live_app, sheet["id"])[0] == {0: Decimal(20)}  # the finder's tap was never stored

    # The gate phone's next contact (here, the gate page opened again) wipes its check-in list.
    gate.reload()
    expect(gate).to_have_url(re.compile(r"/auth/login"))
    assert wait_for(lambda: not any(".gatelist." in key for key in festival_keys(gate)))
    tablet_context.close()
    gate_context.close()


def test_kept_data_older_than_the_set_time_is_dropped(browser, live_server, live_app, sheet):
    context, page = device(browser, live_server)
    page.goto(f"{live_server.url}/judging/")
    assert wait_for(lambda: kept_pages(page) >= 3)
    day_ago = "Date.now() - 25 * 3600 * 1000"
    page.evaluate(
        f"""() => {{
        const prefix = 'festival.u' + document.body.dataset.userId + '.';
        localStorage.setItem(prefix + 'kept-at', String({day_ago}));
        localStorage.setItem(prefix + 'state.{sheet["id"]}', JSON.stringify({{id: {sheet["id"]}, revision: 3}}));
        localStorage.setItem(prefix + 'outbox.{sheet["id"]}.old', JSON.stringify({{seq: 1, created: {day_ago}}}));
    }}"""
    )
    page.reload()  # the next page load finds them older than OFFLINE_KEEP_HOURS: they go
    expect(page.locator("#connection")).to_contain_text("Không còn gì chờ gửi")
    assert not any(key.endswith(f".state.{sheet['id']}") or key.endswith(".old") for key in festival_keys(page))

    # Offline, a kept page older than the device may keep it is not served (the limit made 1 ms here).
    keep = "caches.open('festival-meta').then(c => c.match('/__keep__')).then(r => r ? r.text() : '')"
    assert wait_for(lambda: page.evaluate(keep) == str(24 * 3600 * 1000))
    page.evaluate("caches.open('festival-meta').then(c => c.put('/__keep__', new Response('1')))")
    context.set_offline(True)
    page.goto(f"{live_server.url}/judging/sheets/{sheet['other']}")
    expect(page.locator("main")).not_to_contain_text("Bàn là hơi tiết kiệm")
    context.close()
