"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`, and `huey_consumer wsgi.huey` (the task
queue's worker: importing the app registers every task, the e-mail ones included)."""

from festival import create_app
from festival.queue import huey  # noqa: F401

app = create_app()
