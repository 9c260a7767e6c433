"""Score sheets (phiếu chấm điểm) as PDF: one A4 page per sheet, with a line for the judge to sign."""

from flask import render_template

from festival.judging.rounds import round_names
from festival.judging.rubrics import sheet_rubric
from festival.judging.scoring import sheet_total
from festival.models import ScoreSheet
from festival.util import pdf


def render_sheet_pdf(sheets: list[ScoreSheet]) -> bytes:
    """A PDF with one page per sheet, in the order given."""
    pages = []
    names: dict[int, dict] = {}
    for sheet in sheets:
        rubric = sheet_rubric(sheet)
        scores = {score.criterion_id: score for score in sheet.scores}
        festival_rounds = names.setdefault(sheet.exhibit.festival_id, round_names(sheet.exhibit.festival))
        # A festival judged in one round prints its sheets as before, without a round's name.
        judging_round = festival_rounds.get(sheet.round_number) if len(festival_rounds) > 1 else None
        pages.append(
            {"sheet": sheet, "rubric": rubric, "scores": scores, "total": sheet_total(sheet), "round": judging_round}
        )
    return pdf.render_pdf(render_template("judging/sheet_pdf.html", pages=pages))
