"""One import engine for every list: the list declares its fields, example rows and value rules; this finds the
table, maps the file's columns (guessed, remembered for the festival, or chosen), skips what is not data,
previews every row, problem and note, and imports all rows or none with a report in the audit log."""

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from festival.core import audit
from festival.core.extensions import db
from festival.models import Festival, ImportMapping, Unit, User, utcnow
from festival.spreadsheets.problems import ImportRejected, RowProblems, group_notes
from festival.spreadsheets.reading import MAX_ROWS, CellError, Formula, Workbook, cell_text, too_many_rows
from festival.spreadsheets.skipping import REASONS, DataRow, Skipped, classify
from festival.spreadsheets.tables import (
    Field,
    FileColumn,
    SheetChoice,
    Table,
    best_sheet,
    find_sheet,
    guess_mapping,
    mapping_problems,
    read_table,
    sheet_choices,
    usable_mapping,
)
from festival.spreadsheets.values import Lookup, read_money, single_spaced
from festival.spreadsheets.writing import template_xlsx
from festival.util.formatting import fold

PREVIEW_ROWS = 20
NO_RESULT = _l(
    "Ô có công thức nhưng tệp không lưu kết quả của nó (tệp được tạo bằng chương trình không tính công thức). "
    "Hãy mở tệp trong Excel hoặc LibreOffice, lưu lại rồi tải lên lại."
)


@dataclass
class Prepared:
    """One row checked and converted: what the preview shows per field, and what `create` takes (None when
    the row has problems)."""

    number: int
    shown: dict[str, Any]
    data: Any = None
    hidden: bool = False


@dataclass(frozen=True)
class RecordWords:
    """How problems about a kind of record read: unknown, several matching, named otherwise than by its code
    (a note), and the valid values (said once)."""

    unknown: Any  # %(text)s
    several: Any  # %(text)s, %(codes)s
    named: Any  # %(text)s, %(code)s
    valid: Any  # %(choices)s
    missing: Any = None  # for a required cell left empty


UNIT_WORDS = RecordWords(
    unknown=_l("Không có đơn vị “%(text)s”."),
    several=_l("“%(text)s” giống nhiều đơn vị: %(codes)s. Hãy ghi mã đơn vị."),
    named=_l("“%(text)s” là đơn vị %(code)s."),
    valid=_l("Đơn vị hợp lệ (mã và tên ngắn): %(choices)s."),
    missing=_l("Chưa có đơn vị."),
)


def _say(template, **values) -> str:
    """A lazily translated message with placeholders, filled now."""
    return str(template) % values


def unit_lookup() -> Lookup:
    """Every unit, found by code, short name or full name."""
    units = db.session.execute(db.select(Unit).order_by(Unit.code)).scalars()
    return Lookup(units, lambda unit: (unit.code, unit.short_name, unit.name))


def list_template(
    fields: Sequence[Field], *, one_per_row: Any, upload_here: Any, notes: Sequence[Any] = (), lists=()
) -> bytes:
    """A list's import template: the header row on “Danh sách”; on “Hướng dẫn” the instructions every list shares
    around its own (`one_per_row` first, then `notes`, `upload_here` last), each column's rules, and the valid
    values: the list's own `lists` (a heading and its rows), then the units."""
    units = unit_lookup().records
    return template_xlsx(
        fields,
        title=_l("Danh sách"),
        instructions_title=_l("Hướng dẫn"),
        instructions=[
            one_per_row,
            _l("Cột tô màu là bắt buộc. Có thể thêm cột khác (STT, Ghi chú…): chúng không được nhập."),
            _l(
                "Không được nhập: %(reasons)s.",
                reasons="; ".join(str(REASONS[key]).lower() for key in ("blank", "total", "signature", "hidden")),
            ),
            *notes,
            upload_here,
        ],
        column_headings=[_l("Cột"), _l("Bắt buộc"), _l("Cách ghi"), _l("Ví dụ")],
        required_label=_l("Có"),
        lists=[*lists, (_l("Đơn vị"), [[unit.code, "", unit.name, unit.short_name] for unit in units])],
    )


def unit_choices(lookup: Lookup) -> str:
    shown = [f"{unit.code} ({unit.short_name})" for unit in lookup.records[:60]]
    return ", ".join(shown) + ("…" if len(lookup.records) > 60 else "")


@dataclass
class Batch:
    """The rows a list's `prepare` checks, with the problems it records and each money field's unit."""

    rows: list[DataRow]
    problems: RowProblems
    scales: dict[str, int]

    def money(self, row: DataRow, key: str) -> int | None:
        """The cell as whole đồng (the column's unit applied), or None when empty or refused."""
        if row[key] is None:
            return None
        scale = self.scales.get(key, 1)
        return self.problems.convert(row.number, key, lambda value: read_money(value, scale), row[key])

    def record(self, row: DataRow, key: str, lookup: Lookup, words: RecordWords, choices: Callable[[], str]):
        """The record the cell names by code or name (a name noted), or None after recording why not."""
        if row[key] is None:
            if words.missing is not None:
                self.problems.add(row.number, key, words.missing)
                self.problems.hint(key, _say(words.valid, choices=choices()))
            return None
        text = single_spaced(row[key])
        found, candidates = lookup.find(text)
        if found is None:
            if candidates:
                codes = ", ".join(candidate.code for candidate in candidates)
                self.problems.add(row.number, key, _say(words.several, text=text[:60], codes=codes))
            else:
                self.problems.add(row.number, key, _say(words.unknown, text=text[:60]))
            self.problems.hint(key, _say(words.valid, choices=choices()))
        elif fold(text) != fold(found.code):
            self.problems.note(row.number, key, _say(words.named, text=text, code=found.code))
        return found


@dataclass(frozen=True)
class ImportList:
    """A list that can be imported: its kind (names remembered mappings and uploads), fields, the template's
    example rows (recognised as not data), `prepare(festival, batch) -> [Prepared]` and
    `create(festival, [data], by) -> [created]`, and the audit action of the import report."""

    kind: str
    fields: Sequence[Field]
    prepare: Callable[[Festival, Batch], list[Prepared]]
    create: Callable[[Festival, list, User | None], list]
    audit_action: str
    done: Any = _l("Đã nhập %(n)d dòng từ %(where)s; bỏ qua %(skipped)d dòng.")  # the summary after an import
    examples: Sequence[Mapping[str, Any]] = ()
    # The values offered for a field given one value for every row: `options(festival) -> {key: [values]}`.
    options: Callable[[Festival], Mapping[str, Sequence[str]]] | None = None

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class Choices:
    """What the organizer chose on the preview page (or the command line); None means "as found"."""

    sheet: str | None = None
    mapping: Mapping[int, str] | None = None  # file column position -> field key
    scales: Mapping[int, int] = field(default_factory=dict)  # file column position -> money multiplier
    include: frozenset[int] = frozenset()  # skipped rows to import anyway
    fixed: Mapping[str, str] = field(default_factory=dict)  # field key -> the value of every row (no column)

    def to_json(self) -> dict:
        return {
            "sheet": self.sheet,
            "mapping": None if self.mapping is None else {str(p): k for p, k in self.mapping.items()},
            "scales": {str(p): s for p, s in self.scales.items()},
            "include": sorted(self.include),
            "fixed": dict(sorted(self.fixed.items())),
        }

    @classmethod
    def from_json(cls, data: Mapping | None) -> "Choices":
        data = data or {}
        mapping = data.get("mapping")
        return cls(
            sheet=data.get("sheet"),
            mapping=None if mapping is None else {int(p): str(k) for p, k in mapping.items()},
            scales={int(p): int(s) for p, s in (data.get("scales") or {}).items()},
            include=frozenset(int(n) for n in data.get("include") or ()),
            fixed={str(k): str(v) for k, v in (data.get("fixed") or {}).items()},
        )


@dataclass
class Preview:
    """Everything the organizer sees before importing: the sheet and its table, each column's field,
    skipped rows, the rows as they will be stored, problems and notes."""

    spec: ImportList
    workbook: Workbook
    sheets: list[SheetChoice]
    table: Table
    mapping: dict[int, str]
    scales: dict[int, int]
    source: str  # "guessed", "remembered" or "chosen"
    remembered: ImportMapping | None
    table_problems: list[str]
    skipped: list[Skipped]
    rows: list[Prepared]
    problems: RowProblems
    data_rows: int = 0
    fixed: dict[str, str] = field(default_factory=dict)  # the values given for every row, by field key

    @property
    def sheet_name(self) -> str | None:
        return self.table.sheet.name

    @property
    def can_import(self) -> bool:
        return not self.table_problems and not self.problems and bool(self.rows)

    @property
    def problem_count(self) -> int:
        return len(self.table_problems) + len(self.problems.problems)

    @property
    def columns(self) -> list[tuple[FileColumn, Field | None]]:
        return [(column, self.spec.field(self.mapping.get(column.position, ""))) for column in self.table.columns]

    @property
    def unused(self) -> list[FileColumn]:
        return [column for column in self.table.columns if column.position not in self.mapping]

    @property
    def samples(self) -> dict[int, str]:
        """Each column's first value in a row that is imported, as text (what the organizer recognises)."""
        skipped = {entry.first for entry in self.skipped if entry.first == entry.last}
        found: dict[int, str] = {}
        for row in self.table.body:
            if row.number in skipped:
                continue
            for column in self.table.columns:
                if column.position not in found and row.get(column.position) is not None:
                    text = " ".join(cell_text(row.get(column.position)).split())
                    found[column.position] = text if len(text) <= 60 else text[:59] + "…"
            if len(found) == len(self.table.columns):
                break
        return found

    @property
    def shown_fields(self) -> list[Field]:
        """The fields the preview table shows: those any row has a value for, in the list's order."""
        mapped = set(self.mapping.values())
        keys = {key for row in self.rows for key, value in row.shown.items() if value or key in mapped}
        return [f for f in self.spec.fields if f.key in keys]

    @property
    def warnings(self):
        return group_notes(self.problems.warnings)

    @property
    def shown_rows(self) -> list[Prepared]:
        return self.rows[:PREVIEW_ROWS]

    @property
    def notes(self):
        return group_notes(self.problems.notes)

    @property
    def fixable(self) -> list[Field]:
        """Fields read from no column that may take one value for every row."""
        mapped = set(self.mapping.values())
        return [f for f in self.spec.fields if f.fixable and f.key not in mapped]

    def effective(self, include) -> Choices:
        """The choices that give exactly this preview (the sheet, mapping, units and values for every row)."""
        return Choices(self.sheet_name, dict(self.mapping), dict(self.scales), frozenset(include), dict(self.fixed))

    def fingerprint(self, include) -> str:
        """Short and stable for the same effective choices: a page posts it back so an import runs only on
        the mapping the organizer saw previewed."""
        text = json.dumps(self.effective(include).to_json(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]

    def report(self, filename: str | None, created: int, include: frozenset[int]) -> dict:
        """The import as the audit log keeps it: file, sheet, rows, skipped rows, mapping."""
        return {
            "file": filename,
            "sheet": self.sheet_name,
            "header_rows": list(self.table.header_rows),
            "rows": created,
            "skipped": [{"rows": s.rows, "reason": s.reason} for s in self.skipped][:500],
            "included": sorted(include),
            "mapping": [
                {
                    "column": column.letter,
                    "header": column.header,
                    "field": self.mapping[column.position],
                    **({"scale": self.scales[column.position]} if column.position in self.scales else {}),
                }
                for column in self.table.columns
                if column.position in self.mapping
            ],
            "unused": [{"column": c.letter, "header": c.header} for c in self.unused],
            "every_row": dict(self.fixed),
            "mapping_source": self.source,
        }


def remembered_mapping(festival: Festival, kind: str, table: Table) -> ImportMapping | None:
    """The mapping organizers used last for a file with these headers, if any."""
    if not table.columns:
        return None
    return db.session.execute(
        db.select(ImportMapping).where(
            ImportMapping.festival_id == festival.id,
            ImportMapping.kind == kind,
            ImportMapping.signature == table.signature,
        )
    ).scalar_one_or_none()


def _choose_table(workbook: Workbook, spec: ImportList, choices: Choices) -> tuple[Table, list[str]]:
    problems = []
    sheet = find_sheet(workbook, choices.sheet) if choices.sheet is not None else None
    if choices.sheet is not None and sheet is None:
        problems.append(str(_l("Tệp không có trang tính “%(sheet)s”.", sheet=choices.sheet)))
    return read_table(sheet or best_sheet(workbook, spec.fields), spec.fields), problems


def preview(festival: Festival, spec: ImportList, workbook: Workbook, choices: Choices | None = None) -> Preview:
    """Read the file as `choices` say (the best sheet and the guessed or remembered mapping by default)."""
    choices = choices or Choices()
    table, table_problems = _choose_table(workbook, spec, choices)
    remembered = remembered_mapping(festival, spec.kind, table)
    if choices.mapping is not None and (choices.sheet is None or choices.sheet == table.sheet.name):
        mapping, source = usable_mapping(table, spec.fields, choices.mapping), "chosen"
    elif remembered is not None:
        mapping, source = usable_mapping(table, spec.fields, remembered.mapping), "remembered"
    else:
        mapping, source = guess_mapping(table, spec.fields), "guessed"
    money = {f.key for f in spec.fields if f.money}
    scales = {}
    for column in table.columns:
        if mapping.get(column.position) in money:
            stored = remembered.scales.get(str(column.position)) if source == "remembered" else None
            scales[column.position] = int(choices.scales.get(column.position) or stored or column.scale or 1)

    sheet = table.sheet
    if sheet.overflow:
        table_problems.append(str(too_many_rows(sheet.overflow)))
    if not table.header_rows:
        table_problems.append(str(_l("Trang tính “%(sheet)s” không có dữ liệu.", sheet=sheet.name or "CSV")))
    mapped = set(mapping.values())
    fixable = {f.key for f in spec.fields if f.fixable and f.key not in mapped}
    fixed = {key: value for key, value in choices.fixed.items() if key in fixable and value.strip()}
    table_problems += mapping_problems(table, spec.fields, mapping, fixed)
    data_rows, skipped = classify(table, mapping, examples=spec.examples, include=choices.include)
    for row in data_rows:  # after classify: a value given for every row never makes a blank row data
        row.values.update(fixed)
    if table.header_rows and not data_rows:
        row = table.header_rows[-1]
        table_problems.append(
            str(
                _l(
                    "Trang tính “%(sheet)s” không có dòng dữ liệu nào dưới dòng tiêu đề (dòng %(row)s).",
                    sheet=sheet.name,
                    row=row,
                )
            )
            if sheet.name is not None
            else str(_l("Không có dòng dữ liệu nào dưới dòng tiêu đề (dòng %(row)s).", row=row))
        )
    if len(data_rows) > MAX_ROWS and not sheet.overflow:
        table_problems.append(str(too_many_rows(MAX_ROWS)))

    labels = {f.key: f.title for f in spec.fields}
    columns = {key: table.column(position) for position, key in mapping.items()}
    problems = RowProblems(sheet.name, columns, labels)
    for row in data_rows:
        for key, value in row.values.items():
            if isinstance(value, Formula):
                problems.add(row.number, key, NO_RESULT)
                row.values[key] = None
            elif isinstance(value, CellError):
                problems.add(row.number, key, _l("Ô báo lỗi công thức %(code)s.", code=value.code))
                row.values[key] = None
    if table_problems:
        # Without a usable mapping the rows cannot be checked; show them as the file has them.
        prepared = [
            Prepared(row.number, {k: cell_text(v) for k, v in row.values.items()}, None, row.hidden)
            for row in data_rows[:PREVIEW_ROWS]
        ]
    else:
        field_scales = {mapping[position]: scale for position, scale in scales.items()}
        prepared = spec.prepare(festival, Batch(data_rows, problems, field_scales))
        hidden = {row.number for row in data_rows if row.hidden}
        for row in prepared:
            row.hidden = row.number in hidden
    return Preview(
        spec,
        workbook,
        sheet_choices(workbook, spec.fields),
        table,
        mapping,
        scales,
        source,
        remembered,
        table_problems,
        skipped,
        prepared,
        problems,
        len(data_rows),
        fixed,
    )


def remember(festival: Festival, spec: ImportList, result: Preview, by: User | None) -> None:
    """Keep the mapping for the next file with the same headers."""
    entry = result.remembered
    if entry is None:
        entry = ImportMapping(festival_id=festival.id, kind=spec.kind, signature=result.table.signature)
        db.session.add(entry)
    entry.headers = [column.header for column in result.table.columns]
    entry.mapping = {str(position): key for position, key in result.mapping.items()}
    entry.scales = {str(position): scale for position, scale in result.scales.items()}
    entry.updated_by_id = by.id if by is not None else None
    entry.updated_at = utcnow()


def commit_import(
    festival: Festival, result: Preview, choices: Choices, *, filename: str | None, by: User | None
) -> list:
    """Create the rows of a preview that has no problem, write the report to the audit log and remember the
    mapping. The caller commits.

    :raise ImportRejected: the preview has problems; nothing is written.
    """
    if not result.can_import:
        raise ImportRejected(result.problems.problems, result.table_problems)
    spec = result.spec
    created = spec.create(festival, [row.data for row in result.rows], by)
    remember(festival, spec, result, by)
    audit.record(
        spec.audit_action, festival, by=by, after=result.report(filename, len(created), frozenset(choices.include))
    )
    return created


def run_import(
    festival: Festival,
    spec: ImportList,
    workbook: Workbook,
    choices: Choices | None = None,
    *,
    filename: str | None = None,
    by: User | None = None,
) -> tuple[list, Preview]:
    """Preview the file as `choices` say, then import every row, or none. The caller commits.

    :raise ImportRejected: the table, the mapping or any row has a problem; nothing is written.
    """
    choices = choices or Choices()
    result = preview(festival, spec, workbook, choices)
    return commit_import(festival, result, choices, filename=filename, by=by), result
