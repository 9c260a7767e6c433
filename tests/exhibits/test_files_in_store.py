"""Attachments on both stores (a folder on this machine, an S3 bucket): stored, served, kept across a refused
form for whichever server answers next, removed with their row, and a missing one is a 404."""

import errno
import io
import logging
import re

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from festival.certificates import services as certificates
from festival.core import storage
from festival.core.extensions import db
from festival.models import Attachment, CertificateKind, Exhibit, ExhibitStatus, Festival, Role, User
from tests import factories
from tests.conftest import AuthActions, make_app
from tests.exhibits.conftest import exhibit_form
from tests.exhibits.test_registration import new_exhibit_id, upload
from tests.servers import another_server


@pytest.fixture
def app(tmp_path, both_backends):
    return make_app(tmp_path, **both_backends)


@pytest.fixture
def draft(client, login_as, people):
    login_as("unit_a")
    return new_exhibit_id(client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"])))


def stored(app) -> dict[str, Attachment]:
    """The attachments by original name, detached from any session."""
    with app.app_context():
        found = db.session.execute(db.select(Attachment)).scalars().all()
        db.session.expunge_all()
        return {attachment.original_name: attachment for attachment in found}


def in_store(app, *keys) -> list[bool]:
    with app.app_context():
        return [storage.store("uploads").exists(key) for key in keys]


def test_a_photo_and_a_pdf_are_stored_and_served(app, client, draft, people, tmp_path, both_backends):
    pdf = factories.pdf_bytes()
    response = upload(
        client, draft, people["ids"]["category"], ("xuong.jpg", factories.jpeg_bytes(800, 600)), ("ban-ve.pdf", pdf)
    )
    assert response.status_code == 302
    files = stored(app)
    photo, document = files["xuong.jpg"], files["ban-ve.pdf"]
    assert in_store(app, photo.stored_name, photo.thumbnail_name, document.stored_name) == [True, True, True]
    assert (tmp_path / "uploads").exists() is not bool(both_backends)  # with S3, nothing on this machine
    with app.app_context():
        kept_photo = storage.store("uploads").read(photo.stored_name)
        kept_thumb = storage.store("uploads").read(photo.thumbnail_name)

    with client.get(f"/exhibits/files/{photo.id}") as served:
        assert (served.status_code, served.mimetype, served.data) == (200, "image/jpeg", kept_photo)
        assert served.headers["Content-Disposition"].startswith("inline")
        assert set(served.headers["Cache-Control"].split(", ")) == {"private", "no-store"}
        etag = served.headers["ETag"]
    with client.get(f"/exhibits/files/{photo.id}/thumb") as served:
        assert (served.status_code, served.mimetype, served.data) == (200, "image/jpeg", kept_thumb)
        assert Image.open(io.BytesIO(served.data)).size == (480, 360)
    with client.get(f"/exhibits/files/{document.id}") as served:
        assert (served.status_code, served.mimetype, served.data) == (200, "application/pdf", pdf)
        assert served.headers["Content-Disposition"].startswith("attachment;")
    with client.get(f"/exhibits/files/{photo.id}", headers={"If-None-Match": etag}) as served:
        assert served.status_code == 304

    with app.app_context():
        db.session.get(Exhibit, draft).status = ExhibitStatus.ACCEPTED
        factories.consent_to_gallery(db.session.get(Exhibit, draft))  # its photos may be public
        db.session.commit()
    client.post("/auth/logout")
    with client.get(f"/exhibits/files/{photo.id}/thumb") as served:
        assert served.status_code == 200 and served.data == kept_thumb
        assert set(served.headers["Cache-Control"].split(", ")) == {"public", "max-age=3600"}


def test_a_file_missing_from_the_store_is_not_found_not_an_error(app, client, draft, people, caplog):
    upload(client, draft, people["ids"]["category"], ("a.jpg", factories.jpeg_bytes()))
    photo = stored(app)["a.jpg"]
    with app.app_context():
        storage.store("uploads").delete(photo.stored_name)
    with caplog.at_level(logging.WARNING, "festival.core.storage"):
        assert client.get(f"/exhibits/files/{photo.id}").status_code == 404
    assert f"uploads/{photo.stored_name} is missing" in caplog.text
    with client.get(f"/exhibits/files/{photo.id}/thumb") as served:
        assert served.status_code == 200


def test_removing_an_attachment_removes_its_files_from_the_store(app, client, draft, people):
    upload(
        client, draft, people["ids"]["category"], ("a.jpg", factories.jpeg_bytes()), ("b.pdf", factories.pdf_bytes())
    )
    files = stored(app)
    photo, document = files["a.jpg"], files["b.pdf"]
    assert client.post(f"/exhibits/files/{photo.id}/delete").status_code == 302
    assert in_store(app, photo.stored_name, photo.thumbnail_name, document.stored_name) == [False, False, True]
    assert client.get(f"/exhibits/files/{photo.id}").status_code == 404


def test_a_store_that_fails_to_remove_leaves_the_file_but_not_the_row(app, client, draft, people, monkeypatch, caplog):
    upload(client, draft, people["ids"]["category"], ("a.jpg", factories.jpeg_bytes()))
    photo = stored(app)["a.jpg"]

    def unreachable(self, *keys):
        raise OSError(errno.EIO, "Object storage unreachable")

    with app.app_context():
        monkeypatch.setattr(type(storage.store("uploads")), "delete", unreachable)
    with caplog.at_level(logging.ERROR, "festival.core.uploads"):
        assert client.post(f"/exhibits/files/{photo.id}/delete").status_code == 302
    assert stored(app) == {}
    assert photo.stored_name in caplog.text  # for whoever tidies the store
    assert in_store(app, photo.stored_name) == [True]


def test_a_store_that_cannot_be_written_refuses_plainly_and_keeps_nothing(app, client, draft, people, monkeypatch):
    with app.app_context():
        files = type(storage.store("uploads"))
    real_put, calls = files.put, []

    def put(self, key, data):
        calls.append(key)
        if len(calls) > 2:  # the first photo and its thumbnail are stored
            raise OSError(errno.EIO, "Object storage refused put_object")
        real_put(self, key, data)

    monkeypatch.setattr(files, "put", put)
    response = upload(
        client,
        draft,
        people["ids"]["category"],
        ("mot.jpg", factories.jpeg_bytes(colour="blue")),
        ("hai.jpg", factories.jpeg_bytes(colour="green")),
    )
    assert response.status_code == 422
    assert "Máy chủ không ghi được tệp lúc này nên tệp chưa được lưu." in response.get_data(as_text=True)
    assert stored(app) == {}
    with app.app_context():
        assert list(storage.store("uploads").list()) == []  # the first photo went with the rollback


def test_a_refused_forms_files_are_attached_by_whichever_server_gets_it_again(
    app, client, login_as, people, tmp_path, both_backends
):
    login_as("unit_a")
    fields = MultiDict(exhibit_form(people["ids"]["category"], title=""))
    fields.add("files", FileStorage(io.BytesIO(factories.jpeg_bytes()), filename="may-cat.jpg"))
    pdf = factories.pdf_bytes()
    fields.add("files", FileStorage(io.BytesIO(pdf), filename="thuyet-minh.pdf"))
    boundary, body = encode_multipart(fields)
    page = client.post("/exhibits/new", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert page.status_code == 422
    pending = re.findall(r'name="pending" value="([\w-]+)"', page.get_data(as_text=True))
    assert len(pending) == 2
    with app.app_context():
        assert {found.key for found in storage.store("imports").list()} == {
            f"{upload_id}.{end}" for upload_id in pending for end in ("upload", "json")
        }

    other = another_server(app, tmp_path, both_backends)
    second = other.test_client()
    assert AuthActions(second).login(people["emails"]["unit_a"]).status_code == 302
    again = MultiDict(exhibit_form(people["ids"]["category"]))
    for upload_id in pending:
        again.add("pending", upload_id)
    exhibit_id = new_exhibit_id(second.post("/exhibits/new", data=again))
    files = stored(app)
    with other.app_context():
        assert sorted(a.original_name for a in db.session.get(Exhibit, exhibit_id).attachments) == [
            "may-cat.jpg",
            "thuyet-minh.pdf",
        ]
        assert list(storage.store("imports").list()) == []  # attached, so no longer kept
    with client.get(f"/exhibits/files/{files['thuyet-minh.pdf'].id}") as served:  # and served by the first
        assert served.status_code == 200 and served.data == pdf


def test_a_replaced_certificate_image_leaves_the_store_once_committed(app, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        organizer = db.session.get(User, people["ids"]["organizer_user"])
        template = certificates.template_for(festival, CertificateKind.AWARD)
        values = {"title": "GIẤY CHỨNG NHẬN", "body": "Tặng {recipient}"}
        certificates.save_template(
            template, values, organizer, images={"seal_image": ("dau.png", factories.png_bytes())}
        )
        db.session.commit()
        first = template.seal_image
        assert storage.store("uploads").exists(first)

        certificates.save_template(
            template, values, organizer, images={"seal_image": ("moi.png", factories.png_bytes())}
        )
        assert storage.store("uploads").exists(first)  # until the change is committed
        db.session.commit()
        second = template.seal_image
        assert not storage.store("uploads").exists(first) and storage.store("uploads").exists(second)

        certificates.set_template_image(template, "seal_image", None, by=organizer)
        db.session.commit()
        assert template.seal_image is None and not storage.store("uploads").exists(second)


def test_public_files_go_by_signed_redirect_to_the_bucket_when_asked(tmp_path, s3_storage):
    """STORAGE_PUBLIC_REDIRECT: an accepted exhibit's files are sent by a signed URL of the bucket (allowed by
    the pages' policy); a file not yet public is still streamed by the app, never linked."""
    app = make_app(tmp_path, STORAGE_PUBLIC_REDIRECT=True, **s3_storage)
    client = app.test_client()
    with app.app_context():
        festival = factories.make_festival()
        unit = factories.make_unit("RDR")
        factories.make_user(Role.UNIT, unit=unit, email="rdr@example.vn")
        category = factories.make_category(festival)
        db.session.commit()
        category_id = category.id
    AuthActions(client).login("rdr@example.vn")
    exhibit_id = new_exhibit_id(client.post("/exhibits/new", data=exhibit_form(category_id)))
    upload(client, exhibit_id, category_id, ("xuong.jpg", factories.jpeg_bytes()))
    photo = stored(app)["xuong.jpg"]

    with client.get(f"/exhibits/files/{photo.id}") as private:
        assert private.status_code == 200 and "no-store" in private.headers["Cache-Control"]
    with app.app_context():
        db.session.get(Exhibit, exhibit_id).status = ExhibitStatus.ACCEPTED
        factories.consent_to_gallery(db.session.get(Exhibit, exhibit_id))  # its photos may be public
        db.session.commit()
    client.post("/auth/logout")
    with client.get(f"/exhibits/files/{photo.id}/thumb") as public:
        assert public.status_code == 302
        location = public.headers["Location"]
        assert f"/festival/test/uploads/{photo.thumbnail_name}?" in location and "X-Amz-Signature=" in location
        assert public.headers["Cache-Control"] in ("public, max-age=900", "max-age=900, public")
    origin = re.match(r"https?://[^/]+", location).group(0)
    assert f"img-src 'self' data: blob: {origin};" in client.get("/").headers["Content-Security-Policy"]


def test_without_the_redirect_setting_pages_allow_no_other_image_origin(app, client):
    assert "img-src 'self' data: blob:;" in client.get("/").headers["Content-Security-Policy"]


def test_a_resubmitted_form_whose_kept_files_cannot_be_read_is_refused_not_saved_without_them(
    app, client, login_as, people, monkeypatch
):
    login_as("unit_a")
    fields = MultiDict(exhibit_form(people["ids"]["category"], title=""))
    fields.add("files", FileStorage(io.BytesIO(factories.jpeg_bytes()), filename="may-cat.jpg"))
    boundary, body = encode_multipart(fields)
    page = client.post("/exhibits/new", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    [upload_id] = re.findall(r'name="pending" value="([\w-]+)"', page.get_data(as_text=True))

    def unreachable(self, key):
        raise OSError(errno.EIO, "Input/output error")

    with app.app_context():
        store_type = type(storage.store("imports"))
    real_read = store_type.read
    monkeypatch.setattr(store_type, "read", unreachable)
    again = MultiDict(exhibit_form(people["ids"]["category"]))
    again.add("pending", upload_id)
    response = client.post("/exhibits/new", data=again)
    assert response.status_code == 503 and "Kho lưu trữ tệp không trả lời" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Exhibit)) == 0  # never "saved" without it
    monkeypatch.setattr(store_type, "read", real_read)  # the store answers: the same form goes through whole
    exhibit_id = new_exhibit_id(client.post("/exhibits/new", data=again))
    with app.app_context():
        assert [a.original_name for a in db.session.get(Exhibit, exhibit_id).attachments] == ["may-cat.jpg"]
