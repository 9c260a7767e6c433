"""A unit's support team: the unit invites members by e-mail, lists them and locks one out; organizers make
support-team accounts on the accounts pages."""

from festival.core.extensions import db
from festival.models import AuditLog, MailMessage, Role, User
from tests import factories


def _user(app, email):
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none()
        db.session.expunge_all()
        return user


def test_unit_invites_a_support_member_who_is_mailed_the_invitation(app, people, login_as):
    client = login_as("unit_a")
    page = client.get("/initiatives/support-team").get_data(as_text=True)
    assert "support-a@example.vn" in page and 'class="privacy-notice-link"' in page
    response = client.post("/initiatives/support-team", data={"full_name": "Đỗ Thị Thu", "email": "Thu.Do@ducgiang.vn"})
    assert response.status_code == 302
    member = _user(app, "thu.do@ducgiang.vn")
    assert (member.role, member.unit_id, member.is_active, member.has_password) == (
        Role.SUPPORT,
        people["ids"]["unit_a"],
        True,
        False,
    )
    with app.app_context():
        (message,) = db.session.execute(db.select(MailMessage).where(MailMessage.user_id == member.id)).scalars()
        assert (message.kind, message.recipient_email) == ("invitation", "thu.do@ducgiang.vn")
        created = db.session.execute(db.select(AuditLog).where(AuditLog.action == "user.created")).scalars().all()
        assert created[-1].user_id == people["ids"]["unit_a_user"]
    page = client.get("/initiatives/support-team").get_data(as_text=True)
    assert "Đỗ Thị Thu" in page and "Chưa nhận lời mời" in page


def test_an_address_that_has_an_account_is_refused_with_the_input_kept(app, login_as):
    client = login_as("unit_a")
    response = client.post("/initiatives/support-team", data={"full_name": "Trùng", "email": "judge@example.vn"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "E-mail judge@example.vn đã có tài khoản." in page
    assert 'value="Trùng"' in page
    response = client.post("/initiatives/support-team", data={"full_name": "", "email": "khong-phai-email"})
    assert response.status_code == 422 and "E-mail không hợp lệ." in response.get_data(as_text=True)


def test_unit_locks_out_its_own_member_after_confirming(app, people, login_as):
    client = login_as("unit_a")
    member_id = people["ids"]["support_a_user"]
    page = client.get(f"/initiatives/support-team/{member_id}/deactivate").get_data(as_text=True)
    assert "sẽ không đăng nhập được nữa" in page and _user(app, "support-a@example.vn").is_active
    assert client.post(f"/initiatives/support-team/{member_id}/deactivate").status_code == 302
    assert not _user(app, "support-a@example.vn").is_active
    assert "Đã khoá" in client.get("/initiatives/support-team").get_data(as_text=True)


def test_other_units_and_roles_cannot_touch_unit_as_support_team(app, people, login_as, client):
    member_id = people["ids"]["support_a_user"]
    login_as("unit_b")
    assert client.post(f"/initiatives/support-team/{member_id}/deactivate").status_code == 404
    assert "support-a@example.vn" not in client.get("/initiatives/support-team").get_data(as_text=True)
    client.post("/auth/logout")
    login_as("support_a")
    assert client.get("/initiatives/support-team").status_code == 403
    assert _user(app, "support-a@example.vn").is_active
    with app.app_context():
        judge = factories.make_user(Role.JUDGE, email="judge-9@example.vn")
        db.session.commit()
        judge_id = judge.id
    client.post("/auth/logout")
    login_as("unit_a")
    assert client.get(f"/initiatives/support-team/{judge_id}/deactivate").status_code == 404


def test_organizers_make_support_team_accounts_of_a_unit_on_the_accounts_pages(app, people, login_as):
    client = login_as("organizer")
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert 'value="support"' in page and "Tổ hỗ trợ sáng kiến" in page
    data = {"email": "tht@example.vn", "full_name": "Tổ viên", "role": "support", "unit_id": "0"}
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 422 and "phải thuộc một đơn vị" in response.get_data(as_text=True)
    response = client.post("/admin/users/new", data={**data, "unit_id": str(people["ids"]["unit_b"])})
    assert response.status_code == 200 and "Liên kết mời" in response.get_data(as_text=True)
    member = _user(app, "tht@example.vn")
    assert (member.role, member.unit_id) == (Role.SUPPORT, people["ids"]["unit_b"])
