"""Units register, edit, submit and withdraw exhibits, within the window and the quota."""

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from festival.core import storage
from festival.core.extensions import db
from festival.core.uploads import read_stored
from festival.models import Attachment, Exhibit, ExhibitStatus, Festival, utcnow
from tests import factories
from tests.exhibits.conftest import count_exhibits, exhibit_form


def new_exhibit_id(response):
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_unit_registers_a_draft_with_ordered_authors(client, login_as, people, get_exhibit):
    login_as("unit_a")
    exhibit_id = new_exhibit_id(client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"])))
    exhibit = get_exhibit(exhibit_id)
    assert exhibit["status"] is ExhibitStatus.DRAFT
    assert exhibit["benefit_vnd"] == 1_500_000_000
    assert exhibit["authors"] == [
        ("Nguyễn Văn An", "Tổ trưởng tổ may", "Xưởng may 2"),
        ("Trần Thị Bình", "Kỹ thuật chuyền", ""),
    ]
    page = client.get(f"/exhibits/{exhibit_id}").get_data(as_text=True)
    assert "1.500.000.000 ₫" in page and "Bản nháp" in page


def test_benefit_typed_without_dots_is_the_same_amount(client, login_as, people, get_exhibit):
    login_as("unit_a")
    exhibit_id = new_exhibit_id(
        client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"], benefit="1500000000"))
    )
    assert get_exhibit(exhibit_id)["benefit_vnd"] == 1_500_000_000


@pytest.mark.parametrize(
    "typed, amount", [("1,5 tỷ", 1_500_000_000), ("2 tỷ", 2_000_000_000), ("850 triệu", 850_000_000)]
)
def test_benefit_in_words_is_read_as_the_import_reads_it_and_says_how(
    client, login_as, people, get_exhibit, typed, amount
):
    login_as("unit_a")
    response = client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"], benefit=typed))
    exhibit_id = new_exhibit_id(response)
    assert get_exhibit(exhibit_id)["benefit_vnd"] == amount
    page = client.get(f"/exhibits/{exhibit_id}").get_data(as_text=True)
    assert f"“{typed}” đọc là {amount:_} ₫.".replace("_", ".") in page


def test_the_category_starts_empty_and_must_be_chosen(app, client, login_as, people):
    login_as("unit_a")
    page = client.get("/exhibits/new").get_data(as_text=True)
    select = page[page.index('<select class="form-select" id="category_id"') :]
    assert re.match(r'<select[^>]*>\s*<option selected value="">— Chọn lĩnh vực —</option>', select)
    response = client.post("/exhibits/new", data={**exhibit_form(people["ids"]["category"]), "category_id": ""})
    assert response.status_code == 422 and count_exhibits(app) == 0
    assert '<a href="#category_id">Lĩnh vực</a>: Trường này là bắt buộc.' in response.get_data(as_text=True)


def test_the_author_rows_are_named_in_the_pages_language_and_marked_required(client, login_as, people):
    login_as("unit_a")
    empty = {f"authors-{n}-{part}": "" for n in range(2) for part in ("full_name", "job_title", "department")}
    page = client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"], **empty)).get_data(as_text=True)
    summary = page[page.index("error-summary") : page.index("</ul>", page.index("error-summary"))]
    assert "Tác giả</a>: Sáng kiến cần ít nhất một tác giả." in summary and "Authors" not in summary
    assert re.search(r'<legend class="h5">Tác giả <span class="text-danger"', page)
    assert re.search(r'id="authors-0-full_name"[^>]*required', page)


def test_bad_input_keeps_what_was_typed(app, client, login_as, people):
    login_as("unit_a")
    data = exhibit_form(people["ids"]["category"], title="", benefit="khoảng 1,5 tỷ")
    response = client.post("/exhibits/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422  # shown again, nothing stored
    assert "Trường này là bắt buộc." in page
    assert "Số tiền không hợp lệ" in page
    assert 'value="khoảng 1,5 tỷ"' in page and 'value="Trần Thị Bình"' in page and "May túi thủ công chậm." in page
    assert count_exhibits(app) == 0


def test_an_exhibit_needs_an_author(app, client, login_as, people):
    login_as("unit_a")
    data = exhibit_form(
        people["ids"]["category"],
        **{
            "authors-0-full_name": "",
            "authors-1-full_name": "",
            "authors-0-job_title": "",
            "authors-0-department": "",
            "authors-1-job_title": "",
        },
    )
    page = client.post("/exhibits/new", data=data).get_data(as_text=True)
    assert "Sáng kiến cần ít nhất một tác giả." in page
    assert count_exhibits(app) == 0


def test_submit_then_the_unit_sees_it_waiting(client, login_as, people, get_exhibit):
    login_as("unit_a")
    exhibit_id = new_exhibit_id(client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"])))
    client.post(f"/exhibits/{exhibit_id}/submit")
    assert get_exhibit(exhibit_id)["status"] is ExhibitStatus.SUBMITTED
    page = client.get("/exhibits/mine").get_data(as_text=True)
    assert "Cữ gá may túi tự động" in page and "Đã gửi, chờ duyệt" in page


def test_submit_asks_for_missing_details(client, login_as, people, get_exhibit):
    login_as("unit_a")
    exhibit_id = new_exhibit_id(
        client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"], summary="", benefit="", scope=""))
    )
    page = client.post(f"/exhibits/{exhibit_id}/submit", follow_redirects=True).get_data(as_text=True)
    assert "Trước khi gửi, hãy điền: tóm tắt, giá trị làm lợi, phạm vi áp dụng." in page
    assert get_exhibit(exhibit_id)["status"] is ExhibitStatus.DRAFT


def test_returned_exhibit_is_edited_and_resubmitted(app, client, login_as, people, get_exhibit):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        unit = festival and db.session.get(factories.Unit, people["ids"]["unit_a"])
        exhibit = factories.make_exhibit(
            festival,
            unit,
            db.session.get(factories.Category, people["ids"]["category"]),
            status=ExhibitStatus.RETURNED,
            review_comment="Bổ sung ảnh chụp.",
        )
        db.session.commit()
        exhibit_id = exhibit.id
    login_as("unit_a")
    page = client.get("/exhibits/mine").get_data(as_text=True)
    assert "Bổ sung ảnh chụp." in page
    response = client.post(
        f"/exhibits/{exhibit_id}/edit", data=exhibit_form(people["ids"]["category"], title="Tên đã sửa")
    )
    assert response.status_code == 302
    client.post(f"/exhibits/{exhibit_id}/submit")
    exhibit = get_exhibit(exhibit_id)
    assert (exhibit["title"], exhibit["status"]) == ("Tên đã sửa", ExhibitStatus.SUBMITTED)


def test_withdraw_asks_first(client, login_as, people, get_exhibit):
    login_as("unit_a")
    exhibit_id = new_exhibit_id(client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"])))
    assert "Rút sáng kiến?" in client.get(f"/exhibits/{exhibit_id}/withdraw").get_data(as_text=True)
    assert get_exhibit(exhibit_id)["status"] is ExhibitStatus.DRAFT
    client.post(f"/exhibits/{exhibit_id}/withdraw")
    assert get_exhibit(exhibit_id)["status"] is ExhibitStatus.WITHDRAWN
    assert client.get(f"/exhibits/{exhibit_id}/edit").status_code == 403


def test_accepted_exhibit_is_locked_for_the_unit(app, client, login_as, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        exhibit = factories.make_exhibit(
            festival,
            db.session.get(factories.Unit, people["ids"]["unit_a"]),
            db.session.get(factories.Category, people["ids"]["category"]),
            status=ExhibitStatus.ACCEPTED,
            code="KT-01",
        )
        db.session.commit()
        exhibit_id = exhibit.id
    login_as("unit_a")
    assert client.get(f"/exhibits/{exhibit_id}/edit").status_code == 403
    assert client.post(f"/exhibits/{exhibit_id}/edit", data=exhibit_form(people["ids"]["category"])).status_code == 403
    client.post(f"/exhibits/{exhibit_id}/withdraw")
    with app.app_context():
        assert db.session.get(Exhibit, exhibit_id).status is ExhibitStatus.ACCEPTED


@pytest.mark.parametrize("window", ["not_yet", "closed"])
def test_registration_window_is_enforced_on_the_server(app, client, login_as, people, window, get_exhibit):
    login_as("unit_a")
    exhibit_id = new_exhibit_id(client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"])))
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        now = utcnow()
        if window == "not_yet":
            festival.registration_opens_at, festival.registration_closes_at = (
                now + timedelta(days=1),
                now + timedelta(days=2),
            )
        else:
            festival.registration_opens_at, festival.registration_closes_at = (
                now - timedelta(days=2),
                now - timedelta(minutes=1),
            )
        db.session.commit()
    message = "Chưa đến thời gian đăng ký sáng kiến." if window == "not_yet" else "Đã hết thời gian đăng ký sáng kiến."
    before = count_exhibits(app)
    page = client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"], title="Mới")).get_data(
        as_text=True
    )
    assert message in page
    assert count_exhibits(app) == before
    page = client.post(
        f"/exhibits/{exhibit_id}/edit", data=exhibit_form(people["ids"]["category"], title="Sửa muộn")
    ).get_data(as_text=True)
    assert message in page
    assert get_exhibit(exhibit_id)["title"] == "Cữ gá may túi tự động"
    client.post(f"/exhibits/{exhibit_id}/submit")
    assert get_exhibit(exhibit_id)["status"] is ExhibitStatus.DRAFT


def test_quota_stops_one_more_registration(app, client, login_as, people):
    with app.app_context():
        db.session.get(Festival, people["ids"]["festival"]).exhibit_quota = 2
        db.session.commit()
    login_as("unit_a")
    for n in range(2):
        assert (
            client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"], title=f"Số {n}")).status_code
            == 302
        )
    page = client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"], title="Số 3")).get_data(
        as_text=True
    )
    assert "đã đăng ký đủ 2 sáng kiến" in page
    assert count_exhibits(app) == 2
    assert "Đã đăng ký 2 / 2 sáng kiến." in client.get("/exhibits/mine").get_data(as_text=True)


def test_withdrawn_exhibits_free_their_quota_place(app, client, login_as, people):
    with app.app_context():
        db.session.get(Festival, people["ids"]["festival"]).exhibit_quota = 1
        db.session.commit()
    login_as("unit_a")
    exhibit_id = new_exhibit_id(client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"])))
    client.post(f"/exhibits/{exhibit_id}/withdraw")
    assert (
        client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"], title="Thay thế")).status_code == 302
    )


def test_unit_cannot_read_or_change_another_units_draft(app, client, login_as, people, get_exhibit):
    login_as("unit_a")
    exhibit_id = new_exhibit_id(client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"])))
    client.post("/auth/logout")
    login_as("unit_b")
    assert client.get(f"/exhibits/{exhibit_id}").status_code == 404
    assert client.get(f"/exhibits/{exhibit_id}/edit").status_code == 404
    assert (
        client.post(
            f"/exhibits/{exhibit_id}/edit", data=exhibit_form(people["ids"]["category"], title="Bị sửa")
        ).status_code
        == 404
    )
    assert client.post(f"/exhibits/{exhibit_id}/submit").status_code == 404
    assert client.post(f"/exhibits/{exhibit_id}/withdraw").status_code == 404
    assert "Cữ gá may túi tự động" not in client.get("/exhibits/mine").get_data(as_text=True)
    exhibit = get_exhibit(exhibit_id)
    assert (exhibit["title"], exhibit["status"]) == ("Cữ gá may túi tự động", ExhibitStatus.DRAFT)


def test_posted_status_and_unit_fields_are_ignored(client, login_as, people, get_exhibit):
    login_as("unit_a")
    data = exhibit_form(
        people["ids"]["category"], status="accepted", unit_id=str(people["ids"]["unit_b"]), code="KT-99"
    )
    exhibit_id = new_exhibit_id(client.post("/exhibits/new", data=data))
    exhibit = get_exhibit(exhibit_id)
    assert exhibit["status"] is ExhibitStatus.DRAFT and exhibit["code"] is None
    with client.application.app_context():
        assert db.session.get(Exhibit, exhibit_id).unit_id == people["ids"]["unit_a"]


# Attachments -------------------------------------------------------------------------------


def upload(client, exhibit_id, category_id, *files):
    data = exhibit_form(category_id)
    fields = MultiDict(data)
    for name, content in files:
        fields.add("files", FileStorage(io.BytesIO(content), filename=name, content_type="application/octet-stream"))
    # Encoded in memory: the test client would spool a big body to a temporary file it never closes.
    boundary, body = encode_multipart(fields)
    return client.post(
        f"/exhibits/{exhibit_id}/edit", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


@pytest.fixture
def draft(client, login_as, people):
    login_as("unit_a")
    return new_exhibit_id(client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"])))


def test_photo_is_reencoded_without_gps_and_gets_a_thumbnail(app, client, draft, people, get_exhibit):
    response = upload(
        client, draft, people["ids"]["category"], ("xuong-may.jpg", factories.jpeg_bytes(1200, 900, gps=True))
    )
    assert response.status_code == 302
    [(name, content_type, stored, thumb)] = get_exhibit(draft)["attachments"]
    assert (name, content_type) == ("xuong-may.jpg", "image/jpeg")
    with app.app_context():
        assert "xuong-may" not in stored
        with Image.open(io.BytesIO(read_stored(stored))) as image:
            assert dict(image.getexif().get_ifd(0x8825)) == {} and 0x010F not in image.getexif()
            assert image.size == (1200, 900)
        with Image.open(io.BytesIO(read_stored(thumb))) as thumbnail:
            assert max(thumbnail.size) <= 480
    assert client.get(f"/exhibits/{draft}").get_data(as_text=True).count("/thumb") >= 1


def test_pdf_and_png_are_accepted(client, draft, people, get_exhibit):
    upload(
        client,
        draft,
        people["ids"]["category"],
        ("ban-ve.pdf", factories.pdf_bytes()),
        ("so-do.png", factories.png_bytes()),
    )
    kinds = sorted(a[1] for a in get_exhibit(draft)["attachments"])
    assert kinds == ["application/pdf", "image/png"]


def test_disguised_executable_is_refused_and_nothing_is_stored(app, client, draft, people, get_exhibit, tmp_path):
    executable = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
    page = upload(client, draft, people["ids"]["category"], ("anh-dep.jpg", executable)).get_data(as_text=True)
    assert "không phải ảnh JPEG, PNG, WebP hay tài liệu PDF" in page
    assert get_exhibit(draft)["attachments"] == []
    assert not any((tmp_path / "uploads").rglob("*.*"))


def test_oversized_file_is_refused(client, draft, people, get_exhibit, tmp_path):
    big = factories.jpeg_bytes() + b"\x00" * (10 * 1024 * 1024)
    page = upload(client, draft, people["ids"]["category"], ("to.jpg", big)).get_data(as_text=True)
    assert "lớn hơn 10 MB" in page
    assert get_exhibit(draft)["attachments"] == []


def test_a_ninth_attachment_is_refused(client, draft, people, get_exhibit):
    upload(
        client,
        draft,
        people["ids"]["category"],
        *[(f"anh-{n}.jpg", factories.jpeg_bytes(colour="blue")) for n in range(8)],
    )
    assert len(get_exhibit(draft)["attachments"]) == 8
    page = upload(client, draft, people["ids"]["category"], ("anh-9.jpg", factories.jpeg_bytes())).get_data(
        as_text=True
    )
    assert "tối đa 8 tệp đính kèm" in page
    assert len(get_exhibit(draft)["attachments"]) == 8


def test_one_bad_file_in_a_batch_stores_none(client, draft, people, get_exhibit, tmp_path):
    page = upload(
        client, draft, people["ids"]["category"], ("tot.jpg", factories.jpeg_bytes()), ("xau.jpg", b"not an image")
    ).get_data(as_text=True)
    assert "xau.jpg" in page
    assert get_exhibit(draft)["attachments"] == []
    assert not any((tmp_path / "uploads").rglob("*.*"))


def test_attachment_removal_asks_first_and_deletes_the_file(app, client, draft, people, get_exhibit):
    upload(client, draft, people["ids"]["category"], ("a.jpg", factories.jpeg_bytes()))
    [(_, _, stored, thumb)] = get_exhibit(draft)["attachments"]
    with app.app_context():
        attachment_id = db.session.execute(db.select(Attachment.id)).scalar_one()
    assert "Xoá tệp đính kèm?" in client.get(f"/exhibits/files/{attachment_id}/delete").get_data(as_text=True)
    with app.app_context():
        assert storage.store("uploads").exists(stored) and storage.store("uploads").exists(thumb)
    client.post(f"/exhibits/files/{attachment_id}/delete")
    assert get_exhibit(draft)["attachments"] == []
    with app.app_context():
        assert not storage.store("uploads").exists(stored) and not storage.store("uploads").exists(thumb)


def test_files_are_served_only_to_those_who_may_see_the_exhibit(app, client, draft, people, get_exhibit):
    upload(client, draft, people["ids"]["category"], ("a.jpg", factories.jpeg_bytes()))
    with app.app_context():
        attachment_id = db.session.execute(db.select(Attachment.id)).scalar_one()
    with client.get(f"/exhibits/files/{attachment_id}") as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert response.data.startswith(b"\xff\xd8")
    with client.get(f"/exhibits/files/{attachment_id}/thumb") as response:
        assert response.status_code == 200
    client.post("/auth/logout")
    assert client.get(f"/exhibits/files/{attachment_id}").status_code == 404  # a draft is not public
    with app.app_context():
        db.session.get(Exhibit, draft).status = ExhibitStatus.ACCEPTED
        factories.consent_to_gallery(db.session.get(Exhibit, draft))  # its photos may be public
        db.session.commit()
    with client.get(f"/exhibits/files/{attachment_id}/thumb") as response:
        assert response.status_code == 200  # the gallery shows it


def test_a_refused_form_keeps_its_files_and_lists_every_error_at_the_top(app, client, auth, login_as, people):
    login_as("unit_a")
    fields = MultiDict(exhibit_form(people["ids"]["category"], title="", benefit="khoảng 1,5 tỷ"))
    fields.add("files", FileStorage(io.BytesIO(factories.jpeg_bytes()), filename="máy-cắt.jpg"))
    fields.add("files", FileStorage(io.BytesIO(factories.pdf_bytes()), filename="thuyết-minh.pdf"))
    fields.add("files", FileStorage(io.BytesIO(b"not a file we take"), filename="virus.exe"))
    boundary, body = encode_multipart(fields)
    response = client.post("/exhibits/new", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and count_exhibits(app) == 0

    start = page.index('class="alert alert-danger error-summary"')
    summary = page[start : page.index("</ul>", start)]
    assert '<a href="#title">Tên sáng kiến</a>: Trường này là bắt buộc.' in summary
    assert '<a href="#benefit">' in summary and "Số tiền không hợp lệ" in summary
    pending = re.findall(r'name="pending" value="([\w-]+)" id="pending-\d" checked>\s*<label[^>]*>([^<]+)<', page)
    assert [name for _, name in pending] == ["máy-cắt.jpg", "thuyết-minh.pdf"]  # the .exe would be refused again

    # Sent again with the title typed and only the photo still ticked: the exhibit has the photo, not the PDF.
    again = MultiDict(exhibit_form(people["ids"]["category"]))
    again.add("pending", pending[0][0])
    exhibit_id = new_exhibit_id(client.post("/exhibits/new", data=again))
    with app.app_context():
        names = [a.original_name for a in db.session.get(Exhibit, exhibit_id).attachments]
        assert names == ["máy-cắt.jpg"]
    # Kept files are the unit's own: another unit cannot attach them by their id.
    auth.logout()
    login_as("unit_b")
    other = MultiDict(exhibit_form(people["ids"]["category"], title="Của đơn vị khác"))
    other.add("pending", pending[1][0])
    other_id = new_exhibit_id(client.post("/exhibits/new", data=other))
    with app.app_context():
        assert db.session.get(Exhibit, other_id).attachments == []


def test_the_form_marks_what_saving_and_submitting_need(client, login_as):
    login_as("unit_a")
    page = client.get("/exhibits/new").get_data(as_text=True)
    assert re.search(r'<label class="form-label" for="title">Tên sáng kiến</label> <span class="text-danger"', page)
    for name in ("summary", "benefit", "applied_since", "scope"):
        assert re.search(rf'for="{name}">[^<]+</label> <span class="badge[^"]*">cần khi gửi</span>', page), name
