"""Accounts: sign-in with throttling, signed-in sessions, invitations, passwords."""

import functools
import hashlib
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from werkzeug.security import check_password_hash, generate_password_hash

from festival.core import audit
from festival.core.errors import FestivalError
from festival.core.extensions import db, take_write_lock
from festival.models import Role, SignInFailures, Unit, User, UserSession, utcnow
from festival.util.formatting import fold
from festival.util.urls import MAX_ID

MIN_PASSWORD_LENGTH = 8
# Words anyone guessing at this festival tries first (ASVS 6.1.2), compared without diacritics,
# case, separators or trailing digits: "Vinatex@2026" and "LaoDongSangTao1" are refused.
CONTEXT_WORDS = frozenset(
    {
        "vinatex", "detmay", "detmayvietnam", "congdoan", "congdoandetmay", "laodongsangtao",
        "ngayhoilaodongsangtao", "ngayhoi", "sangkien", "festival", "matkhau", "password", "admin",
        "quantri", "bantochuc", "giamkhao", "vietnam", "hanoi", "saigon", "danang", "hue",
    }
)  # fmt: skip


@functools.cache
def _dummy_hash() -> str:
    """Checked when the e-mail is unknown so that a wrong address takes as long as a wrong password (made on
    first use: hashing costs a sixth of a second, too much for every start of the app)."""
    return generate_password_hash("not-a-real-password")


class SignInRefused(FestivalError):
    """Wrong credentials, or a disabled account."""


class SignInDelayed(SignInRefused):
    """Too many wrong passwords for this address: this browser must wait."""


class WrongPassword(FestivalError):
    """The current password given with a change is not the user's."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(db.select(User).where(User.email == normalise_email(email))).scalar_one_or_none()


def sign_in(email: str, password: str, now: datetime, trusted_user_id: int | None = None) -> User:
    """Check a sign-in attempt; the caller commits either way (failures are kept).

    Wrong passwords are counted per e-mail address, whether an account has it or not, in one
    atomic statement. From the SIGN_IN_FREE_FAILURES-th on, a browser that has not signed in to
    this account before waits before its next try — 1, 2, 4, 8, then 15 minutes at most — while a
    browser holding the account's device cookie (`trusted_user_id`, set at every successful
    sign-in) is never delayed: someone guessing from elsewhere cannot lock the owner out. Every
    refusal checks a password hash, so an unknown address takes as long and reads the same.

    :raise SignInDelayed: this browser must wait before trying this address again.
    :raise SignInRefused: wrong e-mail or password, or a disabled account.
    """
    key = normalise_email(email)[:254]
    user = find_user_by_email(key)
    trusted = user is not None and trusted_user_id == user.id
    record = db.session.get(SignInFailures, key)
    if _delayed(record, trusted, now):
        check_password_hash(_dummy_hash(), password)
        raise SignInDelayed(_delay_message(record.delayed_until - now))
    has_password = user is not None and user.password_hash is not None
    # The hash (about 0.1 s of scrypt) is checked before SQLite's write lock is taken (the sign-in view is
    # `writes_late`): a crowd of staff signing in at the gates' opening must not hold every scan and save.
    matches = check_password_hash(user.password_hash if has_password else _dummy_hash(), password)
    take_write_lock()
    # Read again under the lock, so that guesses sent at once cannot all pass one look at the delay; this
    # request has checked a hash already, so a refusal here takes as long as any other.
    record = db.session.get(SignInFailures, key, populate_existing=True)
    if _delayed(record, trusted, now):
        raise SignInDelayed(_delay_message(record.delayed_until - now))
    if not matches or not has_password:
        failures = _count_failure(key, now)
        if failures == current_app.config["SIGN_IN_FREE_FAILURES"] and user is not None:
            audit.record("auth.delayed", user, by=None, after={"failures": failures})
        raise SignInRefused(_l("E-mail hoặc mật khẩu không đúng."))
    if not user.is_active:
        raise SignInRefused(_l("Tài khoản này đã bị ban tổ chức tạm khoá."))
    db.session.execute(sa.delete(SignInFailures).where(SignInFailures.account_key == key))
    user.last_login_at = now
    return user


def _delayed(record: SignInFailures | None, trusted: bool, now: datetime) -> bool:
    """Whether this browser (not the account's own) must still wait before trying this address again."""
    return record is not None and not trusted and record.delayed_until is not None and record.delayed_until > now


def sign_in_delay(failures: int) -> timedelta | None:
    """How long an untrusted browser waits after the n-th wrong password in a row (None: not at all)."""
    free = current_app.config["SIGN_IN_FREE_FAILURES"]
    if failures < free:
        return None
    return min(
        timedelta(minutes=2 ** (failures - free)), timedelta(minutes=current_app.config["SIGN_IN_MAX_DELAY_MINUTES"])
    )


def _count_failure(key: str, now: datetime) -> int:
    """Count one wrong password for `key` (a new run after a quiet day) and set its delay."""
    table = SignInFailures.__table__
    insert = (pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert)(table)
    quiet = table.c.last_failed_at < now - timedelta(hours=current_app.config["SIGN_IN_FAILURES_RESET_HOURS"])
    failures = db.session.execute(
        insert.values(account_key=key, failures=1, last_failed_at=now)
        .on_conflict_do_update(
            index_elements=[table.c.account_key],
            set_={"failures": sa.case((quiet, 1), else_=table.c.failures + 1), "last_failed_at": now},
        )
        .returning(table.c.failures)
    ).scalar_one()
    delay = sign_in_delay(failures)
    db.session.execute(
        sa.update(table).where(table.c.account_key == key).values(delayed_until=now + delay if delay else None)
    )
    return failures


def clear_sign_in_failures(user: User, by: User) -> None:
    """An organizer lets the account's owner try again from any browser at once (audited)."""
    db.session.execute(sa.delete(SignInFailures).where(SignInFailures.account_key == user.email))
    audit.record("auth.unlocked", user, by=by)


def sign_in_failures(user: User) -> SignInFailures | None:
    return db.session.get(SignInFailures, user.email)


def _delay_message(left: timedelta) -> str:
    minutes = max(1, int(left.total_seconds() // 60) + (1 if left.total_seconds() % 60 else 0))
    return ngettext(
        "Đã nhập sai nhiều lần. Hãy thử lại sau %(num)d phút, hoặc đăng nhập từ thiết bị bạn vẫn dùng.",
        "Đã nhập sai nhiều lần. Hãy thử lại sau %(num)d phút, hoặc đăng nhập từ thiết bị bạn vẫn dùng.",
        minutes,
    )


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new password is too weak, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("Mật khẩu cần ít nhất %(n)d ký tự.", n=MIN_PASSWORD_LENGTH)
    if len(password) > 200:
        return _l("Mật khẩu quá dài.")
    if password.strip() == "" or len(set(password)) < 4:
        return _l("Mật khẩu quá đơn giản.")
    if email and password.lower() == email.lower():
        return _l("Mật khẩu không được trùng với e-mail.")
    if password.lower() in _common_passwords() or _bare(password) in CONTEXT_WORDS | {_bare(email.split("@")[0])}:
        return _l("Mật khẩu này quá phổ biến, dễ bị đoán. Hãy chọn mật khẩu khác (một câu ngắn dễ nhớ là tốt).")
    return None


@functools.cache
def _common_passwords() -> frozenset[str]:
    """The most used passwords long enough to pass the length rule (ASVS 6.2.4 asks for the top
    3,000; zxcvbn's list, from leaked password sets, gives about 11,600 of 8 characters or more)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word for word in FREQUENCY_LISTS["passwords"] if len(word) >= MIN_PASSWORD_LENGTH)


def _bare(text: str) -> str:
    """Letters and digits only, without diacritics, case or trailing digits."""
    return re.sub(r"\d+$", "", re.sub(r"[^a-z0-9]", "", fold(text)))


def set_password(user: User, password: str) -> None:
    """Store a new password and sign the user out of every other session.

    :raise FestivalError: the password is too weak.
    """
    problem = password_problem(password, user.email)
    if problem:
        raise FestivalError(problem)
    user.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
    end_all_sessions(user)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_invitation_token(user: User, now: datetime) -> str:
    """Make a new one-time invitation token for `user` (an older one stops working); only its hash is kept.

    Called where the link is handed over: the organizer's invitation page, or the worker sending the
    invitation message (so the link exists only in that message).
    """
    token = secrets.token_urlsafe(32)
    user.invitation_hash = _hash_token(token)
    user.invitation_expires_at = now + timedelta(days=current_app.config["INVITATION_DAYS"])
    return token


def issue_invitation(user: User, now: datetime, by: User | None) -> str:
    """Make a new one-time invitation token for `user` to show to `by` (audited; an older one stops working)."""
    token = new_invitation_token(user, now)
    audit.record("user.invited", user, by=by, after={"expires_at": user.invitation_expires_at})
    return token


def record_invitation_mailed(user: User, by: User | None) -> None:
    """Audit that `by` had `user` mailed an invitation (its link is made when the message is sent)."""
    audit.record("user.invited", user, by=by, after={"sent": "e-mail"})


def find_invitation(token: str, now: datetime) -> User:
    """The user a valid invitation token belongs to.

    :raise FestivalError: the link is unknown, used or expired.
    """
    user = db.session.execute(db.select(User).where(User.invitation_hash == _hash_token(token))).scalar_one_or_none()
    if user is None:
        raise FestivalError(_l("Liên kết mời không hợp lệ hoặc đã được dùng. Hãy xin ban tổ chức liên kết mới."))
    if user.invitation_expires_at is None or user.invitation_expires_at <= now:
        raise FestivalError(_l("Liên kết mời đã hết hạn. Hãy xin ban tổ chức liên kết mới."))
    return user


def accept_invitation(user: User, password: str, now: datetime) -> None:
    """Set the invitee's password and use up the invitation.

    :raise FestivalError: the password is too weak.
    """
    set_password(user, password)
    user.invitation_hash = None
    user.invitation_expires_at = None
    user.last_login_at = now
    audit.record("user.invitation_accepted", user, by=user)


def record_password_reset_request(user: User, client: str) -> None:
    """Audit a "Quên mật khẩu" request for `user` with the client address that asked (never the link)."""
    audit.record("user.password_reset_requested", user, by=None, after={"client": client[:64]})


def new_password_reset_token(user: User, now: datetime) -> str:
    """Make a new single-use reset token for `user` (an older one stops working); only its hash is kept.

    Called by the worker as it sends the reset message, so the link exists only in that message and
    its PASSWORD_RESET_MINUTES count from then.
    """
    token = secrets.token_urlsafe(32)
    user.reset_hash = _hash_token(token)
    user.reset_expires_at = now + timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"])
    return token


def find_password_reset(token: str, now: datetime) -> User:
    """The user a valid reset token belongs to.

    :raise FestivalError: the link is unknown, already used, replaced by a newer one, or expired.
    """
    user = db.session.execute(db.select(User).where(User.reset_hash == _hash_token(token))).scalar_one_or_none()
    if user is None or not user.is_active:
        raise FestivalError(_l("Liên kết đặt lại mật khẩu không hợp lệ hoặc đã được dùng. Hãy yêu cầu liên kết mới."))
    if user.reset_expires_at is None or user.reset_expires_at <= now:
        raise FestivalError(_l("Liên kết đặt lại mật khẩu đã hết hạn. Hãy yêu cầu liên kết mới."))
    return user


def complete_password_reset(user: User, password: str, now: datetime) -> None:
    """Set the new password and use up the link; every signed-in browser is signed out.

    :raise FestivalError: the password is too weak.
    """
    set_password(user, password)
    user.reset_hash = None
    user.reset_expires_at = None
    # An invitation not yet used is no longer needed: the account has a password now.
    user.invitation_hash = None
    user.invitation_expires_at = None
    user.last_login_at = now
    db.session.execute(sa.delete(SignInFailures).where(SignInFailures.account_key == user.email))
    audit.record("user.password_reset", user, by=user)


def change_password(user: User, current: str, new: str) -> None:
    """Change a signed-in user's password after checking the current one.

    :raise WrongPassword: the current password is wrong.
    :raise FestivalError: the new password is too weak.
    """
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise WrongPassword(_l("Mật khẩu hiện tại không đúng."))
    set_password(user, new)
    audit.record("user.password_changed", user, by=user)


def _check_role_and_unit(role: Role, unit: Unit | None) -> None:
    if role in (Role.UNIT, Role.SUPPORT) and unit is None:
        raise FestivalError(_l("Tài khoản đơn vị và tổ hỗ trợ sáng kiến phải thuộc một đơn vị."))
    if role in (Role.ORGANIZER, Role.CHECKIN) and unit is not None:
        raise FestivalError(_l("Tài khoản ban tổ chức và đón tiếp không thuộc đơn vị nào."))


def create_account(
    email: str, full_name: str, role: Role, unit: Unit | None, now: datetime, by: User | None
) -> tuple[User, str]:
    """Create an account without a password and return it with its invitation token.

    :raise FestivalError: the e-mail is taken or the role and unit do not fit.
    """
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise FestivalError(_l("E-mail %(email)s đã có tài khoản.", email=email))
    _check_role_and_unit(role, unit)
    user = User(email=email, full_name=full_name.strip(), role=role, unit=unit)
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", user, by=by, after=_account_fields(user))
    token = issue_invitation(user, now, by)
    return user, token


def update_account(user: User, *, full_name: str, role: Role, unit: Unit | None, is_active: bool, by: User) -> None:
    """Change an account's name, role, unit or active flag (audited).

    :raise FestivalError: the role and unit do not fit, or an organizer would lock themself out.
    """
    _check_role_and_unit(role, unit)
    if user.id == by.id and (role is not Role.ORGANIZER or not is_active):
        raise FestivalError(_l("Bạn không thể tự bỏ quyền ban tổ chức hay tự khoá tài khoản của mình."))
    before = _account_fields(user)
    user.full_name = full_name.strip()
    user.role = role
    user.unit = unit
    if user.is_active and not is_active:
        end_all_sessions(user)
    user.is_active = is_active
    after = _account_fields(user)
    if before != after:
        audit.record("user.updated", user, by=by, before=before, after=after)


def _account_fields(user: User) -> dict:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "unit": user.unit.code if user.unit else None,
        "is_active": user.is_active,
    }


def create_organizer(email: str, full_name: str, password: str) -> User:
    """Create an organizer with a password (the first account, from the command line).

    :raise FestivalError: the e-mail is taken or the password is too weak.
    """
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise FestivalError(_l("E-mail %(email)s đã có tài khoản.", email=email))
    user = User(email=email, full_name=full_name.strip(), role=Role.ORGANIZER)
    set_password(user, password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", user, by=None, after=_account_fields(user))
    return user


def start_session(user: User, now: datetime, remember: bool, user_agent: str = "") -> str:
    """Record a new signed-in browser for `user` and return its token (its cookies carry it).

    A remembered session lasts REMEMBER_COOKIE_DURATION (30 days at most), another SESSION_HOURS.
    """
    token = secrets.token_urlsafe(32)
    lifetime = (
        current_app.config["REMEMBER_COOKIE_DURATION"]
        if remember
        else timedelta(hours=current_app.config["SESSION_HOURS"])
    )
    row = UserSession(
        user=user,
        token_hash=_hash_token(token),
        remember=remember,
        user_agent=user_agent[:200],
        created_at=now,
        expires_at=now + lifetime,
    )
    db.session.add(row)
    db.session.flush()
    user.session_key, user.signed_in_session = token, row
    return token


def end_session(user: User) -> None:
    """Sign out the browser this request came from: its session and remember cookies stop working."""
    if user.session_key:
        db.session.execute(
            db.delete(UserSession).where(
                UserSession.user_id == user.id, UserSession.token_hash == _hash_token(user.session_key)
            )
        )
    user.signed_in_session = None


def end_all_sessions(user: User) -> int:
    """Sign `user` out of every browser (a lost phone, a shared tablet); returns how many.

    The time is kept: a browser that comes back with a cookie from before it is told to wipe what
    it kept for offline use (see `session_revoked`)."""
    if user.id is None:
        return 0
    result = db.session.execute(db.delete(UserSession).where(UserSession.user_id == user.id))
    db.session.expire(user, ["sessions"])
    user.signed_in_session = None
    user.sessions_ended_at = utcnow()
    return result.rowcount


def session_revoked(user_id: int, signed_in_at: float | None) -> bool:
    """Whether a browser signed in at `signed_in_at` (a POSIX time; None: unknown) as `user_id` was
    signed out of every device since, locked, or its password changed — not merely timed out."""
    ended = db.session.execute(sa.select(User.sessions_ended_at).where(User.id == user_id)).scalar_one_or_none()
    if ended is None:
        return False
    return signed_in_at is None or signed_in_at < ended.timestamp()


def current_session(user: User) -> UserSession | None:
    """The session row this request signed in with."""
    if not user.session_key:
        return None
    if user.signed_in_session is not None:
        return user.signed_in_session
    return db.session.execute(
        db.select(UserSession).where(
            UserSession.user_id == user.id, UserSession.token_hash == _hash_token(user.session_key)
        )
    ).scalar_one_or_none()


def report_device(session: UserSession, pending: int, now: datetime) -> None:
    """A judge's device says it is alive and how many changes it has waiting to be sent."""
    session.last_report_at = now
    session.pending_changes = max(0, min(pending, 100_000))


# Checked in order: the first name found in a User-Agent string describes the device.
_DEVICES = [("iPad", "iPad"), ("iPhone", "iPhone"), ("Android", "Android"), ("Windows", "Windows"),
            ("Macintosh", "Mac"), ("CrOS", "Chromebook"), ("Linux", "Linux")]  # fmt: skip
_BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Chromium/", "Chromium"), ("Safari/", "Safari")]  # fmt: skip


def describe_device(user_agent: str) -> str:
    """A short name a person recognises for a browser ("iPad · Safari"), or "" when unknown."""
    device = next((name for key, name in _DEVICES if key in user_agent), "")
    browser = next((name for key, name in _BROWSERS if key in user_agent), "")
    return " · ".join(part for part in (device, browser) if part)


def active_sessions(user: User, now: datetime) -> list[UserSession]:
    return list(
        db.session.execute(
            db.select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.expires_at > now)
            .order_by(UserSession.created_at.desc())
        ).scalars()
    )


def load_session_user(session_id: str, now: datetime) -> User | None:
    """The active user a session or remember-me cookie names, if that signed-in session still exists."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    # The session row comes in the same statement: a save or a page asks for it again (current_session).
    found = db.session.execute(
        db.select(User, UserSession)
        .join(UserSession)
        .where(User.id == int(user_id), UserSession.token_hash == _hash_token(token), UserSession.expires_at > now)
    ).one_or_none()
    if found is None or not found.User.is_active:
        return None
    found.User.session_key, found.User.signed_in_session = token, found.UserSession
    return found.User


# The role of the user a session or remember-me cookie names, as a scalar subquery to read beside other things in
# one statement (a live board's poll, festival.auth.permissions.board_poll): NULL unless that signed-in session
# still exists and the account is active, the rule of load_session_user. Built once; session_role_params fills it.
SESSION_ROLE = (
    db.select(User.role)
    .join(UserSession)
    .where(
        User.id == sa.bindparam("session_user_id"),
        UserSession.token_hash == sa.bindparam("session_token_hash"),
        UserSession.expires_at > sa.bindparam("session_now"),
        User.is_active.is_(True),
    )
    .scalar_subquery()
)


def session_role_params(session_id: str, now: datetime) -> dict | None:
    """SESSION_ROLE's parameters for a cookie's session id; None when the value cannot name a session at all."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token or int(user_id) > MAX_ID:
        return None
    return {"session_user_id": int(user_id), "session_token_hash": _hash_token(token), "session_now": now}


def search_users(role: Role | None, query: str):
    """The select for the organizers' account list, filtered and ordered by name."""
    stmt = db.select(User).order_by(User.full_name)
    if role is not None:
        stmt = stmt.where(User.role == role)
    if query.strip():
        stmt = stmt.where(User.search_text.contains(fold(query), autoescape=True))
    return stmt
