"""`flask --app wsgi exhibits import FILE [--festival N]`."""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from festival.cli import festival_option
from festival.errors import FestivalError
from festival.exhibits import import_export
from festival.extensions import db
from festival.models import utcnow
from festival.spreadsheets import ImportRejected

exhibits_cli = AppGroup("exhibits", help="Exhibit commands.")


@exhibits_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--festival", "edition", type=int, help="Edition number (default: the current festival).")
def import_command(path, edition):
    """Import exhibits from an XLSX or CSV file (all rows or none)."""
    festival = festival_option(edition)
    try:
        created = import_export.import_exhibits(festival, path.read_bytes(), by=None, now=utcnow())
    except ImportRejected as rejected:
        db.session.rollback()
        click.echo(f"Refused: {rejected.message}", err=True)
        for problem in rejected.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    except FestivalError as error:
        db.session.rollback()
        click.echo(f"Refused: {error.message}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Imported {len(created)} exhibits into festival {festival.edition}.")


def init_app(app):
    app.cli.add_command(exhibits_cli)
