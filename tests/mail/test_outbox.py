"""Without SMTP the messages land as .eml files and in the organizers' outbox; retry, resend, the
wording organizers edit, "no e-mail", and what each step of the festival mails."""

from datetime import date, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from festival.badges import services as badges
from festival.badges.services import AttendeeInput
from festival.core import events
from festival.core.extensions import db
from festival.exhibits import services as exhibits
from festival.judging import panels
from festival.judging.policy import policy_for
from festival.mail import messages, notify
from festival.models import (
    Award,
    AwardTier,
    Certificate,
    Exhibit,
    ExhibitStatus,
    Festival,
    MailMessage,
    MailStatus,
    Role,
    ScoreSheet,
    User,
    utcnow,
)
from festival.util.urls import public_url
from tests import factories
from tests.conftest import AuthActions, make_app
from tests.mail.conftest import outbox_rows
from tests.pdf_tools import page_qr_codes, page_texts


@pytest.fixture
def app(tmp_path):
    """No MAIL_SERVER: the file outbox."""
    return make_app(tmp_path)


def _eml(app, row) -> object:
    path = Path(app.config["MAIL_OUTBOX_DIR"]) / row.outbox_file
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


def test_without_smtp_messages_are_written_as_eml_files_and_listed_in_the_outbox(app, client, login_as, people):
    with app.app_context():
        user = factories.make_user(Role.UNIT, password=None, email="new-unit@example.vn", full_name="Lê Thị Cúc")
        db.session.commit()
        user_id = user.id
    login_as("organizer")

    client.post(f"/admin/mail/users/{user_id}/invite")

    [row] = outbox_rows(app)
    assert row.status is MailStatus.SENT and row.outbox_file.endswith("-invitation.eml")
    message = _eml(app, row)
    assert message["To"].addresses[0].addr_spec == "new-unit@example.vn"
    assert "https://ldst.example.vn/auth/invitation/" in message.get_body(("plain",)).get_content()
    page = client.get("/admin/mail/").get_data(as_text=True)
    assert "Chưa cấu hình máy chủ thư" in page and "Lê Thị Cúc" in page and row.subject in page
    shown = client.get(f"/admin/mail/{row.id}").get_data(as_text=True)
    assert "new-unit@example.vn" in shown and "user.invited" not in shown and "mail.queued" in shown
    # The invitation's .eml holds the invitee's live link: it stays in the folder, not offered for download.
    assert "Không tải về được" in shown and f"/admin/mail/{row.id}.eml" not in shown
    assert client.get(f"/admin/mail/{row.id}.eml").status_code == 403


def test_a_failed_message_can_be_retried_and_a_sent_one_resent(app, client, login_as, people):
    with app.app_context():
        exhibit = factories.make_exhibit(
            db.session.get(Festival, people["ids"]["festival"]),
            db.session.get(factories.Unit, people["ids"]["unit_a"]),
            db.session.get(factories.Category, people["ids"]["category"]),
            status=ExhibitStatus.DRAFT,
        )
        unit_user = db.session.get(User, people["ids"]["unit_a_user"])
        exhibits.submit_exhibit(exhibit, unit_user, utcnow())
        [message] = db.session.execute(db.select(MailMessage)).scalars().all()
        message_id = message.id
        db.session.flush()
        message.status = MailStatus.FAILED  # as if the server had refused it (before the queue ran)
        message.last_error = "554 5.7.1 Rejected"
        db.session.commit()
    login_as("organizer")
    assert "554 5.7.1 Rejected" in client.get("/admin/mail/?status=failed").get_data(as_text=True)

    client.post(f"/admin/mail/{message_id}/retry")
    [row] = outbox_rows(app)
    assert row.status is MailStatus.SENT and row.kind == "exhibit_received"

    client.post(f"/admin/mail/{message_id}/resend")
    rows = outbox_rows(app)
    assert [r.status for r in rows] == [MailStatus.SENT, MailStatus.SENT]
    assert rows[1].subject == rows[0].subject and rows[1].message_id != rows[0].message_id
    # A message already sent cannot be "retried".
    refused = client.post(f"/admin/mail/{message_id}/retry", follow_redirects=True)
    assert "Chỉ gửi lại được thư đã thất bại." in refused.get_data(as_text=True)
    # A message without a secret link can be downloaded as it was written.
    download = client.get(f"/admin/mail/{message_id}.eml")
    assert download.status_code == 200 and download.mimetype == "message/rfc822"
    assert b"Subject:" in download.get_data()
    download.close()


def test_organizers_edit_the_wording_with_safe_placeholders(app, client, login_as, people):
    with app.app_context():
        user = factories.make_user(Role.JUDGE, password=None, email="j@example.vn", full_name="Phạm Văn Dũng")
        db.session.commit()
        user_id = user.id
    login_as("organizer")
    bad = client.post("/admin/mail/templates/invitation/vi", data={"subject": "Chào {ten}", "body": "{link}"})
    assert bad.status_code == 422 and "{ten}" in bad.get_data(as_text=True)

    saved = client.post(
        "/admin/mail/templates/invitation/vi",
        data={"subject": "Thư mời {name}", "body": "Chào {name}, {{ config }} <b>x</b>\n\nMở: {link}"},
    )
    assert saved.status_code == 302
    client.post(f"/admin/mail/users/{user_id}/invite")
    [row] = outbox_rows(app)
    message = _eml(app, row)
    assert message["Subject"] == "Thư mời Phạm Văn Dũng"
    text = message.get_body(("plain",)).get_content()
    assert "Chào Phạm Văn Dũng, {{ config }} <b>x</b>" in text  # typed text, never template code
    html = message.get_body(("html",)).get_content()
    assert "{{ config }} &lt;b&gt;x&lt;/b&gt;" in html and "<b>" not in html
    client.post("/admin/mail/templates/invitation/vi/reset")
    page = client.get("/admin/mail/templates").get_data(as_text=True)
    assert "Mời tham gia" in page


def test_a_person_marked_no_email_is_not_mailed(app, client, login_as, people):
    login_as("organizer")
    unit_user = people["ids"]["unit_a_user"]
    client.post(f"/admin/mail/users/{unit_user}/email", data={"no_email": "1"})
    with app.app_context():
        assert db.session.get(User, unit_user).no_email is True
        exhibit = factories.make_exhibit(
            db.session.get(Festival, people["ids"]["festival"]),
            db.session.get(factories.Unit, people["ids"]["unit_a"]),
            db.session.get(factories.Category, people["ids"]["category"]),
        )
        exhibits.return_exhibit(exhibit, "Bổ sung ảnh", db.session.get(User, people["ids"]["organizer_user"]))
        db.session.commit()
    assert outbox_rows(app) == []


def _exhibit(people, **values) -> Exhibit:
    return factories.make_exhibit(
        db.session.get(Festival, people["ids"]["festival"]),
        db.session.get(factories.Unit, people["ids"]["unit_a"]),
        db.session.get(factories.Category, people["ids"]["category"]),
        **values,
    )


def test_the_unit_hears_when_its_exhibit_is_accepted_returned_or_rejected(app, people):
    with app.app_context():
        organizer = db.session.get(User, people["ids"]["organizer_user"])
        accepted, returned, rejected = (_exhibit(people, title=t) for t in ("Máy cắt", "Cữ gá", "Bàn là"))
        exhibits.accept_exhibit(accepted, organizer, code="KT-07", booth="12")
        exhibits.return_exhibit(returned, "Bổ sung ảnh chụp thiết bị.", organizer)
        exhibits.reject_exhibit(rejected, "Trùng sáng kiến năm trước.", organizer)
        db.session.commit()
    rows = outbox_rows(app)
    assert [(r.kind, r.recipient_email) for r in rows] == [
        ("exhibit_accepted", "unit-a@example.vn"),
        ("exhibit_returned", "unit-a@example.vn"),
        ("exhibit_rejected", "unit-a@example.vn"),
    ]
    texts = [_eml(app, r).get_body(("plain",)).get_content() for r in rows]
    assert "Mã sáng kiến: KT-07" in texts[0] and "Gian trưng bày: 12" in texts[0]
    assert "Bổ sung ảnh chụp thiết bị." in texts[1]
    assert "Lý do: Trùng sáng kiến năm trước." in texts[2]
    assert all(f"https://ldst.example.vn/exhibits/{r.subject_id}" in t for r, t in zip(rows, texts))


def test_units_with_drafts_are_reminded_once_three_days_before_registration_closes(app, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        festival.registration_closes_at = utcnow() + timedelta(days=2)
        _exhibit(people, status=ExhibitStatus.DRAFT, title="Bản nháp còn dở")
        db.session.commit()
        assert len(notify.registration_closing(festival, utcnow())) == 1
        db.session.commit()
        assert notify.registration_closing(festival, utcnow()) == []  # once
    [row] = outbox_rows(app)
    assert "- Bản nháp còn dở" in row.body_text


def test_judges_get_their_list_in_walking_order_then_its_changes_and_an_evening_reminder(app, client, login_as, people):
    with app.app_context():
        organizer = db.session.get(User, people["ids"]["organizer_user"])
        judge = db.session.get(User, people["ids"]["judge_user"])
        first = _exhibit(people, status=ExhibitStatus.ACCEPTED, code="KT-01", booth="2", title="Máy một")
        second = _exhibit(people, status=ExhibitStatus.ACCEPTED, code="KT-02", booth="1", title="Máy hai")
        third = _exhibit(people, status=ExhibitStatus.ACCEPTED, code="KT-03", booth="3", title="Máy ba")
        db.session.add_all([ScoreSheet(exhibit=first, judge=judge), ScoreSheet(exhibit=second, judge=judge)])
        db.session.commit()
        third_id = third.id
    login_as("organizer")
    client.post("/admin/mail/send/judge-lists")
    [listing] = outbox_rows(app)
    assert listing.kind == "judge_assignments" and listing.recipient_email == "judge@example.vn"
    assert "1. KT-02 – gian 1 – Máy hai\n2. KT-01 – gian 2 – Máy một" in listing.body_text

    with app.app_context():
        organizer = db.session.get(User, people["ids"]["organizer_user"])
        panels.add_assignment(
            db.session.get(Exhibit, third_id), db.session.get(User, people["ids"]["judge_user"]), organizer
        )
        db.session.commit()
    change = outbox_rows(app)[-1]
    assert change.kind == "judge_assignments_changed"
    assert "Thêm:\n- KT-03 – Máy ba" in change.body_text and "3. KT-03 – gian 3 – Máy ba" in change.body_text

    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        assert len(notify.judge_reminders(festival, date.today())) == 1
        db.session.commit()
        assert notify.judge_reminders(festival, date.today()) == []  # once a day
    reminder = outbox_rows(app)[-1]
    assert reminder.kind == "judge_reminder" and "còn 3 phiếu chưa gửi" in reminder.body_text


def test_a_badge_goes_as_a_pdf_whose_qr_code_opens_the_badge(app, client, login_as, people):

    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        role = badges.badge_roles(festival)[0]
        attendee = badges.add_attendee(
            festival,
            AttendeeInput(full_name="Đỗ Thị Em", role=role, email="em@example.vn"),
            by=None,
        )
        db.session.commit()
        token = attendee.badge_token
    login_as("organizer")
    client.post("/admin/mail/send/badges")
    [row] = outbox_rows(app)
    message = _eml(app, row)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf" and attachment.get_filename().endswith(".pdf")
    pdf = attachment.get_content()
    assert "Đỗ Thị Em" in page_texts(pdf)[0].replace("\n", " ")
    assert page_qr_codes(pdf)[0] == [f"https://ldst.example.vn/c/{token}"]


def test_an_issued_certificate_is_mailed_only_after_the_organizer_saw_who_gets_it(app, client, people, login_as):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        exhibit = _exhibit(people, status=ExhibitStatus.ACCEPTED, code="KT-05", authors=("Ngô Văn Phúc",))
        db.session.add(Award(festival_id=festival.id, exhibit=exhibit, tier=AwardTier.FIRST, rank=1, score=90))
        policy_for(festival).finalised_at = utcnow()
        db.session.commit()
    login_as("organizer")
    index = client.get("/certificates/").get_data(as_text=True)
    assert "Chưa thư nào được gửi: sau khi cấp, xem ai sẽ nhận rồi mới gửi" in index  # the issue form says so
    assert client.post("/certificates/issue", data={"kind": "award"}).status_code == 302
    with app.app_context():
        [certificate] = db.session.execute(db.select(Certificate)).scalars().all()
        verify = public_url("certificates.verify", code=certificate.verification_code)
    assert outbox_rows(app) == []  # issuing mailed nothing
    page = client.get("/admin/mail/send/certificates/confirm").get_data(as_text=True)
    assert "1 giấy chứng nhận chưa gửi. Sẽ gửi 1 thư" in page
    assert "Ngô Văn Phúc" in page and "&lt;unit-a@example.vn&gt;" in page and certificate.serial in page
    assert outbox_rows(app) == []  # looking sends nothing either
    assert client.post("/admin/mail/send/certificates").status_code == 302
    [row] = outbox_rows(app)
    assert row.kind == "certificate" and row.recipient_email == "unit-a@example.vn"
    message = _eml(app, row)
    text = message.get_body(("plain",)).get_content()
    [attachment] = list(message.iter_attachments())
    pdf = attachment.get_content()
    assert verify.startswith("https://ldst.example.vn/verify/") and verify in text
    assert "Ngô Văn Phúc" in page_texts(pdf)[0]
    assert page_qr_codes(pdf)[0] == [verify]


def test_sign_in_page_links_to_forgotten_password(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/forgot"' in page and "Quên mật khẩu" in page


def test_password_reset_answers_the_same_for_any_address_and_its_link_works_once(app, client, people):
    known = client.post("/auth/forgot", data={"email": "Judge@Example.vn"}, follow_redirects=True)
    unknown = client.post("/auth/forgot", data={"email": "nobody@example.vn"}, follow_redirects=True)
    strip = lambda r: r.get_data(as_text=True).replace("judge@example.vn", "X").replace("nobody@example.vn", "X")  # noqa: E731
    assert known.status_code == unknown.status_code == 200
    assert strip(known).count("Nếu X là e-mail của một tài khoản") == 1
    assert strip(known).split("<main")[1][:3000] == strip(unknown).split("<main")[1][:3000]
    [row] = outbox_rows(app)
    assert row.kind == "password_reset" and row.recipient_email == "judge@example.vn"
    link = _eml(app, row).get_body(("plain",)).get_content().split("https://ldst.example.vn")[1].split()[0]

    assert client.get(link).status_code == 200
    done = client.post(link, data={"password": "Một mật khẩu mới dài", "confirm": "Một mật khẩu mới dài"})
    assert done.status_code == 302
    client.post("/auth/logout")
    assert AuthActions(client).login("judge@example.vn", "Một mật khẩu mới dài").status_code == 302
    client.post("/auth/logout")
    again = client.get(link)
    assert again.status_code == 400 and "đã được dùng" in again.get_data(as_text=True)


def test_a_password_reset_link_expires(app, client, people):
    client.post("/auth/forgot", data={"email": "judge@example.vn"})
    [row] = outbox_rows(app)
    link = _eml(app, row).get_body(("plain",)).get_content().split("https://ldst.example.vn")[1].split()[0]
    with app.app_context():
        db.session.get(User, people["ids"]["judge_user"]).reset_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    expired = client.get(link)
    assert expired.status_code == 400 and "đã hết hạn" in expired.get_data(as_text=True)


def test_password_reset_requests_are_rate_limited(tmp_path):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, PASSWORD_RESET_LIMIT="3 per minute")
    client = app.test_client()
    answers = [client.post("/auth/forgot", data={"email": f"x{i}@example.vn"}).status_code for i in range(4)]
    assert answers == [302, 302, 302, 429]


def test_password_reset_requests_for_one_address_are_limited_whoever_asks(tmp_path):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, PASSWORD_RESET_ADDRESS_LIMIT="2 per hour")
    client = app.test_client()
    typed = ["same@example.vn", "Same@Example.vn", "SAME@example.vn"]  # one address, however it is typed
    answers = [client.post("/auth/forgot", data={"email": email}).status_code for email in typed]
    assert answers == [302, 302, 429]
    assert client.post("/auth/forgot", data={"email": "other@example.vn"}).status_code == 302


def test_each_kind_reads_its_default_wording_from_its_own_file_in_both_languages():
    files = {path.name for path in messages.WORDING_DIR.glob("*.txt")}
    assert files == {f"{key}.{language}.txt" for key in messages.KINDS for language in messages.LANGUAGES}
    accepted = messages.KINDS["exhibit_accepted"]
    assert accepted.subject == {
        "vi": "Sáng kiến “{exhibit}” đã được duyệt ({code})",
        "en": "Exhibit accepted: “{exhibit}” ({code})",
    }
    assert accepted.body["en"].startswith("Dear {name},\n\nThe exhibit “{exhibit}” of {unit} has been accepted.\n")
    assert accepted.body["vi"].endswith("\n\nTrân trọng,\nBan tổ chức {festival}")  # no trailing line break
    for kind in messages.KINDS.values():
        for language in messages.LANGUAGES:
            text = kind.subject[language] + " " + kind.body[language]
            assert messages.unknown_placeholders(kind.key, text) == [], (kind.key, language)


def test_once_the_app_is_built_mail_listens_to_what_the_features_announce(app):
    # create_app imports festival.mail (its blueprint), which connects notify's receivers: the web app,
    # the CLI and the worker all build the app the same way.
    for signal, receiver in (
        (events.exhibit_status_changed, notify.exhibit_status),
        (events.password_reset_requested, notify.password_reset),
        (events.certificate_corrected, notify.certificate_corrected),
        (events.judge_lists_changed, notify.judge_lists_changed),
        (events.account_invited, notify.account_invited),
    ):
        assert receiver in list(signal.receivers_for(None)), signal.name


def test_resending_an_invitation_invites_again_until_the_password_is_set(app, client, login_as, people):
    with app.app_context():
        invitee = factories.make_user(Role.JUDGE, password=None, email="moi@example.vn", full_name="Hồ Thị Mơ")
        db.session.commit()
        message = notify.invite(invitee, by=None)
        db.session.commit()
        message_id, invitee_id = message.id, invitee.id
    login_as("organizer")

    client.post(f"/admin/mail/{message_id}/resend")
    rows = outbox_rows(app)
    assert [(r.kind, r.status, r.user_id) for r in rows] == [("invitation", MailStatus.SENT, invitee_id)] * 2
    assert rows[1].created_by_id == people["ids"]["organizer_user"]

    with app.app_context():
        db.session.get(User, invitee_id).password_hash = "set by the invitee"
        db.session.commit()
    refused = client.post(f"/admin/mail/{message_id}/resend", follow_redirects=True).get_data(as_text=True)
    assert "Hồ Thị Mơ đã đặt mật khẩu, không cần lời mời nữa." in refused
    assert len(outbox_rows(app)) == 2
