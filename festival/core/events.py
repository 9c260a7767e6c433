"""What happens in the festival that other parts react to: one blinker signal per fact.

A feature sends a signal after it has made and audited the change (`signal.send(sender, **facts)`);
listeners (e-mail: festival/mail/notify.py) connect to it and run at once, in the same transaction, so
what they queue commits or rolls back with the action. This module imports no feature.
"""

from blinker import Namespace

_signals = Namespace()

exhibit_status_changed = _signals.signal(
    "exhibit-status-changed",
    doc="""An exhibit's status changed: submitted, withdrawn, accepted, returned or rejected.

    Sent by festival.exhibits.services after the change is audited, with the exhibit as sender
    (its new status, code, booth and review comment set) and `by`: the user who made the change.
    """,
)

password_reset_requested = _signals.signal(
    "password-reset-requested",
    doc="""An active account asked for a password reset ("Quên mật khẩu").

    Sent by the worker's lookup (festival.auth.resets) after the request is audited, with the user as
    sender; no other argument (the reset link is made only when a message is sent).
    """,
)

certificate_corrected = _signals.signal(
    "certificate-corrected",
    doc="""A certificate was corrected: a replacement with a new serial supersedes it.

    Sent by festival.certificates.services.correct after the correction is audited and flushed, with the
    replacement as sender and `by` (the user, or None), `superseded` (the old certificate) and
    `during_issue`: True when the correction is part of issuing a kind again (its award's tier changed),
    False when an organizer corrected this one certificate.
    """,
)

judge_lists_changed = _signals.signal(
    "judge-lists-changed",
    doc="""Exhibits were given to or taken from judges (assigned in bulk, or one by hand).

    Sent by festival.judging.panels after the change is audited and flushed, with the festival as sender,
    `judges`: the judges whose list may have changed, and `by`: the user who made the change (or None).
    """,
)

finalists_confirmed = _signals.signal(
    "finalists-confirmed",
    doc="""The list of exhibits going on to a later judging round was confirmed (frozen).

    Sent by festival.judging.finalists.confirm after the list is audited and flushed, with the round as
    sender and `by`: the organizer who confirmed it.
    """,
)

defences_scheduled = _signals.signal(
    "defences-scheduled",
    doc="""The schedule of a round's defences at the booths was saved.

    Sent by festival.judging.defences after the schedule is audited and flushed, with the round as sender
    and `by`: the organizer who saved it.
    """,
)

account_invited = _signals.signal(
    "account-invited",
    doc="""An account was made for someone who should be mailed its invitation (a unit inviting a member of its
    initiative support team).

    Sent by festival.intake.services after the account is created and audited, with the new user as sender and
    `by`: the user who made it. The link is made only when the message is sent.
    """,
)
