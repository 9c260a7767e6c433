"""Organizer console: figures, units, accounts, festival settings, programme, audit log."""

from festival.core.extensions import db
from festival.models import AuditLog, Festival, ProgrammeItem, Region, Role, Unit, User
from tests import factories


def count(app, model):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_console_shows_figures_and_links(client, login_as):
    login_as("organizer")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Bảng điều khiển ban tổ chức" in page
    assert "/admin/units" in page and "/admin/users" in page and "/admin/audit" in page


def test_create_edit_and_search_units(app, client, login_as):
    login_as("organizer")
    response = client.post(
        "/admin/units/new",
        data={"code": "hoatho", "name": "Tổng Công ty Dệt May Hòa Thọ", "short_name": "Hòa Thọ", "region": "danang"},
    )
    assert response.status_code == 302
    with app.app_context():
        unit = db.session.execute(db.select(Unit).where(Unit.code == "HOATHO")).scalar_one()
        assert unit.region is Region.DANANG
        unit_id = unit.id

    page = client.get("/admin/units", query_string={"q": "hoa tho"}).get_data(as_text=True)
    assert "Tổng Công ty Dệt May Hòa Thọ" in page
    page = client.get("/admin/units", query_string={"q": "hoa tho", "region": "hue"}).get_data(as_text=True)
    assert "Không có đơn vị nào khớp." in page

    response = client.post(
        f"/admin/units/{unit_id}", data={"code": "HOATHO", "name": "Hòa Thọ mới", "short_name": "", "region": "hue"}
    )
    assert response.status_code == 302
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        assert (unit.name, unit.short_name, unit.region) == ("Hòa Thọ mới", "Hòa Thọ mới", Region.HUE)
        actions = [
            a
            for (a,) in db.session.execute(
                db.select(AuditLog.action).where(AuditLog.object_id == unit_id, AuditLog.object_type == "units")
            )
        ]
        assert actions == ["unit.created", "unit.updated"]


def test_duplicate_unit_code_keeps_what_was_typed(client, login_as):
    login_as("organizer")
    response = client.post(
        "/admin/units/new", data={"code": "UNITA", "name": "Tên mới đã gõ", "short_name": "", "region": "hanoi"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422  # shown again, nothing stored
    assert "Mã đơn vị UNITA đã được dùng." in page
    assert 'value="Tên mới đã gõ"' in page


def test_unit_delete_asks_first_and_refuses_when_in_use(app, client, login_as, people):
    login_as("organizer")
    with app.app_context():
        spare = factories.make_unit("SPARE")
        db.session.commit()
        spare_id = spare.id
    page = client.get(f"/admin/units/{spare_id}/delete").get_data(as_text=True)
    assert "Xoá đơn vị?" in page
    assert count(app, Unit) == 3  # asking deletes nothing

    assert client.post(f"/admin/units/{spare_id}/delete").status_code == 302
    assert count(app, Unit) == 2

    response = client.post(f"/admin/units/{people['ids']['unit_a']}/delete", follow_redirects=True)
    assert "còn tài khoản thuộc đơn vị này" in response.get_data(as_text=True)
    assert count(app, Unit) == 2


def test_unit_account_needs_a_unit_and_keeps_the_form(app, client, login_as):
    login_as("organizer")
    before = count(app, User)
    response = client.post(
        "/admin/users/new",
        data={"email": "rep@example.vn", "full_name": "Phạm Văn Đại Diện", "role": "unit", "unit_id": "0"},
    )
    page = response.get_data(as_text=True)
    assert "Tài khoản đơn vị và tổ hỗ trợ sáng kiến phải thuộc một đơn vị." in page
    assert 'value="Phạm Văn Đại Diện"' in page
    assert count(app, User) == before


def test_duplicate_email_is_refused(app, client, login_as, people):
    login_as("organizer")
    response = client.post(
        "/admin/users/new", data={"email": "JUDGE@example.vn", "full_name": "X", "role": "judge", "unit_id": "0"}
    )
    assert "E-mail judge@example.vn đã có tài khoản." in response.get_data(as_text=True)


def test_users_list_filters_and_searches_without_accents(client, app, login_as):
    with app.app_context():
        factories.make_user(Role.JUDGE, full_name="Nguyễn Thị Thu Hà", email="ha@example.vn")
        db.session.commit()
    login_as("organizer")
    page = client.get("/admin/users", query_string={"q": "nguyen thi"}).get_data(as_text=True)
    assert "Nguyễn Thị Thu Hà" in page
    page = client.get("/admin/users", query_string={"q": "nguyen thi", "role": "unit"}).get_data(as_text=True)
    assert "Nguyễn Thị Thu Hà" not in page
    assert "Không có tài khoản nào khớp." in page


def test_users_list_paginates(client, app, login_as):
    with app.app_context():
        for n in range(30):
            factories.make_user(Role.JUDGE, full_name=f"Giám khảo {n:02d}")
        db.session.commit()
    login_as("organizer")
    first = client.get("/admin/users").get_data(as_text=True)
    second = client.get("/admin/users", query_string={"page": 2}).get_data(as_text=True)
    assert "Trang 1 / 2" in first and "Trang 2 / 2" in second


def test_organizer_edits_and_disables_an_account(app, client, login_as, people):
    login_as("organizer")
    judge_id = people["ids"]["judge_user"]
    response = client.post(
        f"/admin/users/{judge_id}",
        data={
            "full_name": "Giám khảo Mới",
            "role": "judge",
            "unit_id": str(people["ids"]["unit_b"]),
            "email": "hacker@x.vn",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        judge = db.session.get(User, judge_id)
        assert judge.full_name == "Giám khảo Mới"
        assert judge.unit_id == people["ids"]["unit_b"]
        assert judge.email == "judge@example.vn"  # the sign-in name is not editable here
        assert judge.is_active is False  # the box was not ticked


def test_organizer_cannot_demote_themself(app, client, login_as, people):
    login_as("organizer")
    me = people["ids"]["organizer_user"]
    response = client.post(
        f"/admin/users/{me}", data={"full_name": "Tôi", "role": "judge", "unit_id": "0", "is_active": "y"}
    )
    assert "Bạn không thể tự bỏ quyền ban tổ chức" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, me).role is Role.ORGANIZER


def festival_form(**changes):
    data = {
        "edition": "3",
        "name": "Ngày hội Lao động sáng tạo ngành Dệt May lần thứ III",
        "venue": "Trường Đại học Công nghiệp Dệt May Hà Nội",
        "address": "Gia Lâm",
        "starts_on": "2022-06-15",
        "ends_on": "2022-06-16",
        "registration_opens_at": "2022-05-01T08:00",
        "registration_closes_at": "2022-06-10T17:00",
        "judging_opens_at": "2022-06-15T08:00",
        "judging_closes_at": "2022-06-16T12:00",
        "exhibit_quota": "8",
    }
    data.update(changes)
    return data


def test_festival_windows_are_checked_and_stored_in_utc(app, client, login_as, people):
    login_as("organizer")
    festival_id = people["ids"]["festival"]
    response = client.post(
        f"/admin/festivals/{festival_id}", data=festival_form(registration_closes_at="2022-04-01T08:00")
    )
    assert "Thời điểm đóng đăng ký phải sau thời điểm mở đăng ký." in response.get_data(as_text=True)

    assert client.post(f"/admin/festivals/{festival_id}", data=festival_form()).status_code == 302
    with app.app_context():
        festival = db.session.get(Festival, festival_id)
        assert festival.registration_opens_at.isoformat() == "2022-05-01T01:00:00+00:00"  # 08:00 in Hà Nội
    page = client.get(f"/admin/festivals/{festival_id}").get_data(as_text=True)
    assert 'value="2022-05-01T08:00"' in page


def test_new_festival_and_make_current(app, client, login_as, people):
    login_as("organizer")
    response = client.post("/admin/festivals/new", data=festival_form(edition="4", name="Lần thứ IV"))
    assert response.status_code == 302
    with app.app_context():
        fourth = db.session.execute(db.select(Festival).where(Festival.edition == 4)).scalar_one()
        assert fourth.is_current is False
        fourth_id = fourth.id
    client.post(f"/admin/festivals/{fourth_id}/current")
    with app.app_context():
        current = db.session.execute(db.select(Festival).where(Festival.is_current.is_(True))).scalars().all()
        assert [f.edition for f in current] == [4]
    assert "Lần thứ IV" in client.get("/").get_data(as_text=True)


def test_programme_lines_are_added_and_removed_after_confirmation(app, client, login_as, people):
    login_as("organizer")
    festival_id = people["ids"]["festival"]
    response = client.post(
        f"/admin/festivals/{festival_id}/programme",
        data={"starts_at": "2022-06-15T08:30", "ends_at": "2022-06-15T08:00", "title": "Khai mạc"},
    )
    assert "Giờ kết thúc phải sau giờ bắt đầu." in response.get_data(as_text=True)
    client.post(
        f"/admin/festivals/{festival_id}/programme",
        data={
            "starts_at": "2022-06-15T08:30",
            "ends_at": "2022-06-15T09:30",
            "title": "Khai mạc",
            "location": "Hội trường A",
        },
    )
    assert "Khai mạc" in client.get("/").get_data(as_text=True)
    with app.app_context():
        item_id = db.session.execute(db.select(ProgrammeItem.id)).scalar_one()
    assert "Xoá mục chương trình?" in client.get(f"/admin/programme/{item_id}/delete").get_data(as_text=True)
    assert count(app, ProgrammeItem) == 1
    client.post(f"/admin/programme/{item_id}/delete")
    assert count(app, ProgrammeItem) == 0


def test_audit_log_page_lists_changes(app, client, login_as):
    login_as("organizer")
    client.post(
        "/admin/units/new",
        data={"code": "NHABE", "name": "Tổng Công ty May Nhà Bè", "short_name": "Nhà Bè", "region": "hcmc"},
    )
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "unit.created" in page
    assert "Tổng Công ty May Nhà Bè" in page  # readable, not \\u-escaped
