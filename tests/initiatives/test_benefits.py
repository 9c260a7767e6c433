"""An initiative's benefit and remuneration pages, the re-evaluations falling due and their reminder, and the
authors' histories with the Labour Creativity Certificate's candidates, worked by hand."""

import io
from datetime import date, timedelta

import openpyxl
import pytest

from festival.core.extensions import db
from festival.initiatives import benefits
from festival.mail import notify
from festival.models import (
    AuditLog,
    AuthorCategory,
    Initiative,
    InitiativeAuthor,
    InitiativeBenefit,
    InitiativeState,
    MailMessage,
    Unit,
    utcnow,
)
from festival.util.formatting import festival_today

WAGE = 2_340_000


def years_ago(today: date, years: int, days: int = 0) -> date:
    return today.replace(year=today.year - years) + timedelta(days=days)


def make(unit_id, number, *, state=InitiativeState.RECOGNISED, first_applied_on=None, authors=(), years=None):
    """An initiative with authors (name, share, phone, category, graduate) and evaluated years {n: benefit}."""
    initiative = Initiative(
        unit_id=unit_id, year=2026, number=number, title=f"Sáng kiến {number}", state=state,
        first_applied_on=first_applied_on,
    )  # fmt: skip
    for position, (name, share, phone, category, graduate) in enumerate(authors):
        initiative.authors.append(
            InitiativeAuthor(
                position=position,
                full_name=name,
                share_percent=share,
                phone=phone,
                category=category,
                is_graduate=graduate,
            )  # fmt: skip
        )
    for index, benefit in (years or {}).items():
        evaluated = benefits.due_on(first_applied_on, index)
        initiative.benefits.append(InitiativeBenefit(year_index=index, benefit_vnd=benefit, evaluated_on=evaluated))
    db.session.add(initiative)
    db.session.flush()
    return initiative


def worker(name, share, phone=""):
    return (name, share, phone, AuthorCategory.WORKER, False)


@pytest.fixture
def recognised(app, people):
    """Unit A's recognised initiative, applied since 01/03/2024, by two authors (60 % and 40 %), its first year
    evaluated at 250.000.000 đồng."""
    with app.app_context():
        app.config["INITIATIVE_MINIMUM_WAGE_VND"] = WAGE
        initiative = make(
            people["ids"]["unit_a"],
            1,
            first_applied_on=date(2024, 3, 1),
            authors=[worker("Nguyễn Thị Hoà", 60), worker("Trần Văn Bình", 40)],
            years={1: 250_000_000},
        )
        db.session.commit()
        return initiative.id


def test_the_benefits_page_shows_the_rules_least_and_splits_it_by_shares(recognised, login_as):
    page = login_as("support_a").get(f"/initiatives/{recognised}/benefits").get_data(as_text=True)
    assert "250.000.000 ₫" in page
    # 7 % of 250.000.000 = 17.500.000, split 60/40 until the unit decides: 10.500.000 and 7.000.000
    assert "17.500.000 ₫" in page and "10.500.000 ₫" in page and "7.000.000 ₫" in page
    assert "theo mức tối thiểu, đơn vị chưa quyết định" in page
    # years 2 and 3 fall due on 01/03/2026 and 01/03/2027
    assert "01/03/2026" in page and "01/03/2027" in page


def test_another_units_initiative_is_not_found_and_gate_staff_are_refused(recognised, login_as, client, auth):
    assert login_as("unit_b").get(f"/initiatives/{recognised}/benefits").status_code == 404
    auth.logout()
    assert login_as("checkin").get(f"/initiatives/{recognised}/benefits").status_code == 403


def test_the_unit_records_a_year_at_its_own_higher_rate_and_it_is_audited(app, recognised, login_as):
    client = login_as("unit_a")
    response = client.post(
        f"/initiatives/{recognised}/benefits/2",
        data={
            "computable": "yes",
            "benefit": "300.000.000",
            "evaluated_on": "2026-03-05",
            "remuneration": "30.000.000",
            "paid_on": "2026-03-20",
            "note": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        record = db.session.execute(
            db.select(InitiativeBenefit).where(
                InitiativeBenefit.initiative_id == recognised, InitiativeBenefit.year_index == 2
            )
        ).scalar_one()
        assert (record.benefit_vnd, record.remuneration_vnd, record.paid_on) == (
            300_000_000,
            30_000_000,
            date(2026, 3, 20),
        )
        saved = db.select(AuditLog).where(AuditLog.action == "initiative.benefit_saved")
        entry = db.session.execute(saved).scalar_one()
        assert entry.after["least_by_rule"] == 21_000_000 and entry.before is None
    page = client.get(f"/initiatives/{recognised}/benefits").get_data(as_text=True)
    # 30.000.000 split 60/40
    assert "18.000.000 ₫" in page and "12.000.000 ₫" in page and "20/03/2026" in page


def test_a_remuneration_below_the_rule_needs_a_reason_then_is_shown_with_a_warning(app, recognised, login_as):
    client = login_as("unit_a")
    data = {"computable": "yes", "benefit": "100.000.000", "evaluated_on": "2026-03-05", "remuneration": "5.000.000"}
    response = client.post(f"/initiatives/{recognised}/benefits/2", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'value="5.000.000"' in page
    assert "thấp hơn mức tối thiểu 7.000.000 ₫" in page and "hãy ghi lý do vào ô ghi chú" in page
    with app.app_context():
        assert len(db.session.get(Initiative, recognised).benefits) == 1
    data["note"] = "Hội đồng quyết định theo quy chế riêng của đơn vị"
    assert client.post(f"/initiatives/{recognised}/benefits/2", data=data).status_code == 302
    page = client.get(f"/initiatives/{recognised}/benefits").get_data(as_text=True)
    assert "Thấp hơn mức tối thiểu theo quy định." in page and "quy chế riêng của đơn vị" in page


def test_a_benefit_that_cannot_be_computed_proposes_five_minimum_wages(app, recognised, login_as):
    client = login_as("organizer")
    data = {"computable": "no", "benefit": "", "evaluated_on": "2026-03-05"}
    assert client.post(f"/initiatives/{recognised}/benefits/2", data=data).status_code == 302
    page = client.get(f"/initiatives/{recognised}/benefits").get_data(as_text=True)
    # 5 × 2.340.000 = 11.700.000, split 60/40: 7.020.000 and 4.680.000
    assert "không tính được" in page and "11.700.000 ₫" in page and "7.020.000 ₫" in page and "4.680.000 ₫" in page


def test_years_are_recorded_in_order_and_dates_must_be_possible(app, recognised, login_as):
    client = login_as("unit_a")
    page = client.post(
        f"/initiatives/{recognised}/benefits/3",
        data={"computable": "yes", "benefit": "1.000.000", "evaluated_on": "2026-03-05"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Hãy ghi kết quả năm thứ 2 trước." in page
    future = (date.today() + timedelta(days=5)).isoformat()
    page = client.post(
        f"/initiatives/{recognised}/benefits/2",
        data={"computable": "yes", "benefit": "1.000.000", "evaluated_on": future},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Ngày đánh giá không được sau hôm nay." in page
    page = client.post(
        f"/initiatives/{recognised}/benefits/2",
        data={"computable": "yes", "benefit": "", "evaluated_on": "2026-03-05"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Hãy nhập tiền làm lợi của năm, hoặc chọn “không tính được”." in page
    with app.app_context():
        assert len(db.session.get(Initiative, recognised).benefits) == 1


def test_an_initiative_not_applied_has_no_benefit_to_record(app, people, login_as):
    with app.app_context():
        idea = make(people["ids"]["unit_a"], 2, state=InitiativeState.RECEIVED, authors=[worker("Lê Văn Cường", 100)])
        db.session.commit()
        idea_id = idea.id
    client = login_as("unit_a")
    page = client.get(f"/initiatives/{idea_id}/benefits").get_data(as_text=True)
    assert "Chỉ sáng kiến đã áp dụng hoặc đã được công nhận" in page
    response = client.post(
        f"/initiatives/{idea_id}/benefits/1", data={"computable": "yes", "benefit": "1", "evaluated_on": "2026-01-01"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Initiative, idea_id).benefits == []


@pytest.fixture
def due(app, people):
    """Unit A: year 1 due in 10 days, year 2 overdue by 5 days, year 1 due in 60 days; unit B: one due in 3 days."""
    with app.app_context():
        today = festival_today()
        a, b = people["ids"]["unit_a"], people["ids"]["unit_b"]
        soon = make(a, 1, state=InitiativeState.APPLIED, first_applied_on=years_ago(today, 1, 10))
        overdue = make(a, 2, first_applied_on=years_ago(today, 2, -5), years={1: 10_000_000})
        later = make(a, 3, first_applied_on=years_ago(today, 1, 60))
        done = make(a, 4, first_applied_on=years_ago(today, 3, -1), years={1: 1, 2: 2, 3: 3})
        other = make(b, 1, first_applied_on=years_ago(today, 1, 3))
        db.session.commit()
        return {"soon": soon.id, "overdue": overdue.id, "later": later.id, "done": done.id, "other": other.id}


def test_the_due_list_shows_the_units_overdue_and_coming_evaluations(app, due, login_as):
    with app.app_context():
        found = [(d.initiative.id, d.year_index) for d in benefits.due_evaluations(None, festival_today())]
    assert found == [(due["overdue"], 2), (due["other"], 1), (due["soon"], 1)]
    page = login_as("support_a").get("/initiatives/reevaluations").get_data(as_text=True)
    assert "SK-2026-001" in page and "SK-2026-002" in page and "Quá hạn" in page
    assert "SK-2026-003" not in page and "SK-2026-004" not in page
    assert page.count("Quá hạn") == 1


def test_organizers_see_every_units_due_list_and_filter_by_unit(app, people, due, login_as):
    client = login_as("organizer")
    page = client.get("/initiatives/reevaluations").get_data(as_text=True)
    assert page.count("SK-2026-001") == 2  # unit A's and unit B's first initiatives
    page = client.get(f"/initiatives/reevaluations?unit={people['ids']['unit_b']}").get_data(as_text=True)
    assert page.count("SK-2026-001") == 1 and "SK-2026-002" not in page


def test_each_initiative_year_is_reminded_once_to_the_units_accounts(app, people, due):
    with app.app_context():
        today = festival_today()
        sent = notify.reevaluation_reminders(today)
        db.session.commit()
        to_a = sorted(m.user_id for m in sent if m.subject_id == people["ids"]["unit_a"])
        assert to_a == sorted([people["ids"]["unit_a_user"], people["ids"]["support_a_user"]])
        body = next(m.body_text for m in sent if m.user_id == people["ids"]["unit_a_user"])
        assert "SK-2026-001" in body and "SK-2026-002" in body and "quá hạn" in body and "SK-2026-003" not in body
        assert "/initiatives/reevaluations" in body
        assert notify.reevaluation_reminders(today) == []  # once
        # A new year falling due (the later one, 50 days on) is reminded; the ones already named are not.
        sent = notify.reevaluation_reminders(today + timedelta(days=50))
        assert {m.body_text.count("SK-2026-") for m in sent} == {1}
        assert "SK-2026-003" in sent[0].body_text


def test_the_hourly_schedule_sends_the_reevaluation_reminders(app, people, due):
    with app.app_context():
        notify.scheduled_reminders(utcnow())
        kinds = db.session.execute(
            db.select(MailMessage.user_id).where(MailMessage.kind == "initiative_reevaluation")
        ).scalars()
        assert len(list(kinds)) == 3  # unit A's two accounts, unit B's one


@pytest.fixture
def authors(app, people):
    """Hand-computed histories (recognised benefits only, weighted by share, in the calendar year each year of
    application begins):

    - Nguyễn Văn An (worker, unit A, phone 0912 345 678): 50 % of SK-001 applied 01/03/2023 with 100, 80 and
      60 million → 50 in 2023, 40 in 2024, 30 in 2025 = 120 over three years: a candidate; also "nguyen van an"
      without a phone at 100 % of SK-002, applied but not recognised (500 million not counted).
    - Phạm Thị Dung (graduate): 100 % of SK-003 with 160 million in 2025: a candidate (150).
    - Lê Văn Em (manager): 100 % of SK-004 with 160 million in 2025: not (200).
    - Nguyễn Văn An of unit B: another person.
    """
    with app.app_context():
        a, b = people["ids"]["unit_a"], people["ids"]["unit_b"]
        make(
            a, 1, first_applied_on=date(2023, 3, 1), years={1: 100_000_000, 2: 80_000_000, 3: 60_000_000},
            authors=[worker("Nguyễn Văn An", 50, "0912 345 678"), worker("Hồ Thị Phương", 50)],
        )  # fmt: skip
        make(
            a, 2, state=InitiativeState.APPLIED, first_applied_on=date(2024, 1, 1), years={1: 500_000_000},
            authors=[worker("nguyen van an", 100)],
        )  # fmt: skip
        make(
            a, 3, first_applied_on=date(2025, 2, 1), years={1: 160_000_000},
            authors=[("Phạm Thị Dung", 100, "", AuthorCategory.WORKER, True)],
        )  # fmt: skip
        make(
            a, 4, first_applied_on=date(2025, 2, 1), years={1: 160_000_000},
            authors=[("Lê Văn Em", 100, "", AuthorCategory.MANAGER, True)],
        )  # fmt: skip
        make(b, 1, first_applied_on=date(2023, 3, 1), years={1: 90_000_000}, authors=[worker("Nguyễn Văn An", 100)])
        db.session.commit()


def test_authors_are_one_person_by_name_and_unit_and_candidates_are_hand_computed(app, people, authors):
    with app.app_context():
        unit_a = db.session.get(Unit, people["ids"]["unit_a"])
        found = {p.name: p for p in benefits.author_histories([unit_a])}
        an = found["Nguyễn Văn An"]
        assert [e.initiative.number for e in an.entries] == [1, 2] and an.phone == "0912 345 678"
        assert an.by_year == {2023: 50_000_000, 2024: 40_000_000, 2025: 30_000_000}
        assert (an.total, an.group, an.reason) == (120_000_000, "worker", "three_years")
        assert an.entries[1].weighted == {1: 500_000_000}  # shown, though not recognised and so not counted
        dung, em = found["Phạm Thị Dung"], found["Lê Văn Em"]
        assert (dung.group, dung.reason, dung.total) == ("graduate", "year", 160_000_000)
        assert (em.group, em.reason) == ("manager", None)
        assert found["Hồ Thị Phương"].reason == "three_years"  # her 50 % of SK-001 is as much as his
        everyone = benefits.author_histories(None, "nguyen van an")
        assert sorted((p.unit.code, p.total) for p in everyone) == [("UNITA", 120_000_000), ("UNITB", 90_000_000)]
        assert next(p for p in everyone if p.unit.code == "UNITB").reason == "year"


def test_namesakes_with_different_phones_are_two_people(app, people):
    with app.app_context():
        a = people["ids"]["unit_a"]
        make(a, 1, first_applied_on=date(2024, 1, 1), authors=[worker("Trần Văn Bình", 100, "0912 000 001")])
        make(a, 2, first_applied_on=date(2024, 1, 1), authors=[worker("Trần Văn Bình", 100, "0912000001")])
        make(a, 3, first_applied_on=date(2024, 1, 1), authors=[worker("Trần Văn Bình", 100, "0988 777 666")])
        people_found = benefits.author_histories(None)
        assert sorted(len(p.entries) for p in people_found) == [1, 2]


def test_the_authors_page_lists_candidates_first_and_the_unit_sees_only_its_own(authors, login_as, auth):
    page = login_as("unit_b").get("/initiatives/authors").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "Phạm Thị Dung" not in page
    auth.logout()
    page = login_as("organizer").get("/initiatives/authors?candidates=1").get_data(as_text=True)
    assert "Phạm Thị Dung" in page and "Nguyễn Văn An" in page and "Lê Văn Em" not in page
    assert page.index("Phạm Thị Dung") < page.index("Nguyễn Văn An")  # 160 million before 120
    assert "Đạt tổng làm lợi ba năm liên tiếp" in page


def test_the_authors_export_has_a_row_per_person_and_initiative(authors, login_as):
    response = login_as("support_a").get("/initiatives/authors.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Họ và tên"
    an = [row for row in rows[1:] if row[0] == "Nguyễn Văn An"]
    assert [(row[6], row[9], row[10], row[11], row[12]) for row in an] == [
        ("SK-2026-001", 50, 50_000_000, 40_000_000, 30_000_000),
        ("SK-2026-002", 100, 500_000_000, None, None),
    ]
    assert {row[5] for row in an} == {120_000_000}
    assert not any(row[1] == "Tổng Công ty May Việt Tiến" for row in rows[1:])


def test_a_transfer_proposes_fifteen_percent_split_by_shares(app, recognised, login_as):
    with app.app_context():
        db.session.get(Initiative, recognised).transfer_price_vnd = 40_000_001
        db.session.commit()
    page = login_as("unit_a").get(f"/initiatives/{recognised}/benefits").get_data(as_text=True)
    # 15 % of 40.000.001 = 6.000.000,15 → 6.000.001; 60/40: 3.600.000,6 and 2.400.000,4 → 3.600.001 and 2.400.000
    assert "6.000.001 ₫" in page and "3.600.001 ₫" in page and "2.400.000 ₫" in page


def test_changing_a_recorded_year_shows_it_in_the_form_and_audits_before_and_after(app, recognised, login_as):
    client = login_as("unit_a")
    form = client.get(f"/initiatives/{recognised}/benefits/1").get_data(as_text=True)
    assert 'value="250.000.000"' in form and 'value="2025-03-01"' in form
    data = {"computable": "yes", "benefit": "260.000.000", "evaluated_on": "2025-03-01", "remuneration": "18.200.000"}
    assert client.post(f"/initiatives/{recognised}/benefits/1", data=data).status_code == 302
    with app.app_context():
        entry = db.session.execute(
            db.select(AuditLog).where(AuditLog.action == "initiative.benefit_saved")
        ).scalar_one()
        assert entry.before["benefit_vnd"] == 250_000_000 and entry.after["benefit_vnd"] == 260_000_000
        assert entry.after["remuneration_vnd"] == 18_200_000 and entry.after["least_by_rule"] == 18_200_000
