"""Every spreadsheet of the fixture set imports exactly its expected rows, or is refused with its expected
messages and nothing written — through the command line, the way an organizer's file arrives."""

import pytest

from festival.badges.import_export import ATTENDEES
from festival.core.extensions import db
from festival.exhibits.import_export import EXHIBITS
from festival.models import Attendee, Exhibit, Festival
from festival.spreadsheets import preview, read_workbook
from tests.imports.conftest import written
from tests.imports.office_files import CASES

LISTS = {"attendees": ATTENDEES, "exhibits": EXHIBITS}


def attendee_rows(app) -> list[tuple]:
    with app.app_context():
        people = db.session.execute(db.select(Attendee).order_by(Attendee.id)).scalars()
        return [
            (a.full_name, a.unit.code if a.unit else None, a.role.code, a.email, a.phone, a.organisation)
            for a in people
        ]


def exhibit_rows(app) -> list[tuple]:
    with app.app_context():
        exhibits = db.session.execute(db.select(Exhibit).order_by(Exhibit.id)).scalars()
        return [
            (
                e.ref,
                e.unit.code,
                e.category.code,
                e.title,
                [(a.full_name, a.job_title) for a in e.authors],
                e.benefit_vnd,
                e.applied_since,
                e.scope.value if e.scope else None,
            )
            for e in exhibits
        ]


READ_BACK = {"attendees": attendee_rows, "exhibits": exhibit_rows}


def check_import(app, runner, case, path, rows, refusal):
    """Import the file with the CLI and check the outcome: exactly `rows`, or refused with `refusal`."""
    before = written(app)
    result = runner.invoke(args=[case.kind, "import", str(path)])
    if refusal:
        assert result.exit_code == 1, result.output
        for message in refusal:
            assert message in result.output, f"{message!r} not in:\n{result.output}"
        assert written(app) == before, "a refused import wrote something"
    else:
        assert result.exit_code == 0, result.output
        assert READ_BACK[case.kind](app) == rows
    return result


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_office_file_imports_its_rows_or_is_refused_with_its_reasons(app, runner, sector, tmp_path, case):
    path = tmp_path / case.name
    path.write_bytes(case.build())
    check_import(app, runner, case, path, case.rows, case.refusal)


@pytest.mark.parametrize("case", [c for c in CASES if c.sheet or c.skipped], ids=lambda case: case.name)
def test_the_preview_names_the_sheet_and_lists_the_skipped_rows(app, sector, case):
    with app.app_context():
        result = preview(db.session.get(Festival, sector["festival"]), LISTS[case.kind], read_workbook(case.build()))
        if case.sheet:
            assert result.sheet_name == case.sheet
        found = [(entry.rows, entry.reason) for entry in result.skipped]
        for entry in case.skipped:
            assert entry in found, (entry, found)
        db.session.rollback()


def test_the_fixture_set_covers_what_office_files_hold():
    assert len(CASES) >= 20
    assert {case.kind for case in CASES} == {"attendees", "exhibits"}
    assert sum(1 for case in CASES if case.refusal) >= 8 and sum(1 for case in CASES if case.rows) >= 12
