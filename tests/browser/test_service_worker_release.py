"""A rolling release in Chromium: while machines of two releases answer, a browser running the newer release's
service worker is offered the older one's again, and keeps the newer; a later release still replaces it."""

import pytest

pytestmark = pytest.mark.browser

REGISTER = """async () => {
  await navigator.serviceWorker.register("/sw.js", {scope: "/"});
  await navigator.serviceWorker.ready;
  return (await caches.keys()).filter((name) => name.startsWith("festival-shell-")).sort();
}"""

# Ask for /sw.js again (as the browser does at a navigation) and wait until the offered worker has installed
# (and activated) or failed; then the shell caches tell which release runs.
UPDATE = """async () => {
  const registration = await navigator.serviceWorker.getRegistration("/");
  try { await registration.update(); } catch (error) { /* a failed install is an answer too */ }
  const settling = () => registration.active && registration.active.state !== "activated";
  const busy = () => registration.installing || registration.waiting || settling();
  for (let i = 0; i < 100 && busy(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  const active = registration.active ? registration.active.state : null;
  const shells = (await caches.keys()).filter((name) => name.startsWith("festival-shell-")).sort();
  return [active, shells];
}"""


def _serve_release(app, number: int) -> None:
    # What a machine built for that release answers at /sw.js (the build's manifest gives it).
    app.extensions["static_release"] = number


def test_an_older_releases_worker_never_replaces_a_newer_one(live_app, live_server, page):
    _serve_release(live_app, 1_700_000_200)
    page.goto(f"{live_server.url}/offline")
    (shell,) = page.evaluate(REGISTER)
    assert shell.startswith("festival-shell-1700000200-")
    # A machine still on the release before answers the next check: its worker fails to install.
    _serve_release(live_app, 1_700_000_100)
    assert page.evaluate(UPDATE) == ["activated", [shell]]
    # The next release's worker is installed and clears the older shell.
    _serve_release(live_app, 1_700_000_300)
    active, shells = page.evaluate(UPDATE)
    assert active == "activated" and len(shells) == 1 and shells[0].startswith("festival-shell-1700000300-")
