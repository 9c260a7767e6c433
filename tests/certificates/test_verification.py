"""The public verify page: looked up by the random code of the QR code (the whole certificate) or by a
serial typed by hand (its state only), rate-limited; codes filled by migration 0017; printing
certificates with an address phones cannot open asks first."""

from datetime import date

import pytest
from flask_migrate import downgrade, upgrade

from festival.app import create_app
from festival.certificates import printing, services
from festival.core.extensions import db
from festival.judging import results
from festival.judging.policy import policy_for
from festival.models import Certificate, CertificateKind, Festival, PrintJob, Role, utcnow
from festival.models.certificate import CODE_ALPHABET, CODE_LENGTH
from tests import factories
from tests.badges.test_badge_pdf import wait_for_job
from tests.conftest import TestConfig, empty_database_url, make_app
from tests.pdf_tools import page_count, page_qr_codes, page_texts

LOOPBACK = "http://127.0.0.1:5000"


@pytest.fixture
def issued(app, awarded):
    with app.app_context():
        festival = db.session.get(Festival, awarded["festival"])
        services.issue(festival, CertificateKind.AWARD, date(2022, 6, 15), by=None)
        db.session.commit()
        hang = db.session.execute(
            db.select(Certificate).where(Certificate.recipient_name == "Nguyễn Thị Hằng")
        ).scalar_one()
        return {"id": hang.id, "serial": hang.serial, "code": hang.verification_code, "festival": festival.id}


def test_every_certificate_gets_its_own_random_code(app, issued):
    with app.app_context():
        codes = [c.verification_code for c in db.session.execute(db.select(Certificate)).scalars()]
    assert len(codes) == len(set(codes)) == 3
    assert all(len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("01ILOUV") & set(CODE_ALPHABET)  # nothing to misread on paper


def test_the_qr_code_and_the_printed_code_lead_to_the_whole_certificate(app, client, issued):
    with app.test_request_context():
        data = printing.render_certificates([db.session.get(Certificate, issued["id"])])
    code = issued["code"]
    assert page_qr_codes(data) == [[f"https://ldst.example.vn/verify/{code}"]]
    assert f"Mã xác minh: {code[:5]}-{code[5:]}" in page_texts(data)[0]
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Giấy chứng nhận hợp lệ" in page and "Nguyễn Thị Hằng" in page and "Cữ gá may túi tự động" in page


@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {first}-{rest} ", "{first} {rest}", "{first}–{rest}"])
def test_a_code_typed_by_hand_is_found_ignoring_case_spaces_and_dashes(client, issued, typed):
    code = issued["code"]
    text = typed.format(code=code, lower=code.lower(), first=code[:5].lower(), rest=code[5:])
    response = client.get("/verify/", query_string={"q": text})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Giấy chứng nhận hợp lệ" in page and "Nguyễn Thị Hằng" in page and issued["serial"] in page


@pytest.mark.parametrize(
    "typed",
    [
        "{serial}",
        "{serial_lower}",
        "{plain_d}",
        "{plain_d_lower}",
        "{spaced}",
    ],
)
def test_a_serial_typed_by_hand_shows_only_whether_it_is_valid(client, issued, typed):
    serial = issued["serial"]  # e.g. LĐST101-2026-00001
    text = typed.format(
        serial=serial,
        serial_lower=serial.lower(),
        plain_d=serial.replace("Đ", "D"),
        plain_d_lower=serial.replace("Đ", "D").lower(),
        spaced=" ".join(serial.replace("Đ", "d").replace("-", " ").split()).lower(),
    )
    response = client.get("/verify/", query_string={"q": text})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Giấy chứng nhận hợp lệ" in page and serial in page
    assert "nhập mã xác minh in cạnh mã QR" in page
    assert "Nguyễn Thị Hằng" not in page and "Cữ gá may túi tự động" not in page  # no list of holders by serial


def test_an_old_qr_code_holding_the_serial_still_answers_with_the_state(client, issued):
    page = client.get(f"/verify/{issued['serial']}").get_data(as_text=True)
    assert "Giấy chứng nhận hợp lệ" in page and "Nguyễn Thị Hằng" not in page


def test_the_verify_page_has_a_form_and_an_unknown_code_is_a_clear_not_found(client, issued):
    empty = client.get("/verify/")
    assert empty.status_code == 200
    page = empty.get_data(as_text=True)
    assert 'name="q"' in page and "Mã xác minh hoặc số hiệu giấy chứng nhận" in page and "Không tìm thấy" not in page
    for response in (client.get("/verify/", query_string={"q": "K7M2Q-9XR4T"}), client.get("/verify/K7M2Q9XR4T")):
        assert response.status_code == 404
        page = response.get_data(as_text=True)
        assert "Không tìm thấy giấy chứng nhận nào có mã hoặc số hiệu" in page and 'name="q"' in page
    assert client.get("/verify/", query_string={"q": "LDST9-2099-99999"}).status_code == 404


def test_verify_lookups_are_limited_together(tmp_path, awarded):
    (tmp_path / "limited").mkdir()
    limited = make_app(tmp_path / "limited", RATELIMIT_ENABLED=True, PUBLIC_LOOKUP_LIMIT="3 per minute")
    stranger = limited.test_client()
    assert stranger.get("/verify/").status_code == 200  # the empty form costs nothing
    statuses = [
        stranger.get("/verify/K7M2Q9XR4T").status_code,
        stranger.get("/verify/", query_string={"q": "K7M2Q9XR4A"}).status_code,
        stranger.get("/verify/K7M2Q9XR4B").status_code,
        stranger.get("/verify/", query_string={"q": "K7M2Q9XR4C"}).status_code,
        stranger.get("/verify/K7M2Q9XR4D").status_code,
    ]
    assert statuses == [404, 404, 404, 429, 429]
    assert "Hãy đợi một lát rồi thử lại." in stranger.get("/verify/K7M2Q9XR4E").get_data(as_text=True)


def test_printing_certificates_with_a_loopback_address_asks_for_confirmation(app, client, login_as, issued):
    app.config["PUBLIC_BASE_URL"] = LOOPBACK
    login_as("organizer")
    page = client.get("/certificates/print").get_data(as_text=True)
    assert "Điện thoại sẽ không mở được mã QR của bản in này." in page and f"{LOOPBACK}/verify/…" in page
    form = {"kind": "award", "unit_id": 0}
    refused = client.post("/certificates/print", data=form)
    assert refused.status_code == 422 and "Hãy xác nhận trước khi in" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PrintJob)) == 0

    trial = client.post("/certificates/print", data={**form, "trial": "1"})
    assert trial.status_code == 200 and trial.mimetype == "application/pdf" and page_count(trial.data) == 1
    [[code]] = page_qr_codes(trial.data)
    assert code.startswith(f"{LOOPBACK}/verify/")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PrintJob)) == 0

    confirmed = client.post("/certificates/print", data={**form, "confirm_address": "y"})
    assert confirmed.status_code == 302
    job_id = int(confirmed.headers["Location"].rstrip("/").split("/")[-1])
    assert wait_for_job(app, job_id).value == "done"


def test_print_command_refuses_a_loopback_address_without_allow_local_address(app, runner, awarded, tmp_path):
    app.config["PUBLIC_BASE_URL"] = "http://laptop.local:5000"
    out = tmp_path / "gcn.pdf"
    refused = runner.invoke(args=["certificates", "print", "--out", str(out), "--kind", "award"])
    assert refused.exit_code == 2 and "Refusing to print" in refused.output and not out.exists()
    with app.app_context():  # nothing was issued either
        assert db.session.scalar(db.select(db.func.count()).select_from(Certificate)) == 0
    args = ["certificates", "print", "--out", str(out), "--kind", "award", "--allow-local-address"]
    allowed = runner.invoke(args=args)
    assert allowed.exit_code == 0, allowed.output
    assert page_count(out.read_bytes()) == 3
    assert all(c[0].startswith("http://laptop.local:5000/verify/") for c in page_qr_codes(out.read_bytes()))


def test_migration_gives_certificates_issued_before_it_a_code(tmp_path):
    config = type("Fresh", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": empty_database_url(tmp_path, "codes")})
    app = create_app(config)
    with app.app_context():
        upgrade()
        festival = factories.make_festival()
        unit = factories.make_unit()
        exhibit = factories.make_exhibit(festival, unit, factories.make_category(festival))
        for number in (1, 2):
            db.session.add(
                Certificate(
                    festival=festival,
                    number=number,
                    serial=f"LĐST3-2025-0000{number}",
                    kind=CertificateKind.PARTICIPATION,
                    recipient_key=f"author:{number}",
                    recipient_name="Nguyễn Văn An",
                    exhibit=exhibit,
                    unit=unit,
                    issued_on=date(2025, 11, 21),
                )
            )
        db.session.commit()
        db.session.remove()
        downgrade(revision="0015")  # as if they had been issued before revision 0017: the codes are gone
        upgrade()
        codes = db.session.execute(db.text("SELECT verification_code FROM certificates")).scalars().all()
        assert len(codes) == len(set(codes)) == 2
        assert all(len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) for code in codes)
        client = app.test_client()
        assert "Nguyễn Văn An" in client.get(f"/verify/{codes[0].lower()}").get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()


def test_award_certificates_are_suspended_while_results_are_reopened(app, client, issued):
    with app.app_context():
        festival = db.session.get(Festival, issued["festival"])
        organizer = factories.make_user(Role.ORGANIZER, email="btc2@example.vn")
        results.reopen_results(festival, "Xem lại điểm của KT-01", by=organizer)
        db.session.commit()
    page = client.get(f"/verify/{issued['code']}").get_data(as_text=True)
    assert "Giấy chứng nhận đang tạm dừng hiệu lực" in page and "Giấy chứng nhận hợp lệ" not in page
    assert "Ban tổ chức đang xem lại kết quả" in page
    by_serial = client.get("/verify/", query_string={"q": issued["serial"]}).get_data(as_text=True)
    assert "đang tạm dừng hiệu lực" in by_serial
    with app.app_context():
        policy_for(db.session.get(Festival, issued["festival"])).finalised_at = utcnow()
        db.session.commit()
    page = client.get(f"/verify/{issued['code']}").get_data(as_text=True)
    assert "Giấy chứng nhận hợp lệ" in page and "tạm dừng" not in page
