"""Badge PDFs: every QR code decodes to its check-in URL, exact names, both layouts, printing."""

import base64
import io
import time
from collections import Counter

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image

from festival.badges import printing
from festival.core.extensions import db
from festival.models import Attendee, Festival, JobStatus, PrintJob
from festival.util import qr
from tests.pdf_tools import page_count, page_qr_codes, page_texts


def badge_urls(app, ids):
    with app.app_context():
        return [f"https://ldst.example.vn/c/{db.session.get(Attendee, i).badge_token}" for i in ids]


@pytest.mark.parametrize("layout, pages", [("a6", 3), ("a4", 1)])
def test_every_qr_code_decodes_to_its_check_in_url(app, crowd, layout, pages):
    with app.test_request_context():
        festival = db.session.get(Festival, crowd["festival"])
        attendees = [db.session.get(Attendee, i) for i in crowd["ids"]]
        data = printing.render_badges(festival, attendees, layout)
    assert page_count(data) == pages
    decoded = sorted(code for page in page_qr_codes(data, dpi=300) for code in page)
    assert decoded == sorted(badge_urls(app, crowd["ids"]))
    text = "\n".join(page_texts(data))
    for name in ("Nguyễn Thị Hằng", "Lê Văn Đức", "Báo Lao Động", "Đại biểu", "Khách mời"):
        assert name in text, name
    # the long name is wrapped onto two lines, every word kept
    assert "PGS.TS. Nguyễn Thị" in text and "Thanh Hương Giang" in text


def test_qr_codes_are_vector_paths_and_the_repeated_parts_are_stored_once(app, crowd):
    with app.test_request_context():
        festival = db.session.get(Festival, crowd["festival"])
        attendees = [db.session.get(Attendee, i) for i in crowd["ids"]]
        data = printing.render_badges(festival, attendees * 4, "a4")  # 12 badges on 3 sheets
    with pikepdf.open(io.BytesIO(data)) as document:
        kinds = Counter(str(obj.get("/Subtype")) for obj in document.objects if isinstance(obj, pikepdf.Stream))
    assert kinds["/Image"] == 0  # the QR codes are drawn, not pictures
    # the cut marks, the heading, two roles' bands, two affiliations: each stored once for 12 badges
    assert kinds["/Form"] == 6
    # a path still decodes where a phone's camera sees less than a 300 dpi scan
    assert sorted(code for page in page_qr_codes(data, dpi=100) for code in page) == sorted(
        badge_urls(app, crowd["ids"]) * 4
    )


def test_long_names_shrink_then_wrap_within_the_width():
    short = printing.fit_name("Lê Văn Đức")
    assert short["lines"] == ["Lê Văn Đức"] and short["size"] == printing.NAME_SIZES[0]
    medium = printing.fit_name("Nguyễn Hoàng Phương Thảo")
    assert len(medium["lines"]) == 1 and medium["size"] < printing.NAME_SIZES[0]
    long = printing.fit_name("PGS.TS. Nguyễn Thị Thanh Hương Giang")
    assert len(long["lines"]) == 2
    for fitted in (short, medium, long):
        assert all(
            printing.text_width(line, fitted["size"]) <= printing.NAME_WIDTH_PT + 0.5 for line in fitted["lines"]
        )


def test_qr_image_has_whole_pixels_per_module_and_a_quiet_zone(app):
    with app.app_context():
        uri = qr.qr_png_data_uri("https://ldst.example.vn/c/" + "x" * 22)
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert image.mode == "L" and image.width % qr.PIXELS_PER_MODULE == 0
    assert image.getextrema() == (0, 255) and image.histogram().count(0) == 254  # only black and white
    quiet = 4 * qr.PIXELS_PER_MODULE
    assert all(
        image.getpixel((x, y)) == 255 for x in range(image.width) for y in range(quiet)
    )  # 4 white modules on top
    assert all(image.getpixel((x, y)) == 255 for x in range(quiet) for y in range(image.height))  # and on the left


def wait_for_job(app, job_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            job = db.session.get(PrintJob, job_id)
            if job.status in (JobStatus.DONE, JobStatus.FAILED):
                return job.status
        time.sleep(0.2)
    raise AssertionError("print job did not finish")


def test_printing_from_the_web_runs_in_the_background_and_marks_new_badges(app, client, login_as, crowd, people):
    login_as("organizer")
    page = client.get("/attendees/print").get_data(as_text=True)
    assert "3 người, 3 thẻ chưa in." in page
    response = client.post(
        "/attendees/print", data={"layout": "a4", "unit_id": people["ids"]["unit_a"], "role_id": 0, "only_new": "y"}
    )
    assert response.status_code == 302 and "/admin/jobs/" in response.headers["Location"]
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert wait_for_job(app, job_id) is JobStatus.DONE
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "Đã xong." in page and 'http-equiv="refresh"' not in page
    with client.get(f"/admin/jobs/{job_id}/download") as pdf:
        assert pdf.mimetype == "application/pdf" and page_count(pdf.data) == 1
        assert sorted(c for p in page_qr_codes(pdf.data) for c in p) == sorted(badge_urls(app, crowd["ids"][:2]))
    with app.app_context():
        printed = {a.id: a.printed_at is not None for a in db.session.execute(db.select(Attendee)).scalars()}
    assert printed == {crowd["ids"][0]: True, crowd["ids"][1]: True, crowd["ids"][2]: False}
    page = client.post(
        "/attendees/print",
        data={"layout": "a4", "unit_id": people["ids"]["unit_a"], "role_id": 0, "only_new": "y"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Không có thẻ nào cần in" in page


def test_reprint_one_badge(client, login_as, crowd, app):
    login_as("organizer")
    response = client.get(f"/attendees/{crowd['ids'][1]}/badge.pdf")
    assert response.mimetype == "application/pdf"
    assert page_qr_codes(response.data) == [badge_urls(app, [crowd["ids"][1]])]


def test_print_command_filters_by_role_and_only_new(app, runner, crowd, tmp_path):
    out = tmp_path / "the.pdf"
    result = runner.invoke(args=["badges", "print", "--out", str(out), "--layout", "a6", "--role", "Khách mời"])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 badges (A6)" in result.output and page_count(out.read_bytes()) == 1
    assert "Lê Văn Đức" in page_texts(out.read_bytes())[0]
    assert runner.invoke(args=["badges", "print", "--out", str(out), "--only-new"]).exit_code == 0
    again = runner.invoke(args=["badges", "print", "--out", str(out), "--only-new"])
    assert again.exit_code == 1 and "No badges to print." in again.output
    assert runner.invoke(args=["badges", "print", "--out", str(out), "--unit", "NOPE"]).exit_code != 0


def test_a4_sheets_keep_the_bands_inside_what_office_printers_print(app, crowd):
    with app.test_request_context():
        festival = db.session.get(Festival, crowd["festival"])
        attendees = [db.session.get(Attendee, i) for i in crowd["ids"]]
        data = printing.render_badges(festival, attendees, "a4")
    document = pdfium.PdfDocument(data)
    image = document[0].render(scale=100 / 72).to_pil().convert("L")  # 100 dpi: 1 mm ≈ 3.94 px
    document.close()
    edge = round(4.5 * 100 / 25.4)
    width, height = image.size
    strips = [
        image.crop((0, 0, edge, height)),
        image.crop((width - edge, 0, width, height)),
        image.crop((0, height - edge, width, height)),
    ]
    assert all(strip.getextrema()[0] > 240 for strip in strips)  # nothing dark within 4.5 mm of the edges
    # ... while the bands are there, just inside that margin
    band_row = image.crop((0, height - round(8 * 100 / 25.4), width, height - round(6 * 100 / 25.4)))
    assert band_row.getextrema()[0] < 128
