"""Sign-in, sign-out, invitations and passwords."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from festival.auth import views  # noqa: E402,F401
