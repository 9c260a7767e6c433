"""Printing badges: what a print covers, and the work a background job does for it."""

from festival.badges import render, services
from festival.extensions import db
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


def job_work(festival_id: int, params: dict):
    """The background job's work for a badge print."""

    def work(job, progress):
        festival = db.session.get(Festival, festival_id)
        data, _count = print_badges(festival, params, progress=progress)
        db.session.commit()
        return data, f"the-{params.get('layout', 'a6')}.pdf"

    return work
