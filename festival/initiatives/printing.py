"""The council's decision recognising an initiative (Quyết định công nhận sáng kiến), as a PDF."""

from flask import render_template
from flask_babel import force_locale

from festival.models import Initiative
from festival.util import pdf


def render_decision(initiative: Initiative) -> bytes:
    """The one-page decision of a recognised initiative: unit, number, date, title, authors and shares, level.

    :raise ValueError: the initiative is not recognised.
    """
    if not initiative.is_recognised:
        raise ValueError("Only a recognised initiative has a decision to print.")
    with force_locale("vi"):  # an official document: Vietnamese whatever the page's language
        html = render_template("initiatives/decision_pdf.html", initiative=initiative)
    return pdf.render_pdf(html)
