"""Exhibit registration by units, review by organizers, import/export, posters and statistics."""

from flask import Blueprint

bp = Blueprint("exhibits", __name__, url_prefix="/exhibits")

from festival.exhibits import views  # noqa: E402,F401
