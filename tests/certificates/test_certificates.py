"""Certificates: issuing, serials, exact text, QR to the verify page, states, injection, access."""

import io
import socket
import zipfile
from datetime import date

import pytest

from festival.certificates import printing, services
from festival.core.errors import NotAllowed
from festival.core.extensions import db
from festival.models import (
    AuditLog,
    Award,
    AwardTier,
    Certificate,
    CertificateKind,
    CertificateStatus,
    Festival,
    JudgingPolicy,
)
from tests.badges.test_badge_pdf import wait_for_job
from tests.pdf_tools import page_count, page_qr_codes, page_texts


def issue(app, festival_id, kind=CertificateKind.AWARD):
    with app.app_context():
        festival = db.session.get(Festival, festival_id)
        result = services.issue(festival, kind, date(2022, 6, 15), by=None)
        db.session.commit()
        return result


def certificates(app):
    with app.app_context():
        return [
            (c.serial, c.recipient_name, c.kind, c.tier, c.status)
            for c in db.session.execute(db.select(Certificate).order_by(Certificate.number)).scalars()
        ]


def test_award_certificates_go_to_each_author_once_with_serials(app, awarded):
    assert issue(app, awarded["festival"]).added == 3
    assert issue(app, awarded["festival"]).added == 0  # issuing again adds nothing
    rows = certificates(app)
    edition = 1
    with app.app_context():
        festival = db.session.get(Festival, awarded["festival"])
        edition, year = festival.edition, festival.starts_on.year
    assert [r[0] for r in rows] == [f"LĐST{edition}-{year}-0000{n}" for n in (1, 2, 3)]
    assert sorted(r[1] for r in rows) == ["Nguyễn Thị Hằng", "Phạm Ngọc Ánh", "Trần Văn Đức"]


def test_participation_covers_every_accepted_exhibit_and_unit_awards_are_optional(app, awarded):
    assert issue(app, awarded["festival"], CertificateKind.PARTICIPATION).added == 4
    assert issue(app, awarded["festival"], CertificateKind.UNIT_AWARD).added == 2
    assert {r[1] for r in certificates(app) if r[2] is CertificateKind.UNIT_AWARD} == {
        "Tổng Công ty May Đức Giang",
        "Tổng Công ty May Việt Tiến",
    }


def test_award_certificates_wait_for_final_results(app, awarded):
    with app.app_context():
        db.session.execute(db.update(JudgingPolicy).values(finalised_at=None))
        db.session.commit()
        with pytest.raises(NotAllowed):
            services.issue(db.session.get(Festival, awarded["festival"]), CertificateKind.AWARD, date.today(), by=None)


def test_pdf_text_has_exact_names_titles_and_the_qr_leads_to_the_verify_page(app, awarded):
    issue(app, awarded["festival"])
    with app.test_request_context():
        festival = db.session.get(Festival, awarded["festival"])
        ordered = services.for_printing(festival)
        data = printing.render_certificates(ordered)
        expected = [(c.recipient_name, c.exhibit.title, c.serial, c.verification_code) for c in ordered]
    assert page_count(data) == 3
    texts = page_texts(data)
    for text, (name, title, serial, code) in zip(texts, expected):
        assert name in text and f"“{title}”" in text and serial in text
        assert f"Mã xác minh: {code[:5]}-{code[5:]}" in text and "\nhttps://ldst.example.vn/verify/\r" in text
        assert (
            "GIẤY CHỨNG NHẬN" in text
            and "TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM" in text
            and "CÔNG ĐOÀN DỆT MAY VIỆT NAM" in text
        )
    assert "Hà Nội, ngày 15 tháng 6 năm 2022" in texts[0] and "đã đạt Giải Nhất" in texts[0]
    codes = page_qr_codes(data)
    assert codes == [[f"https://ldst.example.vn/verify/{code}"] for _n, _t, _s, code in expected]


def test_ceremony_order_is_tier_then_unit_then_name(app, awarded):
    issue(app, awarded["festival"])
    issue(app, awarded["festival"], CertificateKind.PARTICIPATION)
    with app.app_context():
        ordered = services.for_printing(db.session.get(Festival, awarded["festival"]), kind=CertificateKind.AWARD)
        assert [c.recipient_name for c in ordered] == ["Nguyễn Thị Hằng", "Trần Văn Đức", "Phạm Ngọc Ánh"]


def test_unchanged_certificates_are_not_rendered_again(app, awarded, monkeypatch):
    issue(app, awarded["festival"])
    with app.test_request_context():
        ordered = services.for_printing(db.session.get(Festival, awarded["festival"]))
        first = printing.render_certificates(ordered)
        db.session.commit()
        calls = []
        real = printing.pdf.render_each
        monkeypatch.setattr(
            printing.pdf, "render_each", lambda htmls, **kw: calls.append(kw["total"]) or real(htmls, **kw)
        )
        again = printing.render_certificates(ordered)
        assert calls == [] and page_texts(again) == page_texts(first)
        ordered[0].recipient_name = "Nguyễn Thị Hằng Nga"  # one page changes
        changed = printing.render_certificates(ordered)
        assert calls == [1] and "Nguyễn Thị Hằng Nga" in page_texts(changed)[0]


def test_placeholders_are_text_never_template_code_or_markup(app, awarded, monkeypatch):
    issue(app, awarded["festival"])
    attempts = []
    monkeypatch.setattr(
        socket, "create_connection", lambda *a, **k: attempts.append(a) or (_ for _ in ()).throw(OSError("no network"))
    )
    with app.test_request_context():
        festival = db.session.get(Festival, awarded["festival"])
        template = services.template_for(festival, CertificateKind.AWARD)
        template.body = (
            "{{ config }} {recipient} <script>alert(1)</script> "
            '<img src="file:///etc/passwd"> <img src="http://169.254.169.254/x.png"> {nope} {{7*7}}'
        )
        [certificate] = [c for c in services.for_printing(festival) if c.recipient_name == "Phạm Ngọc Ánh"]
        [text] = page_texts(printing.render_certificates([certificate]))
        # The serial (its edition comes from a test-wide counter) and the random code may hold a "49" of their own.
        body = text.replace(certificate.serial, "").replace(certificate.code_for_print, "")
    assert "{{ config }} Phạm Ngọc Ánh <script>alert(1)</script>" in text
    assert '<img src="file:///etc/passwd">' in text and "{nope} {{7*7}}" in text and "49" not in body
    assert "SECRET" not in text and attempts == []


def test_a_misspelt_placeholder_is_refused_when_saving(app, client, login_as, awarded):
    login_as("organizer")
    page = client.post(
        "/certificates/templates/award", data={"title": "GIẤY CHỨNG NHẬN", "body": "Tặng {recipent}", "place": "Hà Nội"}
    ).get_data(as_text=True)
    assert "Không có mục điền sẵn {recipent}" in page


def test_the_live_preview_refuses_what_saving_would_refuse(client, login_as, awarded):
    login_as("organizer")
    response = client.post(
        "/certificates/templates/award/preview",
        data={"title": "GIẤY KHEN", "body": "Khen {recipent}", "place": "Huế"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert "Không có mục điền sẵn {recipent}" in response.get_json()["message"]
    assert "image" not in response.get_json()


def test_template_page_saves_and_shows_a_preview(app, client, login_as, awarded):
    login_as("organizer")
    page = client.get("/certificates/templates/award").get_data(as_text=True)
    assert 'id="preview"' in page and "data:image/png;base64," in page
    response = client.post(
        "/certificates/templates/award/preview",
        data={"title": "GIẤY KHEN", "body": "Khen {recipient}", "place": "Huế", "header": "", "motto": ""},
    )
    assert response.get_json()["image"].startswith("data:image/png;base64,")
    client.post(
        "/certificates/templates/award",
        data={
            "header": "CÔNG ĐOÀN DỆT MAY VIỆT NAM",
            "title": "GIẤY CHỨNG NHẬN",
            "body": "Tặng {recipient}",
            "place": "Huế",
            "signatory_name": "Lê Thị Thu Hà",
        },
    )
    with app.app_context():
        template = services.template_for(db.session.get(Festival, awarded["festival"]), CertificateKind.AWARD)
        assert (template.place, template.body, template.header) == (
            "Huế",
            "Tặng {recipient}",
            "CÔNG ĐOÀN DỆT MAY VIỆT NAM",
        )


def test_verify_page_shows_valid_revoked_and_superseded(app, client, login_as, awarded):
    issue(app, awarded["festival"])
    with app.app_context():
        ids = {
            c.recipient_name: (c.id, c.verification_code) for c in db.session.execute(db.select(Certificate)).scalars()
        }
    hang_id, hang = ids["Nguyễn Thị Hằng"]
    duc_id, duc = ids["Trần Văn Đức"]
    page = client.get(f"/verify/{hang}").get_data(as_text=True)
    assert (
        "Giấy chứng nhận hợp lệ" in page
        and "Nguyễn Thị Hằng" in page
        and "Cữ gá may túi tự động" in page
        and "Giải Nhất" in page
    )
    login_as("organizer")
    client.post(f"/certificates/{hang_id}/revoke", data={"reason": "Tác giả rút tên"})
    response = client.post(
        f"/certificates/{duc_id}/correct", data={"recipient_name": "Trần Văn Đức Anh", "reason": "Sai tên"}
    )
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post("/auth/logout")
    revoked = client.get(f"/verify/{hang}").get_data(as_text=True)
    assert "Giấy chứng nhận đã bị thu hồi" in revoked and "Tác giả rút tên" in revoked
    superseded = client.get(f"/verify/{duc}").get_data(as_text=True)
    with app.app_context():
        replacement = db.session.get(Certificate, new_id)
        new_serial, new_code = replacement.serial, replacement.verification_code
    assert "Giấy chứng nhận đã được thay bằng bản đính chính" in superseded and new_serial in superseded
    assert f"/verify/{new_code}" in superseded
    assert "Trần Văn Đức Anh" in client.get(f"/verify/{new_code}").get_data(as_text=True)
    assert client.get("/verify/LĐST9-2099-99999").status_code == 404
    with app.app_context():
        assert {
            a for (a,) in db.session.execute(db.select(AuditLog.action).where(AuditLog.action.like("certificate.%")))
        } == {"certificate.revoked", "certificate.corrected"}


def test_a_changed_tier_gets_a_corrected_certificate(app, awarded):
    issue(app, awarded["festival"])
    with app.app_context():
        db.session.execute(db.update(Award).where(Award.exhibit_id == awarded["third"]).values(tier=AwardTier.SECOND))
        db.session.commit()
    assert issue(app, awarded["festival"]).corrected == 1
    rows = [r for r in certificates(app) if r[1] == "Phạm Ngọc Ánh"]
    assert [(r[3].value, r[4]) for r in rows] == [
        ("third", CertificateStatus.SUPERSEDED),
        ("second", CertificateStatus.VALID),
    ]


@pytest.mark.parametrize("who", ["anonymous", "unit_a", "judge", "checkin"])
def test_only_organizers_print_revoke_or_reissue(app, client, login_as, awarded, who):
    issue(app, awarded["festival"])
    if who != "anonymous":
        login_as(who)
    with app.app_context():
        certificate_id = db.session.execute(db.select(Certificate.id)).scalars().first()
    expected = 302 if who == "anonymous" else 403
    assert client.get("/certificates/").status_code == expected
    assert client.post("/certificates/print", data={"kind": ""}).status_code == expected
    assert client.get(f"/certificates/{certificate_id}.pdf").status_code == expected
    assert client.post(f"/certificates/{certificate_id}/revoke", data={"reason": "x"}).status_code == expected
    assert (
        client.post(f"/certificates/{certificate_id}/correct", data={"recipient_name": "X", "reason": "x"}).status_code
        == expected
    )
    assert client.post("/certificates/issue", data={"kind": "participation"}).status_code == expected
    assert all(r[4] is CertificateStatus.VALID for r in certificates(app)) and len(certificates(app)) == 3


def test_command_prints_a_pdf_and_a_zip_per_unit(app, runner, awarded, tmp_path):
    out = tmp_path / "gcn.pdf"
    result = runner.invoke(args=["certificates", "print", "--out", str(out), "--kind", "award"])
    assert result.exit_code == 0, result.output
    assert "Wrote 3 certificates" in result.output and page_count(out.read_bytes()) == 3
    archive = tmp_path / "gcn.zip"
    assert runner.invoke(args=["certificates", "print", "--out", str(archive), "--zip"]).exit_code == 0
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as zipped:
        folders = {name.split("/")[0] for name in zipped.namelist()}
        assert folders == {"UNITA - Đức Giang", "UNITB - Việt Tiến"}
        assert len(zipped.namelist()) == 3 + 4  # award + participation certificates


def test_printing_from_the_web_gives_a_job_with_the_pdf(app, client, login_as, awarded):
    issue(app, awarded["festival"])
    login_as("organizer")
    response = client.post("/certificates/print", data={"kind": "award", "unit_id": 0})
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert wait_for_job(app, job_id).value == "done"
    with client.get(f"/admin/jobs/{job_id}/download") as pdf:
        assert page_count(pdf.data) == 3


def test_organizers_find_certificates_without_typing_accents(app, client, login_as, awarded):
    issue(app, awarded["festival"])
    login_as("organizer")
    for query in ("nguyen thi hang", "NGUYỄN THỊ", "ldst"):
        page = client.get("/certificates/", query_string={"q": query}).get_data(as_text=True)
        assert "Nguyễn Thị Hằng" in page, query
    page = client.get("/certificates/", query_string={"q": "pham ngoc"}).get_data(as_text=True)
    assert "Phạm Ngọc Ánh" in page and "Nguyễn Thị Hằng" not in page
    page = client.get("/certificates/", query_string={"q": "100%_"}).get_data(as_text=True)
    assert "Nguyễn Thị Hằng" not in page  # % and _ are text, not wildcards
