"""Invitation and reset links exist only in the message that carries them: the worker makes them as it
sends, so they are in no queue row, no outbox row, no audit entry and no file an organizer can download;
"Quên mật khẩu" costs the request the same for any address; wording cannot glue a link to anything."""

import json
import os
import re
import stat
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from festival.auth import resets
from festival.core import queue as festival_queue
from festival.core.extensions import db
from festival.core.queue import huey
from festival.mail import messages, services
from festival.models import AuditLog, Festival, MailStatus, Role, User
from tests import factories
from tests.conftest import make_app
from tests.mail.conftest import outbox_rows
from tests.sql import statements_sent

RESET = re.compile(r"https://ldst\.example\.vn/auth/reset/([A-Za-z0-9_-]+)")
INVITATION = re.compile(r"https://ldst\.example\.vn/auth/invitation/([A-Za-z0-9_-]+)")


@pytest.fixture
def app(tmp_path):
    """No MAIL_SERVER: the file outbox, whose .eml files are the only copy of a secret link."""
    return make_app(tmp_path)


@pytest.fixture
def file_queue(tmp_path, monkeypatch):
    """The queue in a real SQLite file made as festival.core.queue makes it (`make run`'s): tasks wait in
    it, with their arguments, until run_queue takes them out as the consumer would."""
    path = tmp_path / "instance" / "queue.db"
    monkeypatch.setenv("QUEUE_URL", f"sqlite:///{path}")
    storage = festival_queue._create_huey().storage
    monkeypatch.setattr(huey, "_immediate", False)
    monkeypatch.setattr(huey, "storage", storage)
    yield path
    storage.close()


def run_queue(app) -> list[str]:
    """Run every waiting task, in order, as the consumer would; the names of those that ran."""
    ran = []
    with app.app_context():
        while (task := huey.dequeue()) is not None:
            ran.append(task.name.rsplit(".", 1)[-1])
            huey.execute(task)
    return ran


def queue_files(path: Path) -> dict[str, bytes]:
    files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    return {file.name: file.read_bytes() for file in files if file.exists()}


def mode(path) -> int:
    return stat.S_IMODE(Path(path).stat().st_mode)


def eml_text(app, row) -> str:
    path = Path(app.config["MAIL_OUTBOX_DIR"]) / row.outbox_file
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes()).get_body(("plain",)).get_content()


def audit_text(app) -> str:
    with app.app_context():
        entries = db.session.execute(db.select(AuditLog)).scalars().all()
        return json.dumps([[e.action, e.before, e.after] for e in entries], ensure_ascii=False)


def test_a_reset_link_is_made_as_it_is_sent_and_kept_in_no_queue_row_outbox_row_audit_or_download(
    app, client, login_as, people, file_queue
):
    assert client.post("/auth/forgot", data={"email": "Judge@Example.vn"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, people["ids"]["judge_user"]).reset_hash is None  # nothing made in the request
    assert outbox_rows(app) == []

    assert run_queue(app) == ["password_reset_requested", "deliver"]

    [row] = outbox_rows(app)
    assert row.kind == "password_reset" and row.status is MailStatus.SENT and row.has_secret_link
    link = RESET.search(eml_text(app, row))
    token = link.group(1)
    # Not in the queue's file, its WAL or its shared memory, before or after the tasks ran.
    stored = queue_files(file_queue)
    assert "queue.db" in stored and "queue.db-wal" in stored
    for name, data in stored.items():
        assert token.encode() not in data and b"/auth/reset/" not in data, name
    # Not in the outbox row, nor in the audit log, which names the client address that asked.
    assert token not in row.body_text + row.subject and "{link}" in row.body_text
    assert token not in audit_text(app)
    with app.app_context():
        [asked] = db.session.execute(
            db.select(AuditLog).where(AuditLog.action == "user.password_reset_requested")
        ).scalars()
        assert asked.object_id == people["ids"]["judge_user"] and asked.after == {"client": "127.0.0.1"}
    # The .eml is the owner's only and is not offered to organizers.
    assert mode(Path(app.config["MAIL_OUTBOX_DIR"]) / row.outbox_file) == 0o600
    assert mode(app.config["MAIL_OUTBOX_DIR"]) == 0o700
    login_as("organizer")
    page = client.get(f"/admin/mail/{row.id}").get_data(as_text=True)
    assert token not in page and "Không tải về được" in page
    assert client.get(f"/admin/mail/{row.id}.eml").status_code == 403
    refused = client.post(f"/admin/mail/{row.id}/resend", follow_redirects=True).get_data(as_text=True)
    assert "người nhận hãy yêu cầu lại" in refused
    client.post("/auth/logout")
    # The link the recipient got works.
    assert client.get(link.group(0).removeprefix("https://ldst.example.vn")).status_code == 200


def test_an_invitation_an_organizer_mails_is_audited_under_their_name_and_its_link_kept_nowhere(
    app, client, login_as, people, file_queue
):
    with app.app_context():
        invitee = factories.make_user(Role.JUDGE, password=None, email="moi@example.vn", full_name="Hồ Thị Mơ")
        db.session.commit()
        invitee_id = invitee.id
    login_as("organizer")

    assert client.post(f"/admin/mail/users/{invitee_id}/invite").status_code == 302
    with app.app_context():
        assert db.session.get(User, invitee_id).invitation_hash is None  # made when the message is sent
    assert run_queue(app) == ["deliver"]

    [row] = outbox_rows(app)
    token = INVITATION.search(eml_text(app, row)).group(1)
    for name, data in queue_files(file_queue).items():
        assert token.encode() not in data and b"/auth/invitation/" not in data, name
    assert token not in row.body_text and token not in audit_text(app)
    with app.app_context():
        [invited] = db.session.execute(db.select(AuditLog).where(AuditLog.action == "user.invited")).scalars()
        assert invited.object_id == invitee_id and invited.user_id == people["ids"]["organizer_user"]
    assert client.get(f"/admin/mail/{row.id}.eml").status_code == 403
    assert token not in client.get(f"/admin/mail/{row.id}").get_data(as_text=True)
    client.post("/auth/logout")
    assert client.get(f"/auth/invitation/{token}").status_code == 200


def test_forgot_password_does_the_same_work_for_a_known_and_an_unknown_address(app, client, people, monkeypatch):
    queued = []
    monkeypatch.setattr(huey, "enqueue", lambda task: queued.append((task.name, task.args)))
    with app.app_context():
        engine = db.engine
    work = {}
    for email in ("judge@example.vn", "nobody@example.vn"):
        with statements_sent(engine) as statements:
            assert client.post("/auth/forgot", data={"email": email}).status_code == 302
        work[email] = statements

    assert work["judge@example.vn"] == work["nobody@example.vn"]
    assert not any("users" in statement for statement in work["judge@example.vn"])
    name = resets.password_reset_requested.name
    assert queued == [(name, ("judge@example.vn", "127.0.0.1")), (name, ("nobody@example.vn", "127.0.0.1"))]
    # The worker then finds the account for one and does nothing visible for the other.
    with app.app_context():
        resets.password_reset_requested.call_local("nobody@example.vn", "127.0.0.1")
    assert outbox_rows(app) == [] and "password_reset_requested" not in audit_text(app)
    with app.app_context():
        resets.password_reset_requested.call_local("judge@example.vn", "127.0.0.1")
    assert [row.recipient_email for row in outbox_rows(app)] == ["judge@example.vn"]


@pytest.mark.parametrize(
    "body",
    [
        "Mở: https://evil.example/?next={link}",
        'Bấm <a href="{link}">vào đây</a>',
        "<a href={link}>",
        "Mở:{link}",
        "https://ldst.example.vn@evil.example/{link}",
        "{link}{link}",
    ],
)
def test_wording_cannot_glue_a_link_to_another_address_or_markup(app, client, login_as, people, body):
    login_as("organizer")
    answer = client.post("/admin/mail/templates/password_reset/vi", data={"subject": "Đặt lại", "body": body})
    assert answer.status_code == 422
    assert "Liên kết phải đứng riêng" in answer.get_data(as_text=True)
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        assert messages.saved_template(festival, "password_reset", "vi") is None


def test_a_secret_link_stays_in_the_body_of_its_message(app, client, login_as, people):
    login_as("organizer")
    in_subject = client.post("/admin/mail/templates/invitation/vi", data={"subject": "Mở {link}", "body": "{link}"})
    assert in_subject.status_code == 422 and "không trong tiêu đề" in in_subject.get_data(as_text=True)
    missing = client.post("/admin/mail/templates/badge/vi", data={"subject": "Thẻ", "body": "Thẻ của {name}"})
    assert missing.status_code == 422 and "phải có chỗ trống {link}" in missing.get_data(as_text=True)
    angled = client.post(
        "/admin/mail/templates/password_reset/vi", data={"subject": "Đặt lại mật khẩu", "body": "Mở <{link}>"}
    )
    assert angled.status_code == 422  # glued to markup characters
    fine = client.post(
        "/admin/mail/templates/password_reset/vi",
        data={"subject": "Đặt lại mật khẩu", "body": "Mở liên kết (dùng một lần):\n\n“{link}”.\n\n({link})"},
    )
    assert fine.status_code == 302


def test_every_default_wording_passes_the_link_rules():
    for kind in messages.KINDS.values():
        for language in messages.LANGUAGES:
            services.check_links(kind.key, kind.subject[language], kind.body[language])


def test_the_queue_file_its_wal_and_the_instance_folder_are_the_owners_only_whatever_the_umask(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    (instance / "queue.db").write_bytes(b"")
    (instance / "queue.db").chmod(0o644)  # made by an older version, readable by anyone
    monkeypatch.delenv("QUEUE_URL")  # the default: instance/queue.db
    monkeypatch.setattr(festival_queue, "INSTANCE_DIR", instance)
    old = os.umask(0o022)
    try:
        queue = festival_queue._create_huey()
        queue.storage.enqueue(b"a task", 0)
    finally:
        os.umask(old)
    assert mode(instance) == 0o700
    assert {name: mode(instance / name) for name in queue_files(instance / "queue.db")} == {
        "queue.db": 0o600,
        "queue.db-wal": 0o600,
        "queue.db-shm": 0o600,
    }
    queue.storage.close()


def test_the_app_creates_every_file_for_its_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        app = make_app(tmp_path)
        with app.app_context():
            path = Path(app.config["UPLOAD_DIR"]) / "new" / "file.bin"
            path.parent.mkdir(parents=True)
            path.write_bytes(b"x")
    finally:
        os.umask(old)
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
