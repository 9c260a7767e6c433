"""E-mail: the outbox organizers see, bulk sends with their progress, and the wording of each message."""

from flask import Blueprint

bp = Blueprint("mail", __name__, url_prefix="/admin/mail")

# notify connects mail's receivers to the features' signals (festival.core.events): create_app imports this
# package to register the blueprint, so they listen in the web app, the CLI, the worker and the tests alike.
from festival.mail import notify, schedule, views  # noqa: E402,F401
