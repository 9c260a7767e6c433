"""Check-in at the gates: the scanner page, badge links, search, and the live dashboard."""

from flask import Blueprint

bp = Blueprint("checkin", __name__)

from festival.checkin import views  # noqa: E402,F401
