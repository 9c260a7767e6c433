"""The four import steps on the web: upload, the table found, the mapping changed and previewed, the import
(all rows or none, reported in the audit log, its mapping remembered; the upload kept between steps is in
test_staging)."""

import io
from datetime import datetime

from openpyxl import Workbook

from festival.core.extensions import db
from festival.models import Attendee, AuditLog, Exhibit, ImportMapping
from tests.imports import steps
from tests.imports.conftest import count, written


def xlsx(*sheets, hidden_rows=()) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
        for number in hidden_rows:
            sheet.row_dimensions[number].hidden = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADERS = ["STT", "Họ và tên", "Đơn vị", "Vai trò", "SĐT", "Địa chỉ email", "Ghi chú"]
PEOPLE = [
    [1, "Nguyễn Văn An", "May 10", "Đại biểu", 912345678, "an.nv@may10.example.vn", ""],
    [2, "Trần Thị Bình", "MAY10", "Khách mời", 2438257700, "", "đã rút"],  # row 4, hidden
    [3, "Lê Văn Cường", "Việt Tiến", "Đại biểu", "0987 654 321", "", ""],
]


def people_file() -> bytes:
    rows = [["DANH SÁCH ĐẠI BIỂU"], HEADERS, *PEOPLE, [None, "Tổng cộng", None, None, None, None, "3 người"]]
    return xlsx(("Hướng dẫn", [["Điền từ dòng 3."]]), ("Danh sách", rows), hidden_rows=[4])


def test_the_preview_names_the_sheet_and_shows_columns_rows_and_skipped_rows(app, organizer):
    url = steps.preview_url(steps.upload(organizer, "/attendees", people_file(), "dai-bieu.xlsx"))
    assert count(app) == 0  # nothing is written by uploading
    page = organizer.get(url).get_data(as_text=True)
    assert "Tệp “dai-bieu.xlsx”" in page
    assert '<option value="Danh sách" selected>Danh sách — 5 cột khớp</option>' in page
    assert "Dòng tiêu đề: 2." in page
    form = steps.preview_form(page)
    mapped = {k: v for k, v in form.items() if k.startswith("column-")}
    assert mapped == {
        "column-0": "",
        "column-1": "full_name",
        "column-2": "unit",
        "column-3": "role",
        "column-4": "phone",
        "column-5": "email",
        "column-6": "",
    }
    assert "Cột không nhập:\n      A “STT”, G “Ghi chú”" in page
    assert (
        "<td>Nguyễn Văn An</td><td>MAY10</td><td>Đại biểu</td><td>an.nv@may10.example.vn</td><td>0912345678</td>"
        in page
    )
    assert "<td>4</td><td>Dòng bị ẩn trong tệp</td>" in page and "<td>6</td><td>Dòng tổng cộng</td>" in page
    assert "“May 10” là đơn vị MAY10." in page and "“Việt Tiến” là đơn vị VIETTIEN." in page
    assert "Nhập 2 dòng" in page


def test_a_mapping_change_is_previewed_kept_and_imported_with_a_hidden_row_included(app, organizer, sector):
    url = steps.preview_url(steps.upload(organizer, "/attendees", people_file(), "dai-bieu.xlsx"))
    # The organizer reads the notes column as the organisation and imports the hidden row too.
    response = steps.post_preview(organizer, url, **{"column-6": "organisation", "include": "4", "anchor": "mapping"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{url}#mapping")
    page = organizer.get(url).get_data(as_text=True)
    assert "Cách ghép cột bạn đã chọn." in page and "Nhập 3 dòng" in page
    assert steps.preview_form(page)["column-6"] == "organisation"  # kept, server-side
    assert '<td>4 <span class="badge text-bg-secondary">dòng ẩn</span></td>' in page
    response = steps.post_preview(organizer, url, "import")
    assert response.status_code == 302 and response.headers["Location"].endswith("/attendees/")
    assert "Đã nhập 3 người từ trang tính “Danh sách” của tệp “dai-bieu.xlsx”; bỏ qua 1 dòng." in organizer.get(
        "/attendees/"
    ).get_data(as_text=True)
    with app.app_context():
        people = {a.full_name: a for a in db.session.execute(db.select(Attendee)).scalars()}
        assert set(people) == {"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"}
        assert (people["Trần Thị Bình"].organisation, people["Trần Thị Bình"].phone) == ("đã rút", "02438257700")
        report = db.session.execute(db.select(AuditLog).where(AuditLog.action == "attendees.imported")).scalar_one()
        assert report.user_id == sector["organizer"] and report.created_at is not None
        assert report.after["file"] == "dai-bieu.xlsx" and report.after["sheet"] == "Danh sách"
        assert (report.after["rows"], report.after["included"]) == (3, [4])
        assert report.after["skipped"] == [{"rows": "6", "reason": "total"}]
        assert {"column": "G", "header": "Ghi chú", "field": "organisation"} in report.after["mapping"]
        assert report.after["unused"] == [{"column": "A", "header": "STT"}]
        remembered = db.session.execute(db.select(ImportMapping)).scalar_one()
        assert (remembered.kind, remembered.mapping["6"]) == ("attendees", "organisation")
    assert not steps.upload_files(app)  # the upload is gone once imported
    assert organizer.get(url).status_code == 404


def test_the_next_file_with_the_same_headers_gets_the_remembered_mapping(app, organizer):
    first = xlsx(("DS", [["Họ và tên", "Vai trò", "Ghi chú"], ["Lê Thị Mai", "Đại biểu", "Báo Lao Động"]]))
    assert steps.web_import(organizer, "/attendees", first, **{"column-2": "organisation"}).status_code == 302
    second = xlsx(("Tháng 6", [["HỌ VÀ TÊN", "vai trò", "ghi chú"], ["Đỗ Văn Hùng", "Khách mời", "Báo Nhân Dân"]]))
    url = steps.preview_url(steps.upload(organizer, "/attendees", second))
    page = organizer.get(url).get_data(as_text=True)
    assert "Cách ghép cột đã lưu từ lần nhập trước" in page
    assert steps.preview_form(page)["column-2"] == "organisation"
    assert steps.post_preview(organizer, url, "import").status_code == 302
    with app.app_context():
        hung = db.session.execute(db.select(Attendee).where(Attendee.full_name == "Đỗ Văn Hùng")).scalar_one()
        assert hung.organisation == "Báo Nhân Dân"
        assert db.session.scalar(db.select(db.func.count()).select_from(ImportMapping)) == 1


def test_a_refused_import_writes_nothing_keeps_the_choices_and_lists_every_problem(app, organizer):
    rows = [
        ["Họ và tên", "Vai trò", "Email", "Ghi chú"],
        ["Lê Thị Mai", "Siêu sao", "mai@x.vn", ""],
        ["", "Đại biểu", "MAI@x.vn", ""],
    ]
    url = steps.preview_url(steps.upload(organizer, "/attendees", xlsx(("DS", rows))))
    assert steps.post_preview(organizer, url, **{"column-3": "organisation"}).status_code == 302
    before = written(app)
    response = steps.post_preview(organizer, url, "import")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tệp có 3 lỗi; không có dòng nào được nhập." in page
    assert "<td>DS</td><td>2</td><td>B “Vai trò”</td><td>Không có vai trò “Siêu sao”.</td>" in page
    assert "<td>DS</td><td>3</td><td>A “Họ và tên”</td><td>Chưa có họ và tên.</td>" in page
    assert "<td>DS</td><td>3</td><td>C “Email”</td><td>Trùng với dòng 2 (mai@x.vn).</td>" in page
    assert "Vai trò hợp lệ: Đại biểu, Giám khảo, Tác giả, Khách mời" in page
    assert steps.preview_form(page)["column-3"] == "organisation"  # the organizer's choice is still there
    assert written(app) == before and steps.upload_files(app)


def test_an_import_after_changing_the_mapping_unseen_is_shown_again_not_run(app, organizer):
    url = steps.preview_url(steps.upload(organizer, "/attendees", people_file()))
    # A select changed and Import pressed straight away (no script to refresh the preview first).
    response = steps.post_preview(organizer, url, "import", **{"column-4": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    page = organizer.get(url).get_data(as_text=True)
    assert "Cách đọc tệp đã đổi so với bản xem trước; hãy xem lại rồi bấm Nhập." in page
    assert steps.preview_form(page)["column-4"] == ""  # the change is kept, now previewed
    assert count(app) == 0
    # Pressed again, now that the preview shows the change, the import runs.
    assert steps.post_preview(organizer, url, "import").status_code == 302
    with app.app_context():
        assert db.session.execute(db.select(Attendee.phone).where(Attendee.phone.is_not(None))).first() is None


def test_choosing_another_sheet_starts_its_mapping_afresh(app, organizer):
    data = xlsx(
        ("Đại biểu", [["Họ và tên", "Vai trò"], ["Lê Thị Mai", "Đại biểu"]]),
        ("Khách", [["Tên khách", "Thành phần", "Cơ quan"], ["Đỗ Văn Hùng", "Khách mời", "Báo Lao Động"]]),
    )
    url = steps.preview_url(steps.upload(organizer, "/attendees", data))
    assert steps.post_preview(organizer, url, sheet="Khách").status_code == 302
    page = organizer.get(url).get_data(as_text=True)
    form = steps.preview_form(page)
    assert form["shown_sheet"] == "Khách"
    assert (form["column-0"], form["column-1"], form["column-2"]) == ("", "role", "organisation")
    assert "Chưa có cột nào cho “Họ và tên” (bắt buộc)." in page and "disabled>Nhập 1 dòng" in page
    assert steps.post_preview(organizer, url, **{"column-0": "full_name"}).status_code == 302
    assert steps.post_preview(organizer, url, "import").status_code == 302
    with app.app_context():
        assert db.session.execute(db.select(Attendee.organisation)).scalar_one() == "Báo Lao Động"


def test_a_file_that_cannot_be_read_is_refused_at_the_upload_with_the_way_to_save_it(app, organizer):
    response = steps.upload(organizer, "/attendees", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "cu.xls")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tệp Excel 97-2003 (.xls)" in page and "Excel Workbook (*.xlsx)" in page and "LibreOffice Calc" in page
    assert not steps.upload_files(app)
    assert steps.upload(organizer, "/attendees", b"", "trong.csv").status_code == 422


def test_cancel_forgets_the_upload(app, organizer):
    url = steps.preview_url(steps.upload(organizer, "/exhibits", people_file()))
    response = steps.post_preview(organizer, url, "cancel")
    assert response.status_code == 302 and response.headers["Location"].endswith("/exhibits/import")
    assert not steps.upload_files(app) and organizer.get(url).status_code == 404


def test_an_exhibit_import_reads_units_of_money_and_dates_as_the_header_says(app, organizer):
    rows = [
        ["Tên sáng kiến", "Đơn vị", "Lĩnh vực", "Tác giả", "Giá trị làm lợi\n(triệu đồng/năm)", "Năm áp dụng"],
        [
            "Cữ gá may túi",
            "May 10",
            "Cải tiến kỹ thuật, thiết bị",
            "Nguyễn Văn An, Trần Thị Bình",
            150,
            datetime(2021, 3, 15),
        ],
        ["Bàn là hơi", "MAY10", "KT", "Lê Văn Cường - Thợ cơ điện", 1.5, 2022],
    ]
    url = steps.preview_url(steps.upload(organizer, "/exhibits", xlsx(("Sáng kiến", rows))))
    page = organizer.get(url).get_data(as_text=True)
    assert '<option value="1000000" selected>Đơn vị: triệu đồng</option>' in page
    assert "<td>150.000.000 ₫</td>" in page and "<td>1.500.000 ₫</td>" in page
    assert "Ô là ngày 15/03/2021; lấy năm 2021." in page
    # The organizer says the numbers are in thousands after all.
    assert steps.post_preview(organizer, url, **{"scale-4": "1000"}).status_code == 302
    assert "<td>150.000 ₫</td>" in organizer.get(url).get_data(as_text=True)
    assert steps.post_preview(organizer, url, "import").status_code == 302
    with app.app_context():
        found = {e.title: e for e in db.session.execute(db.select(Exhibit)).scalars()}
        assert (found["Cữ gá may túi"].benefit_vnd, found["Cữ gá may túi"].applied_since) == (150_000, 2021)
        assert [a.full_name for a in found["Cữ gá may túi"].authors] == ["Nguyễn Văn An", "Trần Thị Bình"]
        assert [(a.full_name, a.job_title) for a in found["Bàn là hơi"].authors] == [("Lê Văn Cường", "Thợ cơ điện")]
        assert found["Bàn là hơi"].category.code == "KT" and found["Bàn là hơi"].unit.code == "MAY10"
