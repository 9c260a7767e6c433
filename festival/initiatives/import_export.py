"""A unit's existing register (sổ theo dõi sáng kiến) imported from a spreadsheet through the one import engine:
the rows checked by the register's rules (all rows or none, numbers kept free), entered in their units' registers,
and the template with its instructions sheet. The columns and how cells are read: register_columns.py.

Decisions, also said in the template: the year is the "Năm" column, else the one a number written SK-2021-015
states, else the year of the first application, else this year; several authors without shares share equally;
the field is production unless said; the state is read from its column, else "not recognised" when a reason is
given, "recognised" when a decision number is, "applied" when a first application date is, else "received"; an
old recognition is history and is kept whatever the one-year limit of its request (the limit watches requests
still to be made)."""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from festival.core import audit
from festival.core.errors import FestivalError, Unavailable
from festival.core.extensions import db
from festival.initiatives import services
from festival.initiatives.register_columns import (
    KIND,
    NOT_COMPUTABLE,
    ORGANIZER_FIELDS,
    UNIT_FIELDS,
    parse_application,
    parse_authors,
    parse_category,
    parse_field,
    parse_level,
    parse_number,
    parse_state,
    parse_yes_no,
    settle_shares,
    share_cell,
    words,
)
from festival.models import (
    AuthorCategory,
    Festival,
    Initiative,
    InitiativeBenefit,
    InitiativeField,
    InitiativeSource,
    InitiativeState,
    RecognitionLevel,
    Unit,
    User,
    utcnow,
)
from festival.spreadsheets import (
    Batch,
    ImportList,
    Lookup,
    Prepared,
    cell_text,
    paragraphs,
    read_date,
    read_year,
    single_spaced,
)
from festival.spreadsheets.imports import UNIT_WORDS, list_template, unit_choices, unit_lookup
from festival.spreadsheets.values import read_list
from festival.util.formatting import festival_today, fold, format_date, format_vnd


@dataclass
class Row:
    """One row checked: what `create_initiatives` writes."""

    number: int  # the spreadsheet's row, for ordering
    unit: Unit
    year: int
    register_number: int | None
    data: services.InitiativeInput
    state: InitiativeState
    decision_number: str = ""
    decided_on: date | None = None
    level: RecognitionLevel | None = None
    refusal_reason: str = ""
    benefit_given: bool = False
    benefit_vnd: int | None = None


def _column_list(row, key: str, count: int, parse, problems, message) -> list | None:
    """A column with one value per author (or one for all), parsed; None after recording a problem (`message(have)`
    says how many values there were)."""
    items = read_list(row[key])
    if len(items) == 1:
        items = items * count
    if len(items) != count:
        problems.add(row.number, key, message(len(read_list(row[key]))))
        return None
    values = []
    for item in items:
        value = problems.convert(row.number, key, parse, item)
        if value is None:
            return None
        values.append(value)
    return values


def _unit_of(row, batch: Batch, units: Lookup, own: Unit | None):
    """The row's unit: named in its column (organizers must), else the account's own; another unit than the
    account's own is a problem."""
    problems = batch.problems
    if own is not None and row["unit"] is None:
        return own
    unit = batch.record(row, "unit", units, UNIT_WORDS, lambda: unit_choices(units))
    if unit is not None and own is not None and unit.id != own.id:
        problems.add(
            row.number,
            "unit",
            _l("Bạn chỉ nhập được vào sổ sáng kiến của %(unit)s (dòng ghi %(code)s).", unit=own.code, code=unit.code),
        )
        return None
    return unit


def _read_authors(row, problems) -> list[services.AuthorInput] | None:
    n = row.number
    if row["authors"] is None:
        problems.add(n, "authors", _l("Cần ít nhất một tác giả."))
        return None
    read = problems.convert(n, "authors", parse_authors, row["authors"])
    if read is None:
        return None
    authors, notes = read
    for note in notes:
        problems.note(n, "authors", note)
    count = len(authors)
    if row["shares"] is not None:
        shares = _column_list(
            row,
            "shares",
            count,
            share_cell,
            problems,
            lambda have: _l("Có %(have)d tỷ lệ cho %(authors)d tác giả; ghi theo thứ tự.", have=have, authors=count),
        )
        if shares is None:
            return None
        for author, share in zip(authors, shares):
            author.share = share if author.share is None else author.share
    settled = problems.convert(n, "shares" if row["shares"] is not None else "authors", settle_shares, authors)
    if settled is None:
        return None
    shares, note = settled
    if note:
        problems.note(n, "authors", note)
    jobs = [a.job for a in authors]
    if row["author_jobs"] is not None:
        found = _column_list(
            row,
            "author_jobs",
            count,
            str,
            problems,
            lambda have: _l(
                "Có %(have)d chức danh cho %(authors)d tác giả; ghi theo thứ tự.", have=have, authors=count
            ),
        )
        if found is None:
            return None
        jobs = [job or extra[:200] for job, extra in zip(jobs, found)]
    categories = [AuthorCategory.WORKER] * count
    if row["author_category"] is not None:
        found = _column_list(
            row,
            "author_category",
            count,
            parse_category,
            problems,
            lambda have: _l(
                "Có %(have)d đối tượng cho %(authors)d tác giả; ghi một giá trị chung hoặc mỗi tác giả một giá trị.",
                have=have,
                authors=count,
            ),
        )
        if found is None:
            return None
        categories = found
    return [
        services.AuthorInput(a.name, job, category=category, share_percent=share)
        for a, job, category, share in zip(authors, jobs, categories, shares)
    ]


def _money(batch: Batch, row) -> tuple[bool, int | None]:
    """(given, amount): "không tính được" is given with no amount."""
    if row["benefit"] is None:
        return False, None
    if words(row["benefit"]) in NOT_COMPUTABLE:
        return True, None
    amount = batch.money(row, "benefit")
    return amount is not None, amount


def _date(problems, row, key: str, today: date) -> date | None:
    if row[key] is None:
        return None
    value = problems.convert(row.number, key, read_date, row[key])
    if value is not None and value > today:
        problems.add(row.number, key, _l("Ngày %(date)s sau hôm nay.", date=format_date(value)))
        return None
    return value


def _state_rules(problems, n: int, record: Row, has_column: bool) -> None:
    """The register's rules for a state written down as history (the steps' own, less the one-year limit)."""
    data, state = record.data, record.state
    first = data.first_applied_on
    if state in (InitiativeState.RECEIVED, InitiativeState.PROPOSED):
        if first is not None:
            problems.add(
                n,
                "state" if has_column else "first_applied_on",
                _l("Có ngày áp dụng: trạng thái phải là Đã áp dụng, Đã được công nhận hoặc Không được công nhận."),
            )
    if state is not InitiativeState.RECOGNISED and state is not InitiativeState.NOT_RECOGNISED:
        if record.decision_number or record.decided_on:
            problems.add(
                n, "decision_number", _l("Chỉ sáng kiến đã được (hoặc không được) công nhận mới có quyết định.")
            )
    if state is not InitiativeState.RECOGNISED and record.level is not None:
        problems.add(n, "level", _l("Chỉ sáng kiến đã được công nhận mới có cấp công nhận."))
    if state in (InitiativeState.APPLIED, InitiativeState.RECOGNISED) and first is None:
        problems.add(n, "first_applied_on", _l("Sáng kiến đã áp dụng cần ngày áp dụng lần đầu."))
    if state is InitiativeState.RECOGNISED:
        if not record.decision_number:
            problems.add(n, "decision_number", _l("Sáng kiến đã được công nhận cần số quyết định."))
        if record.decided_on is None:
            problems.add(n, "decided_on", _l("Sáng kiến đã được công nhận cần ngày quyết định."))
        elif first is not None and record.decided_on < first:
            problems.add(n, "decided_on", _l("Ngày quyết định không được trước ngày áp dụng lần đầu."))
        record.level = record.level or RecognitionLevel.BASE
    if state is InitiativeState.NOT_RECOGNISED and not record.refusal_reason:
        problems.add(n, "refusal_reason", _l("Sáng kiến không được công nhận cần lý do."))
    if record.benefit_given and state not in (InitiativeState.APPLIED, InitiativeState.RECOGNISED):
        problems.add(n, "benefit", _l("Chỉ sáng kiến đã áp dụng hoặc đã được công nhận mới ghi giá trị làm lợi."))


def prepare_register(own: Unit | None, festival: Festival, batch: Batch) -> list[Prepared]:
    """Check and convert every row for the register of `own` (None: any unit, organizers). A number used in the
    unit's year (already, or twice in the file) is a problem; the same title twice in a unit's year a warning."""
    problems = batch.problems
    units = unit_lookup()
    today = festival_today()
    teams: dict[int, dict[str, object]] = {}
    for team in services.unit_teams(None if own is None else [own.id]):
        names = teams.setdefault(team.unit_id, {})
        names.setdefault(fold(team.name), team)
        names.setdefault(fold(team.label), team)
    existing = db.select(Initiative.unit_id, Initiative.year, Initiative.number, Initiative.title)
    if own is not None:
        existing = existing.where(Initiative.unit_id == own.id)
    titles = {}
    taken = set()
    for unit_id, year, number, title in db.session.execute(existing).tuples():
        taken.add((unit_id, year, number))
        titles[(unit_id, year, fold(title))] = f"SK-{year}-{number:03d}"
    seen_numbers: dict[tuple, int] = {}
    seen_titles: dict[tuple, int] = {}
    prepared = []
    for row in batch.rows:
        n, before = row.number, len(problems)
        unit = _unit_of(row, batch, units, own)
        title = single_spaced(row["title"])
        if not title:
            problems.add(n, "title", _l("Chưa có tên sáng kiến."))
        elif len(title) > 300:
            problems.add(n, "title", _l("Tên dài quá 300 ký tự."))
        kind = InitiativeField.PRODUCTION
        if row["field"] is not None:
            kind = problems.convert(n, "field", parse_field, row["field"]) or kind
        authors = _read_authors(row, problems)
        first = _date(problems, row, "first_applied_on", today)
        decided_on = _date(problems, row, "decided_on", today)
        application = None
        if row["application"] is not None:
            application = problems.convert(n, "application", parse_application, row["application"])
        level = problems.convert(n, "level", parse_level, row["level"]) if row["level"] is not None else None
        secret = False
        if row["trade_secret"] is not None:
            secret = problems.convert(n, "trade_secret", parse_yes_no, row["trade_secret"])
        benefit_given, benefit = _money(batch, row)
        decision_number = single_spaced(row["decision_number"])[:60]
        reason = paragraphs(row["refusal_reason"])
        if row["state"] is not None:
            state = problems.convert(n, "state", parse_state, row["state"])
        elif reason:
            state = InitiativeState.NOT_RECOGNISED
        elif decision_number:
            state = InitiativeState.RECOGNISED
        elif first is not None:
            state = InitiativeState.APPLIED
        else:
            state = InitiativeState.RECEIVED
        number, written_year = None, None
        if row["number"] is not None:
            read = problems.convert(n, "number", parse_number, row["number"])
            if read is not None:
                written_year, number = read
        # The year: its column, else the one an SK-2021-015 number says, else the first application's, else now.
        year = None
        if row["year"] is not None:
            year = problems.convert(n, "year", lambda v: read_year(v, 2000, today.year + 1), row["year"])
            if written_year is not None and year is not None and written_year != year:
                message = _l("Số %(text)s không thuộc năm %(year)d.", text=cell_text(row["number"]), year=year)
                problems.add(n, "number", message)
        elif written_year is not None:
            year = written_year if 2000 <= written_year <= today.year + 1 else None
            if year is None:
                problems.add(n, "number", _l("Năm của sổ sáng kiến không hợp lệ."))
        else:
            year = first.year if first is not None else today.year
        if unit is not None and year is not None and number is not None:
            key = (unit.id, year, number)
            if key in taken:
                problems.add(
                    n, "number", _l("Số SK-%(year)d-%(number)03d đã có trong sổ của đơn vị.", year=year, number=number)
                )
            elif key in seen_numbers:
                message = _l("Số %(number)d lặp lại dòng %(row)d.", number=number, row=seen_numbers[key])
                problems.add(n, "number", message)
            seen_numbers.setdefault(key, n)
        if unit is not None and year is not None and title:
            key = (unit.id, year, fold(title))
            if key in seen_titles:
                message = _l("Cùng tên sáng kiến, đơn vị và năm với dòng %(row)d.", row=seen_titles[key])
                problems.warn(n, "title", message)
            elif key in titles:
                problems.warn(n, "title", _l("Sổ của đơn vị đã có sáng kiến cùng tên (%(ref)s).", ref=titles[key]))
            seen_titles.setdefault(key, n)
        team_text = single_spaced(row["team"])[:200]
        team = teams.get(unit.id, {}).get(fold(team_text)) if unit is not None and team_text else None
        record = None
        if unit is not None and authors is not None and state is not None and year is not None:
            data = services.InitiativeInput(
                title=title,
                field=kind,
                authors=authors,
                team=team,
                team_name="" if team is not None else team_text,
                department=single_spaced(row["department"])[:200],
                problem=paragraphs(row["problem"]),
                solution=paragraphs(row["solution"]),
                effect_summary=paragraphs(row["effect"]),
                first_applied_on=first,
                application=application,
                is_trade_secret=bool(secret),
            )
            record = Row(n, unit, year, number, data, state, decision_number, decided_on, level, reason)
            record.benefit_given, record.benefit_vnd = benefit_given, benefit
            _state_rules(problems, n, record, row["state"] is not None)
            if title and len(problems) == before:
                try:  # the register's own rules, as for a typed initiative
                    services.check_input(unit, data, today)
                except FestivalError as error:
                    problems.add(n, None, error.message)
        shown = {
            "unit": unit.code if unit else cell_text(row["unit"]),
            "year": str(year or ""),
            "number": f"SK-{year}-{number:03d}" if number and year else ("" if number else str(_l("(số tiếp theo)"))),
            "title": title,
            "field": str(kind.label),
            "team": team.label if team is not None else team_text,
            "department": single_spaced(row["department"]),
            "authors": "; ".join(f"{a.full_name} ({a.share_percent}%)" for a in authors)
            if authors
            else cell_text(row["authors"]),
            "author_category": ", ".join(dict.fromkeys(str(a.category.label) for a in authors)) if authors else "",
            "problem": _short(row["problem"]),
            "solution": _short(row["solution"]),
            "effect": _short(row["effect"]),
            "first_applied_on": format_date(first) if first else "",
            "application": str(application.label) if application else "",
            "state": str(state.label) if state else cell_text(row["state"]),
            "decision_number": decision_number,
            "decided_on": format_date(decided_on) if decided_on else "",
            "level": str(record.level.label) if record is not None and record.level else "",
            "refusal_reason": _short(row["refusal_reason"]),
            "benefit": _benefit_text(benefit_given, benefit),
            "trade_secret": str(_l("Có")) if secret else "",
        }
        prepared.append(Prepared(n, shown, record if len(problems) == before else None))
    return prepared


def _benefit_text(given: bool, amount: int | None) -> str:
    if amount is not None:
        return format_vnd(amount)
    return str(_l("Không tính được")) if given else ""


def _short(value) -> str:
    text = paragraphs(value)
    return text[:120] + "…" if len(text) > 120 else text


def _add(record: Row, by: User | None) -> Initiative:
    """One initiative in its unit's register, under its own number or the next free one."""
    initiative = Initiative(unit=record.unit, year=record.year, source=InitiativeSource.IMPORT, entered_by=by)
    services.apply_input(initiative, record.data)
    initiative.state, initiative.state_changed_at = record.state, utcnow()
    initiative.decision_number, initiative.decided_on = record.decision_number, record.decided_on
    initiative.level, initiative.refusal_reason = record.level, record.refusal_reason
    if record.state is InitiativeState.RECOGNISED:
        # The council recognised it, so its three findings held.
        initiative.is_new_in_unit = initiative.is_applied_with_benefit = initiative.is_not_excluded = True
    if record.benefit_given:
        initiative.benefit_computable = record.benefit_vnd is not None
        # A recognised row's benefit is the one its decision counted (as the demo keeps it); an applied row's
        # waits for its evaluation.
        evaluated_on = record.decided_on if record.state is InitiativeState.RECOGNISED else None
        initiative.benefits.append(
            InitiativeBenefit(year_index=1, benefit_vnd=record.benefit_vnd, evaluated_on=evaluated_on)
        )
    if record.register_number is None:
        if not services.add_numbered(initiative, record.unit):
            raise Unavailable(_l("Sổ sáng kiến đang được nhiều người ghi cùng lúc. Hãy nhập lại."))
        return initiative
    initiative.number = record.register_number
    try:
        with db.session.begin_nested():
            db.session.add(initiative)
            db.session.flush()
    except IntegrityError:
        raise FestivalError(
            _l("Số %(ref)s vừa được dùng trong sổ sáng kiến. Hãy xem lại tệp rồi nhập lại.", ref=initiative.reference)
        ) from None
    return initiative


def create_initiatives(festival: Festival, records: list[Row], by: User | None) -> list[Initiative]:
    """Enter the checked rows in their units' registers, each audited: the rows that give their number first,
    so the others' next free numbers never take one of them; returned in the file's order."""
    ordered = sorted(records, key=lambda r: (r.register_number is None, r.number))
    created = {}
    for record in ordered:
        initiative = _add(record, by)
        audit.record(
            "initiative.imported",
            initiative,
            by=by,
            after={
                **services.snapshot(initiative),
                "state": initiative.state,
                "decision_number": record.decision_number,
            },
        )
        created[record.number] = initiative
    return [created[record.number] for record in records]


def register_options(festival: Festival) -> dict[str, list[str]]:
    """What may be given every row: a unit's code, a year, a field."""
    this_year = festival_today().year
    return {
        "unit": [unit.code for unit in unit_lookup().records],
        "year": [str(year) for year in range(this_year, this_year - 10, -1)],
        "field": [str(value.label) for value in InitiativeField],
    }


def register_list(own: Unit | None) -> ImportList:
    """The register as an import list: organizers (`own` None) name each row's unit; a unit's account or support
    team imports into its own register only."""
    return ImportList(
        kind=KIND,
        fields=ORGANIZER_FIELDS if own is None else UNIT_FIELDS,
        prepare=lambda festival, batch: prepare_register(own, festival, batch),
        create=create_initiatives,
        audit_action="initiatives.imported",
        done=_l("Đã nhập %(n)d sáng kiến vào sổ từ %(where)s; bỏ qua %(skipped)d dòng."),
        options=register_options,
    )


def import_template(own: Unit | None) -> bytes:
    """The template: the header row on “Danh sách”; the instructions, fields, states and levels on “Hướng dẫn”."""
    return list_template(
        ORGANIZER_FIELDS if own is None else UNIT_FIELDS,
        one_per_row=_l(
            "Ghi mỗi sáng kiến của sổ một dòng trên trang “Danh sách”, từ dòng 2; giữ nguyên dòng tiêu đề. Có thể "
            "tải lên chính sổ theo dõi sáng kiến của đơn vị: tiêu đề hai dòng, dòng tổng cộng và phần chữ ký được "
            "bỏ qua."
        ),
        notes=[
            _l(
                "Sáng kiến nhập vào giữ số, trạng thái và quyết định như sổ đã ghi; mọi dòng được nhập, hoặc không "
                "dòng nào."
            ),
            _l(
                "Quyết định công nhận đã có được giữ như lịch sử, kể cả khi đơn yêu cầu đã quá một năm kể từ ngày áp "
                "dụng lần đầu."
            ),
        ],
        upload_here=_l("Lưu tệp dạng .xlsx hoặc “CSV UTF-8”, rồi tải lên ở trang Nhập sổ sáng kiến từ Excel."),
        lists=[
            (_l("Lĩnh vực"), [[str(i), "", str(value.label), ""] for i, value in enumerate(InitiativeField, 1)]),
            (_l("Trạng thái"), [[str(value.label), "", "", ""] for value in InitiativeState]),
            (_l("Cấp công nhận"), [[str(value.label), "", "", ""] for value in RecognitionLevel]),
            (_l("Đối tượng tác giả"), [[str(value.label), "", "", ""] for value in AuthorCategory]),
        ],
    )
