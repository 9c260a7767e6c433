"""Long prints in the background: a thread renders, the job row tracks progress, pages poll it."""

import logging
import secrets
import threading
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from festival.extensions import db
from festival.models import JobStatus, PrintJob, User, utcnow
from festival.transactions import on_commit

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=10)  # a running job not heard from for this long died with its worker


def jobs_dir() -> Path:
    path = Path(current_app.config["JOBS_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def create_job(kind: str, title: str, params: dict, by: User | None) -> PrintJob:
    job = PrintJob(kind=kind, title=title[:200], params=params, created_by_id=by.id if by else None)
    db.session.add(job)
    db.session.flush()
    return job


def start(job: PrintJob, work) -> None:
    """Run `work(job, progress) -> (bytes, filename)` in a background thread once the job is committed."""
    app = current_app._get_current_object()
    thread = threading.Thread(target=_run, args=(app, job.id, work), name=f"print-job-{job.id}", daemon=True)
    on_commit(thread.start)


def _run(app, job_id: int, work) -> None:
    with app.app_context():
        job = db.session.get(PrintJob, job_id)
        job.status, job.updated_at = JobStatus.RUNNING, utcnow()
        db.session.commit()

        def progress(done: int, total: int) -> None:
            # Its own small transaction, so the progress page sees it at once.
            db.session.execute(
                sa.update(PrintJob).where(PrintJob.id == job_id).values(done=done, total=total, updated_at=utcnow())
            )
            db.session.commit()

        try:
            data, filename = work(job, progress)
            name = f"{job_id}-{secrets.token_hex(8)}-{filename}"
            (jobs_dir() / name).write_bytes(data)
            job = db.session.get(PrintJob, job_id)
            job.status, job.filename, job.finished_at, job.updated_at = JobStatus.DONE, name, utcnow(), utcnow()
            job.done = job.total = max(job.total, 1)
            db.session.commit()
        except Exception as error:  # the job page shows what went wrong
            db.session.rollback()
            log.exception("Print job %s failed", job_id)
            job = db.session.get(PrintJob, job_id)
            job.status, job.error, job.finished_at = (
                JobStatus.FAILED,
                str(error)[:2000] or error.__class__.__name__,
                utcnow(),
            )
            db.session.commit()
        finally:
            db.session.remove()


def is_stale(job: PrintJob) -> bool:
    return job.status in (JobStatus.QUEUED, JobStatus.RUNNING) and utcnow() - job.updated_at > STALE_AFTER


def output_path(job: PrintJob) -> Path | None:
    return jobs_dir() / job.filename if job.filename else None
