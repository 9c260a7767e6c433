"""Print jobs on the task queue: progress and time left, disk errors, dead workers and "In lại",
and a real consumer (a subprocess on the same database file) printing while the gates scan."""

import errno
import io
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from huey.storage import SqliteStorage
from pypdf import PdfReader

from festival.badges import services as badges
from festival.core import jobs, queue, storage
from festival.core.extensions import db
from festival.models import Attendee, Festival, JobStatus, PrintJob, Unit, utcnow
from tests.conftest import AuthActions

ROOT = Path(__file__).resolve().parent.parent


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def job_id_of(response) -> int:
    assert response.status_code == 302 and "/admin/jobs/" in response.headers["Location"], response.status_code
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def load_job(app, job_id) -> PrintJob:
    with app.app_context():
        job = db.session.get(PrintJob, job_id)
        db.session.expunge(job)
        return job


def add_attendees(app, festival_id, unit_id, count):
    with app.app_context():
        festival = db.session.get(Festival, festival_id)
        unit = db.session.get(Unit, unit_id)
        delegate = badges.role_by_code(festival, "delegate")
        given = ("Hằng", "Minh", "Thanh", "Ngọc", "Đức", "Phương", "Bảo", "Khánh")
        tokens = []
        for index in range(count):
            name = f"Nguyễn Văn {given[index % len(given)]} {index:04d}"
            attendee = badges.add_attendee(festival, badges.AttendeeInput(name, delegate, unit), by=None)
            tokens.append(attendee.badge_token)
        db.session.commit()
        return tokens


def print_badges(client, unit_id, layout="a6"):
    return client.post("/attendees/print", data={"layout": layout, "unit_id": unit_id, "role_id": 0})


# The job page ------------------------------------------------------------------------------


def test_the_job_page_shows_progress_and_the_time_left(app, client, login_as):
    login_as("organizer")
    with app.app_context():
        now = utcnow()
        job = jobs.create_job("badges", "In 1000 thẻ (A6)", {}, by=None)
        job.status, job.done, job.total = JobStatus.RUNNING, 400, 1000
        job.started_at, job.heartbeat_at, job.updated_at = now - timedelta(seconds=40), now, now
        db.session.commit()
        job_id = job.id
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and 'value="400" max="1000"' in page
    # 400 done in 40 s: 600 left take about 60 s more.
    assert "40%" in page and "400/1000" in page and "còn khoảng 1 phút" in page
    assert "In lại" not in page


def test_a_job_whose_worker_went_silent_is_shown_failed_with_a_reason_and_in_lai(app, client, login_as):
    login_as("organizer")
    with app.app_context():
        stale = utcnow() - timedelta(seconds=app.config["PRINT_JOB_STALE_SECONDS"] + 5)
        job = jobs.create_job("badges", "In 3 thẻ", {}, by=None)
        job.status, job.started_at, job.heartbeat_at, job.updated_at = JobStatus.RUNNING, stale, stale, stale
        db.session.commit()
        job_id = job.id
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "In không thành công." in page and "Tiến trình in đã dừng đột ngột" in page and "In lại" in page
    assert 'http-equiv="refresh"' not in page
    with app.app_context():
        assert jobs.fail_stale() == 1
        assert db.session.get(PrintJob, job_id).error == "worker_died"


def test_in_lai_runs_a_failed_print_again_and_a_done_one_is_refused(app, client, login_as, people):
    login_as("organizer")
    add_attendees(app, people["ids"]["festival"], people["ids"]["unit_a"], 5)
    with app.app_context():
        params = {"layout": "a6", "unit_id": people["ids"]["unit_a"], "festival_id": people["ids"]["festival"]}
        job = jobs.create_job("badges", "In 5 thẻ (A6)", params, by=None)
        job.status, job.error = JobStatus.FAILED, "disk_full"
        db.session.commit()
        job_id = job.id
    assert "Ổ đĩa đầy" in client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    response = client.post(f"/admin/jobs/{job_id}/retry")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/jobs/{job_id}")
    job = load_job(app, job_id)
    assert job.status is JobStatus.DONE and job.attempt == 2 and job.error == ""
    with client.get(f"/admin/jobs/{job_id}/download") as download:
        assert page_count(download.data) == 5
    page = client.post(f"/admin/jobs/{job_id}/retry", follow_redirects=True).get_data(as_text=True)
    assert "Chỉ in lại được bản in không thành công." in page
    assert load_job(app, job_id).attempt == 2


def test_a_print_whose_file_the_retention_purge_removed_says_so(app, client, login_as, people):
    login_as("organizer")
    add_attendees(app, people["ids"]["festival"], people["ids"]["unit_a"], 2)
    with app.app_context():
        params = {"layout": "a6", "unit_id": people["ids"]["unit_a"], "festival_id": people["ids"]["festival"]}
        job = jobs.create_job("badges", "In 2 thẻ (A6)", params, by=None)
        jobs.start(job)
        db.session.commit()
        job_id = job.id
    job = load_job(app, job_id)
    assert job.status is JobStatus.DONE
    with app.app_context():
        storage.store("prints").delete(jobs.output_key(job))
    response = client.get(f"/admin/jobs/{job_id}/download", follow_redirects=True)
    assert response.request.path == f"/admin/jobs/{job_id}"
    assert "đã được xoá theo thời hạn lưu giữ" in response.get_data(as_text=True)


class RefusingStore:
    """A prints store whose writes fail as a full disk, a read-only folder or an unreachable S3 would."""

    def __init__(self, store, code):
        self.store, self.code, self.refused = store, code, []

    def put(self, key, data):
        self.refused.append(key)
        raise OSError(self.code, os.strerror(self.code))

    def __getattr__(self, name):
        return getattr(self.store, name)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (errno.ENOSPC, "Ổ đĩa đầy"),
        (errno.EACCES, "không có quyền ghi tệp in"),
        (errno.EIO, "Kho lưu trữ tệp không phản hồi"),
    ],
)
def test_a_store_error_fails_the_print_with_a_plain_message_and_stores_nothing(
    app, client, login_as, people, monkeypatch, code, message
):
    login_as("organizer")
    add_attendees(app, people["ids"]["festival"], people["ids"]["unit_a"], 3)
    stores = app.extensions["festival.storage"]
    refusing = RefusingStore(stores["prints"], code)
    monkeypatch.setitem(stores, "prints", refusing)
    job_id = job_id_of(print_badges(client, people["ids"]["unit_a"]))
    job = load_job(app, job_id)
    assert job.status is JobStatus.FAILED and job.filename is None and refusing.refused
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "In không thành công." in page and message in page and "In lại" in page
    assert client.get(f"/admin/jobs/{job_id}/download").status_code == 404

    monkeypatch.setitem(stores, "prints", refusing.store)
    client.post(f"/admin/jobs/{job_id}/retry")
    assert load_job(app, job_id).status is JobStatus.DONE
    with app.app_context():
        assert [stored.key for stored in refusing.store.list()] == [load_job(app, job_id).filename]


# A real consumer on the same database file ----------------------------------------------------


class Consumer:
    """`flask festival worker` in a subprocess (its own process group) on the test app's database,
    folders and a queue file; the test process enqueues to the same file."""

    def __init__(self, app, queue_file: Path, log: Path):
        self.env = {
            **os.environ,
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "QUEUE_URL": f"sqlite:///{queue_file}",
            "JOBS_DIR": app.config["JOBS_DIR"],
            "UPLOAD_DIR": app.config["UPLOAD_DIR"],
            "CERTIFICATE_CACHE_DIR": app.config["CERTIFICATE_CACHE_DIR"],
            "IMPORTS_DIR": app.config["IMPORTS_DIR"],
            "PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"],
            "PRINT_JOB_HEARTBEAT_SECONDS": str(app.config["PRINT_JOB_HEARTBEAT_SECONDS"]),
            "PRINT_JOB_STALE_SECONDS": str(app.config["PRINT_JOB_STALE_SECONDS"]),
            "FLASK_APP": "wsgi",
            # Its own generated key beside the queue file, not one in the checkout's instance/ folder.
            "SECRET_KEY_FILE": str(queue_file.parent / "secret_key"),
        }
        self.log = log
        self.process = None

    def start(self):
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "festival", "worker", "--workers", "2"],
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)  # the consumer and its PDF workers, at once
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def real_queue(app, tmp_path, monkeypatch):
    """The test process enqueues to a queue file that consumers started by the test consume."""
    queue_file = tmp_path / "queue.db"
    app.config.update(PRINT_JOB_HEARTBEAT_SECONDS=0.5, PRINT_JOB_STALE_SECONDS=3)  # the web and the consumers
    monkeypatch.setattr(queue.huey, "_immediate", False)
    monkeypatch.setattr(queue.huey, "storage", SqliteStorage(name=queue.huey.name, filename=str(queue_file)))
    started = []

    def consumer():
        started.append(Consumer(app, queue_file, tmp_path / "consumer.log").start())
        return started[-1]

    yield consumer
    for one in started:
        one.stop()


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_gates_keep_scanning_while_a_big_badge_print_runs_on_sqlite(app, client, login_as, people, real_queue):
    count = 600
    tokens = add_attendees(app, people["ids"]["festival"], people["ids"]["unit_a"], count)
    login_as("organizer")
    gate = app.test_client()
    assert AuthActions(gate).login(people["emails"]["checkin"]).status_code == 302
    consumer = real_queue()
    job_id = job_id_of(print_badges(client, people["ids"]["unit_a"]))
    wait_until(lambda: load_job(app, job_id).status is JobStatus.RUNNING, 60, "the consumer to take the job")

    answers, seen_progress = [], set()
    for token in tokens:
        job = load_job(app, job_id)
        if job.status is not JobStatus.RUNNING:
            break
        seen_progress.add(job.done)
        response = gate.post(
            "/checkin/scan",
            json={"code": f"http://festival.test/c/{token}", "gate": "Cổng chính", "nonce": uuid.uuid4().hex},
        )
        answers.append(response.status_code)
        time.sleep(0.05)
    job = wait_until(
        lambda: (j := load_job(app, job_id)).status in (JobStatus.DONE, JobStatus.FAILED) and j, 240, "the print"
    )
    assert job.status is JobStatus.DONE, job.error + consumer.log.read_text()
    assert len(answers) >= 5, "the print ended before the gate could scan"
    # Every scan was stored while the print ran. The print commits its progress per chunk of badges
    # (the gate saw it move), so a scan waits for one chunk's commit at most, never for the whole
    # print; how long that takes depends on the machine and is measured in bench/, not here.
    assert all(status == 200 for status in answers), answers
    assert len(seen_progress) >= 2
    with client.get(f"/admin/jobs/{job_id}/download") as download:
        assert page_count(download.data) == count
    with app.app_context():
        checked_in = db.session.execute(db.select(Attendee).where(Attendee.checked_in_at.is_not(None))).all()
        assert len(checked_in) == len(answers)


def test_a_job_whose_consumer_is_killed_is_failed_then_in_lai_completes_it(app, client, login_as, people, real_queue):
    count = 800
    add_attendees(app, people["ids"]["festival"], people["ids"]["unit_a"], count)
    login_as("organizer")
    first = real_queue()
    job_id = job_id_of(print_badges(client, people["ids"]["unit_a"], layout="a4"))
    wait_until(lambda: load_job(app, job_id).status is JobStatus.RUNNING, 60, "the consumer to take the job")
    first.kill()  # kill -9 mid-print
    assert load_job(app, job_id).status is JobStatus.RUNNING

    # Within the stale time (3 s here, 60 s by default) the page says the worker died, and a
    # consumer's watchdog marks the job failed.
    time.sleep(3.5)
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "Tiến trình in đã dừng đột ngột" in page and "In lại" in page
    real_queue()
    job = wait_until(lambda: (j := load_job(app, job_id)).status is JobStatus.FAILED and j, 30, "the watchdog")
    assert job.error == "worker_died" and job.finished_at is not None

    assert client.post(f"/admin/jobs/{job_id}/retry").status_code == 302
    job = wait_until(lambda: (j := load_job(app, job_id)).status is JobStatus.DONE and j, 240, "the print again")
    assert job.attempt == 2 and job.done == job.total
    with client.get(f"/admin/jobs/{job_id}/download") as download:
        assert page_count(download.data) == count // 4  # A4 sheets of four
    assert len(list(Path(app.config["JOBS_DIR"]).iterdir())) == 1  # no partial file of the killed run


def test_the_consumer_refuses_to_start_in_immediate_mode(runner):
    result = runner.invoke(args=["festival", "worker"])
    assert result.exit_code != 0 and "immediate" in result.output


def test_a_consumer_told_to_stop_stops_and_takes_its_pdf_workers_with_it(app, real_queue, tmp_path):
    consumer = real_queue()
    wait_until(lambda: "Consuming" in (tmp_path / "consumer.log").read_text(), 60, "the consumer to start")
    group = consumer.process.pid
    time.sleep(1)  # its warm PDF workers are starting (a stop then once waited for ever)
    os.kill(consumer.process.pid, signal.SIGTERM)  # the consumer alone, as a service manager's stop may
    consumer.process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            break  # nothing of the consumer is left
        time.sleep(0.2)
    else:
        raise AssertionError("PDF workers outlived their consumer")
