"""Certificate PDFs: A4 landscape in the trade-union style, each page kept (cached) until its
inputs change, merged for the ceremony or zipped per unit; and a quick PNG preview."""

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pypdfium2
from flask import current_app, render_template

from festival import pdf
from festival.certificates.services import fill, template_for, values_for
from festival.models import Certificate, CertificateTemplate
from festival.qr import qr_png_data_uri
from festival.urls import public_url

CERTIFICATES_PER_DOCUMENT = 25  # pages a worker renders at a time
RENDER_VERSION = "3"  # bump when the layout changes, so cached pages are rendered again
NAME_SIZES = ((22, 32), (34, 27), (46, 22), (10_000, 18))  # (up to n characters, points)


def vietnamese_date(place: str, day) -> str:
    """`Hà Nội, ngày 15 tháng 6 năm 2022`."""
    return f"{place}, ngày {day.day} tháng {day.month} năm {day.year}"


def verify_url(certificate: Certificate) -> str:
    """What the certificate's QR code holds: its verify page, by its random verification code."""
    return public_url("certificates.verify", code=certificate.verification_code)


def page_data(template: CertificateTemplate, certificate: Certificate) -> dict:
    """Everything one page shows, as plain text (placeholders filled, nothing interpreted)."""
    values = values_for(certificate)
    name = certificate.recipient_name
    return {
        "header": fill(template.header, values).splitlines(),
        "motto": fill(template.motto, values).splitlines(),
        "title": fill(template.title, values),
        "lead": fill(template.lead, values),
        "recipient": name,
        "name_size": next(size for limit, size in NAME_SIZES if len(name) <= limit),
        "body": fill(template.body, values).splitlines(),
        "dateline": vietnamese_date(fill(template.place, values), certificate.issued_on),
        "signatory_title": fill(template.signatory_title, values).splitlines(),
        "signatory_name": fill(template.signatory_name, values),
        "signature": pdf.upload_url(template.signature_image) if template.signature_image else None,
        "seal": pdf.upload_url(template.seal_image) if template.seal_image else None,
        "serial": certificate.serial,
        "code": certificate.code_for_print,  # printed beside the QR code, to be typed at /verify
        "verify_page": public_url("certificates.verify_form"),
        "verify": verify_url(certificate),  # the QR code's content; the image is drawn only when rendering
    }


def page_hash(data: dict) -> str:
    """A fingerprint of what a page shows (and of the layout version)."""
    return hashlib.sha256(json.dumps([RENDER_VERSION, data], sort_keys=True, default=str).encode()).hexdigest()


def cache_dir() -> Path:
    path = Path(current_app.config["CERTIFICATE_CACHE_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def _cache_path(certificate: Certificate, digest: str) -> Path:
    return cache_dir() / f"{certificate.id}-{digest[:20]}.pdf"


def document_html(pages: list[dict]) -> str:
    pages = [{**page, "qr": qr_png_data_uri(page["verify"])} for page in pages]
    return render_template(
        "certificates/certificate.html", pages=pages, corner_url=pdf.static_url("img/certificate-corner.svg")
    )


def _render_missing(certificates: list[Certificate], progress=None) -> tuple[list[Path], list[bytes], bool]:
    """Render the pages whose inputs changed (or were never rendered) and cache each on its own.

    :return: each certificate's cached page, the documents just rendered, and whether those
        documents hold every certificate (nothing came from the cache) in the order given.
    """
    templates: dict = {}
    paths, missing = [], []
    for certificate in certificates:
        key = (certificate.festival_id, certificate.kind)
        if key not in templates:
            templates[key] = template_for(certificate.festival, certificate.kind)
        data = page_data(templates[key], certificate)
        digest = page_hash(data)
        paths.append(_cache_path(certificate, digest))
        if not paths[-1].exists():
            missing.append((certificate, data, digest))
    total = len(missing)
    rendered = []
    if missing:
        chunks = [missing[i : i + CERTIFICATES_PER_DOCUMENT] for i in range(0, total, CERTIFICATES_PER_DOCUMENT)]
        rendered = pdf.render_each(
            (document_html([data for _c, data, _d in chunk]) for chunk in chunks),  # workers start on the first at once
            total=len(chunks),
            progress=(lambda done, parts: progress(min(done * CERTIFICATES_PER_DOCUMENT, total), total))
            if progress
            else None,
        )
        for chunk, document in zip(chunks, rendered):
            for (certificate, _data, digest), page in zip(chunk, pdf.split_pages(document)):
                for old in cache_dir().glob(f"{certificate.id}-*.pdf"):
                    old.unlink()
                _cache_path(certificate, digest).write_bytes(page)
    elif progress:
        progress(1, 1)
    return paths, rendered, total == len(certificates)


def certificate_pdfs(certificates: list[Certificate], progress=None) -> list[bytes]:
    """One single-page PDF per certificate; pages whose inputs did not change are not rendered again."""
    paths, _rendered, _complete = _render_missing(certificates, progress)
    return [path.read_bytes() for path in paths]


def render_certificates(certificates: list[Certificate], progress=None) -> bytes:
    """One PDF of the certificates in the order given.

    :raise ValueError: no certificates.
    """
    if not certificates:
        raise ValueError("No certificates to print.")
    paths, rendered, complete = _render_missing(certificates, progress)
    # When every page was rendered just now, the documents are the print already, in order, and
    # each stores its fonts once: merging 20 of them is much quicker than merging 500 single pages.
    return pdf.merge_pdfs(rendered if complete else [path.read_bytes() for path in paths])


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", name).strip()[:80]


def zip_by_unit(certificates: list[Certificate], progress=None) -> bytes:
    """A ZIP with one folder per unit, one PDF per certificate inside."""
    files = certificate_pdfs(certificates, progress)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate, data in zip(certificates, files):
            folder = _safe(f"{certificate.unit.code} - {certificate.unit.short_name}")
            archive.writestr(f"{folder}/{_safe(certificate.serial + ' - ' + certificate.recipient_name)}.pdf", data)
    return buffer.getvalue()


def preview_png(template: CertificateTemplate, certificate: Certificate, scale: float = 0.9) -> bytes:
    """The first page of one certificate as a PNG (for the live preview while editing)."""
    document = pdf.render_pdf(document_html([page_data(template, certificate)]))
    pdf_document = pypdfium2.PdfDocument(document)
    try:
        image = pdf_document[0].render(scale=scale).to_pil()
    finally:
        pdf_document.close()
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
