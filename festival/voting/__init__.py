"""The visitors' choice vote (Giải do khán giả bình chọn): phones linked to badges, booth ballots, the kiosk,
paper ballots, the tally and the prize."""

from flask import Blueprint

bp = Blueprint("voting", __name__)

from festival.voting import views  # noqa: E402,F401
