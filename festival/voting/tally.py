"""Counting the visitors' choice: totals by source (phone, kiosk, paper), votes per hour, anomalies
worth a look, paper ballots entered by organizers, and the winners as a prize with certificates."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from festival.core import audit
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.exhibits.services import accepted_exhibits
from festival.models import (
    Attendee,
    Category,
    Exhibit,
    ExhibitStatus,
    Festival,
    PaperBallots,
    Unit,
    User,
    VisitorAward,
    Vote,
    VoteSource,
)
from festival.util.formatting import festival_timezone
from festival.voting.services import is_closed, policy_for


@dataclass
class Line:
    """One exhibit's count, by source."""

    exhibit: Exhibit
    phone: int = 0
    kiosk: int = 0
    paper: int = 0

    @property
    def total(self) -> int:
        return self.phone + self.kiosk + self.paper


@dataclass
class Block:
    """The counts of one category (or of the whole festival, when everyone has one vote)."""

    category: Category | None
    lines: list[Line] = field(default_factory=list)

    @property
    def totals(self) -> Line:
        line = Line(exhibit=None)
        for each in self.lines:
            line.phone, line.kiosk, line.paper = (
                line.phone + each.phone,
                line.kiosk + each.kiosk,
                line.paper + each.paper,
            )
        return line


def tally(festival: Festival) -> list[Block]:
    """Every accepted exhibit's live votes by source and paper ballots, most votes first (then code)."""
    policy = policy_for(festival)
    exhibits = db.session.execute(
        accepted_exhibits(festival)
        .order_by(Exhibit.code)
        .options(selectinload(Exhibit.unit), selectinload(Exhibit.category))
    ).scalars()
    lines = {exhibit.id: Line(exhibit) for exhibit in exhibits}
    counts = db.session.execute(
        db.select(Vote.exhibit_id, Vote.source, sa.func.count())
        .where(Vote.festival_id == festival.id, Vote.withdrawn_at.is_(None))
        .group_by(Vote.exhibit_id, Vote.source)
    )
    for exhibit_id, source, number in counts:
        if exhibit_id in lines:
            setattr(lines[exhibit_id], source.value, number)
    paper = db.session.execute(
        db.select(PaperBallots.exhibit_id, sa.func.sum(PaperBallots.count))
        .where(PaperBallots.festival_id == festival.id)
        .group_by(PaperBallots.exhibit_id)
    )
    for exhibit_id, number in paper:
        if exhibit_id in lines:
            lines[exhibit_id].paper = int(number or 0)
    ordered = sorted(lines.values(), key=lambda line: (-line.total, line.exhibit.code or ""))
    if not policy.per_category:
        return [Block(None, ordered)]
    blocks: dict[int, Block] = {}
    for line in ordered:
        blocks.setdefault(line.exhibit.category_id, Block(line.exhibit.category)).lines.append(line)
    return sorted(blocks.values(), key=lambda block: (block.category.position, block.category.code))


def votes_per_hour(festival: Festival) -> list[tuple[datetime, int]]:
    """Live votes by the hour they were cast (festival time), every hour from the first to the last."""
    times = db.session.execute(
        db.select(Vote.cast_at).where(Vote.festival_id == festival.id, Vote.withdrawn_at.is_(None))
    ).scalars()
    zone = festival_timezone()
    hours = Counter(t.astimezone(zone).replace(minute=0, second=0, microsecond=0) for t in times)
    if not hours:
        return []
    hour, last, series = min(hours), max(hours), []
    while hour <= last:
        series.append((hour, hours.get(hour, 0)))
        hour += timedelta(hours=1)
    return series


@dataclass
class Anomaly:
    kind: str  # "address" or "burst"
    message: str
    count: int


def anomalies(festival: Festival) -> list[Anomaly]:
    """Patterns worth a look: many badges voting from one address, and a burst of votes for one
    exhibit from badges of one unit just after they were checked in (a group brought to vote)."""
    config = current_app.config
    found = []
    rows = db.session.execute(
        db.select(Vote.address, sa.func.count(sa.distinct(Vote.attendee_id)))
        .where(Vote.festival_id == festival.id, Vote.withdrawn_at.is_(None), Vote.source == VoteSource.PHONE)
        .group_by(Vote.address)
        .having(sa.func.count(sa.distinct(Vote.attendee_id)) >= config["VOTE_ADDRESS_FLAG"])
    )
    for address, badges in rows:
        found.append(
            Anomaly(
                "address",
                str(_l("%(n)d thẻ đã bình chọn từ cùng địa chỉ %(address)s.", n=badges, address=address or "?")),
                badges,
            )
        )
    window = timedelta(minutes=config["VOTE_BURST_MINUTES"])
    groups: dict[tuple[int, int], list[Vote]] = defaultdict(list)
    votes = db.session.execute(
        db.select(Vote, Attendee)
        .join(Attendee, Vote.attendee_id == Attendee.id)
        .where(Vote.festival_id == festival.id, Vote.withdrawn_at.is_(None), Attendee.unit_id.is_not(None))
    ).all()
    for vote, attendee in votes:
        if attendee.checked_in_at is not None and timedelta(0) <= vote.cast_at - attendee.checked_in_at <= window:
            groups[(attendee.unit_id, vote.exhibit_id)].append(vote)
    for (unit_id, _exhibit_id), group in groups.items():
        if len(group) >= config["VOTE_BURST_SIZE"]:
            unit = db.session.get(Unit, unit_id)
            found.append(
                Anomaly(
                    "burst",
                    str(
                        _l(
                            "%(n)d thẻ của %(unit)s bình chọn cho cùng một sáng kiến trong vòng %(minutes)d phút "
                            "sau khi vào cổng.",
                            n=len(group),
                            unit=unit.short_name or unit.name,
                            minutes=config["VOTE_BURST_MINUTES"],
                        )
                    ),
                    len(group),
                )
            )
    return sorted(found, key=lambda anomaly: -anomaly.count)


def voters(festival: Festival) -> int:
    """How many badges have a live vote (shown even while the counts are hidden)."""
    return db.session.scalar(
        db.select(sa.func.count(sa.distinct(Vote.badge_token))).where(
            Vote.festival_id == festival.id, Vote.withdrawn_at.is_(None)
        )
    )


# Paper ballots -------------------------------------------------------------------------------


def paper_entries(festival: Festival) -> list[PaperBallots]:
    return list(
        db.session.execute(
            db.select(PaperBallots).where(PaperBallots.festival_id == festival.id).order_by(PaperBallots.id.desc())
        ).scalars()
    )


def add_paper_ballots(festival: Festival, exhibit: Exhibit, count: int, note: str, by: User) -> PaperBallots:
    """Record a count of paper ballots for an exhibit (it adds to earlier counts; audited).

    :raise FestivalError: not an accepted exhibit of this festival, or a count out of range.
    """
    if exhibit.festival_id != festival.id or exhibit.status is not ExhibitStatus.ACCEPTED:
        raise FestivalError(_l("Chỉ nhập phiếu giấy cho sáng kiến đã duyệt của ngày hội."))
    if not 1 <= count <= 100000:
        raise FestivalError(_l("Số phiếu phải từ 1 đến 100.000."))
    if awarded(festival):
        raise NotAllowed(_l("Giải đã được trao: hãy huỷ giải trước khi sửa số phiếu."))
    entry = PaperBallots(festival_id=festival.id, exhibit=exhibit, count=count, note=note.strip()[:200], entered_by=by)
    db.session.add(entry)
    db.session.flush()
    audit.record("vote.paper_added", entry, by=by, after={"exhibit": exhibit.id, "count": count, "note": entry.note})
    return entry


def delete_paper_ballots(entry: PaperBallots, by: User) -> None:
    """Remove an entry typed by mistake (audited).

    :raise NotAllowed: the prize was given already.
    """
    if awarded(entry.exhibit.festival):
        raise NotAllowed(_l("Giải đã được trao: hãy huỷ giải trước khi sửa số phiếu."))
    audit.record("vote.paper_deleted", entry, by=by, before={"exhibit": entry.exhibit_id, "count": entry.count})
    db.session.delete(entry)


# The prize -----------------------------------------------------------------------------------


def awarded(festival: Festival) -> list[VisitorAward]:
    return list(
        db.session.execute(
            db.select(VisitorAward).where(VisitorAward.festival_id == festival.id).order_by(VisitorAward.id)
        ).scalars()
    )


def winners(block: Block, places: int) -> list[Line]:
    """The `places` exhibits with most votes, and any tied with the last of them (no prize for 0)."""
    ranked = [line for line in block.lines if line.total > 0]
    if len(ranked) <= places:
        return ranked
    cutoff = ranked[places - 1].total
    return [line for line in ranked if line.total >= cutoff]


def give_awards(festival: Festival, by: User, now: datetime) -> list[VisitorAward]:
    """Give the prize to the winners of the closed vote (per category when voting per category).

    :raise NotAllowed: the vote is still open, or already awarded.
    :raise FestivalError: no votes at all.
    """
    policy = policy_for(festival)
    if not is_closed(policy, festival, now):
        raise NotAllowed(_l("Chỉ trao giải sau khi cổng bình chọn đã đóng."))
    if awarded(festival):
        raise NotAllowed(_l("Giải do khán giả bình chọn đã được trao."))
    given = []
    for block in tally(festival):
        for line in winners(block, policy.winners):
            award = VisitorAward(
                festival_id=festival.id,
                exhibit_id=line.exhibit.id,
                category_id=block.category.id if block.category else None,
                votes=line.total,
                awarded_at=now,
                awarded_by_id=by.id,
            )
            db.session.add(award)
            given.append(award)
    if not given:
        raise FestivalError(_l("Chưa có phiếu bình chọn nào để trao giải."))
    db.session.flush()
    audit.record(
        "vote.awarded",
        festival,
        by=by,
        after={"exhibits": [a.exhibit_id for a in given], "votes": [a.votes for a in given]},
    )
    return given


def cancel_awards(festival: Festival, reason: str, by: User) -> None:
    """Take the prize back (to correct paper counts, say), with a reason (audited).

    :raise FestivalError: no reason, or nothing given.
    """
    given = awarded(festival)
    if not given:
        raise FestivalError(_l("Chưa trao giải do khán giả bình chọn."))
    if not reason.strip():
        raise FestivalError(_l("Hãy ghi lý do huỷ giải."))
    audit.record(
        "vote.award_cancelled",
        festival,
        by=by,
        after={"exhibits": [a.exhibit_id for a in given], "reason": reason.strip()},
    )
    db.session.execute(sa.delete(VisitorAward).where(VisitorAward.festival_id == festival.id))
