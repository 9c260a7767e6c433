"""`flask --app wsgi festival …`: first organizer, demo festival."""
import sys

import click
from flask.cli import AppGroup

from festival import demo
from festival.auth import services as accounts
from festival.errors import FestivalError
from festival.extensions import db
from festival.formatting import festival_today

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


def init_app(app):
    app.cli.add_command(festival_cli)
