"""E-mail: the outbox organizers see, bulk sends with their progress, and the wording of each message."""

from flask import Blueprint

bp = Blueprint("mail", __name__, url_prefix="/admin/mail")

from festival.mail import schedule, views  # noqa: E402,F401
