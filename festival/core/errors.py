"""Festival's own errors and the friendly error pages (HTML or JSON) for everything that fails."""

import logging
import sqlite3
from functools import wraps

from flask import current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from festival.core.extensions import db
from festival.util.urls import loggable_path

log = logging.getLogger(__name__)


class FestivalError(Exception):
    """A festival rule was broken; the message is shown to the person who tried."""

    status_code = 400
    code: str | None = None  # a JSON answer's machine-readable `code` (else the status)

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class NotAllowed(FestivalError):
    """The action is understood but not allowed for this person or at this time."""

    status_code = 403


class Unavailable(FestivalError):
    """A part the request needs (the file store) does not answer now; nothing is lost, try again later."""

    status_code = 503


class StaleSave(FestivalError):
    """A save based on an older state of the record than the one stored."""

    status_code = 409


ERROR_TITLES = {
    400: _l("Yêu cầu không hợp lệ"),
    401: _l("Cần đăng nhập"),
    403: _l("Không có quyền truy cập"),
    404: _l("Không tìm thấy trang"),
    405: _l("Thao tác không được hỗ trợ"),
    409: _l("Dữ liệu đã thay đổi"),
    413: _l("Tệp hoặc dữ liệu gửi lên quá lớn"),
    429: _l("Quá nhiều yêu cầu"),
    500: _l("Đã có lỗi xảy ra"),
    503: _l("Dịch vụ tạm thời không sẵn sàng"),
}

ERROR_HINTS = {
    401: _l("Hãy đăng nhập để tiếp tục."),
    400: _l("Trang đã cũ hoặc dữ liệu gửi lên không đúng. Hãy tải lại trang và thử lại."),
    403: _l("Tài khoản của bạn không được phép xem hoặc thay đổi nội dung này."),
    404: _l("Địa chỉ không tồn tại hoặc nội dung đã bị xoá."),
    405: _l("Địa chỉ này không nhận thao tác đó."),
    409: _l("Dữ liệu đã được người khác thay đổi. Hãy tải lại trang."),
    413: _l("Mỗi tệp đính kèm tối đa 10 MB. Hãy chọn tệp nhỏ hơn và gửi lại."),
    429: _l("Hãy đợi một lát rồi thử lại."),
    500: _l("Ban tổ chức đã được ghi nhận lỗi. Hãy thử lại sau ít phút."),
    503: _l("Hãy thử lại sau ít phút."),
}


def wants_json() -> bool:
    """Whether the client asked for JSON (the judges' autosave and the scanner do)."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.is_json or best == "application/json"


def error_response(status: int, message=None, code: str | None = None):
    """Render the error page (or JSON body, with a machine-readable `code`) for an HTTP status."""
    title = ERROR_TITLES.get(status, ERROR_TITLES[500])
    hint = message or ERROR_HINTS.get(status, ERROR_HINTS[500])
    if wants_json():
        return jsonify(error=str(title), message=str(hint), code=code or str(status)), status
    return render_template("errors/error.html", status=status, title=title, hint=hint), status


def refusals_return_to(endpoint: str, anchor: str | None = None):
    """Decorate a form-posting view: a refusal is flashed on `endpoint`'s page (built from the
    view's own URL arguments, which may also fill `anchor`, e.g. "exhibit-{exhibit_id}") instead
    of an error page."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            g.refusal_endpoint = (endpoint, anchor)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _refusal_target() -> str | None:
    """Where a refused form post goes back to, or None when the view did not say."""
    if "refusal_endpoint" not in g:
        return None
    endpoint, anchor = g.refusal_endpoint
    arguments = next(current_app.url_map.iter_rules(endpoint)).arguments
    view_args = request.view_args or {}
    values = {name: value for name, value in view_args.items() if name in arguments}
    return url_for(endpoint, **values, _anchor=anchor.format(**view_args) if anchor else None)


def register_error_handlers(app):
    """Every error rolls back the session first, so a failure writes nothing."""

    @app.errorhandler(FestivalError)
    def festival_error(error):
        db.session.rollback()
        target = None if wants_json() else _refusal_target()
        if target is None:
            return error_response(error.status_code, error.message, code=error.code)
        # A form posted from a page: back to that page, the refusal shown until dismissed.
        flash(error.message, "danger")
        return redirect(target)

    @app.errorhandler(HTTPException)
    def http_error(error):
        db.session.rollback()
        if error.code == 400 and isinstance(error, CSRFError):
            # The autosave script recognises this code and fetches a fresh token.
            return error_response(
                400, _l("Phiên làm việc của biểu mẫu đã hết hạn. Hãy tải lại trang và gửi lại."), code="csrf"
            )
        return error_response(error.code or 500)

    @app.errorhandler(sqlite3.OperationalError)
    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        # The database did not answer in time (SQLite's write lock, or the writers' queue before it, still taken
        # after the busy timeout; PostgreSQL gone): nothing was stored, and trying again later is the right advice
        # (the tablet's outbox and the gate's queue do).
        db.session.rollback()
        log.exception("Database unavailable on %s %s", request.method, loggable_path())
        return error_response(503)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        db.session.rollback()
        log.exception("Unhandled error on %s %s", request.method, loggable_path())
        return error_response(500)
