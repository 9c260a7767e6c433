"""The visitors' choice vote: settings and window, linking a phone to a badge, the rules of a vote,
casting and changing it (phone or kiosk), and keeping results closed until the window ends."""

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from festival.core import audit
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.exhibits.services import accepted_exhibits
from festival.models import (
    Attendee,
    AuditLog,
    BadgeRole,
    Category,
    Exhibit,
    ExhibitStatus,
    Festival,
    RevokedBadge,
    User,
    Vote,
    VoteDevice,
    VotePolicy,
    VoteSource,
)
from festival.util.formatting import festival_timezone

# Audit actions that name the exhibit a badge chose.
VOTE_CHOICES = frozenset({"vote.cast", "vote.changed"})

# Why a vote is refused, in the words the visitor sees.
REFUSALS = {
    "off": _l("Ngày hội này không tổ chức bình chọn của khán giả."),
    "not_open": _l("Cổng bình chọn chưa mở."),
    "closed": _l("Cổng bình chọn đã đóng, không thể bình chọn hay đổi phiếu nữa."),
    "revoked": _l("Thẻ này đã bị thu hồi nên không thể bình chọn."),
    "not_checked_in": _l("Thẻ chưa được quét vào cổng. Hãy check-in tại cổng trước khi bình chọn."),
    "role": _l("Vai trò “%(role)s” không thuộc diện được bình chọn."),
    "own_unit": _l("Không thể bình chọn cho sáng kiến của chính đơn vị mình."),
    "not_public": _l("Sáng kiến này không có trong danh sách bình chọn."),
}


def policy_for(festival: Festival) -> VotePolicy:
    """The festival's vote settings; the defaults (vote off), unsaved, until an organizer saves them."""
    policy = db.session.get(VotePolicy, festival.id)
    if policy is not None:
        return policy
    return VotePolicy(
        festival_id=festival.id,
        is_enabled=False,
        voter_roles=[],
        per_category=False,
        own_unit_allowed=False,
        winners=1,
        unlock_reason="",
    )


def window(policy: VotePolicy, festival: Festival) -> tuple[datetime, datetime]:
    """When votes are taken: the saved times, or the festival's days in the festival's time zone."""
    zone = festival_timezone()
    opens = policy.opens_at or datetime.combine(festival.starts_on, time(0), zone)
    closes = policy.closes_at or datetime.combine(festival.ends_on + timedelta(days=1), time(0), zone)
    return opens, closes


def is_closed(policy: VotePolicy, festival: Festival, now: datetime) -> bool:
    return policy.is_enabled and now >= window(policy, festival)[1]


def results_visible(policy: VotePolicy, festival: Festival, now: datetime) -> bool:
    """Counts per exhibit are shown once the window has closed, or after an organizer unlocked them."""
    return is_closed(policy, festival, now) or policy.results_unlocked_at is not None


@dataclass
class PolicyInput:
    is_enabled: bool
    opens_at: datetime | None
    closes_at: datetime | None
    voter_roles: list[str]
    per_category: bool
    own_unit_allowed: bool
    winners: int
    reason: str = ""  # why the window now ends earlier, when it does while votes are sealed


def save_policy(festival: Festival, data: PolicyInput, by: User, now: datetime) -> VotePolicy:
    """Turn the vote on or off and set its rules (audited).

    Ending the window earlier while votes are cast and their counts still sealed opens the counts
    as surely as the reasoned unlock does (close for a minute, read, reopen), so it is one: it needs
    a reason and is recorded as the unlock the tally shows.
    :raise FestivalError: a window that ends before it starts, an unknown role, no winner, or an
        earlier end of a sealed vote without a reason.
    """
    if (data.opens_at is None) != (data.closes_at is None):
        raise FestivalError(_l("Hãy nhập cả giờ mở và giờ đóng, hoặc để trống cả hai (theo ngày hội)."))
    if data.opens_at is not None and data.opens_at >= data.closes_at:
        raise FestivalError(_l("Giờ đóng bình chọn phải sau giờ mở."))
    codes = {
        role.code
        for role in db.session.execute(db.select(BadgeRole).where(BadgeRole.festival_id == festival.id)).scalars()
    }
    if set(data.voter_roles) - codes:
        raise FestivalError(_l("Có vai trò không thuộc ngày hội này."))
    if not 1 <= data.winners <= 20:
        raise FestivalError(_l("Số giải phải từ 1 đến 20."))
    policy = policy_for(festival)
    old_close = window(policy, festival)[1]
    new_close = data.closes_at or window(VotePolicy(), festival)[1]
    ends_earlier = policy.results_unlocked_at is None and now < old_close and new_close < old_close
    if ends_earlier and has_votes(festival) and not data.reason.strip():
        raise FestivalError(
            _l(
                "Đóng bình chọn sớm hơn khi đã có phiếu sẽ mở kết quả trước giờ đã định: "
                "hãy ghi lý do (được ghi vào nhật ký và hiện trên trang kết quả)."
            )
        )
    if policy not in db.session:
        db.session.add(policy)
    fields = ("is_enabled", "opens_at", "closes_at", "voter_roles", "per_category", "own_unit_allowed", "winners")
    before = {name: getattr(policy, name) for name in fields}
    if policy.per_category != data.per_category and has_votes(festival):
        raise FestivalError(_l("Đã có phiếu bầu: không thể đổi cách tính (một phiếu hay mỗi lĩnh vực một phiếu)."))
    for name in fields:
        setattr(policy, name, getattr(data, name) if name != "voter_roles" else sorted(data.voter_roles))
    db.session.flush()
    after = {name: getattr(policy, name) for name in fields}
    if before != after:
        audit.record("vote.settings_saved", festival, by=by, before=before, after=after)
    if ends_earlier and has_votes(festival):
        _unlock(policy, festival, data.reason, by, now, ends_at={"before": old_close, "after": new_close})
    return policy


def unlock_results(festival: Festival, reason: str, by: User) -> None:
    """Show the counts before the window closes, with the organizer's reason (audited).

    :raise FestivalError: no reason, or already visible.
    """
    policy = policy_for(festival)
    if not reason.strip():
        raise FestivalError(_l("Hãy ghi lý do xem kết quả trước khi đóng bình chọn."))
    if policy.results_unlocked_at is not None:
        raise FestivalError(_l("Kết quả bình chọn đã được mở."))
    if policy not in db.session:
        db.session.add(policy)
    _unlock(policy, festival, reason, by, datetime.now(festival_timezone()))


def _unlock(policy: VotePolicy, festival: Festival, reason: str, by: User, now: datetime, **detail) -> None:
    policy.results_unlocked_at = now
    policy.results_unlocked_by_id, policy.unlock_reason = by.id, reason.strip()[:500]
    audit.record("vote.results_unlocked", festival, by=by, after={"reason": policy.unlock_reason, **detail})


# Linking a phone to a badge ------------------------------------------------------------------


def link_device(attendee: Attendee, address: str, now: datetime) -> str:
    """Link the phone that opened the badge's page to the badge; returns the secret its cookie carries.

    One phone per badge: linking again (another phone, or the same one after clearing its cookies)
    replaces the secret, so the previous phone can no longer vote; the move is audited.
    """
    device = db.session.get(VoteDevice, attendee.id)
    secret = secrets.token_urlsafe(24)
    if device is None:
        db.session.add(
            VoteDevice(
                attendee=attendee, secret=secret, badge_token=attendee.badge_token, linked_at=now, address=address
            )
        )
        audit.record("vote.device_linked", attendee, after={"address": address})
    else:
        audit.record(
            "vote.device_relinked",
            attendee,
            before={"linked_at": device.linked_at, "address": device.address},
            after={"address": address, "links": device.links + 1},
        )
        device.secret, device.badge_token, device.linked_at = secret, attendee.badge_token, now
        device.address, device.links = address, device.links + 1
    db.session.flush()
    return secret


def unlink_device(attendee: Attendee) -> bool:
    """Remove the link between the badge and its phone (the visitor withdrew); False if there was none. The
    votes already cast stay."""
    device = db.session.get(VoteDevice, attendee.id)
    if device is None:
        return False
    audit.record("vote.device_unlinked", attendee, before={"linked_at": device.linked_at, "address": device.address})
    db.session.delete(device)
    db.session.flush()
    return True


def linked_voter(attendee_id: int | None, secret: str | None) -> tuple[Attendee | None, str | None]:
    """The attendee a phone's cookie names, if that phone is still the badge's linked one, and a reason
    code when it is not ("moved": another phone linked since; "revoked": the badge was reissued)."""
    if not attendee_id or not secret:
        return None, None
    device = db.session.get(VoteDevice, attendee_id)
    if device is None or not secrets.compare_digest(device.secret, secret):
        revoked = db.session.execute(
            db.select(RevokedBadge.id).where(RevokedBadge.attendee_id == attendee_id).limit(1)
        ).first()
        return None, ("revoked" if revoked and device is None else "moved")
    if device.badge_token != device.attendee.badge_token:
        return None, "revoked"
    return device.attendee, None


# The rules -----------------------------------------------------------------------------------


def refusal(policy: VotePolicy, festival: Festival, attendee: Attendee, now: datetime, badge_token: str) -> str | None:
    """Why this badge may not vote now (a code of REFUSALS), or None."""
    if not policy.is_enabled:
        return "off"
    opens, closes = window(policy, festival)
    if now < opens:
        return "not_open"
    if now >= closes:
        return "closed"
    if badge_token != attendee.badge_token:
        return "revoked"
    if attendee.checked_in_at is None:
        return "not_checked_in"
    if policy.voter_roles and attendee.role.code not in policy.voter_roles:
        return "role"
    return None


def refusal_for_exhibit(policy: VotePolicy, attendee: Attendee, exhibit: Exhibit) -> str | None:
    if exhibit.festival_id != attendee.festival_id or exhibit.status is not ExhibitStatus.ACCEPTED:
        return "not_public"
    if not policy.own_unit_allowed and attendee.unit_id is not None and attendee.unit_id == exhibit.unit_id:
        return "own_unit"
    return None


def refusal_message(code: str, attendee: Attendee | None = None) -> str:
    if code == "role" and attendee is not None:
        return str(REFUSALS["role"] % {"role": attendee.role.name_vi})
    return str(REFUSALS[code])


def slot_of(policy: VotePolicy, exhibit: Exhibit) -> int:
    return exhibit.category_id if policy.per_category else 0


def voting_categories(festival: Festival) -> list[Category]:
    """Categories with accepted exhibits: one vote each when voting per category."""
    return list(
        db.session.execute(
            db.select(Category)
            .where(
                Category.festival_id == festival.id,
                accepted_exhibits(festival).where(Exhibit.category_id == Category.id).exists(),
            )
            .order_by(Category.position, Category.code)
        ).scalars()
    )


def has_votes(festival: Festival) -> bool:
    stmt = db.select(Vote.id).where(Vote.festival_id == festival.id, Vote.withdrawn_at.is_(None)).limit(1)
    return db.session.execute(stmt).first() is not None


def badge_votes(attendee: Attendee) -> list[Vote]:
    """The votes the badge (as it is now) has cast, live ones only."""
    return list(
        db.session.execute(
            db.select(Vote)
            .where(Vote.badge_token == attendee.badge_token, Vote.withdrawn_at.is_(None))
            .order_by(Vote.slot)
        ).scalars()
    )


@dataclass
class Ballot:
    """What a voter sees: their votes, how many remain, and why they may not vote (if so)."""

    attendee: Attendee
    votes: list[Vote]
    slots: int
    refusal: str | None

    @property
    def remaining(self) -> int:
        return max(0, self.slots - len(self.votes))

    def vote_in(self, slot: int) -> Vote | None:
        return next((vote for vote in self.votes if vote.slot == slot), None)


def ballot(festival: Festival, attendee: Attendee, now: datetime) -> Ballot:
    policy = policy_for(festival)
    slots = len(voting_categories(festival)) if policy.per_category else 1
    return Ballot(
        attendee, badge_votes(attendee), slots, refusal(policy, festival, attendee, now, attendee.badge_token)
    )


def cast_vote(
    festival: Festival,
    attendee: Attendee,
    badge_token: str,
    exhibit: Exhibit,
    *,
    source: VoteSource,
    address: str,
    now: datetime,
    by: User | None = None,
) -> tuple[Vote, str]:
    """Vote for `exhibit` with the badge, or move the badge's vote in that slot to it.

    Returns the vote and what happened: "cast", "changed" or "same". One row per badge and slot
    (a unique key written with INSERT … ON CONFLICT), so simultaneous requests from one badge
    leave exactly one vote.
    :raise NotAllowed: the refusal's reason (REFUSALS).
    """
    policy = policy_for(festival)
    code = refusal(policy, festival, attendee, now, badge_token) or refusal_for_exhibit(policy, attendee, exhibit)
    if code is not None:
        raise NotAllowed(refusal_message(code, attendee))
    slot = slot_of(policy, exhibit)
    previous = db.session.execute(
        db.select(Vote.exhibit_id).where(Vote.badge_token == badge_token, Vote.slot == slot)
    ).scalar_one_or_none()
    table = Vote.__table__
    insert = (pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert)(table)
    moved = table.c.exhibit_id != insert.excluded.exhibit_id
    db.session.execute(
        insert.values(
            festival_id=festival.id,
            attendee_id=attendee.id,
            badge_token=badge_token,
            slot=slot,
            exhibit_id=exhibit.id,
            source=source,
            address=address[:64],
            cast_at=now,
            changed_at=now,
            changes=0,
            withdrawn_reason="",
        ).on_conflict_do_update(
            index_elements=[table.c.badge_token, table.c.slot],
            set_={
                "exhibit_id": insert.excluded.exhibit_id,
                "source": insert.excluded.source,
                "address": insert.excluded.address,
                "changed_at": sa.case((moved, insert.excluded.changed_at), else_=table.c.changed_at),
                "changes": table.c.changes + sa.case((moved, 1), else_=0),
            },
        )
    )
    vote = db.session.execute(
        db.select(Vote)
        .where(Vote.badge_token == badge_token, Vote.slot == slot)
        .execution_options(populate_existing=True)
    ).scalar_one()
    outcome = "cast" if previous is None else ("same" if previous == exhibit.id else "changed")
    if outcome != "same":
        audit.record(
            f"vote.{outcome}",
            vote,
            by=by,
            before={"exhibit": previous} if previous is not None else None,
            after={
                "attendee": attendee.id,
                "exhibit": exhibit.id,
                "slot": slot,
                "source": source,
                "address": address,
            },
        )
    return vote, outcome


def sealed_vote_entries(entries: list[AuditLog], now: datetime) -> set[int]:
    """The audit-log rows (ids) among `entries` that say what a badge voted for while its festival's
    counts are still sealed: pages show that the badge voted, not for what, until the window closes
    or the counts are unlocked with a reason."""
    vote_ids = {e.object_id for e in entries if e.object_type == Vote.__tablename__ and e.action in VOTE_CHOICES}
    if not vote_ids:
        return set()
    festival_of = dict(db.session.execute(db.select(Vote.id, Vote.festival_id).where(Vote.id.in_(vote_ids))).all())
    sealed = set()
    for festival_id in set(festival_of.values()):
        festival = db.session.get(Festival, festival_id)
        if not results_visible(policy_for(festival), festival, now):
            sealed.add(festival_id)
    return {e.id for e in entries if e.action in VOTE_CHOICES and festival_of.get(e.object_id) in sealed}


# The kiosk -----------------------------------------------------------------------------------


def badge_from_code(festival: Festival, code: str) -> Attendee:
    """The attendee a scanned badge (its URL or bare token) belongs to, for the kiosk.

    :raise NotAllowed: revoked badge.
    :raise FestivalError: not a badge of this festival.
    """
    token = (code or "").strip().rstrip("/").rsplit("/", 1)[-1][:43]
    attendee = db.session.execute(db.select(Attendee).where(Attendee.badge_token == token)).scalar_one_or_none()
    if attendee is None or attendee.festival_id != festival.id:
        if token and db.session.execute(db.select(RevokedBadge.id).where(RevokedBadge.token == token)).first():
            raise NotAllowed(REFUSALS["revoked"])
        raise FestivalError(_l("Không nhận ra thẻ này. Hãy quét lại mã QR trên thẻ tham dự."))
    return attendee
