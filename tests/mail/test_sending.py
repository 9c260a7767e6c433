"""Messages through a real SMTP server: recipients, subject, language, links, parts; refusals retried
or failed with the server's reason; nothing sent twice; header injection neutralised; bulk sends."""

import re
from datetime import timedelta

from festival.core.extensions import db
from festival.mail import notify, schedule
from festival.mail.sending import deliver
from festival.models import MailBatch, MailMessage, MailStatus, Role, User, utcnow
from tests import factories
from tests.conftest import make_app
from tests.mail.conftest import free_port, outbox_rows, run_scheduled

LINK = re.compile(r"https://ldst\.example\.vn/auth/invitation/[A-Za-z0-9_-]+")


def _pending_user(app, **values) -> int:
    with app.app_context():
        user = factories.make_user(values.pop("role", Role.JUDGE), password=None, **values)
        db.session.commit()
        return user.id


def _parts(message):
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def test_invitation_arrives_once_with_recipient_subject_vietnamese_text_html_and_a_working_link(
    app, client, login_as, smtp
):
    user_id = _pending_user(app, email="binh@example.vn", full_name="Trần Văn Bình")
    login_as("organizer")

    response = client.post(f"/admin/mail/users/{user_id}/invite")

    assert response.status_code == 302
    [(envelope, message)] = smtp.received
    assert envelope == ["binh@example.vn"]
    assert message["To"].addresses[0].display_name == "Trần Văn Bình"
    assert message["To"].addresses[0].addr_spec == "binh@example.vn"
    assert message["Subject"].startswith("Mời tham gia Ngày hội Lao động sáng tạo")
    assert message["Content-Language"] == "vi"
    assert message["Cc"] is None and message["Bcc"] is None
    text, html = _parts(message)
    assert "Kính gửi Trần Văn Bình" in text
    link = LINK.search(text).group(0)
    assert f'<a href="{link}">' in html
    assert "<img" not in html  # no tracking pixel
    # Links only to PUBLIC_BASE_URL: the invitation and, in the footer, the privacy notice.
    assert set(re.findall(r'href="([^"]+)"', html)) == {link, "https://ldst.example.vn/privacy/vi"}
    assert text.rstrip().endswith("Thông báo về xử lý dữ liệu cá nhân: https://ldst.example.vn/privacy/vi")
    # The link in the message is the account's invitation: it opens the page to set a password.
    client.post("/auth/logout")
    assert client.get(link.removeprefix("https://ldst.example.vn")).status_code == 200
    [row] = outbox_rows(app)
    assert row.status is MailStatus.SENT and row.attempts == 1
    assert "{link}" in row.body_text and link not in row.body_text  # the secret link is not stored


def test_a_person_who_chose_english_gets_the_english_wording(app, client, login_as, smtp):
    user_id = _pending_user(app, email="guest@example.vn", full_name="Jane Doe")
    with app.app_context():
        db.session.get(User, user_id).language = "en"
        db.session.commit()
    login_as("organizer")
    client.post(f"/admin/mail/users/{user_id}/invite")
    [message] = smtp.messages
    assert message["Subject"].startswith("Invitation to")
    assert message["Content-Language"] == "en"
    assert "Dear Jane Doe" in _parts(message)[0]


def test_choosing_a_language_while_signed_in_is_remembered_for_messages(app, client, login_as, people):
    login_as("unit_a")
    client.post("/lang/en")
    with app.app_context():
        assert db.session.get(User, people["ids"]["unit_a_user"]).language == "en"


def test_a_4xx_answer_is_retried_after_a_back_off_and_the_message_arrives_once(app, client, login_as, smtp):
    user_id = _pending_user(app, email="busy@example.vn")
    smtp.refuse_data.append("451 4.3.0 Mailbox temporarily busy")
    login_as("organizer")

    client.post(f"/admin/mail/users/{user_id}/invite")

    [row] = outbox_rows(app)
    assert row.status is MailStatus.QUEUED and row.attempts == 1
    assert row.last_error == "451 4.3.0 Mailbox temporarily busy"
    assert row.scheduled_for > utcnow()  # waiting for its retry
    assert smtp.messages == []

    assert run_scheduled(app) == 1
    [row] = outbox_rows(app)
    assert row.status is MailStatus.SENT and row.attempts == 2 and row.last_error == ""
    assert len(smtp.messages) == 1
    # The retry made the secret link as it sent the message: the link that arrived opens the page.
    link = LINK.search(_parts(smtp.messages[0])[0]).group(0)
    client.post("/auth/logout")
    assert client.get(link.removeprefix("https://ldst.example.vn")).status_code == 200

    # A duplicate delivery (a retry the queue had already scheduled, a second worker) sends nothing.
    with app.app_context():
        assert deliver(row.id).get() == "skipped"
        assert deliver(row.id, {"link": "x"}).get() == "skipped"  # as queued by an older version
    assert len(smtp.messages) == 1


def test_a_server_that_keeps_answering_4xx_marks_the_message_failed_after_the_last_try(tmp_path, smtp, monkeypatch):
    app = make_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_USE_TLS=False, MAIL_RETRIES=2)
    smtp.refuse_data.extend(["421 4.7.0 Try again later"] * 5)
    with app.app_context():
        user = factories.make_user(Role.JUDGE, password=None, email="late@example.vn")
        notify.invite(user, by=None)
        db.session.commit()
    run_scheduled(app)
    [row] = outbox_rows(app)
    assert row.status is MailStatus.FAILED
    assert row.attempts == 3  # the first try and MAIL_RETRIES more
    assert row.last_error == "421 4.7.0 Try again later"
    assert smtp.messages == []


def test_a_refused_recipient_is_bounced_with_the_reason_and_flagged_on_the_person(app, client, login_as, smtp):
    user_id = _pending_user(app, email="gone@example.vn")
    smtp.refuse_rcpt.append("550 5.1.1 User unknown")
    login_as("organizer")

    client.post(f"/admin/mail/users/{user_id}/invite")

    [row] = outbox_rows(app)
    assert row.status is MailStatus.BOUNCED and row.attempts == 1
    assert row.last_error == "550 5.1.1 User unknown"
    assert run_scheduled(app) == 0  # a permanent refusal is not retried
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.email_problem == "550 5.1.1 User unknown" and user.email_failed_at is not None
    page = client.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert "550 5.1.1 User unknown" in page
    # Nothing more is queued to that address until an organizer says it works again.
    response = client.post(f"/admin/mail/users/{user_id}/invite", follow_redirects=True)
    assert "không nhận e-mail" in response.get_data(as_text=True)
    assert len(outbox_rows(app)) == 1
    client.post(f"/admin/mail/users/{user_id}/email", data={"clear_problem": "1"})
    client.post(f"/admin/mail/users/{user_id}/invite")
    assert [r.status for r in outbox_rows(app)] == [MailStatus.BOUNCED, MailStatus.SENT]


def test_a_5xx_answer_to_the_message_fails_it_with_the_servers_reason_without_retrying(app, smtp):
    smtp.refuse_data.append("554 5.7.1 Message rejected as spam")
    with app.app_context():
        user = factories.make_user(Role.JUDGE, password=None, email="spam@example.vn")
        notify.invite(user, by=None)
        db.session.commit()
        user_id = user.id
    assert run_scheduled(app) == 0
    [row] = outbox_rows(app)
    assert row.status is MailStatus.FAILED
    assert row.last_error == "554 5.7.1 Message rejected as spam"
    with app.app_context():
        assert db.session.get(User, user_id).email_problem == ""  # the address itself was not refused


def test_an_unreachable_server_is_retried_then_sent_when_it_answers(tmp_path, smtp):
    app = make_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False, MAIL_TIMEOUT=2)
    with app.app_context():
        user = factories.make_user(Role.JUDGE, password=None, email="later@example.vn")
        notify.invite(user, by=None)
        db.session.commit()
    [row] = outbox_rows(app)
    assert row.status is MailStatus.QUEUED and "ConnectionRefusedError" in row.last_error
    app.config["MAIL_PORT"] = smtp.port  # the server is back
    run_scheduled(app)
    assert [r.status for r in outbox_rows(app)] == [MailStatus.SENT]
    assert len(smtp.messages) == 1


def test_line_breaks_in_a_name_or_subject_cannot_add_headers_or_recipients(app, client, login_as, smtp):
    evil = "Mallory\r\nBcc: victim@evil.example\r\nSubject: hacked"
    user_id = _pending_user(app, email="mallory@example.vn", full_name=evil)
    with app.app_context():
        festival = db.session.execute(db.select(factories.Festival)).scalars().first()
        festival.name = "Ngày hội\nBcc: other@evil.example"
        db.session.commit()
    login_as("organizer")
    client.post(f"/admin/mail/users/{user_id}/invite")
    [(envelope, message)] = smtp.received
    assert envelope == ["mallory@example.vn"]
    assert message["Bcc"] is None and len(message.get_all("Subject")) == 1
    assert message["To"].addresses[0].display_name == "Mallory Bcc: victim@evil.example Subject: hacked"
    assert "\n" not in message["Subject"] and "Bcc: other@evil.example" in message["Subject"]


def test_bulk_invitations_to_100_accounts_send_one_message_each_with_progress(app, client, login_as, smtp):
    with app.app_context():
        units = [factories.make_unit(f"BULK{i:02d}") for i in range(60)]
        for i, unit in enumerate(units):
            factories.make_user(Role.UNIT, unit=unit, password=None, email=f"unit{i:02d}@example.vn")
        for i in range(40):
            factories.make_user(Role.JUDGE, password=None, email=f"judge{i:02d}@example.vn")
        opted_out = factories.make_user(Role.JUDGE, password=None, email="no-mail@example.vn")
        opted_out.no_email = True
        db.session.commit()
    login_as("organizer")
    page = client.get("/admin/mail/send").get_data(as_text=True)
    assert "Mời 60 đơn vị" in page and "Mời 41 giám khảo" in page

    response = client.post("/admin/mail/send/invitations", data={"roles": "all"})

    assert response.status_code == 302 and "/admin/mail/batches/" in response.headers["Location"]
    with app.app_context():
        batch = db.session.execute(db.select(MailBatch)).scalar_one()
        assert (batch.total, batch.skipped) == (100, 1)
        statuses = db.session.execute(db.select(MailMessage.status).where(MailMessage.batch_id == batch.id)).scalars()
        assert set(statuses) == {MailStatus.SENT}
    assert len(smtp.received) == 100
    assert all(len(envelope) == 1 for envelope, _ in smtp.received)  # one message per recipient
    recipients = sorted(envelope[0] for envelope, _ in smtp.received)
    assert len(set(recipients)) == 100 and "no-mail@example.vn" not in recipients
    links = {LINK.search(_parts(message)[0]).group(0) for message in smtp.messages}
    assert len(links) == 100  # each has its own invitation
    progress = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã xử lý xong 100 / 100 thư." in progress and "100%" in progress
    assert "Bỏ qua (không nhận e-mail): 1" in progress


def test_bulk_sends_are_throttled_to_the_configured_rate(tmp_path, smtp):
    app = make_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_USE_TLS=False, MAIL_RATE_PER_MINUTE=30)
    with app.app_context():
        organizer = factories.make_user(Role.ORGANIZER)
        factories.make_festival()
        for i in range(5):
            factories.make_user(Role.JUDGE, password=None, email=f"slow{i}@example.vn")
        db.session.commit()
        notify.invite_all((Role.JUDGE,), by=organizer, title="Lời mời")
        db.session.commit()
    rows = outbox_rows(app)
    gaps = [(b.scheduled_for - a.scheduled_for).total_seconds() for a, b in zip(rows, rows[1:])]
    assert gaps == [2.0, 2.0, 2.0, 2.0]  # 30 a minute
    assert len(smtp.messages) == 1  # the first goes at once, the rest wait for their time
    assert run_scheduled(app) == 4
    assert len(smtp.messages) == 5
    assert rows[-1].scheduled_for - rows[0].scheduled_for == timedelta(seconds=8)


def test_a_message_left_sending_by_a_worker_killed_mid_send_is_sent_again_or_failed_with_the_reason(app, smtp):
    """The worker marked each message "sending", then died (killed, the machine restarted) before it could say
    how it went: the sweep sends it again once it has been "sending" longer than any send takes."""
    with app.app_context():
        festival = factories.make_festival()
        users = [factories.make_user(Role.JUDGE, password=None, email=f"gk{n}@example.vn") for n in range(3)]
        ids = [notify.invite(user, by=None).id for user in users]
        db.session.commit()
        assert festival.id
    assert len(smtp.received) == 3
    smtp.received.clear()
    with app.app_context():
        now = utcnow()
        interrupted, recent, exhausted = (db.session.get(MailMessage, message_id) for message_id in ids)
        for message, attempts, minutes in ((interrupted, 1, 20), (recent, 1, 2), (exhausted, 6, 20)):
            message.status, message.attempts = MailStatus.SENDING, attempts
            message.updated_at = now - timedelta(minutes=minutes)
        db.session.commit()
        assert schedule.requeue_stranded_mail().get() == 1
    interrupted, recent, exhausted = ({row.id: row for row in outbox_rows(app)}[message_id] for message_id in ids)
    assert interrupted.status is MailStatus.SENT and interrupted.attempts == 2
    assert [envelope for envelope, _message in smtp.received] == [["gk0@example.vn"]]
    assert recent.status is MailStatus.SENDING  # may still be on its way: left alone
    assert exhausted.status is MailStatus.FAILED and exhausted.last_error == schedule.INTERRUPTED
