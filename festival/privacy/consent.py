"""Consent where consent is the basis: recording it with its evidence, withdrawing it, and what the public pages
may show because of it.

The gallery rule: an author's name is shown publicly (gallery, public exhibit page, booth poster) only while that
author's consent to "gallery_name_photo" stands; an exhibit's photos are shown publicly only while every one of
its authors consents. No consent recorded means not shown.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from festival.core import audit
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.models import Attendee, Author, Consent, Exhibit, User
from festival.models.consent import GALLERY_NAME_PHOTO, HOWS
from festival.privacy import notice
from festival.util.formatting import fold

HIDDEN_AUTHOR = _l("Tác giả không công khai tên")
HIDDEN_AUTHOR_POSTER = "Tác giả không công khai tên"  # posters are printed in Vietnamese only

PURPOSE_LABELS = {
    GALLERY_NAME_PHOTO: _l("Tên và ảnh trong thư viện công khai và áp phích"),
    "vote_phone": _l("Liên kết điện thoại với thẻ để bình chọn"),
    "newsletter": _l("Thư không phải thư phục vụ"),
}
HOW_LABELS = {"web": _l("trên trang web"), "import": _l("theo bảng khai của đơn vị"), "paper": _l("trên giấy")}


def _active(author_ids: Iterable[int], purpose: str):
    return db.select(Consent).where(
        Consent.author_id.in_(list(author_ids)), Consent.purpose == purpose, Consent.withdrawn_at.is_(None)
    )


def active_consent(author: Author, purpose: str = GALLERY_NAME_PHOTO) -> Consent | None:
    """The author's standing consent to `purpose`, or None."""
    if author.id is None:
        return None
    return db.session.execute(_active([author.id], purpose).limit(1)).scalar_one_or_none()


def consenting_author_ids(author_ids: Iterable[int], purpose: str = GALLERY_NAME_PHOTO) -> set[int]:
    """Which of these authors have a standing consent to `purpose` (one query)."""
    ids = [i for i in author_ids if i is not None]
    if not ids:
        return set()
    return set(db.session.execute(_active(ids, purpose).with_only_columns(Consent.author_id)).scalars())


def give_author_consent(author: Author, *, how: str, by: User | None, now: datetime) -> Consent:
    """Record an author's consent to their name and photo in the public gallery and posters, under the current
    notice version (kept as it is if one already stands).

    :raise FestivalError: an unknown way of giving it.
    """
    standing = active_consent(author)
    if standing is not None:
        return standing
    exhibit = author.exhibit
    return _record(
        Consent(
            festival_id=exhibit.festival_id,
            subject_kind="author",
            author=author,
            subject_name=author.full_name,
            purpose=GALLERY_NAME_PHOTO,
            notice_version=notice.current_version(exhibit.festival),
            given_at=now,
            how=how,
            recorded_by=by,
        ),
        by=by,
        subject={"author_id": author.id},
    )


def _record(consent: Consent, *, by: User | None, subject: dict) -> Consent:
    """Keep a new consent with its evidence, audited.

    :raise FestivalError: an unknown way of giving it.
    """
    if consent.how not in HOWS:
        raise FestivalError(_l("Cách ghi nhận sự đồng ý không hợp lệ."))
    db.session.add(consent)
    db.session.flush()
    audit.record(
        "privacy.consent_given",
        consent,
        by=by,
        after={**subject, "purpose": consent.purpose, "how": consent.how, "notice": consent.notice_version},
    )
    return consent


def withdraw_consent(consent: Consent, *, how: str, by: User | None, now: datetime) -> None:
    """Withdraw a consent; the use it allowed stops at once (the public pages read only standing consents).

    :raise FestivalError: already withdrawn, or an unknown way of withdrawing.
    """
    if consent.withdrawn_at is not None:
        raise FestivalError(_l("Sự đồng ý này đã được rút lại."))
    if how not in HOWS:
        raise FestivalError(_l("Cách ghi nhận sự đồng ý không hợp lệ."))
    consent.withdrawn_at, consent.withdrawn_how, consent.withdrawn_by = now, how, by
    db.session.flush()
    audit.record(
        "privacy.consent_withdrawn",
        consent,
        by=by,
        after={"author_id": consent.author_id, "purpose": consent.purpose, "how": how},
    )


def active_attendee_consent(attendee: Attendee, purpose: str) -> Consent | None:
    """The attendee's standing consent to `purpose`, or None."""
    return db.session.execute(
        db.select(Consent)
        .where(Consent.attendee_id == attendee.id, Consent.purpose == purpose, Consent.withdrawn_at.is_(None))
        .limit(1)
    ).scalar_one_or_none()


def give_attendee_consent(attendee: Attendee, purpose: str, *, how: str, by: User | None, now: datetime) -> Consent:
    """Record an attendee's consent to `purpose` (e.g. linking their phone for the vote) under the current notice
    version (kept as it is if one already stands).

    :raise FestivalError: an unknown way of giving it.
    """
    standing = active_attendee_consent(attendee, purpose)
    if standing is not None:
        return standing
    return _record(
        Consent(
            festival_id=attendee.festival_id,
            subject_kind="attendee",
            attendee=attendee,
            subject_name=attendee.full_name,
            purpose=purpose,
            notice_version=notice.current_version(attendee.festival),
            given_at=now,
            how=how,
            recorded_by=by,
        ),
        by=by,
        subject={"attendee_id": attendee.id},
    )


def record_author_choices(exhibit: Exhibit, ticked: Sequence[bool], *, by: User | None, now: datetime) -> None:
    """Apply the unit's ticks on the exhibit form, one per author in order: a tick gives consent (how="web",
    recorded by the unit on the author's declaration), an untick withdraws a standing one."""
    for author, tick in zip(exhibit.authors, ticked):
        standing = active_consent(author)
        if tick and standing is None:
            give_author_consent(author, how="web", by=by, now=now)
        elif not tick and standing is not None:
            withdraw_consent(standing, how="web", by=by, now=now)


def author_consents(exhibit: Exhibit) -> list[Consent]:
    """Every gallery consent ever recorded for the exhibit's authors (standing and withdrawn), newest first."""
    ids = [a.id for a in exhibit.authors]
    if not ids:
        return []
    return list(
        db.session.execute(
            db.select(Consent)
            .where(Consent.author_id.in_(ids), Consent.purpose == GALLERY_NAME_PHOTO)
            .order_by(Consent.given_at.desc(), Consent.id.desc())
        ).scalars()
    )


@dataclass(frozen=True)
class PublicAuthor:
    name: str
    job_title: str
    is_hidden: bool


def public_authors(
    exhibit: Exhibit, hidden_label=HIDDEN_AUTHOR, consenting: set[int] | None = None
) -> list[PublicAuthor]:
    """The exhibit's authors as the public sees them: a name (and job title) only with standing consent.
    `consenting`: the consenting author ids when already read for many exhibits at once (a print)."""
    if consenting is None:
        consenting = consenting_author_ids(a.id for a in exhibit.authors)
    return [
        PublicAuthor(a.full_name, a.job_title, False)
        if a.id in consenting
        else PublicAuthor(str(hidden_label), "", True)
        for a in exhibit.authors
    ]


def exhibits_with_public_photos(exhibits: Iterable[Exhibit]) -> set[int]:
    """The ids of those exhibits whose photos may be shown publicly: every author consents (one query)."""
    exhibits = list(exhibits)
    consenting = consenting_author_ids(a.id for e in exhibits for a in e.authors)
    return {e.id for e in exhibits if e.authors and all(a.id in consenting for a in e.authors)}


def shows_photos(exhibit: Exhibit) -> bool:
    """Whether the exhibit's photos may be shown publicly (every author consents)."""
    return exhibit.id in exhibits_with_public_photos([exhibit])


def publicly_searchable(statement, query: str):
    """`statement` (exhibits already narrowed by the stored search text, which holds every author's name) kept to
    those the query matches by what the public sees: code, title and the names of consenting authors only, so a
    search by a hidden author's name finds nothing."""
    words = fold(query).split()[:8]
    if not words:
        return statement
    candidates = list(db.session.execute(statement).unique().scalars())
    consenting = consenting_author_ids(a.id for e in candidates for a in e.authors)
    kept = [
        e.id
        for e in candidates
        if all(
            word in fold(" ".join([e.code or "", e.title, *(a.full_name for a in e.authors if a.id in consenting)]))
            for word in words
        )
    ]
    return statement.where(Exhibit.id.in_(kept))
