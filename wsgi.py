"""WSGI entry point: `gunicorn wsgi:app` and `flask --app wsgi …` (`flask --app wsgi festival worker` runs the
task queue's consumer)."""

from festival.app import create_app

app = create_app()
