"""A print lays out what its certificates share once, as one background every page shows, and each page's
own name, wording, serial and QR code over it: the pages look as whole certificates do, text and QR intact."""

import math
from datetime import date

import pypdfium2 as pdfium
import qrcode
from PIL import ImageChops

from festival.certificates import printing, services
from festival.core.extensions import db
from festival.models import CertificateKind, Festival
from festival.util import pdf
from tests.certificates.test_stored_certificates import issue_awards, with_images
from tests.pdf_tools import page_count, page_forms, page_qr_codes, page_texts


def printed(app, festival_id, change=None):
    """The award certificates printed as one PDF (after `change(certificates)`), and what each page must hold."""
    with app.test_request_context():
        ordered = services.for_printing(db.session.get(Festival, festival_id), kind=CertificateKind.AWARD)
        if change:
            change(ordered)
        data = printing.render_certificates(ordered)
        db.session.commit()
        expected = [(c.recipient_name, c.serial, c.verification_code) for c in ordered]
    return data, expected


def test_every_page_shows_one_shared_background_and_its_own_name_serial_and_qr(app, awarded, monkeypatch):
    issue_awards(app, awarded["festival"])
    # Two documents rendered in two worker processes, then merged: their copies of the background become one.
    monkeypatch.setattr(printing, "CERTIFICATES_PER_DOCUMENT", 2)
    data, expected = printed(app, awarded["festival"])
    again, _ = printed(app, awarded["festival"])  # every page from the cache this time

    for document in (data, again):
        forms = page_forms(document)
        assert len(forms) == 3 and len(forms[0]) == 1 and all(page == forms[0] for page in forms)
        texts = page_texts(document)
        names = [name for name, _serial, _code in expected]
        for text, (name, serial, code) in zip(texts, expected):
            assert name in text and f"Số: {serial}" in text and code[:5] in text
            assert [other for other in names if other in text] == [name]  # no one else's name, hidden or not
            # The shared wording once: the background's hidden places for the name and serial draw nothing.
            assert text.count("GIẤY CHỨNG NHẬN") == 1 and text.count("Số:") == 1
            assert "Hà Nội, ngày 15 tháng 6 năm 2022" in text and "\nhttps://ldst.example.vn/verify/\r" in text
        assert page_qr_codes(document) == [[f"https://ldst.example.vn/verify/{code}"] for *_, code in expected]


def test_a_printed_page_looks_exactly_like_the_whole_certificate(app, awarded):
    with_images(app, awarded["festival"])
    issue_awards(app, awarded["festival"])
    data, _ = printed(app, awarded["festival"])
    with app.test_request_context():
        festival = db.session.get(Festival, awarded["festival"])
        template = services.template_for(festival, CertificateKind.AWARD)
        images = printing.template_images(template)
        ordered = services.for_printing(festival, kind=CertificateKind.AWARD)
        whole, anchors = pdf.render_pdf_with_anchors(
            printing.document_html([printing.page_data(template, c, images) for c in ordered], images.uris)
        )
        urls = [printing.verify_url(c) for c in ordered]
    # The QR code's square at 100 dpi: the whole certificate shows an image there, a print draws the same modules
    # as a path, whose edges are smoothed otherwise; so there the modules are compared, elsewhere every pixel.
    scale = 100 / 72
    left, top = (value * 0.75 * scale for value in anchors["verify"][:2])
    side = printing.QR_MM * pdf.POINTS_PER_MM * scale
    square = (math.floor(left), math.floor(top), math.ceil(left + side), math.ceil(top + side))
    layered, single = pdfium.PdfDocument(data), pdfium.PdfDocument(whole)
    try:
        for index, url in zip(range(page_count(whole)), urls, strict=True):
            ours = layered[index].render(scale=scale).to_pil().convert("L")
            theirs = single[index].render(scale=scale).to_pil().convert("L")
            count = len(qr_matrix(url))
            centres = [
                (left + (x + 0.5) * side / count, top + (y + 0.5) * side / count)
                for y in range(count)
                for x in range(count)
            ]
            dark = [[image.getpixel((int(x), int(y))) < 128 for x, y in centres] for image in (ours, theirs)]
            assert dark[0] == dark[1] and sum(dark[0]) > count * count / 4
            for image in (ours, theirs):
                image.paste(255, square)
            assert ImageChops.difference(ours, theirs).point(lambda value: 255 if value > 32 else 0).getbbox() is None
    finally:
        layered.close()
        single.close()


def qr_matrix(url: str) -> list[list[bool]]:
    """The modules of the QR code a certificate shows for `url`, quiet zone included."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def test_pages_with_another_dateline_get_a_background_of_their_own(app, awarded):
    issue_awards(app, awarded["festival"])

    def reissue_middle(certificates):
        certificates[1].issued_on = date(2022, 7, 1)

    data, expected = printed(app, awarded["festival"], change=reissue_middle)
    forms = page_forms(data)
    assert forms[0] == forms[2] and forms[1] != forms[0] and all(len(page) == 1 for page in forms)
    texts = page_texts(data)
    assert "ngày 15 tháng 6 năm 2022" in texts[0] and "ngày 15 tháng 6 năm 2022" in texts[2]
    assert "ngày 1 tháng 7 năm 2022" in texts[1] and "tháng 6" not in texts[1]
    assert all(name in text for text, (name, _serial, _code) in zip(texts, expected))
