"""Attendees and their QR-coded badges: roles, registration, import/export, automatic attendees, printing."""

from flask import Blueprint

bp = Blueprint("badges", __name__, url_prefix="/attendees")

from festival.badges import views  # noqa: E402,F401
