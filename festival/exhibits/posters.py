"""Booth posters: one A4 page per accepted exhibit, with a QR code to its public page."""

from flask import render_template

from festival import pdf
from festival.models import Exhibit
from festival.qr import qr_svg
from festival.urls import public_url

POSTERS_PER_DOCUMENT = 40  # one worker process renders this many pages at a time


def render_posters(exhibits: list[Exhibit]) -> bytes:
    """A PDF with one booth poster per exhibit, in the order given."""
    pages = [
        {
            "exhibit": exhibit,
            "qr": qr_svg(public_url("public.exhibit", exhibit_id=exhibit.id)),
            "url": public_url("public.exhibit", exhibit_id=exhibit.id),
        }
        for exhibit in exhibits
    ]
    documents = [
        render_template("exhibits/poster.html", pages=pages[start : start + POSTERS_PER_DOCUMENT])
        for start in range(0, len(pages), POSTERS_PER_DOCUMENT)
    ]
    if len(documents) == 1:
        return pdf.render_pdf(documents[0])
    return pdf.render_documents(documents)
