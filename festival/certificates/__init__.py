"""Certificates: wording templates with a live preview, issuing, printing, revoking and correcting."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)

from festival.certificates import views  # noqa: E402,F401
