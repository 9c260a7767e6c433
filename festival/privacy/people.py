"""One person as Festival holds them: the accounts, badges (attendee rows) and exhibit authorships an
organizer has recognised as the same person, with the e-mail addresses and phone numbers those rows carry.
Finding a person, exporting what is held about them, correcting and erasing it all start from a `Person`."""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from festival.badges.services import clean_phone
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.models import (
    Attendee,
    AuditLog,
    Author,
    Certificate,
    Consent,
    Exhibit,
    Initiative,
    InitiativeAuthor,
    MailMessage,
    SignInFailures,
    User,
)
from festival.util.formatting import fold


@dataclass(frozen=True)
class Person:
    user_ids: frozenset[int] = frozenset()
    attendee_ids: frozenset[int] = frozenset()
    author_ids: frozenset[int] = frozenset()
    initiative_author_ids: frozenset[int] = frozenset()  # authors in the initiative register
    submission_ids: frozenset[int] = frozenset()  # initiatives they sent from a QR poster (submitter name, phone)
    emails: frozenset[str] = frozenset()  # lower-case, as stored
    phones: frozenset[str] = frozenset()  # digits, as stored

    @property
    def is_empty(self) -> bool:
        return not (
            self.user_ids or self.attendee_ids or self.author_ids or self.initiative_author_ids or self.submission_ids
        )


def person_from_ids(
    user_ids: Iterable[int] = (),
    attendee_ids: Iterable[int] = (),
    author_ids: Iterable[int] = (),
    initiative_author_ids: Iterable[int] = (),
    submission_ids: Iterable[int] = (),
) -> Person:
    """The person made of these rows (ids that no longer exist are dropped), with their addresses and phones."""
    users = db.session.scalars(db.select(User).where(User.id.in_(list(user_ids)))).all() if user_ids else []
    attendees = (
        db.session.scalars(db.select(Attendee).where(Attendee.id.in_(list(attendee_ids)))).all() if attendee_ids else []
    )
    authors = db.session.scalars(db.select(Author).where(Author.id.in_(list(author_ids)))).all() if author_ids else []
    initiative_authors = (
        db.session.scalars(
            db.select(InitiativeAuthor).where(InitiativeAuthor.id.in_(list(initiative_author_ids)))
        ).all()
        if initiative_author_ids
        else []
    )
    submissions = (
        db.session.scalars(db.select(Initiative).where(Initiative.id.in_(list(submission_ids)))).all()
        if submission_ids
        else []
    )
    emails = {user.email.lower() for user in users} | {a.email.lower() for a in attendees if a.email}
    phones = {a.phone for a in attendees if a.phone} | {a.phone for a in initiative_authors if a.phone}
    phones |= {i.submitter_phone for i in submissions if i.submitter_phone}
    return Person(
        user_ids=frozenset(user.id for user in users),
        attendee_ids=frozenset(a.id for a in attendees),
        author_ids=frozenset(a.id for a in authors),
        initiative_author_ids=frozenset(a.id for a in initiative_authors),
        submission_ids=frozenset(i.id for i in submissions),
        emails=frozenset(emails),
        phones=frozenset(phones),
    )


# Finding a person -------------------------------------------------------------------------------------

MAX_PER_KIND = 200  # candidates shown per table; the page says when there were more
MIN_QUERY = 3  # fewer folded characters would match half the festival
MAX_TERMS = 50  # e-mails, phones or names of the candidates a loose row is matched by
AUTHOR_SCAN = 10 * MAX_PER_KIND  # authors of exhibits whose text matches, filtered by name in Python


IDENTITY_LABELS = {
    "user": _l("Tài khoản"),
    "attendee": _l("Thẻ tham dự"),
    "author": _l("Tác giả sáng kiến"),
    "initiative_author": _l("Tác giả trong sổ sáng kiến"),
    "submitter": _l("Người gửi ý tưởng qua mã QR"),
}
LOOSE_LABELS = {
    "mail_messages": _l("Thư đã gửi"),
    "certificates": _l("Giấy chứng nhận"),
    "consents": _l("Sự đồng ý"),
    "sign_in_failures": _l("Đăng nhập sai"),
    "audit_log": _l("Nhật ký thao tác"),
}


@dataclass(frozen=True)
class Identity:
    """A row that may be the person (an account, a badge, an authorship), for the organizer to tick."""

    kind: str  # "user", "attendee", "author", "initiative_author" or "submitter"
    id: int
    name: str
    festival: str
    unit: str
    role: str
    contact: str


@dataclass(frozen=True)
class LooseRow:
    """A row that names someone only by text (an address, a name): shown so nothing held is missed."""

    table: str
    id: int | str
    when: datetime | None
    text: str


@dataclass
class Matches:
    """What a search found: candidate identities per kind, loose rows per table, and the kinds cut at the cap."""

    identities: dict[str, list[Identity]] = field(default_factory=dict)
    loose: dict[str, list[LooseRow]] = field(default_factory=dict)
    capped: set[str] = field(default_factory=set)

    @property
    def is_empty(self) -> bool:
        return not any(self.identities.values()) and not any(self.loose.values())


@dataclass(frozen=True)
class _Query:
    folded: str
    email: str | None  # the query as an address (lower case), when it is one
    phone: str | None  # the query as a stored phone (digits, leading 0), when it is one


def _read_query(text: str) -> _Query:
    """The query folded, and read as an e-mail address or a phone number when it looks like one."""
    raw = " ".join((text or "").split())
    folded = fold(raw)
    if len(folded.replace(" ", "")) < MIN_QUERY:
        raise FestivalError(_l("Hãy nhập ít nhất %(n)d ký tự: e-mail, số điện thoại hoặc họ tên.", n=MIN_QUERY))
    email = raw.lower() if "@" in raw else None
    phone = None
    if re.fullmatch(r"[+\d][\d\s.\-()]{5,}", raw):
        try:
            phone = clean_phone(raw)
        except ValueError:  # part of a number: compared as the digits typed
            phone = re.sub(r"\D", "", raw)
    return _Query(folded=folded, email=email, phone=phone)


def _capped(rows: list, kind: str, matches: Matches) -> list:
    if len(rows) > MAX_PER_KIND:
        matches.capped.add(kind)
    return rows[:MAX_PER_KIND]


def find(text: str) -> Matches:
    """Everyone held whose e-mail, phone or name matches `text` (accents and case ignored), across every table
    that names people: candidate identities to tick, and the rows that name them only by text.

    A fixed number of queries whatever the number of rows; each kind is cut at MAX_PER_KIND.
    :raise FestivalError: the query is too short to search by.
    """
    query = _read_query(text)
    matches = Matches()
    attendee_match = Attendee.search_text.contains(query.folded, autoescape=True)
    if query.phone:
        attendee_match = sa.or_(attendee_match, Attendee.phone.contains(query.phone, autoescape=True))
    attendees = _capped(
        db.session.scalars(
            db.select(Attendee)
            .where(attendee_match)
            .options(selectinload(Attendee.festival), selectinload(Attendee.unit), selectinload(Attendee.role))
            .order_by(Attendee.full_name, Attendee.id)
            .limit(MAX_PER_KIND + 1)
        ).all(),
        "attendee",
        matches,
    )
    linked_users = [a.user_id for a in attendees if a.user_id]
    users = _capped(
        db.session.scalars(
            db.select(User)
            .where(sa.or_(User.search_text.contains(query.folded, autoescape=True), User.id.in_(linked_users)))
            .options(selectinload(User.unit))
            .order_by(User.full_name, User.id)
            .limit(MAX_PER_KIND + 1)
        ).all(),
        "user",
        matches,
    )
    # An author has no address or phone: found by their name, or by the name of a badge or account found.
    names = {fold(row.full_name) for row in (*attendees, *users)}
    wanted = [query.folded, *sorted(names)[:MAX_TERMS]]
    scanned = db.session.scalars(
        db.select(Author)
        .join(Author.exhibit)
        .where(sa.or_(*(Exhibit.search_text.contains(name, autoescape=True) for name in wanted)))
        .options(selectinload(Author.exhibit).selectinload(Exhibit.festival))
        .options(selectinload(Author.exhibit).selectinload(Exhibit.unit))
        .order_by(Author.full_name, Author.id)
        .limit(AUTHOR_SCAN)
    ).all()
    authors = _capped(
        [a for a in scanned if query.folded in fold(a.full_name) or fold(a.full_name) in names], "author", matches
    )
    initiative_authors, submissions = _register_people(query, names, matches)
    matches.identities = {
        "user": [_user_identity(u) for u in users],
        "attendee": [_attendee_identity(a) for a in attendees],
        "author": [_author_identity(a) for a in authors],
        "initiative_author": [_initiative_author_identity(a) for a in initiative_authors],
        "submitter": [_submitter_identity(i) for i in submissions],
    }
    matches.loose = _loose_rows(query, users, attendees, authors, matches)
    return matches


def _register_people(query: _Query, names: set[str], matches: Matches) -> tuple[list, list]:
    """Authors in the initiative register and senders of ideas from a QR poster whose name (accents ignored) or
    phone matches, or who bear the name of a badge or account found."""
    wanted = [query.folded, *sorted(names)[:MAX_TERMS]]
    by_text = sa.or_(*(Initiative.search_text.contains(name, autoescape=True) for name in wanted))
    by_phone = InitiativeAuthor.phone.contains(query.phone, autoescape=True) if query.phone else sa.false()
    scanned = db.session.scalars(
        db.select(InitiativeAuthor)
        .join(InitiativeAuthor.initiative)
        .where(sa.or_(by_text, by_phone))
        .options(selectinload(InitiativeAuthor.initiative).selectinload(Initiative.unit))
        .order_by(InitiativeAuthor.full_name, InitiativeAuthor.id)
        .limit(AUTHOR_SCAN)
    ).all()
    initiative_authors = _capped(
        [
            a
            for a in scanned
            if query.folded in fold(a.full_name)
            or fold(a.full_name) in names
            or (query.phone and query.phone in a.phone)
        ],
        "initiative_author",
        matches,
    )
    # A sender's name is in no search column: the rows that still hold one (the purge empties them after a year)
    # are read newest first and compared folded.
    submitter_phone = Initiative.submitter_phone.contains(query.phone, autoescape=True) if query.phone else sa.false()
    candidates = db.session.scalars(
        db.select(Initiative)
        .where(sa.or_(Initiative.submitter_name != "", submitter_phone))
        .options(selectinload(Initiative.unit))
        .order_by(Initiative.created_at.desc(), Initiative.id.desc())
        .limit(AUTHOR_SCAN)
    ).all()
    submissions = _capped(
        [
            i
            for i in candidates
            if (i.submitter_name and (query.folded in fold(i.submitter_name) or fold(i.submitter_name) in names))
            or (query.phone and query.phone in i.submitter_phone)
        ],
        "submitter",
        matches,
    )
    return initiative_authors, submissions


def _initiative_author_identity(author: InitiativeAuthor) -> Identity:
    initiative = author.initiative
    return Identity(
        "initiative_author",
        author.id,
        author.full_name,
        "",
        initiative.unit.short_name,
        str(_l("Tác giả: %(title)s", title=f"{initiative.reference} {initiative.title}")),
        author.phone,
    )


def _submitter_identity(initiative: Initiative) -> Identity:
    return Identity(
        "submitter",
        initiative.id,
        initiative.submitter_name,
        "",
        initiative.unit.short_name,
        str(_l("Gửi ý tưởng: %(title)s", title=f"{initiative.reference} {initiative.title}")),
        initiative.submitter_phone,
    )


def _user_identity(user: User) -> Identity:
    return Identity(
        "user", user.id, user.full_name, "", user.unit.short_name if user.unit else "", str(user.role.label), user.email
    )


def _attendee_identity(attendee: Attendee) -> Identity:
    return Identity(
        "attendee",
        attendee.id,
        attendee.full_name,
        attendee.festival.name,
        attendee.unit.short_name if attendee.unit else attendee.organisation,
        attendee.role.name_vi,
        " · ".join(value for value in (attendee.email, attendee.phone) if value),
    )


def _author_identity(author: Author) -> Identity:
    exhibit = author.exhibit
    return Identity(
        "author",
        author.id,
        author.full_name,
        exhibit.festival.name,
        exhibit.unit.short_name,
        str(_l("Tác giả: %(title)s", title=exhibit.title)),
        "",
    )


def json_forms(value: str) -> set[str]:
    """How a value appears in the audit log's JSON text: as written, and with non-ASCII letters escaped."""
    return {value, json.dumps(value)[1:-1]}


def _loose_rows(query: _Query, users, attendees, authors, matches: Matches) -> dict[str, list[LooseRow]]:
    user_ids = [u.id for u in users]
    attendee_ids = [a.id for a in attendees]
    author_ids = [a.id for a in authors]
    emails = sorted({u.email.lower() for u in users} | {a.email for a in attendees if a.email})[:MAX_TERMS]
    emails += [query.email] if query.email else []
    phones = sorted({a.phone for a in attendees if a.phone})[:MAX_TERMS] + ([query.phone] if query.phone else [])
    names = sorted({row.full_name for row in (*users, *attendees, *authors)})[:MAX_TERMS]
    email_or_text = query.email or query.folded

    mail = db.session.scalars(
        db.select(MailMessage)
        .where(
            sa.or_(
                MailMessage.user_id.in_(user_ids),
                MailMessage.attendee_id.in_(attendee_ids),
                sa.func.lower(MailMessage.recipient_email).in_(emails),
                sa.func.lower(MailMessage.recipient_email).contains(email_or_text, autoescape=True),
                MailMessage.recipient_name.in_(names),
            )
        )
        .order_by(MailMessage.created_at.desc(), MailMessage.id.desc())
        .limit(MAX_PER_KIND + 1)
    ).all()
    certificates = db.session.scalars(
        db.select(Certificate)
        .where(
            sa.or_(
                Certificate.search_text.contains(query.folded, autoescape=True),
                Certificate.recipient_name.in_(names),
                sa.tuple_(Certificate.exhibit_id, Certificate.recipient_key).in_(
                    [(a.exhibit_id, f"author:{a.position}") for a in authors]
                ),
            )
        )
        .order_by(Certificate.serial)
        .limit(MAX_PER_KIND + 1)
    ).all()
    consents = db.session.scalars(
        db.select(Consent)
        .where(
            sa.or_(
                Consent.user_id.in_(user_ids),
                Consent.attendee_id.in_(attendee_ids),
                Consent.author_id.in_(author_ids),
                Consent.subject_name.in_(names),
            )
        )
        .order_by(Consent.given_at.desc(), Consent.id.desc())
        .limit(MAX_PER_KIND + 1)
    ).all()
    failures = db.session.scalars(
        db.select(SignInFailures)
        .where(
            sa.or_(
                SignInFailures.account_key.in_(emails),
                SignInFailures.account_key.contains(email_or_text, autoescape=True),
            )
        )
        .order_by(SignInFailures.account_key)
        .limit(MAX_PER_KIND + 1)
    ).all()
    audit_rows = db.session.scalars(
        db.select(AuditLog)
        .where(_audit_about(user_ids, attendee_ids, author_ids, {*emails, *phones, *names, query.folded}))
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .limit(MAX_PER_KIND + 1)
    ).all()
    return {
        "mail_messages": [
            LooseRow("mail_messages", m.id, m.created_at, f"{m.recipient_name} <{m.recipient_email}>: {m.subject}")
            for m in _capped(mail, "mail_messages", matches)
        ],
        "certificates": [
            LooseRow("certificates", c.id, None, f"{c.serial} · {c.recipient_name} · {c.status.label}")
            for c in _capped(certificates, "certificates", matches)
        ],
        "consents": [
            LooseRow("consents", c.id, c.given_at, f"{c.subject_name} · {c.purpose}")
            for c in _capped(consents, "consents", matches)
        ],
        "sign_in_failures": [
            LooseRow("sign_in_failures", f.account_key, f.last_failed_at, f"{f.account_key} · {f.failures}")
            for f in _capped(failures, "sign_in_failures", matches)
        ],
        "audit_log": [
            LooseRow("audit_log", a.id, a.created_at, f"{a.action} · {a.object_type or ''} {a.object_id or ''}")
            for a in _capped(audit_rows, "audit_log", matches)
        ],
    }


def _audit_about(user_ids, attendee_ids, author_ids, terms) -> sa.ColumnElement[bool]:
    """Audit rows by these accounts, about these rows, or whose values before or after name one of `terms`."""
    texts = [sa.cast(AuditLog.before, sa.Text), sa.cast(AuditLog.after, sa.Text)]
    forms = {form for term in terms if term for form in json_forms(term)}
    return sa.or_(
        AuditLog.user_id.in_(user_ids),
        sa.and_(AuditLog.object_type == "users", AuditLog.object_id.in_(user_ids)),
        sa.and_(AuditLog.object_type == "attendees", AuditLog.object_id.in_(attendee_ids)),
        sa.and_(AuditLog.object_type == "authors", AuditLog.object_id.in_(author_ids)),
        *(text.contains(form, autoescape=True) for text in texts for form in sorted(forms)),
    )
