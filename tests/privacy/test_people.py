"""Finding a person in every table that names them, and exporting what is held about them (and no one else) as
JSON, XLSX and PDF, with no secret in any of them."""

import io
import json
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from festival.core import audit
from festival.core.extensions import db
from festival.models import (
    Attendee,
    AuditLog,
    BadgeRole,
    BoothScoreChange,
    BoothSheet,
    Certificate,
    CertificateKind,
    CheckIn,
    Conflict,
    Consent,
    HeldScan,
    HoldReason,
    MailMessage,
    MailStatus,
    RevokedBadge,
    Role,
    ScanResult,
    ScoreChange,
    ScoreSheet,
    SignInFailures,
    User,
    UserSession,
    Vote,
    VoteDevice,
    VoteSource,
    utcnow,
)
from festival.models.consent import VOTE_PHONE
from festival.privacy import consent as consents
from festival.privacy.people import MAX_PER_KIND, find, person_from_ids
from festival.privacy.person_data import collect
from tests import factories
from tests.pdf_tools import page_texts
from tests.sql import statements_sent

HOA = "Phạm Thị Hoà"
TUNG = "Lê Văn Tùng"


def _someone(festival, exhibit, staff, organizer, n, name, email, phone):
    """One person in every table: account, session, sign-in failures, judging, badge, gate, vote, authorship,
    consents, certificate, mail and audit rows."""
    role = db.session.scalars(db.select(BadgeRole).where(BadgeRole.festival_id == festival.id)).first()
    user = factories.make_user(Role.JUDGE, email=email, full_name=name)
    user.invitation_hash = f"{n}" * 64
    user.reset_hash = f"{n}f" * 32
    attendee = Attendee(festival=festival, full_name=name, role=role, email=email, phone=phone, user=user)
    db.session.add(attendee)
    author = exhibit.authors[n]
    db.session.add(UserSession(user=user, token_hash=f"{n}a" * 32, user_agent=f"Firefox {n}", expires_at=utcnow()))
    db.session.add(SignInFailures(account_key=email, failures=2, last_failed_at=utcnow()))
    other_exhibit = factories.make_exhibit(festival, exhibit.unit, exhibit.category, authors=("Ngô Bảo",))
    sheet = ScoreSheet(exhibit=other_exhibit, judge=user, comment=f"Nhận xét {n}")
    db.session.add(sheet)
    db.session.flush()
    db.session.add(ScoreChange(sheet_id=sheet.id, field="comment", new_value=f"Nhận xét {n}", user_id=user.id))
    booth_sheet = BoothSheet(festival_id=festival.id, unit=exhibit.unit, judge=user, comment=f"Gian hàng {n}")
    db.session.add(booth_sheet)
    db.session.flush()
    db.session.add(BoothScoreChange(sheet_id=booth_sheet.id, field="comment", new_value=f"Gian {n}", user_id=user.id))
    db.session.add(Conflict(judge=user, exhibit=exhibit, reason=f"Là tác giả {n}"))
    db.session.add(
        CheckIn(
            festival_id=festival.id,
            attendee=attendee,
            staff=staff,
            gate="Cổng chính",
            result=ScanResult.CHECKED_IN,
            nonce=f"scan-{n}",
        )
    )
    db.session.add(
        HeldScan(
            festival_id=festival.id,
            staff=staff,
            attendee=attendee,
            gate="Cổng phụ",
            badge=ScanResult.CHECKED_IN,
            nonce=f"held-{n}",
            reason=HoldReason.NO_LIST,
            claimed_at=utcnow(),
        )
    )
    db.session.flush()
    db.session.add(RevokedBadge(token=f"old-badge-token-{n}", attendee=attendee, reason="Mất thẻ"))
    db.session.add(
        VoteDevice(attendee=attendee, secret=f"vote-secret-{n}", badge_token=attendee.badge_token, address="10.0.0.7")
    )
    db.session.add(
        Vote(
            festival_id=festival.id,
            attendee=attendee,
            badge_token=attendee.badge_token,
            slot=0,
            exhibit=other_exhibit,
            source=VoteSource.PHONE,
            address="10.0.0.7",
        )
    )
    consents.give_author_consent(author, how="paper", by=organizer, now=utcnow())
    consents.give_attendee_consent(attendee, VOTE_PHONE, how="web", by=None, now=utcnow())
    db.session.add(
        Certificate(
            festival=festival,
            number=n + 1,
            serial=f"CN-{n + 1:04d}",
            kind=CertificateKind.PARTICIPATION,
            recipient_key=f"author:{n}",
            recipient_name=name,
            exhibit=exhibit,
            unit=exhibit.unit,
            issued_on=date.today(),
        )
    )
    db.session.add(
        MailMessage(
            festival=festival,
            kind="badge",
            recipient_email=email.upper(),
            recipient_name=name,
            subject=f"Thẻ của {name}",
            body_text=f"Kính gửi {name}, đây là thẻ của bạn.",
            message_id=f"<badge-{n}@festival>",
            status=MailStatus.SENT,
        )
    )
    db.session.flush()
    audit.record("badges.attendee_updated", attendee, by=organizer, after={"phone": phone})
    audit.record("judging.sheet_saved", sheet, by=user, after={"comment": f"Nhận xét {n}", "exhibit": "Ngô Bảo"})
    audit.record("mail.address_fixed", None, by=organizer, after={"email": email})
    db.session.flush()
    return {
        "user": user.id,
        "attendee": attendee.id,
        "author": author.id,
        "sheet": sheet.id,
        "booth_sheet": booth_sheet.id,
    }


@pytest.fixture
def two(app, people):
    """Phạm Thị Hoà and Lê Văn Tùng, co-authors of one exhibit, each in every table."""
    with app.app_context():
        festival = factories.make_festival(7, is_current=False)
        unit = factories.make_unit("HOA")
        category = factories.make_category(festival)
        exhibit = factories.make_exhibit(festival, unit, category, authors=(HOA, TUNG))
        staff = factories.make_user(Role.CHECKIN, email="gate@example.vn", full_name="Nhân viên Cổng")
        organizer = db.session.scalars(db.select(User).where(User.email == "organizer@example.vn")).one()
        hoa = _someone(festival, exhibit, staff, organizer, 0, HOA, "hoa.pham@example.vn", "0912345678")
        tung = _someone(festival, exhibit, staff, organizer, 1, TUNG, "tung.le@example.vn", "0987654321")
        db.session.commit()
        return {"hoa": hoa, "tung": tung}


def ids_of(matches, kind):
    return {row.id for row in matches.identities[kind]}


def loose_ids(matches, table):
    return {row.id for row in matches.loose[table]}


def ids_where(model, **where):
    return {row.id for row in db.session.scalars(db.select(model).filter_by(**where))}


def rows_of(app, model, **where):
    with app.app_context():
        return ids_where(model, **where)


@pytest.mark.parametrize(
    "query", ["HOA.PHAM@example.vn", "+84 912 345 678", "84912345678", "pham thi hoa", "Phạm Thị Hoà"]
)
def test_a_person_is_found_in_every_table_by_email_phone_or_name(app, two, query):
    hoa, tung = two["hoa"], two["tung"]
    with app.app_context():
        matches = find(query)
        assert ids_of(matches, "user") == {hoa["user"]}
        assert ids_of(matches, "attendee") == {hoa["attendee"]}
        assert ids_of(matches, "author") == {hoa["author"]}  # an author has no phone: found by the badge's name
        mail = db.session.scalars(db.select(MailMessage.id).where(MailMessage.recipient_name == HOA)).all()
        assert loose_ids(matches, "mail_messages") == set(mail)
        assert [row.text.split(" · ")[1] for row in matches.loose["certificates"]] == [HOA]
        assert loose_ids(matches, "consents") == ids_where(Consent, subject_name=HOA) != set()
        assert loose_ids(matches, "sign_in_failures") == {"hoa.pham@example.vn"}
        audit_rows = loose_ids(matches, "audit_log")
        mentions = db.session.scalars(
            db.select(AuditLog.id).where(sa.cast(AuditLog.after, sa.Text).contains("hoa.pham@example.vn"))
        ).all()
        assert set(mentions) <= audit_rows
        by_hoa = ids_where(AuditLog, user_id=hoa["user"])
        assert by_hoa and by_hoa <= audit_rows
        assert not ids_where(AuditLog, user_id=tung["user"]) & audit_rows
        assert not matches.capped


def test_another_person_is_not_found(app, two):
    tung = two["tung"]
    with app.app_context():
        for query in ("hoa.pham@example.vn", "0912345678", "pham thi hoa"):
            matches = find(query)
            assert tung["user"] not in ids_of(matches, "user")
            assert tung["attendee"] not in ids_of(matches, "attendee")
            assert tung["author"] not in ids_of(matches, "author")
            assert all(TUNG not in row.text for rows in matches.loose.values() for row in rows)
            assert "tung.le@example.vn" not in loose_ids(matches, "sign_in_failures")


def test_search_takes_a_fixed_number_of_queries_and_caps_each_kind(app, two):
    with app.app_context():
        with statements_sent(db.engine) as statements:
            find("pham thi hoa")
        few = len(statements)
        role = db.session.scalars(db.select(BadgeRole)).first()
        db.session.add_all(
            Attendee(festival_id=role.festival_id, full_name=f"Phạm Thị Hoà {n}", role=role, email=f"h{n}@example.vn")
            for n in range(MAX_PER_KIND + 5)
        )
        db.session.commit()
        with statements_sent(db.engine) as statements:
            matches = find("pham thi hoa")
        assert len(statements) == few
        assert len(matches.identities["attendee"]) == MAX_PER_KIND and "attendee" in matches.capped


def test_collect_holds_each_of_their_rows_and_no_one_elses(app, two):
    hoa, tung = two["hoa"], two["tung"]
    with app.app_context():
        person = person_from_ids([hoa["user"]], [hoa["attendee"]], [hoa["author"]])
        sections = {section.table: section for section in collect(person)}
        mine = {
            "users": {hoa["user"]},
            "attendees": {hoa["attendee"]},
            "authors": {hoa["author"]},
            "user_sessions": ids_where(UserSession, user_id=hoa["user"]),
            "score_sheets": {hoa["sheet"]},
            "score_changes": ids_where(ScoreChange, user_id=hoa["user"]),
            "booth_sheets": {hoa["booth_sheet"]},
            "booth_score_changes": ids_where(BoothScoreChange, user_id=hoa["user"]),
            "conflicts": ids_where(Conflict, judge_id=hoa["user"]),
            "check_ins": ids_where(CheckIn, attendee_id=hoa["attendee"]),
            "held_scans": ids_where(HeldScan, attendee_id=hoa["attendee"]),
            "revoked_badges": ids_where(RevokedBadge, attendee_id=hoa["attendee"]),
            "votes": ids_where(Vote, attendee_id=hoa["attendee"]),
            "certificates": ids_where(Certificate, recipient_name=HOA),
            "mail_messages": ids_where(MailMessage, recipient_name=HOA),
        }
        for table, ids in mine.items():
            assert ids and {row["id"] for row in sections[table].rows} == ids, table
        assert tung["attendee"] not in [row["attendee_id"] for row in sections["vote_devices"].rows]
        assert [row["attendee_id"] for row in sections["vote_devices"].rows] == [hoa["attendee"]]
        assert [row["account_key"] for row in sections["sign_in_failures"].rows] == ["hoa.pham@example.vn"]
        assert {row["subject_name"] for row in sections["consents"].rows} == {HOA}
        assert len(sections["consents"].rows) == 2
        assert [row["staff_role"] for row in sections["check_ins"].rows] == [Role.CHECKIN]
        text = json.dumps([section.rows for section in sections.values()], default=str, ensure_ascii=False)
        assert TUNG not in text and "tung.le@example.vn" not in text and "0987654321" not in text
        assert "Nhân viên Cổng" not in text and "gate@example.vn" not in text  # staff: by role only
        audit_rows = {row["id"]: row for row in sections["audit_log"].rows}
        by_hoa = ids_where(AuditLog, user_id=hoa["user"])
        assert by_hoa <= audit_rows.keys()
        assert all(audit_rows[i]["after"] is None for i in by_hoa)  # the values of another record: left out
        about = ids_where(AuditLog, object_type="attendees", object_id=hoa["attendee"])
        assert about <= audit_rows.keys() and all(audit_rows[i]["after"] == {"phone": "0912345678"} for i in about)


def secrets_of(app, ids) -> list[str]:
    with app.app_context():
        user = db.session.get(User, ids["user"])
        attendee = db.session.get(Attendee, ids["attendee"])
        device = db.session.get(VoteDevice, ids["attendee"])
        sessions = db.session.scalars(db.select(UserSession.token_hash).where(UserSession.user_id == user.id)).all()
        revoked = db.session.scalars(db.select(RevokedBadge.token).where(RevokedBadge.attendee_id == attendee.id))
        return [
            user.password_hash,
            user.invitation_hash,
            user.reset_hash,
            attendee.badge_token,
            device.secret,
            *sessions,
            *revoked,
        ]


def export(client, fmt, ids):
    data = {"user": ids["user"], "attendee": ids["attendee"], "author": ids["author"]}
    response = client.post(f"/admin/privacy/people/export.{fmt}", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def test_json_export_has_each_of_their_rows_by_table_and_column_and_is_audited(app, two, login_as):
    hoa, tung = two["hoa"], two["tung"]
    client = login_as("organizer")
    response = export(client, "json", hoa)
    assert response.mimetype == "application/json" and response.headers["Content-Disposition"].startswith("attachment")
    document = json.loads(response.data)
    tables = document["tables"]
    assert document["person"] == {
        "user_ids": [hoa["user"]],
        "attendee_ids": [hoa["attendee"]],
        "author_ids": [hoa["author"]],
        "initiative_author_ids": [],
        "submission_ids": [],
    }
    assert [row["id"] for row in tables["users"]["rows"]] == [hoa["user"]]
    assert tables["users"]["rows"][0]["email"] == "hoa.pham@example.vn"
    assert tables["users"]["rows"][0]["role"] == "judge"
    assert tables["users"]["columns"]["full_name"] == {"vi": "Họ và tên", "en": "Full name"}
    assert [row["id"] for row in tables["attendees"]["rows"]] == [hoa["attendee"]]
    assert tables["attendees"]["rows"][0]["phone"] == "0912345678"
    assert [row["id"] for row in tables["authors"]["rows"]] == [hoa["author"]]
    assert [row["id"] for row in tables["votes"]["rows"]] == sorted(rows_of(app, Vote, attendee_id=hoa["attendee"]))
    assert [row["id"] for row in tables["check_ins"]["rows"]] == sorted(
        rows_of(app, CheckIn, attendee_id=hoa["attendee"])
    )
    assert tables["check_ins"]["rows"][0]["scanned_at"].endswith("+07:00")  # the festival's time zone
    assert [row["id"] for row in tables["mail_messages"]["rows"]] == sorted(
        rows_of(app, MailMessage, recipient_name=HOA)
    )
    assert "Kính gửi Phạm Thị Hoà" in tables["mail_messages"]["rows"][0]["body_text"]
    text = response.get_data(as_text=True)
    theirs = {
        "users": {tung["user"]},
        "attendees": {tung["attendee"]},
        "authors": {tung["author"]},
        "score_sheets": {tung["sheet"]},
        "booth_sheets": {tung["booth_sheet"]},
        "votes": rows_of(app, Vote, attendee_id=tung["attendee"]),
        "check_ins": rows_of(app, CheckIn, attendee_id=tung["attendee"]),
        "held_scans": rows_of(app, HeldScan, attendee_id=tung["attendee"]),
        "certificates": rows_of(app, Certificate, recipient_name=TUNG),
        "mail_messages": rows_of(app, MailMessage, recipient_name=TUNG),
        "audit_log": rows_of(app, AuditLog, user_id=tung["user"]),
    }
    for table, ids in theirs.items():
        assert ids and not ids & {row["id"] for row in tables[table]["rows"]}, table
    assert TUNG not in text and "tung.le@example.vn" not in text and "0987654321" not in text
    for secret in secrets_of(app, hoa):
        assert secret and secret not in text
    with app.app_context():
        entry = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "privacy.person_exported")).one()
        assert entry.after["format"] == "json" and entry.after["attendee_ids"] == [hoa["attendee"]]
        assert "0912345678" not in json.dumps(entry.after)


def test_xlsx_export_has_a_sheet_per_table_with_rows(app, two, login_as):
    hoa = two["hoa"]
    response = export(login_as("organizer"), "xlsx", hoa)
    workbook = load_workbook(io.BytesIO(response.data))
    for title in (
        "Tài khoản",
        "Phiên đăng nhập",
        "Thẻ tham dự",
        "Lượt quét ở cổng",
        "Phiếu bình chọn",
        "Tác giả sáng kiến",
        "Giấy chứng nhận",
        "Sự đồng ý",
        "Thư đã gửi",
        "Nhật ký thao tác",
    ):
        assert title in workbook.sheetnames
    accounts = [list(row) for row in workbook["Tài khoản"].iter_rows(values_only=True)]
    assert accounts[0][:3] == ["Mã dòng (Row id)", "E-mail (E-mail)", "Họ và tên (Full name)"]
    assert accounts[1][:3] == [hoa["user"], "hoa.pham@example.vn", HOA]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        text = "".join(archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml"))
    assert TUNG not in text and "tung.le@example.vn" not in text
    for secret in secrets_of(app, hoa):
        assert secret not in text


def test_pdf_export_reads_the_name_with_its_diacritics(app, two, login_as):
    hoa = two["hoa"]
    response = export(login_as("organizer"), "pdf", hoa)
    assert response.mimetype == "application/pdf"
    text = "\n".join(page_texts(response.data))
    assert HOA in text
    assert "Kính gửi Phạm Thị Hoà" in text.replace("\r\n", " ").replace("\n", " ")
    assert TUNG not in text
    for secret in secrets_of(app, hoa):
        assert secret not in text


def test_people_page_lists_candidates_to_tick_and_the_person_page_every_section(app, two, login_as):
    hoa, tung = two["hoa"], two["tung"]
    client = login_as("organizer")
    page = client.get("/admin/privacy/people", query_string={"q": "pham thi hoa"}).get_data(as_text=True)
    assert f'name="user" value="{hoa["user"]}"' in page
    assert f'name="attendee" value="{hoa["attendee"]}"' in page
    assert f'name="author" value="{hoa["author"]}"' in page
    assert f'value="{tung["attendee"]}"' not in page
    assert 'id="table-mail_messages"' in page and "hoa.pham@example.vn" in page
    person = client.get(
        "/admin/privacy/people/person",
        query_string={"user": hoa["user"], "attendee": hoa["attendee"], "author": hoa["author"]},
    ).get_data(as_text=True)
    assert f"Dữ liệu của {HOA}" in person
    for table in ("users", "user_sessions", "attendees", "check_ins", "votes", "authors", "consents", "mail_messages"):
        assert f'id="section-{table}"' in person
    assert f'id="votes-{next(iter(rows_of(app, Vote, attendee_id=hoa["attendee"])))}"' in person
    assert TUNG not in person
    with app.app_context():
        assert not db.session.scalars(db.select(AuditLog).where(AuditLog.action == "privacy.person_exported")).all()


def test_short_query_is_refused_with_what_was_typed_kept(app, two, login_as):
    page = login_as("organizer").get("/admin/privacy/people", query_string={"q": "h"}).get_data(as_text=True)
    assert "Hãy nhập ít nhất 3 ký tự" in page and 'value="h"' in page


def test_nobody_ticked_shows_an_empty_state_and_exports_nothing(app, two, login_as):
    client = login_as("organizer")
    assert "Chưa chọn dòng nào" in client.get("/admin/privacy/people/person").get_data(as_text=True)
    assert client.post("/admin/privacy/people/export.json", data={"user": "999999"}).status_code == 404


@pytest.mark.parametrize("name", ["unit_a", "judge", "checkin"])
def test_only_organizers_find_and_export_people(app, two, login_as, name):
    client = login_as(name)
    hoa = two["hoa"]
    assert client.get("/admin/privacy/people", query_string={"q": "hoa"}).status_code == 403
    assert client.get("/admin/privacy/people/person", query_string={"user": hoa["user"]}).status_code == 403
    assert client.post("/admin/privacy/people/export.json", data={"user": hoa["user"]}).status_code == 403
