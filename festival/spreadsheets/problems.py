"""What is wrong with an import, cell by cell, and what was read in a way the organizer should see."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from festival.core.errors import FestivalError
from festival.spreadsheets.tables import FileColumn
from festival.spreadsheets.values import Noted


@dataclass(frozen=True)
class RowProblem:
    """One bad (or noted) cell: the row as the spreadsheet shows it, the column as the file names it
    (`D “SĐT”`, or a field's label in quotes), what is wrong, and the sheet when the file has sheets."""

    row: int
    column: str | None
    message: Any
    sheet: str | None = None

    def __str__(self):
        values = {"row": self.row, "column": self.column, "message": str(self.message), "sheet": self.sheet}
        if self.sheet is not None and self.column is not None:
            return str(_l("Trang tính “%(sheet)s”, dòng %(row)s, cột %(column)s: %(message)s", **values))
        if self.sheet is not None:
            return str(_l("Trang tính “%(sheet)s”, dòng %(row)s: %(message)s", **values))
        if self.column is not None:
            return str(_l("Dòng %(row)s, cột %(column)s: %(message)s", **values))
        return str(_l("Dòng %(row)s: %(message)s", **values))


class ImportRejected(FestivalError):
    """An import had problems; nothing was written and `problems` lists every one."""

    def __init__(self, problems: Iterable[RowProblem], table_problems: Iterable[str] = ()):
        self.problems = sorted(problems, key=lambda problem: problem.row)
        self.table_problems = list(table_problems)
        count = len(self.problems) + len(self.table_problems)
        super().__init__(_l("Tệp có %(count)s lỗi; không có dòng nào được nhập.", count=count))


class RowProblems:
    """Collects every bad cell of an import (one problem per cell, the first found) and every note, so the
    organizer sees all of them at once. Columns are named by field key (the file's column is looked up)
    or by a label."""

    def __init__(
        self,
        sheet: str | None = None,
        columns: Mapping[str, FileColumn] | None = None,
        labels: Mapping[str, Any] | None = None,
    ):
        self.sheet = sheet
        self.columns = dict(columns or {})
        self.labels = dict(labels or {})
        self.problems: list[RowProblem] = []
        self.notes: list[RowProblem] = []
        self.warnings: list[RowProblem] = []  # worth a look, not a reason to refuse (a possible duplicate)
        self.hints: dict[str, Any] = {}  # column -> what it accepts, said once under the problems
        self._cells: set[tuple[int, str | None]] = set()

    def column_name(self, column) -> str | None:
        if column is None:
            return None
        if isinstance(column, FileColumn):
            return column.describe()
        if column in self.columns:
            return self.columns[column].describe()
        return f"“{self.labels.get(column, column)}”"

    def add(self, row: int, column, message) -> None:
        """Record that `column` of spreadsheet row `row` is wrong (a second problem in the same cell is dropped)."""
        name = self.column_name(column)
        if (row, name) in self._cells:
            return
        self._cells.add((row, name))
        self.problems.append(RowProblem(row, name, message, self.sheet))

    def hint(self, column, text) -> None:
        """Say once, for a column with problems, what it accepts (the valid unit codes, say)."""
        self.hints.setdefault(self.column_name(column), text)

    def note(self, row: int, column, message) -> None:
        """Record how a cell was read, when the organizer should see it (a tỷ in words, a date's year)."""
        self.notes.append(RowProblem(row, self.column_name(column), message, self.sheet))

    def warn(self, row: int, column, message) -> None:
        """Record something the organizer should check that does not stop the import (a possible duplicate)."""
        self.warnings.append(RowProblem(row, self.column_name(column), message, self.sheet))

    def convert(self, row: int, column, parse: Callable[[Any], Any], value):
        """`parse(value)` (its note recorded), or None after recording the problem when it raises ValueError."""
        try:
            result = parse(value)
        except ValueError as error:
            self.add(row, column, error.args[0] if error.args else str(error))
            return None
        if isinstance(result, Noted):
            if result.note:
                self.note(row, column, result.note)
            return result.value
        return result

    def raise_if_any(self) -> None:
        """:raise ImportRejected: when any problem was recorded."""
        if self.problems:
            raise ImportRejected(self.problems)

    def __len__(self):
        return len(self.problems)

    def __bool__(self):
        return bool(self.problems)

    def __iter__(self):
        return iter(self.problems)


@dataclass(frozen=True)
class GroupedNote:
    """The same note on several rows, said once: `Dòng 2, 5–7, cột B “Đơn vị”: …`."""

    rows: str
    column: str | None
    message: str
    sheet: str | None = None


def _ranges(numbers: list[int]) -> str:
    parts, start, previous = [], None, None
    for number in sorted(set(numbers)):
        if start is None:
            start = previous = number
        elif number == previous + 1:
            previous = number
        else:
            parts.append(str(start) if start == previous else f"{start}–{previous}")
            start = previous = number
    if start is not None:
        parts.append(str(start) if start == previous else f"{start}–{previous}")
    return ", ".join(parts)


def group_notes(notes: Iterable[RowProblem]) -> list[GroupedNote]:
    """Notes with the same column and message joined, in the order first seen."""
    groups: dict[tuple, list[int]] = {}
    for note in notes:
        groups.setdefault((note.column, str(note.message), note.sheet), []).append(note.row)
    return [GroupedNote(_ranges(rows), column, message, sheet) for (column, message, sheet), rows in groups.items()]
