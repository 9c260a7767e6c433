"""A generated programme year of several units: targets in two emulation groups, initiatives entered and
recognised across the quarters (one recognised from last year's register, one entered this year and recognised
next year), first-year and later benefits, authors of every category."""

from datetime import date, datetime, timedelta, timezone

from festival.core.extensions import db
from festival.models import (
    AuthorCategory,
    Initiative,
    InitiativeAuthor,
    InitiativeBenefit,
    InitiativeField,
    InitiativeState,
    RecognitionLevel,
    Region,
    UnitTarget,
)
from tests import factories

YEAR = 2026
GROUPS = ("Cụm May", "Cụm Sợi – Dệt")


def initiative(unit, number, *, year=YEAR, created, decided=None, field=InitiativeField.PRODUCTION, **values):
    """An initiative entered at `created` (UTC), recognised on `decided` when given."""
    item = Initiative(
        unit_id=unit.id,
        year=year,
        number=number,
        title=values.pop("title", f"Sáng kiến {unit.code}-{year}-{number}"),
        field=field,
        created_at=created,
        state=InitiativeState.RECOGNISED if decided else values.pop("state", InitiativeState.APPLIED),
        decided_on=decided,
        decision_number=f"{number}/QĐ-{unit.code}" if decided else "",
        level=RecognitionLevel.BASE if decided else None,
        **values,
    )
    db.session.add(item)
    return item


def build_year(n: int, *, year: int = YEAR) -> list:
    """n units (the last has no target), each with 4 + its index initiatives; returns the units."""
    units = [factories.make_unit(f"U{i:02}", region=list(Region)[i % len(Region)]) for i in range(n)]
    categories = list(AuthorCategory)
    fields = list(InitiativeField)
    for i, unit in enumerate(units):
        if i < n - 1:
            members = 40 + 23 * i
            db.session.add(
                UnitTarget(
                    unit_id=unit.id, year=year, members=members, target=-(-members // 10), emulation_group=GROUPS[i % 2]
                )
            )
        number = 0
        for k in range(4 + i):
            number += 1
            month = 1 + (3 * k + i) % 12
            # 03:00 UTC is 10:00 in Hà Nội: the same day wherever the quarter's boundary is read.
            created = datetime(year, month, 10, 3, tzinfo=timezone.utc)
            decided = date(year, month, 25) if k % 3 != 2 else None
            item = initiative(unit, number, year=year, created=created, decided=decided, field=fields[(i + k) % 4])
            item.authors.append(
                InitiativeAuthor(full_name=f"Tác giả {i}-{k}", category=categories[k % 3], share_percent=60)
            )
            if k % 2:
                item.authors.append(
                    InitiativeAuthor(
                        full_name=f"Đồng tác giả {i}-{k}", category=categories[(k + 1) % 3], share_percent=40
                    )
                )
            if decided and k % 4 != 3:
                item.benefits.append(InitiativeBenefit(year_index=1, benefit_vnd=1_000_000 * (k + 1) + i))
                item.benefits.append(InitiativeBenefit(year_index=2, benefit_vnd=999_000_000))  # never in the tally
        # Last year's register, recognised in January: recognised this year, not received this year.
        old = initiative(
            unit, 1, year=year - 1, created=datetime(year - 1, 12, 1, 3, tzinfo=timezone.utc), decided=date(year, 1, 5)
        )
        old.benefits.append(InitiativeBenefit(year_index=1, benefit_vnd=7_000_000))
        # Entered on the last evening of the year (Hà Nội time), recognised the next year.
        initiative(
            unit,
            number + 1,
            year=year,
            created=datetime(year, 12, 31, 16, tzinfo=timezone.utc) - timedelta(hours=1),
            decided=date(year + 1, 2, 1),
        )
        # Entered after midnight on the 1st of January in Hà Nội, still the 31st in UTC: next year's.
        initiative(unit, 1, year=year + 1, created=datetime(year, 12, 31, 17, 30, tzinfo=timezone.utc))
    db.session.commit()
    return units
