"""Certificate PDFs: A4 landscape in the trade-union style, each page kept (cached) in the
"certificates" store until its inputs change, merged for the ceremony or zipped per unit; and a
quick PNG preview.

A print lays out what its certificates share (border, header, motto, title, signature block, seal, static
wording) once, as a background page, and per certificate only what differs (name, body, serial, code) with a
stylesheet of its own, placed where the whole certificate has it; each page shows the background as one Form
XObject, and its QR code is drawn over it as a vector path.

The template's signature and seal are read from the "uploads" store and inlined as data: URIs, so
any machine renders the same page; their content hashes are part of each page's fingerprint, so
a page is rendered again when an image changes. A missing image stops the print (MissingImage)
rather than printing certificates without a signature.

And the print job: what a print covers, and the work the background job does for it.
"""

import hashlib
import io
import itertools
import json
import logging
import mimetypes
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass

from flask import render_template
from flask_babel import lazy_gettext as _l

from festival.booths.services import booth_policy_for
from festival.certificates import services
from festival.certificates.services import template_for, values_for
from festival.core import jobs, storage
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.judging.policy import policy_for
from festival.models import Certificate, CertificateKind, CertificateTemplate, Festival, Unit
from festival.util import pdf
from festival.util.formatting import festival_today
from festival.util.placeholders import fill
from festival.util.qr import qr_pdf_path, qr_png_data_uri
from festival.util.urls import public_url

log = logging.getLogger(__name__)

# Pages a worker renders at a time. Each document costs a set-up and font subsets of its own, a large share of a page
# layer as small as a certificate's own; 50 pages share them, and a 500-page print still gives each worker several.
CERTIFICATES_PER_DOCUMENT = 50
RENDER_VERSION = "6"  # bump when the layout changes, so cached pages are rendered again
QR_MM = 26  # the QR code's side on the certificate
PX_TO_MM = 25.4 / 96  # the background's anchors are in CSS px
IMAGES = {"signature": "signature_image", "seal": "seal_image"}  # page field → template column
# What a page shows that is drawn in its background: the pages of a print that agree on all of these share one.
SHARED = ("header", "motto", "title", "lead", "dateline", "signatory_title", "signatory_name", "verify_page", *IMAGES)


class MissingImage(FestivalError):
    """The template names a signature or seal image that is not in the store."""

    status_code = 409
    code = "missing_image"  # a print job shows jobs.REASONS["missing_image"]


@dataclass(frozen=True)
class TemplateImages:
    """A template's images as the page shows them: content hashes (part of the page's fingerprint)
    and the data: URI of each hash."""

    hashes: dict  # page field → sha256 hex, or None when the template has no such image
    uris: dict  # sha256 hex → data: URI


def template_images(template: CertificateTemplate) -> TemplateImages:
    """Read the template's signature and seal from the uploads store.

    :raise MissingImage: an image the template names is not in the store.
    :raise OSError: the store cannot be reached.
    """
    hashes, uris = {}, {}
    for name, column in IMAGES.items():
        key = getattr(template, column)
        if not key:
            hashes[name] = None
            continue
        try:
            data = storage.store("uploads").read(key)
        except FileNotFoundError:
            log.warning("The %s image %s of a certificate template is not in the store", name, key)
            raise MissingImage(
                _l(
                    "Không tìm thấy ảnh chữ ký hoặc con dấu của mẫu giấy chứng nhận nên không dựng được giấy chứng "
                    "nhận. Hãy tải lại ảnh trong mẫu giấy chứng nhận rồi thử lại."
                )
            ) from None
        digest = hashlib.sha256(data).hexdigest()
        hashes[name] = digest
        uris[digest] = pdf.data_uri(data, mimetypes.guess_type(key)[0] or "application/octet-stream")
    return TemplateImages(hashes, uris)


NAME_SIZES = ((22, 32), (34, 27), (46, 22), (10_000, 18))  # (up to n characters, points)


def vietnamese_date(place: str, day) -> str:
    """`Hà Nội, ngày 15 tháng 6 năm 2022`."""
    return f"{place}, ngày {day.day} tháng {day.month} năm {day.year}"


def verify_url(certificate: Certificate) -> str:
    """What the certificate's QR code holds: its verify page, by its random verification code."""
    return public_url("certificates.verify", code=certificate.verification_code)


def page_data(template: CertificateTemplate, certificate: Certificate, images: TemplateImages) -> dict:
    """Everything one page shows, as plain text (placeholders filled, nothing interpreted); the
    images by their content hash (see template_images)."""
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
        **images.hashes,
        "serial": certificate.serial,
        "code": certificate.code_for_print,  # printed beside the QR code, to be typed at /verify
        "verify_page": public_url("certificates.verify_form"),
        "verify": verify_url(certificate),  # the QR code's content; the image is drawn only when rendering
    }


def page_hash(data: dict) -> str:
    """A fingerprint of what a page shows (and of the layout version)."""
    return hashlib.sha256(json.dumps([RENDER_VERSION, data], sort_keys=True, default=str).encode()).hexdigest()


def cache_key(certificate_id: int, digest: str) -> str:
    """The page's key in the "certificates" store: one certificate's versions share its id as a prefix."""
    return f"{certificate_id}-{digest[:20]}.pdf"


def document_html(pages: list[dict], images: dict) -> str:
    """One document of whole certificates; `images` maps the pages' image hashes to data: URIs (each is
    written once, in the style sheet, however many pages show it)."""
    return _certificate_html([{**page, "qr": qr_png_data_uri(page["verify"])} for page in pages], images)


def background_html(page: dict, images: dict) -> str:
    """The one page a print's certificates share (see SHARED): `page` without what differs, which keeps
    its place, hidden, under the anchors "recipient" and "verify" (see pdf.render_pdf_with_anchors)."""
    return _certificate_html([page], images, layer="background")


def person_html(pages: list[dict], anchors: dict) -> str:
    """What differs on each page (name, body, serial, code), nothing else, placed at the `anchors` of their
    background, so that drawn over it with the QR code (qr_drawings) each page is the whole certificate."""
    return render_template("certificates/layer.html", pages=pages, anchors=anchors, qr_mm=QR_MM)


def qr_drawings(pages: list[dict], anchors: dict) -> list[list[tuple]]:
    """Each page's QR code as arguments of qr_pdf_path: at the top left of the "verify" anchor, in millimetres."""
    left, top = anchors["verify"][0] * PX_TO_MM, anchors["verify"][1] * PX_TO_MM
    return [[(page["verify"], left, top, QR_MM)] for page in pages]


def _certificate_html(pages: list[dict], images: dict, layer: str | None = None) -> str:
    used = {page[name] for page in pages for name in IMAGES if page[name]}
    return render_template(
        "certificates/certificate.html",
        pages=pages,
        layer=layer,
        images={digest: images[digest] for digest in sorted(used)},
        corner_url=pdf.static_url("img/certificate-corner.svg"),
        qr_mm=QR_MM,
    )


def _shared(data: dict) -> str:
    return json.dumps([data[name] for name in SHARED], default=str)


@dataclass
class PlannedPage:
    """One certificate of a print, as plain values: what its page shows, its images and its key in
    the page cache. Made while the database is read; rendering needs nothing more from it."""

    certificate_id: int
    data: dict
    digest: str
    key: str
    zip_name: str
    images: dict  # image hash → data: URI (one dict shared by a template's pages)


def plan(certificates: list[Certificate]) -> list[PlannedPage]:
    """What each certificate's page shows, its fingerprint and its cache key (reads the database,
    and each template's images from the store once).

    :raise MissingImage: a template's signature or seal is not in the store.
    """
    templates: dict = {}
    pages = []
    for certificate in certificates:
        which = (certificate.festival_id, certificate.kind)
        if which not in templates:
            template = template_for(certificate.festival, certificate.kind)
            templates[which] = (template, template_images(template))
        template, images = templates[which]
        data = page_data(template, certificate, images)
        digest = page_hash(data)
        folder = _safe(f"{certificate.unit.code} - {certificate.unit.short_name}")
        zip_name = f"{folder}/{_safe(certificate.serial + ' - ' + certificate.recipient_name)}.pdf"
        key = cache_key(certificate.id, digest)
        pages.append(PlannedPage(certificate.id, data, digest, key, zip_name, images.uris))
    return pages


def _store_page(cache: storage.Store, page: PlannedPage, data: bytes, older: list[str]) -> None:
    """Cache one page (whole or not at all: the store's promise), then drop its older versions."""
    cache.put(page.key, data)
    cache.delete(*(key for key in older if key != page.key))


def _render_missing(pages: list[PlannedPage], progress=None, documents: bool = False) -> list[bytes]:
    """Render the pages whose inputs changed (or were never rendered) and cache each on its own.
    Needs an app context, not the database.

    :return: each page as a PDF of its own, in the order given; with `documents`, when no page came
        from the cache, the documents just rendered instead (every page, in that order).
    """
    cache = storage.store("certificates")
    # One listing rather than a request per page (a HEAD each on S3); it also names each certificate's older
    # versions, to drop once its new page is stored.
    cached = {stored.key for stored in cache.list()} if pages else set()
    versions = defaultdict(list)
    for key in cached:
        versions[key.partition("-")[0]].append(key)
    found = {page.key: cache.read(page.key) for page in pages if page.key in cached}
    missing = [page for page in pages if page.key not in found]
    total = len(missing)
    whole = documents and total == len(pages)
    rendered = []
    if missing:
        chunks = _chunks(missing)
        ends = list(itertools.accumulate(len(chunk) for chunk in chunks))

        def store(index: int, result: tuple[bytes, list[bytes]]) -> None:
            document, single_pages = result
            rendered.append(document)
            for page, data in zip(chunks[index], single_pages):
                _store_page(cache, page, data, versions[str(page.certificate_id)])
                if not whole:
                    found[page.key] = data

        pdf.render_each(
            _layered(chunks),  # workers start on the first at once
            total=len(chunks),
            progress=(lambda done, parts: progress(ends[done - 1], total)) if progress else None,
            split=True,  # the workers split their documents into the pages to cache
            each=store,  # while they render the next ones
        )
    elif progress:
        progress(1, 1)
    return rendered if whole else [found[page.key] for page in pages]


def _chunks(pages: list[PlannedPage]) -> list[list[PlannedPage]]:
    """The pages in order, in documents of at most CERTIFICATES_PER_DOCUMENT pages that share one background."""
    chunks: list[list[PlannedPage]] = []
    last = None
    for page in pages:
        shared = _shared(page.data)
        if chunks and len(chunks[-1]) < CERTIFICATES_PER_DOCUMENT and shared == last:
            chunks[-1].append(page)
        else:
            chunks.append([page])
        last = shared
    return chunks


def _layered(chunks: list[list[PlannedPage]]):
    """Each chunk as the pages' own layer over their background; a background is rendered the first time a
    chunk needs it, as its anchors place the pages' own layer."""
    backgrounds: dict[str, tuple[bytes, dict]] = {}
    for chunk in chunks:
        first = chunk[0]
        shared = _shared(first.data)
        if shared not in backgrounds:
            backgrounds[shared] = pdf.render_pdf_with_anchors(background_html(first.data, first.images))
        background, anchors = backgrounds[shared]
        pages = [page.data for page in chunk]
        yield pdf.OverBackground(person_html(pages, anchors), background, qr_drawings(pages, anchors), qr_pdf_path)


def certificate_pdfs(certificates: list[Certificate], progress=None) -> list[bytes]:
    """One single-page PDF per certificate; pages whose inputs did not change are not rendered again.

    :raise MissingImage: a template's signature or seal is not in the store.
    """
    return _render_missing(plan(certificates), progress)


def render_certificates(certificates: list[Certificate], progress=None) -> bytes:
    """One PDF of the certificates in the order given.

    :raise ValueError: no certificates.
    :raise MissingImage: a template's signature or seal is not in the store.
    """
    if not certificates:
        raise ValueError("No certificates to print.")
    return render_planned(plan(certificates), progress)


def render_planned(pages: list[PlannedPage], progress=None) -> bytes:
    """One PDF of planned pages (see plan()), without the database."""
    if not pages:
        raise ValueError("No certificates to print.")
    # When every page is rendered now, the documents are the print already, in order, and each
    # stores its fonts once: merging 20 of them is much quicker than merging 500 single pages.
    return pdf.merge_pdfs(_render_missing(pages, progress, documents=True))


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", name).strip()[:80]


def zip_by_unit(certificates: list[Certificate], progress=None) -> bytes:
    """A ZIP with one folder per unit, one PDF per certificate inside."""
    return zip_planned(plan(certificates), progress)


def zip_planned(pages: list[PlannedPage], progress=None) -> bytes:
    """The ZIP of planned pages (see plan()), without the database."""
    single_pages = _render_missing(pages, progress)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for page, data in zip(pages, single_pages):
            archive.writestr(page.zip_name, data)
    return buffer.getvalue()


def preview_png(template: CertificateTemplate, certificate: Certificate, scale: float = 0.9) -> bytes:
    """The first page of one certificate as a PNG (for the live preview while editing).

    :raise MissingImage: the template's signature or seal is not in the store.
    """
    # Imported here: only the preview rasterises a PDF, and pdfium's bindings slow every start of the app.
    import pypdfium2

    images = template_images(template)
    document = pdf.render_pdf(document_html([page_data(template, certificate, images)], images.uris))
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
    booths_final = booth_policy_for(festival).is_final
    for kind in kinds:
        if kind is CertificateKind.PARTICIPATION or (booths_final if kind is CertificateKind.BOOTH_AWARD else final):
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
