"""An organizer imports an official list in Chromium: upload, the preview (sheet, columns, rows, skipped rows),
a column mapped to another field and a hidden row included — each refreshing the preview at once — then the
import, reported on the list page. The preview fits a phone."""

import pytest
from playwright.sync_api import expect

from festival.core.extensions import db
from festival.models import Attendee
from tests import factories
from tests.browser.conftest import sign_in
from tests.imports.conftest import ORGANIZER, make_sector
from tests.imports.office_files import official_list

pytestmark = pytest.mark.browser


@pytest.fixture
def sector(live_app):
    return make_sector(live_app)


def upload_official_list(page, base, tmp_path):
    path = tmp_path / "dai-bieu-may10.xlsx"
    path.write_bytes(official_list())
    sign_in(page, base, ORGANIZER, factories.PASSWORD)
    page.goto(f"{base}/attendees/import")
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="Tải lên và xem trước").click()
    expect(page.locator("h1")).to_have_text("Nhập người tham dự: xem trước")


def test_the_mapping_changed_in_the_preview_is_what_gets_imported(page, live_server, live_app, sector, tmp_path):
    upload_official_list(page, live_server.url, tmp_path)
    expect(page.locator("#sheet")).to_have_value("DS đại biểu")
    expect(page.locator("main")).to_contain_text("Dòng tiêu đề: 7.")
    notes = page.locator('select[name="column-6"]')
    expect(notes).to_have_value("")  # “Ghi chú” is not imported at first
    skipped = page.locator("#skipped")
    expect(skipped).to_contain_text("Dòng bị ẩn trong tệp")
    expect(skipped).to_contain_text("Dòng tổng cộng")
    expect(skipped).to_contain_text("Phần ký tên, xác nhận cuối danh sách")
    expect(page.get_by_role("button", name="Nhập 5 dòng")).to_be_enabled()

    # Choosing a field refreshes the preview by itself, back at the mapping.
    notes.select_option("organisation")
    page.wait_for_url("**#mapping")
    expect(page.locator("#mapping")).to_contain_text("Cách ghép cột bạn đã chọn.")
    expect(page.locator('select[name="column-6"]')).to_have_value("organisation")
    expect(page.locator("#rows table")).to_contain_text("Trưởng đoàn")
    expect(page.locator("#rows thead")).to_contain_text("Cơ quan")

    # The person who withdrew is hidden in the file; the organizer imports them on purpose.
    page.get_by_label("Vẫn nhập dòng 11").check()
    page.wait_for_url("**#skipped")
    expect(page.get_by_label("Vẫn nhập dòng 11")).to_be_checked()
    expect(page.locator("#rows")).to_contain_text("dòng ẩn")

    page.get_by_role("button", name="Nhập 6 dòng").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Đã nhập 6 người từ trang tính “DS đại biểu” của tệp “dai-bieu-may10.xlsx”"
    )
    with live_app.app_context():
        people = {a.full_name: a for a in db.session.execute(db.select(Attendee)).scalars()}
        assert len(people) == 6
        assert people["Nguyễn Văn An"].organisation == "Trưởng đoàn"
        assert (people["Lê Văn Cường"].phone, people["Lê Văn Cường"].organisation) == ("0903456789", "rút tên")
        assert people["Phạm Thị Dung"].phone == "02438257700"


def test_the_preview_fits_a_phone_and_a_refused_import_keeps_the_choices(page, live_server, live_app, sector, tmp_path):
    page.set_viewport_size({"width": 360, "height": 780})
    upload_official_list(page, live_server.url, tmp_path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # wide tables scroll in their own box
    # Reading the role column as the unit leaves no role: the import cannot run, and says why.
    page.locator('select[name="column-3"]').select_option("")
    page.wait_for_url("**#mapping")
    expect(page.locator("#mapping .alert-danger")).to_contain_text("Chưa có cột nào cho “Vai trò” (bắt buộc).")
    expect(page.get_by_role("button", name="Nhập 5 dòng")).to_be_disabled()
    expect(page.locator('select[name="column-3"]')).to_have_value("")  # the choice is kept
    page.reload()
    expect(page.locator('select[name="column-3"]')).to_have_value("")
    page.get_by_role("button", name="Huỷ, không nhập").click()
    expect(page.locator(".alert-info")).to_contain_text("Đã huỷ; không có dòng nào được nhập.")
    with live_app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Attendee)) == 0
