"""Organizer pages: the inventory (and its XLSX) read from the declaration, retention settings, the purge page,
the breach register."""

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from festival.core.extensions import db
from festival.models import AuditLog, Breach, Festival, PurgeRun, RetentionSetting, utcnow
from festival.privacy import inventory, retention
from tests.conftest import make_app

FORMAT = "%Y-%m-%dT%H:%M"


def local(value):
    return value.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime(FORMAT)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_inventory_lists_every_declared_category_with_its_period(app, people, login_as):
    client = login_as("organizer")
    page = client.get("/admin/privacy/").get_data(as_text=True)
    for category in inventory.CATEGORIES:
        assert f'id="category-{category.key}"' in page
        assert category.what[0] in page
    assert "attendees: phone, email" in page
    assert "365 ngày sau ngày cuối của ngày hội" in page
    assert "Giữ cùng hồ sơ ngày hội" in page  # authors, accounts, the audit log
    assert count(app, RetentionSetting) == 0  # GET never writes


def test_inventory_xlsx_has_a_row_per_category(app, people, login_as):
    client = login_as("organizer")
    response = client.get("/admin/privacy/inventory.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    rows = [list(row) for row in load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)]
    assert len(rows) == len(inventory.CATEGORIES) + 1
    assert ["Người tham dự: điện thoại, e-mail", "attendees: phone, email"] == rows[2][:2]
    assert rows[2][5] == "365 ngày sau ngày cuối của ngày hội"


def test_retention_settings_shows_defaults_saves_and_refuses_out_of_bounds(app, people, login_as):
    client = login_as("organizer")
    page = client.get("/admin/privacy/retention").get_data(as_text=True)
    assert 'max="730" min="30" name="attendee_contact" required type="number" value="365"' in page
    assert 'name="votes" required type="number" value="90"' in page
    values = {c.key: str(c.default_days) for c in inventory.PURGED}
    too_long = client.post("/admin/privacy/retention", data={**values, "votes": "731"})
    assert too_long.status_code == 422
    assert "Từ 30 đến 730 ngày." in too_long.get_data(as_text=True)
    too_short = client.post("/admin/privacy/retention", data={**values, "attendee_contact": "5"})
    assert too_short.status_code == 422 and "Từ 30 đến 730 ngày." in too_short.get_data(as_text=True)
    assert count(app, RetentionSetting) == 0
    saved = client.post("/admin/privacy/retention", data={**values, "attendee_contact": "90"})
    assert saved.status_code == 302
    with app.app_context():
        rows = dict(db.session.execute(db.select(RetentionSetting.category, RetentionSetting.days)).all())
        assert rows["attendee_contact"] == 90 and len(rows) == len(inventory.PURGED)
        entry = db.session.execute(db.select(AuditLog).where(AuditLog.action == "privacy.retention")).scalar_one()
        assert entry.before["attendee_contact"] == 365 and entry.after["attendee_contact"] == 90
    assert "90 ngày sau ngày cuối" in client.get("/admin/privacy/").get_data(as_text=True)


def test_admin_maximum_is_a_setting(tmp_path):
    app = make_app(tmp_path, PERSONAL_DATA_MAX_RETENTION_DAYS=100)
    with app.app_context():
        assert retention.max_days() == 100


def test_purge_page_previews_without_writing_and_the_button_purges(app, world):
    client = app.test_client()
    client.post("/auth/login", data={"email": world["organizer"], "password": "correct-horse-42"})
    page = client.get("/admin/privacy/purge").get_data(as_text=True)
    assert 'id="due-attendee_contact"' in page and "Chưa chạy lần nào." in page
    assert count(app, PurgeRun) == 0
    response = client.post("/admin/privacy/purge")
    assert response.status_code == 302
    with app.app_context():
        run = db.session.execute(db.select(PurgeRun)).scalar_one()
        assert not run.dry_run and run.by.email == world["organizer"] and run.counts["attendee_contact"] == 3
        assert db.session.execute(db.select(AuditLog).where(AuditLog.action == "privacy.purge")).scalar_one()
    page = client.get("/admin/privacy/purge").get_data(as_text=True)
    assert "Xoá thật" in page and "Người tham dự: điện thoại, e-mail: 3" in page


def test_purge_and_retention_pages_are_for_the_edition_picked(app, world):
    client = app.test_client()
    client.post("/auth/login", data={"email": world["organizer"], "password": "correct-horse-42"})
    page = client.get("/admin/privacy/purge?edition=2").get_data(as_text=True)
    assert '<option value="2" selected>' in page and '<option value="1">' in page
    assert 'data-confirm="Xoá ngay dữ liệu quá hạn của' in page
    response = client.post("/admin/privacy/purge?edition=2")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/privacy/purge?edition=2")
    with app.app_context():
        run = db.session.execute(db.select(PurgeRun)).scalar_one()
        assert run.festival_id == world["recent"] and run.total == 0  # ended yesterday: nothing due yet
    retention_page = client.get("/admin/privacy/retention?edition=2").get_data(as_text=True)
    assert '<option value="2" selected>' in retention_page
    assert client.get("/admin/privacy/purge?edition=9").status_code == 404


def breach_form(**changes):
    found = utcnow() - timedelta(hours=80)
    data = {
        "what_happened": "Máy tính xách tay có danh sách đại biểu bị mất.",
        "found_at": local(found),
        "people_affected": "120",
        "people_description": "Đại biểu các đơn vị phía Bắc",
        "data_affected": "Họ tên, điện thoại",
        "actions_taken": "Đổi mật khẩu, báo công an",
        "authority_name": "Cục A05 – Bộ Công an",
        "authority_notified_at": "",
        "people_notified_at": "",
        "people_notice": "",
    }
    return {**data, **changes}


def test_breach_register_records_and_flags_overdue(app, people, login_as):
    client = login_as("organizer")
    assert "Chưa có sự cố nào được ghi." in client.get("/admin/privacy/breaches").get_data(as_text=True)
    assert client.post("/admin/privacy/breaches/new", data=breach_form()).status_code == 302
    page = client.get("/admin/privacy/breaches").get_data(as_text=True)
    assert "Máy tính xách tay" in page and "Quá hạn 72 giờ" in page
    with app.app_context():
        breach = db.session.execute(db.select(Breach)).scalar_one()
        assert breach.people_affected == 120 and breach.created_by.email == "organizer@example.vn"
        assert db.session.execute(db.select(AuditLog).where(AuditLog.action == "breach.create")).scalar_one()
        told = local(breach.found_at + timedelta(hours=30))
        breach_id = breach.id
    edit = client.get(f"/admin/privacy/breaches/{breach_id}").get_data(as_text=True)
    assert "Đã quá 72 giờ" in edit
    response = client.post(
        f"/admin/privacy/breaches/{breach_id}",
        data=breach_form(found_at=local_found(app, breach_id), authority_notified_at=told),
    )
    assert response.status_code == 302
    page = client.get("/admin/privacy/breaches").get_data(as_text=True)
    assert "Quá hạn 72 giờ" not in page and "Cục A05 – Bộ Công an," in page
    with app.app_context():
        assert db.session.execute(db.select(AuditLog).where(AuditLog.action == "breach.update")).scalar_one()


def local_found(app, breach_id):
    with app.app_context():
        return local(db.session.get(Breach, breach_id).found_at)


def test_a_recent_breach_shows_its_deadline_not_overdue(app, people, login_as):
    client = login_as("organizer")
    client.post("/admin/privacy/breaches/new", data=breach_form(found_at=local(utcnow() - timedelta(hours=2))))
    page = client.get("/admin/privacy/breaches").get_data(as_text=True)
    assert "Quá hạn 72 giờ" not in page and "Hạn: " in page


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"what_happened": ""}, "Trường này là bắt buộc."),
        ({"found_at": local(utcnow() + timedelta(days=2))}, "Thời điểm phát hiện không thể ở tương lai."),
        (
            {"authority_notified_at": local(utcnow() - timedelta(hours=100))},
            "Thời điểm thông báo cho cơ quan chức năng không thể trước khi phát hiện.",
        ),
        (
            {"authority_notified_at": local(utcnow() - timedelta(hours=1)), "authority_name": ""},
            "Hãy ghi cơ quan đã được thông báo.",
        ),
    ],
)
def test_breach_form_refuses_what_does_not_hold(app, people, login_as, changes, message):
    client = login_as("organizer")
    response = client.post("/admin/privacy/breaches/new", data=breach_form(**changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, Breach) == 0


def test_pages_are_for_organizers_only(app, people, login_as):
    client = login_as("unit_a")
    for path in ("/admin/privacy/", "/admin/privacy/retention", "/admin/privacy/purge", "/admin/privacy/breaches"):
        assert client.get(path).status_code == 403


def test_console_links_the_personal_data_pages(app, people, login_as):
    page = login_as("organizer").get("/admin/").get_data(as_text=True)
    assert 'href="/admin/privacy/"' in page
    with app.app_context():
        assert db.session.get(Festival, people["ids"]["festival"]) is not None


def test_inventory_in_english(app, people, login_as):
    client = login_as("organizer")
    client.post("/lang/en")
    page = client.get("/admin/privacy/").get_data(as_text=True)
    assert "Personal data inventory" in page
    assert "Attendees: phone, e-mail" in page and "Performing the festival (service)" in page
    assert "365 days after the festival&#39;s last day" in page
    form = client.get("/admin/privacy/retention").get_data(as_text=True)
    assert "Vote: the phone linked to a badge" in form
