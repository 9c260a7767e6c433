"""Sign-in, sign-out, throttling, invitations, password changes and the role guard."""

import re
import threading
from datetime import timedelta

import pytest
from werkzeug.security import check_password_hash

from festival.auth import services
from festival.core.extensions import db
from festival.models import AuditLog, Role, SignInFailures, User, UserSession, utcnow
from tests import factories
from tests.conftest import ON_POSTGRES, make_app


def get_user(app, email):
    with app.app_context():
        return db.session.execute(db.select(User).where(User.email == email)).scalar_one()


def test_login_page_is_vietnamese_by_default(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page and "Mật khẩu" in page


def test_organizer_signs_in_to_console_and_out(client, auth, people):
    response = auth.login("ORGANIZER@example.vn ")  # case and spaces do not matter
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert "Bảng điều khiển ban tổ chức" in client.get("/admin/").get_data(as_text=True)

    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302  # back to sign-in


def test_logout_is_not_possible_with_get(client, login_as):
    login_as("organizer")
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/admin/").status_code == 200


def test_login_follows_next_only_on_this_site(client, auth, people):
    response = auth.login(people["emails"]["organizer"], query_string={"next": "/admin/units"})
    assert response.headers["Location"] == "/admin/units"
    auth.logout()
    response = auth.login(people["emails"]["organizer"], query_string={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/admin/"
    auth.logout()
    response = auth.login(people["emails"]["organizer"], query_string={"next": "//evil.example/x"})
    assert response.headers["Location"] == "/admin/"


def test_wrong_password_is_refused_with_a_message(client, auth, people):
    response = auth.login(people["emails"]["organizer"], "wrong-password", follow_redirects=True)
    assert response.status_code == 200
    assert "E-mail hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_unknown_email_gets_the_same_message(client, auth, people):
    response = auth.login("nobody@example.vn", "whatever-123")
    assert "E-mail hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def _fail(browser, email, times):
    for _ in range(times):
        browser.post("/auth/login", data={"email": email, "password": "wrong-password"})


def test_wrong_passwords_delay_other_browsers_but_never_the_owners(app, people):
    email = people["emails"]["unit_a"]
    owner = app.test_client()
    assert owner.post("/auth/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302
    owner.post("/auth/logout")  # the owner's browser keeps its device cookie
    attacker = app.test_client()
    _fail(attacker, email, app.config["SIGN_IN_FREE_FAILURES"])
    refused = attacker.post("/auth/login", data={"email": email, "password": factories.PASSWORD})
    assert refused.status_code == 200 and "Hãy thử lại sau 1 phút" in refused.get_data(as_text=True)
    # The right password from the owner's own browser still works at once.
    assert owner.post("/auth/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302
    with app.app_context():
        assert db.session.execute(db.select(AuditLog).where(AuditLog.action == "auth.delayed")).scalar_one()


def test_the_delay_grows_and_ends(app, people):
    email = people["emails"]["judge"]
    browser = app.test_client()
    free = app.config["SIGN_IN_FREE_FAILURES"]
    _fail(browser, email, free)
    with app.app_context():
        row = db.session.get(SignInFailures, email)
        assert row.failures == free and timedelta(seconds=59) < row.delayed_until - row.last_failed_at <= timedelta(
            minutes=1
        )
        row.delayed_until = utcnow() - timedelta(seconds=1)  # a minute later
        db.session.commit()
    _fail(browser, email, 1)
    with app.app_context():
        row = db.session.get(SignInFailures, email)
        assert row.delayed_until - row.last_failed_at == timedelta(minutes=2)
        row.delayed_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert browser.post("/auth/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302
    with app.app_context():
        assert db.session.get(SignInFailures, email) is None  # a success forgets the failures


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's write lock; PostgreSQL locks no row a first failure could take")
def test_a_sign_ins_password_is_checked_before_sqlites_write_lock_is_taken(app, people, monkeypatch):
    """A hash costs about 0.1 s: checked under the write lock, a crowd of staff signing in at the gates' opening
    would hold every scan and save behind them (the sign-in is `writes_late`)."""
    in_transaction = []

    def checked(stored, password):
        in_transaction.append(db.session.connection().connection.dbapi_connection.in_transaction)
        return check_password_hash(stored, password)

    monkeypatch.setattr(services, "check_password_hash", checked)
    browser = app.test_client()
    email = people["emails"]["judge"]
    assert browser.post("/auth/login", data={"email": email, "password": "wrong-password"}).status_code == 200
    assert browser.post("/auth/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302
    assert in_transaction == [False, False]
    with app.app_context():  # what the two sign-ins wrote was kept: the failure, then its clearing and the session
        assert db.session.get(SignInFailures, email) is None
        assert db.session.execute(db.select(UserSession).join(User).where(User.email == email)).scalar_one()


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's write lock orders the guesses; on PostgreSQL the limiter bounds them")
def test_wrong_guesses_sent_at_once_are_delayed_as_if_sent_one_after_another(app, people):
    email, free, extra = people["emails"]["unit_a"], app.config["SIGN_IN_FREE_FAILURES"], 4
    barrier, answers = threading.Barrier(free + extra), []

    def guess():
        browser = app.test_client()
        barrier.wait()
        answers.append(browser.post("/auth/login", data={"email": email, "password": "wrong-guess"}).get_data(True))

    threads = [threading.Thread(target=guess) for _ in range(free + extra)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum("Hãy thử lại sau" in answer for answer in answers) == extra
    with app.app_context():
        assert db.session.get(SignInFailures, email).failures == free  # the delayed guesses were not even counted


def test_an_unknown_address_is_delayed_exactly_like_a_known_one(app, people):
    known, unknown = people["emails"]["unit_b"], "nobody-here@example.vn"
    answers = []
    for email in (known, unknown):
        browser = app.test_client()
        _fail(browser, email, app.config["SIGN_IN_FREE_FAILURES"])
        answers.append(browser.post("/auth/login", data={"email": email, "password": "x-y-z-1234"}))
    texts = [
        re.sub(r'(csrf-token" content|name="csrf_token" value|data-rendered-at)="[^"]*"', "", a.get_data(as_text=True))
        for a in answers
    ]
    assert "Hãy thử lại sau 1 phút" in texts[0] and "Hãy thử lại sau 1 phút" in texts[1]
    assert texts[0].replace(known, "…") == texts[1].replace(unknown, "…")  # but for the address typed


def test_an_organizer_lets_the_owner_try_again_at_once(app, client, login_as, people):
    email = people["emails"]["checkin"]
    _fail(app.test_client(), email, app.config["SIGN_IN_FREE_FAILURES"])
    login_as("organizer")
    user_id = people["ids"]["checkin_user"]
    assert "Cho đăng nhập lại ngay" in client.get(f"/admin/users/{user_id}").get_data(as_text=True)
    client.post(f"/admin/users/{user_id}/unlock")
    assert (
        app.test_client().post("/auth/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302
    )
    with app.app_context():
        assert db.session.execute(db.select(AuditLog).where(AuditLog.action == "auth.unlocked")).scalar_one()


def test_a_client_spraying_many_accounts_is_stopped(tmp_path, people):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, SIGN_IN_CLIENT_LIMIT="5 per minute")
    browser = app.test_client()
    statuses = [
        browser.post("/auth/login", data={"email": f"person{n}@example.vn", "password": "Matkhau123"}).status_code
        for n in range(8)
    ]
    assert statuses == [200] * 5 + [429] * 3
    # Another client is not affected.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert other.post("/auth/login", data={"email": "x@example.vn", "password": "Matkhau123"}).status_code == 200


def test_disabled_account_cannot_sign_in(app, client, auth):
    with app.app_context():
        factories.make_user(Role.JUDGE, email="off@example.vn", is_active=False)
        db.session.commit()
    response = auth.login("off@example.vn")
    assert "Tài khoản này đã bị ban tổ chức tạm khoá." in response.get_data(as_text=True)


def test_sign_in_starts_a_new_session(client, auth, people):
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
        session["lang"] = "en"
    auth.login(people["emails"]["organizer"])
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "en"


@pytest.mark.parametrize("name", ["unit_a", "judge", "checkin"])
def test_non_organizers_get_403_in_the_console(client, login_as, name):
    login_as(name)
    for path in ["/admin/", "/admin/users", "/admin/units", "/admin/audit", "/admin/festivals"]:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Không có quyền truy cập" in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(client, people):
    for path in ["/admin/", "/admin/users", "/auth/account"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/auth/login?next=")


@pytest.mark.parametrize("name", ["organizer", "unit_a", "judge", "checkin"])
def test_every_role_reaches_its_account_page(client, login_as, name, people):
    login_as(name)
    page = client.get("/auth/account").get_data(as_text=True)
    assert people["emails"][name] in page


def test_invitation_link_sets_a_password_once(app, client, auth, login_as, people):
    login_as("organizer")
    response = client.post(
        "/admin/users/new",
        data={"email": "New.Judge@Example.vn", "full_name": "Lê Thị Hoa", "role": "judge", "unit_id": "0"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Liên kết mời cho Lê Thị Hoa" in page
    assert "<svg" in page  # the QR code of the link
    link = page.split('id="invite-link" class="form-control invite-link" type="text" readonly value="')[1].split('"')[0]
    # PUBLIC_BASE_URL, whatever host the organizer used
    assert link.startswith("https://ldst.example.vn/auth/invitation/")
    path = link.replace("https://ldst.example.vn", "")
    auth.logout()

    assert auth.login("new.judge@example.vn", "anything-at-all").status_code == 200  # no password yet
    page = client.get(path).get_data(as_text=True)
    assert "Chào Lê Thị Hoa" in page

    response = client.post(path, data={"password": "short", "confirm": "short"})
    assert "Mật khẩu cần ít nhất 8 ký tự." in response.get_data(as_text=True)

    response = client.post(path, data={"password": "hoa-2026-judge", "confirm": "hoa-2026-judge"})
    assert response.status_code == 302
    assert client.get("/auth/account").status_code == 200  # signed in by the invitation
    auth.logout()

    assert client.get(path).status_code == 400  # one time only
    assert "Liên kết mời không hợp lệ" in client.get(path).get_data(as_text=True)
    assert auth.login("new.judge@example.vn", "hoa-2026-judge").status_code == 302


def test_expired_invitation_is_refused(app, client):
    with app.app_context():
        user = factories.make_user(Role.JUDGE, password=None)
        token = services.issue_invitation(user, utcnow() - timedelta(days=30), by=None)
        db.session.commit()
    response = client.get(f"/auth/invitation/{token}")
    assert response.status_code == 400
    assert "Liên kết mời đã hết hạn" in response.get_data(as_text=True)


def test_new_invitation_makes_the_old_one_useless(app, client, login_as, people):
    with app.app_context():
        user = factories.make_user(Role.JUDGE, password=None)
        old = services.issue_invitation(user, utcnow(), by=None)
        db.session.commit()
        user_id = user.id
    login_as("organizer")
    response = client.post(f"/admin/users/{user_id}/invitation")
    assert "Liên kết mời cho" in response.get_data(as_text=True)
    assert client.get(f"/auth/invitation/{old}").status_code == 400


def test_password_change_signs_out_other_sessions(app, auth, people):
    email = people["emails"]["judge"]
    phone, tablet = app.test_client(), app.test_client()
    for browser in (phone, tablet):
        assert browser.post("/auth/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302

    response = phone.post(
        "/auth/account",
        data={"current": factories.PASSWORD, "password": "a-new-secret-9", "confirm": "a-new-secret-9"},
    )
    assert response.status_code == 302
    assert phone.get("/auth/account").status_code == 200  # the session that changed it stays in
    assert tablet.get("/auth/account").status_code == 302  # the other one is out


def test_password_change_needs_the_current_password(app, client, login_as):
    login_as("judge")
    response = client.post(
        "/auth/account", data={"current": "nope-nope", "password": "a-new-secret-9", "confirm": "a-new-secret-9"}
    )
    assert "Mật khẩu hiện tại không đúng." in response.get_data(as_text=True)
    response = client.post(
        "/auth/account", data={"current": factories.PASSWORD, "password": "a-new-secret-9", "confirm": "different-9"}
    )
    assert "Hai mật khẩu không khớp." in response.get_data(as_text=True)


@pytest.mark.parametrize("weak", ["iloveyou", "qwertyuiop", "Vinatex@2026", "Lao Động Sáng Tạo 1", "judge2026"])
def test_common_and_guessable_passwords_are_refused(app, client, login_as, weak):
    login_as("judge")
    response = client.post("/auth/account", data={"current": factories.PASSWORD, "password": weak, "confirm": weak})
    assert response.status_code == 422
    assert "Mật khẩu này quá phổ biến, dễ bị đoán." in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == "judge@example.vn")).scalar_one()
        assert check_password_hash(user.password_hash, factories.PASSWORD)  # unchanged


def test_create_organizer_command(app, runner):
    result = runner.invoke(
        args=[
            "festival",
            "create-organizer",
            "--email",
            "Chief@Example.vn",
            "--name",
            "Trưởng ban",
            "--password",
            "a-strong-pass-1",
        ]
    )
    assert result.exit_code == 0, result.output
    user = get_user(app, "chief@example.vn")
    assert user.role is Role.ORGANIZER and user.has_password

    again = runner.invoke(
        args=[
            "festival",
            "create-organizer",
            "--email",
            "chief@example.vn",
            "--name",
            "X",
            "--password",
            "a-strong-pass-1",
        ]
    )
    assert again.exit_code == 1
    assert "đã có tài khoản" in again.output


def _signed_in(app, email, remember=False):
    browser = app.test_client()
    data = {"email": email, "password": factories.PASSWORD, **({"remember": "y"} if remember else {})}
    assert browser.post("/auth/login", data=data).status_code == 302
    return browser


def test_signing_out_ends_only_this_device_and_its_copied_cookies(app, people):
    email = people["emails"]["judge"]
    tablet, phone = _signed_in(app, email, remember=True), _signed_in(app, email)
    copied = {name: tablet.get_cookie(name).value for name in ("session", "remember_token")}
    response = tablet.post("/auth/logout")
    assert response.status_code == 302
    assert tablet.get_cookie("remember_token") is None  # deleted
    assert tablet.get("/judging/").status_code == 302
    assert phone.get("/judging/").status_code == 200  # the judge's other device stays signed in

    thief = app.test_client()
    for name, value in copied.items():  # the session and remember-me cookies, replayed
        thief.set_cookie(name, value)
    assert thief.get("/judging/").status_code == 302
    only_remember = app.test_client()
    only_remember.set_cookie("remember_token", copied["remember_token"])
    assert only_remember.get("/judging/").status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(UserSession)) == 1


def test_remember_me_lasts_thirty_days_at_most(app, people):

    browser = _signed_in(app, people["emails"]["judge"], remember=True)
    cookie = browser.get_cookie("remember_token")
    assert timedelta(days=29) < cookie.expires - utcnow() <= timedelta(days=30)
    with app.app_context():
        row = db.session.execute(db.select(UserSession)).scalar_one()
        assert row.remember and timedelta(days=29) < row.expires_at - row.created_at <= timedelta(days=30)


def test_a_judge_signs_out_of_every_device_at_once(app, people):
    email = people["emails"]["judge"]
    tablet, phone, laptop = (_signed_in(app, email) for _ in range(3))
    assert "Thiết bị đang đăng nhập" in laptop.get("/auth/account").get_data(as_text=True)
    page = laptop.post("/auth/sessions/end-all", follow_redirects=True).get_data(as_text=True)
    assert "Đã đăng xuất khỏi 3 thiết bị." in page
    for browser in (tablet, phone, laptop):
        assert browser.get("/judging/").status_code == 302
