"""Judging: rubrics, panels and assignment, tablet scoring, calibrated results and awards."""

from flask import Blueprint

bp = Blueprint("judging", __name__, url_prefix="/judging")

from festival.judging import views  # noqa: E402,F401
