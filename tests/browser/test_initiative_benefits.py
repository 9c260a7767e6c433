"""A unit's support team records a year's benefit on a 360 px phone in Chromium: the benefits page, the form, the
refusal of a remuneration below the rule without a reason, then the split shown; the due list and the authors'
page fit the phone too."""

from datetime import date

import pytest
from playwright.sync_api import expect

from festival.core.extensions import db
from festival.models import AuthorCategory, Initiative, InitiativeAuthor, InitiativeBenefit, InitiativeState, Role
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

SUPPORT = "to-ho-tro@example.vn"


@pytest.fixture
def initiative_id(live_app):
    with live_app.app_context():
        live_app.config["INITIATIVE_MINIMUM_WAGE_VND"] = 2_340_000
        unit = factories.make_unit("MAY10", name="Tổng Công ty May 10", short_name="May 10")
        factories.make_user(Role.SUPPORT, unit=unit, email=SUPPORT)
        initiative = Initiative(
            unit=unit, year=2024, number=7, title="Cữ gá may túi tự động cho chuyền may áo sơ mi xuất khẩu",
            state=InitiativeState.RECOGNISED, first_applied_on=date(2024, 3, 1),
        )  # fmt: skip
        for name, share in (("Nguyễn Thị Hoà", 60), ("Trần Văn Bình", 40)):
            initiative.authors.append(
                InitiativeAuthor(full_name=name, share_percent=share, category=AuthorCategory.WORKER)
            )
        initiative.benefits.append(
            InitiativeBenefit(year_index=1, benefit_vnd=250_000_000, evaluated_on=date(2025, 3, 1))
        )
        db.session.add(initiative)
        db.session.commit()
        return initiative.id


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_support_team_records_a_year_on_a_phone(page, live_server, initiative_id):
    base = live_server.url
    page.set_viewport_size({"width": 360, "height": 780})
    sign_in(page, base, SUPPORT, factories.PASSWORD)
    page.goto(f"{base}/initiatives/{initiative_id}/benefits")
    expect(page.locator("#year-1")).to_contain_text("Năm thứ 1")
    expect(page.locator("main")).to_contain_text("17.500.000 ₫")
    assert fits(page)

    page.locator("a[href$='/benefits/2']").click()
    expect(page.locator("h1")).to_have_text("Năm thứ 2 áp dụng")
    assert fits(page)
    page.fill("#benefit", "100.000.000")
    page.fill("#evaluated_on", "2026-03-05")
    page.fill("#remuneration", "5.000.000")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".alert-danger")).to_contain_text("thấp hơn mức tối thiểu 7.000.000 ₫")
    expect(page.locator("#benefit")).to_have_value("100.000.000")  # what was typed is kept
    expect(page.locator("#evaluated_on")).to_have_value("2026-03-05")

    page.fill("#remuneration", "8.000.000")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu tiền làm lợi và thù lao năm thứ 2.")
    # 8.000.000 split 60/40
    expect(page.locator("main")).to_contain_text("4.800.000 ₫")
    expect(page.locator("main")).to_contain_text("3.200.000 ₫")
    assert fits(page)

    page.goto(f"{base}/initiatives/reevaluations")
    expect(page.locator("h1")).to_have_text("Sáng kiến đến hạn đánh giá lại")
    assert fits(page)
    page.goto(f"{base}/initiatives/authors")
    expect(page.locator("main")).to_contain_text("Nguyễn Thị Hoà")
    assert fits(page)
