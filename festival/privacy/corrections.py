"""Correcting what Festival holds about a person on their request: an author's, an attendee's or an account's
fields, validated as the forms that collected them validate them, each change audited with its values before and
after (only the fields that changed)."""

from flask_babel import lazy_gettext as _l

from festival.badges.services import clean_email, clean_name, clean_phone, duplicate_of
from festival.core import audit
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.models import Attendee, Author, User

MAX_LENGTH = 200  # every corrected text column is a String(200)


def _name(text: str) -> str:
    name = clean_name(text)
    if not name:
        raise FestivalError(_l("Chưa có họ và tên."))
    if len(name) > MAX_LENGTH:
        raise FestivalError(_l("Họ và tên quá dài."))
    return name


def _text(text: str, label) -> str:
    value = clean_name(text)
    if len(value) > MAX_LENGTH:
        raise FestivalError(_l("%(label)s quá dài (tối đa %(n)d ký tự).", label=label, n=MAX_LENGTH))
    return value


def _apply(row, wanted: dict, *, by: User | None) -> dict:
    """Set the wanted values that differ from the row's and audit them; returns the new values of what changed."""
    before = {name: getattr(row, name) for name, value in wanted.items() if getattr(row, name) != value}
    after = {name: wanted[name] for name in before}
    for name, value in after.items():
        setattr(row, name, value)
    if after:
        db.session.flush()  # search_text follows the new values on flush
        audit.record("privacy.corrected", row, by=by, before=before, after=after)
    return after


def correct_author(
    author: Author,
    *,
    full_name: str | None = None,
    job_title: str | None = None,
    department: str | None = None,
    by: User | None,
) -> dict:
    """Correct an author's name, job title or department (None: unchanged). Certificates already issued keep
    the old name until an organizer issues a corrected one.

    :return: the fields that changed, with their new values.
    :raise FestivalError: an empty name, or a value too long.
    """
    wanted = {}
    if full_name is not None:
        wanted["full_name"] = _name(full_name)
    if job_title is not None:
        wanted["job_title"] = _text(job_title, _l("Chức danh"))
    if department is not None:
        wanted["department"] = _text(department, _l("Bộ phận"))
    return _apply(author, wanted, by=by)


def correct_attendee(
    attendee: Attendee,
    *,
    full_name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    organisation: str | None = None,
    by: User | None,
) -> dict:
    """Correct an attendee's name, phone, e-mail or organisation (None: unchanged; an empty phone or e-mail is
    removed). The badge keeps its code.

    :return: the fields that changed, with their new values.
    :raise FestivalError: an empty name, a phone or e-mail that is not one, one another attendee of the festival
        already has, or a value too long.
    """
    wanted = {}
    if full_name is not None:
        wanted["full_name"] = _name(full_name)
    try:
        if phone is not None:
            wanted["phone"] = clean_phone(phone)
        if email is not None:
            wanted["email"] = clean_email(email)
    except ValueError as error:
        raise FestivalError(error.args[0]) from None
    if organisation is not None:
        wanted["organisation"] = _text(organisation, _l("Tổ chức"))
    clash = duplicate_of(attendee.festival, wanted.get("email"), wanted.get("phone"), ignore=attendee)
    if clash is not None:
        raise FestivalError(_l("Đã có %(name)s với cùng e-mail hoặc số điện thoại.", name=clash.full_name))
    return _apply(attendee, wanted, by=by)


def correct_user(user: User, *, full_name: str | None = None, by: User | None) -> dict:
    """Correct an account's name (None: unchanged). An account's e-mail is its sign-in: Festival has no way to
    change it, and correcting it means a new account.

    :return: the fields that changed, with their new values.
    :raise FestivalError: an empty name, or one too long.
    """
    wanted = {}
    if full_name is not None:
        wanted["full_name"] = _name(full_name)
    return _apply(user, wanted, by=by)
