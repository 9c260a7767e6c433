"""Mail that goes by itself: every hour the queue's consumer checks whether registration closes within three
days (units with drafts) or a judging day has ended (judges with open sheets); every few minutes it hands the
queue again the messages that never reached it (its Redis was down when they were written)."""

import functools
from datetime import timedelta

from flask import current_app
from huey import crontab

from festival.core.extensions import db
from festival.core.queue import huey, one_at_a_time, task
from festival.core.transactions import on_commit
from festival.mail import notify, sending
from festival.models import MailMessage, MailStatus, utcnow

INTERRUPTED = "Gửi bị gián đoạn (tiến trình gửi thư đã dừng giữa chừng); đã xếp gửi lại."


@task()
def send_due_reminders() -> int:
    """Queue the reminders due now (each goes once: a second run finds them sent, even one that every
    consumer of several machines starts at the same moment, as they take turns)."""
    one_at_a_time("mail.reminders")
    count = notify.scheduled_reminders()
    db.session.commit()
    return count


@huey.periodic_task(crontab(minute="5"))
def hourly_reminders():
    """Huey's periodic tasks run without the app: this only queues the task that has it."""
    send_due_reminders()


@task()
def requeue_stranded_mail() -> int:
    """Hand the queue again each message still queued MAIL_REQUEUE_MINUTES after it was due and last touched,
    and each left "sending" by a worker that stopped mid-send; how many. One handed over twice is sent once
    (deliver skips a message no longer queued)."""
    now = utcnow()
    before = now - timedelta(minutes=current_app.config["MAIL_REQUEUE_MINUTES"])
    stranded = _recover_interrupted(now)
    stranded += list(
        db.session.execute(
            db.select(MailMessage)
            .where(
                MailMessage.status == MailStatus.QUEUED,
                MailMessage.scheduled_for < before,
                MailMessage.updated_at < before,
            )
            .order_by(MailMessage.scheduled_for, MailMessage.id)
        ).scalars()
    )
    for message in stranded:
        message.updated_at = now  # handed over once per MAIL_REQUEUE_MINUTES, not at every sweep
        on_commit(functools.partial(sending.enqueue, message))
    db.session.commit()
    return len(stranded)


def _recover_interrupted(now) -> list[MailMessage]:
    """A message "sending" for longer than any send takes (MAIL_TIMEOUT for each step) lost its worker mid-send (killed,
    the machine restarted): it goes back to queued to be sent again — a message possibly sent twice rather than
    one never sent; a secret link in it is made anew, so only the newest works — or, out of tries, failed with
    the reason, for organizers to resend from the outbox."""
    before = now - timedelta(minutes=current_app.config["MAIL_SENDING_STALE_MINUTES"])
    interrupted = db.session.execute(
        db.select(MailMessage).where(MailMessage.status == MailStatus.SENDING, MailMessage.updated_at < before)
    ).scalars()
    again = []
    for message in interrupted:
        message.last_error, message.updated_at = INTERRUPTED, now
        if message.attempts >= sending.max_attempts():
            message.status = MailStatus.FAILED
        else:
            message.status = MailStatus.QUEUED
            again.append(message)
    db.session.flush()
    return again


@huey.periodic_task(crontab(minute="*/5"))
def stranded_mail_sweep():
    requeue_stranded_mail()
