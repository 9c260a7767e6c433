"""Reminders that go by themselves: every hour the queue's consumer checks whether registration closes
within three days (units with drafts) or a judging day has ended (judges with open sheets)."""

from huey import crontab

from festival.core.extensions import db
from festival.core.queue import huey, task
from festival.mail import notify


@task()
def send_due_reminders() -> int:
    """Queue the reminders due now (each goes once: a second run finds them sent)."""
    count = notify.scheduled_reminders()
    db.session.commit()
    return count


@huey.periodic_task(crontab(minute="5"))
def hourly_reminders():
    """Huey's periodic tasks run without the app: this only queues the task that has it."""
    send_due_reminders()
