"""Recording scans at the gates: exactly one "checked in" per person, every scan logged once; the
check-in list a gate keeps to go on scanning without the server, and the scans it uploads later."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from festival.badges.services import badge_roles, find_by_token
from festival.extensions import db
from festival.formatting import festival_timezone, fold
from festival.models import Attendee, CheckIn, Festival, Region, RevokedBadge, ScanResult, Unit, User

MESSAGES = {
    ScanResult.CHECKED_IN: _l("Chào mừng!"),
    ScanResult.ALREADY: _l("Đã vào cổng trước đó."),
    ScanResult.UNKNOWN: _l("Mã không hợp lệ."),
    ScanResult.REVOKED: _l("Thẻ đã bị thu hồi (đã cấp thẻ mới)."),
}


def token_from(scanned: str) -> str:
    """The badge token in what the camera read: the whole check-in URL or the bare token."""
    text = (scanned or "").strip()
    if "/c/" in text:
        text = text.rsplit("/c/", 1)[1]
    return text.split("?", 1)[0].split("#", 1)[0].strip("/")[:64]


@dataclass(frozen=True)
class Offline:
    """A scan decided on the gate's device without the server: what it showed."""

    shown: ScanResult


def _record(
    festival: Festival,
    attendee: Attendee | None,
    result: ScanResult,
    staff: User,
    gate: str,
    nonce: str,
    now: datetime,
    reason: str,
    method: str,
    offline: Offline | None = None,
) -> CheckIn:
    entry = CheckIn(
        festival_id=festival.id,
        attendee=attendee,
        staff_id=staff.id,
        gate=gate,
        result=result,
        reason=reason[:200],
        method=method,
        nonce=nonce,
        scanned_at=now,
        offline=offline is not None,
        shown=offline.shown if offline else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        # The same scan arrived twice at the same moment: the first one is the answer.
        return db.session.execute(db.select(CheckIn).where(CheckIn.nonce == nonce)).scalar_one()
    return entry


def _admit(
    festival: Festival,
    attendee: Attendee,
    staff: User,
    gate: str,
    nonce: str,
    now: datetime,
    method: str,
    offline: Offline | None = None,
) -> CheckIn:
    # One conditional UPDATE: of any number of simultaneous scans only one finds the person not
    # yet checked in, on SQLite and PostgreSQL alike. A scan made offline and uploaded late may be
    # earlier than the arrival recorded meanwhile: the person arrived then, at that gate.
    arrived = Attendee.checked_in_at.is_(None)
    if offline is not None:
        arrived = sa.or_(arrived, Attendee.checked_in_at > now)
    admitted = db.session.execute(
        sa.update(Attendee).where(Attendee.id == attendee.id, arrived).values(checked_in_at=now, checked_in_gate=gate)
    ).rowcount
    db.session.refresh(attendee)
    result = ScanResult.CHECKED_IN if admitted == 1 else ScanResult.ALREADY
    return _record(festival, attendee, result, staff, gate, nonce, now, "", method, offline)


def previous(nonce: str) -> CheckIn | None:
    return db.session.execute(db.select(CheckIn).where(CheckIn.nonce == nonce)).scalar_one_or_none()


def record_scan(
    festival: Festival,
    scanned: str,
    staff: User,
    gate: str,
    nonce: str,
    now: datetime,
    offline: Offline | None = None,
) -> CheckIn:
    """Check a badge in from what the camera read; a repeated nonce gets the first answer back."""
    done = previous(nonce)
    if done is not None:
        return done
    attendee, revoked = find_by_token(token_from(scanned))
    if attendee is not None and attendee.festival_id != festival.id:
        reason = "badge of another festival"
        return _record(festival, None, ScanResult.UNKNOWN, staff, gate, nonce, now, reason, "scan", offline)
    if attendee is None:
        if revoked is not None:
            reason = revoked.reason or "reissued"
            return _record(
                festival, revoked.attendee, ScanResult.REVOKED, staff, gate, nonce, now, reason, "scan", offline
            )
        reason = f"unknown code {scanned[:60]!r}"
        return _record(festival, None, ScanResult.UNKNOWN, staff, gate, nonce, now, reason, "scan", offline)
    return _admit(festival, attendee, staff, gate, nonce, now, "scan", offline)


def check_in_person(
    festival: Festival,
    attendee: Attendee,
    staff: User,
    gate: str,
    nonce: str,
    now: datetime,
    offline: Offline | None = None,
) -> CheckIn:
    """Check in someone found by name or phone (no badge at hand)."""
    done = previous(nonce)
    if done is not None:
        return done
    return _admit(festival, attendee, staff, gate, nonce, now, "search", offline)


# Gates without the server ------------------------------------------------------------------

# An upload may say a scan happened up to this far in the future (the device's clock may be a
# little ahead); later times are taken as now.
CLOCK_SLACK = timedelta(minutes=5)


def token_hash(token: str) -> str:
    """How the check-in list names a badge: a device that is lost holds no usable badge code."""
    return hashlib.sha256(token.encode()).hexdigest()


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
    return {"festival": festival.id, "generated_at": now.isoformat(), "people": people, "revoked": revoked}


@dataclass(frozen=True)
class QueuedScan:
    """One scan a gate decided offline and uploads now."""

    nonce: str
    scanned_at: datetime
    gate: str
    shown: ScanResult
    code: str = ""
    attendee_id: int | None = None


def record_offline_scans(festival: Festival, staff: User, scans: list[QueuedScan], now: datetime) -> list[CheckIn]:
    """Record a gate's queue in the order the scans were made (a scan sent twice counts once)."""
    recorded = []
    for scan in sorted(scans, key=lambda s: (s.scanned_at, s.nonce)):
        when = scan.scanned_at if scan.scanned_at <= now + CLOCK_SLACK else now
        offline = Offline(shown=scan.shown)
        if scan.attendee_id is not None:
            attendee = db.session.get(Attendee, scan.attendee_id)
            if attendee is None or attendee.festival_id != festival.id:
                reason = "no such attendee"
                entry = previous(scan.nonce) or _record(
                    festival, None, ScanResult.UNKNOWN, staff, scan.gate, scan.nonce, when, reason, "search", offline
                )
            else:
                entry = check_in_person(festival, attendee, staff, scan.gate, scan.nonce, when, offline)
        else:
            entry = record_scan(festival, scan.code, staff, scan.gate, scan.nonce, when, offline)
        recorded.append(entry)
    return recorded


@dataclass
class DoubleEntry:
    """Someone let in twice (at least once by a gate without the server)."""

    attendee: Attendee
    entries: list[tuple[str, datetime]]  # (gate, time) of each admission


def double_entries(festival: Festival) -> list[DoubleEntry]:
    """People admitted more than once: a gate decided offline that they had not arrived yet."""
    admitted = sa.or_(
        sa.and_(CheckIn.offline.is_(True), CheckIn.shown == ScanResult.CHECKED_IN),
        sa.and_(CheckIn.offline.is_(False), CheckIn.result == ScanResult.CHECKED_IN),
    )
    rows = db.session.execute(
        db.select(CheckIn)
        .where(CheckIn.festival_id == festival.id, CheckIn.attendee_id.is_not(None), admitted)
        .order_by(CheckIn.scanned_at)
    ).scalars()
    by_person: dict[int, DoubleEntry] = {}
    for row in rows:
        by_person.setdefault(row.attendee_id, DoubleEntry(row.attendee, [])).entries.append((row.gate, row.scanned_at))
    return [entry for entry in by_person.values() if len(entry.entries) > 1]


@dataclass
class Dashboard:
    total: int
    checked_in: int
    by_role: list[tuple[str, str, int, int]]  # name, colour, checked in, registered
    by_region: list[tuple[str, int, int]]
    by_unit: list[tuple[str, int, int]]
    arrivals: list[tuple[datetime, int]]  # start of each 15-minute slot (local time), arrivals
    scans: int
    refused: int


def dashboard(festival: Festival) -> Dashboard:
    """Who has arrived: by role, region and unit, and arrivals per 15 minutes."""
    rows = db.session.execute(
        db.select(Attendee.role_id, Unit.code, Unit.short_name, Unit.region, Attendee.checked_in_at)
        .outerjoin(Attendee.unit)
        .where(Attendee.festival_id == festival.id)
    ).all()
    roles = {role.id: role for role in badge_roles(festival)}
    by_role = {role_id: [0, 0] for role_id in roles}
    by_region: dict = {}
    by_unit: dict = {}
    zone = festival_timezone()
    slots: dict[datetime, int] = {}
    for role_id, code, short, region, arrived in rows:
        for table, key in ((by_role, role_id), (by_region, region), (by_unit, (code, short) if code else None)):
            counts = table.setdefault(key, [0, 0])
            counts[1] += 1
            counts[0] += arrived is not None
        if arrived is not None:
            local = arrived.astimezone(zone)
            slot = local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)
            slots[slot] = slots.get(slot, 0) + 1
    arrivals = []
    if slots:
        slot, last = min(slots), max(slots)
        while slot <= last:
            arrivals.append((slot, slots.get(slot, 0)))
            slot += timedelta(minutes=15)
    scans = db.session.scalar(db.select(sa.func.count()).select_from(CheckIn).where(CheckIn.festival_id == festival.id))
    refused = db.session.scalar(
        db.select(sa.func.count())
        .select_from(CheckIn)
        .where(CheckIn.festival_id == festival.id, CheckIn.result.in_([ScanResult.UNKNOWN, ScanResult.REVOKED]))
    )
    units = [
        (f"{key[1]} ({key[0]})" if key else str(_l("Khách, báo chí…")), arrived, registered)
        for key, (arrived, registered) in sorted(
            by_unit.items(), key=lambda item: (item[0] is None, -item[1][0], item[0] or ("", ""))
        )
    ]
    regions = [
        (str(region.label) if region else str(_l("Khác")), arrived, registered)
        for region, (arrived, registered) in sorted(
            by_region.items(), key=lambda item: list(Region).index(item[0]) if item[0] else len(Region)
        )
    ]
    return Dashboard(
        total=len(rows),
        checked_in=sum(1 for row in rows if row.checked_in_at is not None),
        by_role=[(roles[r].name_vi, roles[r].colour, *by_role[r]) for r in roles],
        by_region=regions,
        by_unit=units,
        arrivals=arrivals,
        scans=scans,
        refused=refused,
    )
