"""Erasing a person's data on their request while the festival's records stay whole: the exhibit, its scores, its
awards and the frozen results record stay as they were (the record hashes exhibit and judge ids and the scores,
never a name, so it verifies the same afterwards); names become the ERASED_*_NAME settings, contact details are
emptied, certificates are revoked, the account is closed, and what must be kept is listed with its reason."""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from festival.auth.services import end_all_sessions
from festival.badges.services import reissue_badge
from festival.certificates import services as certificates
from festival.core import audit, storage
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.models import (
    Attendee,
    Author,
    Certificate,
    CertificateKind,
    CertificateStatus,
    CheckIn,
    Consent,
    HeldScan,
    Initiative,
    InitiativeAuthor,
    MailMessage,
    MailStatus,
    SignInFailures,
    User,
    UserSession,
    Vote,
    VoteDevice,
)
from festival.privacy import consent as consents
from festival.privacy.erasure_report import Change, ErasureReport
from festival.privacy.people import Person

ERASURE_REASON = "Xoá dữ liệu cá nhân theo yêu cầu"
ERASED_VALUE = "[đã xoá]"  # an e-mail or phone in the audit log's before/after
ERASED_ADDRESS = "erased@invalid"  # ".invalid" is reserved (RFC 2606): nothing can ever be sent there


@dataclass
class _Found:
    """The person's rows and files, found once for the preview and for the erasure alike."""

    users: list[User]
    attendees: list[Attendee]
    authors: list[Author]
    initiative_authors: list[InitiativeAuthor]
    submissions: list[Initiative]
    certificates: list[Certificate]
    consents: list[Consent]
    messages: list[MailMessage]
    vote_devices: int
    votes: int
    check_ins: int
    held_scans: int
    sessions: int
    sign_in_failures: int
    audit_rows: int
    certificate_files: list[str] = field(default_factory=list)
    outbox_files: list[str] = field(default_factory=list)

    def changes(self) -> list[Change]:
        counts = {
            "authors": len(self.authors),
            "initiative_authors": len(self.initiative_authors),
            "initiative_submitters": len(self.submissions),
            "certificates": len(self.certificates),
            "store: certificates": len(self.certificate_files),
            "attendees": len(self.attendees),
            "vote_devices": self.vote_devices,
            "votes": self.votes,
            "check_ins": self.check_ins,
            "held_scans": self.held_scans,
            "consents": len(self.consents),
            "users": len(self.users),
            "user_sessions": self.sessions,
            "mail_messages": len(self.messages),
            "store: outbox": len(self.outbox_files),
            "sign_in_failures": self.sign_in_failures,
            "audit_log": self.audit_rows,
        }
        return [Change(table, count) for table, count in counts.items()]


def _rows(model, column, ids) -> list:
    if not ids:
        return []
    return list(db.session.execute(db.select(model).where(column.in_(sorted(ids))).order_by(model.id)).scalars())


def _count(model, condition) -> int:
    return db.session.scalar(db.select(sa.func.count()).select_from(model).where(condition))


def _certificates_of(authors: list[Author]) -> list[Certificate]:
    """Every certificate issued to these authors (a judges' or the visitors' prize, participation), any state."""
    found = []
    for author in authors:
        keys = [f"author:{author.position}", f"visitors:author:{author.position}"]
        found += db.session.execute(
            db.select(Certificate)
            .where(
                Certificate.exhibit_id == author.exhibit_id,
                Certificate.kind != CertificateKind.UNIT_AWARD,
                Certificate.recipient_key.in_(keys),
            )
            .order_by(Certificate.id)
        ).scalars()
    return found


def _messages_of(person: Person) -> list[MailMessage]:
    conditions = []
    if person.emails:
        conditions.append(sa.func.lower(MailMessage.recipient_email).in_(sorted(person.emails)))
    if person.user_ids:
        conditions.append(MailMessage.user_id.in_(sorted(person.user_ids)))
    if person.attendee_ids:
        conditions.append(MailMessage.attendee_id.in_(sorted(person.attendee_ids)))
    if not conditions:
        return []
    return list(
        db.session.execute(db.select(MailMessage).where(sa.or_(*conditions)).order_by(MailMessage.id)).scalars()
    )


def _consents_of(person: Person) -> list[Consent]:
    conditions = [
        column.in_(sorted(ids))
        for column, ids in (
            (Consent.author_id, person.author_ids),
            (Consent.attendee_id, person.attendee_ids),
            (Consent.user_id, person.user_ids),
        )
        if ids
    ]
    if not conditions:
        return []
    return list(db.session.execute(db.select(Consent).where(sa.or_(*conditions)).order_by(Consent.id)).scalars())


def _stored_keys(area: str, prefixes: set[str], named: set[str] = frozenset()) -> list[str]:
    """The keys in a store area that start with one of `prefixes` or are among `named` (one listing of the area).

    :raise FestivalError: the store cannot be read.
    """
    if not prefixes and not named:
        return []
    try:
        return sorted(
            stored.key
            for stored in storage.store(area).list()
            if stored.key in named or stored.key.startswith(tuple(prefixes))
        )
    except OSError:
        raise FestivalError(_l("Không đọc được kho lưu trữ tệp. Hãy thử lại sau.")) from None


def _outbox_keys(messages: list[MailMessage]) -> list[str]:
    """The .eml files of these messages: the one each row names, and any the mail sender wrote under its id
    (<id:06d>-<kind>.eml) that its row does not name (a send whose row was not updated)."""
    return _stored_keys(
        "outbox",
        {f"{message.id:06d}-" for message in messages},
        {message.outbox_file for message in messages if message.outbox_file},
    )


def _certificate_keys(found: list[Certificate]) -> list[str]:
    """Cached pages of these certificates (keyed <certificate id>-<digest>.pdf by the certificate printer)."""
    return _stored_keys("certificates", {f"{certificate.id}-" for certificate in found})


def _find(person: Person) -> _Found:
    attendee_ids, user_ids = sorted(person.attendee_ids), sorted(person.user_ids)
    authors = _rows(Author, Author.id, person.author_ids)
    found_certificates = _certificates_of(authors)
    messages = _messages_of(person)
    return _Found(
        users=_rows(User, User.id, person.user_ids),
        attendees=_rows(Attendee, Attendee.id, person.attendee_ids),
        authors=authors,
        initiative_authors=_rows(InitiativeAuthor, InitiativeAuthor.id, person.initiative_author_ids),
        submissions=_rows(Initiative, Initiative.id, person.submission_ids),
        certificates=found_certificates,
        consents=_consents_of(person),
        messages=messages,
        vote_devices=_count(VoteDevice, VoteDevice.attendee_id.in_(attendee_ids)) if attendee_ids else 0,
        votes=_count(Vote, Vote.attendee_id.in_(attendee_ids)) if attendee_ids else 0,
        check_ins=_count(CheckIn, CheckIn.attendee_id.in_(attendee_ids)) if attendee_ids else 0,
        held_scans=_count(HeldScan, HeldScan.attendee_id.in_(attendee_ids)) if attendee_ids else 0,
        sessions=_count(UserSession, UserSession.user_id.in_(user_ids)) if user_ids else 0,
        sign_in_failures=_count(SignInFailures, SignInFailures.account_key.in_(sorted(person.emails)))
        if person.emails
        else 0,
        audit_rows=audit.count_holding(person.emails | person.phones),
        certificate_files=_certificate_keys(found_certificates),
        outbox_files=_outbox_keys(messages),
    )


def preview(person: Person) -> ErasureReport:
    """What erasing `person` would change and keep (nothing is written)."""
    return ErasureReport(person, _find(person).changes())


def _names() -> dict[str, str]:
    config = current_app.config
    return {
        "author": config["ERASED_AUTHOR_NAME"],
        "attendee": config["ERASED_ATTENDEE_NAME"],
        "user": config["ERASED_USER_NAME"],
    }


def erase(person: Person, *, reason: str, by: User, now: datetime) -> ErasureReport:
    """Erase `person`'s data, keeping the festival's records whole (see erasure_report: CHANGES and KEPT); audited
    with ids and counts only. The `reason` is required but not stored: organizers write the person's name in it, so
    it belongs with their request, not in the audit log.

    Flushes, does not commit. The files go last, once every row is changed: a failure before them leaves everything
    as it was (the caller rolls back), and a failure deleting them refuses the whole erasure (the files already
    deleted were copies: a cached page, a sent message).

    :raise FestivalError: no one chosen, no reason, the organizer's own account, or a file that could not be
        deleted.
    """
    if person.is_empty:
        raise FestivalError(_l("Chưa chọn tài khoản, người tham dự hay tác giả nào."))
    if not reason.strip():
        raise FestivalError(_l("Hãy ghi lý do (yêu cầu nào của người đó)."))
    if by.id in person.user_ids:
        raise FestivalError(_l("Bạn không thể tự xoá dữ liệu tài khoản của chính mình."))
    found = _find(person)
    names = _names()
    for author in found.authors:
        author.full_name, author.job_title, author.department = names["author"], "", ""
    # The register's recognition and remuneration records stay whole (shares, category, benefit); the author is
    # named as exhibits' erased authors are, and cannot be called.
    for initiative_author in found.initiative_authors:
        initiative_author.full_name, initiative_author.phone = names["author"], ""
    for initiative in found.submissions:
        initiative.submitter_name, initiative.submitter_phone = "", ""
    for certificate in found.certificates:
        if certificate.status is CertificateStatus.VALID:
            certificates.revoke(certificate, ERASURE_REASON, by)
        certificate.recipient_name = names["author"]
    _erase_attendees(found, names["attendee"], by)
    for consent in found.consents:
        if consent.is_active:
            consents.withdraw_consent(consent, how="web", by=by, now=now)
        # Kept: the law asks for evidence that consent was given (which notice, when, how) and withdrawn, which
        # the row keeps tied to the anonymised author, badge or account; the name adds nothing to that evidence.
        consent.subject_name = names.get(consent.subject_kind, names["attendee"])
    for user in found.users:
        _close_account(user, names["user"])
    for message in found.messages:
        _erase_message(message, names["user"] if message.user_id in person.user_ids else names["attendee"])
    if person.emails:
        db.session.execute(sa.delete(SignInFailures).where(SignInFailures.account_key.in_(sorted(person.emails))))
    audit.redact(person.emails | person.phones, ERASED_VALUE)
    db.session.flush()
    report = ErasureReport(person, found.changes(), done=True)
    audit.record(
        "privacy.person_erased",
        by=by,
        after={
            "user_ids": sorted(person.user_ids),
            "attendee_ids": sorted(person.attendee_ids),
            "author_ids": sorted(person.author_ids),
            "initiative_author_ids": sorted(person.initiative_author_ids),
            "submission_ids": sorted(person.submission_ids),
            "counts": report.counts,
        },
    )
    try:
        storage.store("certificates").delete(*found.certificate_files)
        storage.store("outbox").delete(*found.outbox_files)
    except OSError:
        raise FestivalError(
            _l("Không xoá được tệp của người này trong kho lưu trữ. Chưa xoá gì; hãy thử lại.")
        ) from None
    return report


def _erase_attendees(found: _Found, name: str, by: User) -> None:
    ids = [attendee.id for attendee in found.attendees]
    if not ids:
        return
    for attendee in found.attendees:
        # The existing reissue revokes the printed code (the gates say so) and unlinks the phone; the votes stay
        # counted: they were cast in good faith, and the tally must not change because someone left.
        reissue_badge(attendee, ERASURE_REASON, by, withdraw_votes=False)
        attendee.full_name, attendee.organisation = name, ""
        attendee.phone = attendee.email = attendee.person_key = None
        attendee.no_email, attendee.email_problem = True, ""
    # votes.attendee_id and badge_token cannot be empty: the vote stays tied to the anonymised badge row.
    db.session.execute(sa.update(Vote).where(Vote.attendee_id.in_(ids)).values(address=""))
    db.session.execute(sa.update(CheckIn).where(CheckIn.attendee_id.in_(ids)).values(attendee_id=None))
    db.session.execute(sa.update(HeldScan).where(HeldScan.attendee_id.in_(ids)).values(attendee_id=None))


def _close_account(user: User, name: str) -> None:
    end_all_sessions(user)
    user.is_active = False
    user.password_hash = user.invitation_hash = user.reset_hash = None
    user.invitation_expires_at = user.reset_expires_at = user.last_login_at = user.email_failed_at = None
    # Unique and never an address: the account cannot be signed into or mailed, nor claimed by a new account.
    user.email = f"erased-{user.id}@invalid"
    user.full_name = name
    user.no_email, user.email_problem, user.language = True, "", None


def _erase_message(message: MailMessage, name: str) -> None:
    cancelled = not message.is_finished
    if cancelled:  # the sender skips a message that is no longer queued
        message.status = MailStatus.FAILED
    message.recipient_email, message.recipient_name = ERASED_ADDRESS, name
    message.body_text, message.facts = "", {}
    # A server's refusal quotes the address it refused.
    message.last_error = ERASURE_REASON if cancelled else ""
    message.outbox_file = None
