"""The kinds of message, their default wording in Vietnamese and English, the organizers' edited
wording, and turning one into a subject, a plain-text body and its HTML twin.

Wording is filled with the safe `{placeholders}` certificates use too (festival.util.placeholders):
what organizers type is text, never template code or markup.
"""

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from festival.extensions import db
from festival.models import Festival, MailTemplate
from festival.util import placeholders

LANGUAGES = ("vi", "en")
# Placeholders whose value is a secret link: kept as "{link}" in the outbox, filled only when sent.
SECRET_PLACEHOLDERS = frozenset({"link"})
# Kinds whose {link} opens something of the recipient's own (an account, a badge): made when sent.
SECRET_LINK_KINDS = frozenset({"invitation", "password_reset", "badge"})
# Placeholders holding an address: each must be written as a word of its own (placeholders.misplaced_links).
LINK_PLACEHOLDERS = frozenset({"link", "verify"})


@dataclass(frozen=True)
class Kind:
    key: str
    label: object  # lazy string
    placeholders: tuple[str, ...]
    subject: dict[str, str]
    body: dict[str, str]


PLACEHOLDER_HELP = {
    "name": _l("tên người nhận"),
    "festival": _l("tên ngày hội"),
    "role": _l("vai trò của tài khoản"),
    "unit": _l("tên đơn vị"),
    "link": _l("liên kết (chỉ tới địa chỉ của ngày hội)"),
    "days": _l("số ngày liên kết còn dùng được"),
    "minutes": _l("số phút liên kết còn dùng được"),
    "exhibit": _l("tên sáng kiến"),
    "code": _l("mã sáng kiến"),
    "booth": _l("gian trưng bày"),
    "comment": _l("nhận xét của ban tổ chức"),
    "reason": _l("lý do"),
    "closes_at": _l("thời điểm đóng đăng ký"),
    "drafts": _l("danh sách bản nháp chưa gửi"),
    "count": _l("số sáng kiến"),
    "list": _l("danh sách sáng kiến theo lộ trình"),
    "added": _l("sáng kiến được thêm"),
    "removed": _l("sáng kiến được bỏ"),
    "day": _l("ngày chấm"),
    "award": _l("giải"),
    "serial": _l("số hiệu giấy chứng nhận"),
    "verify": _l("liên kết tra cứu giấy chứng nhận"),
}

_SIGN_VI = "\n\nTrân trọng,\nBan tổ chức {festival}"
_SIGN_EN = "\n\nKind regards,\nThe organizers of {festival}"

KINDS = {
    kind.key: kind
    for kind in (
        Kind(
            "invitation",
            _l("Lời mời tạo tài khoản"),
            ("name", "role", "unit", "festival", "link", "days"),
            {
                "vi": "Mời tham gia {festival}: đặt mật khẩu tài khoản",
                "en": "Invitation to {festival}: set your password",
            },
            {
                "vi": "Kính gửi {name},\n\nBan tổ chức đã tạo cho anh/chị tài khoản {role} trên trang của {festival}."
                "\nHãy mở liên kết dưới đây để đặt mật khẩu (liên kết dùng một lần, trong {days} ngày):\n\n{link}"
                + _SIGN_VI,
                "en": "Dear {name},\n\nThe organizers have created a {role} account for you on the site of {festival}."
                "\nOpen the link below to set your password (it works once, for {days} days):\n\n{link}" + _SIGN_EN,
            },
        ),
        Kind(
            "password_reset",
            _l("Đặt lại mật khẩu"),
            ("name", "festival", "link", "minutes"),
            {"vi": "Đặt lại mật khẩu – {festival}", "en": "Reset your password – {festival}"},
            {
                "vi": "Kính gửi {name},\n\nCó người (có thể là anh/chị) đã yêu cầu đặt lại mật khẩu. Hãy mở liên kết "
                "dưới đây để đặt mật khẩu mới (dùng một lần, trong {minutes} phút):\n\n{link}\n\nNếu anh/chị không "
                "yêu cầu, hãy bỏ qua thư này: mật khẩu hiện tại vẫn giữ nguyên." + _SIGN_VI,
                "en": "Dear {name},\n\nSomeone (perhaps you) asked to reset your password. Open the link below to "
                "choose a new one (it works once, for {minutes} minutes):\n\n{link}\n\nIf you did not ask, ignore "
                "this message: your password stays as it is." + _SIGN_EN,
            },
        ),
        Kind(
            "exhibit_received",
            _l("Đã nhận sáng kiến"),
            ("name", "unit", "exhibit", "festival", "link"),
            {"vi": "Đã nhận sáng kiến “{exhibit}”", "en": "Exhibit received: “{exhibit}”"},
            {
                "vi": "Kính gửi {name},\n\nBan tổ chức đã nhận sáng kiến “{exhibit}” của {unit} và sẽ xem xét "
                "trong thời gian sớm nhất.\n\nXem sáng kiến: {link}" + _SIGN_VI,
                "en": "Dear {name},\n\nThe organizers have received the exhibit “{exhibit}” of {unit} and will "
                "review it soon.\n\nSee the exhibit: {link}" + _SIGN_EN,
            },
        ),
        Kind(
            "exhibit_accepted",
            _l("Sáng kiến được duyệt"),
            ("name", "unit", "exhibit", "code", "booth", "festival", "link"),
            {"vi": "Sáng kiến “{exhibit}” đã được duyệt ({code})", "en": "Exhibit accepted: “{exhibit}” ({code})"},
            {
                "vi": "Kính gửi {name},\n\nSáng kiến “{exhibit}” của {unit} đã được duyệt.\nMã sáng kiến: {code}\n"
                "Gian trưng bày: {booth}\n\nXem sáng kiến: {link}" + _SIGN_VI,
                "en": "Dear {name},\n\nThe exhibit “{exhibit}” of {unit} has been accepted.\nExhibit code: {code}\n"
                "Booth: {booth}\n\nSee the exhibit: {link}" + _SIGN_EN,
            },
        ),
        Kind(
            "exhibit_returned",
            _l("Sáng kiến được trả lại để sửa"),
            ("name", "unit", "exhibit", "comment", "festival", "link"),
            {"vi": "Sáng kiến “{exhibit}” cần sửa", "en": "Exhibit returned for changes: “{exhibit}”"},
            {
                "vi": "Kính gửi {name},\n\nBan tổ chức trả lại sáng kiến “{exhibit}” của {unit} để sửa:\n\n"
                "{comment}\n\nSửa và gửi lại tại: {link}" + _SIGN_VI,
                "en": "Dear {name},\n\nThe organizers returned the exhibit “{exhibit}” of {unit} for changes:\n\n"
                "{comment}\n\nChange it and submit it again at: {link}" + _SIGN_EN,
            },
        ),
        Kind(
            "exhibit_rejected",
            _l("Sáng kiến không được duyệt"),
            ("name", "unit", "exhibit", "reason", "festival", "link"),
            {"vi": "Sáng kiến “{exhibit}” không được duyệt", "en": "Exhibit not accepted: “{exhibit}”"},
            {
                "vi": "Kính gửi {name},\n\nRất tiếc, sáng kiến “{exhibit}” của {unit} không được duyệt.\nLý do: "
                "{reason}\n\nXem sáng kiến: {link}" + _SIGN_VI,
                "en": "Dear {name},\n\nWe are sorry: the exhibit “{exhibit}” of {unit} was not accepted.\nReason: "
                "{reason}\n\nSee the exhibit: {link}" + _SIGN_EN,
            },
        ),
        Kind(
            "registration_closing",
            _l("Sắp đóng đăng ký, còn bản nháp"),
            ("name", "unit", "festival", "closes_at", "drafts", "link"),
            {"vi": "Còn 3 ngày: sáng kiến chưa gửi – {festival}", "en": "3 days left: exhibits not submitted"},
            {
                "vi": "Kính gửi {name},\n\nĐăng ký sáng kiến đóng lúc {closes_at}. {unit} còn bản nháp chưa gửi:\n\n"
                "{drafts}\n\nHãy hoàn thiện và gửi tại: {link}" + _SIGN_VI,
                "en": "Dear {name},\n\nRegistration closes at {closes_at}. {unit} still has drafts not submitted:"
                "\n\n{drafts}\n\nComplete and submit them at: {link}" + _SIGN_EN,
            },
        ),
        Kind(
            "judge_assignments",
            _l("Danh sách chấm của giám khảo"),
            ("name", "festival", "count", "list", "link"),
            {"vi": "Danh sách {count} sáng kiến anh/chị chấm – {festival}", "en": "Your {count} exhibits to judge"},
            {
                "vi": "Kính gửi {name},\n\nAnh/chị được phân công chấm {count} sáng kiến, theo lộ trình đi trong "
                "hội trường:\n\n{list}\n\nPhiếu chấm: {link}" + _SIGN_VI,
                "en": "Dear {name},\n\nYou have been assigned {count} exhibits, in the order of your walk through "
                "the hall:\n\n{list}\n\nYour score sheets: {link}" + _SIGN_EN,
            },
        ),
        Kind(
            "judge_assignments_changed",
            _l("Thay đổi danh sách chấm"),
            ("name", "festival", "count", "added", "removed", "list", "link"),
            {"vi": "Danh sách chấm của anh/chị đã thay đổi – {festival}", "en": "Your judging list has changed"},
            {
                "vi": "Kính gửi {name},\n\nDanh sách chấm của anh/chị đã thay đổi.\n\nThêm:\n{added}\n\nBỏ:\n"
                "{removed}\n\nDanh sách mới ({count} sáng kiến):\n\n{list}\n\nPhiếu chấm: {link}" + _SIGN_VI,
                "en": "Dear {name},\n\nYour judging list has changed.\n\nAdded:\n{added}\n\nRemoved:\n{removed}"
                "\n\nThe new list ({count} exhibits):\n\n{list}\n\nYour score sheets: {link}" + _SIGN_EN,
            },
        ),
        Kind(
            "judge_reminder",
            _l("Nhắc phiếu chấm chưa gửi"),
            ("name", "festival", "day", "count", "list", "link"),
            {"vi": "Còn {count} phiếu chấm chưa gửi – {day}", "en": "{count} score sheets not submitted – {day}"},
            {
                "vi": "Kính gửi {name},\n\nKết thúc ngày chấm {day}, anh/chị còn {count} phiếu chưa gửi:\n\n{list}"
                "\n\nPhiếu chấm: {link}" + _SIGN_VI,
                "en": "Dear {name},\n\nAt the end of judging on {day} you have {count} sheets not submitted:\n\n"
                "{list}\n\nYour score sheets: {link}" + _SIGN_EN,
            },
        ),
        Kind(
            "badge",
            _l("Thẻ dự ngày hội"),
            ("name", "festival", "role", "unit", "link"),
            {"vi": "Thẻ dự {festival}", "en": "Your badge for {festival}"},
            {
                "vi": "Kính gửi {name},\n\nThẻ dự ngày hội của anh/chị ({role}) được gửi kèm thư này (PDF). Hãy in "
                "ra hoặc mở trên điện thoại ở cổng đón tiếp.\n\nThẻ trên điện thoại: {link}" + _SIGN_VI,
                "en": "Dear {name},\n\nYour badge ({role}) is attached as a PDF. Print it or show it on your phone "
                "at the gate.\n\nYour badge on a phone: {link}" + _SIGN_EN,
            },
        ),
        Kind(
            "certificate",
            _l("Giấy chứng nhận"),
            ("name", "exhibit", "award", "serial", "verify", "festival"),
            {"vi": "Giấy chứng nhận {serial} – {festival}", "en": "Certificate {serial} – {festival}"},
            {
                "vi": "Kính gửi {name},\n\nBan tổ chức gửi kèm giấy chứng nhận {serial} ({award}) cho sáng kiến "
                "“{exhibit}” (PDF).\n\nTra cứu giấy chứng nhận: {verify}" + _SIGN_VI,
                "en": "Dear {name},\n\nPlease find attached certificate {serial} ({award}) for the exhibit "
                "“{exhibit}” (PDF).\n\nVerify it at: {verify}" + _SIGN_EN,
            },
        ),
    )
}


@dataclass
class Wording:
    subject: str
    body: str
    is_default: bool


def saved_template(festival: Festival, kind: str, language: str) -> MailTemplate | None:
    return db.session.execute(
        db.select(MailTemplate).where(
            MailTemplate.festival_id == festival.id, MailTemplate.kind == kind, MailTemplate.language == language
        )
    ).scalar_one_or_none()


def wording(festival: Festival | None, kind: str, language: str) -> Wording:
    """The festival's wording of a kind in a language: the organizers' if saved, else the default."""
    language = language if language in LANGUAGES else "vi"
    saved = saved_template(festival, kind, language) if festival is not None else None
    if saved is not None:
        return Wording(saved.subject, saved.body, False)
    return Wording(KINDS[kind].subject[language], KINDS[kind].body[language], True)


def unknown_placeholders(kind: str, text: str) -> list[str]:
    """Placeholders in `text` that this kind of message does not know (a misspelling)."""
    return placeholders.unknown_placeholders(text, KINDS[kind].placeholders)


def misplaced_links(text: str) -> list[str]:
    """The words of `text` in which a link placeholder is glued to something else (another address,
    markup, other characters): a link must stand alone, between spaces or sentence punctuation."""
    return placeholders.misplaced_links(text, LINK_PLACEHOLDERS)


def one_line(text: str) -> str:
    """Header text on one line: line breaks and control characters become spaces (no header injection)."""
    return " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())


def compose(festival: Festival | None, kind: str, language: str, values: dict) -> tuple[str, str]:
    """The subject and plain-text body of a message. A secret link is not among `values`: its
    placeholder stays as `{link}` until the message is sent (with_secrets)."""
    text = wording(festival, kind, language)
    subject = one_line(placeholders.fill(text.subject, values))[:300]
    return subject, placeholders.fill(text.body, values)


def with_secrets(body: str, secrets: dict | None) -> str:
    """The body as sent: the secret placeholders filled (only those; the rest was filled before)."""
    if not secrets:
        return body
    return placeholders.fill(body, {k: v for k, v in secrets.items() if k in SECRET_PLACEHOLDERS})


def html_paragraphs(body: str) -> Markup:
    """The plain text escaped, paragraphs kept, and addresses on this festival's own site
    (PUBLIC_BASE_URL) made links — no other link, no image, no tracking."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    link = re.compile(re.escape(base) + r"(?:/[^\s<>\"']*)?")
    paragraphs = []
    for block in re.split(r"\n\s*\n", body.strip()):
        escaped = str(escape(block))
        linked = link.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return Markup("\n".join(paragraphs))


def to_html(body: str) -> str:
    """The HTML part of a message: its paragraphs in a plain page of their own."""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>'
        '<body style="font-family: Arial, sans-serif; font-size: 15px; line-height: 1.5; color: #1f2933">\n'
        + str(html_paragraphs(body))
        + "\n</body></html>\n"
    )
