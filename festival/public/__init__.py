"""Public pages: the festival's home page, the language switch and the health check."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from festival.public import views  # noqa: E402,F401
