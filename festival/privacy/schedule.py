"""The daily retention purge on the queue: every festival's personal data past its period is removed."""

from huey import crontab

from festival.core.extensions import db
from festival.core.queue import huey, one_at_a_time, task
from festival.models import Festival, utcnow
from festival.privacy import retention


@task()
def purge_expired() -> int:
    """Purge every festival (one consumer after another: a second run finds nothing left); how many items went."""
    one_at_a_time("privacy.purge")
    now = utcnow()
    total = 0
    for festival in db.session.execute(db.select(Festival).order_by(Festival.edition)).scalars().all():
        total += retention.purge(festival, now, dry_run=False, scheduled=True).total
    db.session.commit()
    return total


@huey.periodic_task(crontab(hour="19", minute="30"))  # 02:30 in Vietnam: the queue keeps UTC
def daily_purge():
    """Huey's periodic tasks run without the app: this only queues the task that has it."""
    purge_expired()
