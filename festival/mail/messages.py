"""The kinds of message, their default wording in Vietnamese and English, the organizers' edited
wording, and turning one into a subject, a plain-text body and its HTML twin.

Wording is filled with the safe `{placeholders}` certificates use too (festival.util.placeholders):
what organizers type is text, never template code or markup.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from festival.core.extensions import db
from festival.models import Festival, MailTemplate
from festival.util import placeholders
from festival.util.urls import public_url

LANGUAGES = ("vi", "en")
# Placeholders whose value is a secret link: kept as "{link}" in the outbox, filled only when sent.
SECRET_PLACEHOLDERS = frozenset({"link"})
# Kinds whose {link} opens something of the recipient's own (an account, a badge): made when sent.
SECRET_LINK_KINDS = frozenset({"invitation", "password_reset", "badge"})
# Placeholders holding an address: each must be written as a word of its own (placeholders.misplaced_links).
LINK_PLACEHOLDERS = frozenset({"link", "verify"})


# The default wording of each kind, one file per kind and language: the subject on the first line, a blank
# line, then the body (the file's last line break is not part of it). Organizers' edits are kept in
# MailTemplate rows and win over these (`wording`).
WORDING_DIR = Path(__file__).resolve().parent.parent.parent / "templates" / "mail" / "wording"


@dataclass(frozen=True)
class Kind:
    key: str
    label: object  # lazy string
    placeholders: tuple[str, ...]
    subject: dict[str, str]
    body: dict[str, str]


def default_wording(key: str, language: str) -> tuple[str, str]:
    """The subject and body of templates/mail/wording/<key>.<language>.txt."""
    text = (WORDING_DIR / f"{key}.{language}.txt").read_text(encoding="utf-8").removesuffix("\n")
    subject, blank, body = text.partition("\n\n")
    if not blank or "\n" in subject:
        raise ValueError(f"{key}.{language}.txt: the subject's line, a blank line, then the body")
    return subject, body


def _kind(key: str, label, names: tuple[str, ...]) -> Kind:
    texts = {language: default_wording(key, language) for language in LANGUAGES}
    return Kind(
        key,
        label,
        names,
        {language: subject for language, (subject, _body) in texts.items()},
        {language: body for language, (_subject, body) in texts.items()},
    )


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
    "round": _l("tên vòng chấm"),
    "award": _l("giải"),
    "serial": _l("số hiệu giấy chứng nhận"),
    "verify": _l("liên kết tra cứu giấy chứng nhận"),
}

KINDS = {
    kind.key: kind
    for kind in (
        _kind("invitation", _l("Lời mời tạo tài khoản"), ("name", "role", "unit", "festival", "link", "days")),
        _kind("password_reset", _l("Đặt lại mật khẩu"), ("name", "festival", "link", "minutes")),
        _kind("exhibit_received", _l("Đã nhận sáng kiến"), ("name", "unit", "exhibit", "festival", "link")),
        _kind(
            "exhibit_accepted",
            _l("Sáng kiến được duyệt"),
            ("name", "unit", "exhibit", "code", "booth", "festival", "link"),
        ),
        _kind(
            "exhibit_returned",
            _l("Sáng kiến được trả lại để sửa"),
            ("name", "unit", "exhibit", "comment", "festival", "link"),
        ),
        _kind(
            "exhibit_rejected",
            _l("Sáng kiến không được duyệt"),
            ("name", "unit", "exhibit", "reason", "festival", "link"),
        ),
        _kind(
            "registration_closing",
            _l("Sắp đóng đăng ký, còn bản nháp"),
            ("name", "unit", "festival", "closes_at", "drafts", "link"),
        ),
        _kind("judge_assignments", _l("Danh sách chấm của giám khảo"), ("name", "festival", "count", "list", "link")),
        _kind(
            "judge_assignments_changed",
            _l("Thay đổi danh sách chấm"),
            ("name", "festival", "count", "added", "removed", "list", "link"),
        ),
        _kind("judge_reminder", _l("Nhắc phiếu chấm chưa gửi"), ("name", "festival", "day", "count", "list", "link")),
        _kind(
            "finalists",
            _l("Kết quả chọn vào vòng chung khảo và lịch bảo vệ"),
            ("name", "unit", "round", "list", "festival", "link"),
        ),
        _kind("badge", _l("Thẻ dự ngày hội"), ("name", "festival", "role", "unit", "link")),
        _kind("certificate", _l("Giấy chứng nhận"), ("name", "exhibit", "award", "serial", "verify", "festival")),
        _kind(
            "initiative_reevaluation",
            _l("Nhắc đánh giá lại tiền làm lợi của sáng kiến"),
            ("name", "unit", "count", "list", "festival", "link"),
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
    return subject, placeholders.fill(text.body, values) + privacy_footer(language)


# Every message ends with where its reader learns how their personal data is processed (Law 91/2025/QH15).
PRIVACY_FOOTER = {
    "vi": "Thông báo về xử lý dữ liệu cá nhân: {url}",
    "en": "How your personal data is processed: {url}",
}


def privacy_footer(language: str) -> str:
    """The footer added under every message's body: the privacy notice's public address in `language`."""
    language = language if language in LANGUAGES else "vi"
    url = public_url("privacy.notice_in", language=language)
    return "\n\n--\n" + PRIVACY_FOOTER[language].format(url=url)


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
