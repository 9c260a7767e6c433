"""One person as Festival holds them: the accounts, badges (attendee rows) and exhibit authorships an
organizer has recognised as the same person, with the e-mail addresses and phone numbers those rows carry.
Finding a person, exporting what is held about them, correcting and erasing it all start from a `Person`."""

from collections.abc import Iterable
from dataclasses import dataclass

from festival.core.extensions import db
from festival.models import Attendee, Author, User


@dataclass(frozen=True)
class Person:
    user_ids: frozenset[int] = frozenset()
    attendee_ids: frozenset[int] = frozenset()
    author_ids: frozenset[int] = frozenset()
    emails: frozenset[str] = frozenset()  # lower-case, as stored
    phones: frozenset[str] = frozenset()  # digits, as stored

    @property
    def is_empty(self) -> bool:
        return not (self.user_ids or self.attendee_ids or self.author_ids)


def person_from_ids(
    user_ids: Iterable[int] = (), attendee_ids: Iterable[int] = (), author_ids: Iterable[int] = ()
) -> Person:
    """The person made of these rows (ids that no longer exist are dropped), with their addresses and phones."""
    users = db.session.scalars(db.select(User).where(User.id.in_(list(user_ids)))).all() if user_ids else []
    attendees = (
        db.session.scalars(db.select(Attendee).where(Attendee.id.in_(list(attendee_ids)))).all() if attendee_ids else []
    )
    authors = db.session.scalars(db.select(Author).where(Author.id.in_(list(author_ids)))).all() if author_ids else []
    emails = {user.email.lower() for user in users} | {a.email.lower() for a in attendees if a.email}
    phones = {a.phone for a in attendees if a.phone}
    return Person(
        user_ids=frozenset(user.id for user in users),
        attendee_ids=frozenset(a.id for a in attendees),
        author_ids=frozenset(a.id for a in authors),
        emails=frozenset(emails),
        phones=frozenset(phones),
    )
