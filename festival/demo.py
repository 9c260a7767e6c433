"""The demo festival: the 3rd Creative Labour Festival of the textile and garment sector.

Loads units, accounts, the edition, its categories and exhibits from the CSV files in
festival/demo_data/. Every step looks for what already exists first, so loading twice changes
nothing the second time.
"""
import csv
from datetime import date, datetime, time, timedelta
from pathlib import Path

from festival.admin import services as festivals
from festival.auth import services as accounts
from festival.exhibits import services as exhibits
from festival.exhibits.sheets import parse_authors
from festival.extensions import db
from festival.formatting import festival_timezone
from festival.models import ApplicationScope, Exhibit, ExhibitStatus, Festival, ProgrammeItem, Role, Unit, User

DATA_DIR = Path(__file__).resolve().parent / "demo_data"
DEMO_EDITION = 3
DEMO_PASSWORD = "demo1234"
ORGANIZER_EMAIL = "btc@festival.example.vn"
CHECKIN_EMAIL = "checkin@festival.example.vn"

PROGRAMME = [
    # (day offset, start, end, title, location)
    (0, "07:30", "08:30", "Đón tiếp đại biểu, nhận thẻ", "Sảnh chính"),
    (0, "08:30", "09:30", "Khai mạc Ngày hội Lao động sáng tạo", "Hội trường A"),
    (0, "09:30", "16:30", "Tham quan gian trưng bày; Hội đồng giám khảo chấm tại gian", "Nhà thi đấu đa năng"),
    (0, "14:00", "16:00", "Hội thảo: Nhân rộng sáng kiến trong toàn ngành", "Hội trường B"),
    (1, "08:00", "11:30", "Chấm giải (tiếp) và giao lưu tác giả", "Nhà thi đấu đa năng"),
    (1, "15:00", "17:00", "Tổng kết, công bố kết quả và trao giải", "Hội trường A"),
]


def read_rows(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _at(day: date, clock: str) -> datetime:
    hours, minutes = map(int, clock.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=festival_timezone())


def is_database_empty() -> bool:
    return db.session.execute(db.select(Festival.id).limit(1)).first() is None and (
        db.session.execute(db.select(User.id).limit(1)).first() is None
    )


def load_demo(today: date) -> dict:
    """Load (or complete) the demo festival with its windows open around `today`.

    Returns how many records of each kind were added.
    """
    added = {"festival": 0, "units": 0, "users": 0, "exhibits": 0}
    festival = db.session.execute(db.select(Festival).where(Festival.edition == DEMO_EDITION)).scalar_one_or_none()
    if festival is None:
        festival = _create_festival(today)
        added["festival"] = 1
    added["units"] = _load_units()
    added["users"] = _load_accounts()
    db.session.flush()
    _load_categories(festival)
    added["exhibits"] = _load_exhibits(festival)
    return added


def _create_festival(today: date) -> Festival:
    festival = festivals.create_festival(
        {
            "edition": DEMO_EDITION,
            "name": "Ngày hội Lao động sáng tạo ngành Dệt May lần thứ III",
            "venue": "Trường Đại học Công nghiệp Dệt May Hà Nội",
            "address": "Lệ Chi, Gia Lâm, Hà Nội",
            "starts_on": today,
            "ends_on": today + timedelta(days=1),
            "registration_opens_at": _at(today - timedelta(days=30), "08:00"),
            "registration_closes_at": _at(today + timedelta(days=14), "17:00"),
            "judging_opens_at": _at(today - timedelta(days=1), "08:00"),
            "judging_closes_at": _at(today + timedelta(days=14), "17:00"),
        },
        by=None,
    )
    for offset, start, end, title, location in PROGRAMME:
        day = today + timedelta(days=offset)
        db.session.add(ProgrammeItem(festival=festival, starts_at=_at(day, start), ends_at=_at(day, end), title=title, location=location))
    return festival


def _load_units() -> int:
    existing = {code for (code,) in db.session.execute(db.select(Unit.code))}
    added = 0
    for row in read_rows("units.csv"):
        if row["code"] in existing:
            continue
        festivals.create_unit(row["code"], row["name"], row["short_name"], festivals.region_from_text(row["region"]), by=None)
        added += 1
    return added


def demo_accounts() -> list[tuple[str, str, Role, str | None]]:
    """(email, full name, role, unit code) of every demo account."""
    people = [
        (ORGANIZER_EMAIL, "Ban Tổ chức Ngày hội", Role.ORGANIZER, None),
        (CHECKIN_EMAIL, "Nhân viên Đón tiếp", Role.CHECKIN, None),
    ]
    for row in read_rows("units.csv"):
        people.append((f"{row['code'].lower()}@donvi.example.vn", f"Công đoàn {row['short_name']}", Role.UNIT, row["code"]))
    for row in read_rows("judges.csv"):
        people.append((row["email"], row["full_name"], Role.JUDGE, row["unit_code"] or None))
    return people


def _load_accounts() -> int:
    units = {unit.code: unit for unit in db.session.execute(db.select(Unit)).scalars()}
    added = 0
    for email, full_name, role, unit_code in demo_accounts():
        if accounts.find_user_by_email(email) is not None:
            continue
        user = User(email=email, full_name=full_name, role=role, unit=units.get(unit_code) if unit_code else None)
        accounts.set_password(user, DEMO_PASSWORD)
        db.session.add(user)
        added += 1
    return added


def _load_categories(festival: Festival) -> None:
    for row in read_rows("categories.csv"):
        if exhibits.category_by_code(festival, row["code"]) is None:
            exhibits.save_category(festival, None, row["code"], row["name_vi"], row["name_en"], by=None)


# Every review state shows in the demo: most exhibits accepted, a few in each other state.
DEMO_STATES = {3: ExhibitStatus.SUBMITTED, 11: ExhibitStatus.RETURNED, 17: ExhibitStatus.SUBMITTED, 23: ExhibitStatus.RETURNED,
               29: ExhibitStatus.SUBMITTED, 37: ExhibitStatus.DRAFT, 41: ExhibitStatus.REJECTED, 47: ExhibitStatus.WITHDRAWN,
               53: ExhibitStatus.SUBMITTED, 58: ExhibitStatus.DRAFT}
RETURN_COMMENT = "Đề nghị bổ sung số liệu tính giá trị làm lợi và ảnh chụp thiết bị tại chuyền."
REJECT_REASON = "Giải pháp trùng với sáng kiến đã được công nhận ở kỳ trước."
SCOPES = [ApplicationScope.OWN_UNIT, ApplicationScope.OWN_UNIT, ApplicationScope.SEVERAL_UNITS, ApplicationScope.WHOLE_SECTOR]


def _load_exhibits(festival: Festival) -> int:
    organizer = accounts.find_user_by_email(ORGANIZER_EMAIL)
    known = set(db.session.execute(db.select(Exhibit.ref).where(Exhibit.festival_id == festival.id)).scalars())
    units = {unit.code: unit for unit in db.session.execute(db.select(Unit)).scalars()}
    added = 0
    for index, row in enumerate(read_rows("exhibits.csv")):
        if row["ref"] in known:
            continue
        unit = units[row["unit_code"]]
        authors = parse_authors(row["authors"])
        state = DEMO_STATES.get(index, ExhibitStatus.ACCEPTED)
        data = exhibits.ExhibitInput(
            title=row["title"],
            category=exhibits.category_by_code(festival, row["category_code"]),
            authors=authors,
            summary=f"Giải pháp của {', '.join(a.full_name for a in authors)} ({unit.short_name}), "
            f"áp dụng từ năm {row['applied_since']}: {row['title'][0].lower()}{row['title'][1:]}.",
            benefit_vnd=int(row["benefit_vnd_per_year"]),
            applied_since=int(row["applied_since"]),
            scope=SCOPES[index % len(SCOPES)],
            ref=row["ref"],
        )
        status = ExhibitStatus.DRAFT if state is ExhibitStatus.DRAFT else ExhibitStatus.SUBMITTED
        exhibit = exhibits.create_exhibit(festival, unit, data, by=organizer, now=festival.registration_opens_at, status=status)
        if state is ExhibitStatus.ACCEPTED:
            exhibits.accept_exhibit(exhibit, by=organizer)
        elif state is ExhibitStatus.RETURNED:
            exhibits.return_exhibit(exhibit, RETURN_COMMENT, by=organizer)
        elif state is ExhibitStatus.REJECTED:
            exhibits.reject_exhibit(exhibit, REJECT_REASON, by=organizer)
        elif state is ExhibitStatus.WITHDRAWN:
            exhibit.status = ExhibitStatus.WITHDRAWN
        added += 1
    return added
