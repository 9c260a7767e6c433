"""Certificates on each storage backend: the signature and seal come from the uploads store (so a
machine that never saw the upload prints them), a missing image stops the print with a plain
reason, and rendered pages are cached in the store by their data and their images' content."""

import io
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from festival.certificates import printing, services
from festival.core import storage
from festival.core.extensions import db
from festival.models import Certificate, CertificateKind, Festival, JobStatus, PrintJob
from tests.conftest import AuthActions, make_app
from tests.pdf_tools import page_count, page_texts

SIGNATURE_KEY, SEAL_KEY = "certificates/signature.png", "certificates/seal.png"
GREEN, MAGENTA = (0, 200, 0), (255, 0, 255)  # colours found nowhere else on a certificate
FOLDERS = ("UPLOAD_DIR", "JOBS_DIR", "CERTIFICATE_CACHE_DIR")


@pytest.fixture
def app(tmp_path, both_backends):
    return make_app(tmp_path, **both_backends)


@pytest.fixture
def other_app(tmp_path, both_backends):
    """Another machine on the same database and store (locally: the same folders, as on a shared disk;
    on S3: folders of its own, which must never be made)."""
    if not both_backends:
        return make_app(tmp_path)
    return make_app(tmp_path, **both_backends, **{folder: str(tmp_path / "other" / folder) for folder in FOLDERS})


def png(colour, size) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def with_images(app, festival_id, signature=GREEN):
    """Store a signature and a seal and name them in the award template (as an upload on `app` would)."""
    with app.app_context():
        storage.store("uploads").put(SIGNATURE_KEY, png(signature, (300, 120)))
        storage.store("uploads").put(SEAL_KEY, png(MAGENTA, (200, 200)))
        template = services.template_for(db.session.get(Festival, festival_id), CertificateKind.AWARD)
        template.signature_image, template.seal_image = SIGNATURE_KEY, SEAL_KEY
        db.session.commit()


def issue_awards(app, festival_id):
    with app.app_context():
        services.issue(db.session.get(Festival, festival_id), CertificateKind.AWARD, date(2022, 6, 15), by=None)
        db.session.commit()


def pixels_of(data: bytes, colour) -> list[int]:
    """How many pixels of each page are (nearly) `colour`, rendered at 50 dpi."""
    counts = []
    document = pdfium.PdfDocument(data)
    for page in document:
        raw = page.render(scale=50 / 72).to_pil().convert("RGB").tobytes()
        pixels = zip(raw[0::3], raw[1::3], raw[2::3])
        counts.append(sum(1 for pixel in pixels if all(abs(a - b) < 40 for a, b in zip(pixel, colour))))
    document.close()
    return counts


def print_job(client, **fields):
    response = client.post("/certificates/print", data={"kind": "award", "unit_id": 0, **fields})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_images_stored_by_one_machine_are_printed_by_another(app, other_app, awarded, people):
    with_images(app, awarded["festival"])
    issue_awards(app, awarded["festival"])
    client = other_app.test_client()
    assert AuthActions(client).login(people["emails"]["organizer"]).status_code == 302
    job_id = print_job(client)
    with other_app.app_context():
        job = db.session.get(PrintJob, job_id)
        assert job.status is JobStatus.DONE, job.error
    with client.get(f"/admin/jobs/{job_id}/download") as download:
        data = download.get_data()
    texts = page_texts(data)
    assert len(texts) == 3 and "Nguyễn Thị Hằng" in "".join(texts)
    # Every page shows the signature (green) and the seal (magenta, a little transparent).
    assert all(count > 1000 for count in pixels_of(data, GREEN)), pixels_of(data, GREEN)
    assert all(count > 1000 for count in pixels_of(data, (255, 38, 255)))
    if other_app.config.get("STORAGE_URL"):
        assert not any(Path(other_app.config[folder]).exists() for folder in FOLDERS)


def test_a_missing_signature_fails_the_print_with_a_plain_reason_and_in_lai(app, client, login_as, awarded):
    with_images(app, awarded["festival"])
    issue_awards(app, awarded["festival"])
    with app.app_context():
        storage.store("uploads").delete(SIGNATURE_KEY)
        certificate_id = db.session.execute(db.select(Certificate.id).limit(1)).scalar_one()
    login_as("organizer")
    job_id = print_job(client)
    with app.app_context():
        job = db.session.get(PrintJob, job_id)
        assert (job.status, job.error, job.filename) == (JobStatus.FAILED, "missing_image", None)
        assert list(storage.store("certificates").list()) == []  # no page was made without its signature
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "Không tìm thấy ảnh chữ ký hoặc con dấu của mẫu giấy chứng nhận" in page and "In lại" in page

    # The single certificate, the trial print and the template's preview say so too.
    single = client.get(f"/certificates/{certificate_id}.pdf")
    assert single.status_code == 409 and "Không tìm thấy ảnh chữ ký" in single.get_data(as_text=True)
    trial = client.post("/certificates/print", data={"kind": "award", "unit_id": 0, "trial": "1"})
    assert trial.status_code == 409 and "Không tìm thấy ảnh chữ ký" in trial.get_data(as_text=True)
    editor = client.get("/certificates/templates/award")
    assert editor.status_code == 200 and "Không tìm thấy ảnh chữ ký" in editor.get_data(as_text=True)
    assert 'id="preview"' not in editor.get_data(as_text=True)

    # Uploaded again, "In lại" prints it.
    with_images(app, awarded["festival"])
    client.post(f"/admin/jobs/{job_id}/retry")
    with client.get(f"/admin/jobs/{job_id}/download") as download:
        assert all(count > 1000 for count in pixels_of(download.get_data(), GREEN))


class CountingStore:
    """The certificates store, counting what is written to it."""

    def __init__(self, store):
        self.store, self.puts = store, []

    def put(self, key, data):
        self.puts.append(key)
        self.store.put(key, data)

    def __getattr__(self, name):
        return getattr(self.store, name)


def test_a_cached_page_serves_every_print_until_its_signature_changes(app, awarded, monkeypatch):
    with_images(app, awarded["festival"])
    issue_awards(app, awarded["festival"])
    counting = CountingStore(app.extensions["festival.storage"]["certificates"])
    monkeypatch.setitem(app.extensions["festival.storage"], "certificates", counting)
    with app.test_request_context():
        [certificate] = [
            c for c in db.session.execute(db.select(Certificate)).scalars() if c.recipient_name == "Phạm Ngọc Ánh"
        ]
        first = printing.render_certificates([certificate])
        assert len(counting.puts) == 1
        [cached] = [found.key for found in counting.list(prefix=f"{certificate.id}-")]

        again = printing.render_certificates([certificate])
        assert len(counting.puts) == 1 and page_texts(again) == page_texts(first)
        assert [found.key for found in counting.list(prefix=f"{certificate.id}-")] == [cached]

        # The same key, another picture: the page is rendered again, with it, and replaces the old one.
        storage.store("uploads").put(SIGNATURE_KEY, png((0, 0, 230), (300, 120)))
        changed = printing.render_certificates([certificate])
        assert len(counting.puts) == 2 and counting.puts[-1] != cached
        assert [found.key for found in counting.list(prefix=f"{certificate.id}-")] == [counting.puts[-1]]
    assert pixels_of(first, GREEN)[0] > 1000
    assert pixels_of(changed, GREEN) == [0] and pixels_of(changed, (0, 0, 230))[0] > 1000
    assert page_count(changed) == 1


def test_a_page_printed_before_the_images_were_added_is_printed_again_with_them(app, runner, awarded, tmp_path):
    issue_awards(app, awarded["festival"])
    out = tmp_path / "gcn.pdf"
    assert runner.invoke(args=["certificates", "print", "--out", str(out), "--kind", "award"]).exit_code == 0
    assert pixels_of(out.read_bytes(), GREEN) == [0, 0, 0]
    with_images(app, awarded["festival"])
    assert runner.invoke(args=["certificates", "print", "--out", str(out), "--kind", "award"]).exit_code == 0
    assert all(count > 1000 for count in pixels_of(out.read_bytes(), GREEN))

    with app.app_context():
        storage.store("uploads").delete(SEAL_KEY)
    result = runner.invoke(args=["certificates", "print", "--out", str(out), "--kind", "award"])
    assert result.exit_code == 1 and "Không tìm thấy ảnh chữ ký hoặc con dấu" in result.output
