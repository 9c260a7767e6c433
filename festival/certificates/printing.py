"""Certificate PDFs: A4 landscape in the trade-union style, each page kept (cached) until its
inputs change, merged for the ceremony or zipped per unit; and a quick PNG preview.

And the print job: what a print covers, and the work the background job does for it.
"""

import hashlib
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l

from festival.certificates import services
from festival.certificates.services import template_for, values_for
from festival.core import jobs
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.judging.policy import policy_for
from festival.models import Certificate, CertificateKind, CertificateTemplate, Festival, Unit
from festival.util import pdf
from festival.util.formatting import festival_today
from festival.util.placeholders import fill
from festival.util.qr import qr_png_data_uri
from festival.util.urls import public_url

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


def _cache_path(certificate_id: int, digest: str) -> Path:
    return cache_dir() / f"{certificate_id}-{digest[:20]}.pdf"


def document_html(pages: list[dict]) -> str:
    pages = [{**page, "qr": qr_png_data_uri(page["verify"])} for page in pages]
    return render_template(
        "certificates/certificate.html", pages=pages, corner_url=pdf.static_url("img/certificate-corner.svg")
    )


@dataclass
class PlannedPage:
    """One certificate of a print, as plain values: what its page shows and where it is cached.
    Made while the database is read; rendering needs nothing more from it."""

    certificate_id: int
    data: dict
    digest: str
    path: Path
    zip_name: str


def plan(certificates: list[Certificate]) -> list[PlannedPage]:
    """What each certificate's page shows, its fingerprint and its cached file (reads the database)."""
    templates: dict = {}
    pages = []
    for certificate in certificates:
        key = (certificate.festival_id, certificate.kind)
        if key not in templates:
            templates[key] = template_for(certificate.festival, certificate.kind)
        data = page_data(templates[key], certificate)
        digest = page_hash(data)
        folder = _safe(f"{certificate.unit.code} - {certificate.unit.short_name}")
        zip_name = f"{folder}/{_safe(certificate.serial + ' - ' + certificate.recipient_name)}.pdf"
        pages.append(PlannedPage(certificate.id, data, digest, _cache_path(certificate.id, digest), zip_name))
    return pages


def _store_page(page: PlannedPage, data: bytes) -> None:
    """Cache one page whole (a temporary file renamed) or not at all, replacing its older versions."""
    for old in cache_dir().glob(f"{page.certificate_id}-*.pdf"):
        old.unlink()
    partial = page.path.with_name(page.path.name + ".part")
    try:
        partial.write_bytes(data)
        os.replace(partial, page.path)
    except OSError:
        partial.unlink(missing_ok=True)
        raise


def _render_missing(pages: list[PlannedPage], progress=None) -> tuple[list[bytes], bool]:
    """Render the pages whose inputs changed (or were never rendered) and cache each on its own.
    Needs an app context, not the database.

    :return: the documents just rendered, and whether those documents hold every certificate
        (nothing came from the cache) in the order given.
    """
    missing = [page for page in pages if not page.path.exists()]
    total = len(missing)
    rendered = []
    if missing:
        chunks = [missing[i : i + CERTIFICATES_PER_DOCUMENT] for i in range(0, total, CERTIFICATES_PER_DOCUMENT)]
        results = pdf.render_each(
            (document_html([page.data for page in chunk]) for chunk in chunks),  # workers start on the first at once
            total=len(chunks),
            progress=(lambda done, parts: progress(min(done * CERTIFICATES_PER_DOCUMENT, total), total))
            if progress
            else None,
            split=True,  # the workers split their documents into the pages to cache
        )
        for chunk, (document, single_pages) in zip(chunks, results):
            rendered.append(document)
            for page, data in zip(chunk, single_pages):
                _store_page(page, data)
    elif progress:
        progress(1, 1)
    return rendered, total == len(pages)


def certificate_pdfs(certificates: list[Certificate], progress=None) -> list[bytes]:
    """One single-page PDF per certificate; pages whose inputs did not change are not rendered again."""
    pages = plan(certificates)
    _render_missing(pages, progress)
    return [page.path.read_bytes() for page in pages]


def render_certificates(certificates: list[Certificate], progress=None) -> bytes:
    """One PDF of the certificates in the order given.

    :raise ValueError: no certificates.
    """
    if not certificates:
        raise ValueError("No certificates to print.")
    return render_planned(plan(certificates), progress)


def render_planned(pages: list[PlannedPage], progress=None) -> bytes:
    """One PDF of planned pages (see plan()), without the database."""
    if not pages:
        raise ValueError("No certificates to print.")
    rendered, complete = _render_missing(pages, progress)
    # When every page was rendered just now, the documents are the print already, in order, and
    # each stores its fonts once: merging 20 of them is much quicker than merging 500 single pages.
    return pdf.merge_pdfs(rendered if complete else [page.path.read_bytes() for page in pages])


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", name).strip()[:80]


def zip_by_unit(certificates: list[Certificate], progress=None) -> bytes:
    """A ZIP with one folder per unit, one PDF per certificate inside."""
    return zip_planned(plan(certificates), progress)


def zip_planned(pages: list[PlannedPage], progress=None) -> bytes:
    """The ZIP of planned pages (see plan()), without the database."""
    _render_missing(pages, progress)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for page in pages:
            archive.writestr(page.zip_name, page.path.read_bytes())
    return buffer.getvalue()


def preview_png(template: CertificateTemplate, certificate: Certificate, scale: float = 0.9) -> bytes:
    """The first page of one certificate as a PNG (for the live preview while editing)."""
    # Imported here: only the preview rasterises a PDF, and pdfium's bindings slow every start of the app.
    import pypdfium2

    document = pdf.render_pdf(document_html([page_data(template, certificate)]))
    pdf_document = pypdfium2.PdfDocument(document)
    try:
        image = pdf_document[0].render(scale=scale).to_pil()
    finally:
        pdf_document.close()
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def selection(festival: Festival, params: dict) -> list:
    """The valid certificates a print's parameters (kind, unit) cover, in ceremony order."""
    kind = CertificateKind(params["kind"]) if params.get("kind") else None
    unit = db.session.get(Unit, params["unit_id"]) if params.get("unit_id") else None
    return services.for_printing(festival, kind=kind, unit=unit)


def print_certificates(festival: Festival, params: dict, progress=None) -> tuple[bytes, int]:
    """Render the selection as one PDF (or a ZIP per unit). Returns (bytes, count).

    :raise ValueError: nothing to print.
    """
    certificates = selection(festival, params)
    if params.get("as_zip"):
        return zip_by_unit(certificates, progress), len(certificates)
    return render_certificates(certificates, progress), len(certificates)


def issue_missing(festival: Festival, kinds, by) -> None:
    """Issue what is missing before printing (award kinds only once the results are final)."""
    final = policy_for(festival).is_final
    for kind in kinds:
        if kind is CertificateKind.PARTICIPATION or final:
            services.issue(festival, kind, festival_today(), by)


@jobs.work("certificates")
def certificate_job(params: dict, progress) -> jobs.JobOutput:
    """A certificate print on the queue: plan the pages from the database, then render without it."""
    with jobs.reading():
        festival = db.session.get(Festival, params["festival_id"])
        pages = plan(selection(festival, params))
    if not pages:
        raise FestivalError(_l("Không còn giấy chứng nhận nào với lựa chọn này."))
    if params.get("as_zip"):
        return jobs.JobOutput(zip_planned(pages, progress), "giay-chung-nhan.zip")
    return jobs.JobOutput(render_planned(pages, progress), "giay-chung-nhan.pdf")
