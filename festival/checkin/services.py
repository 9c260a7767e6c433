"""Recording scans at the gates: exactly one "checked in" per person, every scan logged once."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from festival.badges.services import badge_roles, find_by_token
from festival.extensions import db
from festival.formatting import festival_timezone
from festival.models import Attendee, CheckIn, Festival, Region, ScanResult, Unit, User

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
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        # The same scan arrived twice at the same moment: the first one is the answer.
        return db.session.execute(db.select(CheckIn).where(CheckIn.nonce == nonce)).scalar_one()
    return entry


def _admit(
    festival: Festival, attendee: Attendee, staff: User, gate: str, nonce: str, now: datetime, method: str
) -> CheckIn:
    # One conditional UPDATE: of any number of simultaneous scans only one finds the person not
    # yet checked in, on SQLite and PostgreSQL alike.
    admitted = db.session.execute(
        sa.update(Attendee)
        .where(Attendee.id == attendee.id, Attendee.checked_in_at.is_(None))
        .values(checked_in_at=now, checked_in_gate=gate)
    ).rowcount
    db.session.refresh(attendee)
    result = ScanResult.CHECKED_IN if admitted == 1 else ScanResult.ALREADY
    return _record(festival, attendee, result, staff, gate, nonce, now, "", method)


def previous(nonce: str) -> CheckIn | None:
    return db.session.execute(db.select(CheckIn).where(CheckIn.nonce == nonce)).scalar_one_or_none()


def record_scan(festival: Festival, scanned: str, staff: User, gate: str, nonce: str, now: datetime) -> CheckIn:
    """Check a badge in from what the camera read; a repeated nonce gets the first answer back."""
    done = previous(nonce)
    if done is not None:
        return done
    attendee, revoked = find_by_token(token_from(scanned))
    if attendee is not None and attendee.festival_id != festival.id:
        return _record(festival, None, ScanResult.UNKNOWN, staff, gate, nonce, now, "badge of another festival", "scan")
    if attendee is None:
        if revoked is not None:
            return _record(
                festival,
                revoked.attendee,
                ScanResult.REVOKED,
                staff,
                gate,
                nonce,
                now,
                revoked.reason or "reissued",
                "scan",
            )
        return _record(
            festival, None, ScanResult.UNKNOWN, staff, gate, nonce, now, f"unknown code {scanned[:60]!r}", "scan"
        )
    return _admit(festival, attendee, staff, gate, nonce, now, "scan")


def check_in_person(
    festival: Festival, attendee: Attendee, staff: User, gate: str, nonce: str, now: datetime
) -> CheckIn:
    """Check in someone found by name or phone (no badge at hand)."""
    done = previous(nonce)
    if done is not None:
        return done
    return _admit(festival, attendee, staff, gate, nonce, now, "search")


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
