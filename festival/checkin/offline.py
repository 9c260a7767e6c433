"""Gates without the server: the check-in list a gate keeps to go on scanning, the scans it uploads
later, and those uploads whose time the server cannot believe, held for an organizer's review."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import selectinload

from festival.badges.services import badge_roles, find_by_token
from festival.checkin.services import (
    Offline,
    check_in_person,
    festival_window,
    log_scan,
    previous,
    record_scan,
    token_from,
)
from festival.core import audit
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.models import Attendee, CheckIn, Festival, HeldScan, HoldReason, RevokedBadge, ScanResult, User
from festival.util.formatting import fold


def token_hash(token: str) -> str:
    """How the check-in list names a badge: a device that is lost holds no usable badge code."""
    return hashlib.sha256(token.encode()).hexdigest()


def _list_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="checkin-list")


def list_token(festival: Festival, issued_at: datetime) -> str:
    """The signed note of when the server gave out a check-in list: a device sends it back with each
    scan it decided from that list, so the server knows the scan cannot be older than the list."""
    return _list_serializer().dumps({"f": festival.id, "t": issued_at.isoformat()})


def list_issued_at(festival: Festival, token: str) -> datetime | None:
    """When the list behind `token` was given out, or None for a token not signed here for this festival."""
    try:
        data = _list_serializer().loads(token)
        return datetime.fromisoformat(data["t"]) if data["f"] == festival.id else None
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def checkin_list(festival: Festival, now: datetime) -> dict:
    """Everything a gate needs to decide scans on its own: each badge (by the hash of its code) with
    the person's name, unit and role, who has arrived already, and the codes replaced by reissues."""
    roles = {role.id: role for role in badge_roles(festival)}
    people = []
    for attendee in db.session.execute(
        db.select(Attendee)
        .where(Attendee.festival_id == festival.id)
        .order_by(Attendee.id)
        .options(selectinload(Attendee.unit))
    ).scalars():
        role = roles[attendee.role_id]
        people.append(
            {
                "h": token_hash(attendee.badge_token),
                "id": attendee.id,
                "name": attendee.full_name,
                "affiliation": attendee.affiliation,
                "role": role.name_vi,
                "colour": role.colour,
                "phone_tail": attendee.phone[-3:] if attendee.phone else "",
                # The name folded as the server's search folds it; no phone number or e-mail on the device.
                "search": fold(attendee.full_name),
                "checked_in_at": attendee.checked_in_at.isoformat() if attendee.checked_in_at else None,
                "checked_in_gate": attendee.checked_in_gate,
            }
        )
    revoked = [
        {"h": token_hash(row.token), "name": row.attendee.full_name, "reason": row.reason}
        for row in db.session.execute(
            db.select(RevokedBadge).join(RevokedBadge.attendee).where(Attendee.festival_id == festival.id)
        ).scalars()
    ]
    return {
        "festival": festival.id,
        "generated_at": now.isoformat(),
        "token": list_token(festival, now),
        "people": people,
        "revoked": revoked,
    }


@dataclass(frozen=True)
class QueuedScan:
    """One scan a gate decided offline and uploads now. What the device showed is not part of it: the
    server works that out from its own records."""

    nonce: str
    scanned_at: datetime
    gate: str
    list_issued_at: datetime | None  # when the list it was decided from was given out (None: unknown)
    code: str = ""
    attendee_id: int | None = None


def in_scan_order(scans: list[QueuedScan]) -> list[QueuedScan]:
    """A gate's queue in the order the scans were made (the order they are recorded in)."""
    return sorted(scans, key=lambda s: (s.scanned_at, s.nonce))


def hold_reason(festival: Festival, scan: QueuedScan, now: datetime) -> HoldReason | None:
    """Why the time of an uploaded scan cannot be believed, or None when it can."""
    skew = timedelta(minutes=current_app.config["CHECKIN_CLOCK_SKEW_MINUTES"])
    opens, closes = festival_window(festival)
    if not opens <= scan.scanned_at < closes:
        return HoldReason.OUTSIDE_FESTIVAL
    if scan.scanned_at > now + skew:
        return HoldReason.FUTURE
    if scan.list_issued_at is None:
        return HoldReason.NO_LIST
    if scan.scanned_at < scan.list_issued_at - skew:
        return HoldReason.BEFORE_LIST
    return None


def _hold(festival: Festival, staff: User, scan: QueuedScan, reason: HoldReason, now: datetime) -> HeldScan:
    held = db.session.execute(db.select(HeldScan).where(HeldScan.nonce == scan.nonce)).scalar_one_or_none()
    if held is not None:
        return held  # the same upload sent again
    attendee, badge, note, method = None, ScanResult.CHECKED_IN, "", "scan"
    if scan.attendee_id is not None:
        method = "search"
        attendee = db.session.get(Attendee, scan.attendee_id)
        if attendee is None or attendee.festival_id != festival.id:
            attendee, badge, note = None, ScanResult.UNKNOWN, "no such attendee"
    else:
        attendee, revoked = find_by_token(token_from(scan.code))
        if attendee is not None and attendee.festival_id != festival.id:
            attendee, badge, note = None, ScanResult.UNKNOWN, "badge of another festival"
        elif attendee is None and revoked is not None:
            attendee, badge, note = revoked.attendee, ScanResult.REVOKED, revoked.reason or "reissued"
        elif attendee is None:
            badge, note = ScanResult.UNKNOWN, f"unknown code {scan.code[:60]!r}"
    held = HeldScan(
        festival_id=festival.id,
        staff_id=staff.id,
        attendee=attendee,
        gate=scan.gate,
        method=method,
        badge=badge,
        note=note[:200],
        nonce=scan.nonce,
        reason=reason,
        claimed_at=scan.scanned_at,
        received_at=now,
    )
    db.session.add(held)
    db.session.flush()
    return held


def record_offline_scans(
    festival: Festival, staff: User, scans: list[QueuedScan], now: datetime
) -> list[CheckIn | HeldScan]:
    """Record (part of) a gate's queue in the order the scans were made, each nonce once; a scan dated
    where the server cannot believe it is held for review instead, and changes nothing."""
    recorded: list[CheckIn | HeldScan] = []
    for scan in in_scan_order(scans):
        done = previous(scan.nonce)
        if done is not None:
            recorded.append(done)
            continue
        reason = hold_reason(festival, scan, now)
        if reason is not None:
            recorded.append(_hold(festival, staff, scan, reason, now))
            continue
        offline = Offline(list_issued_at=scan.list_issued_at, received_at=now)
        if scan.attendee_id is not None:
            attendee = db.session.get(Attendee, scan.attendee_id)
            if attendee is None or attendee.festival_id != festival.id:
                reason_text = "no such attendee"
                entry = log_scan(
                    festival,
                    None,
                    ScanResult.UNKNOWN,
                    staff,
                    scan.gate,
                    scan.nonce,
                    scan.scanned_at,
                    reason_text,
                    "search",
                    offline,
                )
            else:
                entry = check_in_person(festival, attendee, staff, scan.gate, scan.nonce, scan.scanned_at, offline)
        else:
            entry = record_scan(festival, scan.code, staff, scan.gate, scan.nonce, scan.scanned_at, offline)
        recorded.append(entry)
    return recorded


# Review -------------------------------------------------------------------------------------


HELD_SHOWN = 200  # rows on the review page: a gate gone wrong may send thousands


def held_scans(festival: Festival) -> tuple[list[HeldScan], int]:
    """The festival's held scans to show (those waiting first, newest first; at most HELD_SHOWN), and
    how many wait for a decision in all."""
    rows = db.session.execute(
        db.select(HeldScan)
        .where(HeldScan.festival_id == festival.id)
        .order_by(HeldScan.decision.is_not(None), HeldScan.received_at.desc(), HeldScan.id.desc())
        .limit(HELD_SHOWN)
        .options(selectinload(HeldScan.attendee), selectinload(HeldScan.staff), selectinload(HeldScan.decided_by))
    ).scalars()
    waiting = db.session.scalar(
        db.select(sa.func.count())
        .select_from(HeldScan)
        .where(HeldScan.festival_id == festival.id, HeldScan.decision.is_(None))
    )
    return list(rows), waiting


def dismiss_all_held(festival: Festival, by: User, now: datetime) -> int:
    """Set aside every held scan still waiting (a device whose clock was wrong all day); how many."""
    count = db.session.execute(
        sa.update(HeldScan)
        .where(HeldScan.festival_id == festival.id, HeldScan.decision.is_(None))
        .values(decision="dismissed", decided_by_id=by.id, decided_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if count:
        audit.record("checkin.held_dismissed_all", festival, by=by, after={"count": count})
    return count


def _undecided(held: HeldScan) -> None:
    if held.decision is not None:
        raise FestivalError(_l("Lượt quét này đã được xử lý."))


def accept_held(held: HeldScan, by: User, now: datetime) -> CheckIn:
    """Apply a held scan as an arrival at the time the server received it (never the device's time):
    checked in if the person has not arrived yet, else a second entry; a refused code stays refused.

    :raise FestivalError: the scan was accepted or dismissed already.
    """
    _undecided(held)
    festival = db.session.get(Festival, held.festival_id)
    staff = held.staff or by  # the gate's account may have been deleted since
    offline = Offline(list_issued_at=None, received_at=held.received_at)
    when = held.received_at
    if held.badge is ScanResult.CHECKED_IN and held.attendee is not None:
        entry = check_in_person(festival, held.attendee, staff, held.gate, held.nonce, when, offline)
        entry.method = held.method
    else:
        result = held.badge if held.badge is not ScanResult.CHECKED_IN else ScanResult.UNKNOWN
        note = held.note or "attendee deleted"
        entry = log_scan(
            festival, held.attendee, result, staff, held.gate, held.nonce, when, note, held.method, offline
        )
    held.decision, held.decided_by_id, held.decided_at = "accepted", by.id, now
    audit.record(
        "checkin.held_accepted",
        held,
        by=by,
        after={
            "attendee_id": held.attendee_id,
            "gate": held.gate,
            "claimed_at": held.claimed_at,
            "recorded_at": when,
            "result": entry.result,
        },
    )
    return entry


def dismiss_held(held: HeldScan, by: User, now: datetime) -> None:
    """Set a held scan aside: it changes nothing, and stays listed as dismissed.

    :raise FestivalError: the scan was accepted or dismissed already.
    """
    _undecided(held)
    held.decision, held.decided_by_id, held.decided_at = "dismissed", by.id, now
    audit.record(
        "checkin.held_dismissed",
        held,
        by=by,
        after={"attendee_id": held.attendee_id, "gate": held.gate, "claimed_at": held.claimed_at},
    )
