""" "Quên mật khẩu": the web request only queues a lookup; the worker finds the account, audits the
request and announces it (festival/mail/notify.py mails the reset link)."""

from festival.auth import services
from festival.core import events
from festival.core.extensions import db
from festival.core.queue import task
from festival.core.transactions import on_commit


def request_password_reset(email: str, client: str) -> None:
    """Queue the lookup for the worker once the request commits. Nothing is read here, so a known and
    an unknown address cost the request the same."""
    on_commit(lambda: password_reset_requested(email, client))


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
