"""Booth posters: one A4 page per accepted exhibit, with a QR code to its public page."""

from flask import render_template
from flask_babel import lazy_gettext as _l

from festival.core import jobs
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.exhibits import services
from festival.models import Exhibit, ExhibitStatus, Festival
from festival.privacy import consent as consents
from festival.util import pdf
from festival.util.qr import qr_svg
from festival.util.urls import public_url

POSTERS_PER_DOCUMENT = 40  # one worker process renders this many pages at a time


def poster_fields(exhibit: Exhibit, consenting: set[int] | None = None) -> dict:
    """What one poster shows, as plain values read from the database (the QR code is drawn later)."""
    festival = exhibit.festival
    return {
        "festival": {
            "name": festival.name,
            "venue": festival.venue,
            "starts_on": festival.starts_on,
            "ends_on": festival.ends_on,
        },
        "code": exhibit.code,
        "booth": exhibit.booth,
        "category": {"name_vi": exhibit.category.name_vi},
        "title": exhibit.title,
        "unit": {"name": exhibit.unit.name},
        # A name only with the author's standing consent (privacy.consent); read at print time.
        "authors": [
            {"full_name": a.name, "job_title": a.job_title}
            for a in consents.public_authors(exhibit, consents.HIDDEN_AUTHOR_POSTER, consenting)
        ],
        "summary": exhibit.summary,
        "benefit_vnd": exhibit.benefit_vnd,
        "url": public_url("public.exhibit", exhibit_id=exhibit.id),
    }


def render_poster_fields(posters: list[dict], progress=None) -> bytes:
    """A PDF with one booth poster per poster_fields(), in the order given (no database needed)."""
    if not posters:
        raise ValueError("No posters to print.")
    pages = [{"exhibit": poster, "qr": qr_svg(poster["url"]), "url": poster["url"]} for poster in posters]
    documents = (
        render_template("exhibits/poster.html", pages=pages[start : start + POSTERS_PER_DOCUMENT])
        for start in range(0, len(pages), POSTERS_PER_DOCUMENT)
    )
    count = -(-len(pages) // POSTERS_PER_DOCUMENT)
    return pdf.render_documents(documents, total=count, progress=progress)


def render_posters(exhibits: list[Exhibit]) -> bytes:
    """A PDF with one booth poster per exhibit, in the order given."""
    return render_poster_fields([poster_fields(exhibit) for exhibit in exhibits])


def selection(festival: Festival, category_id: int | None) -> list[Exhibit]:
    """The accepted exhibits a poster print covers (optionally one category), by code."""
    filters = services.ExhibitFilters(category_id=category_id, sort="code")
    statement = services.search_exhibits(festival, filters, statuses=[ExhibitStatus.ACCEPTED])
    return list(db.session.execute(statement).scalars())


@jobs.work("posters")
def poster_job(params: dict, progress) -> jobs.JobOutput:
    """The booth posters on the queue: read the exhibits, then render with the database let go."""
    with jobs.reading():
        festival = db.session.get(Festival, params["festival_id"])
        exhibits = selection(festival, params.get("category_id"))
        # Every author's consent in one query, not one per poster.
        consenting = consents.consenting_author_ids(a.id for exhibit in exhibits for a in exhibit.authors)
        posters = [poster_fields(exhibit, consenting) for exhibit in exhibits]
        edition = festival.edition
    if not posters:
        raise FestivalError(_l("Chưa có sáng kiến nào được duyệt để in áp phích."))
    return jobs.JobOutput(render_poster_fields(posters, progress), f"posters-festival-{edition}.pdf")
