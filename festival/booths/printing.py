"""Booth score sheets (phiếu chấm gian hàng) as PDF: one A4 page per sheet, with a line for the judge to sign."""

from flask import render_template

from festival.booths.scoring import sheet_points, sheet_total
from festival.booths.services import booth_criteria, booths
from festival.models import BoothSheet
from festival.util import pdf


def render_booth_sheets_pdf(sheets: list[BoothSheet]) -> bytes:
    """A PDF with one page per booth sheet, in the order given (at least one, all of one festival)."""
    festival = sheets[0].festival
    criteria = booth_criteria(festival)
    locations = {b.unit.id: b.location for b in booths(festival)}
    pages = [
        {
            "sheet": sheet,
            "criteria": criteria,
            "points": sheet_points(sheet),
            "total": sheet_total(sheet),
            "location": locations.get(sheet.unit_id, "—"),
        }
        for sheet in sheets
    ]
    return pdf.render_pdf(render_template("booths/sheet_pdf.html", pages=pages))
