"""The demo festival: the 3rd Creative Labour Festival of the textile and garment sector.

Loads units, accounts, the edition, its categories and exhibits from the CSV files in
festival/demo_data/. Every step looks for what already exists first, so loading twice changes
nothing the second time.
"""

import csv
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from festival.admin import services as festivals
from festival.auth import services as accounts
from festival.badges import services as attendees
from festival.badges.import_export import import_attendees
from festival.booths import scoring as booth_scoring
from festival.booths import services as booth_services
from festival.certificates import services as certificates
from festival.core.extensions import db
from festival.exhibits import services as exhibits
from festival.exhibits.import_export import parse_authors
from festival.judging import defences, finalists, panels, rounds, rubrics, scoring
from festival.judging.policy import policy_for
from festival.models import (
    ApplicationScope,
    CriterionKind,
    Exhibit,
    ExhibitStatus,
    Festival,
    ProgrammeItem,
    Role,
    ScoreSheet,
    Unit,
    User,
)
from festival.privacy import consent as consents
from festival.util.formatting import festival_timezone

DATA_DIR = Path(__file__).resolve().parent / "demo_data"
DEMO_EDITION = 3
DEMO_PASSWORD = "demo1234"
ORGANIZER_EMAIL = "btc@festival.example.vn"
CHECKIN_EMAIL = "checkin@festival.example.vn"
SUPPORT_EMAIL = "hotro.may10@donvi.example.vn"  # May 10's initiative support team

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
    added = {"festival": 0, "units": 0, "users": 0, "exhibits": 0, "score sheets": 0, "attendees": 0}
    festival = db.session.execute(db.select(Festival).where(Festival.edition == DEMO_EDITION)).scalar_one_or_none()
    if festival is None:
        festival = _create_festival(today)
        added["festival"] = 1
    added["units"] = _load_units()
    added["users"] = _load_accounts()
    db.session.flush()
    _load_categories(festival)
    added["exhibits"] = _load_exhibits(festival)
    added["score sheets"] = _load_judging(festival)
    added["attendees"] = _load_attendees(festival)
    _load_certificate_templates(festival)
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
        db.session.add(
            ProgrammeItem(
                festival=festival, starts_at=_at(day, start), ends_at=_at(day, end), title=title, location=location
            )
        )
    return festival


def _load_units() -> int:
    existing = {code for (code,) in db.session.execute(db.select(Unit.code))}
    added = 0
    for row in read_rows("units.csv"):
        if row["code"] in existing:
            continue
        festivals.create_unit(
            row["code"], row["name"], row["short_name"], festivals.region_from_text(row["region"]), by=None
        )
        added += 1
    return added


def demo_accounts() -> list[tuple[str, str, Role, str | None]]:
    """(email, full name, role, unit code) of every demo account."""
    people = [
        (ORGANIZER_EMAIL, "Ban Tổ chức Ngày hội", Role.ORGANIZER, None),
        (CHECKIN_EMAIL, "Nhân viên Đón tiếp", Role.CHECKIN, None),
    ]
    for row in read_rows("units.csv"):
        people.append(
            (f"{row['code'].lower()}@donvi.example.vn", f"Công đoàn {row['short_name']}", Role.UNIT, row["code"])
        )
    for row in read_rows("judges.csv"):
        people.append((row["email"], row["full_name"], Role.JUDGE, row["unit_code"] or None))
    people.append((SUPPORT_EMAIL, "Tổ hỗ trợ sáng kiến May 10", Role.SUPPORT, "MAY10"))
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
DEMO_STATES = {
    3: ExhibitStatus.SUBMITTED,
    11: ExhibitStatus.RETURNED,
    17: ExhibitStatus.SUBMITTED,
    23: ExhibitStatus.RETURNED,
    29: ExhibitStatus.SUBMITTED,
    37: ExhibitStatus.DRAFT,
    41: ExhibitStatus.REJECTED,
    47: ExhibitStatus.WITHDRAWN,
    53: ExhibitStatus.SUBMITTED,
    58: ExhibitStatus.DRAFT,
}
RETURN_COMMENT = "Đề nghị bổ sung số liệu tính giá trị làm lợi và ảnh chụp thiết bị tại chuyền."
REJECT_REASON = "Giải pháp trùng với sáng kiến đã được công nhận ở kỳ trước."
SCOPES = [
    ApplicationScope.OWN_UNIT,
    ApplicationScope.OWN_UNIT,
    ApplicationScope.SEVERAL_UNITS,
    ApplicationScope.WHOLE_SECTOR,
]


def _load_exhibits(festival: Festival) -> int:
    organizer = accounts.find_user_by_email(ORGANIZER_EMAIL)
    known = set(db.session.execute(db.select(Exhibit.ref).where(Exhibit.festival_id == festival.id)).scalars())
    units = {unit.code: unit for unit in db.session.execute(db.select(Unit)).scalars()}
    added = 0
    for index, row in enumerate(read_rows("exhibits.csv")):
        if row["ref"] in known:
            continue
        unit = units[row["unit_code"]]
        authors, _notes = parse_authors(row["authors"])
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
        exhibit = exhibits.create_exhibit(
            festival, unit, data, by=organizer, now=festival.registration_opens_at, status=status
        )
        for author in exhibit.authors:  # the demo's authors signed the paper form: the gallery shows them
            consents.give_author_consent(author, how="paper", by=organizer, now=festival.registration_opens_at)
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


# Levels to tap for two criteria (the others use the stepper), and one independent question.
DEMO_LEVELS = {
    0: [(0, "Không đạt", "Not met"), (10, "Đạt", "Met"), (20, "Tốt", "Good"), (30, "Xuất sắc", "Excellent")],
    3: [(0, "Không đạt", "Not met"), (5, "Đạt", "Met"), (10, "Tốt", "Good"), (15, "Xuất sắc", "Excellent")],
}
DEMO_QUESTION = ("Đề xuất nhân rộng toàn ngành?", "Recommend for sector-wide rollout?")


# The final round's rubric: the dossier's criteria, then how the authors present and answer at the booth.
DEFENCE_CRITERIA = [
    ("Tính mới, tính sáng tạo", "Novelty and creativity", 25),
    ("Khả năng áp dụng, nhân rộng", "How widely it can be applied", 20),
    ("Hiệu quả kinh tế – xã hội", "Economic and social benefit", 25),
    ("Trình bày, thuyết minh giải pháp", "Presentation of the solution", 15),
    ("Trả lời câu hỏi của hội đồng", "Answers to the panel's questions", 15),
]


def _load_judging(festival: Festival) -> int:
    """Two rounds, once: the dossier round (sơ khảo) closed and scored, its finalists confirmed, the final
    round at the booths (chung khảo) open with its defence schedule and realistic partial scores; and the
    booth award under way."""
    already = db.session.execute(
        db.select(ScoreSheet.id).join(Exhibit).where(Exhibit.festival_id == festival.id).limit(1)
    ).first()
    if already is not None:
        return 0
    organizer = accounts.find_user_by_email(ORGANIZER_EMAIL)
    if rubrics.own_rubric(festival, None) is None:
        criteria = [
            rubrics.CriterionInput(
                name_vi=row["criterion_vi"],
                name_en=row["criterion_en"],
                guidance=row["description_vi"],
                guidance_en=row["description_en"],
                max_points=int(row["max_points"]),
                levels=[rubrics.LevelInput(*level) for level in DEMO_LEVELS.get(index, [])],
            )
            for index, row in enumerate(read_rows("rubric.csv"))
        ]
        criteria.append(
            rubrics.CriterionInput(name_vi=DEMO_QUESTION[0], name_en=DEMO_QUESTION[1], kind=CriterionKind.YES_NO)
        )
        rubrics.save_rubric(festival, None, criteria, by=organizer)
    categories = exhibits.list_categories(festival)
    judge_list = sorted(panels.judges(), key=lambda j: j.email)
    # Each judge sits on three panels, so every panel has four or five judges who overlap.
    memberships = {
        (categories[(i + step) % len(categories)].id, judge.id)
        for i, judge in enumerate(judge_list)
        for step in (0, 1, 3)
    }
    panels.set_panels(festival, memberships, by=organizer)
    # Categories of about eight exhibits: one prize of each tier, then up to half Khuyến khích.
    policy = policy_for(festival)
    policy.first_prizes, policy.second_prizes, policy.third_prizes, policy.honourable_share = 1, 1, 1, Decimal("0.5")
    policy.tie_break = [2, 0]
    policy.presentation_minutes, policy.questions_minutes = 7, 5  # the defence timer on the judges' sheets
    final = rounds.add_round(festival, by=organizer)
    first = rounds.round_of(festival, 1)
    # The dossier round ran over the week before the festival; the final round has the festival's window.
    first.opens_at = festival.judging_opens_at - timedelta(days=9)
    first.closes_at = festival.judging_opens_at - timedelta(hours=1)
    final.finalist_quota = 3
    panels.assign_judges(festival, 3, by=organizer)
    count = _score_some(festival, 1, first.opens_at, complete=True)
    finalists.confirm(final, by=organizer)
    rubrics.save_rubric(
        festival,
        None,
        [rubrics.CriterionInput(name_vi=vi, name_en=en, max_points=most) for vi, en, most in DEFENCE_CRITERIA],
        by=organizer,
        number=2,
    )
    panels.set_panels(festival, memberships, by=organizer, number=2)
    panels.assign_judges(festival, 3, by=organizer, number=2)
    defences.build_schedule(final, changeover=3, by=organizer)
    count += _score_some(festival, 2, festival.judging_opens_at)
    _load_booth_award(festival, organizer)
    return count


def _load_booth_award(festival: Festival, organizer) -> None:
    """Four judges on the booth panel, every booth assigned, a third of the sheets submitted."""
    judge_list = sorted(panels.judges(), key=lambda j: j.email)
    booth_services.set_booth_panel(festival, {j.id for j in judge_list[:4]}, by=organizer)
    booth_services.assign_booth_judges(festival, by=organizer)
    rng = random.Random(festival.edition + 1)
    criteria = booth_services.booth_criteria(festival)
    for sheet in sorted(booth_services.festival_booth_sheets(festival), key=lambda s: s.id):
        if rng.random() > 0.35:
            continue
        points = {c.id: Decimal(rng.randint(c.max_points // 2, c.max_points)) for c in criteria}
        data = booth_scoring.BoothSheetInput(points=points, comment="", base=sheet.revision)
        booth_scoring.submit_booth_sheet(sheet, sheet.judge, data, festival.judging_opens_at)


def _score_some(festival: Festival, number: int, now, complete: bool = False) -> int:
    """Round `number`'s sheets scored at `now`: every one submitted when `complete`, else about two thirds
    submitted, some half-done, the rest untouched."""
    rng = random.Random(festival.edition * 10 + number)
    severity = {judge.id: rng.uniform(-4, 4) for judge in panels.judges()}
    rubric = rubrics.current_rubric(festival, None, number)
    sheets = sorted(panels.festival_sheets(festival, number), key=lambda s: s.id)
    # Each exhibit has its own merit that every judge sees, shifted by the judge's severity.
    merit = {exhibit_id: 50 + 35 * rng.random() for exhibit_id in sorted({s.exhibit_id for s in sheets})}
    for sheet in sheets:
        roll = 0.0 if complete else rng.random()
        if roll > 0.85:
            continue
        quality = merit[sheet.exhibit_id] + severity[sheet.judge_id] + rng.gauss(0, 3)
        points, answers = {}, {}
        for index, criterion in enumerate(rubric.criteria):
            if criterion.kind is CriterionKind.YES_NO:
                answers[criterion.id] = quality > 70
                continue
            if roll > 0.65 and index >= 2:
                continue  # a sheet still being scored
            raw = max(0.0, min(1.0, (quality + rng.gauss(0, 4)) / 100)) * criterion.max_points
            if criterion.levels:
                raw = min((level.points for level in criterion.levels), key=lambda p: abs(p - raw))
            points[criterion.id] = Decimal(round(raw))
        data = scoring.SheetInput(client_id="demo", seq=1, points=points, answers=answers, comment="")
        judge = sheet.judge
        if roll <= 0.65:
            scoring.submit_sheet(sheet, judge, data, now)
        else:
            scoring.save_sheet(sheet, judge, data, now)
    return len(sheets)


def _load_attendees(festival: Festival) -> int:
    """The 420 people of attendees.csv (once), then judges, organizers and authors."""
    added = 0
    if not attendees.has_attendees(festival):
        added += len(import_attendees(festival, (DATA_DIR / "attendees.csv").read_bytes(), by=None))
    added += sum(attendees.sync_automatic(festival, by=None).values())
    return added


DEMO_SIGNATORY = "Lê Thị Thu Hà"


def _load_certificate_templates(festival: Festival) -> None:
    """The trade-union wording, signed by the (invented) chair of the sector's union."""
    for kind in certificates.CertificateKind:
        template = certificates.template_for(festival, kind)
        if not template.signatory_name:
            template.signatory_name = DEMO_SIGNATORY
