"""An initiative's benefit and its authors' remuneration year by year, the re-evaluations falling due, and each
author's history with the Labour Creativity Certificate's candidates."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from festival.core import audit
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.initiatives import remuneration
from festival.initiatives.services import register_units
from festival.models import (
    AuthorCategory,
    Initiative,
    InitiativeAuthor,
    InitiativeBenefit,
    InitiativeState,
    Unit,
    User,
)
from festival.spreadsheets import write_xlsx
from festival.util.formatting import fold, format_date, format_vnd

# Only an applied or recognised initiative earns a benefit to evaluate and its authors a remuneration.
WITH_BENEFIT = (InitiativeState.APPLIED, InitiativeState.RECOGNISED)
YEARS = range(1, remuneration.YEARS_OF_APPLICATION + 1)

RULE_LABELS = {
    remuneration.BY_BENEFIT: _l("ít nhất %(rate)d%% tiền làm lợi của năm", rate=remuneration.BENEFIT_RATE_PERCENT),
    remuneration.BY_MINIMUM_WAGE: _l("không tính được tiền làm lợi: ít nhất 5 lần mức lương tối thiểu"),
    remuneration.BY_TRANSFER: _l(
        "chuyển giao: ít nhất %(rate)d%% giá chuyển giao", rate=remuneration.TRANSFER_RATE_PERCENT
    ),
}


def may_keep(user: User, initiative: Initiative) -> bool:
    """Whether `user` keeps `initiative`'s benefit: organizers, and the accounts and support team of its unit."""
    units = register_units(user)
    return units is None or any(unit.id == initiative.unit_id for unit in units)


def has_benefit(initiative: Initiative) -> bool:
    """Whether the initiative earns a benefit to evaluate: applied or recognised, with a first application date."""
    return initiative.state in WITH_BENEFIT and initiative.first_applied_on is not None


def minimum_wage() -> int:
    """The minimum wage the rule's "five times" is counted in (INITIATIVE_MINIMUM_WAGE_VND)."""
    return current_app.config["INITIATIVE_MINIMUM_WAGE_VND"]


def due_on(first_applied_on: date, year_index: int) -> date:
    """When year `year_index` of application ends and its benefit is evaluated: the first application + n years
    (29 February falls on 28 February in a common year)."""
    year = first_applied_on.year + year_index
    try:
        return first_applied_on.replace(year=year)
    except ValueError:
        return first_applied_on.replace(year=year, day=28)


@dataclass
class AuthorPart:
    author: InitiativeAuthor
    amount: int


@dataclass
class BenefitYear:
    """One year of application as the benefits page shows it."""

    index: int
    due_on: date
    record: InitiativeBenefit | None
    proposal: remuneration.Proposal | None = None
    parts: list[AuthorPart] = field(default_factory=list)
    parts_of_proposal: bool = False  # the split is of the proposal, the unit has not decided an amount yet

    @property
    def is_evaluated(self) -> bool:
        return self.record is not None and self.record.evaluated_on is not None

    @property
    def is_below_rule(self) -> bool:
        return (
            self.proposal is not None
            and self.record is not None
            and self.record.remuneration_vnd is not None
            and self.record.remuneration_vnd < self.proposal.amount
        )

    @property
    def rule_label(self):
        return RULE_LABELS[self.proposal.rule] if self.proposal else ""


def split(initiative: Initiative, amount: int) -> list[AuthorPart]:
    """`amount` split between the initiative's authors by their shares (none when the shares are all zero)."""
    shares = [author.share_percent or 0 for author in initiative.authors]
    if not shares or sum(shares) == 0:
        return []
    return [AuthorPart(a, n) for a, n in zip(initiative.authors, remuneration.split_by_shares(amount, shares))]


def benefit_years(initiative: Initiative) -> list[BenefitYear]:
    """The three years of application: when each is due, what was recorded, the rule's least remuneration and the
    authors' parts of the amount decided (or, until one is, of the proposal)."""
    records = {record.year_index: record for record in initiative.benefits}
    years = []
    for index in YEARS:
        record = records.get(index)
        year = BenefitYear(index, due_on(initiative.first_applied_on, index), record)
        if record is not None and record.evaluated_on is not None:
            year.proposal = remuneration.propose_for_year(record.benefit_vnd, minimum_wage())
            decided = record.remuneration_vnd
            year.parts = split(initiative, decided if decided is not None else year.proposal.amount)
            year.parts_of_proposal = decided is None
        years.append(year)
    return years


def transfer_proposal(initiative: Initiative) -> remuneration.Proposal | None:
    """The rule's least remuneration for the initiative's transfer, or None when it was not transferred."""
    if initiative.transfer_price_vnd is None:
        return None
    return remuneration.propose_for_transfer(initiative.transfer_price_vnd)


@dataclass
class YearInput:
    """What the unit recorded for one year of application."""

    computable: bool
    benefit_vnd: int | None
    evaluated_on: date | None
    remuneration_vnd: int | None
    paid_on: date | None
    note: str = ""


def _fields(record: InitiativeBenefit) -> dict:
    return {
        "benefit_vnd": record.benefit_vnd,
        "remuneration_vnd": record.remuneration_vnd,
        "evaluated_on": record.evaluated_on,
        "paid_on": record.paid_on,
        "note": record.note,
    }


def _check(initiative: Initiative, year_index: int, data: YearInput, today: date) -> remuneration.Proposal:
    if not has_benefit(initiative):
        raise FestivalError(
            _l("Chỉ sáng kiến đã áp dụng hoặc đã được công nhận, có ngày áp dụng lần đầu, mới tính tiền làm lợi.")
        )
    if year_index not in YEARS:
        raise FestivalError(_l("Chỉ tính tiền làm lợi cho ba năm đầu áp dụng."))
    records = {record.year_index: record for record in initiative.benefits}
    earlier = records.get(year_index - 1)
    if year_index > 1 and (earlier is None or earlier.evaluated_on is None):
        raise FestivalError(_l("Hãy ghi kết quả năm thứ %(n)d trước.", n=year_index - 1))
    if data.evaluated_on is None:
        raise FestivalError(_l("Hãy nhập ngày đánh giá."))
    if data.evaluated_on > today:
        raise FestivalError(_l("Ngày đánh giá không được sau hôm nay."))
    if data.evaluated_on < initiative.first_applied_on:
        raise FestivalError(
            _l(
                "Ngày đánh giá không được trước ngày áp dụng lần đầu (%(day)s).",
                day=format_date(initiative.first_applied_on),
            )
        )
    if data.computable and data.benefit_vnd is None:
        raise FestivalError(_l("Hãy nhập tiền làm lợi của năm, hoặc chọn “không tính được”."))
    proposal = remuneration.propose_for_year(data.benefit_vnd if data.computable else None, minimum_wage())
    if data.remuneration_vnd is not None and data.remuneration_vnd < proposal.amount and not data.note.strip():
        raise FestivalError(
            _l(
                "Thù lao %(amount)s thấp hơn mức tối thiểu %(least)s theo Nghị định 13/2012/NĐ-CP (%(rule)s). "
                "Nếu đơn vị vẫn quyết định mức này, hãy ghi lý do vào ô ghi chú.",
                amount=format_vnd(data.remuneration_vnd),
                least=format_vnd(proposal.amount),
                rule=RULE_LABELS[proposal.rule],
            )
        )
    if data.paid_on is not None:
        if data.remuneration_vnd is None:
            raise FestivalError(_l("Hãy nhập số tiền thù lao đơn vị quyết định trước khi ghi ngày chi trả."))
        if data.paid_on > today:
            raise FestivalError(_l("Ngày chi trả không được sau hôm nay."))
        if data.paid_on < data.evaluated_on:
            raise FestivalError(_l("Ngày chi trả không được trước ngày đánh giá."))
    return proposal


def save_year(initiative: Initiative, year_index: int, data: YearInput, *, by: User, today: date) -> InitiativeBenefit:
    """Record year `year_index`'s benefit (or that it cannot be computed), the remuneration the unit decided and
    when it was paid; audited.

    :raise FestivalError: the initiative is not applied or recognised, an earlier year is not recorded, a date is
        impossible, a benefit is missing, a remuneration below the rule has no reason, or a payment no amount.
    """
    proposal = _check(initiative, year_index, data, today)
    record = next((r for r in initiative.benefits if r.year_index == year_index), None)
    before = _fields(record) if record is not None else None
    if record is None:
        record = InitiativeBenefit(year_index=year_index)
        initiative.benefits.append(record)
    record.benefit_vnd = data.benefit_vnd if data.computable else None
    record.evaluated_on = data.evaluated_on
    record.remuneration_vnd = data.remuneration_vnd
    record.paid_on = data.paid_on
    record.note = data.note.strip()
    db.session.flush()
    after = {**_fields(record), "year_index": year_index, "least_by_rule": proposal.amount}
    audit.record("initiative.benefit_saved", initiative, by=by, before=before, after=after)
    db.session.flush()
    return record


# Re-evaluations falling due ------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """An initiative's next yearly evaluation and when it falls due."""

    initiative: Initiative
    year_index: int
    due_on: date

    def is_overdue(self, today: date) -> bool:
        return self.due_on < today


def next_evaluation(initiative: Initiative) -> Due | None:
    """The first of the three years not evaluated yet, or None when all three are (or it earns no benefit)."""
    if not has_benefit(initiative):
        return None
    evaluated = {r.year_index for r in initiative.benefits if r.evaluated_on is not None}
    for index in YEARS:
        if index not in evaluated:
            return Due(initiative, index, due_on(initiative.first_applied_on, index))
    return None


def due_evaluations(units: list[Unit] | None, today: date, days: int | None = None) -> list[Due]:
    """Initiatives of `units` (None: every unit) whose next yearly evaluation is overdue or falls due within `days`
    (INITIATIVE_REEVALUATION_NOTICE_DAYS), the earliest first."""
    days = current_app.config["INITIATIVE_REEVALUATION_NOTICE_DAYS"] if days is None else days
    query = (
        db.select(Initiative)
        .where(Initiative.state.in_(WITH_BENEFIT), Initiative.first_applied_on.is_not(None))
        .order_by(Initiative.id)
    )
    if units is not None:
        query = query.where(Initiative.unit_id.in_([unit.id for unit in units]))
    horizon = today + timedelta(days=days)
    found = [due for due in map(next_evaluation, db.session.execute(query).scalars()) if due is not None]
    return sorted(
        (due for due in found if due.due_on <= horizon),
        key=lambda d: (d.due_on, d.initiative.unit_id, d.initiative.year, d.initiative.number),
    )


def unit_of(user: User, unit_id: int | None) -> list[Unit] | None:
    """The units a due list or author history shows: the user's own, or for organizers every unit or the one
    asked for."""
    units = register_units(user)
    if units is None and unit_id:
        unit = db.session.get(Unit, unit_id)
        return [unit] if unit is not None else []
    return units


# Authors' histories and the Labour Creativity Certificate -------------------------------------


@dataclass
class Entry:
    """One initiative of a person: their share and their share-weighted benefit of each year of application."""

    initiative: Initiative
    author: InitiativeAuthor
    weighted: dict[int, int | None] = field(default_factory=dict)  # year of application → đồng (None: not computable)


@dataclass
class Person:
    """Author rows taken to be one person: the same folded name in the same unit (and the same phone when both
    rows have one)."""

    name: str
    unit: Unit
    phone: str
    entries: list[Entry] = field(default_factory=list)
    by_year: dict[int, int] = field(default_factory=dict)  # calendar year → share-weighted recognised benefit
    group: str = remuneration.WORKER
    reason: str | None = None

    @property
    def total(self) -> int:
        return sum(self.by_year.values())

    @property
    def group_label(self):
        return GROUP_LABELS[self.group]

    @property
    def reason_label(self):
        return REASON_LABELS.get(self.reason, "")


GROUP_LABELS = {
    remuneration.WORKER: _l("Người lao động (cao đẳng trở xuống)"),
    remuneration.GRADUATE: _l("Người có trình độ đại học trở lên"),
    remuneration.MANAGER: _l("Cán bộ quản lý"),
}
REASON_LABELS = {
    "year": _l("Đạt mức làm lợi trong một năm"),
    "three_years": _l("Đạt tổng làm lợi ba năm liên tiếp"),
}


def _digits(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())


def _group(rows: list[InitiativeAuthor]) -> str:
    # The highest bar among the person's rows applies: a manager's, then a graduate's.
    if any(row.category is AuthorCategory.MANAGER for row in rows):
        return remuneration.MANAGER
    if any(row.is_graduate for row in rows):
        return remuneration.GRADUATE
    return remuneration.WORKER


def _people_of(rows: list[InitiativeAuthor]) -> list[list[InitiativeAuthor]]:
    """Rows of one folded name in one unit split into people by phone: each phone is a person, and rows without a
    phone belong to the one person with a phone (or, when there are none or several, to one of their own)."""
    by_phone: dict[str, list[InitiativeAuthor]] = {}
    for row in rows:
        by_phone.setdefault(_digits(row.phone), []).append(row)
    without = by_phone.pop("", [])
    people = list(by_phone.values())
    if len(people) == 1:
        people[0].extend(without)
    elif without:
        people.append(without)
    return people


def bars() -> remuneration.Bars:
    """The certificate's bars from the settings."""
    config = current_app.config
    return remuneration.Bars(
        config["CERTIFICATE_BAR_WORKER_VND"],
        config["CERTIFICATE_BAR_WORKER_THREE_YEARS_VND"],
        config["CERTIFICATE_BAR_GRADUATE_VND"],
        config["CERTIFICATE_BAR_MANAGER_VND"],
    )


def author_histories(units: list[Unit] | None, q: str = "") -> list[Person]:
    """Every author of `units`' initiatives (None: every unit) as a person with their initiatives, shares and
    share-weighted benefits; a recognised initiative's year of application counts in the calendar year it began.
    Candidates for the certificate first, then by share-weighted total, then by name."""
    query = db.select(InitiativeAuthor).join(InitiativeAuthor.initiative).order_by(Initiative.unit_id, Initiative.id)
    if units is not None:
        query = query.where(Initiative.unit_id.in_([unit.id for unit in units]))
    groups: dict[tuple[str, int], list[InitiativeAuthor]] = {}
    for row in db.session.execute(query).scalars():
        groups.setdefault((fold(row.full_name), row.initiative.unit_id), []).append(row)
    people = []
    wanted = fold(q.strip())
    for (name, _unit_id), rows in groups.items():
        if wanted and wanted not in name:
            continue
        for own in _people_of(rows):
            people.append(_person(own))
    return sorted(people, key=lambda p: (p.reason is None, -p.total, fold(p.name), p.unit.id))


def _person(rows: list[InitiativeAuthor]) -> Person:
    first = rows[0]
    person = Person(first.full_name, first.initiative.unit, next((r.phone for r in rows if r.phone), ""))
    for row in rows:
        initiative = row.initiative
        entry = Entry(initiative, row)
        for record in initiative.benefits:
            if record.evaluated_on is None:
                continue
            if record.benefit_vnd is None:
                entry.weighted[record.year_index] = None
                continue
            amount = remuneration.weighted(record.benefit_vnd, row.share_percent or 0)
            entry.weighted[record.year_index] = amount
            if initiative.is_recognised and initiative.first_applied_on is not None:
                year = initiative.first_applied_on.year + record.year_index - 1
                person.by_year[year] = person.by_year.get(year, 0) + amount
        person.entries.append(entry)
    person.group = _group(rows)
    person.reason = remuneration.certificate_reason(person.group, person.by_year, bars())
    return person


def authors_xlsx(people: list[Person]) -> bytes:
    """The author histories as a spreadsheet: one row per person and initiative."""
    headers = [
        _l("Họ và tên"),
        _l("Đơn vị"),
        _l("Điện thoại"),
        _l("Nhóm xét Bằng Lao động sáng tạo"),
        _l("Ứng viên"),
        _l("Tổng làm lợi theo tỷ lệ đóng góp (đồng)"),
        _l("Số sáng kiến"),
        _l("Tên sáng kiến"),
        _l("Trạng thái"),
        _l("Tỷ lệ đóng góp (%)"),
        _l("Làm lợi năm 1 (đồng)"),
        _l("Làm lợi năm 2 (đồng)"),
        _l("Làm lợi năm 3 (đồng)"),
    ]
    not_computable = str(_l("không tính được"))
    rows = []
    for person in people:
        for entry in person.entries:
            initiative = entry.initiative
            weighted = [entry.weighted.get(index, "") for index in YEARS]
            rows.append(
                [
                    person.name,
                    person.unit.name,
                    person.phone,
                    str(person.group_label),
                    str(person.reason_label),
                    person.total,
                    initiative.reference,
                    initiative.title,
                    str(initiative.state.label),
                    entry.author.share_percent,
                    *(not_computable if value is None else value for value in weighted),
                ]
            )
    return write_xlsx([(_l("Tác giả sáng kiến"), [str(h) for h in headers], rows)])
