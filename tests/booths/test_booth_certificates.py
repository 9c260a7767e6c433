"""Booth-prize certificates: one per awarded unit, with no exhibit, issued once the booth results are final,
whose PDF names the unit and its prize exactly, diacritics and all."""

from datetime import date

import pytest

from festival.booths import results
from festival.certificates import printing, services
from festival.core.errors import NotAllowed
from festival.core.extensions import db
from festival.models import Certificate, CertificateKind, CertificateStatus, Festival, Unit, User
from tests.booths.test_booth_results import score_the_example
from tests.pdf_tools import page_texts

BOOTH = CertificateKind.BOOTH_AWARD


def finalise(app, booth_world, prizes=(1, 1, 0, 1)):
    with app.app_context():
        festival = db.session.get(Festival, booth_world["festival"])
        organizer = db.session.get(User, booth_world["organizer"])
        results.set_booth_quotas(festival, prizes, by=organizer)
        results.finalise_booths(festival, by=organizer)
        db.session.commit()


def issue(app, booth_world):
    with app.app_context():
        festival = db.session.get(Festival, booth_world["festival"])
        issued = services.issue(festival, BOOTH, date(2026, 12, 8), by=None)
        db.session.commit()
        return issued


def test_booth_certificates_wait_for_the_booth_results(app, booth_world):
    score_the_example(app, booth_world)
    with app.app_context(), pytest.raises(NotAllowed, match="giải gian hàng đã chốt"):
        services.issue(db.session.get(Festival, booth_world["festival"]), BOOTH, date(2026, 12, 8), by=None)


def test_each_awarded_unit_gets_one_booth_certificate_whose_pdf_names_it_and_its_prize(app, booth_world):
    score_the_example(app, booth_world)
    finalise(app, booth_world)
    assert (issue(app, booth_world).added, issue(app, booth_world).added) == (3, 0)  # issuing twice adds nothing
    with app.app_context():
        festival = db.session.get(Festival, booth_world["festival"])
        certificates = services.for_printing(festival, kind=BOOTH)
        assert [(c.recipient_name, c.tier.value, c.exhibit_id, c.recipient_key) for c in certificates] == [
            ("Tổng Công ty May Đức Giang", "first", None, "booth"),
            ("Tổng Công ty May Việt Tiến", "second", None, "booth"),
            ("Công ty Cổ phần Dệt 10/10", "honourable", None, "booth"),
        ]
        texts = page_texts(printing.render_certificates(certificates))
    first, second, honourable = texts
    assert "GIẤY CHỨNG NHẬN" in first and "Chứng nhận đơn vị" in first
    assert "Tổng Công ty May Đức Giang" in first and "Đạt Giải Nhất gian hàng tiêu biểu" in first
    assert "Ngày hội Lao động sáng tạo ngành Dệt May lần thứ III" in first
    assert "Tổng Công ty May Việt Tiến" in second and "Đạt Giải Nhì gian hàng tiêu biểu" in second
    assert "Công ty Cổ phần Dệt 10/10" in honourable and "Đạt Giải Khuyến khích gian hàng tiêu biểu" in honourable


def test_a_booth_prize_changed_after_issuing_gets_a_corrected_certificate(app, booth_world):
    score_the_example(app, booth_world)
    finalise(app, booth_world)
    issue(app, booth_world)
    with app.app_context():
        festival = db.session.get(Festival, booth_world["festival"])
        organizer = db.session.get(User, booth_world["organizer"])
        results.reopen_booth_results(festival, "Phúc khảo", by=organizer)
        unit_c = db.session.get(Unit, booth_world["units"]["UNITC"])
        results.set_booth_tier(festival, unit_c, results.AwardTier.THIRD, "Hội đồng thống nhất", by=organizer)
        results.finalise_booths(festival, by=organizer)
        db.session.commit()
    assert issue(app, booth_world).corrected == 1
    with app.app_context():
        of_c = db.session.execute(
            db.select(Certificate).where(Certificate.unit_id == booth_world["units"]["UNITC"]).order_by(Certificate.id)
        ).scalars()
        assert [(c.status, c.tier.value) for c in of_c] == [
            (CertificateStatus.SUPERSEDED, "honourable"),
            (CertificateStatus.VALID, "third"),
        ]


def test_the_certificate_pages_show_a_booth_certificate(app, booth_world, login_as):
    score_the_example(app, booth_world)
    finalise(app, booth_world)
    issue(app, booth_world)
    with app.app_context():
        certificate = db.session.execute(db.select(Certificate).order_by(Certificate.id)).scalars().first()
        certificate_id, code = certificate.id, certificate.verification_code
    client = login_as("organizer")
    for path, shown in [
        ("/certificates/", "Gian hàng của đơn vị"),
        (f"/certificates/{certificate_id}", "Giải gian hàng"),
        (f"/verify/{code}", "Giải gian hàng"),
        ("/admin/mail/send/certificates/confirm", "Gian hàng của đơn vị"),
    ]:
        response = client.get(path)
        assert response.status_code == 200 and shown in response.get_data(as_text=True), path
    assert client.get(f"/certificates/{certificate_id}.pdf").status_code == 200
    assert client.get("/certificates/templates/booth_award").status_code == 200
