"""The task queue: prints and e-mail run in Huey's consumer, never inside a web request.

Huey registers tasks on one instance at import time, so the instance is built from the environment
(as config.py is): a SQLite file in instance/ by default, so `make run` needs no server, or Redis
when QUEUE_URL is a redis:// address, for an organizer running several machines. QUEUE_URL=immediate
runs each task at once in the caller (the test suite).

The consumer is `flask festival worker` (festival/cli.py, run by `make run`'s Procfile): Huey's
consumer with thread workers in one process, the app built once, the PDF workers kept warm
between prints and the print-job watchdog beside them (see run_consumer).
"""

import functools
import os

from flask import current_app, has_app_context
from huey import RedisHuey, SqliteHuey

from config import INSTANCE_DIR
from festival.files import private_dir, private_sqlite_file


def _create_huey():
    url = os.environ.get("QUEUE_URL", "")
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("festival", url=url)
    if url == "immediate":
        return SqliteHuey("festival", immediate=True)
    path = url.removeprefix("sqlite:///") or str(INSTANCE_DIR / "queue.db")
    if not url:
        private_dir(INSTANCE_DIR)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    # Tasks wait here with their arguments (ids and addresses, never a link), and the results stay a
    # while: the file and its -wal/-shm are the owner's only, whoever made them before.
    private_sqlite_file(path)
    return SqliteHuey("festival", filename=path)


huey = _create_huey()
_consumer_app = None


def _app():
    """The Flask app a task runs in: the caller's in immediate mode, else one built per consumer process."""
    global _consumer_app
    if has_app_context():
        return current_app._get_current_object()
    if _consumer_app is None:
        from festival import create_app

        _consumer_app = create_app()
    return _consumer_app


def use_app(app) -> None:
    """Run every task of this process in `app` (the consumer's own, built once)."""
    global _consumer_app
    _consumer_app = app


def run_consumer(app, workers: int = 4) -> None:
    """Consume the queue until stopped (SIGTERM/SIGINT): `workers` threads share one process, so
    its PDF worker processes stay warm for every print; the watchdog fails print jobs whose worker
    died. Blocks; call from the main thread."""
    import threading

    from festival import jobs, pdf

    use_app(app)
    pdf.keep_workers_warm()
    stop = threading.Event()
    watchdog = threading.Thread(target=jobs.watch, args=(app, stop), name="print-job-watchdog", daemon=True)
    watchdog.start()
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True, max_delay=1.0)
    try:
        consumer.run()
    finally:
        stop.set()
        pdf.close_warm_workers()


def task(**options):
    """A Huey task whose body runs in its own Flask app context (and so its own database session)."""

    def decorate(function):
        @huey.task(name=f"{function.__module__}.{function.__qualname__}", **options)
        @functools.wraps(function)
        def run(*args, **kwargs):
            with _app().app_context():
                return function(*args, **kwargs)

        return run

    return decorate
