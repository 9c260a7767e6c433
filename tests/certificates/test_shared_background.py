"""A print lays out what its certificates share once, as one background every page shows, and each page's
own name, wording, serial and QR code over it: the pages look as whole certificates do, text and QR intact."""

from datetime import date

import pypdfium2 as pdfium
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
        whole = pdf.render_pdf(
            printing.document_html([printing.page_data(template, c, images) for c in ordered], images.uris)
        )
    layered, single = pdfium.PdfDocument(data), pdfium.PdfDocument(whole)
    try:
        for index in range(page_count(whole)):
            ours = layered[index].render(scale=100 / 72).to_pil().convert("RGB")
            theirs = single[index].render(scale=100 / 72).to_pil().convert("RGB")
            assert ImageChops.difference(ours, theirs).point(lambda value: 255 if value > 32 else 0).getbbox() is None
    finally:
        layered.close()
        single.close()


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
