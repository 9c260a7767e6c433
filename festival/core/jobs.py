"""Long prints on the task queue: Huey's consumer renders, the job row tracks progress, pages poll it.

A job outlives the web worker that started it. Its kind names a work function registered here
(`@jobs.work("badges")`), called as `work(params, progress) -> JobOutput` in the consumer:

- it reads what it needs inside `with jobs.reading():` (deferred transactions, ended on leaving),
  then renders with no transaction open, so on SQLite the gates and the judges never wait for a
  print; the output is stored whole in the "prints" store (any machine can serve it) and the job
  marked done in one short transaction (with the output's `on_done`, e.g. badges marked printed);
- `progress(done, total)` commits the figures in a short transaction of its own;
- a thread of the run touches `heartbeat_at` every PRINT_JOB_HEARTBEAT_SECONDS; a job not heard
  from for PRINT_JOB_STALE_SECONDS died with its worker (kill -9, a restart): the page says so at
  once, the consumer's watchdog marks it failed, and "In lại" runs it again as attempt n + 1.
  A run that finds another attempt (or a failed status) in the row stops and writes nothing.
"""

import errno
import logging
import secrets
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from festival.core import audit, storage
from festival.core.errors import FestivalError
from festival.core.extensions import db, deferred_begin
from festival.core.queue import UNREACHABLE, task
from festival.core.transactions import on_commit
from festival.models import JobStatus, PrintJob, User, utcnow
from festival.util.pdf import RenderTooSlow

log = logging.getLogger(__name__)

# Why a job failed, stored as a code in PrintJob.error and shown in the reader's language.
REASONS = {
    "worker_died": _l(
        "Tiến trình in đã dừng đột ngột (máy chủ khởi động lại hoặc tiến trình bị tắt) nên bản in chưa xong. "
        "Bấm “In lại” để in lại từ đầu."
    ),
    "disk_full": _l("Ổ đĩa đầy: máy chủ không còn chỗ để ghi tệp in. Hãy giải phóng chỗ trống rồi bấm “In lại”."),
    "no_permission": _l(
        "Máy chủ không có quyền ghi tệp in vào thư mục bản in (JOBS_DIR). Hãy báo người quản trị rồi bấm “In lại”."
    ),
    "storage_error": _l(
        "Kho lưu trữ tệp không phản hồi hoặc từ chối nên máy chủ không đọc, ghi được tệp của bản in. "
        "Hãy đợi ít phút (nếu lỗi lặp lại, hãy báo người quản trị) rồi bấm “In lại”."
    ),
    "missing_image": _l(
        "Không tìm thấy ảnh chữ ký hoặc con dấu của mẫu giấy chứng nhận nên không in được. "
        "Hãy tải lại ảnh trong mẫu giấy chứng nhận rồi bấm “In lại”."
    ),
    "disk_error": _l(
        "Máy chủ không ghi được tệp in (lỗi ổ đĩa). Hãy thử “In lại”; nếu vẫn lỗi, hãy báo người quản trị."
    ),
    "too_slow": _l("Một phần bản in dựng quá lâu nên đã bị dừng. Hãy thử “In lại” hoặc in ít hơn mỗi lần."),
    "unknown_kind": _l("Không rõ loại bản in này; hãy tạo lại bản in từ trang in."),
    "render_error": _l("Không dựng được tệp PDF. Hãy thử “In lại”; nếu vẫn lỗi, hãy báo người quản trị."),
    "queue_unreachable": _l(
        "Không gửi được bản in vào hàng đợi (máy chủ hàng đợi không trả lời). "
        "Hãy bấm “In lại” khi hàng đợi hoạt động lại."
    ),
}


@dataclass
class JobOutput:
    """What a job's work produced: the file's bytes and name, and what to record once it is stored
    (called in the transaction that marks the job done)."""

    data: bytes
    filename: str
    on_done: Callable[[], None] | None = None


class JobSuperseded(Exception):
    """The job row belongs to another run now (failed by the watchdog, or "In lại")."""


_WORK: dict[str, Callable] = {}


def work(kind: str):
    """Register `function(params, progress) -> JobOutput` as the work of jobs of this kind."""

    def decorate(function):
        _WORK[kind] = function
        return function

    return decorate


def stale_after() -> timedelta:
    return timedelta(seconds=current_app.config["PRINT_JOB_STALE_SECONDS"])


# Starting, retrying -------------------------------------------------------------------------


def create_job(kind: str, title: str, params: dict, by: User | None) -> PrintJob:
    job = PrintJob(kind=kind, title=title[:200], params=params, created_by_id=by.id if by else None)
    db.session.add(job)
    db.session.flush()
    return job


def start(job: PrintJob) -> None:
    """Queue the job once the transaction that made it commits (the consumer loads it by id).

    A queue that does not answer then (its Redis down) fails the job at once, in a transaction of its own (the
    committed session can write no more), so the page offers "In lại" instead of a job waiting for ever.
    """
    job_id, attempt = job.id, job.attempt

    def enqueue():
        try:
            run_print_job(job_id, attempt)
        except UNREACHABLE:
            log.exception("Print job %s could not be queued", job_id)
            now = utcnow()
            with db.engine.begin() as connection:
                connection.execute(
                    sa.update(PrintJob)
                    .where(PrintJob.id == job_id, PrintJob.attempt == attempt, PrintJob.status == JobStatus.QUEUED)
                    .values(status=JobStatus.FAILED, error="queue_unreachable", finished_at=now, updated_at=now)
                )

    on_commit(enqueue)


def can_retry(job: PrintJob, now: datetime | None = None) -> bool:
    return job.status is JobStatus.FAILED or is_stale(job, now)


def retry(job: PrintJob, by: User | None) -> None:
    """Run a failed (or dead) job again from the start, as its next attempt.

    :raise FestivalError: the job is done, or still running.
    """
    if not can_retry(job):
        raise FestivalError(_l("Chỉ in lại được bản in không thành công."))
    before = {"status": job.status.value, "attempt": job.attempt, "error": job.error}
    job.attempt += 1
    job.status, job.done, job.total, job.error = JobStatus.QUEUED, 0, 0, ""
    job.filename = job.finished_at = job.started_at = job.heartbeat_at = None
    job.updated_at = utcnow()
    audit.record("print_job.retry", job, by=by, before=before, after={"attempt": job.attempt})
    start(job)


# What the job page shows ----------------------------------------------------------------


def is_stale(job: PrintJob, now: datetime | None = None) -> bool:
    """A running job whose worker has not been heard from for PRINT_JOB_STALE_SECONDS."""
    if job.status is not JobStatus.RUNNING:
        return False
    return (now or utcnow()) - (job.heartbeat_at or job.updated_at) > stale_after()


def waiting_long(job: PrintJob, now: datetime | None = None) -> bool:
    """Queued for a while with no consumer taking it (the worker is not running?)."""
    return job.status is JobStatus.QUEUED and (now or utcnow()) - job.updated_at > stale_after()


def error_message(job: PrintJob, now: datetime | None = None) -> str:
    """Why the job failed, in plain words."""
    if is_stale(job, now):
        return str(REASONS["worker_died"])
    reason = REASONS.get(job.error)
    return str(reason) if reason is not None else job.error


def seconds_left(job: PrintJob, now: datetime | None = None) -> int | None:
    """An estimate of the time left, from the pace so far (None until a first part is done)."""
    if job.status is not JobStatus.RUNNING or not job.started_at or not job.total or job.done <= 0:
        return None
    elapsed = ((now or utcnow()) - job.started_at).total_seconds()
    return max(0, round(elapsed / job.done * (job.total - job.done)))


def output_key(job: PrintJob) -> str | None:
    """The finished print's key in the "prints" store (None until it is done)."""
    return job.filename or None


def download_name(job: PrintJob) -> str:
    """The name the finished print is saved as (its key without the job's id and random part)."""
    return job.filename.split("-", 2)[2]


# Running, in the consumer ---------------------------------------------------------------


@contextmanager
def reading():
    """Read what a job needs: transactions begin deferred (no SQLite write lock), and the one
    open is ended on leaving, so nothing is held while the job renders. Objects loaded inside
    stay usable as plain values (detached, nothing reloaded)."""
    token = deferred_begin.set(True)
    try:
        yield
    finally:
        db.session.close()
        deferred_begin.reset(token)


@contextmanager
def writing():
    """A short write transaction of a job's own, committed on leaving."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def _this_run(job_id: int, attempt: int):
    return sa.update(PrintJob).where(
        PrintJob.id == job_id, PrintJob.attempt == attempt, PrintJob.status == JobStatus.RUNNING
    )


@task()
def run_print_job(job_id: int, attempt: int) -> None:
    """The queue's task: run attempt `attempt` of a print job (nothing if another run has it)."""
    execute(job_id, attempt)


def execute(job_id: int, attempt: int) -> None:
    now = utcnow()
    with writing():
        claimed = db.session.execute(
            sa.update(PrintJob)
            .where(PrintJob.id == job_id, PrintJob.attempt == attempt, PrintJob.status == JobStatus.QUEUED)
            .values(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, updated_at=now, done=0, total=0)
        ).rowcount
    if not claimed:
        log.info("Print job %s attempt %s is not queued any more; skipped", job_id, attempt)
        return
    with reading():
        job = db.session.get(PrintJob, job_id)
        kind, params = job.kind, dict(job.params or {})

    def progress(done: int, total: int) -> None:
        with writing():
            moved = db.session.execute(
                _this_run(job_id, attempt).values(done=done, total=total, updated_at=utcnow(), heartbeat_at=utcnow())
            ).rowcount
        if not moved:
            raise JobSuperseded()

    heartbeat = _Heartbeat(current_app._get_current_object(), job_id, attempt)
    heartbeat.start()
    stored: str | None = None
    try:
        if kind not in _WORK:
            raise _Failure("unknown_kind")
        output = _WORK[kind](params, progress)
        name = f"{job_id}-{secrets.token_hex(8)}-{output.filename}"
        storage.store("prints").put(name, output.data)  # whole or not at all: the store's promise
        stored = name
        with writing():
            finished = db.session.execute(
                _this_run(job_id, attempt).values(
                    status=JobStatus.DONE,
                    filename=name,
                    finished_at=utcnow(),
                    updated_at=utcnow(),
                    done=sa.case((PrintJob.total < 1, 1), else_=PrintJob.total),
                    total=sa.case((PrintJob.total < 1, 1), else_=PrintJob.total),
                )
            ).rowcount
            if not finished:
                raise JobSuperseded()
            if output.on_done:
                output.on_done()
        stored = None
    except JobSuperseded:
        log.warning("Print job %s attempt %s was taken over; its output is dropped", job_id, attempt)
    except _Failure as failure:
        _fail(job_id, attempt, failure.reason)
    except OSError as error:
        log.exception("Print job %s could not read or write a stored file", job_id)
        _fail(job_id, attempt, disk_reason(error))
    except Exception as error:
        log.exception("Print job %s failed", job_id)
        if isinstance(error, FestivalError):
            _fail(job_id, attempt, error.code if error.code in REASONS else str(error.message))
        else:
            _fail(job_id, attempt, "too_slow" if isinstance(error, RenderTooSlow) else "render_error")
    finally:
        heartbeat.stop()
        if stored is not None:
            _drop_output(stored)
        db.session.remove()


class _Failure(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def disk_reason(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "disk_full"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "no_permission"
    if error.errno == errno.EIO:  # what the S3 store raises when it cannot be reached or refuses
        return "storage_error"
    return "disk_error"


def _fail(job_id: int, attempt: int, reason: str) -> None:
    db.session.rollback()
    with writing():
        db.session.execute(
            _this_run(job_id, attempt).values(
                status=JobStatus.FAILED, error=reason[:2000], finished_at=utcnow(), updated_at=utcnow()
            )
        )


def _drop_output(key: str) -> None:
    """Remove the output of a run that was taken over (its row names another attempt's file)."""
    try:
        storage.store("prints").delete(key)
    except OSError:
        log.exception("Could not remove the dropped print %s", key)


class _Heartbeat(threading.Thread):
    """Touches the job's heartbeat_at every PRINT_JOB_HEARTBEAT_SECONDS while the run is alive."""

    def __init__(self, app, job_id: int, attempt: int):
        super().__init__(name=f"print-heartbeat-{job_id}", daemon=True)
        self.app, self.job_id, self.attempt = app, job_id, attempt
        self.interval = app.config["PRINT_JOB_HEARTBEAT_SECONDS"]
        self.stopped = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            try:
                while not self.stopped.wait(self.interval):
                    try:
                        with writing():
                            db.session.execute(_this_run(self.job_id, self.attempt).values(heartbeat_at=utcnow()))
                    except Exception:  # a busy database now and then: the next beat tries again
                        log.exception("Heartbeat of print job %s failed", self.job_id)
            finally:
                db.session.remove()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


def fail_stale(now: datetime | None = None) -> int:
    """The watchdog: mark failed every running job whose worker has not been heard from for
    PRINT_JOB_STALE_SECONDS. Returns how many."""
    cutoff = (now or utcnow()) - stale_after()
    with writing():
        return db.session.execute(
            sa.update(PrintJob)
            .where(
                PrintJob.status == JobStatus.RUNNING,
                sa.func.coalesce(PrintJob.heartbeat_at, PrintJob.updated_at) < cutoff,
            )
            .values(status=JobStatus.FAILED, error="worker_died", finished_at=utcnow(), updated_at=utcnow())
        ).rowcount


def watch(app, stop: threading.Event, every: float | None = None) -> None:
    """Run the watchdog every few seconds until `stop` is set (a thread of the consumer)."""
    every = every or max(1.0, app.config["PRINT_JOB_STALE_SECONDS"] / 4)
    with app.app_context():
        while True:
            try:
                failed = fail_stale()
                if failed:
                    log.warning("%d print job(s) lost their worker and were marked failed", failed)
            except Exception:
                db.session.rollback()
                log.exception("The print-job watchdog failed")
            finally:
                db.session.remove()
            if stop.wait(every):
                return


def describe(job: PrintJob) -> dict:
    """What the job page shows beside the job itself."""
    now = utcnow()
    return {
        "stale": is_stale(job, now),
        "can_retry": can_retry(job, now),
        "error": error_message(job, now) if can_retry(job, now) else "",
        "seconds_left": seconds_left(job, now),
        "waiting_long": waiting_long(job, now),
    }
