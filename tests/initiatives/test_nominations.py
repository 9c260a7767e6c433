"""Nominations: a recognised initiative carried into an exhibit of the current festival with its authors, texts,
benefit and files, linked both ways; the refusals; the recognition on exhibit pages and certificates; the
closing tally."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from festival.certificates import printing
from festival.certificates import services as certificates
from festival.core import uploads
from festival.core.extensions import db
from festival.initiatives import nominations
from festival.judging.policy import policy_for
from festival.models import (
    Application,
    Attachment,
    AuditLog,
    Award,
    AwardTier,
    Category,
    CertificateKind,
    CertificateTemplate,
    Exhibit,
    ExhibitStatus,
    Festival,
    Initiative,
    InitiativeAuthor,
    InitiativeBenefit,
    InitiativeFile,
    InitiativeState,
    RecognitionLevel,
    Unit,
    User,
    utcnow,
)
from tests import factories
from tests.pdf_tools import page_texts


def _file(initiative: Initiative, name: str, data: bytes) -> None:
    stored = uploads.store_upload(data, name, folder="initiatives")
    initiative.files.append(
        InitiativeFile(
            original_name=name,
            stored_name=stored.stored_name,
            thumbnail_name=stored.thumbnail_name,
            content_type=stored.content_type,
            size=stored.size,
            width=stored.width,
            height=stored.height,
        )
    )


def make_initiative(unit_id: int, number: int = 15, **values) -> Initiative:
    """A recognised initiative of 2026 with two authors, a first year's benefit, a photo and a PDF."""
    initiative = Initiative(
        unit_id=unit_id,
        year=values.pop("year", 2026),
        number=number,
        title=values.pop("title", "Cữ gá may túi áo tự động"),
        department="Xí nghiệp May 1",
        problem="Túi áo may lệch, phải tháo ra may lại.",
        solution="Cữ gá định vị túi bằng nam châm.",
        effect_summary="Giảm 40 % hàng lỗi túi áo.",
        first_applied_on=date(2025, 9, 1),
        application=Application.FULL,
        state=values.pop("state", InitiativeState.RECOGNISED),
        decision_number="12/QĐ-HĐSK",
        decided_on=date(2026, 3, 15),
        level=RecognitionLevel.BASE,
        **values,
    )
    initiative.authors = [
        InitiativeAuthor(position=0, full_name="Nguyễn Thị Hoà", job_title="Tổ trưởng", department="Tổ may 3"),
        InitiativeAuthor(position=1, full_name="Trần Văn Bình", job_title="Thợ cơ khí", share_percent=40),
    ]
    initiative.benefits = [
        InitiativeBenefit(year_index=1, benefit_vnd=180_000_000),
        InitiativeBenefit(year_index=2, benefit_vnd=200_000_000),
    ]
    db.session.add(initiative)
    _file(initiative, "anh-cu-ga.jpg", factories.jpeg_bytes(800, 600))
    _file(initiative, "thuyet-minh.pdf", factories.pdf_bytes())
    db.session.flush()
    return initiative


@pytest.fixture
def recognised(app, people):
    with app.app_context():
        initiative = make_initiative(people["ids"]["unit_a"])
        db.session.commit()
        return initiative.id


def _nominate(client, initiative_id, category_id):
    return client.post(f"/initiatives/{initiative_id}/nominate", data={"category": category_id})


def test_unit_nominates_a_recognised_initiative_and_nothing_is_retyped(app, people, login_as, recognised):
    client = login_as("unit_a")
    assert f"/initiatives/{recognised}/nominate" in client.get(f"/initiatives/{recognised}").get_data(as_text=True)
    page = client.get(f"/initiatives/{recognised}/nominate").get_data(as_text=True)
    assert "Cữ gá may túi áo tự động" in page and "Nguyễn Thị Hoà" in page and "thuyet-minh.pdf" in page
    response = _nominate(client, recognised, people["ids"]["category"])
    assert response.status_code == 302
    with app.app_context():
        initiative = db.session.get(Initiative, recognised)
        exhibit = initiative.exhibit
        assert response.headers["Location"].endswith(f"/exhibits/{exhibit.id}")
        assert exhibit.initiative is initiative and exhibit.status is ExhibitStatus.DRAFT
        assert (exhibit.festival_id, exhibit.unit_id, exhibit.category_id) == (
            people["ids"]["festival"],
            people["ids"]["unit_a"],
            people["ids"]["category"],
        )
        assert exhibit.title == "Cữ gá may túi áo tự động"
        assert exhibit.summary == "Giảm 40 % hàng lỗi túi áo."
        assert exhibit.problem == "Túi áo may lệch, phải tháo ra may lại."
        assert exhibit.solution == "Cữ gá định vị túi bằng nam châm."
        assert exhibit.benefit_vnd == 180_000_000 and exhibit.applied_since == 2025
        assert exhibit.scope.value == "own_unit"
        assert [(a.position, a.full_name, a.job_title, a.department) for a in exhibit.authors] == [
            (0, "Nguyễn Thị Hoà", "Tổ trưởng", "Tổ may 3"),
            (1, "Trần Văn Bình", "Thợ cơ khí", ""),
        ]
        # The files are copies under new keys: deleting the initiative's would not touch the exhibit's.
        old_keys = {f.stored_name for f in initiative.files} | {f.thumbnail_name for f in initiative.files}
        photo, document = sorted(exhibit.attachments, key=lambda a: a.content_type, reverse=True)
        assert (photo.original_name, photo.content_type) == ("anh-cu-ga.jpg", "image/jpeg")
        assert (document.original_name, document.content_type) == ("thuyet-minh.pdf", "application/pdf")
        assert photo.thumbnail_name and photo.width == 800
        for key in (photo.stored_name, photo.thumbnail_name, document.stored_name):
            assert key not in old_keys and uploads.read_stored(key)
        assert uploads.read_stored(document.stored_name) == factories.pdf_bytes()
        entry = db.session.execute(db.select(AuditLog).where(AuditLog.action == "initiative.nominated")).scalar_one()
        assert entry.object_id == recognised and entry.after["exhibit_id"] == exhibit.id
        exhibit_id = exhibit.id
    page = client.get(f"/exhibits/{exhibit_id}").get_data(as_text=True)
    assert "Sáng kiến được công nhận:" in page and "QĐ số 12/QĐ-HĐSK ngày 15/03/2026" in page
    assert "cấp cơ sở" in page and "SK-2026-015" in page
    register = client.get("/initiatives/").get_data(as_text=True)
    assert f"/exhibits/{exhibit_id}" in register
    shown = client.get(f"/initiatives/{recognised}").get_data(as_text=True)
    assert f"/exhibits/{exhibit_id}" in shown and f"/initiatives/{recognised}/nominate" not in shown
    listed = client.get("/initiatives/nominations").get_data(as_text=True)
    assert f"/exhibits/{exhibit_id}" in listed and f"/initiatives/{recognised}/nominate" not in listed


def test_organizer_nominates_for_any_unit_and_sees_it_on_the_organizer_view(app, people, login_as, recognised):
    client = login_as("organizer")
    assert f"/initiatives/{recognised}/nominate" in client.get("/initiatives/nominations").get_data(as_text=True)
    assert _nominate(client, recognised, people["ids"]["category"]).status_code == 302
    with app.app_context():
        exhibit = db.session.get(Initiative, recognised).exhibit
        assert exhibit.created_by_id == people["ids"]["organizer_user"]
        exhibit_id = exhibit.id
    assert "QĐ số 12/QĐ-HĐSK" in client.get(f"/exhibits/{exhibit_id}").get_data(as_text=True)


def test_the_public_page_shows_the_recognition_once_accepted(app, client, people, login_as, recognised):
    _nominate(login_as("unit_a"), recognised, people["ids"]["category"])
    with app.app_context():
        exhibit = db.session.get(Initiative, recognised).exhibit
        exhibit_id = exhibit.id
        assert client.get(f"/e/{exhibit_id}").status_code == 404  # a draft is not public
        exhibit.status, exhibit.code = ExhibitStatus.ACCEPTED, "KT-07"
        db.session.commit()
    client.post("/auth/logout")
    page = client.get(f"/e/{exhibit_id}").get_data(as_text=True)
    assert "Sáng kiến được công nhận:" in page and "QĐ số 12/QĐ-HĐSK ngày 15/03/2026" in page
    assert "SK-2026-015" in page


def _refused(client, initiative_id, category_id, message, status=422):
    response = _nominate(client, initiative_id, category_id)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def _exhibits(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Exhibit))


@pytest.mark.parametrize(
    "change, message",
    [
        ({"state": InitiativeState.APPLIED}, "Chỉ sáng kiến đã được hội đồng công nhận"),
        ({"is_trade_secret": True}, "bí mật kinh doanh"),
    ],
)
def test_an_initiative_not_recognised_or_a_trade_secret_is_refused(app, people, login_as, change, message):
    with app.app_context():
        initiative_id = make_initiative(people["ids"]["unit_a"], **change).id
        db.session.commit()
    _refused(login_as("unit_a"), initiative_id, people["ids"]["category"], message)
    assert _exhibits(app) == 0


def test_an_initiative_is_nominated_once_unless_its_exhibit_was_withdrawn(app, people, login_as, recognised):
    client = login_as("unit_a")
    assert _nominate(client, recognised, people["ids"]["category"]).status_code == 302
    _refused(client, recognised, people["ids"]["category"], "Sáng kiến đã được đề cử thành sáng kiến trưng bày")
    assert _exhibits(app) == 1
    with app.app_context():
        db.session.get(Initiative, recognised).exhibit.status = ExhibitStatus.WITHDRAWN
        db.session.commit()
    assert _nominate(client, recognised, people["ids"]["category"]).status_code == 302
    assert _exhibits(app) == 2


def test_registration_closed_and_a_full_quota_refuse_with_the_exhibits_messages(app, people, login_as, recognised):
    client = login_as("unit_a")
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        festival.registration_closes_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    _refused(client, recognised, people["ids"]["category"], "Đã hết thời gian đăng ký sáng kiến.", status=422)
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        festival.registration_closes_at = utcnow() + timedelta(days=3)
        festival.exhibit_quota = 1
        factories.make_exhibit(
            festival,
            db.session.get(Unit, people["ids"]["unit_a"]),
            db.session.get(Category, people["ids"]["category"]),
        )
        db.session.commit()
    _refused(client, recognised, people["ids"]["category"], "đã đăng ký đủ 1 sáng kiến")
    assert _exhibits(app) == 1
    with app.app_context():
        assert db.session.get(Initiative, recognised).exhibit_id is None


def test_a_missing_file_is_a_clear_refusal_and_nothing_is_half_created(app, people, login_as, recognised):
    with app.app_context():
        initiative = db.session.get(Initiative, recognised)
        uploads.delete_stored(initiative.files[1].stored_name)
        stored_before = db.session.scalar(db.select(db.func.count()).select_from(Attachment))
    _refused(login_as("unit_a"), recognised, people["ids"]["category"], "Tệp “thuyet-minh.pdf” của sáng kiến không còn")
    assert _exhibits(app) == 0
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == stored_before == 0
        assert db.session.get(Initiative, recognised).exhibit_id is None


def test_other_units_and_other_roles_cannot_nominate(app, people, auth, login_as, recognised):
    client = login_as("unit_b")
    assert client.get(f"/initiatives/{recognised}/nominate").status_code == 404
    assert _nominate(client, recognised, people["ids"]["category"]).status_code == 404
    assert "Cữ gá may túi áo tự động" not in client.get("/initiatives/nominations").get_data(as_text=True)
    for role in ("support_a", "judge"):
        auth.logout()
        assert login_as(role).get(f"/initiatives/{recognised}/nominate").status_code == 403
    assert _exhibits(app) == 0


def test_recognition_line_reads_as_the_decision():
    initiative = Initiative(
        year=2026,
        number=1,
        state=InitiativeState.RECOGNISED,
        decision_number="05/QĐ-CTY",
        decided_on=date(2026, 1, 9),
        level=RecognitionLevel.SECTOR,
    )
    assert (
        nominations.recognition_line(initiative)
        == "Sáng kiến được công nhận: QĐ số 05/QĐ-CTY ngày 09/01/2026, cấp ngành"
    )
    initiative.state = InitiativeState.APPLIED
    assert nominations.recognition_line(initiative) == ""
    assert nominations.recognition_line(None) == ""


def test_a_certificate_prints_the_recognition_of_a_nominated_exhibit(app, people, login_as, recognised):
    _nominate(login_as("unit_a"), recognised, people["ids"]["category"])
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        nominated = db.session.get(Initiative, recognised).exhibit
        nominated.status, nominated.code = ExhibitStatus.ACCEPTED, "KT-01"
        plain = factories.make_exhibit(
            festival,
            db.session.get(Unit, people["ids"]["unit_b"]),
            db.session.get(Category, people["ids"]["category"]),
            status=ExhibitStatus.ACCEPTED,
            code="KT-02",
            authors=("Lê Thu Trang",),
        )
        template = db.session.execute(
            db.select(CertificateTemplate).where(
                CertificateTemplate.festival_id == festival.id,
                CertificateTemplate.kind == CertificateKind.PARTICIPATION,
            )
        ).scalar_one()
        template.body = "Tác giả sáng kiến “{exhibit}”\n{recognition}\ntại {festival}."
        certificates.issue(festival, CertificateKind.PARTICIPATION, date(2026, 6, 15), by=None)
        db.session.commit()
        plain_id = plain.id
    with app.test_request_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        ordered = certificates.for_printing(festival, kind=CertificateKind.PARTICIPATION)
        texts = dict(zip([c.exhibit_id for c in ordered], page_texts(printing.render_certificates(ordered))))
        assert certificates.values_for(next(c for c in ordered if c.exhibit_id == plain_id))["recognition"] == ""
    nominated_texts = [text for exhibit_id, text in texts.items() if exhibit_id != plain_id]
    assert len(texts) == 2 and nominated_texts
    assert "Sáng kiến được công nhận: QĐ số 12/QĐ-HĐSK ngày 15/03/2026, cấp cơ sở" in nominated_texts[0]
    assert "Sáng kiến được công nhận" not in texts[plain_id]


def test_closing_tally_joins_the_register_to_the_festivals_results(app, people, auth, login_as):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        category = db.session.get(Category, people["ids"]["category"])
        year = festival.starts_on.year
        unit_a, unit_b = people["ids"]["unit_a"], people["ids"]["unit_b"]
        first = make_initiative(unit_a, 1, year=year, title="Máy cắt vải tự động")
        second = make_initiative(unit_a, 2, year=year, title="Băng tải treo")
        make_initiative(unit_a, 3, year=year, title="Chưa đề cử")
        make_initiative(unit_a, 4, year=year, state=InitiativeState.APPLIED, title="Chưa công nhận")
        make_initiative(unit_b, 1, year=year, title="Bàn là hơi")
        organizer = db.session.get(User, people["ids"]["organizer_user"])
        winner = nominations.nominate(first, festival, category, by=organizer, now=utcnow())
        other = nominations.nominate(second, festival, category, by=organizer, now=utcnow())
        winner.status, other.status = ExhibitStatus.ACCEPTED, ExhibitStatus.SUBMITTED
        db.session.add(Award(festival=festival, exhibit=winner, tier=AwardTier.SECOND, rank=1, score=Decimal("88")))
        db.session.commit()
        tally = nominations.closing_tally(festival, None)
        rows = {row.unit.id: row for row in tally.rows}
        assert (rows[unit_a].recognised, rows[unit_a].nominated, rows[unit_a].accepted) == (3, 2, 1)
        assert rows[unit_a].prizes == {}  # results not final yet
        assert (rows[unit_b].recognised, rows[unit_b].nominated) == (1, 0)
        policy_for(festival).finalised_at = utcnow()
        db.session.commit()
        tally = nominations.closing_tally(festival, None)
        assert {row.unit.id: row.prizes for row in tally.rows}[unit_a] == {AwardTier.SECOND: 1}
        assert (tally.total.recognised, tally.total.nominated, tally.total.accepted) == (4, 2, 1)
    page = login_as("organizer").get("/initiatives/closing-tally").get_data(as_text=True)
    assert "Đức Giang" in page and "Việt Tiến" in page and "Máy cắt vải tự động" in page and "Giải Nhì" in page
    auth.logout()
    page = login_as("unit_b").get("/initiatives/closing-tally").get_data(as_text=True)
    assert "Việt Tiến" in page and "Đức Giang" not in page and "Máy cắt vải tự động" not in page
    auth.logout()
    assert login_as("support_a").get("/initiatives/closing-tally").status_code == 403
