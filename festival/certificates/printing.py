"""Printing certificates: what a print covers, and the work its background job does."""

from flask_babel import lazy_gettext as _l

from festival.certificates import render, services
from festival.core import jobs
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.judging.policy import policy_for
from festival.models import CertificateKind, Festival, Unit
from festival.util.formatting import festival_today


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
        return render.zip_by_unit(certificates, progress), len(certificates)
    return render.render_certificates(certificates, progress), len(certificates)


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
        pages = render.plan(selection(festival, params))
    if not pages:
        raise FestivalError(_l("Không còn giấy chứng nhận nào với lựa chọn này."))
    if params.get("as_zip"):
        return jobs.JobOutput(render.zip_planned(pages, progress), "giay-chung-nhan.zip")
    return jobs.JobOutput(render.render_planned(pages, progress), "giay-chung-nhan.pdf")
