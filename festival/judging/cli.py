"""`flask --app wsgi judging assign [--per-exhibit K]` and `judging results [--format csv|xlsx] [--out FILE]`."""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from festival.core.cli_options import festival_option
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.judging import panels, results

judging_cli = AppGroup("judging", help="Judging commands.")


@judging_cli.command("assign")
@click.option(
    "--per-exhibit", "per_exhibit", type=click.IntRange(1, 10), default=3, show_default=True, help="Judges per exhibit."
)
@click.option("--festival", "edition", type=int, help="Edition number (default: the current festival).")
def assign_command(per_exhibit, edition):
    """Assign judges to every accepted exhibit (started sheets and manual edits are kept)."""
    festival = festival_option(edition)
    try:
        plan = panels.assign_judges(festival, per_exhibit, by=None)
    except FestivalError as error:
        db.session.rollback()
        click.echo(f"Refused: {error.message}", err=True)
        sys.exit(1)
    problems = panels.describe_problems(plan)
    db.session.commit()
    click.echo(f"Assigned {len(plan.pairs)} sheets ({per_exhibit} judges per exhibit).")
    for line in problems:
        click.echo(f"  ! {line}", err=True)


@judging_cli.command("results")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: standard output for CSV)."
)
@click.option("--festival", "edition", type=int, help="Edition number (default: the current festival).")
def results_command(fmt, out, edition):
    """Export the calibrated results per category."""
    festival = festival_option(edition)
    data = results.export_results(festival, fmt)
    db.session.commit()
    if out is None:
        if fmt == "xlsx":
            raise click.UsageError("--out is needed for xlsx.")
        click.echo(data.decode("utf-8-sig"), nl=False)
    else:
        out.write_bytes(data)
        click.echo(f"Wrote {out}.")


def init_app(app):
    app.cli.add_command(judging_cli)
