"""Correcting a person's data (audited) and erasing it while the festival's records stay whole: results, scores,
awards and the frozen record unchanged and verifiable, certificates revoked, the phone and e-mail gone from every
table and every stored file."""

import json
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from festival.auth import services as accounts
from festival.badges.services import find_by_token, role_by_code, sync_automatic
from festival.certificates import printing
from festival.certificates import services as certificates
from festival.core import audit, storage
from festival.core.extensions import db
from festival.judging import panels, rubrics, scoring
from festival.judging.math import calibration
from festival.judging.policy import policy_for
from festival.judging.results import finalise, rating_of
from festival.models import (
    Attendee,
    AuditLog,
    Author,
    Award,
    Category,
    Certificate,
    CertificateKind,
    CertificateStatus,
    CheckIn,
    Consent,
    Exhibit,
    ExhibitStatus,
    Festival,
    HeldScan,
    HoldReason,
    MailMessage,
    MailStatus,
    ResultRecord,
    Role,
    ScanResult,
    Score,
    ScoreSheet,
    SignInFailures,
    Unit,
    User,
    UserSession,
    Vote,
    VoteDevice,
    VoteSource,
    utcnow,
)
from festival.models.consent import VOTE_PHONE
from festival.privacy import consent as consents
from festival.privacy import corrections, erasure
from festival.privacy.people import person_from_ids
from festival.util.formatting import fold
from tests import factories
from tests.judging.conftest import rubric_inputs
from tests.test_html_validity import VNU

PHONE = "0912345678"
EMAIL = "hang.nguyen@example.vn"
NAME = "Nguyễn Thị Hằng"
CO_AUTHOR = "Trần Văn Đức"
SCORES = {"KT-01": (30, 25, 28, 15), "KT-02": (20, 20, 20, 10), "KT-03": (10, 15, 15, 5)}


def _message(festival, n, email, name, **values):
    message = MailMessage(
        festival=festival,
        kind="badge",
        recipient_email=email,
        recipient_name=name,
        subject="Thẻ dự ngày hội",
        body_text=f"Chào {name}, thẻ của anh/chị gắn với số {PHONE if email == EMAIL else '0900000000'}.",
        facts={"email": email},
        message_id=f"<m{n}@festival.example.vn>",
        **values,
    )
    db.session.add(message)
    db.session.flush()
    return message


@pytest.fixture
def scene(app, people):
    """Hằng: lead author (with Đức) of KT-01, scored, awarded first prize, results final, certificates issued and
    cached; a badge with her phone and e-mail that voted, was checked in and held at a gate; a judge's account that
    scored, with sessions, a failed sign-in and mail (one sent, written to the outbox, one queued)."""
    ids = people["ids"]
    with app.app_context():
        now = utcnow()
        festival = db.session.get(Festival, ids["festival"])
        category = db.session.get(Category, ids["category"])
        unit_a, unit_b = db.session.get(Unit, ids["unit_a"]), db.session.get(Unit, ids["unit_b"])
        organizer = db.session.get(User, ids["organizer_user"])
        rubric = rubrics.save_rubric(festival, None, rubric_inputs(), by=organizer)
        judge = db.session.get(User, ids["judge_user"])
        judge_b = factories.make_user(Role.JUDGE, email="judge-b@example.vn", full_name="Trần Văn Bảo", unit=unit_b)
        hang = factories.make_user(Role.JUDGE, email=EMAIL, full_name=NAME)
        exhibits = {
            code: factories.make_exhibit(
                festival,
                unit,
                category,
                status=ExhibitStatus.ACCEPTED,
                code=code,
                booth=code[-1],
                title=title,
                authors=authors,
            )
            for code, unit, title, authors in (
                ("KT-01", unit_a, "Cữ gá may túi", (NAME, CO_AUTHOR)),
                ("KT-02", unit_b, "Bàn là hơi", ("Phạm Ngọc Ánh",)),
                ("KT-03", unit_a, "Máy cắt chỉ", ("Lê Thu Trang",)),
            )
        }
        lead, co_author = exhibits["KT-01"].authors
        lead.job_title, lead.department = "Tổ trưởng", "Xưởng may 2"
        co_author.job_title, co_author.department = "Kỹ thuật viên", "Phòng kỹ thuật"
        panels.set_panels(festival, {(category.id, j.id) for j in (judge, judge_b, hang)}, by=organizer)
        panels.assign_judges(festival, 2, by=organizer)
        c = {criterion.position: criterion.id for criterion in rubric.criteria}
        for sheet in db.session.execute(db.select(ScoreSheet)).scalars():
            a, b, e, s = SCORES[sheet.exhibit.code]
            points = {c[0]: Decimal(a), c[1]: Decimal(b), c[2]: Decimal(e), c[3]: Decimal(s)}
            scoring.submit_sheet(sheet, sheet.judge, scoring.SheetInput("t", 1, points, {c[4]: True}), now)
        policy = policy_for(festival)
        policy.first_prizes, policy.second_prizes, policy.third_prizes = 1, 1, 0
        policy.honourable_share = Decimal("1")
        finalise(festival, by=organizer)
        certificates.issue(festival, CertificateKind.AWARD, date.today(), by=organizer)
        cache = storage.store("certificates")
        for certificate in db.session.execute(db.select(Certificate)).scalars():
            cache.put(printing.cache_key(certificate.id, "a" * 64), f"%PDF {certificate.recipient_name}".encode())
        consents.give_author_consent(lead, how="web", by=organizer, now=now)
        consents.give_author_consent(co_author, how="web", by=organizer, now=now)

        author_role = role_by_code(festival, "author")
        badge = Attendee(
            festival=festival,
            full_name=NAME,
            role=author_role,
            unit=unit_a,
            email=EMAIL,
            phone=PHONE,
            user_id=hang.id,
            organisation="",
            checked_in_at=now,
            checked_in_gate="Cổng chính",
        )
        other = Attendee(
            festival=festival,
            full_name=CO_AUTHOR,
            role=author_role,
            unit=unit_a,
            email="duc.tran@example.vn",
            phone="0987654321",
        )
        db.session.add_all([badge, other])
        db.session.flush()
        consents.give_attendee_consent(badge, VOTE_PHONE, how="web", by=None, now=now)
        db.session.add(VoteDevice(attendee=badge, secret="s" * 43, badge_token=badge.badge_token, address="10.1.2.3"))
        for attendee, exhibit in ((badge, "KT-02"), (other, "KT-02")):
            db.session.add(
                Vote(
                    festival_id=festival.id,
                    attendee=attendee,
                    badge_token=attendee.badge_token,
                    slot=0,
                    exhibit=exhibits[exhibit],
                    source=VoteSource.PHONE,
                    address="10.1.2.3",
                )
            )
        db.session.add(
            CheckIn(
                festival_id=festival.id,
                attendee=badge,
                gate="Cổng chính",
                result=ScanResult.CHECKED_IN,
                nonce="scan-1",
                scanned_at=now,
            )
        )
        db.session.add(
            HeldScan(
                festival_id=festival.id,
                attendee=badge,
                gate="Cổng phụ",
                badge=ScanResult.CHECKED_IN,
                nonce="held-1",
                reason=HoldReason.NO_LIST,
                claimed_at=now,
            )
        )

        accounts.start_session(hang, now, remember=True, user_agent="Firefox")
        accounts.start_session(hang, now, remember=False, user_agent="Chrome")
        db.session.add(SignInFailures(account_key=EMAIL, failures=2, last_failed_at=now))
        db.session.add(SignInFailures(account_key="duc.tran@example.vn", failures=1, last_failed_at=now))
        sent = _message(festival, 1, EMAIL, NAME, user_id=hang.id, status=MailStatus.SENT, sent_at=now)
        queued = _message(festival, 2, EMAIL.upper(), NAME, status=MailStatus.QUEUED)
        kept = _message(festival, 3, "duc.tran@example.vn", CO_AUTHOR, attendee_id=other.id, status=MailStatus.SENT)
        outbox = storage.store("outbox")
        for message in (sent, kept):
            message.outbox_file = f"{message.id:06d}-badge.eml"
            outbox.put(message.outbox_file, f"To: {message.recipient_email}\r\n\r\n{message.body_text}".encode())
        # A copy the sender wrote without its row being updated.
        outbox.put(f"{queued.id:06d}-badge.eml", f"To: {EMAIL}\r\n\r\nSố {PHONE}".encode())
        # Audit rows as the account and badge forms write them: the e-mail and phone among other values.
        audit.record("user.created", hang, by=organizer, after={"email": EMAIL.upper(), "role": "judge"})
        audit.record("attendee.updated", badge, by=organizer, before={"phone": None}, after={"phone": PHONE})
        db.session.commit()
        return {
            "festival": festival.id,
            "user": hang.id,
            "attendee": badge.id,
            "author": lead.id,
            "co_author": co_author.id,
            "other_attendee": other.id,
            "exhibit": exhibits["KT-01"].id,
            "old_token": badge.badge_token,
            "messages": {"sent": sent.id, "queued": queued.id, "kept": kept.id},
            "kept_eml": kept.outbox_file,
        }


def _records(app) -> dict:
    """The festival's record: exhibits, sheets, scores, awards, the frozen results, as plain values."""
    with app.app_context():
        state = {}
        for model in (ScoreSheet, Score, Award, ResultRecord):
            table = model.__table__
            state[table.name] = [
                tuple(row) for row in db.session.execute(sa.select(table).order_by(*table.primary_key))
            ]
        state["exhibits"] = [
            (e.id, e.code, e.title, e.status, e.unit_id, e.booth, e.summary)
            for e in db.session.execute(db.select(Exhibit).order_by(Exhibit.id)).scalars()
        ]
        db.session.remove()
        return state


def _every_text(app) -> dict[str, str]:
    """Every text and JSON value of every table, folded, one string per table."""
    with app.app_context():
        found = {}
        for table in db.metadata.sorted_tables:
            columns = [
                column for column in table.columns if isinstance(column.type, (sa.String, sa.Text, sa.JSON, sa.Enum))
            ]
            if not columns:
                continue
            values = []
            for row in db.session.execute(sa.select(*columns)):
                values += [json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else str(v) for v in row]
            found[table.name] = fold(" ".join(values))
        db.session.remove()
        return found


def _every_stored_object(app) -> dict[str, bytes]:
    with app.app_context():
        return {
            f"{area}/{stored.key}": storage.store(area).read(stored.key)
            for area in storage.AREAS
            for stored in storage.store(area).list()
        }


def _erase(client, scene, reason="Yêu cầu xoá ngày 6/12", confirm="XOÁ"):
    return client.post(
        "/admin/privacy/people/erase",
        data={
            "user": scene["user"],
            "attendee": scene["attendee"],
            "author": scene["author"],
            "reason": reason,
            "confirm": confirm,
        },
    )


def test_erasing_keeps_results_scores_awards_and_the_frozen_record_verifiable(app, client, login_as, scene):
    before = _records(app)
    login_as("organizer")
    assert _erase(client, scene).status_code == 200
    assert _records(app) == before
    with app.app_context():
        record = db.session.execute(db.select(ResultRecord)).scalar_one()
        ratings = [
            rating_of(s.rubric, s.exhibit_id, s.judge_id, {score.criterion_id: score.points for score in s.scores})
            for s in db.session.execute(db.select(ScoreSheet)).scalars()
        ]
        assert record.scores_hash == calibration.ratings_hash(ratings)  # the judge's id is hashed, not the name
        assert {a.exhibit.code: a.tier.value for a in db.session.execute(db.select(Award)).scalars()}["KT-01"] == (
            "first"
        )
        # The erased judge's sheets stay, shown under the general name.
        sheets = db.session.execute(db.select(ScoreSheet).where(ScoreSheet.judge_id == scene["user"])).scalars().all()
        assert sheets and {s.judge.full_name for s in sheets} == {app.config["ERASED_USER_NAME"]}
    public = client.get("/results").get_data(as_text=True)
    assert "Cữ gá may túi" in public and "Giải Nhất" in public and NAME not in public
    exhibit_page = client.get(f"/e/{scene['exhibit']}").get_data(as_text=True)
    assert "Cữ gá may túi" in exhibit_page and CO_AUTHOR in exhibit_page and NAME not in exhibit_page


def test_erasing_revokes_the_certificate_and_its_verify_page_names_no_one(app, client, login_as, scene):
    with app.app_context():
        mine, theirs = (
            db.session.execute(db.select(Certificate).where(Certificate.recipient_name == name)).scalar_one()
            for name in (NAME, CO_AUTHOR)
        )
        mine_id, mine_code, theirs_id, theirs_code = (
            mine.id,
            mine.verification_code,
            theirs.id,
            theirs.verification_code,
        )
    login_as("organizer")
    _erase(client, scene)
    client.post("/auth/logout")
    with app.app_context():
        mine, theirs = db.session.get(Certificate, mine_id), db.session.get(Certificate, theirs_id)
        assert (mine.status, mine.reason) == (CertificateStatus.REVOKED, "Xoá dữ liệu cá nhân theo yêu cầu")
        assert mine.recipient_name == "Tác giả đã xoá dữ liệu" and fold(NAME) not in mine.search_text
        assert (theirs.status, theirs.recipient_name) == (CertificateStatus.VALID, CO_AUTHOR)
        # Issuing again gives no one a certificate in the erased name.
        assert (
            certificates.issue(
                db.session.get(Festival, scene["festival"]), CertificateKind.AWARD, date.today(), None
            ).added
            == 0
        )
    page = client.get(f"/verify/{mine_code}").get_data(as_text=True)
    assert "Giấy chứng nhận đã bị thu hồi" in page and "Xoá dữ liệu cá nhân theo yêu cầu" in page
    assert NAME not in page and "Tác giả đã xoá dữ liệu" not in page and "Người nhận" not in page
    assert "Cữ gá may túi" not in page
    assert CO_AUTHOR in client.get(f"/verify/{theirs_code}").get_data(as_text=True)
    with app.app_context():
        cached = {stored.key for stored in storage.store("certificates").list()}
    assert not any(key.startswith(f"{mine_id}-") for key in cached)
    assert any(key.startswith(f"{theirs_id}-") for key in cached)


def test_the_phone_and_e_mail_are_nowhere_in_the_database_nor_in_any_stored_file(app, client, login_as, scene):
    texts = _every_text(app)
    assert fold(PHONE) in texts["attendees"] and fold(EMAIL) in texts["users"] and fold(EMAIL) in texts["mail_messages"]
    assert PHONE.encode() in _every_stored_object(app)[f"outbox/{scene['messages']['queued']:06d}-badge.eml"]
    login_as("organizer")
    assert _erase(client, scene).status_code == 200
    for table, text in _every_text(app).items():
        assert fold(PHONE) not in text and fold(EMAIL) not in text, table
        if table != "audit_log":  # older audit rows are the legal record, never rewritten
            assert fold(NAME) not in text, table
    for key, data in _every_stored_object(app).items():
        assert PHONE.encode() not in data and EMAIL.encode() not in data.lower(), key
        assert NAME.encode() not in data, key
    objects = _every_stored_object(app)
    assert f"outbox/{scene['messages']['sent']:06d}-badge.eml" not in objects
    assert f"outbox/{scene['kept_eml']}" in objects  # another person's message stays


def test_erasing_unlinks_the_badge_vote_and_arrivals_and_closes_the_account(app, client, auth, login_as, scene):
    login_as("organizer")
    page = _erase(client, scene).get_data(as_text=True)
    assert "Đã xoá dữ liệu" in page and "Yêu cầu xoá ngày 6/12" in page and "Nhật ký thao tác" in page
    with app.app_context():
        badge = db.session.get(Attendee, scene["attendee"])
        assert (badge.full_name, badge.phone, badge.email, badge.organisation, badge.person_key) == (
            "Người tham dự đã xoá dữ liệu",
            None,
            None,
            "",
            None,
        )
        assert badge.badge_token != scene["old_token"]
        attendee, revoked = find_by_token(scene["old_token"])
        assert attendee is None and revoked.reason == "Xoá dữ liệu cá nhân theo yêu cầu"
        assert db.session.get(VoteDevice, scene["attendee"]) is None
        votes = db.session.execute(db.select(Vote).order_by(Vote.id)).scalars().all()
        assert [(v.withdrawn_at, v.exhibit.code) for v in votes] == [(None, "KT-02"), (None, "KT-02")]  # still counted
        assert votes[0].address == "" and votes[1].address == "10.1.2.3"
        scans = db.session.execute(db.select(CheckIn)).scalars().all()
        assert len(scans) == 1 and scans[0].attendee_id is None and scans[0].gate == "Cổng chính"
        assert db.session.execute(db.select(HeldScan)).scalar_one().attendee_id is None
        other = db.session.get(Attendee, scene["other_attendee"])
        assert (other.full_name, other.phone) == (CO_AUTHOR, "0987654321")

        user = db.session.get(User, scene["user"])
        assert not user.is_active and user.email == f"erased-{user.id}@invalid" and user.password_hash is None
        assert user.full_name == "Người dùng đã xoá dữ liệu" and user.sessions_ended_at is not None
        assert not db.session.execute(db.select(UserSession).where(UserSession.user_id == user.id)).first()
        assert [f.account_key for f in db.session.execute(db.select(SignInFailures)).scalars()] == [
            "duc.tran@example.vn"
        ]

        messages = {key: db.session.get(MailMessage, i) for key, i in scene["messages"].items()}
        assert [
            (m.recipient_email, m.body_text, m.facts, m.outbox_file) for key, m in messages.items() if key != "kept"
        ] == [("erased@invalid", "", {}, None)] * 2
        assert messages["queued"].status is MailStatus.FAILED and messages["sent"].status is MailStatus.SENT
        assert messages["kept"].recipient_email == "duc.tran@example.vn" and messages["kept"].body_text

        lead, co_author = db.session.get(Author, scene["author"]), db.session.get(Author, scene["co_author"])
        assert (lead.full_name, lead.job_title, lead.department) == ("Tác giả đã xoá dữ liệu", "", "")
        assert (co_author.full_name, co_author.job_title, co_author.department) == (
            CO_AUTHOR,
            "Kỹ thuật viên",
            "Phòng kỹ thuật",
        )
        assert fold(CO_AUTHOR) in lead.exhibit.search_text and fold(NAME) not in lead.exhibit.search_text

        kept = db.session.execute(db.select(Consent).order_by(Consent.id)).scalars().all()
        mine = [c for c in kept if c.author_id == scene["author"] or c.attendee_id == scene["attendee"]]
        assert len(mine) == 2 and all(c.withdrawn_at is not None for c in mine)
        assert {c.subject_name for c in mine} == {"Tác giả đã xoá dữ liệu", "Người tham dự đã xoá dữ liệu"}
        assert [c.subject_name for c in kept if c.author_id == scene["co_author"]] == [CO_AUTHOR]

        entry = db.session.execute(db.select(AuditLog).where(AuditLog.action == "privacy.person_erased")).scalar_one()
        assert entry.after["user_ids"] == [scene["user"]] and entry.after["counts"]["certificates"] == 1
        assert entry.after["counts"]["mail_messages"] == 2 and entry.after["counts"]["store: outbox"] == 2
        written = fold(json.dumps(entry.after, ensure_ascii=False))
        assert fold(NAME) not in written and fold(EMAIL) not in written and "6/12" not in written
    client.post("/auth/logout")
    assert auth.login(EMAIL).status_code != 302  # the account cannot be signed into


def test_the_erase_page_shows_what_changes_and_asks_for_a_reason_and_the_typed_word(app, client, login_as, scene):
    login_as("organizer")
    query = f"?user={scene['user']}&attendee={scene['attendee']}&author={scene['author']}"
    page = client.get(f"/admin/privacy/people/erase{query}").get_data(as_text=True)
    assert NAME in page and "Cữ gá may túi" in page and EMAIL in page and "data-confirm=" in page
    assert 'id="change-certificates"' in page and "Thu hồi" in page and "Nhật ký thao tác" in page
    before = _every_text(app)
    refused = _erase(client, scene, reason="Chị Hằng yêu cầu", confirm="đồng ý")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Hãy gõ XOÁ để xác nhận." in text and "Chị Hằng yêu cầu" in text
    assert _every_text(app) == before
    assert _erase(client, scene, reason="", confirm="XOÁ").status_code == 422
    assert _every_text(app) == before
    assert "Chưa chọn ai" in client.get("/admin/privacy/people/erase").get_data(as_text=True)


def test_an_organizer_cannot_erase_their_own_account(app, client, login_as, people):
    login_as("organizer")
    response = client.post(
        "/admin/privacy/people/erase",
        data={"user": people["ids"]["organizer_user"], "reason": "Thử", "confirm": "xoa"},
    )
    assert response.status_code == 422
    assert "Bạn không thể tự xoá dữ liệu tài khoản của chính mình." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, people["ids"]["organizer_user"]).is_active


def test_erasing_one_badge_alone_finds_its_mail_by_address(app, scene):
    with app.app_context():
        organizer = db.session.execute(db.select(User).where(User.role == Role.ORGANIZER)).scalar_one()
        person = person_from_ids(attendee_ids=[scene["attendee"]])
        planned = erasure.preview(person)
        assert planned.counts["mail_messages"] == 2 and planned.counts["users"] == 0
        report = erasure.erase(person, reason="Yêu cầu", by=organizer, now=utcnow())
        db.session.commit()
        assert report.counts == planned.counts
        assert db.session.get(User, scene["user"]).is_active  # the account was not chosen


# Corrections ---------------------------------------------------------------------------------------------


def _corrections(app) -> list[tuple]:
    with app.app_context():
        return [
            (entry.object_type, entry.before, entry.after)
            for entry in db.session.execute(
                db.select(AuditLog).where(AuditLog.action == "privacy.corrected").order_by(AuditLog.id)
            ).scalars()
        ]


def test_corrections_are_audited_with_the_changed_fields_before_and_after(app, scene):
    with app.app_context():
        organizer = db.session.execute(db.select(User).where(User.role == Role.ORGANIZER)).scalar_one()
        author = db.session.get(Author, scene["co_author"])
        assert corrections.correct_author(
            author, full_name="  Trần  Văn Đức ", job_title="Kỹ sư", department="Phòng kỹ thuật", by=organizer
        ) == {"job_title": "Kỹ sư"}
        badge = db.session.get(Attendee, scene["other_attendee"])
        changed = corrections.correct_attendee(
            badge, full_name=CO_AUTHOR, phone="+84 987 654 322", email="Duc.Tran@Example.VN", by=organizer
        )
        assert changed == {"phone": "0987654322"}
        user = db.session.get(User, scene["user"])
        assert corrections.correct_user(user, full_name="Nguyễn Thị Thu Hằng", by=organizer) == {
            "full_name": "Nguyễn Thị Thu Hằng"
        }
        assert corrections.correct_user(user, full_name="Nguyễn Thị Thu Hằng", by=organizer) == {}
        db.session.commit()
        assert "0987654322" in db.session.get(Attendee, scene["other_attendee"]).search_text
        assert fold("Nguyễn Thị Thu Hằng") in db.session.get(User, scene["user"]).search_text
    assert _corrections(app) == [
        ("authors", {"job_title": "Kỹ thuật viên"}, {"job_title": "Kỹ sư"}),
        ("attendees", {"phone": "0987654321"}, {"phone": "0987654322"}),
        ("users", {"full_name": NAME}, {"full_name": "Nguyễn Thị Thu Hằng"}),
    ]


def test_a_refused_correction_says_why_keeps_what_was_typed_and_changes_nothing(app, client, login_as, scene):
    login_as("organizer")
    url = f"/admin/privacy/people/correct?attendee={scene['other_attendee']}&author={scene['co_author']}"
    page = client.get(url).get_data(as_text=True)
    assert CO_AUTHOR in page and "0987654321" in page and "Kỹ thuật viên" in page
    prefix = f"attendee{scene['other_attendee']}"
    response = client.post(
        url,
        data={
            "kind": "attendee",
            "id": scene["other_attendee"],
            f"{prefix}-full_name": "Trần Văn Đức Anh",
            f"{prefix}-phone": PHONE,  # Hằng's badge has it
            f"{prefix}-email": "duc.tran@example.vn",
        },
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert f"Đã có {NAME} với cùng e-mail hoặc số điện thoại." in text and "Trần Văn Đức Anh" in text
    response = client.post(
        url,
        data={
            "kind": "attendee",
            "id": scene["other_attendee"],
            f"{prefix}-full_name": "Trần Văn Đức",
            f"{prefix}-phone": "12",
        },
    )
    assert response.status_code == 422 and "Số điện thoại không hợp lệ" in response.get_data(as_text=True)
    assert _corrections(app) == []
    response = client.post(
        url,
        data={
            "kind": "author",
            "id": scene["co_author"],
            f"author{scene['co_author']}-full_name": "Trần Văn Đức Anh",
            f"author{scene['co_author']}-job_title": "Kỹ thuật viên",
            f"author{scene['co_author']}-department": "Phòng kỹ thuật",
        },
    )
    location = response.headers["Location"]
    assert response.status_code == 302 and f"attendee={scene['other_attendee']}" in location
    assert _corrections(app) == [("authors", {"full_name": CO_AUTHOR}, {"full_name": "Trần Văn Đức Anh"})]
    assert "Chưa chọn ai" in client.get("/admin/privacy/people/correct").get_data(as_text=True)


def test_an_erased_author_gets_no_badge_when_attendees_are_synchronised(app, scene):
    with app.app_context():
        organizer = db.session.execute(db.select(User).where(User.role == Role.ORGANIZER)).scalar_one()
        erasure.erase(person_from_ids(author_ids=[scene["author"]]), reason="Yêu cầu", by=organizer, now=utcnow())
        festival = db.session.get(Festival, scene["festival"])
        sync_automatic(festival, by=organizer)
        names = set(db.session.execute(db.select(Attendee.full_name)).scalars())
        assert "Tác giả đã xoá dữ liệu" not in names and CO_AUTHOR in names


def test_the_pages_with_a_person_chosen_are_valid_html(app, client, login_as, scene, tmp_path):
    login_as("organizer")
    query = f"?user={scene['user']}&attendee={scene['attendee']}&author={scene['author']}"
    prefix = f"attendee{scene['attendee']}"
    pages = {
        "correct": client.get(f"/admin/privacy/people/correct{query}"),
        "correct-refused": client.post(
            f"/admin/privacy/people/correct{query}",
            data={"kind": "attendee", "id": scene["attendee"], f"{prefix}-full_name": "", f"{prefix}-phone": "12"},
        ),
        "erase": client.get(f"/admin/privacy/people/erase{query}"),
        "erase-refused": _erase(client, scene, confirm=""),
        "erased": _erase(client, scene),
    }
    assert [response.status_code for response in pages.values()] == [200, 422, 200, 422, 200]
    files = []
    for name, response in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(response.get_data(as_text=True), encoding="utf-8")
        files.append(str(path))
    checked = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(checked.stderr or checked.stdout or '{"messages": []}')["messages"]
    assert [f"{Path(m['url']).stem}: {m['message']} — {m.get('extract', '')[:100]!r}" for m in messages] == []
