"""The application factory: configuration, extensions, every feature's blueprint and commands.

The top of the house: it imports every feature and nothing imports it but the entry points (wsgi.py,
the tests, bench/). It lives apart from the package's __init__ so that a process that needs one low
module (the PDF renderer's workers import `festival.util.pdf`) does not load the whole app.
"""

import logging
import os
import time
import uuid
from collections import Counter
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from config import config_for_environment
from festival import cli
from festival.admin import views as admin_views
from festival.auth import permissions
from festival.auth import views as auth_views
from festival.badges import cli as badges_cli
from festival.badges import views as badges_views
from festival.booths import views as booths_views
from festival.certificates import cli as certificates_cli
from festival.certificates import views as certificates_views
from festival.checkin import views as checkin_views
from festival.core import files, static_files, storage, transactions
from festival.core.errors import register_error_handlers
from festival.core.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
from festival.core.festivals import load_current_festival
from festival.exhibits import cli as exhibits_cli
from festival.exhibits import views as exhibits_views
from festival.initiatives import cli as initiatives_cli
from festival.initiatives import views as initiatives_views
from festival.intake import views as intake_views
from festival.judging import cli as judging_cli
from festival.judging import views as judging_views
from festival.mail import cli as mail_cli

# notify connects mail's receivers to the features' signals (festival.core.events) and schedule its periodic
# tasks, on import: the web app, the CLI, the worker and the tests all build the app here, so all of them listen.
from festival.mail import notify, schedule  # noqa: F401
from festival.mail import views as mail_views
from festival.privacy import cli as privacy_cli
from festival.privacy import schedule as privacy_schedule  # noqa: F401  (its daily purge, on import)
from festival.privacy import views as privacy_views
from festival.public import views as public_views
from festival.tallies import views as tallies_views
from festival.util.addresses import base_url_from_environment
from festival.util.formatting import register_template_filters
from festival.util.urls import IdConverter, SecretsInLogs, loggable_path, page_url
from festival.voting import views as voting_views

REQUEST_ID_HEADER = "X-Request-ID"


def content_security_policy(image_origin: str | None = None) -> str:
    """The policy every answer carries; `image_origin` is the file store's, when public files are sent there."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: blob:{f' {image_origin}' if image_origin else ''}",
            "media-src 'self' blob:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def create_app(config_class=None):
    """Build the app: configuration, extensions, blueprints, error pages, commands."""
    # First: nothing the app writes (outbox, uploads, prints, the secret key) is for other users of the
    # machine (the queue's SQLite file, made as this module's imports ran, sees to itself).
    files.keep_files_private()
    config_class = config_class or config_for_environment()
    app = Flask("festival", template_folder="../templates", static_folder="../static", instance_relative_config=True)
    app.config.from_object(config_class)
    if not app.config.get("PUBLIC_BASE_URL"):
        app.config["PUBLIC_BASE_URL"] = base_url_from_environment(os.environ)
    app.json.ensure_ascii = False  # Vietnamese stays readable in JSON answers and the audit view
    if app.config.get("SESSION_COOKIE_SECURE") and not is_strong_secret(app.config["SECRET_KEY"]):
        raise RuntimeError(
            "FESTIVAL_ENV=production needs SECRET_KEY set to a long random value (32 bytes or more, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = files.instance_secret_key(app.config["SECRET_KEY_FILE"])
    if os.path.isdir(app.instance_path):
        files.private_dir(app.instance_path)  # made 0755 by an older `make run`: the owner's only now
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    _configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    _redact_logs(app)
    register_request_hooks(app)
    transactions.init_app(app)
    register_error_handlers(app)
    register_cli(app)
    return app


def is_strong_secret(key) -> bool:
    """A key that signs cookies in production: at least 32 bytes, and varied enough to be random (at
    least 16 different characters, none of them over a quarter)."""
    text = key.decode("latin-1") if isinstance(key, bytes) else str(key or "")
    if len(text.encode()) < 32:
        return False
    counts = Counter(text)
    return len(counts) >= 16 and max(counts.values()) <= len(text) / 4


def register_extensions(app):
    db.init_app(app)
    migrate.init_app(app, db, directory=str(_project_path("migrations")))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    static_files.init_app(app)
    storage.init_app(app)
    register_template_filters(app)
    app.jinja_env.globals.update(permissions=permissions, get_locale=get_locale, page_url=page_url)


def register_blueprints(app):
    app.url_map.converters["int"] = IdConverter  # before any route is added

    app.register_blueprint(public_views.bp)
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(exhibits_views.bp)
    app.register_blueprint(judging_views.bp)
    app.register_blueprint(booths_views.bp)
    app.register_blueprint(badges_views.bp)
    app.register_blueprint(checkin_views.bp)
    app.register_blueprint(certificates_views.bp)
    app.register_blueprint(voting_views.bp)
    app.register_blueprint(mail_views.bp)
    app.register_blueprint(privacy_views.bp)
    app.register_blueprint(initiatives_views.bp)
    app.register_blueprint(tallies_views.bp)
    app.register_blueprint(intake_views.bp)


def register_cli(app):
    cli.init_app(app)
    exhibits_cli.init_app(app)
    judging_cli.init_app(app)
    badges_cli.init_app(app)
    certificates_cli.init_app(app)
    mail_cli.init_app(app)
    privacy_cli.init_app(app)
    initiatives_cli.init_app(app)


def register_request_hooks(app):
    @app.before_request
    def start_request():
        g.request_started = time.perf_counter()
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming[:64] if incoming.isprintable() and incoming else uuid.uuid4().hex[:12]

    app.before_request(load_current_festival)

    policy = content_security_policy(storage.public_origin(app))

    @app.after_request
    def finish_request(response):
        response.headers[REQUEST_ID_HEADER] = g.get("request_id", "-")
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if "request_started" in g:
            elapsed_ms = (time.perf_counter() - g.request_started) * 1000
            logging.getLogger("festival.request").info(
                "%s %s %s %.0fms", request.method, loggable_path(), response.status_code, elapsed_ms
            )
        return response


def _select_locale():
    lang = session.get("lang") if has_request_context() else None
    return lang if lang in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def _configure_logging(app):
    """Log to stderr, each line tagged with the request id the response also carries."""
    logger = logging.getLogger("festival")
    if not any(getattr(h, "_festival", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler._festival = True
        handler.addFilter(_RequestIdFilter())
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.WARNING if app.testing else logging.INFO)


def _redact_logs(app):
    """Invitation and badge links must not end up in a log file, whoever writes the line: our
    handler (every festival.* logger), the development server's and gunicorn's access lines."""
    secrets_filter = SecretsInLogs(app.url_map)
    festival_handlers = [h for h in logging.getLogger("festival").handlers if getattr(h, "_festival", False)]
    targets = [*festival_handlers, logging.getLogger("werkzeug"), logging.getLogger("gunicorn.access")]
    for target in targets:
        for old in [f for f in target.filters if isinstance(f, SecretsInLogs)]:
            target.removeFilter(old)
        target.addFilter(secrets_filter)


def _project_path(name):
    return Path(__file__).resolve().parent.parent / name
