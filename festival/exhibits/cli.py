"""`flask --app wsgi exhibits import FILE [--sheet S] [--map FIELD=COLUMN] [--dry-run] [--festival N]`."""

from flask.cli import AppGroup

from festival.core.cli_options import festival_option
from festival.exhibits import import_export
from festival.spreadsheets import importing

exhibits_cli = AppGroup("exhibits", help="Exhibit commands.")


@exhibits_cli.command("import")
@importing.import_options
def import_command(path, sheet, maps, fixed, include, dry_run, edition):
    """Import exhibits from an XLSX or CSV file: all rows or none, as submitted exhibits (fields: ref, unit,
    category, title, authors, author_jobs, benefit, applied_since, scope, summary, problem, solution, results)."""
    festival = festival_option(edition)
    importing.run_command(import_export.EXHIBITS, "exhibits", festival, path, sheet, maps, fixed, include, dry_run)


def init_app(app):
    app.cli.add_command(exhibits_cli)
