"""Browser tests: the real app served on a free loopback port, driven with Debian's Chromium."""

import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import make_app

# Assertions wait as long as actions do: a loaded CI machine is slower, never wrong.
expect.set_options(timeout=15_000)

BROWSER_TESTS = Path(__file__).parent
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    # Werkzeug's development server, which serves these tests, skips closing a static file when the
    # browser drops the connection mid-response (going offline, a closed context); the file is
    # closed at garbage collection with a ResourceWarning that no code of ours caused.
    leak = pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <_io.FileIO:pytest.PytestUnraisableExceptionWarning"
    )
    for item in items:
        if item.path.is_relative_to(BROWSER_TESTS):
            item.add_marker(leak)


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Debian's chromium is not installed; `make test` installs it.")
    return path


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LiveServer:
    """The app on 127.0.0.1:<free port> in a background thread, with CSRF on as in real use."""

    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        self.running = True

    def stop(self):
        if not self.running:
            return
        self.running = False
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def restart(self):
        """Serve again on the same port (after `stop`: the venue's network coming back)."""
        port = int(self.url.rsplit(":", 1)[1])
        self._server = make_server("127.0.0.1", port, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.start()


@pytest.fixture
def live_app(tmp_path):
    return make_app(tmp_path, WTF_CSRF_ENABLED=True, PUBLIC_BASE_URL="https://ldst.example.vn")


@pytest.fixture
def live_server(live_app):
    server = LiveServer(live_app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, base_url, email, password):
    page.context.clear_cookies()
    page.goto(f"{base_url}/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
