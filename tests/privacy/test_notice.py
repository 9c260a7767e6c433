"""The privacy notice: its default text, organizers' versions with a preview, the public page in both languages,
and its link on every page, beside every form that collects personal data and in every e-mail."""

import re
from datetime import timedelta

import pytest

from festival.auth import services as accounts
from festival.badges import services as badges
from festival.core.extensions import db
from festival.models import (
    AuditLog,
    BadgeRole,
    Category,
    ExhibitStatus,
    Festival,
    MailMessage,
    PrivacyNotice,
    Role,
    Unit,
    User,
    VotePolicy,
    utcnow,
)
from tests import factories

NOTICE_LINK = re.compile(r'<a href="/privacy" class="privacy-notice-link">')


def notice_count(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(PrivacyNotice)).scalar_one()


def test_the_default_notice_is_public_complete_and_never_saved_by_reading_it(app, client, people):
    page = client.get("/privacy").get_data(as_text=True)
    assert "Nội dung mặc định" in page
    for text in (
        "Công đoàn Dệt May Việt Nam",  # the controller
        "Mục đích",
        "Loại dữ liệu",
        "Bên nhận dữ liệu",
        "Thời gian lưu",
        "Điều 4 Luật 91/2025/QH15",
        "Rút lại sự đồng ý".lower(),
        "Nhận bản sao dữ liệu",
        "Yêu cầu xoá, hạn chế xử lý dữ liệu",
        "Phản đối việc xử lý dữ liệu",
        "Cách thực hiện quyền",
    ):
        assert text.lower() in page.lower(), text
    english = client.get("/privacy/en").get_data(as_text=True)
    assert "Your rights (Article 4 of Law 91/2025/QH15)" in english and "To get a copy of your data" in english
    assert notice_count(app) == 0


def test_organizers_preview_then_publish_versions_shown_with_number_and_date(app, client, login_as, people):
    login_as("organizer")
    form = client.get("/admin/privacy/notice").get_data(as_text=True)
    assert "Công đoàn Dệt May Việt Nam" in form  # the default text to start from
    data = {"body_vi": "Thông báo riêng của ngày hội.", "body_en": "The festival's own notice.", "contact": "dpo@vn"}

    preview = client.post("/admin/privacy/notice", data={**data, "preview": "y"}).get_data(as_text=True)
    assert 'id="preview-vi"' in preview and "Thông báo riêng của ngày hội." in preview
    assert notice_count(app) == 0  # a preview publishes nothing

    assert client.post("/admin/privacy/notice", data={**data, "publish": "y"}).status_code == 302
    again = client.post("/admin/privacy/notice", data={**data, "publish": "y"})
    assert again.status_code == 422 and "không thay đổi" in again.get_data(as_text=True)
    client.post("/admin/privacy/notice", data={**data, "body_vi": "Bản sửa lần hai.", "publish": "y"})
    with app.app_context():
        rows = db.session.execute(db.select(PrivacyNotice).order_by(PrivacyNotice.version)).scalars().all()
        assert [(n.version, n.body_vi, n.published_by_id) for n in rows] == [
            (1, "Thông báo riêng của ngày hội.", people["ids"]["organizer_user"]),
            (2, "Bản sửa lần hai.", people["ids"]["organizer_user"]),
        ]
        today = rows[1].published_at
        audited = db.session.execute(
            db.select(AuditLog.action).where(AuditLog.action == "privacy.notice_published")
        ).all()
        assert len(audited) == 2
    client.post("/auth/logout")
    page = client.get("/privacy/vi").get_data(as_text=True)
    assert "Bản sửa lần hai." in page and "Phiên bản 2" in page and "Thông báo riêng" not in page
    assert today.astimezone().strftime("%Y") in page
    assert "The festival&#39;s own notice." in client.get("/privacy/en").get_data(as_text=True)
    assert "dpo@vn" in page


def test_only_organizers_edit_the_notice(client, login_as, people):
    login_as("unit_a")
    assert client.get("/admin/privacy/notice").status_code == 403


@pytest.mark.parametrize("path", ["/", "/gallery", "/results", "/auth/login"])
def test_every_page_footer_links_the_notice(client, people, path):
    page = client.get(path).get_data(as_text=True)
    footer = page[page.index("<footer") :]
    assert 'href="/privacy"' in footer


@pytest.fixture
def collecting(app, people):
    """The links of the pages that collect personal data, with who opens them."""
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        organizer = db.session.get(User, people["ids"]["organizer_user"])
        unit_a = db.session.get(Unit, people["ids"]["unit_a"])
        now = utcnow()
        _user, invitation = accounts.create_account("moi@example.vn", "Người mới", Role.JUDGE, None, now, by=organizer)
        role = db.session.execute(db.select(BadgeRole).where(BadgeRole.festival_id == festival.id)).scalars().first()
        delegate = badges.register_delegate(
            festival, unit_a, badges.AttendeeInput("Nguyễn Thị Hằng", role, phone="0912 345 678"), by=organizer
        )
        db.session.add(VotePolicy(festival=festival, is_enabled=True, voter_roles=[], unlock_reason=""))
        festival.registration_closes_at = now + timedelta(days=5)
        category = db.session.get(Category, people["ids"]["category"])
        draft = factories.make_exhibit(festival, unit_a, category, status=ExhibitStatus.DRAFT)
        db.session.commit()
        return [
            (None, "/auth/login"),
            (None, "/auth/forgot"),
            (None, f"/auth/invitation/{invitation}"),
            (None, f"/c/{delegate.badge_token}"),
            (None, "/vote/"),
            ("unit_a", "/auth/account"),
            ("unit_a", "/exhibits/new"),
            ("unit_a", f"/exhibits/{draft.id}/edit"),
            ("unit_a", "/attendees/mine"),
        ]


def test_every_page_that_collects_personal_data_links_the_notice_beside_its_form(client, login_as, collecting):
    for who, path in collecting:
        if who:
            login_as(who)
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert NOTICE_LINK.search(page), path
        if who:
            client.post("/auth/logout")


def test_every_e_mail_ends_with_the_public_address_of_the_notice(app, client, login_as, people):
    with app.app_context():
        user = factories.make_user(Role.UNIT, password=None, email="cuc@example.vn", full_name="Lê Thị Cúc")
        user.language = "en"
        db.session.commit()
        user_id = user.id
    login_as("organizer")
    client.post(f"/admin/mail/users/{user_id}/invite")
    with app.app_context():
        [message] = db.session.execute(db.select(MailMessage)).scalars().all()
        base = app.config["PUBLIC_BASE_URL"].rstrip("/")
        assert message.body_text.rstrip().endswith(f"How your personal data is processed: {base}/privacy/en")
        assert base.startswith("http")
