"""`flask --app wsgi attendees import FILE` and `flask --app wsgi badges print --out FILE.pdf …`."""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from festival.badges import import_export, printing, services
from festival.core.cli_options import allow_local_address_option, festival_option, refuse_unreachable_address
from festival.core.extensions import db
from festival.models import Unit
from festival.spreadsheets import importing

attendees_cli = AppGroup("attendees", help="Attendee commands.")
badges_cli = AppGroup("badges", help="Badge commands.")


@attendees_cli.command("import")
@importing.import_options
def import_command(path, sheet, maps, fixed, include, dry_run, edition):
    """Import attendees from an XLSX or CSV file: all rows or none (fields: full_name, unit, organisation,
    role, email, phone; family_name and given_name for names in two columns)."""
    festival = festival_option(edition)
    importing.run_command(import_export.ATTENDEES, "attendees", festival, path, sheet, maps, fixed, include, dry_run)


@badges_cli.command("print")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="PDF file to write.")
@click.option("--layout", type=click.Choice(["a6", "a4"]), default="a6", show_default=True)
@click.option("--unit", "unit_code", help="Only this unit's attendees (unit code).")
@click.option("--role", "role_name", help="Only this role (code, Vietnamese or English name).")
@click.option("--only-new", is_flag=True, help="Only badges not printed yet; they are then marked printed.")
@click.option("--festival", "edition", type=int, help="Edition number (default: the current festival).")
@allow_local_address_option
def print_command(out, layout, unit_code, role_name, only_new, edition, allow_local_address):
    """Print badges to a PDF."""
    refuse_unreachable_address(allow_local_address)
    festival = festival_option(edition)
    params = {"layout": layout, "only_new": only_new, "unit_id": None, "role_id": None}
    if unit_code:
        unit = db.session.execute(db.select(Unit).where(Unit.code == unit_code.strip().upper())).scalar_one_or_none()
        if unit is None:
            raise click.BadParameter(f"no unit {unit_code!r}", param_hint="--unit")
        params["unit_id"] = unit.id
    if role_name:
        role = services.role_from_text(services.badge_roles(festival), role_name)
        if role is None:
            raise click.BadParameter(f"no role {role_name!r}", param_hint="--role")
        params["role_id"] = role.id
    if not printing.selection(festival, params):
        click.echo("No badges to print.", err=True)
        sys.exit(1)
    data, count = printing.print_badges(
        festival, params, progress=lambda done, total: click.echo(f"  {done}/{total} parts", err=True)
    )
    out.write_bytes(data)
    db.session.commit()
    click.echo(f"Wrote {count} badges ({layout.upper()}) to {out}.")


def init_app(app):
    app.cli.add_command(attendees_cli)
    app.cli.add_command(badges_cli)
