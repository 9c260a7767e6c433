"""`flask --app wsgi festival …`: first organizer, demo festival, addresses, backup and restore."""

import os
import sys
from pathlib import Path

import click
import flask_migrate
from flask import current_app
from flask.cli import AppGroup

from festival import demo, worker
from festival.auth import services as accounts
from festival.core import backup
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.core.queue import huey
from festival.util import addresses
from festival.util.formatting import festival_today

festival_cli = AppGroup("festival", help="Festival set-up commands.")


@festival_cli.command("create-organizer")
@click.option("--email", prompt=True, help="Sign-in e-mail.")
@click.option("--name", "full_name", prompt="Full name", help="Full name shown in the app.")
@click.password_option(help="Password (asked twice when not given).")
def create_organizer(email, full_name, password):
    """Create an organizer account with a password."""
    try:
        user = accounts.create_organizer(email, full_name, password)
    except FestivalError as error:
        db.session.rollback()
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Organizer {user.email} created.")


@festival_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load when the database has no festival and no account.")
def load_demo(if_empty):
    """Load the demo festival (3rd edition) with demo accounts; safe to run again."""
    if if_empty and not demo.is_database_empty():
        click.echo("Database already has data; demo not loaded.")
        return
    added = demo.load_demo(festival_today())
    db.session.commit()
    summary = ", ".join(f"{name}: {count}" for name, count in added.items())
    click.echo(f"Demo festival loaded ({summary} added). Demo password: {demo.DEMO_PASSWORD}")


@festival_cli.command("worker")
@click.option("--workers", default=4, show_default=True, help="Tasks run at once (threads; PDFs render in processes).")
def worker_command(workers):
    """Run the task queue's consumer: prints (with warm PDF workers) and e-mail."""
    if huey.immediate:
        raise click.ClickException("QUEUE_URL=immediate runs tasks in the caller; there is no queue to consume.")
    click.echo(f"Consuming the task queue with {workers} worker(s).")
    worker.run(current_app._get_current_object(), workers=workers)


@festival_cli.command("addresses")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), help="Address the server listens on.")
@click.option("--port", default=lambda: os.environ.get("PORT", "5000"), help="Port the server listens on.")
@click.option("--base-url", "only_base_url", is_flag=True, help="Print only the address QR codes will hold.")
def addresses_command(host, port, only_base_url):
    """Say what QR codes will hold and which addresses phones on this network can open."""
    base_url = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if only_base_url:
        click.echo(base_url)
        return
    for line in addresses.describe(host, port, base_url, addresses.lan_addresses()):
        click.echo(line)


@festival_cli.command("prepare")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), help="Address the server listens on.")
@click.option("--port", default=lambda: os.environ.get("PORT", "5000"), help="Port the server listens on.")
def prepare_command(host, port):
    """Everything `make run` needs before serving, in one start of the app: upgrade the database, load the demo
    festival when it is empty, say (on stderr) what QR codes will hold and which addresses phones can open, and
    print that base address alone on stdout for the server and the worker to share."""
    flask_migrate.upgrade()
    if demo.is_database_empty():
        added = demo.load_demo(festival_today())
        db.session.commit()
        summary = ", ".join(f"{name}: {count}" for name, count in added.items())
        click.echo(f"Demo festival loaded ({summary} added). Demo password: {demo.DEMO_PASSWORD}", err=True)
    base_url = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    for line in addresses.describe(host, port, base_url, addresses.lan_addresses()):
        click.echo(line, err=True)
    click.echo(base_url)


@festival_cli.command("backup")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The .tar.gz to write.")
@click.option(
    "--strict", is_flag=True, help="Exit with status 2 when files named in the database are missing from storage."
)
def backup_command(out, strict):
    """Copy the database and the kept files (uploads, outbox .eml files; from the folders or the S3 bucket)
    while the app keeps serving. Prints and the certificate page cache are not copied (they are rendered again),
    nor spreadsheets waiting to be imported (short-lived)."""
    try:
        manifest = backup.create_backup(out)
    except backup.BackupError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    areas = ", ".join(f"{area}: {count}" for area, count in manifest["areas"].items())
    click.echo(f"Backup written to {out} ({manifest['database']}; stored files, {areas}).")
    if missing := manifest["missing"]:
        click.secho(
            f"WARNING: {len(missing)} files named in the database are missing from storage: {', '.join(missing)}",
            err=True,
            fg="red",
            bold=True,
        )
        if strict:
            sys.exit(2)


@festival_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path, yes):
    """Replace the database and the kept files (uploads, outbox) with a backup (stop the app first). Folders on
    this machine are replaced whole (the previous one kept as <folder>.before-restore-<time>); into an S3 bucket
    each object of the backup is put."""
    if not yes:
        click.confirm("This replaces the current database and files with the backup. Continue?", abort=True)
    try:
        manifest = backup.restore_backup(path)
    except backup.BackupError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    restored = ", ".join(f"{area}: {count}" for area, count in manifest["restored"].items()) or "none"
    click.echo(
        f"Restored the backup of {manifest['created_at']} (files restored: {restored}). "
        "Run `flask --app wsgi db upgrade` if it came from an older version."
    )


def init_app(app):
    app.cli.add_command(festival_cli)
