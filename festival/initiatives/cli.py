"""`flask --app wsgi initiatives import FILE [--unit CODE] [--sheet S] [--map FIELD=COLUMN] [--dry-run]`."""

import click
from flask.cli import AppGroup

from festival.core.cli_options import festival_option
from festival.initiatives import import_export
from festival.spreadsheets import importing
from festival.spreadsheets.imports import unit_lookup

initiatives_cli = AppGroup("initiatives", help="Initiative register commands.")


@initiatives_cli.command("import")
@importing.import_options
@click.option(
    "--unit", "unit_code", help="Import into this unit's register only (its code); default: the file's unit column."
)
def import_command(path, sheet, maps, fixed, include, dry_run, edition, unit_code):
    """Import a unit's existing initiative register from an XLSX or CSV file: all rows or none (fields: unit, year,
    number, title, field, team, department, authors, shares, author_jobs, author_category, problem, solution, effect,
    first_applied_on, application, state, decision_number, decided_on, level, refusal_reason, benefit,
    trade_secret). The festival only keeps the remembered column mapping."""
    festival = festival_option(edition)
    unit = None
    if unit_code is not None:
        unit, _candidates = unit_lookup().find(unit_code)
        if unit is None:
            raise click.BadParameter(f"no unit {unit_code!r} (give its code)", param_hint="--unit")
    spec = import_export.register_list(unit)
    importing.run_command(spec, "initiatives", festival, path, sheet, maps, fixed, include, dry_run)


def init_app(app):
    app.cli.add_command(initiatives_cli)
