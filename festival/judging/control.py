"""The judging control room: who has finished, which exhibits lack sheets, stands reported
unattended, a sheet moved to another judge in one click; and each judge's walking route."""

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from festival.core import audit, board_versions
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.judging.panels import add_assignment, conflict_pairs, may_judge
from festival.judging.panels import judges as judges_of_festival
from festival.judging.rounds import round_exhibits
from festival.models import (
    AuditLog,
    BoothSheet,
    Exhibit,
    Festival,
    Finalist,
    JudgingRound,
    ScoreChange,
    ScoreSheet,
    SheetStatus,
    StandReport,
    User,
    UserSession,
)
from festival.util import boards

# The live board's name for its version (festival/core/board_versions.py), and the tables whose rows it shows.
BOARD = "control"
board_versions.watch(
    BOARD, ScoreSheet, StandReport, BoothSheet, UserSession, Exhibit, User, JudgingRound, Finalist, AuditLog
)


def _booth_key(booth: str | None) -> tuple:
    # "2", "10", "A-3": numbers compare as numbers, so booth 10 comes after booth 9.
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.findall(r"\d+|\D+", booth or ""))


def walking_route(sheets: list[ScoreSheet]) -> list[ScoreSheet]:
    """The sheets in the order a judge walks the hall: zone by zone, booth by booth, each zone
    walked the other way from the one before (a serpentine), so nobody crosses the hall back."""
    zones: dict[str, list[ScoreSheet]] = {}
    for sheet in sheets:
        zones.setdefault(sheet.exhibit.zone or "", []).append(sheet)
    route = []
    for position, zone in enumerate(sorted(zones, key=_booth_key)):
        ordered = sorted(zones[zone], key=lambda s: (_booth_key(s.exhibit.booth), s.exhibit.code or ""))
        route += ordered if position % 2 == 0 else ordered[::-1]
    return route


def next_on_route(route: list[ScoreSheet]) -> ScoreSheet | None:
    """The first sheet on the route still to be scored (one being scored comes before untouched ones)."""
    for status in (SheetStatus.DRAFT, SheetStatus.NOT_STARTED):
        for sheet in route:
            if sheet.status is status:
                return sheet
    return None


def open_report(sheet: ScoreSheet) -> StandReport | None:
    return db.session.execute(
        sa.select(StandReport).where(StandReport.sheet_id == sheet.id, StandReport.resolved_at.is_(None))
    ).scalar_one_or_none()


def report_unattended(sheet: ScoreSheet, judge: User, now: datetime) -> StandReport:
    """The judge found the stand empty; reporting twice is one report.

    :raise NotAllowed: not the judge's sheet, or already submitted.
    """
    if sheet.judge_id != judge.id or sheet.is_locked:
        raise NotAllowed(_l("Chỉ giám khảo của phiếu chưa nộp mới báo được gian vắng."))
    report = open_report(sheet)
    if report is None:
        report = StandReport(sheet=sheet, reported_at=now)
        db.session.add(report)
        db.session.flush()
        audit.record("stand.unattended", sheet.exhibit, by=judge, after={"booth": sheet.exhibit.booth})
    return report


def resolve_report(report: StandReport, now: datetime, by: User) -> None:
    """Someone is at the stand again (or the sheet went to another judge)."""
    if report.resolved_at is None:
        report.resolved_at = now
        audit.record("stand.attended", report.sheet.exhibit, by=by)


def reassign_sheet(sheet: ScoreSheet, judge: User, now: datetime, by: User) -> ScoreSheet:
    """Give an unstarted sheet to another judge (the same rules as a manual assignment); the old
    judge's sheet goes and any report of an empty stand on it is closed.

    :raise FestivalError: scoring has started, or the new judge may not judge the exhibit.
    """
    if sheet.status is not SheetStatus.NOT_STARTED:
        raise FestivalError(
            _l("%(name)s đã bắt đầu chấm sáng kiến này nên không giao lại được.", name=sheet.judge.full_name)
        )
    exhibit, previous = sheet.exhibit, sheet.judge
    report = open_report(sheet)
    if report is not None:
        resolve_report(report, now, by)
    number = sheet.round_number
    db.session.delete(sheet)
    db.session.flush()
    moved = add_assignment(exhibit, judge, by=by, number=number)
    audit.record("judging.reassigned", exhibit, by=by, before={"judge": previous.email}, after={"judge": judge.email})
    return moved


def reassign_candidates(sheet: ScoreSheet) -> list[User]:
    """The judges "Giao lại" offers for a sheet: those the assignment rules accept (not on the exhibit yet,
    not of its unit, no declared conflict); the server would refuse the others."""
    exhibit = sheet.exhibit
    taken = set(
        db.session.execute(
            sa.select(ScoreSheet.judge_id).where(
                ScoreSheet.exhibit_id == exhibit.id, ScoreSheet.round_number == sheet.round_number
            )
        ).scalars()
    )
    conflicts = conflict_pairs(exhibit.festival)
    return [judge for judge in judges_of_festival() if judge.id not in taken and may_judge(judge, exhibit, conflicts)]


class Judge(NamedTuple):
    """A judge as the board names them."""

    id: int
    full_name: str


class ExhibitShown(NamedTuple):
    """An exhibit as the board shows it."""

    id: int
    code: str | None
    title: str
    zone: str | None
    booth: str | None


class SheetShown(NamedTuple):
    """A score sheet on the board: whose, and how far."""

    id: int
    judge: Judge
    status: SheetStatus


class ReportShown(NamedTuple):
    """An open report of an empty stand: who reported it, when."""

    id: int
    judge: Judge
    reported_at: datetime


@dataclass
class JudgeProgress:
    judge: Judge
    done: int = 0
    in_progress: int = 0
    not_started: int = 0
    last_activity: datetime | None = None
    at: ExhibitShown | None = None  # where they were last seen working
    reported_at: datetime | None = None  # when one of their devices last reported from a judge page
    pending: int = 0  # how many changes that device said were waiting to be sent

    @property
    def total(self) -> int:
        return self.done + self.in_progress + self.not_started


@dataclass
class ExhibitProgress:
    exhibit: ExhibitShown
    sheets: list[SheetShown] = field(default_factory=list)
    reports: list[ReportShown] = field(default_factory=list)
    submitted: int = 0


def control_room(festival: Festival, number: int = 1) -> tuple[list[JudgeProgress], list[ExhibitProgress]]:
    """Round `number` live. Per judge: sheets done, in progress and not started, last activity and where, their device's
    last report and the changes it had waiting; per exhibit:
    sheets submitted of assigned and open reports of an empty stand (those first)."""
    # Plain rows of only the columns the board shows, never model objects: a thousand exhibits and their three
    # thousand sheets are read in four statements, and building objects would cost more than reading them. They
    # are read through the session's connection, as rows the database gave: the session would pass each row
    # through the ORM's loading again, which cost more than the statements themselves. (What the session holds
    # unwritten is flushed first, as its own execute would.)
    db.session.flush()
    read = db.session.connection().execute
    exhibits = {
        row[0]: ExhibitProgress(ExhibitShown(*row))
        for row in read(
            round_exhibits(festival, number)
            .with_only_columns(Exhibit.id, Exhibit.code, Exhibit.title, Exhibit.zone, Exhibit.booth)
            .order_by(Exhibit.code)
        ).all()
    }
    judges_of, sheets_of, reports_of = _round_statements()
    at = {"festival_id": festival.id, "number": number}
    judges = {
        judge_id: JudgeProgress(Judge(judge_id, full_name), reported_at=reported_at, pending=pending or 0)
        for judge_id, full_name, reported_at, pending in read(judges_of, at).all()
    }
    sheets = read(sheets_of, at).all()
    for sheet_id, exhibit_id, judge_id, status, seen in sheets:
        exhibit, progress = exhibits.get(exhibit_id), judges.get(judge_id)
        if exhibit is None or progress is None:  # not in the round, or given to a judge since they were read
            continue
        exhibit.sheets.append(SheetShown(sheet_id, progress.judge, status))
        if status is SheetStatus.SUBMITTED:
            progress.done += 1
            exhibit.submitted += 1
        elif status is SheetStatus.DRAFT:
            progress.in_progress += 1
        else:
            progress.not_started += 1
        if seen is not None and (progress.last_activity is None or seen > progress.last_activity):
            progress.last_activity, progress.at = seen, exhibit.exhibit
    for progress in judges.values():
        if progress.last_activity is not None:
            progress.last_activity = progress.last_activity.replace(tzinfo=timezone.utc)
    reports = read(reports_of).all()
    for report_id, reported_at, exhibit_id, round_number, judge_id, full_name in reports:
        if exhibit_id in exhibits and round_number == number:
            exhibits[exhibit_id].reports.append(ReportShown(report_id, Judge(judge_id, full_name), reported_at))
    judge_rows = sorted(
        (p for p in judges.values() if p.total),  # only judges with sheets of exhibits in the round
        key=lambda p: (p.done == p.total, p.done / (p.total or 1), p.judge.full_name),
    )
    exhibit_rows = sorted(
        exhibits.values(),
        key=lambda p: (not p.reports, p.submitted >= len(p.sheets) and bool(p.sheets), p.exhibit.code or ""),
    )
    return judge_rows, exhibit_rows


@cache
def _round_statements() -> tuple[sa.Select, sa.Select, sa.Select]:
    # The control room's judges, sheets and open reports, built once: a render binds its festival and round
    # (building and fingerprinting them again each time cost about what the smaller ones take to run).
    of_round = (Exhibit.festival_id == sa.bindparam("festival_id"), ScoreSheet.round_number == sa.bindparam("number"))
    reported = (UserSession.user_id == User.id, UserSession.last_report_at.is_not(None))
    # The judges of the round, each named once here (not on each of their sheets), with their device's newest report.
    judges = sa.select(
        User.id,
        User.full_name,
        sa.select(sa.func.max(UserSession.last_report_at)).where(*reported).scalar_subquery(),
        sa.select(UserSession.pending_changes)
        .where(*reported)
        .order_by(UserSession.last_report_at.desc())
        .limit(1)
        .scalar_subquery(),
    ).where(User.id.in_(sa.select(ScoreSheet.judge_id).join(ScoreSheet.exhibit).where(*of_round)))
    # Naive UTC, as stored: the board keeps each judge's latest of three thousand, made aware once for each of forty
    # (the column's own type would make every one aware, a tenth of the render).
    last_change = sa.type_coerce(
        sa.select(sa.func.max(ScoreChange.created_at)).where(ScoreChange.sheet_id == ScoreSheet.id).scalar_subquery(),
        sa.DateTime(),
    )
    sheets = (
        sa.select(ScoreSheet.id, ScoreSheet.exhibit_id, ScoreSheet.judge_id, ScoreSheet.status, last_change)
        .join(ScoreSheet.exhibit)
        .where(*of_round)
        .order_by(ScoreSheet.id)
    )
    # Every open report, a handful (a stand reported empty is soon attended, or its sheet given to another judge),
    # the round's kept by the caller: filtered by festival and round in the database, the plans started from the
    # festival's three thousand sheets.
    reports = (
        sa.select(
            StandReport.id,
            StandReport.reported_at,
            ScoreSheet.exhibit_id,
            ScoreSheet.round_number,
            User.id,
            User.full_name,
        )
        .join(StandReport.sheet)
        .join(ScoreSheet.judge)
        .where(StandReport.resolved_at.is_(None))
        .order_by(StandReport.id)
    )
    return judges, sheets, reports


def board_stamp(festival: Festival, number: int, now: datetime) -> str:
    """The control board's version, in one statement of one row: it moves with every write to a table the
    board shows (saves, submits, reassignments, stand reports, device reports, booth sheets, exhibits and
    judges, anything audited) and at least once a minute."""
    version = db.session.execute(sa.select(board_versions.version_of(BOARD))).scalar()
    return boards.versioned_stamp(festival.id, version, now, number)


def board_rows(judge_rows: list[JudgeProgress], exhibit_rows: list[ExhibitProgress], booth_rows: list) -> boards.Rows:
    """Each row of the board and what it shows (the board's poll compares their digests)."""
    return {
        "judges": [
            (
                f"j{p.judge.id}",
                (
                    p.judge.full_name,
                    p.done,
                    p.in_progress,
                    p.not_started,
                    p.last_activity,
                    p.at and (p.at.code, p.at.booth),
                    p.reported_at,
                    p.pending,
                ),
            )
            for p in judge_rows
        ],
        "exhibits": [
            (
                f"e{p.exhibit.id}",
                (
                    p.exhibit.code,
                    p.exhibit.title,
                    p.exhibit.zone,
                    p.exhibit.booth,
                    # Its sheets and reports as they are (named tuples: hashable, and their repr the same in every
                    # process, so any machine's digest matches), not copied into new tuples three thousand times.
                    tuple(p.reports),
                    tuple(p.sheets),
                ),
            )
            for p in exhibit_rows
        ],
        "booths": [(f"b{p.judge.id}", (p.judge.full_name, p.done, p.total)) for p in booth_rows],
    }
