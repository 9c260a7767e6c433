"""`flask --app wsgi certificates print --out FILE.pdf [--kind award|participation|unit_award] [--unit CODE] "
"[--zip]`."""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from festival.certificates import printing
from festival.core.cli_options import allow_local_address_option, festival_option, refuse_unreachable_address
from festival.core.extensions import db
from festival.models import CertificateKind, Unit

certificates_cli = AppGroup("certificates", help="Certificate commands.")


@certificates_cli.command("print")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="PDF (or ZIP with --zip) to write."
)
@click.option("--kind", type=click.Choice([k.value for k in CertificateKind]), help="Only this kind (default: all).")
@click.option("--unit", "unit_code", help="Only this unit's certificates (unit code).")
@click.option("--zip", "as_zip", is_flag=True, help="A ZIP with one folder per unit instead of one PDF.")
@click.option("--festival", "edition", type=int, help="Edition number (default: the current festival).")
@allow_local_address_option
def print_command(out, kind, unit_code, as_zip, edition, allow_local_address):
    """Issue the missing certificates, then print them in the award ceremony's order."""
    refuse_unreachable_address(allow_local_address)
    festival = festival_option(edition)
    params = {"kind": kind, "unit_id": None, "as_zip": as_zip}
    if unit_code:
        unit = db.session.execute(db.select(Unit).where(Unit.code == unit_code.strip().upper())).scalar_one_or_none()
        if unit is None:
            raise click.BadParameter(f"no unit {unit_code!r}", param_hint="--unit")
        params["unit_id"] = unit.id
    kinds = [CertificateKind(kind)] if kind else [CertificateKind.AWARD, CertificateKind.PARTICIPATION]
    printing.issue_missing(festival, kinds, by=None)
    db.session.commit()
    if not printing.selection(festival, params):
        click.echo("No certificates to print (award certificates need final results).", err=True)
        sys.exit(1)
    try:
        data, count = printing.print_certificates(
            festival, params, progress=lambda done, total: click.echo(f"  {done}/{total}", err=True)
        )
    except printing.MissingImage as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(1)
    out.write_bytes(data)
    db.session.commit()
    click.echo(f"Wrote {count} certificates to {out}.")


def init_app(app):
    app.cli.add_command(certificates_cli)
