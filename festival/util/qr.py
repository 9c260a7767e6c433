"""QR codes, always with error correction M and a quiet zone of 4 modules: as SVG for web pages,
or as a black-and-white PNG with whole pixels per module for PDFs printed in bulk."""

import base64
import io
from functools import lru_cache

import qrcode
import qrcode.image.svg
from markupsafe import Markup
from PIL import Image

PIXELS_PER_MODULE = 4  # drawn without smoothing, so the modules stay square at any size
FIXED_MASK = 2  # any of the eight masks is valid; fixing it skips scoring all eight per code


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


def qr_png_data_uri(data: str) -> str:
    """A PNG of the QR code as a data URI (whole pixels per module, quiet zone of 4)."""
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
    matrix = code.get_matrix()
    size = len(matrix)
    # 8-bit grey, not 1-bit: WeasyPrint converts a 1-bit image to colour and encodes it twice,
    # which made it the costliest part of a badge; grey is written to the PDF as it is.
    image = Image.new("L", (size, size), 255)
    image.putdata([0 if dark else 255 for row in matrix for dark in row])
    image = image.resize((size * PIXELS_PER_MODULE, size * PIXELS_PER_MODULE), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
