"""The task queue's consumer process (`flask festival worker`, run by `make run`'s Procfile).

Huey's consumer with thread workers in one process and the app built once, so the PDF worker
processes stay warm between prints; the print-job watchdog runs beside it and fails print jobs
whose worker died.
"""

import os
import threading

from festival.core import jobs
from festival.core.queue import huey, use_app
from festival.util import pdf


def run(app, workers: int = 4) -> None:
    """Consume the queue until stopped (SIGTERM/SIGINT); blocks, call from the main thread. Runs below the web's
    CPU priority (WORKER_NICENESS), and so do the PDF processes it starts (they inherit it)."""
    os.nice(app.config["WORKER_NICENESS"])
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
