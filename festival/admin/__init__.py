"""The organizers' console: festival settings, member units, accounts and the audit log."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from festival.admin import views  # noqa: E402,F401
