"""Every role's main pages in Chromium at phone, tablet and desktop width, on the demo festival:
axe-core finds no serious or critical violation, nothing overflows sideways, the judge's and the
scanner's controls are big enough for a finger. A screenshot of each page at each width is written
under test-output/screens/ for people to look at (not compared)."""

from datetime import date
from pathlib import Path

import pytest

from festival import demo
from festival.core.extensions import db
from festival.models import Exhibit, ExhibitStatus, ScoreSheet, User
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
SCREENS = Path(__file__).resolve().parents[2] / "test-output" / "screens"
WIDTHS = {"phone": (360, 780), "tablet": (820, 1180), "desktop": (1440, 900)}
MIN_TARGET = 44  # px, WCAG 2.5.5 (AAA) and the platforms' own guidance for touch


@pytest.fixture
def festival_day(live_app):
    """The demo festival, and the ids its pages need."""
    with live_app.app_context():
        demo.load_demo(date.today())
        db.session.commit()
        accepted = db.session.execute(
            db.select(Exhibit.id).where(Exhibit.status == ExhibitStatus.ACCEPTED).order_by(Exhibit.id)
        ).scalar()
        judge = db.session.execute(db.select(User).where(User.email == "judge1@festival.example.vn")).scalar_one()
        sheet = db.session.execute(
            db.select(ScoreSheet.id).where(ScoreSheet.judge_id == judge.id).order_by(ScoreSheet.id)
        ).scalar()
        unit_email = next(email for email, _, role, _ in demo.demo_accounts() if role.value == "unit")
        return {"exhibit": accepted, "sheet": sheet, "judge": judge.email, "unit": unit_email}


def audit(page, url: str, name: str, width: str, touch: bool = False) -> list[str]:
    """What is wrong with the page at `url`: axe's serious and critical findings, sideways overflow, small
    touch targets (when `touch`). Writes its screenshot."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    problems = []
    page.evaluate(AXE.read_text(encoding="utf-8"))  # through DevTools: the page's CSP still holds for its own scripts
    found = page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ["violations"]});
          return result.violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => v.id + ": " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | "));
        }"""
    )
    problems += [f"{name} @{width}: axe {violation}" for violation in found]
    scroll_width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll_width > viewport:
        problems.append(f"{name} @{width}: page is {scroll_width}px wide in a {viewport}px viewport")
    if touch:
        small = page.evaluate(
            """(min) => [...document.querySelectorAll("main a, main button, main input, main select, main textarea,"
                                                    + " main label.btn, nav button, nav a")]
              .filter((el) => el.offsetParent !== null && getComputedStyle(el).visibility !== "hidden")
              .filter((el) => !(el.tagName === "A" && el.closest("p, li, td, dd")))
              .filter((el) => !["hidden", "checkbox", "radio"].includes(el.type))
              .map((el) => [el, el.getBoundingClientRect()])
              .filter(([el, box]) => box.width > 0 && (box.height < min - 0.5 || box.width < min - 0.5))
              .map(([el, box]) => `${el.tagName.toLowerCase()}#${el.id}.${[...el.classList].join(".")}`
                                   + ` ${Math.round(box.width)}x${Math.round(box.height)}`)
              .slice(0, 5)""",
            MIN_TARGET,
        )
        problems += [f"{name} @{width}: small target {target}" for target in small]
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
    return problems


def visit(browser, live_server, who: tuple[str, str] | None, pages: list[tuple], prefix: str) -> list[str]:
    problems = []
    for width, (w, h) in WIDTHS.items():
        context = browser.new_context(viewport={"width": w, "height": h}, locale="vi-VN", has_touch=width != "desktop")
        context.set_default_timeout(20_000)
        page = context.new_page()
        if who:
            sign_in(page, live_server.url, *who)
        for path, name, *touch in pages:
            problems += audit(page, live_server.url + path, f"{prefix}-{name}", width, touch=bool(touch))
        context.close()
    return problems


def test_public_pages(browser, live_server, festival_day):
    pages = [
        ("/", "home"),
        ("/gallery", "gallery"),
        ("/results", "results"),
        ("/auth/login", "sign-in"),
        ("/verify/", "verify"),
        ("/vote/", "vote"),
    ]
    if festival_day["exhibit"]:
        pages.append((f"/e/{festival_day['exhibit']}", "exhibit"))
    problems = visit(browser, live_server, None, pages, "public")
    assert not problems, "\n".join(problems)


def test_unit_pages(browser, live_server, festival_day):
    pages = [("/exhibits/mine", "mine"), ("/exhibits/new", "new-exhibit"), ("/attendees/mine", "delegates")]
    problems = visit(browser, live_server, (festival_day["unit"], demo.DEMO_PASSWORD), pages, "unit")
    assert not problems, "\n".join(problems)


def test_judge_pages(browser, live_server, festival_day):
    pages = [("/judging/", "sheets", "touch"), (f"/judging/sheets/{festival_day['sheet']}", "sheet", "touch")]
    problems = visit(browser, live_server, (festival_day["judge"], demo.DEMO_PASSWORD), pages, "judge")
    assert not problems, "\n".join(problems)


def test_check_in_pages(browser, live_server, festival_day):
    pages = [("/checkin/", "scanner", "touch"), ("/checkin/dashboard", "dashboard"), ("/vote/kiosk", "kiosk", "touch")]
    problems = visit(browser, live_server, (demo.CHECKIN_EMAIL, demo.DEMO_PASSWORD), pages, "checkin")
    assert not problems, "\n".join(problems)


def test_organizer_pages(browser, live_server, festival_day):
    exhibit = festival_day["exhibit"]
    pages = [
        ("/admin/", "console"),
        ("/exhibits/", "exhibits"),
        (f"/exhibits/{exhibit}", "exhibit"),
        ("/exhibits/statistics", "statistics"),
        ("/judging/assignments", "assignments"),
        ("/judging/control", "control"),
        ("/judging/results", "results"),
        ("/attendees/", "attendees"),
        ("/attendees/roles", "roles"),
        ("/certificates/", "certificates"),
        ("/certificates/templates/award", "certificate-template"),
        ("/admin/users", "users"),
        ("/admin/audit", "audit"),
        ("/vote/settings", "vote-settings"),
        ("/vote/tally", "vote-tally"),
        ("/vote/paper", "paper-ballots"),
        ("/admin/mail/", "outbox"),
    ]
    problems = visit(browser, live_server, (demo.ORGANIZER_EMAIL, demo.DEMO_PASSWORD), pages, "organizer")
    assert not problems, "\n".join(problems)
