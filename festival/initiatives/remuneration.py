"""The remuneration arithmetic of Nghị định 13/2012/NĐ-CP Art. 10 and the Labour Creativity Certificate's bars
(QĐ 1564/QĐ-TLĐ): plain whole đồng in, plain whole đồng out; standard library only."""

from dataclasses import dataclass

# Art. 10: at least 7 % of each of the first three years' benefit; at least five times the minimum wage when the
# benefit cannot be computed; 15 % of the price when the initiative is transferred.
BENEFIT_RATE_PERCENT = 7
MINIMUM_WAGE_MULTIPLE = 5
TRANSFER_RATE_PERCENT = 15
YEARS_OF_APPLICATION = 3

BY_BENEFIT = "benefit"
BY_MINIMUM_WAGE = "minimum_wage"
BY_TRANSFER = "transfer"


@dataclass(frozen=True)
class Proposal:
    """The least remuneration the rule asks for, and which rule it came from."""

    amount: int
    rule: str


def _percent_up(amount: int, percent: int) -> int:
    # "At least" a percentage: a fraction of a đồng is rounded up so the proposal never falls below the rule.
    return -(-amount * percent // 100)


def propose_for_year(benefit_vnd: int | None, minimum_wage_vnd: int) -> Proposal:
    """The rule's least remuneration for one year of application: 7 % of its benefit, or five minimum wages when
    the benefit cannot be computed (None).

    :raise ValueError: a negative benefit or wage.
    """
    if minimum_wage_vnd < 0 or (benefit_vnd is not None and benefit_vnd < 0):
        raise ValueError("amounts are whole đồng, not negative")
    if benefit_vnd is None:
        return Proposal(MINIMUM_WAGE_MULTIPLE * minimum_wage_vnd, BY_MINIMUM_WAGE)
    return Proposal(_percent_up(benefit_vnd, BENEFIT_RATE_PERCENT), BY_BENEFIT)


def propose_for_transfer(price_vnd: int) -> Proposal:
    """The rule's least remuneration when the initiative is transferred: 15 % of the transfer price.

    :raise ValueError: a negative price.
    """
    if price_vnd < 0:
        raise ValueError("amounts are whole đồng, not negative")
    return Proposal(_percent_up(price_vnd, TRANSFER_RATE_PERCENT), BY_TRANSFER)


def split_by_shares(amount_vnd: int, shares: list[int]) -> list[int]:
    """`amount_vnd` split in proportion to `shares` (contribution %, in the authors' order) into whole đồng that add
    up to it exactly: each gets the whole part of its due, and the đồng left over go one each to the largest
    remainders (the earlier author first on a tie).

    :raise ValueError: a negative amount or share, or shares that are all zero.
    """
    if amount_vnd < 0 or any(share < 0 for share in shares):
        raise ValueError("amounts and shares are not negative")
    total = sum(shares)
    if not shares or total == 0:
        raise ValueError("no share to split by")
    parts = [amount_vnd * share // total for share in shares]
    remainders = [amount_vnd * share % total for share in shares]
    left = amount_vnd - sum(parts)
    for index in sorted(range(len(shares)), key=lambda i: (-remainders[i], i))[:left]:
        parts[index] += 1
    return parts


def weighted(amount_vnd: int, share_percent: int) -> int:
    """An author's part of a benefit by their share, in whole đồng (rounded down: a bar is met by whole đồng)."""
    return amount_vnd * share_percent // 100


def best_year(by_year: dict[int, int]) -> tuple[int | None, int]:
    """The calendar year with the largest amount and that amount ((None, 0) when there is none)."""
    if not by_year:
        return None, 0
    year = max(sorted(by_year), key=lambda y: by_year[y])
    return year, by_year[year]


def best_three_years(by_year: dict[int, int]) -> tuple[int | None, int]:
    """The first of the three consecutive calendar years with the largest total, and that total."""
    best: tuple[int | None, int] = (None, 0)
    for first in sorted(by_year):
        total = sum(by_year.get(first + offset, 0) for offset in range(YEARS_OF_APPLICATION))
        if total > best[1]:
            best = (first, total)
    return best


@dataclass(frozen=True)
class Bars:
    """The certificate's bars in đồng (settings): a year's benefit for workers up to college level, or three
    consecutive years' total for them, a year's for graduates, a year's for managers."""

    worker: int
    worker_three_years: int
    graduate: int
    manager: int


WORKER, GRADUATE, MANAGER = "worker", "graduate", "manager"


def certificate_reason(group: str, by_year: dict[int, int], bars: Bars) -> str | None:
    """Why a person of `group` (worker, graduate, manager) with these share-weighted recognised benefits per
    calendar year is a candidate for the Labour Creativity Certificate ("year" or "three_years"), or None."""
    bar = {WORKER: bars.worker, GRADUATE: bars.graduate, MANAGER: bars.manager}[group]
    if best_year(by_year)[1] >= bar:
        return "year"
    if group == WORKER and best_three_years(by_year)[1] >= bars.worker_three_years:
        return "three_years"
    return None
