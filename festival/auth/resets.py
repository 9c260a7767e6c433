""" "Quên mật khẩu": the web request only queues a lookup; the worker finds the account, audits the
request and announces it (festival/mail/notify.py mails the reset link)."""

import logging

from festival.auth import services
from festival.core import events
from festival.core.extensions import db
from festival.core.queue import UNREACHABLE, task
from festival.core.transactions import on_commit

log = logging.getLogger(__name__)


def request_password_reset(email: str, client: str) -> None:
    """Queue the lookup for the worker once the request commits. Nothing is read here, so a known and
    an unknown address cost the request the same.

    With the queue's Redis down the request is logged and dropped, and the page answers as always (the
    answer must not tell whether the address has an account); the person asks again later.
    """

    def enqueue():
        try:
            password_reset_requested(email, client)
        except UNREACHABLE:
            log.exception("A password reset request could not be queued")

    on_commit(enqueue)


@task()
def password_reset_requested(email: str, client: str) -> None:
    """In the worker: if an active account has `email`, audit the request with the client address that
    made it and announce it (the message's link is made as it is sent).

    The web request only queues this task, whether or not the address has an account, so its answer
    and its time say nothing; the task returns nothing either way.
    """
    user = services.find_user_by_email(email[:254])
    if user is None or not user.is_active:
        return
    services.record_password_reset_request(user, client)
    events.password_reset_requested.send(user)
    db.session.commit()
