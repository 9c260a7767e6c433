"""QR codes as SVG: sharp at any print size, error correction M, a quiet zone of 4 modules."""
import qrcode
import qrcode.image.svg
from markupsafe import Markup


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
