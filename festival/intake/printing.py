"""The production teams' QR posters: one A4 page per team, whose code opens the team's phone form."""

from flask import render_template

from festival.models import ProductionTeam
from festival.util import pdf
from festival.util.qr import qr_svg
from festival.util.urls import public_url


def idea_url(team: ProductionTeam) -> str:
    """The absolute address of the team's phone form, on PUBLIC_BASE_URL (what the poster's QR code holds)."""
    return public_url("intake.idea", key=team.intake_key)


def render_team_posters(teams: list[ProductionTeam]) -> bytes:
    """A PDF with one A4 poster per team, in the order given.

    :raise ValueError: no teams.
    """
    if not teams:
        raise ValueError("No teams to print.")
    pages = [{"team": team, "url": idea_url(team)} for team in teams]
    for page in pages:
        page["qr"] = qr_svg(page["url"])
    return pdf.render_pdf(render_template("intake/poster.html", pages=pages))
