"""Small builders for test data; each adds to the session and flushes, the test commits."""

import io
import itertools
import unicodedata
from datetime import date, timedelta

from PIL import Image
from pypdf import PdfWriter
from werkzeug.security import generate_password_hash

from festival.core.extensions import db
from festival.core.festivals import add_defaults
from festival.models import (
    ApplicationScope,
    Author,
    Category,
    Exhibit,
    ExhibitStatus,
    Festival,
    Region,
    Role,
    Unit,
    User,
    utcnow,
)
from festival.privacy import consent as consents

PASSWORD = "correct-horse-42"
_sequence = itertools.count(1)


def make_festival(edition=None, *, is_current=True, registration_open=True, judging_open=True, **values) -> Festival:
    now = utcnow()
    day = timedelta(days=1)
    festival = Festival(
        edition=edition or next(_sequence) % 900 + 100,  # 100..999: the tests type small editions themselves
        name=values.pop("name", "Ngày hội Lao động sáng tạo ngành Dệt May lần thứ III"),
        venue=values.pop("venue", "Trường Đại học Công nghiệp Dệt May Hà Nội"),
        address=values.pop("address", "Lệ Chi, Gia Lâm, Hà Nội"),
        starts_on=values.pop("starts_on", date.today()),
        ends_on=values.pop("ends_on", date.today() + day),
        registration_opens_at=now - 10 * day if registration_open else now + 5 * day,
        registration_closes_at=now + 10 * day if registration_open else now + 6 * day,
        judging_opens_at=now - day if judging_open else now + 5 * day,
        judging_closes_at=now + 10 * day if judging_open else now + 6 * day,
        is_current=is_current,
        **values,
    )
    db.session.add(festival)
    add_defaults(festival)
    return festival


def make_unit(code=None, *, region=Region.HANOI, name=None, short_name=None) -> Unit:
    code = code or f"UNIT{next(_sequence)}"
    unit = Unit(code=code, name=name or f"Tổng Công ty {code}", short_name=short_name or code, region=region)
    db.session.add(unit)
    db.session.flush()
    return unit


def make_user(role=Role.ORGANIZER, *, unit=None, email=None, full_name=None, password=PASSWORD, is_active=True) -> User:
    n = next(_sequence)
    user = User(
        email=email or f"{role.value}{n}@example.vn",
        full_name=full_name or f"Người dùng {n}",
        role=role,
        unit=unit,
        is_active=is_active,
        password_hash=generate_password_hash(password, method="pbkdf2:sha256:1000") if password else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_category(
    festival, code="KT", name_vi="Cải tiến kỹ thuật, thiết bị", name_en="Technical improvements"
) -> Category:
    category = Category(festival=festival, code=code, name_vi=name_vi, name_en=name_en)
    db.session.add(category)
    db.session.flush()
    return category


def make_exhibit(
    festival,
    unit,
    category,
    *,
    status=ExhibitStatus.SUBMITTED,
    title=None,
    authors=("Nguyễn Văn An",),
    benefit_vnd=150_000_000,
    **values,
) -> Exhibit:
    exhibit = Exhibit(
        festival=festival,
        unit=unit,
        category=category,
        status=status,
        title=title or f"Sáng kiến số {next(_sequence)}",
        summary=values.pop("summary", "Tóm tắt sáng kiến."),
        benefit_vnd=benefit_vnd,
        applied_since=values.pop("applied_since", 2022),
        scope=values.pop("scope", ApplicationScope.OWN_UNIT),
        authors=[Author(position=i, full_name=name) for i, name in enumerate(authors)],
        **values,
    )
    db.session.add(exhibit)
    db.session.flush()
    return exhibit


def consent_to_gallery(exhibit) -> None:
    """Every author of `exhibit` consents (on paper) to their name and photo in the public gallery."""
    for author in exhibit.authors:
        consents.give_author_consent(author, how="paper", by=None, now=utcnow())


def jpeg_bytes(width=64, height=48, colour="red", gps=False) -> bytes:
    """A real JPEG, optionally carrying EXIF GPS coordinates and a camera name."""
    image = Image.new("RGB", (width, height), colour)
    exif = Image.Exif()
    if gps:
        location = exif.get_ifd(0x8825)
        location.update({1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 50.0, 0.0)})
        exif[0x010F] = "SecretCam"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def png_bytes(width=32, height=32) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 128, 0, 128)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def cp1258(text: str) -> bytes:
    """Text as Excel's plain "CSV" writes it on a Vietnamese Windows: tone marks as combining characters."""
    encoded = b""
    for char in text:
        try:
            encoded += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            encoded += (unicodedata.normalize("NFC", parts[:-1]) + parts[-1]).encode("cp1258")
    return encoded
