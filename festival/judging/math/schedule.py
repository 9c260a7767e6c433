"""The final round's defence schedule: time slots, and a slot for each finalist's defence at its booth.

Plain data in, plain data out (no database, no Flask). Two defences clash when they share a judge
(who cannot sit at two booths at once), an author (who cannot present two exhibits at once) or a
known booth (which holds one defence at a time); clashing defences must get different slots. That
is colouring the clash graph with slot indexes as colours. DSatur places the defence with the most
distinct slots already barred first (ties: more clashing neighbours, then the order key) in its
earliest free slot, so a defence with d neighbours never lands later than slot d. Then the last
slot is emptied into earlier ones while that succeeds, each of its defences taking a free earlier
slot or one whose single blocking neighbour can move to another free earlier slot. When that
schedule is still longer than the slots given, the fullest slots are kept and every other defence
is fitted in the same way; whatever does not fit is listed in `Schedule.unplaced`, never dropped
and never placed in a clash.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from heapq import heappop, heappush
from itertools import pairwise

JUDGE = "judge"
AUTHOR = "author"
BOOTH = "booth"


@dataclass(frozen=True)
class Defence:
    """A finalist exhibit's defence, as the scheduler sees it; an empty booth is unknown and never clashes."""

    exhibit_id: int
    booth: str
    judges: frozenset[int]
    authors: frozenset[str]
    order_key: str


@dataclass(frozen=True)
class Slot:
    """A stretch of time for one round of defences (presentation and questions)."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Schedule:
    """Each placed defence's slot index (exhibit_id -> index) and the exhibits no slot could take."""

    placed: dict[int, int]
    unplaced: tuple[int, ...]

    @property
    def slots_used(self) -> int:
        """How many slots the schedule runs to: the last used index + 1 (0 when nothing is placed)."""
        return max(self.placed.values(), default=-1) + 1

    def exhibits_in(self, slot: int) -> list[int]:
        """The exhibits defended in one slot, in the order of `placed`."""
        return [exhibit_id for exhibit_id, index in self.placed.items() if index == slot]


@dataclass(frozen=True)
class Clash:
    """Two defences in one slot that share a judge, an author or a booth (`shared` names which)."""

    kind: str
    slot: int
    first: int  # exhibit ids, first < second
    second: int
    shared: int | str


def slots(windows: Sequence[tuple[datetime, datetime]], minutes: int, changeover: int = 0) -> list[Slot]:
    """Consecutive slots of `minutes`, `changeover` minutes apart, inside each (start, end) window, in time order.

    A slot that would not end inside its window is not made.
    :raise ValueError: minutes below 1, a negative changeover, a window ending before it starts, or
        windows that overlap (their slots would run at the same time).
    """
    if minutes < 1:
        raise ValueError("minutes must be at least 1")
    if changeover < 0:
        raise ValueError("changeover must not be negative")
    windows = sorted(windows)
    for start, end in windows:
        if end < start:
            raise ValueError(f"window {start} – {end} ends before it starts")
    for (_, end), (next_start, _) in pairwise(windows):
        if next_start < end:
            raise ValueError(f"windows overlap at {next_start}")
    length, step = timedelta(minutes=minutes), timedelta(minutes=minutes + changeover)
    result = []
    for start, end in windows:
        while start + length <= end:
            result.append(Slot(start, start + length))
            start += step
    return result


def schedule_defences(defences: Iterable[Defence], slot_count: int) -> Schedule:
    """Give each defence a slot index in range(slot_count) so no slot holds two that share a judge,
    an author or a booth, using as few slots as the greedy colouring and its repairs find.

    `placed` and `unplaced` follow the defences' order (order key, then exhibit id).
    :raise ValueError: a negative slot_count or a repeated exhibit id.
    """
    if slot_count < 0:
        raise ValueError("slot_count must not be negative")
    ordered = _ordered(defences)
    neighbours = _neighbours(ordered)
    slot_of = _dsatur(neighbours)
    _shorten(slot_of, neighbours)
    if slot_of and max(slot_of.values()) >= slot_count:
        slot_of = _fullest(slot_of, slot_count)
        for v in range(len(ordered)):
            if v not in slot_of:
                _fit(v, slot_count, slot_of, neighbours)
    placed = {d.exhibit_id: slot_of[v] for v, d in enumerate(ordered) if v in slot_of}
    unplaced = tuple(d.exhibit_id for v, d in enumerate(ordered) if v not in slot_of)
    return Schedule(placed, unplaced)


def clashes(defences: Iterable[Defence], schedule: Schedule) -> list[Clash]:
    """Every clash in a schedule (one per pair of defences and shared judge, author or booth), by slot.

    Checks a schedule as given, for instance after an organizer moved defences by hand; unplaced
    defences take no slot and so clash with nothing.
    :raise ValueError: a repeated exhibit id, or a placed exhibit that is not among the defences.
    """
    by_id = {d.exhibit_id: d for d in _ordered(defences)}
    unknown = sorted(set(schedule.placed) - by_id.keys())
    if unknown:
        raise ValueError(f"placed exhibits {unknown} are not among the defences")
    holders: dict[tuple[int, str, int | str], list[int]] = {}
    for exhibit_id, slot in sorted(schedule.placed.items()):
        for kind, shared in _resources(by_id[exhibit_id]):
            holders.setdefault((slot, kind, shared), []).append(exhibit_id)
    found = [
        Clash(kind, slot, first, second, shared)
        for (slot, kind, shared), exhibit_ids in holders.items()
        for i, first in enumerate(exhibit_ids)
        for second in exhibit_ids[i + 1 :]
    ]
    return sorted(found, key=lambda c: (c.slot, c.first, c.second, c.kind, c.shared))


def _ordered(defences: Iterable[Defence]) -> list[Defence]:
    ordered = sorted(defences, key=lambda d: (d.order_key, d.exhibit_id))
    if len({d.exhibit_id for d in ordered}) != len(ordered):
        raise ValueError("exhibit ids must be unique")
    return ordered


def _resources(defence: Defence) -> list[tuple[str, int | str]]:
    """What the defence occupies for its slot: its judges, its authors and its booth when known."""
    held: list[tuple[str, int | str]] = [(JUDGE, j) for j in defence.judges]
    held += [(AUTHOR, a) for a in defence.authors]
    if defence.booth:
        held.append((BOOTH, defence.booth))
    return held


def _neighbours(ordered: list[Defence]) -> list[list[int]]:
    """For each defence (by position), the positions of the defences it clashes with, ascending."""
    holders: dict[tuple[str, int | str], list[int]] = {}
    for v, defence in enumerate(ordered):
        for resource in _resources(defence):
            holders.setdefault(resource, []).append(v)
    linked: list[set[int]] = [set() for _ in ordered]
    for group in holders.values():
        for v in group:
            linked[v].update(group)
    return [sorted(others - {v}) for v, others in enumerate(linked)]


def _dsatur(neighbours: list[list[int]]) -> dict[int, int]:
    """DSatur: position -> slot, each defence in the earliest slot none of its neighbours holds."""
    barred: list[set[int]] = [set() for _ in neighbours]
    slot_of: dict[int, int] = {}
    # A lazy heap: a defence is pushed again each time its count of barred slots grows; stale entries are skipped.
    heap = [(0, -len(others), v) for v, others in enumerate(neighbours)]
    heap.sort()
    while heap:
        minus_barred, _, v = heappop(heap)
        if v in slot_of or -minus_barred != len(barred[v]):
            continue
        slot = next(s for s in range(len(barred[v]) + 1) if s not in barred[v])
        slot_of[v] = slot
        for w in neighbours[v]:
            if w not in slot_of and slot not in barred[w]:
                barred[w].add(slot)
                heappush(heap, (-len(barred[w]), -len(neighbours[w]), w))
    return slot_of


def _fullest(slot_of: dict[int, int], slot_count: int) -> dict[int, int]:
    """The `slot_count` fullest slots of a schedule that needs more, renumbered in their order; the rest unslotted."""
    members: dict[int, list[int]] = {}
    for v, slot in sorted(slot_of.items()):
        members.setdefault(slot, []).append(v)
    kept = sorted(sorted(members, key=lambda slot: (-len(members[slot]), slot))[:slot_count])
    return {v: index for index, slot in enumerate(kept) for v in members[slot]}


def _fit(v: int, limit: int, slot_of: dict[int, int], neighbours: list[list[int]]) -> bool:
    """Put the unslotted defence `v` in the earliest slot below `limit` free of its neighbours, else
    in the earliest one whose single blocking neighbour can move to another free slot below `limit`."""
    blockers: dict[int, list[int]] = {s: [] for s in range(limit)}
    for w in neighbours[v]:
        if slot_of.get(w, limit) < limit:
            blockers[slot_of[w]].append(w)
    for slot, blocking in blockers.items():
        if not blocking:
            slot_of[v] = slot
            return True
    for slot, blocking in blockers.items():
        if len(blocking) != 1:
            continue
        (w,) = blocking
        taken = {slot_of[x] for x in neighbours[w] if x in slot_of}
        elsewhere = next((s for s in range(limit) if s != slot and s not in taken), None)
        if elsewhere is not None:
            slot_of[w] = elsewhere
            slot_of[v] = slot
            return True
    return False


def _shorten(slot_of: dict[int, int], neighbours: list[list[int]]) -> None:
    """Empty the last used slot into earlier ones, again and again, while every defence in it fits."""
    while slot_of:
        last = max(slot_of.values())
        saved = dict(slot_of)
        for v in sorted(v for v, slot in slot_of.items() if slot == last):
            del slot_of[v]
            if not _fit(v, last, slot_of, neighbours):
                slot_of.clear()
                slot_of.update(saved)
                return
