"""Reading generated PDFs the way a person or a phone would: the text layer and the QR codes."""

import io
import unicodedata

import pikepdf
import pypdfium2 as pdfium
import zxingcpp


def page_texts(data: bytes) -> list[str]:
    """The text layer of each page, NFC-normalised."""
    document = pdfium.PdfDocument(data)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(unicodedata.normalize("NFC", textpage.get_text_range()))
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def page_qr_codes(data: bytes, dpi: int = 300) -> list[list[str]]:
    """The QR codes a real decoder (zxing-cpp) reads on each page rasterised at `dpi`."""
    document = pdfium.PdfDocument(data)
    try:
        found = []
        for page in document:
            image = page.render(scale=dpi / 72).to_pil()
            found.append(
                [
                    result.text
                    for result in zxingcpp.read_barcodes(image)
                    if result.format == zxingcpp.BarcodeFormat.QRCode
                ]
            )
            page.close()
        return found
    finally:
        document.close()


def page_count(data: bytes) -> int:
    document = pdfium.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


def page_forms(data: bytes) -> list[set[tuple[int, int]]]:
    """The Form XObjects each page places itself (object number and generation): pages that show one shared
    background all name the same object, stored once in the file."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [
            {
                xobject.objgen
                for xobject in page.resources.get("/XObject", {}).values()
                if xobject.get("/Subtype") == "/Form"
            }
            for page in pdf.pages
        ]
