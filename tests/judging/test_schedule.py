"""The final round's defence schedule: slots in time windows, clash-free slot choice, the clash checker."""

import random
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from festival.judging.math.schedule import (
    Clash,
    Defence,
    Schedule,
    Slot,
    clashes,
    schedule_defences,
    slots,
)


def defence(exhibit_id, judges=(), authors=(), booth="", code=None):
    return Defence(exhibit_id, booth, frozenset(judges), frozenset(authors), code or f"CK-{exhibit_id:02d}")


def at(hour, minute=0):
    return datetime(2025, 11, 20, hour, minute)


def together(schedule, a, b):
    return schedule.placed[a] == schedule.placed[b]


def clashing_neighbours(defences):
    """Independent count: exhibit id -> the other defences sharing a judge, an author or a known booth."""
    result = {d.exhibit_id: set() for d in defences}
    for d in defences:
        for e in defences:
            shares = d.judges & e.judges or d.authors & e.authors or (d.booth and d.booth == e.booth)
            if d.exhibit_id != e.exhibit_id and shares:
                result[d.exhibit_id].add(e.exhibit_id)
    return result


# ---- slots ----------------------------------------------------------------------------------


def test_slots_fill_two_windows_with_changeover_and_drop_a_slot_that_would_overrun():
    morning, afternoon = (at(8), at(9)), (at(13, 30), at(14, 10))

    made = slots([afternoon, morning], minutes=15, changeover=5)

    assert made == [
        Slot(at(8), at(8, 15)),
        Slot(at(8, 20), at(8, 35)),
        Slot(at(8, 40), at(8, 55)),  # the next would start 9:00 and end 9:15, past the window
        Slot(at(13, 30), at(13, 45)),
        Slot(at(13, 50), at(14, 5)),
    ]


def test_slots_back_to_back_fill_a_window_exactly():
    made = slots([(at(8), at(9))], minutes=20)

    assert [(s.start, s.end) for s in made] == [(at(8), at(8, 20)), (at(8, 20), at(8, 40)), (at(8, 40), at(9))]


def test_a_window_shorter_than_one_slot_makes_none():
    assert slots([(at(8), at(8, 10))], minutes=15) == []
    assert slots([], minutes=15) == []


@pytest.mark.parametrize(
    "windows, minutes, changeover",
    [
        ([(at(8), at(9))], 0, 0),
        ([(at(8), at(9))], 10, -1),
        ([(at(9), at(8))], 10, 0),
        ([(at(8), at(10)), (at(9), at(11))], 10, 0),
    ],
)
def test_slots_refuse_bad_lengths_and_windows(windows, minutes, changeover):
    with pytest.raises(ValueError):
        slots(windows, minutes, changeover)


def test_windows_that_touch_are_not_an_overlap():
    made = slots([(at(8), at(8, 30)), (at(8, 30), at(9))], minutes=30)

    assert made == [Slot(at(8), at(8, 30)), Slot(at(8, 30), at(9))]


# ---- schedule: hand-made examples ------------------------------------------------------------


def test_a_judge_on_two_defences_gets_them_in_two_slots():
    schedule = schedule_defences([defence(1, judges={7}, booth="A1"), defence(2, judges={7, 8}, booth="A2")], 5)

    assert schedule.unplaced == ()
    assert sorted(schedule.placed.values()) == [0, 1]


def test_two_exhibits_of_one_author_never_share_a_slot():
    defences = [
        defence(1, judges={1}, authors={"nguyen van an"}, booth="A1"),
        defence(2, judges={2}, authors={"nguyen van an", "le thi binh"}, booth="A2"),
        defence(3, judges={3}, authors={"tran chi"}, booth="A3"),
    ]

    schedule = schedule_defences(defences, 5)

    assert not together(schedule, 1, 2)
    assert together(schedule, 1, 3)  # nothing keeps an unrelated defence out of the first slot
    assert schedule.slots_used == 2


def test_one_booth_holds_one_defence_at_a_time():
    schedule = schedule_defences([defence(1, judges={1}, booth="B-3"), defence(2, judges={2}, booth="B-3")], 5)

    assert not together(schedule, 1, 2)


def test_an_unknown_booth_never_clashes():
    schedule = schedule_defences([defence(1, judges={1}), defence(2, judges={2}), defence(3, judges={3})], 5)

    assert schedule.placed == {1: 0, 2: 0, 3: 0}
    assert schedule.exhibits_in(0) == [1, 2, 3]
    assert schedule.slots_used == 1


def test_too_few_slots_lists_the_rest_as_unplaced_and_keeps_the_placed_clash_free():
    defences = [defence(i, judges={9}, booth=f"A{i}") for i in range(1, 5)] + [defence(5, judges={8})]

    schedule = schedule_defences(defences, 2)

    assert schedule.unplaced == (3, 4)  # one judge sits four defences: the last two by code wait
    assert schedule.placed == {1: 0, 2: 1, 5: 0}
    assert clashes(defences, schedule) == []


def test_no_slots_places_nothing_and_loses_nothing():
    defences = [defence(2, judges={1}), defence(1, judges={2})]

    schedule = schedule_defences(defences, 0)

    assert schedule == Schedule({}, (1, 2))
    assert schedule.slots_used == 0


def test_with_too_few_slots_a_left_over_defence_takes_a_slot_whose_only_blocker_can_move():
    # Judge 2 sits four defences, so two slots leave at least two waiting; 5 fits only once 4 moves over.
    judges = {1: {2, 6}, 2: {2, 3}, 3: {6}, 4: {4, 5}, 5: {3, 4}, 6: {2}, 7: {2, 5}}
    defences = [defence(i, judges=js) for i, js in judges.items()]

    schedule = schedule_defences(defences, 2)

    assert schedule.unplaced == (6, 7)
    assert sorted(schedule.placed) == [1, 2, 3, 4, 5]
    assert clashes(defences, schedule) == []


def test_clashes_that_form_two_sides_need_only_two_slots():
    # The path A–C–D–B: first-fit by code puts A and B in slot 0, then C in 1 and D in 2;
    # DSatur starts from the most constrained (C) and needs only two.
    defences = [
        defence(1, judges={1}, code="A"),
        defence(2, judges={1, 2}, code="C"),
        defence(3, judges={2, 3}, code="D"),
        defence(4, judges={3}, code="B"),
    ]

    schedule = schedule_defences(defences, 10)

    assert schedule.slots_used == 2
    assert clashes(defences, schedule) == []


def test_the_last_slot_is_emptied_into_earlier_ones_when_it_can_be():
    # Plain DSatur (ties by code) needs four slots here; judge 1 sits three defences, so three is the least.
    judges = {0: {3, 5}, 1: {2, 4}, 2: {4}, 3: {1, 3}, 4: {1, 2}, 5: {1, 3}, 6: {2, 5}, 7: {4}}
    defences = [defence(i, judges=js) for i, js in judges.items()]

    schedule = schedule_defences(defences, 10)

    assert schedule.slots_used == 3
    assert schedule.unplaced == ()
    assert clashes(defences, schedule) == []


def test_input_order_does_not_change_the_schedule():
    rng = random.Random(7)
    defences = [
        defence(
            i,
            judges=rng.sample(range(1, 9), 3),
            authors=rng.sample(["an", "binh", "chi", "dung", "em", "giang"], 2),
            booth=rng.choice(["", "A1", "A2", "B1"]),
            code=f"CK-{i % 5}",  # repeated codes: the exhibit id breaks the tie
        )
        for i in range(1, 25)
    ]
    expected = schedule_defences(defences, 12)

    for _ in range(5):
        rng.shuffle(defences)
        again = schedule_defences(defences, 12)
        assert again == expected
        assert list(again.placed.items()) == list(expected.placed.items())


def test_repeated_exhibit_ids_and_negative_slot_counts_are_refused():
    with pytest.raises(ValueError):
        schedule_defences([defence(1), defence(1, code="other")], 3)
    with pytest.raises(ValueError):
        schedule_defences([defence(1)], -1)


# ---- clashes -------------------------------------------------------------------------------


def test_clashes_reports_each_shared_judge_author_and_booth_of_a_hand_edited_schedule():
    defences = [
        defence(1, judges={5, 6}, authors={"an"}, booth="A1"),
        defence(2, judges={5, 6}, authors={"binh"}, booth="A2"),
        defence(3, judges={7}, authors={"an"}, booth="A1"),
        defence(4, judges={5}, authors={"an"}, booth="A1"),
    ]
    edited = Schedule({1: 0, 2: 0, 3: 1, 4: 2}, ())

    assert clashes(defences, edited) == [
        Clash("judge", 0, 1, 2, 5),
        Clash("judge", 0, 1, 2, 6),
    ]
    edited = Schedule({1: 0, 2: 1, 3: 0}, (4,))
    assert clashes(defences, edited) == [Clash("author", 0, 1, 3, "an"), Clash("booth", 0, 1, 3, "A1")]


def test_clashes_refuses_a_placed_exhibit_it_does_not_know():
    with pytest.raises(ValueError):
        clashes([defence(1)], Schedule({1: 0, 2: 0}, ()))


# ---- property-based -------------------------------------------------------------------------

people = ["an", "binh", "chi", "dung", "em", "giang", "hoa"]


@st.composite
def festivals(draw):
    """Random small finals: judges from a small pool, authors shared between exhibits, some booths unknown."""
    judge_pool = list(range(1, draw(st.integers(1, 8)) + 1))
    defences = [
        Defence(
            100 + i,
            draw(st.sampled_from(["", "", "A1", "A2", "B1", "B2"])),
            frozenset(draw(st.sets(st.sampled_from(judge_pool), max_size=3))),
            frozenset(draw(st.sets(st.sampled_from(people), max_size=2))),
            draw(st.sampled_from(["CK-1", "CK-2", "CK-3", "CK-4"])),
        )
        for i in range(draw(st.integers(0, 25)))
    ]
    return defences, draw(st.integers(0, 14))


@settings(max_examples=200, deadline=None)
@given(festivals())
def test_a_schedule_never_clashes_accounts_for_every_defence_and_keeps_the_greedy_bound(festival):
    defences, slot_count = festival
    neighbours = clashing_neighbours(defences)

    schedule = schedule_defences(defences, slot_count)

    assert clashes(defences, schedule) == []
    ids = [d.exhibit_id for d in defences]
    assert sorted(list(schedule.placed) + list(schedule.unplaced)) == sorted(ids)
    assert all(0 <= index < slot_count for index in schedule.placed.values())
    # A defence with d clashing neighbours always finds a slot among the first d + 1.
    for exhibit_id, index in schedule.placed.items():
        assert index <= len(neighbours[exhibit_id])
    if slot_count >= max((len(n) for n in neighbours.values()), default=0) + 1:
        assert schedule.unplaced == ()


@settings(max_examples=200, deadline=None)
@given(festivals(), st.randoms(use_true_random=False))
def test_shuffled_input_gives_the_same_schedule(festival, rng):
    defences, slot_count = festival
    expected = schedule_defences(defences, slot_count)

    rng.shuffle(defences)

    assert schedule_defences(defences, slot_count) == expected


def test_defences_spaced_over_real_slots_map_back_to_times():
    made = slots([(at(8), at(9))], minutes=25, changeover=5)
    defences = [defence(1, judges={1}), defence(2, judges={1})]

    schedule = schedule_defences(defences, len(made))

    times = {e: made[i].start for e, i in schedule.placed.items()}
    assert times == {1: at(8), 2: at(8) + timedelta(minutes=30)}
