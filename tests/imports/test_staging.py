"""The upload kept between the import steps, on both stores: bound to its organizer, festival and list, swept
away once expired, and found by whichever server answers the next step."""

import logging
from datetime import datetime, timedelta, timezone

import pytest

from festival.core import storage
from festival.core.extensions import db
from festival.models import Attendee, Festival, User
from festival.spreadsheets import Choices, staging
from tests.conftest import AuthActions, make_app
from tests.imports import steps
from tests.imports.conftest import ORGANIZER
from tests.imports.test_steps import people_file
from tests.servers import another_server


@pytest.fixture
def app(tmp_path, both_backends):
    return make_app(tmp_path, **both_backends)


def test_an_upload_belongs_to_its_organizer_festival_and_list(app, sector):
    with app.app_context():
        festival = db.session.get(Festival, sector["festival"])
        organizer = db.session.get(User, sector["organizer"])
        other = User(email="x@example.vn", full_name="Khác", role=organizer.role)
        db.session.add(other)
        db.session.flush()
        upload = staging.stage(b"Ho va ten\nA\n", "../../etc/ds.csv", "attendees", festival, organizer)
        assert upload.filename == "ds.csv" and len(upload.id) == 22
        assert staging.find(upload.id, "attendees", festival, organizer).read() == b"Ho va ten\nA\n"
        assert staging.find(upload.id, "exhibits", festival, organizer) is None
        assert staging.find(upload.id, "attendees", festival, other) is None
        assert staging.find("../" + upload.id[3:], "attendees", festival, organizer) is None
        db.session.rollback()


def test_an_upload_expires_and_is_swept_away(app, sector):
    with app.app_context():
        festival = db.session.get(Festival, sector["festival"])
        organizer = db.session.get(User, sector["organizer"])
        now = datetime.now(timezone.utc)
        old = staging.stage(b"a\n1\n", "cu.csv", "attendees", festival, organizer, now=now - timedelta(hours=5))
        assert staging.find(old.id, "attendees", festival, organizer, now=now - timedelta(hours=2))
        assert staging.find(old.id, "attendees", festival, organizer) is None  # past IMPORT_UPLOAD_HOURS (4)
        kept = staging.stage(b"a\n1\n", "moi.csv", "attendees", festival, organizer)
        # Swept by the age of the stored files, as whichever server sweeps sees them.
        assert staging.sweep(now + timedelta(hours=3)) == 0
        assert steps.upload_files(app) == sorted(f"{u.id}.{end}" for u in (old, kept) for end in ("json", "upload"))
        assert staging.sweep(now + timedelta(hours=5)) == 4
        assert steps.upload_files(app) == []
        assert staging.find(kept.id, "attendees", festival, organizer) is None


def test_discard_removes_both_files(app, sector):
    with app.app_context():
        festival = db.session.get(Festival, sector["festival"])
        organizer = db.session.get(User, sector["organizer"])
        upload = staging.stage(b"a\n1\n", "ds.csv", "attendees", festival, organizer)
        other = staging.stage(b"b\n2\n", "khac.csv", "attendees", festival, organizer)
        staging.discard(upload)
        assert steps.upload_files(app) == [f"{other.id}.json", f"{other.id}.upload"]


def test_a_store_that_cannot_remove_leaves_the_upload_to_the_sweep(app, sector, monkeypatch, caplog):
    with app.app_context():
        festival = db.session.get(Festival, sector["festival"])
        organizer = db.session.get(User, sector["organizer"])
        upload = staging.stage(b"a\n1\n", "ds.csv", "attendees", festival, organizer)
        files = type(storage.store("imports"))
        real_delete = files.delete

        def unreachable(self, *keys):
            raise OSError(5, "Object storage unreachable")

        monkeypatch.setattr(files, "delete", unreachable)
        with caplog.at_level(logging.ERROR, "festival.spreadsheets.staging"):
            staging.discard(upload)
        assert f"Staged upload {upload.id} could not be removed" in caplog.text
        monkeypatch.setattr(files, "delete", real_delete)
        assert staging.sweep(datetime.now(timezone.utc) + timedelta(hours=5)) == 2


def test_another_server_serves_the_next_step(app, sector, tmp_path, both_backends):
    with app.app_context():
        festival = db.session.get(Festival, sector["festival"])
        organizer = db.session.get(User, sector["organizer"])
        upload = staging.stage(b"Ho va ten,Vai tro\nA,Khach moi\n", "ds.csv", "attendees", festival, organizer)
        staging.save_choices(upload, Choices(mapping={0: "full_name", 1: "role"}, include=frozenset({7})))
    other = another_server(app, tmp_path, both_backends)
    with other.app_context():
        festival = db.session.get(Festival, sector["festival"])
        organizer = db.session.get(User, sector["organizer"])
        found = staging.find(upload.id, "attendees", festival, organizer)
        assert found.choices == Choices(mapping={0: "full_name", 1: "role"}, include=frozenset({7}))
        assert found.read().startswith(b"Ho va ten")


def test_the_four_steps_alternate_between_two_servers(app, organizer, tmp_path, both_backends):
    other = another_server(app, tmp_path, both_backends)
    second = other.test_client()
    assert AuthActions(second).login(ORGANIZER).status_code == 302
    # Upload here, look at the preview there, change the mapping here, import there.
    url = steps.preview_url(steps.upload(organizer, "/attendees", people_file(), "dai-bieu.xlsx"))
    assert "Tệp “dai-bieu.xlsx”" in second.get(url).get_data(as_text=True)
    assert steps.post_preview(organizer, url, **{"column-6": "organisation", "include": "4"}).status_code == 302
    assert steps.preview_form(second.get(url).get_data(as_text=True))["column-6"] == "organisation"
    response = steps.post_preview(second, url, "import")
    assert response.status_code == 302 and response.headers["Location"].endswith("/attendees/")
    with app.app_context():
        people = {a.full_name: a.organisation for a in db.session.execute(db.select(Attendee)).scalars()}
    assert people == {"Nguyễn Văn An": "", "Trần Thị Bình": "đã rút", "Lê Văn Cường": ""}
    assert steps.upload_files(app) == [] and steps.upload_files(other) == []
    assert organizer.get(url).status_code == 404


def test_a_store_that_cannot_be_written_refuses_the_upload_on_the_form(app, organizer, monkeypatch):
    def refuse(self, key, data):
        raise OSError(5, "Input/output error")

    with app.app_context():
        monkeypatch.setattr(type(storage.store("imports")), "put", refuse)
    response = steps.upload(organizer, "/attendees", people_file(), "dai-bieu.xlsx")
    assert response.status_code == 422
    assert "Máy chủ không ghi được tệp lúc này" in response.get_data(as_text=True)


def test_a_store_that_does_not_answer_says_so_and_the_upload_waits(app, organizer, monkeypatch):
    url = steps.preview_url(steps.upload(organizer, "/attendees", people_file(), "dai-bieu.xlsx"))

    def unreachable(self, key):
        raise OSError(5, "Input/output error")

    with app.app_context():
        store_type = type(storage.store("imports"))
    real_read = store_type.read
    monkeypatch.setattr(store_type, "read", unreachable)
    response = organizer.get(url)
    assert response.status_code == 503  # not "no such upload": it is still there
    assert "Kho lưu trữ tệp không trả lời" in response.get_data(as_text=True)
    monkeypatch.setattr(store_type, "read", real_read)  # the store answers again
    assert "Tệp “dai-bieu.xlsx”" in organizer.get(url).get_data(as_text=True)
