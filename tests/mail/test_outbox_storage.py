"""The file outbox on each storage backend: every .eml is an object of the "outbox" area, which any app
machine sharing the store and the database offers for download."""

from email import policy
from email.parser import BytesParser
from pathlib import Path

import boto3
import pytest

from festival.core import storage
from festival.core.extensions import db
from festival.exhibits import services as exhibits
from festival.models import Category, ExhibitStatus, Festival, MailStatus, Unit, User, utcnow
from tests import factories
from tests.conftest import AuthActions, make_app
from tests.mail.conftest import outbox_rows, run_scheduled


@pytest.fixture
def app(tmp_path, both_backends):
    """No MAIL_SERVER: the file outbox, in a folder or in the mock's bucket."""
    return make_app(tmp_path, **both_backends)


def _exhibit_received(app, people) -> None:
    """A unit submits an exhibit: the "exhibit received" message (no secret link in it) is sent at once."""
    with app.app_context():
        exhibit = factories.make_exhibit(
            db.session.get(Festival, people["ids"]["festival"]),
            db.session.get(Unit, people["ids"]["unit_a"]),
            db.session.get(Category, people["ids"]["category"]),
            status=ExhibitStatus.DRAFT,
        )
        exhibits.submit_exhibit(exhibit, db.session.get(User, people["ids"]["unit_a_user"]), utcnow())
        db.session.commit()


def test_a_message_is_written_to_the_outbox_store_and_downloads_from_another_app_machine(
    app, client, people, both_backends, tmp_path
):
    _exhibit_received(app, people)

    [row] = outbox_rows(app)
    assert row.status is MailStatus.SENT and row.outbox_file.endswith("-exhibit_received.eml")
    with app.app_context():
        written = storage.store("outbox").read(row.outbox_file)
    assert BytesParser(policy=policy.default).parsebytes(written)["Subject"] == row.subject
    local_file = Path(app.config["MAIL_OUTBOX_DIR"]) / row.outbox_file
    if both_backends:
        bucket = boto3.client("s3", region_name="us-east-1")
        assert bucket.get_object(Bucket="festival", Key=f"test/outbox/{row.outbox_file}")["Body"].read() == written
        assert not local_file.exists()
        # Another machine: its own folders, the same database and bucket.
        other = make_app(
            tmp_path / "other", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], **both_backends
        )
    else:
        assert local_file.read_bytes() == written  # where `make run` always kept them
        other = app
    other_client = other.test_client()
    assert AuthActions(other_client).login(people["emails"]["organizer"]).status_code == 302

    download = other_client.get(f"/admin/mail/{row.id}.eml")
    assert download.status_code == 200 and download.mimetype == "message/rfc822"
    assert download.get_data() == written
    assert row.outbox_file in download.headers["Content-Disposition"]
    download.close()

    with other.app_context():
        storage.store("outbox").delete(row.outbox_file)
    assert other_client.get(f"/admin/mail/{row.id}.eml").status_code == 404


def test_the_outbox_page_names_the_folder_only_when_files_are_kept_on_this_machine(
    app, client, login_as, both_backends
):
    login_as("organizer")
    page = client.get("/admin/mail/").get_data(as_text=True)
    folder = app.config["MAIL_OUTBOX_DIR"]
    if both_backends:
        assert "kho tệp dùng chung (STORAGE_URL)" in page and folder not in page
    else:
        assert f"trong thư mục {folder}" in page


def test_a_store_that_cannot_be_written_now_is_retried_then_the_message_is_written(app, people, monkeypatch):
    with app.app_context():
        outbox = storage.store("outbox")

    def refuse(key, data):
        raise OSError(5, "Object storage unreachable")

    with monkeypatch.context() as patch:
        patch.setattr(outbox, "put", refuse)
        _exhibit_received(app, people)

    [row] = outbox_rows(app)
    assert row.status is MailStatus.QUEUED and row.attempts == 1 and row.outbox_file is None
    assert "Object storage unreachable" in row.last_error

    assert run_scheduled(app) == 1
    [row] = outbox_rows(app)
    assert row.status is MailStatus.SENT and row.attempts == 2
    with app.app_context():
        assert storage.store("outbox").exists(row.outbox_file)
