"""Sign-in, sign-out, throttling, invitations, password changes and the role guard."""

from datetime import timedelta

import pytest

from festival.extensions import db
from festival.models import AuditLog, Role, User, utcnow
from tests import factories


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


def test_repeated_failures_lock_the_account(app, client, auth, people):
    email = people["emails"]["unit_a"]
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        auth.login(email, "wrong-password")
    response = auth.login(email, "wrong-password")
    assert "Tài khoản tạm khoá vì đăng nhập sai nhiều lần" in response.get_data(as_text=True)
    assert get_user(app, email).locked_until is not None

    # Even the right password is refused while locked.
    response = auth.login(email)
    assert response.status_code == 200
    assert "Hãy thử lại sau 15 phút" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(AuditLog).where(AuditLog.action == "auth.locked")).scalar_one()


def test_lock_expires(app, client, auth, people):
    email = people["emails"]["unit_a"]
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == email)).scalar_one()
        user.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert auth.login(email).status_code == 302


def test_a_successful_login_resets_the_failure_count(app, client, auth, people):
    email = people["emails"]["judge"]
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        auth.login(email, "wrong-password")
    assert auth.login(email).status_code == 302
    assert get_user(app, email).failed_logins == 0


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
    assert link.startswith("http://festival.test/auth/invitation/")  # PUBLIC_BASE_URL, whatever host the organizer used
    path = link.replace("http://festival.test", "")
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
    from festival.auth import services

    with app.app_context():
        user = factories.make_user(Role.JUDGE, password=None)
        token = services.issue_invitation(user, utcnow() - timedelta(days=30), by=None)
        db.session.commit()
    response = client.get(f"/auth/invitation/{token}")
    assert response.status_code == 400
    assert "Liên kết mời đã hết hạn" in response.get_data(as_text=True)


def test_new_invitation_makes_the_old_one_useless(app, client, login_as, people):
    from festival.auth import services

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
    from festival.models import UserSession

    email = people["emails"]["judge"]
    tablet, phone = _signed_in(app, email, remember=True), _signed_in(app, email)
    copied = {name: tablet.get_cookie(name).value for name in ("session", "remember_token")}
    response = tablet.post("/auth/logout")
    assert response.headers["Clear-Site-Data"] == '"storage"'
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
    from festival.models import UserSession

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
