"""The one spreadsheet engine: reading uploads (reading.py), finding the table and mapping its columns
(tables.py), skipping what is not data (skipping.py), reading values (values.py), problems (problems.py), the
import itself (imports.py), uploads kept between steps (staging.py), and writing exports and templates
(writing.py). Lists declare their fields and value rules and call `preview` / `run_import`."""

from festival.spreadsheets.imports import Batch, Choices, ImportList, Prepared, Preview, preview, run_import
from festival.spreadsheets.problems import ImportRejected, RowProblem, RowProblems
from festival.spreadsheets.reading import (
    MAX_ROWS,
    CellError,
    Formula,
    Sheet,
    SheetRow,
    SpreadsheetError,
    Workbook,
    cell_text,
    read_workbook,
)
from festival.spreadsheets.skipping import DataRow, Skipped
from festival.spreadsheets.tables import Field, FileColumn, Table, header_key, read_table
from festival.spreadsheets.values import (
    Lookup,
    Noted,
    paragraphs,
    read_date,
    read_money,
    read_people,
    read_year,
    single_spaced,
)
from festival.spreadsheets.writing import neutralise, template_xlsx, write_csv, write_xlsx

__all__ = [
    "MAX_ROWS",
    "Batch",
    "CellError",
    "Choices",
    "DataRow",
    "Field",
    "FileColumn",
    "Formula",
    "ImportList",
    "ImportRejected",
    "Lookup",
    "Noted",
    "Prepared",
    "Preview",
    "RowProblem",
    "RowProblems",
    "Sheet",
    "SheetRow",
    "Skipped",
    "SpreadsheetError",
    "Table",
    "Workbook",
    "cell_text",
    "header_key",
    "neutralise",
    "paragraphs",
    "preview",
    "read_date",
    "read_money",
    "read_people",
    "read_table",
    "read_workbook",
    "read_year",
    "run_import",
    "single_spaced",
    "template_xlsx",
    "write_csv",
    "write_xlsx",
]
