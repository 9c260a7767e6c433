"""The public home page, the language switch and /healthz."""
import logging

from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from sqlalchemy.exc import SQLAlchemyError

from festival.admin.services import get_current_festival
from festival.extensions import db
from festival.public import bp
from festival.urls import safe_next

log = logging.getLogger(__name__)


@bp.route("/")
def index():
    """The current festival: name, edition, dates, venue and programme."""
    return render_template("public/index.html", festival=get_current_festival())


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code):
    """Switch the interface language for this browser."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.form.get("next")) or url_for("public.index"))


@bp.route("/healthz")
def healthz():
    """200 with JSON when the database answers, 503 when it does not."""
    try:
        db.session.execute(db.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("Health check: database unavailable")
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")
