"""Recording scans at the gates: exactly one "checked in" per person, every scan logged once; who was
let in twice, and the arrivals dashboard. Gates without the server: festival/checkin/offline.py."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from functools import cache

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from festival.badges.services import find_by_token
from festival.core import board_versions
from festival.core.extensions import db, take_write_lock
from festival.models import Attendee, AuditLog, BadgeRole, CheckIn, Festival, HeldScan, Region, ScanResult, Unit, User
from festival.util import boards
from festival.util.formatting import festival_timezone

# The dashboard's name for its version (festival/core/board_versions.py), and the tables whose rows it shows.
BOARD = "checkin"
board_versions.watch(BOARD, Attendee, CheckIn, HeldScan, Unit, BadgeRole, AuditLog)

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
    """A scan decided on the gate's device without the server, uploaded later: when the device
    fetched the check-in list it decided from (None when unknown), and when the server received it."""

    list_issued_at: datetime | None
    received_at: datetime


def log_scan(
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
    shown: ScanResult | None = None,
) -> CheckIn:
    """Write one scan to the log (a repeated nonce arriving at the same moment gets the first row)."""
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
        received_at=offline.received_at if offline else now,
        offline=offline is not None,
        # A refusal is red on the device too (its list has the same badges); an admission's colour
        # is worked out by the server from its own records (_gate_knew), never taken from the device.
        shown=(shown or result) if offline else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        # The same scan arrived twice at the same moment: the first one is the answer.
        return db.session.execute(db.select(CheckIn).where(CheckIn.nonce == nonce)).scalar_one()
    return entry


def _gate_knew(attendee: Attendee, staff: User, gate: str, now: datetime, offline: Offline) -> bool:
    """Whether a gate deciding offline knew this person was already in, so showed amber: the arrival
    was on the check-in list it had fetched, or this gate (same account, same gate name) had scanned
    them before. Otherwise it showed green and let them in a second time."""
    seen_here = db.session.scalar(
        db.select(CheckIn.id)
        .where(
            CheckIn.attendee_id == attendee.id,
            CheckIn.staff_id == staff.id,
            CheckIn.gate == gate,
            CheckIn.scanned_at <= now,
            CheckIn.result.in_([ScanResult.CHECKED_IN, ScanResult.ALREADY]),
        )
        .limit(1)
    )
    if seen_here is not None:
        return True
    if offline.list_issued_at is None:
        return False
    arrival = db.session.execute(
        db.select(CheckIn.received_at, CheckIn.scanned_at)
        .where(CheckIn.attendee_id == attendee.id, CheckIn.result == ScanResult.CHECKED_IN)
        .order_by(CheckIn.id)
        .limit(1)
    ).first()
    if arrival is None:
        return True  # an arrival with no scan behind it (kept from before scans were logged): on every list
    return (arrival.received_at or arrival.scanned_at) <= offline.list_issued_at


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
    # yet checked in, on SQLite and PostgreSQL alike. An arrival once recorded stays as it is: a scan
    # uploaded late by a gate that was offline, even one dated earlier, is a second entry, never a new
    # arrival time or gate (a device's clock is not to be believed over the server's record).
    admitted = db.session.execute(
        sa.update(Attendee)
        .where(Attendee.id == attendee.id, Attendee.checked_in_at.is_(None))
        .values(checked_in_at=now, checked_in_gate=gate)
        # Not matched against every attendee already loaded (a long upload has thousands): the one
        # concerned is refreshed just below.
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(attendee)
    result = ScanResult.CHECKED_IN if admitted == 1 else ScanResult.ALREADY
    shown = None
    if offline is not None:
        knew = admitted != 1 and _gate_knew(attendee, staff, gate, now, offline)
        shown = ScanResult.ALREADY if knew else ScanResult.CHECKED_IN
    return log_scan(festival, attendee, result, staff, gate, nonce, now, "", method, offline, shown)


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
    """Check a badge in from what the camera read; a repeated nonce gets the first answer back.

    On SQLite a gate's scan takes its write lock here (the scan view is `writes_late`), before the nonce is looked
    up: two sends of one scan take turns, and the second finds the first."""
    take_write_lock()
    done = previous(nonce)
    if done is not None:
        return done
    attendee, revoked = find_by_token(token_from(scanned))
    if attendee is not None and attendee.festival_id != festival.id:
        reason = "badge of another festival"
        return log_scan(festival, None, ScanResult.UNKNOWN, staff, gate, nonce, now, reason, "scan", offline)
    if attendee is None:
        if revoked is not None:
            reason = revoked.reason or "reissued"
            return log_scan(
                festival, revoked.attendee, ScanResult.REVOKED, staff, gate, nonce, now, reason, "scan", offline
            )
        reason = f"unknown code {scanned[:60]!r}"
        return log_scan(festival, None, ScanResult.UNKNOWN, staff, gate, nonce, now, reason, "scan", offline)
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


@dataclass
class DoubleEntry:
    """Someone let in twice (at least once by a gate without the server)."""

    attendee_id: int
    full_name: str
    affiliation: str  # their unit's name, or the outside organisation
    entries: list[tuple[str, datetime]]  # (gate, time) of each admission


@cache
def _double_entries_statement() -> sa.Select:
    # Built once: each render only binds the festival (building and fingerprinting the statement again cost about
    # as much as running it).
    festival_id = sa.bindparam("festival_id")
    admitted = sa.or_(
        sa.and_(CheckIn.offline.is_(True), CheckIn.shown == ScanResult.CHECKED_IN),
        sa.and_(CheckIn.offline.is_(False), CheckIn.result == ScanResult.CHECKED_IN),
    )
    # The server admits no one twice, so a second admission needs a gate that decided offline: only the admissions
    # of people some gate let in offline are read (none on a day the network held). Joined from those people, each
    # one's admissions come down the attendee index, whatever a fresh database's statistics say (PostgreSQL, sure
    # the table was empty, read every admission once per admission for an IN, 80 ms at 1,000 arrivals).
    let_in_offline = (
        db.select(CheckIn.attendee_id)
        .where(CheckIn.festival_id == festival_id, CheckIn.offline.is_(True), CheckIn.shown == ScanResult.CHECKED_IN)
        .distinct()
        .subquery()
    )
    # Columns, not model objects: the dashboard shows these and nothing else.
    return (
        db.select(
            CheckIn.attendee_id,
            Attendee.full_name,
            sa.func.coalesce(Unit.name, Attendee.organisation),
            CheckIn.gate,
            CheckIn.scanned_at,
        )
        .select_from(let_in_offline)
        .join(CheckIn, CheckIn.attendee_id == let_in_offline.c.attendee_id)
        .join(Attendee, Attendee.id == CheckIn.attendee_id)
        .outerjoin(Unit, Unit.id == Attendee.unit_id)
        .where(admitted)
        .order_by(CheckIn.scanned_at, CheckIn.id)  # in one order, so its digest holds still
    )


def double_entries(festival: Festival) -> list[DoubleEntry]:
    """People admitted more than once: a gate decided offline that they had not arrived yet."""
    db.session.flush()
    rows = db.session.connection().execute(_double_entries_statement(), {"festival_id": festival.id})
    by_person: dict[int, DoubleEntry] = {}
    for attendee_id, name, affiliation, gate, at in rows:
        by_person.setdefault(attendee_id, DoubleEntry(attendee_id, name, affiliation, [])).entries.append((gate, at))
    return [entry for entry in by_person.values() if len(entry.entries) > 1]


def festival_window(festival: Festival) -> tuple[datetime, datetime]:
    """When gates are at work: from midnight (local time) of the festival's first day to midnight after
    its last, widened by CHECKIN_OFFLINE_MARGIN_HOURS on each side (setting up, a late evening)."""
    zone = festival_timezone()
    margin = timedelta(hours=current_app.config["CHECKIN_OFFLINE_MARGIN_HOURS"])
    opens = datetime.combine(festival.starts_on, time(), zone) - margin
    closes = datetime.combine(festival.ends_on + timedelta(days=1), time(), zone) + margin
    return opens, closes


@dataclass
class Dashboard:
    total: int
    checked_in: int
    # (row key, label, checked in, registered) per role, region, and unit or outside organisation
    by_role: list[tuple[str, str, int, int]]
    by_region: list[tuple[str, str, int, int]]
    by_unit: list[tuple[str, str, int, int]]
    arrivals: list[tuple[datetime, int]]  # start of each 15-minute slot (local time), arrivals
    scans: int
    refused: int
    held: int  # offline scans waiting for an organizer's review


QUARTER_HOUR = 15 * 60


def _epoch_seconds(column, dialect: str):
    """A stored (UTC) time as whole seconds since 1970, on SQLite and PostgreSQL."""
    if dialect == "sqlite":
        return sa.cast(sa.func.strftime("%s", column), sa.BigInteger)
    return sa.cast(sa.func.floor(sa.extract("epoch", column)), sa.BigInteger)


@cache
def _dashboard_statements(dialect: str) -> tuple[sa.Select, sa.Select, sa.Select, sa.Select]:
    """The festival's roles, and the dashboard's counts: by role, unit and outside organisation; arrivals per
    quarter-hour; scans. Built once per kind of database, each render binding only the festival and its days:
    building and fingerprinting them again cost about as much as running them."""
    festival_id = sa.bindparam("festival_id")
    # Member units by code, then outside organisations (a newspaper, the group) by name, then no one's.
    organisation = sa.case(
        (Attendee.unit_id.is_(None), sa.func.trim(Attendee.organisation)), else_=sa.literal_column("''")
    )
    # Counted by the attendees' own columns, units joined to the hundred or so groups after: grouping by the units'
    # names instead cost twice the time.
    counted = (
        db.select(
            Attendee.role_id,
            Attendee.unit_id,
            organisation.label("organisation"),
            sa.func.count().label("registered"),
            sa.func.count(Attendee.checked_in_at).label("arrived"),
        )
        .where(Attendee.festival_id == festival_id)
        .group_by(Attendee.role_id, Attendee.unit_id, organisation)
        .subquery()
    )
    groups = db.select(
        counted.c.role_id,
        Unit.code,
        Unit.short_name,
        Unit.region,
        counted.c.organisation,
        counted.c.registered,
        counted.c.arrived,
    ).outerjoin(Unit, Unit.id == counted.c.unit_id)
    # Counted per quarter-hour in the database. Times are stored in UTC, and every time zone is a whole number of
    # quarter-hours from UTC, so a quarter-hour of UTC is one of local time.
    slot_of = _epoch_seconds(Attendee.checked_in_at, dialect) // QUARTER_HOUR  # the time read once a row, not twice
    slots = (
        db.select(slot_of, sa.func.count())
        .where(
            Attendee.festival_id == festival_id,
            Attendee.checked_in_at >= sa.bindparam("opens"),
            Attendee.checked_in_at < sa.bindparam("closes"),
        )
        .group_by(slot_of)
    )
    refused_scan = CheckIn.result.in_([ScanResult.UNKNOWN, ScanResult.REVOKED])
    held_waiting = (
        db.select(sa.func.count())
        .select_from(HeldScan)
        .where(HeldScan.festival_id == festival_id, HeldScan.decision.is_(None))
        .scalar_subquery()
    )
    scans = db.select(sa.func.count(), sa.func.count(sa.case((refused_scan, 1))), held_waiting).where(
        CheckIn.festival_id == festival_id
    )
    # Their names alone, in badge_roles' order (loading the roles as objects cost a tenth of the render).
    roles = (
        db.select(BadgeRole.id, BadgeRole.name_vi, BadgeRole.name_en)
        .where(BadgeRole.festival_id == festival_id)
        .order_by(BadgeRole.position, BadgeRole.id)
    )
    return roles, groups, slots, scans


def dashboard(festival: Festival, language: str = "vi") -> Dashboard:
    """Who has arrived: by role (named in `language`), region and unit or outside organisation, and
    arrivals per 15 minutes. A fixed number of statements whatever the crowd: every count comes grouped from
    the database (arrivals per quarter-hour of the festival's days)."""
    roles_of, groups_of, slots_of, scans_of = _dashboard_statements(db.engine.dialect.name)
    # Through the session's connection: the rows are plain values, and the ORM's handling of each statement cost
    # about what running it did.
    db.session.flush()
    read = db.session.connection().execute
    groups = read(groups_of, {"festival_id": festival.id}).all()
    # Each named by the model's own rule, applied to the row's two names.
    roles = {row.id: BadgeRole.name(row, language) for row in read(roles_of, {"festival_id": festival.id})}
    by_role = {role_id: [0, 0] for role_id in roles}
    by_region: dict = {}
    by_unit: dict = {}
    for role_id, code, short, region, outside, registered, arrived in groups:
        unit_key = (0, f"{short} ({code})") if code else (1, outside) if outside else None
        for table, key in ((by_role, role_id), (by_region, region), (by_unit, unit_key)):
            counts = table.setdefault(key, [0, 0])
            counts[0] += arrived
            counts[1] += registered
    # Only the festival's days are charted: however odd a stored time (a device's clock reset to
    # 2020), the chart has at most a day's 96 quarter-hours per festival day (and the margin).
    zone = festival_timezone()
    opens, closes = festival_window(festival)
    slots = {
        datetime.fromtimestamp(slot * QUARTER_HOUR, timezone.utc).astimezone(zone): count
        for slot, count in read(slots_of, {"festival_id": festival.id, "opens": opens, "closes": closes})
    }
    arrivals = []
    if slots:
        slot, last = min(slots), max(slots)
        while slot <= last:
            arrivals.append((slot, slots.get(slot, 0)))
            slot += timedelta(minutes=15)
    scans, refused, held = read(scans_of, {"festival_id": festival.id}).one()
    units = [
        (f"u{boards.digest(key)}", key[1] if key else str(_l("Khách, báo chí…")), arrived, registered)
        for key, (arrived, registered) in sorted(
            by_unit.items(), key=lambda item: (item[0] is None, item[0] and item[0][0], -item[1][0], item[0] or ())
        )
    ]
    regions = [
        (f"g{region.value if region else ''}", str(region.label) if region else str(_l("Khác")), arrived, registered)
        for region, (arrived, registered) in sorted(
            by_region.items(), key=lambda item: list(Region).index(item[0]) if item[0] else len(Region)
        )
    ]
    return Dashboard(
        total=sum(counts[1] for counts in by_role.values()),
        checked_in=sum(counts[0] for counts in by_role.values()),
        by_role=[(f"r{r}", roles[r], *by_role[r]) for r in roles],
        by_region=regions,
        by_unit=units,
        arrivals=arrivals,
        scans=scans,
        refused=refused,
        held=held,
    )


def dashboard_stamp(festival: Festival, now: datetime) -> str:
    """The check-in dashboard's version, in one statement of one row: it moves with every write to a table the
    dashboard shows (scans and arrivals, attendees added, changed or removed, held scans decided, units, anything
    audited) and at least once a minute."""
    version = db.session.execute(sa.select(board_versions.version_of(BOARD))).scalar()
    return boards.versioned_stamp(festival.id, version, now)


def dashboard_rows(board: Dashboard, doubles: list[DoubleEntry]) -> boards.Rows:
    """Each part of the dashboard and what it shows (an open dashboard compares their digests). The
    chart of arrivals is one part: each bar's length is relative to the longest."""
    return {
        "cards": [
            ("stats", (board.checked_in, board.total, board.scans, board.refused)),
            ("held", board.held),
            (
                "doubles",
                tuple((d.attendee_id, d.full_name, d.affiliation, tuple(d.entries)) for d in doubles),
            ),
        ],
        # Tuples all through: what a part shows is hashable (its digest is remembered, util/boards.py).
        "roles": [(key, tuple(rest)) for key, *rest in board.by_role],
        "regions": [(key, tuple(rest)) for key, *rest in board.by_region],
        "arrivals": [("arrivals", tuple(board.arrivals))],
        "units": [(key, tuple(rest)) for key, *rest in board.by_unit],
    }
