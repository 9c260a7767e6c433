"""A badge print on each storage backend: the job stores its PDF in the "prints" store, "Tải về"
streams it from there, and nothing is written to this machine's folders when the store is S3."""

from pathlib import Path

import pytest

from festival.core import storage
from festival.core.extensions import db
from festival.models import JobStatus, PrintJob
from tests.conftest import make_app
from tests.pdf_tools import page_texts

FOLDERS = ("UPLOAD_DIR", "JOBS_DIR", "CERTIFICATE_CACHE_DIR")


@pytest.fixture
def app(tmp_path, both_backends):
    return make_app(tmp_path, **both_backends)


def test_a_badge_print_is_stored_and_downloaded_from_the_store(app, client, login_as, crowd, people):
    login_as("organizer")
    response = client.post("/attendees/print", data={"layout": "a6", "unit_id": people["ids"]["unit_a"], "role_id": 0})
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    with app.app_context():
        job = db.session.get(PrintJob, job_id)
        assert job.status is JobStatus.DONE, job.error
        stored = storage.store("prints").read(job.filename)
        assert [found.key for found in storage.store("prints").list()] == [job.filename]
    with client.get(f"/admin/jobs/{job_id}/download") as download:
        assert download.status_code == 200 and download.mimetype == "application/pdf"
        assert download.headers["Content-Disposition"] == "attachment; filename=the-a6.pdf"
        data = download.get_data()
    assert data == stored
    texts = page_texts(data)
    assert len(texts) == 2 and "Nguyễn Thị Hằng" in texts[0]
    if app.config.get("STORAGE_URL"):
        assert not any(Path(app.config[folder]).exists() for folder in FOLDERS)


def test_a_print_whose_file_left_the_store_is_not_found(app, client, login_as, crowd, people):
    login_as("organizer")
    response = client.post("/attendees/print", data={"layout": "a4", "unit_id": 0, "role_id": 0})
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    with client.get(f"/admin/jobs/{job_id}/download") as download:
        assert download.status_code == 200
    with app.app_context():
        storage.store("prints").delete(db.session.get(PrintJob, job_id).filename)
    response = client.get(f"/admin/jobs/{job_id}/download")  # gone (the retention purge): said on the job's page
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/jobs/{job_id}")
