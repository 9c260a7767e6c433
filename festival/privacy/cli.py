"""`flask festival privacy-purge [--dry-run]`: remove the personal data past its retention period."""

import click
from flask.cli import with_appcontext

from festival.core.extensions import db
from festival.models import Festival, utcnow
from festival.privacy import retention


@click.command("privacy-purge")
@click.option("--dry-run", is_flag=True, help="Only report what would be removed; change nothing.")
@with_appcontext
def purge_command(dry_run):
    """Remove (or with --dry-run list) personal data past its retention period, in every festival."""
    now = utcnow()
    festivals = db.session.execute(db.select(Festival).order_by(Festival.edition)).scalars().all()
    for festival in festivals:
        report = retention.purge(festival, now, dry_run=dry_run)
        db.session.commit()
        click.echo(format_report(report))


def format_report(report) -> str:
    verb = "would remove" if report.dry_run else "removed"
    lines = [f"Festival {report.festival.edition}: {verb} {report.total} item(s)."]
    for item in report.due:
        if item.cutoff is None:
            lines.append(f"  {item.category.key}: not due yet ({item.days} days after the festival's last day)")
            continue
        shown = ", ".join(str(key) for key in item.ids[:20]) + (" …" if item.count > 20 else "")
        lines.append(f"  {item.category.key}: {item.count} ({item.category.action})" + (f": {shown}" if shown else ""))
    return "\n".join(lines)


def init_app(app):
    """Add the command to the `flask festival` group (made by festival.cli, registered before this)."""
    app.cli.commands["festival"].add_command(purge_command)
