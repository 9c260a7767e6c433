"""The public home page, the language switch and /healthz."""

import hashlib
import logging

from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from festival.admin.services import list_units
from festival.core import queue
from festival.core.extensions import db, limiter
from festival.exhibits import services as exhibit_services
from festival.judging import results as judging_results
from festival.judging.policy import policy_for
from festival.models import Exhibit, ExhibitStatus, Region
from festival.privacy import consent as consents
from festival.util.urls import record_id, safe_next
from festival.voting import tally as voting_tally
from festival.voting import views as voting_views

bp = Blueprint("public", __name__)

log = logging.getLogger(__name__)


@bp.route("/")
def index():
    """The current festival: name, edition, dates, venue and programme."""
    return render_template("public/index.html", festival=g.festival)


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code):
    """Switch the interface language for this browser."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.language = code  # their e-mail is written in it from now on
    return redirect(safe_next(request.form.get("next")) or url_for("public.index"))


# What a judge's tablet keeps to open its pages with no network (with the sheet pages themselves).
OFFLINE_SHELL = (
    "vendor/bootstrap-5.3.9/css/bootstrap.purged.min.css",
    "css/app.css",
    "vendor/bootstrap-5.3.9/js/bootstrap.alert-collapse.min.js",
    "js/offline.js",
    "js/sheet-total.js",
    "js/scoring.js",
    "js/booth-sheet.js",
    "js/presentation-timer.js",
    "fonts/be-vietnam-pro/BeVietnamPro_400Regular.woff2",
    "fonts/be-vietnam-pro/BeVietnamPro_600SemiBold.woff2",
    "fonts/be-vietnam-pro/BeVietnamPro_700Bold.woff2",
    "img/favicon.svg",
)
# Pages kept for the signed-in user, network first (see templates/service-worker.js).
OFFLINE_PAGES = (r"^/judging/$", r"^/judging/sheets/\d+$", r"^/booths/$", r"^/booths/sheets/\d+$", r"^/checkin/$")


@bp.route("/sw.js")
def service_worker():
    """The service worker, at the site's root so that it may serve the judge's pages offline."""
    assets = [url_for("static", filename=name) for name in OFFLINE_SHELL]
    offline_url = url_for("public.offline")
    version = hashlib.sha256("\n".join([*assets, offline_url, *OFFLINE_PAGES]).encode()).hexdigest()[:12]
    script = render_template(
        "service-worker.js",
        version=version,
        release=current_app.extensions.get("static_release", 0),
        assets=assets,
        offline_url=offline_url,
        kept=OFFLINE_PAGES,
    )
    response = current_app.response_class(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"  # a new worker is picked up at the next page load
    return response


@bp.route("/favicon.ico")
def favicon():
    """Browsers and bookmark tools ask for /favicon.ico whatever the page links: the icon itself."""
    return redirect(url_for("static", filename="img/favicon.svg"), 301)


@bp.route("/offline")
def offline():
    """What the service worker shows for a page this device has not kept (no user's data in it)."""
    return render_template("offline.html")


@bp.route("/healthz")
def healthz():
    """What this machine stands on, as JSON: {"status", "database", "queue", "rate_limits"}, each part "ok" or
    "unavailable".

    The database down answers 503 with status "error": nothing works, the load balancer takes the machine out.
    The queue's or the limits' Redis down answers 200 with status "degraded": pages and sign-in still work (the
    limits count in memory, a print or a message not queued says so), so the machine stays in, while a monitor
    alerts on anything but "ok".
    """
    try:
        db.session.execute(db.text("SELECT 1"))
        database = True
    except SQLAlchemyError:
        log.exception("Health check: database unavailable")
        database = False
    limits = not current_app.config.get("RATELIMIT_ENABLED", True) or limiter.storage.check()
    parts = {"database": database, "queue": queue.reachable(), "rate_limits": limits}
    for name, ok in parts.items():
        if not ok and name != "database":
            log.warning("Health check: %s unavailable", name)
    answer = {name: "ok" if ok else "unavailable" for name, ok in parts.items()}
    if not database:
        return jsonify(status="error", **answer), 503
    return jsonify(status="ok" if all(parts.values()) else "degraded", **answer)


@bp.route("/gallery")
def gallery():
    """Accepted exhibits of the current festival: search and filters, for visitors."""
    festival = g.festival
    if festival is None:
        return render_template("public/gallery.html", festival=None)
    args = request.args
    try:
        region = Region(args.get("region", ""))
    except ValueError:
        region = None
    filters = exhibit_services.ExhibitFilters(
        query=args.get("q", "")[:200],
        unit_id=args.get("unit", type=record_id),
        region=region,
        category_id=args.get("category", type=record_id),
        sort="code",
    )
    found = exhibit_services.search_exhibits(festival, filters, statuses=[ExhibitStatus.ACCEPTED])
    pagination = db.paginate(
        consents.publicly_searchable(found, filters.query).options(selectinload(Exhibit.attachments)),
        page=args.get("page", 1, type=record_id),
        per_page=24,
        error_out=False,
    )
    return render_template(
        "public/gallery.html",
        festival=festival,
        pagination=pagination,
        filters=filters,
        categories=exhibit_services.list_categories(festival),
        units=list_units(),
        regions=list(Region),
        with_photos=consents.exhibits_with_public_photos(pagination.items),
    )


@bp.route("/e/<int:exhibit_id>")
def exhibit(exhibit_id):
    """An accepted exhibit's public page (where the booth poster's QR code leads)."""
    item = db.get_or_404(Exhibit, exhibit_id)
    if not item.is_public:
        abort(404)
    return render_template(
        "public/exhibit.html",
        exhibit=item,
        authors=consents.public_authors(item),
        images=item.images if consents.shows_photos(item) else [],
        vote=voting_views.vote_box(item),
    )


@bp.route("/results")
def results():
    """The festival's final awards per category (once the organizers have finalised them)."""
    festival = g.festival
    final = festival is not None and policy_for(festival).is_final
    return render_template(
        "public/results.html",
        festival=festival,
        final=final,
        awards=judging_results.public_awards(festival) if final else [],
        visitor_awards=voting_tally.awarded(festival) if festival is not None else [],
    )
