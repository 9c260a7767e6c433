"""`flask mail …`: send the reminders due now, and a test message to check the SMTP settings."""

import click
from flask import current_app
from flask.cli import AppGroup

from festival.core.extensions import db
from festival.mail import notify, services
from festival.models import MailMessage

mail_cli = AppGroup("mail", help="E-mail: reminders and a test message.")


@mail_cli.command("reminders")
def reminders():
    """Queue the reminders due now (registration closing, end of a judging day)."""
    count = notify.scheduled_reminders()
    db.session.commit()
    click.echo(f"{count} reminder(s) queued.")


@mail_cli.command("send-test")
@click.argument("address")
def send_test(address):
    """Send one test message to ADDRESS through the configured server (or the outbox)."""
    recipient = services.Recipient(address.strip(), address.strip())
    base = current_app.config["PUBLIC_BASE_URL"]
    message = services.queue(None, "password_reset", recipient, {"minutes": "0", "link": base}, by=None)
    message.subject = "Festival: thư thử / test message"
    message.body_text = f"Thư thử cấu hình SMTP của Festival.\n\nA test of Festival's SMTP settings.\n\n{base}"
    db.session.commit()
    db.session.expire_all()
    sent = db.session.get(MailMessage, message.id)
    click.echo(f"{sent.status.value} {sent.last_error}".strip())
    if sent.status.value not in ("sent", "queued"):
        raise SystemExit(1)


def init_app(app):
    app.cli.add_command(mail_cli)
