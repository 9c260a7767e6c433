"""Small builders for test data; each adds to the session and flushes, the test commits."""
import itertools
from datetime import date, timedelta

from werkzeug.security import generate_password_hash

from festival.extensions import db
from festival.models import Festival, Region, Role, Unit, User, utcnow

PASSWORD = "correct-horse-42"
_sequence = itertools.count(1)


def make_festival(edition=None, *, is_current=True, registration_open=True, judging_open=True, **values) -> Festival:
    now = utcnow()
    day = timedelta(days=1)
    festival = Festival(
        edition=edition or next(_sequence),
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
    db.session.flush()
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
