"""Printing badges: what a print covers, and the work a background job does for it."""

from flask_babel import lazy_gettext as _l

from festival.badges import render, services
from festival.core import jobs
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.models import BadgeRole, Festival, Unit, utcnow


def selection(festival: Festival, params: dict) -> list:
    """The attendees a print's parameters (unit, role, only new) cover."""
    unit = db.session.get(Unit, params["unit_id"]) if params.get("unit_id") else None
    role = db.session.get(BadgeRole, params["role_id"]) if params.get("role_id") else None
    return services.for_printing(festival, unit=unit, role=role, only_new=bool(params.get("only_new")))


def print_badges(festival: Festival, params: dict, progress=None) -> tuple[bytes, int]:
    """Render the selected badges; an "only new" print marks them printed. Returns (pdf, count).

    :raise ValueError: nothing to print.
    """
    attendees = selection(festival, params)
    data = render.render_badges(festival, attendees, params.get("layout", "a6"), progress=progress)
    if params.get("only_new"):
        services.mark_printed([a.id for a in attendees], utcnow())
    return data, len(attendees)


@jobs.work("badges")
def badge_job(params: dict, progress) -> jobs.JobOutput:
    """A badge print on the queue: read the badges' values, then render with the database let go;
    an "only new" print marks them printed when its file is stored."""
    with jobs.reading():
        festival = db.session.get(Festival, params["festival_id"])
        attendees = selection(festival, params)
        shown = render.festival_fields(festival)
        badges = [render.badge_fields(attendee) for attendee in attendees]
        ids = [attendee.id for attendee in attendees]
    if not badges:
        raise FestivalError(_l("Không còn thẻ nào cần in với lựa chọn này."))
    layout = params.get("layout", "a6")
    data = render.render_badges(shown, badges, layout, progress=progress)
    on_done = (lambda: services.mark_printed(ids, utcnow())) if params.get("only_new") else None
    return jobs.JobOutput(data, f"the-{layout}.pdf", on_done)
