"""A judge's sheet over poor venue Wi-Fi: under 150 KB on a cold load, no static file fetched again when warm."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.network import NetworkLog, settle, sign_in_by_request
from tests.conftest import make_app
from tools import build_static

pytestmark = pytest.mark.browser

COLD_BUDGET = 150_000  # bytes on the wire for the sheet with an empty cache: page, styles, scripts, fonts


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "static"
    build_static.build(out=out, log=lambda message: None)
    return out


@pytest.fixture
def live_app(tmp_path, built):
    """The served app as in production: static files published with hashed names (overrides conftest's)."""
    return make_app(
        tmp_path, WTF_CSRF_ENABLED=True, PUBLIC_BASE_URL="https://ldst.example.vn", STATIC_BUILD_DIR=str(built)
    )


@pytest.fixture
def tablet(browser):
    context = browser.new_context(
        viewport={"width": 820, "height": 1180}, has_touch=True, is_mobile=True, locale="vi-VN"
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


def breakdown(fetches) -> str:
    return "\n".join(
        f"{f.transferred:>8} {f.encoding or '-':<4} {f.kind:<10} {'cache ' if f.from_cache else ''}{f.path}"
        for f in fetches
    )


def test_judge_sheet_is_under_150_kb_cold_and_fetches_no_static_file_warm(tablet, live_server, timed_sheet_id):
    sign_in_by_request(tablet, live_server.url, "gk@example.vn", factories.PASSWORD)
    page = tablet.new_page()
    network = NetworkLog(page)
    sheet_url = f"{live_server.url}/judging/sheets/{timed_sheet_id}"

    page.goto(sheet_url)
    settle(page)
    cold = network.take()
    total = sum(f.transferred for f in cold)
    assert total < COLD_BUDGET, f"{total:,} bytes:\n{breakdown(cold)}"
    static = [f for f in cold if f.is_static]
    kinds = {f.kind for f in static}
    assert {"Stylesheet", "Script", "Font"} <= kinds, breakdown(cold)
    # It really was cold. (The favicon may come from the cache the service worker's install just
    # filled, which is not a request the page made.)
    page_kinds = {"Document", "Stylesheet", "Script", "Font"}
    assert not any(f.from_cache for f in cold if f.kind in page_kinds), breakdown(cold)
    for fetch in static:
        assert "immutable" in fetch.cache_control, fetch
        assert fetch.kind == "Font" and fetch.path.endswith(".woff2") or fetch.encoding in ("br", "gzip"), fetch
    document = next(f for f in cold if f.kind == "Document")
    assert document.encoding in ("br", "gzip", "zstd", "deflate")
    expect(page.locator("body")).to_have_css("font-family", '"Be Vietnam Pro", system-ui, sans-serif')
    assert page.evaluate("document.fonts.check('16px \"Be Vietnam Pro\"', 'Tiếng Việt')")

    # Warm: another judge page, the sheet again from a link, then a reload.
    for visit in (lambda: page.goto(f"{live_server.url}/judging/"), lambda: page.goto(sheet_url), page.reload):
        visit()
        settle(page)
        warm = network.take()
        assert [f for f in warm if f.kind == "Document" and not f.from_cache], breakdown(warm)  # pages stay fresh
        fetched = [f for f in warm if f.is_static and not f.from_cache]
        assert not fetched, f"static files fetched again:\n{breakdown(fetched)}"
        assert any(f.is_static and f.from_cache for f in warm)  # the page does use them


def test_the_trimmed_bootstrap_still_opens_the_menu_and_dismisses_alerts(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server.url}/judging/")  # signed out: sent to sign in, with a flashed message
    alert = page.locator(".alert-dismissible")
    expect(alert).to_be_visible()
    page.locator(".navbar-toggler").click()
    expect(page.locator("#mainNav")).to_be_visible()
    expect(page.locator(".navbar-toggler")).to_have_attribute("aria-expanded", "true")
    alert.locator(".btn-close").click()
    expect(alert).to_have_count(0)
    context.close()
