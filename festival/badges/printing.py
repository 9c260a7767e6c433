"""Badge PDFs: A6 badges one per page, or four to an A4 sheet with crop marks.

Each badge: festival name and dates, the person's name as large as fits the width (wrapped
onto two lines when even the smallest size is too wide), unit, the role on a band in its
colour, and the QR code of the check-in URL — drawn as a vector path of its dark modules, with a
4-module quiet zone and error correction M.

Only the names are laid out for each badge, and those of a document all on one page, side by side,
each then lifted onto its badge: WeasyPrint's cost of a page was a quarter of a badge's. What badges
repeat (the festival's heading, each affiliation, each role's band, an A4 sheet's cut marks) is
rendered once per print and placed under the names, and the QR codes are drawn over them
(pdf.Layers): laying out those parts for every badge took most of a print's time.

And the print job: what a print covers, and the work the background job does for it.
"""

import math
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from flask import render_template
from flask_babel import lazy_gettext as _l
from fontTools.ttLib import TTFont

from festival.badges import colours, services
from festival.core import jobs
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.models import Attendee, BadgeRole, Festival, Unit, utcnow
from festival.util import pdf
from festival.util.qr import qr_pdf_path
from festival.util.urls import public_url

LAYOUTS = ("a6", "a4")
BADGES_PER_SHEET = {"a6": 1, "a4": 4}  # a trial print is one sheet of paper
BADGES_PER_DOCUMENT = 200  # a worker renders this many badges at a time
NAME_WIDTH_PT = 250  # the A6 badge's text width (91 mm) less a little air
NAME_SIZES = (30, 16)  # largest and smallest name size on one line, in points
WRAPPED_SIZES = (22, 13)  # on two lines
PAGE_SIZES = {"a6": (105, 148), "a4": (210, 297)}  # in mm
CELL_SIZES = {"a6": (105, 148), "a4": (105, 148.5)}  # one badge's area in mm: an A6 page, or a quarter of A4
NAME_BOX = (7, 30.6)  # the name's left and top in mm within the cell: inside the margin, under the heading
NAME_PITCH = 100  # mm between the names laid out side by side (names.html): more than their 91 mm width
QR_BOX = (30.5, 65.1, 44)  # left, top and side in mm within the cell: centred, 1 mm under the affiliation
BOLD_FONT = Path(__file__).resolve().parent.parent.parent / "static/fonts/be-vietnam-pro/BeVietnamPro_700Bold.ttf"


@lru_cache(maxsize=1)
def _metrics() -> tuple[dict[int, int], int, int]:
    with TTFont(BOLD_FONT) as font:
        advances = {code: font["hmtx"][glyph][0] for code, glyph in font.getBestCmap().items()}
        return advances, font["head"].unitsPerEm, font["hmtx"][".notdef"][0]


def text_width(text: str, size: float) -> float:
    """Width in points of `text` set in Be Vietnam Pro Bold at `size` points."""
    advances, units, fallback = _metrics()
    return sum(advances.get(ord(char), fallback) for char in text) * size / units


def fit_name(name: str) -> dict:
    """The size (and line breaks) at which a name fills the badge width without overflowing."""
    largest, smallest = NAME_SIZES
    size = min(largest, NAME_WIDTH_PT / max(text_width(name, 1), 1))
    if size >= smallest:
        return {"lines": [name], "size": round(size, 1)}
    words = name.split()
    # Two lines, split where the longer line is shortest.
    best = min(
        ([" ".join(words[:i]), " ".join(words[i:])] for i in range(1, len(words))),
        key=lambda lines: max(text_width(line, 1) for line in lines),
        default=[name],
    )
    size = min(WRAPPED_SIZES[0], NAME_WIDTH_PT / max(max(text_width(line, 1) for line in best), 1))
    return {"lines": best, "size": round(max(size, WRAPPED_SIZES[1]), 1)}


def checkin_url(attendee: Attendee) -> str:
    """The short URL a badge's QR code holds."""
    return public_url("checkin.badge", token=attendee.badge_token)


def badge_fields(attendee: Attendee) -> dict:
    """What one badge shows, as plain values read from the database (the QR code is drawn later)."""
    return {
        "name": fit_name(attendee.full_name),
        "affiliation": attendee.affiliation,
        "role": attendee.role.name_vi,
        "colour": attendee.role.colour,
        "role_text": colours.text_colour(attendee.role.colour),
        "url": checkin_url(attendee),
    }


def festival_fields(festival: Festival) -> dict:
    """What a badge shows of the festival, as plain values."""
    return {"name": festival.name, "starts_on": festival.starts_on, "ends_on": festival.ends_on}


def _cells(layout: str) -> list[tuple[float, float]]:
    """The top-left corner (mm) of each badge's cell on a page of the layout."""
    width, height = CELL_SIZES[layout]
    return [(0, 0)] if layout == "a6" else [(0, 0), (width, 0), (0, height), (width, height)]


class Part(NamedTuple):
    """Something badges repeat, drawn once per print (badges/parts.html)."""

    kind: str  # "sheet" (an A4 sheet's cut marks), "head" (the festival), "band" (a role) or "affiliation"
    text: str = ""
    colour: str = ""
    text_colour: str = ""


def _badge_parts(badge: dict) -> list[Part]:
    """The parts in a badge's cell: the festival's heading, the role's band, the affiliation if it has one."""
    parts = [Part("head"), Part("band", badge["role"], badge["colour"], badge["role_text"])]
    return parts + [Part("affiliation", badge["affiliation"])] if badge["affiliation"] else parts


def badge_documents(festival: Festival | dict, attendees: list, layout: str) -> Iterator[pdf.Layers]:
    """The documents of a print, BADGES_PER_DOCUMENT badges each, built one at a time (nothing is read
    before the first is asked for, so that reading overlaps the workers' start).

    `festival` and `attendees` may be the plain values of festival_fields() and badge_fields(),
    so the documents are built without the database.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}")
    badges = [a if isinstance(a, dict) else badge_fields(a) for a in attendees]
    sheet = [Part("sheet")] if layout == "a4" else []
    parts = sheet + sorted({part for badge in badges for part in _badge_parts(badge)})
    index = {part: number for number, part in enumerate(parts)}
    parts_html = render_template(
        "badges/parts.html", festival=festival, parts=parts, layout=layout, cell_height=CELL_SIZES[layout][1]
    )
    cells = _cells(layout)
    name_left, name_top = NAME_BOX
    names_height = CELL_SIZES[layout][1] - name_top  # a name that spills past its cell's bottom is cut there
    qr_left, qr_top, qr_side = QR_BOX
    for start in range(0, len(badges), BADGES_PER_DOCUMENT):
        chunk = badges[start : start + BADGES_PER_DOCUMENT]
        placements, pieces, drawings = [], [], []
        for first in range(0, len(chunk), len(cells)):
            placed = [(index[part], 0, 0) for part in sheet]
            names, qr_codes = [], []
            for number, ((left, top), badge) in enumerate(zip(cells, chunk[first : first + len(cells)]), first):
                placed += [(index[part], left, top) for part in _badge_parts(badge)]
                names.append((number, left + name_left, top + name_top))
                qr_codes.append((badge["url"], left + qr_left, top + qr_top, qr_side))
            placements.append(placed)
            pieces.append(names)
            drawings.append(qr_codes)
        names_html = render_template(
            "badges/names.html", names=[badge["name"] for badge in chunk], pitch=NAME_PITCH, height=names_height
        )
        yield pdf.Layers(
            names_html, NAME_PITCH, PAGE_SIZES[layout], pieces, parts_html, placements, drawings, qr_pdf_path
        )


def render_badges(festival: Festival | dict, attendees: list, layout: str = "a6", progress=None) -> bytes:
    """A PDF of the attendees' badges in the order given (parallel for big prints); the attendees
    may be Attendee rows or their badge_fields().

    :raise ValueError: no attendees or an unknown layout.
    """
    if not attendees:
        raise ValueError("No badges to print.")
    count = math.ceil(len(attendees) / BADGES_PER_DOCUMENT)
    # A4 chunks hold whole sheets because BADGES_PER_DOCUMENT is a multiple of four.
    return pdf.render_documents(badge_documents(festival, attendees, layout), total=count, progress=progress)


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
    data = render_badges(festival, attendees, params.get("layout", "a6"), progress=progress)
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
        shown = festival_fields(festival)
        badges = [badge_fields(attendee) for attendee in attendees]
        ids = [attendee.id for attendee in attendees]
    if not badges:
        raise FestivalError(_l("Không còn thẻ nào cần in với lựa chọn này."))
    layout = params.get("layout", "a6")
    data = render_badges(shown, badges, layout, progress=progress)
    on_done = (lambda: services.mark_printed(ids, utcnow())) if params.get("only_new") else None
    return jobs.JobOutput(data, f"the-{layout}.pdf", on_done)
