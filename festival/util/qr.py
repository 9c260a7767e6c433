"""QR codes, always with error correction M and a quiet zone of 4 modules: as SVG for web pages,
as a black-and-white PNG with whole pixels per module for PDFs laid out from HTML, or as PDF path
operators drawn straight onto a page (badges, see pdf.Layers)."""

import base64
import io
import re
from functools import lru_cache

import qrcode
import qrcode.image.svg
from markupsafe import Markup
from PIL import Image

PIXELS_PER_MODULE = 4  # drawn without smoothing, so the modules stay square at any size
FIXED_MASK = 2  # any of the eight masks is valid; fixing it skips scoring all eight per code
_DARK_RUN = re.compile(b"\x01+")  # in a row of modules as bytes, True being 1


def qr_svg(data: str, size_mm: float | None = None) -> Markup:
    """An inline <svg> QR code of `data` (optionally sized in millimetres)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    if size_mm is not None:
        svg = svg.replace("<svg ", f'<svg width="{size_mm}mm" height="{size_mm}mm" ', 1)
    return Markup(svg)


@lru_cache(maxsize=8)
def _qr_version(length: int) -> int:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data("x" * length)
    code.make(fit=True)
    return code.version


def _modules(data: str) -> list[list[bool]]:
    """The QR code's modules, row by row, quiet zone included (True is dark)."""
    # The URLs of one print (check-in links, verify links) all have the same length, so the
    # version is found once per length rather than fitted for every code.
    code = qrcode.QRCode(
        version=_qr_version(len(data)),
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
        mask_pattern=FIXED_MASK,
    )
    code.add_data(data)
    code.make(fit=False)
    return code.get_matrix()


def qr_png_data_uri(data: str) -> str:
    """A PNG of the QR code as a data URI (whole pixels per module, quiet zone of 4)."""
    matrix = _modules(data)
    size = len(matrix)
    # 8-bit grey, not 1-bit: WeasyPrint converts a 1-bit image to colour and encodes it twice,
    # which made it the costliest part of a badge; grey is written to the PDF as it is.
    image = Image.new("L", (size, size), 255)
    image.putdata([0 if dark else 255 for row in matrix for dark in row])
    image = image.resize((size * PIXELS_PER_MODULE, size * PIXELS_PER_MODULE), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def qr_pdf_path(data: str, left: float, top: float, size: float) -> str:
    """The QR code as PDF operators that fill its dark modules in black, in the square of side `size`
    whose top-left corner is at (`left`, `top`) of a space whose y axis points down (a page read from
    its top-left corner, in any unit); the quiet zone is left unpainted.

    One path of one rectangle per run of dark modules in a row, filled once: a few hundred operators
    where an image would be decoded, scaled and compressed again for every code, and edges that stay
    sharp at any printer's resolution.
    """
    matrix = _modules(data)
    scale = size / len(matrix)
    runs = [
        f"{run.start()} {y} {run.end() - run.start()} 1 re"
        for y, row in enumerate(matrix)
        for run in _DARK_RUN.finditer(bytes(row))
    ]
    return f"q {scale:.5f} 0 0 {scale:.5f} {left:.3f} {top:.3f} cm 0 g\n" + "\n".join(runs) + "\nf Q\n"
