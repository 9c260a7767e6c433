"""A festival long over, holding personal data of every purged category, and one that has just ended."""

import os
from datetime import date, timedelta
from decimal import Decimal

import pytest

from festival.core import storage
from festival.core.extensions import db
from festival.models import (
    Attendee,
    Award,
    AwardTier,
    BadgeRole,
    CheckIn,
    HeldScan,
    HoldReason,
    MailMessage,
    MailStatus,
    Role,
    ScanResult,
    SignInFailures,
    UserSession,
    Vote,
    VoteDevice,
    VoteSource,
    utcnow,
)
from tests import factories

LONG_AGO = timedelta(days=800)


def _attendee(festival, n, **values):
    role = db.session.execute(db.select(BadgeRole).where(BadgeRole.festival_id == festival.id)).scalars().first()
    attendee = Attendee(
        festival=festival,
        full_name=f"Người tham dự {n}",
        role=role,
        email=f"nguoi{n}.{festival.edition}@example.vn",
        phone=f"09{festival.edition:03d}{n:05d}",
        **values,
    )
    db.session.add(attendee)
    db.session.flush()
    return attendee


def fill(festival, staff, *, old):
    """Personal data of every category in `festival`; `old` ones were written long ago."""
    then = utcnow() - (LONG_AGO if old else timedelta(days=1))
    unit = factories.make_unit()
    category = factories.make_category(festival)
    exhibit = factories.make_exhibit(festival, unit, category, authors=("Trần Thị Bình",))
    db.session.add(Award(festival=festival, exhibit=exhibit, tier=AwardTier.FIRST, rank=1, score=Decimal("9.5")))
    people = [_attendee(festival, n, checked_in_at=then, checked_in_gate="Cổng chính") for n in range(1, 4)]
    for n, person in enumerate(people):
        db.session.add(
            CheckIn(
                festival_id=festival.id,
                attendee=person,
                staff=staff,
                gate="Cổng chính",
                result=ScanResult.CHECKED_IN,
                nonce=f"{festival.edition}-{n}",
                scanned_at=then,
            )
        )
        db.session.add(
            VoteDevice(
                attendee=person,
                secret=f"s{festival.edition}-{n}",
                badge_token=person.badge_token,
                address="10.0.0.9",
                linked_at=then,
            )
        )
        db.session.add(
            Vote(
                festival_id=festival.id,
                attendee=person,
                badge_token=person.badge_token,
                slot=0,
                exhibit=exhibit,
                source=VoteSource.PHONE,
                address="10.0.0.9",
                cast_at=then,
            )
        )
    db.session.add(
        HeldScan(
            festival_id=festival.id,
            staff=staff,
            attendee=people[0],
            gate="Cổng phụ",
            badge=ScanResult.CHECKED_IN,
            nonce=f"held-{festival.edition}",
            reason=HoldReason.NO_LIST,
            claimed_at=then,
            received_at=then,
        )
    )
    for n, status in enumerate((MailStatus.SENT, MailStatus.QUEUED)):
        db.session.add(
            MailMessage(
                festival=festival,
                kind="badge",
                recipient_email=people[n].email,
                recipient_name="X",
                subject="Thẻ",
                body_text="Chào anh, số điện thoại của anh là 0901",
                facts={"phone": "0901"},
                message_id=f"<m{festival.edition}-{n}@festival>",
                status=status,
                created_at=then,
                outbox_file=f"m{festival.edition}-{n}.eml",
            )
        )
        storage.store("outbox").put(f"m{festival.edition}-{n}.eml", b"Chao anh, so dien thoai cua anh la 0901")
    db.session.flush()
    return {"exhibit": exhibit, "people": people}


@pytest.fixture
def world(app):
    """Festival 1 ended over two years ago (current), festival 2 ended yesterday: rows of every category."""
    with app.app_context():
        today = date.today()
        old = factories.make_festival(1, is_current=True, starts_on=today - LONG_AGO, ends_on=today - LONG_AGO)
        recent = factories.make_festival(
            2, is_current=False, starts_on=today - timedelta(days=2), ends_on=today - timedelta(days=1)
        )
        staff = factories.make_user(Role.CHECKIN)
        organizer = factories.make_user(Role.ORGANIZER, email="boss@example.vn")
        old_rows = fill(old, staff, old=True)
        fill(recent, staff, old=False)
        long_ago = utcnow() - LONG_AGO
        db.session.add(
            UserSession(
                user=staff,
                token_hash="a" * 64,
                user_agent="Firefox",
                created_at=long_ago,
                expires_at=long_ago + timedelta(days=1),
            )
        )
        db.session.add(
            UserSession(user=staff, token_hash="b" * 64, user_agent="Chrome", expires_at=utcnow() + timedelta(days=1))
        )
        db.session.add(SignInFailures(account_key="ai.do@example.vn", failures=3, last_failed_at=long_ago))
        db.session.add(SignInFailures(account_key="moi@example.vn", failures=1, last_failed_at=utcnow()))
        db.session.commit()
        files = storage.store("imports")
        files.put("stale.xlsx", b"old list")
        files.put("fresh.xlsx", b"new list")
        stale = long_ago.timestamp()
        os.utime(files.path("stale.xlsx"), (stale, stale))
        prints = storage.store("prints")
        prints.put("badges-old.pdf", b"%PDF old badges")
        prints.put("badges-new.pdf", b"%PDF new badges")
        os.utime(prints.path("badges-old.pdf"), (stale, stale))
        return {
            "old": old.id,
            "recent": recent.id,
            "organizer": organizer.email,
            "exhibit": old_rows["exhibit"].id,
            "people": [p.id for p in old_rows["people"]],
        }
