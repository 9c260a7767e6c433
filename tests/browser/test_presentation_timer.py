"""The defence timer on a judge's tablet: it counts from when it was started, so a reload, a dropped
network or a sleeping tablet shows the time really left; it moves from presentation to questions to
time up, and signing out leaves nothing of it on the device."""

import re

import pytest
from playwright.sync_api import expect

from festival.core.extensions import db
from festival.judging.policy import policy_for
from festival.models import ScoreSheet
from tests import factories
from tests.browser.conftest import sign_in, sign_out_of_tablet, wait_for

pytestmark = pytest.mark.browser

TIMER_KEYS = "Object.keys(localStorage).filter(k => k.startsWith('festival.u') && k.includes('.timer.'))"


def about(minutes, seconds):
    """The clock's text within two seconds of m:ss (the page ticks four times a second on real time too)."""
    total = minutes * 60 + seconds
    options = [f"{t // 60}:{t % 60:02d}" for t in range(total - 2, total + 3)]
    return re.compile("^(" + "|".join(options) + ")$")


@pytest.mark.parametrize("sheet_fixture", ["timed_sheet_id", "final_round_sheet_id"], ids=["one-round", "final-round"])
def test_the_timer_survives_a_reload_and_going_offline_and_goes_at_sign_out(
    browser, live_server, request, sheet_fixture
):
    timed_sheet_id = request.getfixturevalue(sheet_fixture)
    context = browser.new_context(viewport={"width": 820, "height": 1180}, has_touch=True, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.clock.install()
    sign_in(page, live_server.url, "gk@example.vn", factories.PASSWORD)
    sheet_url = f"{live_server.url}/judging/sheets/{timed_sheet_id}"
    page.goto(sheet_url)
    timer = page.locator("#presentation-timer")
    clock, phase = timer.locator("[role=timer]"), timer.locator(".timer-phase")
    expect(timer).to_be_visible()
    expect(clock).to_have_text("7:00")
    expect(phase).to_have_text("Chưa bắt đầu: trình bày 7 phút, hỏi đáp 5 phút")
    # The page is kept on the tablet for offline use once it was opened online.
    assert wait_for(
        lambda: page.evaluate(
            "caches.keys().then(k => Promise.all(k.filter(n => n.startsWith('festival-pages')).map(n => "
            "caches.open(n).then(c => c.match(location.href))))).then(l => l.some(Boolean))"
        )
    )

    timer.get_by_role("button", name="Bắt đầu trình bày").click()
    expect(phase).to_have_text("Đang trình bày")
    expect(timer).to_have_class(re.compile("timer-presentation"))
    page.clock.fast_forward("03:00")
    expect(clock).to_have_text(about(4, 0))

    page.reload()
    expect(clock).to_have_text(about(4, 0))
    expect(phase).to_have_text("Đang trình bày")
    page.clock.fast_forward("00:30")
    expect(clock).to_have_text(about(3, 30))  # still counting

    # Paused while the judges confer: the clock stands still, then goes on from where it stood.
    timer.get_by_role("button", name="Tạm dừng").click()
    expect(phase).to_have_text("Đang trình bày · Đang tạm dừng")
    page.clock.fast_forward("01:00")
    expect(clock).to_have_text(about(3, 30))
    timer.get_by_role("button", name="Tiếp tục").click()
    expect(phase).to_have_text("Đang trình bày")

    context.set_offline(True)
    page.reload()  # no network: the kept page, and the timer where it was
    expect(page.locator("h1")).to_have_text("Cữ gá may túi")
    expect(clock).to_have_text(about(3, 30))
    page.clock.fast_forward("03:40")  # past the 7 minutes of presentation
    expect(phase).to_have_text("Hết giờ trình bày — chuyển sang hỏi đáp")
    expect(timer).to_have_class(re.compile("timer-questions"))
    expect(clock).to_have_text(about(4, 50))
    page.clock.fast_forward("05:00")  # past the 5 minutes of questions
    expect(clock).to_have_text("Hết giờ")
    expect(phase).to_have_text("Hết giờ hỏi đáp")
    expect(timer).to_have_class(re.compile("timer-over"))
    expect(timer.get_by_role("button", name="Tạm dừng")).to_be_hidden()

    # Reset (confirmed) puts it back to the start; started again, it is on the device until sign-out.
    timer.get_by_role("button", name="Đặt lại").click()
    expect(clock).to_have_text("7:00")
    expect(timer.get_by_role("button", name="Bắt đầu trình bày")).to_be_visible()
    assert page.evaluate(TIMER_KEYS) == []
    timer.get_by_role("button", name="Bắt đầu trình bày").click()
    assert len(page.evaluate(TIMER_KEYS)) == 1

    context.set_offline(False)
    page.goto(sheet_url)
    sign_out_of_tablet(page)
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('festival.'))") == []
    context.close()


def test_the_timer_stays_off_the_sheet_when_the_festival_sets_none(browser, live_server, live_app, timed_sheet_id):
    with live_app.app_context():
        policy = policy_for(db.session.get(ScoreSheet, timed_sheet_id).exhibit.festival)
        policy.presentation_minutes, policy.questions_minutes = 0, 0
        db.session.commit()
    context = browser.new_context(viewport={"width": 820, "height": 1180}, locale="vi-VN")
    page = context.new_page()
    sign_in(page, live_server.url, "gk@example.vn", factories.PASSWORD)
    page.goto(f"{live_server.url}/judging/sheets/{timed_sheet_id}")
    expect(page.locator("h1")).to_have_text("Cữ gá may túi")
    expect(page.locator("#presentation-timer")).to_have_count(0)
    context.close()
