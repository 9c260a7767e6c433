"""The festival's privacy notice: its default text, its published versions and publishing a new one."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from festival.core import audit
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.models import Festival, PrivacyNotice, User
from festival.util import placeholders

CONTROLLER = "Công đoàn Dệt May Việt Nam"
DEFAULT_CONTACT = "Ban tổ chức Ngày hội, Công đoàn Dệt May Việt Nam"

# The default notice, before organizers publish their own: {festival}, {controller} and {contact} are filled in.
DEFAULT_BODY = {
    "vi": """Thông báo này cho biết {controller} (bên kiểm soát dữ liệu) xử lý dữ liệu cá nhân của anh/chị thế nào \
trong {festival}, theo Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 và Nghị định 356/2025/NĐ-CP.

1. Bên kiểm soát dữ liệu
{controller}, đơn vị tổ chức ngày hội. Liên hệ về dữ liệu cá nhân: {contact}.

2. Mục đích
- Phục vụ ngày hội (không cần sự đồng ý riêng, vì đây là dịch vụ anh/chị hoặc đơn vị của anh/chị đăng ký): \
đăng ký sáng kiến và tác giả, chấm điểm, làm thẻ dự và đón tiếp ở cổng, cấp giấy chứng nhận, gửi thư phục vụ \
(lời mời, thẻ, kết quả), bảo đảm an toàn tài khoản.
- Chỉ khi anh/chị đồng ý (hỏi riêng, không đánh dấu sẵn, rút lại được bất cứ lúc nào): hiển thị tên và ảnh tác giả \
trong thư viện công khai và áp phích gian trưng bày; liên kết điện thoại với thẻ để bình chọn; thư không phải thư \
phục vụ.

3. Loại dữ liệu
Họ tên, đơn vị, chức danh, phòng ban; số điện thoại và địa chỉ thư điện tử; ảnh và tài liệu trong hồ sơ sáng kiến; \
điểm chấm và nhận xét; giờ qua cổng; điện thoại liên kết với thẻ và phiếu bình chọn; địa chỉ mạng khi đăng nhập; \
các thư đã gửi.

4. Bên nhận dữ liệu
Ban tổ chức, hội đồng giám khảo (hồ sơ sáng kiến), đơn vị của anh/chị (dữ liệu của đơn vị mình), nhà cung cấp \
dịch vụ gửi thư và lưu trữ theo hợp đồng. Khách tham quan chỉ thấy những gì được công khai trong thư viện.

5. Thời gian lưu
Dữ liệu được lưu trong thời gian cần cho ngày hội và theo thời hạn ban tổ chức công bố cho từng loại; hết hạn thì \
được xoá hoặc ẩn danh. Kết quả, điểm và giấy chứng nhận đã cấp được giữ làm hồ sơ của ngày hội.

6. Quyền của anh/chị (Điều 4 Luật 91/2025/QH15)
- Được biết về việc xử lý dữ liệu của mình;
- Đồng ý, không đồng ý, rút lại sự đồng ý;
- Xem và yêu cầu chỉnh sửa dữ liệu;
- Nhận bản sao dữ liệu;
- Yêu cầu xoá, hạn chế xử lý dữ liệu;
- Phản đối việc xử lý dữ liệu.

7. Cách thực hiện quyền
Gửi yêu cầu tới {contact}, hoặc qua đơn vị của anh/chị. Ban tổ chức xác nhận đã nhận trong 2 ngày làm việc và \
thực hiện việc rút lại đồng ý, hạn chế hoặc phản đối trong 15 ngày. Rút lại đồng ý có hiệu lực ngay với các \
trang công khai.""",
    "en": """This notice explains how {controller} (the controller) processes your personal data at {festival}, \
under the Personal Data Protection Law No. 91/2025/QH15 and Decree 356/2025/ND-CP.

1. Controller
{controller}, the festival's organizer. Contact about personal data: {contact}.

2. Purposes
- Running the festival (no separate consent: it is the service you or your unit signed up for): registering \
exhibits and authors, judging, badges and gate check-in, certificates, service e-mails (invitations, badges, \
results), account security.
- Only with your consent (asked separately, never pre-ticked, withdrawable at any time): an author's name and photo \
in the public gallery and on booth posters; linking a phone to a badge for the visitors' vote; e-mails that are \
not service messages.

3. Categories of data
Name, unit, job title, department; phone number and e-mail address; photos and documents of exhibits; scores and \
comments; gate arrival times; the phone linked to a badge and votes; network addresses at sign-in; e-mails sent.

4. Recipients
The organizers, the judges (exhibit dossiers), your unit (its own data), the e-mail and storage providers under \
contract. Visitors see only what the public gallery shows.

5. Retention
Data is kept as long as the festival needs it and for the periods the organizers publish for each kind; then it is \
deleted or anonymised. Results, scores and issued certificates are kept as the festival's record.

6. Your rights (Article 4 of Law 91/2025/QH15)
- To know about the processing of your data;
- To consent, refuse, or withdraw consent;
- To see your data and have it corrected;
- To get a copy of your data;
- To have it deleted or its processing restricted;
- To object to the processing.

7. How to use them
Write to {contact}, or through your unit. The organizers acknowledge a request within 2 working days and complete \
a withdrawal, restriction or objection within 15 days. A withdrawal of consent takes effect on the public pages at \
once.""",
}


@dataclass(frozen=True)
class Notice:
    """The notice as shown: a published version, or the default text (version 0, never saved)."""

    version: int
    published_at: datetime | None
    body_vi: str
    body_en: str
    contact: str

    @property
    def is_default(self) -> bool:
        return self.version == 0

    def body(self, language: str = "vi") -> str:
        return (self.body_en if language == "en" else "") or self.body_vi


def default_contact() -> str:
    """The contact the default notice names: the PRIVACY_CONTACT setting, else the organizers."""
    return current_app.config.get("PRIVACY_CONTACT") or DEFAULT_CONTACT


def default_body(festival: Festival | None, language: str, contact: str | None = None) -> str:
    """The default notice in `language` ("vi" or "en") for this festival, filled in."""
    values = {
        "festival": festival.name if festival is not None else "Ngày hội Lao động sáng tạo",
        "controller": CONTROLLER,
        "contact": contact or default_contact(),
    }
    return placeholders.fill(DEFAULT_BODY["en" if language == "en" else "vi"], values)


def latest(festival: Festival | None) -> PrivacyNotice | None:
    """The festival's newest published version, or None."""
    if festival is None:
        return None
    return db.session.execute(
        db.select(PrivacyNotice)
        .where(PrivacyNotice.festival_id == festival.id)
        .order_by(PrivacyNotice.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def versions(festival: Festival) -> list[PrivacyNotice]:
    """Every published version, newest first."""
    return list(
        db.session.execute(
            db.select(PrivacyNotice)
            .where(PrivacyNotice.festival_id == festival.id)
            .order_by(PrivacyNotice.version.desc())
        ).scalars()
    )


def current_notice(festival: Festival | None) -> Notice:
    """The notice people see now: the newest published version, or the default text (nothing is written)."""
    saved = latest(festival)
    if saved is not None:
        return Notice(saved.version, saved.published_at, saved.body_vi, saved.body_en, saved.contact)
    contact = default_contact()
    return Notice(0, None, default_body(festival, "vi", contact), default_body(festival, "en", contact), contact)


def current_version(festival: Festival | None) -> int:
    """The number of the notice a consent given now is given under (0: the default text)."""
    return current_notice(festival).version


def publish_notice(
    festival: Festival, *, body_vi: str, body_en: str, contact: str, by: User | None, now: datetime
) -> PrivacyNotice:
    """Publish an edited notice as the festival's next version.

    :raise FestivalError: the Vietnamese text is empty, or nothing changed since the current version.
    """
    body_vi, body_en, contact = body_vi.strip(), body_en.strip(), contact.strip()
    if not body_vi:
        raise FestivalError(_l("Thông báo cần có nội dung tiếng Việt."))
    current = current_notice(festival)
    if (current.body_vi, current.body_en, current.contact) == (body_vi, body_en, contact) and not current.is_default:
        raise FestivalError(_l("Nội dung không thay đổi so với phiên bản %(n)d.", n=current.version))
    notice = PrivacyNotice(
        festival=festival,
        version=current.version + 1,
        body_vi=body_vi,
        body_en=body_en,
        contact=contact,
        published_at=now,
        published_by=by,
    )
    db.session.add(notice)
    db.session.flush()
    audit.record("privacy.notice_published", notice, by=by, after={"version": notice.version})
    return notice
