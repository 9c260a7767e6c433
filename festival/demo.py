"""The demo festival: the 3rd Creative Labour Festival of the textile and garment sector.

Loads units, accounts, the edition, its categories and exhibits from the CSV files in
festival/demo_data/, and a year of the units' initiative registers made from the same exhibits.
Every step looks for what already exists first, so loading twice changes nothing the second time.
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
    Application,
    ApplicationScope,
    AuthorCategory,
    CriterionKind,
    Exhibit,
    ExhibitStatus,
    Festival,
    Initiative,
    InitiativeAuthor,
    InitiativeBenefit,
    InitiativeField,
    InitiativeSource,
    InitiativeState,
    ProductionTeam,
    ProgrammeItem,
    RecognitionLevel,
    Region,
    Role,
    ScoreSheet,
    Unit,
    UnitTarget,
    User,
)
from festival.privacy import consent as consents
from festival.util.formatting import festival_timezone

DATA_DIR = Path(__file__).resolve().parent / "demo_data"
DEMO_EDITION = 3
DEMO_PASSWORD = "demo1234"
ORGANIZER_EMAIL = "btc@festival.example.vn"
CHECKIN_EMAIL = "checkin@festival.example.vn"
SUPPORT_EMAIL = "hotro.may10@donvi.example.vn"  # May 10's initiative support team (Tổ hỗ trợ sáng kiến)
SUPPORT_UNIT = "MAY10"

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
    added = {
        "festival": 0,
        "units": 0,
        "users": 0,
        "exhibits": 0,
        "score sheets": 0,
        "attendees": 0,
        "initiatives": 0,
    }
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
    added["initiatives"] = _load_register(festival, today)
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
        (SUPPORT_EMAIL, "Tổ hỗ trợ sáng kiến May 10", Role.SUPPORT, SUPPORT_UNIT),
    ]
    for row in read_rows("units.csv"):
        people.append(
            (f"{row['code'].lower()}@donvi.example.vn", f"Công đoàn {row['short_name']}", Role.UNIT, row["code"])
        )
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


# The programme all year: each unit's register for the festival's year -------------------------------------

# Where each initiative of the register stands, by its place in exhibits.csv (i % 10): most recognised.
REGISTER_STATES = {
    6: InitiativeState.APPLIED,
    7: InitiativeState.PROPOSED,
    8: InitiativeState.RECEIVED,
    9: InitiativeState.NOT_RECOGNISED,
}
TRADE_SECRET_ROW = 4  # one recognised initiative is a trade secret: never nominated nor published
FIELDS_BY_CATEGORY = {"AT": InitiativeField.SAFETY, "MT": InitiativeField.SAFETY, "QL": InitiativeField.ADMINISTRATION}
DEMO_TEAMS = [("Xí nghiệp May 1", "Tổ may 3"), ("Phòng Cơ điện", "Tổ bảo trì thiết bị")]
EMULATION_GROUPS = {
    Region.HANOI: "Cụm thi đua miền Bắc",
    Region.HUE: "Cụm thi đua miền Trung",
    Region.DANANG: "Cụm thi đua miền Trung",
    Region.HCMC: "Cụm thi đua miền Nam",
}
SUBMITTERS = ["Lò Thị Mai", "Hà Văn Quyết", "Vi Thị Hằng", "Nông Văn Tới", "Đèo Thị Lan", "Lục Văn Sơn"]


def _author_category(job: str) -> AuthorCategory:
    if "công đoàn" in job.lower():
        return AuthorCategory.UNION_OFFICER
    if job.startswith(("Quản đốc", "Trưởng")):
        return AuthorCategory.MANAGER
    return AuthorCategory.WORKER


def _shares(count: int) -> list[int]:
    """Even shares of 100 %, the lead author taking what does not divide."""
    share = 100 // count
    return [100 - share * (count - 1)] + [share] * (count - 1)


def _load_teams_and_targets(units: list[Unit], year: int) -> dict[int, list[ProductionTeam]]:
    teams = {}
    for index, unit in enumerate(units):
        existing = (
            db.session.execute(db.select(ProductionTeam).where(ProductionTeam.unit_id == unit.id)).scalars().all()
        )
        if not existing:
            existing = [ProductionTeam(unit=unit, department=d, name=n) for d, n in DEMO_TEAMS]
            db.session.add_all(existing)
        teams[unit.id] = list(existing)
        target = db.session.execute(
            db.select(UnitTarget).where(UnitTarget.unit_id == unit.id, UnitTarget.year == year)
        ).scalar_one_or_none()
        if target is None:
            members = 600 + (index * 379) % 2400
            db.session.add(
                UnitTarget(
                    unit=unit,
                    year=year,
                    members=members,
                    target=members // 10,
                    emulation_group=EMULATION_GROUPS[unit.region],
                )
            )
    return teams


def _load_register(festival: Festival, today: date) -> int:
    """A year of initiatives for the demo units, one for each row of exhibits.csv, in every state: authors with
    shares and categories, recognised ones with the council's decision and the first year's benefit, one trade
    secret, ideas sent from a team's poster; every third recognised one is the demo festival's accepted exhibit of
    the same row (nominated, linked both ways). Rows already there are left as they are."""
    year = festival.starts_on.year
    units = {unit.code: unit for unit in db.session.execute(db.select(Unit).order_by(Unit.code)).scalars()}
    teams = _load_teams_and_targets(list(units.values()), year)
    support = accounts.find_user_by_email(SUPPORT_EMAIL)
    exhibits_by_ref = {
        e.ref: e for e in db.session.execute(db.select(Exhibit).where(Exhibit.festival_id == festival.id)).scalars()
    }
    numbers: dict[int, int] = {}
    added = 0
    for index, row in enumerate(read_rows("exhibits.csv")):
        unit = units[row["unit_code"]]
        number = numbers[unit.id] = numbers.get(unit.id, 0) + 1
        exists = db.session.execute(
            db.select(Initiative.id).where(
                Initiative.unit_id == unit.id, Initiative.year == year, Initiative.number == number
            )
        ).first()
        if exists:
            continue
        authors, _notes = parse_authors(row["authors"])
        state = REGISTER_STATES.get(index % 10, InitiativeState.RECOGNISED)
        team = teams[unit.id][index % len(DEMO_TEAMS)]
        applied_on = today - timedelta(days=200 + 3 * index)
        initiative = Initiative(
            unit=unit,
            year=year,
            number=number,
            title=row["title"],
            field=FIELDS_BY_CATEGORY.get(row["category_code"], InitiativeField.PRODUCTION),
            team=team,
            department=team.department,
            team_name=team.name,
            problem=f"Trước khi áp dụng, {team.name.lower()} gặp khó khăn: {row['title'][0].lower()}{row['title'][1:]} "
            "chưa được thực hiện, năng suất và chất lượng chưa ổn định.",
            solution=f"{row['title']}: cách làm do {authors[0].full_name} đề xuất và tổ thử nghiệm tại chuyền.",
            effect_summary=f"Giá trị làm lợi khoảng {int(row['benefit_vnd_per_year']) // 1_000_000} triệu đồng/năm; "
            "giảm thao tác thừa và thời gian chờ.",
            state=state,
            state_changed_at=festival.registration_opens_at,
            source=InitiativeSource.INTAKE if state is InitiativeState.RECEIVED else InitiativeSource.ENTERED,
            entered_by=support if unit.code == SUPPORT_UNIT else None,
            is_trade_secret=index == TRADE_SECRET_ROW,
            is_published=state is InitiativeState.RECOGNISED and index != TRADE_SECRET_ROW,
        )
        if state is InitiativeState.RECEIVED:
            initiative.submitter_name = SUBMITTERS[index % len(SUBMITTERS)]
            initiative.submitter_phone = f"09{index:02d}{(index * 7919) % 1_000_000:06d}"
        if state in (InitiativeState.APPLIED, InitiativeState.RECOGNISED, InitiativeState.NOT_RECOGNISED):
            initiative.first_applied_on = applied_on
            initiative.application = Application.TRIAL if state is InitiativeState.APPLIED else Application.FULL
        if state in (InitiativeState.RECOGNISED, InitiativeState.NOT_RECOGNISED):
            initiative.requested_on = applied_on + timedelta(days=60)
            initiative.decided_on = applied_on + timedelta(days=90)
            initiative.is_new_in_unit = True
            initiative.is_not_excluded = True
            initiative.is_applied_with_benefit = state is InitiativeState.RECOGNISED
        if state is InitiativeState.NOT_RECOGNISED:
            initiative.refusal_reason = "Giải pháp đã được áp dụng tại đơn vị trước ngày nộp đơn (không còn tính mới)."
        if state is InitiativeState.RECOGNISED:
            initiative.decision_number = f"{number:02d}/QĐ-HĐSK"
            initiative.level = RecognitionLevel.SECTOR if index % 7 == 0 else RecognitionLevel.BASE
            benefit = int(row["benefit_vnd_per_year"])
            initiative.benefits = [
                InitiativeBenefit(
                    year_index=1,
                    benefit_vnd=benefit,
                    remuneration_vnd=round(benefit * 7 / 100, -3),
                    evaluated_on=initiative.decided_on,
                )
            ]
            exhibit = exhibits_by_ref.get(row["ref"])
            if (
                index % 3 == 0
                and not initiative.is_trade_secret
                and exhibit is not None
                and exhibit.status is ExhibitStatus.ACCEPTED
            ):
                initiative.exhibit = exhibit
        initiative.authors = [
            InitiativeAuthor(
                position=position,
                full_name=author.full_name,
                job_title=author.job_title,
                department=team.department,
                category=_author_category(author.job_title),
                is_graduate=author.job_title.startswith("Kỹ sư"),
                share_percent=share,
            )
            for position, (author, share) in enumerate(zip(authors, _shares(len(authors))))
        ]
        db.session.add(initiative)
        added += 1
    db.session.flush()
    return added
