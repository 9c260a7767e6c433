"""Who may do what: the role guard for views and small predicates shared with templates."""

from collections.abc import Callable
from functools import cache, wraps

import sqlalchemy as sa
from flask import abort, g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from festival.auth.services import SESSION_ROLE, session_role_params
from festival.core import board_versions
from festival.core.extensions import db, login_manager
from festival.core.festivals import current_festival_id, finds_own_festival, get_current_festival
from festival.models import UNIT_EDITABLE, ExhibitStatus, Role, utcnow
from festival.util import boards


def role_required(*roles: Role):
    """Let only signed-in users with one of `roles` through; others get sign-in or 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def board_poll(board: str, *roles: Role, keyed_by: Callable[[], tuple | None] = tuple):
    """For the endpoint a live board polls (festival/util/boards.py), above role_required: while the board the
    caller shows is current, answer 304 from one statement that reads the current festival, the board's version
    and the role of the caller's signed-in session, with no user, festival or board loaded. Anything else (no
    stamp, a stale one, no session in the cookie, a role not in `roles`, `keyed_by` saying None) goes through
    the whole request, which signs the caller in, refuses or answers, as before.

    `keyed_by` gives what else the board's stamp is made of from the request (the control room's round)."""

    def decorator(view):
        @finds_own_festival
        @wraps(view)
        def wrapped(*args, **kwargs):
            unchanged = _unchanged_board(board, roles, keyed_by())
            if unchanged is not None:
                return unchanged
            g.festival = get_current_festival()
            return view(*args, **kwargs)

        return wrapped

    return decorator


@cache
def _poll_statement(board: str) -> sa.Select:
    # Built once per board: a poll only binds its values (the statement's compiled form is cached by SQLAlchemy).
    return sa.select(current_festival_id(), SESSION_ROLE, board_versions.version_of(board))


def _unchanged_board(board: str, roles: tuple[Role, ...], extra: tuple | None):
    session_id = session.get("_user_id")
    if extra is None or not request.if_none_match or not isinstance(session_id, str):
        return None
    now = utcnow()
    params = session_role_params(session_id, now)
    if params is None:
        return None
    festival_id, role, version = db.session.execute(_poll_statement(board), params).one()
    if festival_id is None or role not in roles:
        return None
    return boards.not_modified(boards.versioned_stamp(festival_id, version, now, *extra))


def is_organizer(user) -> bool:
    return user.is_authenticated and user.role is Role.ORGANIZER


def home_endpoint(user) -> str:
    """The page each role lands on after signing in."""
    if user.role is Role.ORGANIZER:
        return "admin.index"
    if user.role is Role.UNIT:
        return "exhibits.mine"
    if user.role is Role.JUDGE:
        return "judging.home"
    if user.role is Role.SUPPORT:
        return "initiatives.register"
    return "checkin.scanner"


def navigation(user) -> list[tuple[str, str]]:
    """(endpoint, label) of the main menu for this visitor."""
    public = [("public.gallery", _l("Triển lãm")), ("public.results", _l("Kết quả"))]
    if not user.is_authenticated:
        # The programme's recognised initiatives that units publish are for the public too.
        return [("public.index", _l("Trang chủ"))] + public + [("initiatives.public", _l("Sáng kiến được công nhận"))]
    if user.role is Role.ORGANIZER:
        # Units, accounts and the audit log are reached from the console's home page.
        return [
            ("admin.index", _l("Bảng điều khiển")),
            ("exhibits.index", _l("Sáng kiến")),
            ("judging.progress", _l("Chấm giải")),
            ("badges.index", _l("Người tham dự")),
            ("certificates.index", _l("Giấy chứng nhận")),
            ("voting.tally_page", _l("Bình chọn")),
            ("exhibits.statistics", _l("Thống kê")),
            ("initiatives.register", _l("Sổ sáng kiến")),
            ("tallies.index", _l("Chỉ tiêu, kết quả")),
        ]
    if user.role is Role.UNIT:
        return [
            ("exhibits.mine", _l("Sáng kiến của đơn vị")),
            ("badges.mine", _l("Đại biểu")),
            ("initiatives.register", _l("Sổ sáng kiến")),
            ("tallies.index", _l("Chỉ tiêu, kết quả")),
        ] + public
    if user.role is Role.SUPPORT:
        return [("initiatives.register", _l("Sổ sáng kiến")), ("tallies.index", _l("Chỉ tiêu, kết quả"))] + public
    if user.role is Role.JUDGE:
        return [("judging.home", _l("Chấm điểm")), ("booths.home", _l("Chấm gian hàng"))] + public
    return [
        ("checkin.scanner", _l("Quét thẻ")),
        ("checkin.dashboard", _l("Thống kê đón tiếp")),
        ("voting.kiosk", _l("Máy bình chọn")),
    ]


def can_view_exhibit(user, exhibit) -> bool:
    """Organizers see every exhibit, a unit its own, judges and the public accepted ones."""
    if user.is_authenticated and user.role is Role.ORGANIZER:
        return True
    if user.is_authenticated and user.role is Role.UNIT and user.unit_id == exhibit.unit_id:
        return True
    return exhibit.is_public


def is_own_unit_exhibit(user, exhibit) -> bool:
    return user.is_authenticated and user.role is Role.UNIT and user.unit_id == exhibit.unit_id


def exhibit_edit_refusal(user, exhibit):
    """Why `user` may not change `exhibit`'s content and files, or None when they may: organizers unless it is
    withdrawn, its own unit while it is a draft, submitted or returned. The one rule behind the edit button and
    the exhibit services (which also check, for a unit, that registration is open)."""
    if is_organizer(user):
        return _l("Sáng kiến đã rút không sửa được.") if exhibit.status is ExhibitStatus.WITHDRAWN else None
    if not is_own_unit_exhibit(user, exhibit):
        return _l("Bạn không được sửa sáng kiến này.")
    if exhibit.status not in UNIT_EDITABLE:
        return _l("Sáng kiến ở trạng thái “%(status)s” không sửa được.", status=exhibit.status.label)
    return None


def can_edit_exhibit(user, exhibit) -> bool:
    """Whether the edit button shows (the registration window is checked on save)."""
    return exhibit_edit_refusal(user, exhibit) is None
