"""People's requests' deadlines, counted in working days (Monday to Friday, not a public holiday) from the day
after a request was received, as local dates in the festival's time zone."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app

from festival.models import DataRequest, RequestRight
from festival.util.formatting import festival_timezone

ACKNOWLEDGE = "acknowledge"  # the key of PRIVACY_REQUEST_DAYS for the acknowledgement, due for every right
SOON = 2  # a step due within this many working days is shown "Sắp đến hạn"


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    """Monday to Friday, and not a day off."""
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: Collection[date]) -> date:
    """The `days`-th working day after `start`: counting starts on the first working day after it, so a request
    received on a Friday with 2 days is due on Tuesday, and one received on a Saturday counts from Monday."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            counted += 1
    return day


def public_holidays() -> frozenset[date]:
    """The days off of the PUBLIC_HOLIDAYS setting."""
    return frozenset(date.fromisoformat(day) for day in current_app.config["PUBLIC_HOLIDAYS"])


def period(right: RequestRight, processor_involved: bool) -> int:
    """Working days to answer a request for `right` (longer for some rights when a processor is involved)."""
    if processor_involved and right.value in current_app.config["PRIVACY_REQUEST_PROCESSOR_DAYS"]:
        return current_app.config["PRIVACY_REQUEST_PROCESSOR_DAYS"][right.value]
    return current_app.config["PRIVACY_REQUEST_DAYS"][right.value]


@dataclass(frozen=True)
class Deadlines:
    """Where a request stands on `today`: its due dates (local, due by the end of the day) and what is late."""

    received_on: date
    acknowledge_by: date
    complete_by: date  # after the extension, when extended
    next_due: date  # of the earliest step still to take (the acknowledgement, else the answer)
    period: int  # working days to answer, each time (the extension adds it again)
    acknowledged: bool  # acknowledged, or answered before being acknowledged
    done: bool
    extended: bool
    acknowledgement_overdue: bool
    overdue: bool
    done_late: bool
    due_soon: bool

    @property
    def is_late(self) -> bool:
        return self.acknowledgement_overdue or self.overdue


def deadlines(data_request: DataRequest, today: date, holidays: Collection[date] | None = None) -> Deadlines:
    """The due dates of `data_request` and whether it is late on `today` (a local date)."""
    holidays = public_holidays() if holidays is None else holidays
    zone = festival_timezone()
    received_on = data_request.received_at.astimezone(zone).date()
    days = period(data_request.right, data_request.processor_involved)
    acknowledge_by = add_working_days(received_on, current_app.config["PRIVACY_REQUEST_DAYS"][ACKNOWLEDGE], holidays)
    complete_by = add_working_days(received_on, days, holidays)
    if data_request.is_extended:
        complete_by = add_working_days(complete_by, days, holidays)
    done = data_request.is_done
    acknowledged = done or data_request.acknowledged_at is not None
    overdue = not done and today > complete_by
    acknowledgement_overdue = not acknowledged and today > acknowledge_by
    next_due = complete_by if acknowledged else min(acknowledge_by, complete_by)
    return Deadlines(
        received_on=received_on,
        acknowledge_by=acknowledge_by,
        complete_by=complete_by,
        next_due=next_due,
        period=days,
        acknowledged=acknowledged,
        done=done,
        extended=data_request.is_extended,
        acknowledgement_overdue=acknowledgement_overdue,
        overdue=overdue,
        done_late=done and data_request.completed_at.astimezone(zone).date() > complete_by,
        due_soon=not (done or overdue or acknowledgement_overdue)
        and add_working_days(today, SOON, holidays) >= next_due,
    )
