"""Attendees: badge roles, adding and editing people, units' delegates, automatic attendees,
badge tokens (reissue revokes the old code) and search."""

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from festival.badges import colours
from festival.core import audit
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.exhibits.services import accepted_exhibits
from festival.models import (
    Attendee,
    AttendeeSource,
    BadgeRole,
    Exhibit,
    Festival,
    RevokedBadge,
    Role,
    Unit,
    User,
    Vote,
    VoteDevice,
    utcnow,
)
from festival.models.attendee import new_badge_token
from festival.util.formatting import fold

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def badge_roles(festival: Festival) -> list[BadgeRole]:
    """The festival's roles in their order (every festival is created with the default seven)."""
    return list(
        db.session.execute(
            db.select(BadgeRole).where(BadgeRole.festival_id == festival.id).order_by(BadgeRole.position, BadgeRole.id)
        ).scalars()
    )


def role_by_code(festival: Festival, code: str) -> BadgeRole:
    return next(role for role in badge_roles(festival) if role.code == code)


def role_from_text(roles: list[BadgeRole], text: str) -> BadgeRole | None:
    """The role among `roles` named by its code, Vietnamese or English name, ignoring accents and case."""
    wanted = fold(text or "")
    for role in roles:
        if wanted in {role.code, fold(role.name_vi), fold(role.name_en)}:
            return role
    return None


def save_role(role: BadgeRole, name_vi: str, name_en: str, colour: str, by: User) -> list[tuple]:
    """Rename a role or change its band colour; the other roles whose bands now look like this one's.

    :raise FestivalError: the colour is not #rrggbb, no text reads on it, or the name is empty.
    """
    if not COLOUR.match(colour or ""):
        raise FestivalError(_l("Màu phải có dạng #rrggbb, ví dụ #0d4c92."))
    if not name_vi.strip():
        raise FestivalError(_l("Vai trò cần có tên."))
    if colours.contrast(colour) < colours.MIN_CONTRAST:
        raise FestivalError(
            _l(
                "Chữ trên dải màu %(colour)s khó đọc (cả chữ đen lẫn chữ trắng). Hãy chọn màu đậm hơn hoặc nhạt hơn.",
                colour=colour,
            )
        )
    before = {"name_vi": role.name_vi, "name_en": role.name_en, "colour": role.colour}
    role.name_vi, role.name_en, role.colour = name_vi.strip(), name_en.strip(), colour.lower()
    audit.record(
        "badge_role.saved",
        role,
        by=by,
        before=before,
        after={"name_vi": role.name_vi, "name_en": role.name_en, "colour": role.colour},
    )
    return [pair for pair in colours.look_alike(badge_roles(role.festival)) if role in pair[:2]]


# People --------------------------------------------------------------------------------------


def clean_name(text: str) -> str:
    """A name as stored: NFC, single spaces, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def clean_email(text: str | None) -> str | None:
    """An e-mail as stored (lower case), or None.

    :raise ValueError: not an address.
    """
    text = (text or "").strip().lower()
    if not text:
        return None
    if len(text) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise ValueError(_l("E-mail không hợp lệ: “%(email)s”.", email=text[:60]))
    return text


def clean_phone(text) -> str | None:
    """A Vietnamese phone number as stored (digits, leading 0), or None.

    A number Excel kept as a number gets its leading 0 back — a mobile (912345678) and a landline typed
    024 3825 7700 (2438257700) alike — and +84 or 84 in front becomes 0.
    :raise ValueError: not a 10-digit mobile or 11-digit landline number, two numbers in one cell, or a
    number Excel turned into 9,12E+08.
    """
    if isinstance(text, float) and text.is_integer():
        text = int(text)  # Excel drops the leading zero and keeps the number
    raw = str(text if text is not None else "").strip().lstrip("'")
    if not raw:
        return None
    if re.fullmatch(r"\d+([.,]\d+)?[eE][+]?\d+", raw):
        raise ValueError(
            _l(
                "Số điện thoại “%(phone)s” đã bị Excel đổi sang dạng số mũ nên mất chữ số. Hãy định dạng cột là "
                "Văn bản (Text), gõ lại số rồi lưu.",
                phone=raw[:30],
            )
        )
    digits = re.sub(r"[\s.\-()\u00a0]", "", raw)
    if len(re.sub(r"\D", "", raw)) > 12 and re.search(r"[/;,]|\s[-–]\s|hoặc|\bor\b", raw):
        raise ValueError(_l("Mỗi ô chỉ ghi một số điện thoại (ô có “%(phone)s”).", phone=raw[:40]))
    if digits.startswith(("+84", "0084")):
        digits = "0" + digits.removeprefix("+84").removeprefix("0084")
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif not digits.startswith("0") and (len(digits) == 9 or (len(digits) == 10 and digits.startswith("2"))):
        digits = "0" + digits
    if not digits.isdigit() or not digits.startswith("0") or not 10 <= len(digits) <= 11:
        raise ValueError(_l("Số điện thoại không hợp lệ: “%(phone)s”.", phone=raw[:30]))
    return digits


@dataclass
class AttendeeInput:
    full_name: str
    role: BadgeRole
    unit: Unit | None = None
    organisation: str = ""
    email: str | None = None
    phone: str | None = None


def duplicate_of(
    festival: Festival, email: str | None, phone: str | None, ignore: Attendee | None = None
) -> Attendee | None:
    """Another attendee with the same e-mail or phone, if any."""
    conditions = []
    if email:
        conditions.append(Attendee.email == email)
    if phone:
        conditions.append(Attendee.phone == phone)
    if not conditions:
        return None
    stmt = db.select(Attendee).where(Attendee.festival_id == festival.id, sa.or_(*conditions))
    if ignore is not None and ignore.id is not None:
        stmt = stmt.where(Attendee.id != ignore.id)
    return db.session.execute(stmt.limit(1)).scalar_one_or_none()


def _check(
    festival: Festival, data: AttendeeInput, by: User | None, ignore: Attendee | None = None
) -> tuple[str, str | None, str | None]:
    name = clean_name(data.full_name)
    if not name:
        raise FestivalError(_l("Chưa có họ và tên."))
    if len(name) > 200:
        raise FestivalError(_l("Họ và tên quá dài."))
    try:
        email, phone = clean_email(data.email), clean_phone(data.phone)
    except ValueError as error:
        raise FestivalError(error.args[0]) from None
    if data.role.festival_id != festival.id:
        raise FestivalError(_l("Vai trò không thuộc ngày hội này."))
    clash = duplicate_of(festival, email, phone, ignore)
    if clash is not None:
        if by is not None and by.role is Role.ORGANIZER:
            raise FestivalError(_l("Đã có %(name)s với cùng e-mail hoặc số điện thoại.", name=clash.full_name))
        # Anyone else learns nothing of who registered the number or address.
        raise FestivalError(_l("Đã có người đăng ký với e-mail hoặc số điện thoại này."))
    return name, email, phone


def add_attendee(festival: Festival, data: AttendeeInput, by: User | None, source=AttendeeSource.MANUAL) -> Attendee:
    """Add a person (a badge token is made for them).

    :raise FestivalError: no name, a bad e-mail or phone, or the same e-mail/phone already there.
    """
    name, email, phone = _check(festival, data, by)
    attendee = new_attendee(festival, replace(data, full_name=name, email=email, phone=phone), source)
    db.session.add(attendee)
    db.session.flush()
    audit.record("attendee.added", attendee, by=by, after={"name": name, "role": data.role.code, "source": source})
    return attendee


def new_attendee(festival: Festival, data: AttendeeInput, source: AttendeeSource) -> Attendee:
    """An attendee from input already checked and cleaned (not yet added to the session)."""
    return Attendee(
        festival=festival,
        full_name=data.full_name,
        role=data.role,
        unit=data.unit,
        organisation=data.organisation.strip()[:200],
        email=data.email,
        phone=data.phone,
        source=source,
    )


def update_attendee(attendee: Attendee, data: AttendeeInput, by: User) -> None:
    """Change a person's details (the badge keeps its code; reissue it if it was printed wrong).

    :raise FestivalError: as add_attendee.
    """
    name, email, phone = _check(attendee.festival, data, by, ignore=attendee)
    before = {
        "name": attendee.full_name,
        "role": attendee.role.code,
        "unit": attendee.unit.code if attendee.unit else None,
        "email": attendee.email,
        "phone": attendee.phone,
    }
    attendee.full_name, attendee.role, attendee.unit = name, data.role, data.unit
    attendee.organisation, attendee.email, attendee.phone = data.organisation.strip()[:200], email, phone
    after = {
        "name": name,
        "role": data.role.code,
        "unit": data.unit.code if data.unit else None,
        "email": email,
        "phone": phone,
    }
    if before != after:
        audit.record("attendee.updated", attendee, by=by, before=before, after=after)


def remove_attendee(attendee: Attendee, by: User) -> None:
    """Delete a person; their badge stops working (a scan answers "unknown")."""
    audit.record(
        "attendee.removed",
        attendee,
        by=by,
        before={"name": attendee.full_name, "role": attendee.role.code, "token": attendee.badge_token[:6]},
    )
    db.session.delete(attendee)


def reissue_badge(attendee: Attendee, reason: str, by: User, *, withdraw_votes: bool = True) -> str:
    """Give the person a new badge code; the old one is refused at the gates from now on. Without
    `withdraw_votes` (the person's data erased on request, not a lost badge) the votes it cast still count."""
    old_token = attendee.badge_token
    db.session.add(RevokedBadge(token=old_token, attendee=attendee, reason=reason.strip()[:200]))
    # The old badge's visitors' choice votes go with it, and so does the phone linked to it: a
    # badge found or photographed by someone else stops counting the moment it is reissued.
    withdrawn = 0
    if withdraw_votes:
        withdrawn = db.session.execute(
            sa.update(Vote)
            .where(Vote.badge_token == old_token, Vote.withdrawn_at.is_(None))
            .values(withdrawn_at=utcnow(), withdrawn_reason=str(_l("Thẻ đã được cấp lại.")))
        ).rowcount
    db.session.execute(sa.delete(VoteDevice).where(VoteDevice.attendee_id == attendee.id))
    attendee.badge_token = new_badge_token()
    attendee.token_issued_at = datetime.now(attendee.token_issued_at.tzinfo)
    attendee.printed_at = None
    audit.record(
        "attendee.badge_reissued", attendee, by=by, after={"reason": reason.strip(), "votes_withdrawn": withdrawn}
    )
    return attendee.badge_token


# A unit's own delegates ------------------------------------------------------------------


def unit_delegates(festival: Festival, unit: Unit) -> list[Attendee]:
    return list(
        db.session.execute(
            db.select(Attendee)
            .where(
                Attendee.festival_id == festival.id, Attendee.unit_id == unit.id, Attendee.source == AttendeeSource.UNIT
            )
            .order_by(Attendee.full_name)
        ).scalars()
    )


def register_delegate(festival: Festival, unit: Unit, data: AttendeeInput, by: User) -> Attendee:
    """A unit registers one of its delegates, within the organizers' quota.

    :raise NotAllowed: the quota is full or the role is not one units may register.
    :raise FestivalError: as add_attendee.
    """
    if data.role.code not in UNIT_ROLES:
        raise NotAllowed(_l("Đơn vị chỉ đăng ký được đại biểu."))
    if len(unit_delegates(festival, unit)) >= festival.delegate_quota:
        raise NotAllowed(
            _l("Đơn vị đã đăng ký đủ %(n)d đại biểu (hạn mức của ban tổ chức).", n=festival.delegate_quota)
        )
    data.unit = unit
    return add_attendee(festival, data, by=by, source=AttendeeSource.UNIT)


UNIT_ROLES = ("delegate",)
# Roles whose people come from a member unit; everyone else (guests, press, partners…) may come from an outside
# organisation instead, named on the badge and in the lists.
MEMBER_ROLES = ("delegate", "author")


# Automatic attendees: judges, organizers, authors of accepted exhibits -------------------


def sync_automatic(festival: Festival, by: User | None) -> dict:
    """Make sure every judge, organizer and author of an accepted exhibit has a badge, once.

    Judges and organizers are matched to their account (or an attendee with the same e-mail);
    an author of several exhibits gets one badge (same name in the same unit). Returns how many
    were added by kind.
    """
    added = {"judge": 0, "organizer": 0, "author": 0}
    users = db.session.execute(
        db.select(User).where(User.role.in_([Role.JUDGE, Role.ORGANIZER]), User.is_active.is_(True)).order_by(User.id)
    ).scalars()
    for user in users:
        kind = "judge" if user.role is Role.JUDGE else "organizer"
        existing = (
            db.session.execute(
                db.select(Attendee).where(
                    Attendee.festival_id == festival.id,
                    sa.or_(Attendee.user_id == user.id, Attendee.email == user.email),
                )
            )
            .scalars()
            .first()
        )
        if existing is not None:
            existing.user_id = existing.user_id or user.id
            continue
        attendee = Attendee(
            festival=festival,
            full_name=clean_name(user.full_name),
            role=role_by_code(festival, kind),
            unit=user.unit,
            email=user.email,
            source=AttendeeSource(kind),
            user_id=user.id,
        )
        db.session.add(attendee)
        db.session.flush()
        added[kind] += 1
    exhibits = db.session.execute(
        accepted_exhibits(festival).order_by(Exhibit.code).options(sa.orm.selectinload(Exhibit.authors))
    ).scalars()
    authors = [(author, exhibit) for exhibit in exhibits for author in exhibit.authors]
    known = set(
        db.session.execute(
            db.select(Attendee.person_key).where(Attendee.festival_id == festival.id, Attendee.person_key.is_not(None))
        ).scalars()
    )
    erased = current_app.config["ERASED_AUTHOR_NAME"]
    for author, exhibit in authors:
        key = f"author:{fold(author.full_name)}:{exhibit.unit_id}"[:300]
        if key in known or author.full_name == erased:  # an erased author gets no badge in the name of no one
            continue
        known.add(key)
        attendee = Attendee(
            festival=festival,
            full_name=clean_name(author.full_name),
            role=role_by_code(festival, "author"),
            unit=exhibit.unit,
            source=AttendeeSource.AUTHOR,
            person_key=key,
        )
        db.session.add(attendee)
        db.session.flush()
        added["author"] += 1
    if any(added.values()):
        audit.record("attendees.synchronised", festival, by=by, after=added)
    return added


# Finding people ------------------------------------------------------------------------------


@dataclass
class AttendeeFilters:
    query: str = ""
    unit_id: int | None = None
    role_id: int | None = None
    printed: str = ""  # "", "yes", "no"
    checked_in: str = ""


def search_attendees(festival: Festival, filters: AttendeeFilters):
    """The select for the attendee list: accent-insensitive search and filters, by name."""
    stmt = (
        db.select(Attendee)
        .where(Attendee.festival_id == festival.id)
        .options(sa.orm.selectinload(Attendee.unit), sa.orm.selectinload(Attendee.role))
    )
    for word in fold(filters.query).split()[:6]:
        stmt = stmt.where(Attendee.search_text.contains(word, autoescape=True))
    if filters.unit_id:
        stmt = stmt.where(Attendee.unit_id == filters.unit_id)
    if filters.role_id:
        stmt = stmt.where(Attendee.role_id == filters.role_id)
    if filters.printed:
        stmt = stmt.where(
            Attendee.printed_at.is_not(None) if filters.printed == "yes" else Attendee.printed_at.is_(None)
        )
    if filters.checked_in:
        stmt = stmt.where(
            Attendee.checked_in_at.is_not(None) if filters.checked_in == "yes" else Attendee.checked_in_at.is_(None)
        )
    return stmt.order_by(Attendee.full_name, Attendee.id)


def has_attendees(festival: Festival) -> bool:
    return (
        db.session.execute(db.select(Attendee.id).where(Attendee.festival_id == festival.id).limit(1)).first()
        is not None
    )


def for_printing(
    festival: Festival, unit: Unit | None = None, role: BadgeRole | None = None, only_new: bool = False
) -> list[Attendee]:
    """The attendees a print covers, by unit then name (the order badges are handed out)."""
    stmt = (
        db.select(Attendee)
        .outerjoin(Attendee.unit)
        .where(Attendee.festival_id == festival.id)
        .options(sa.orm.selectinload(Attendee.role), sa.orm.contains_eager(Attendee.unit))
        .order_by(sa.func.coalesce(Unit.code, ""), Attendee.full_name, Attendee.id)
    )
    if unit is not None:
        stmt = stmt.where(Attendee.unit_id == unit.id)
    if role is not None:
        stmt = stmt.where(Attendee.role_id == role.id)
    if only_new:
        stmt = stmt.where(Attendee.printed_at.is_(None))
    return list(db.session.execute(stmt).scalars())


def mark_printed(attendee_ids: list[int], now: datetime) -> None:
    """Record that these badges were printed (a later "only new" print skips them)."""
    for start in range(0, len(attendee_ids), 500):
        db.session.execute(
            sa.update(Attendee).where(Attendee.id.in_(attendee_ids[start : start + 500])).values(printed_at=now)
        )


def find_by_token(token: str) -> tuple[Attendee | None, RevokedBadge | None]:
    """The attendee a badge code belongs to, or the revocation that replaced it."""
    if not token or len(token) > 43:
        return None, None
    attendee = db.session.execute(db.select(Attendee).where(Attendee.badge_token == token)).scalar_one_or_none()
    if attendee is not None:
        return attendee, None
    return None, db.session.execute(db.select(RevokedBadge).where(RevokedBadge.token == token)).scalar_one_or_none()
