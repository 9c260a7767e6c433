"""The PDF wrapper: Vietnamese text and bundled fonts, the no-network fetcher, parallel rendering, merging."""

import multiprocessing
import socket
import unicodedata
import urllib.request
from io import BytesIO
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader
from weasyprint.urls import URLFetcher, URLFetchingError

from festival.util import pdf

VIETNAMESE = "Nguyễn Thị Hằng – Đức Giang – 1.500.000 ₫"


@pytest.fixture
def upload_dir(app):
    path = Path(app.config["UPLOAD_DIR"])
    path.mkdir(parents=True)
    return path


@pytest.fixture
def static_dir(app, tmp_path):
    """A static folder of the test's own (the shared static/ holds no PNG to read)."""
    app.static_folder = str(tmp_path / "static")
    Path(app.static_folder).mkdir()
    return Path(app.static_folder)


def write_png(path, mode="RGBA", color=(200, 30, 30, 128)):
    """A small PNG (with an alpha channel unless told otherwise); returns its bytes."""
    Image.new(mode, (24, 24), color).save(path)
    return path.read_bytes()


def page_texts(data):
    document = pdfium.PdfDocument(data)
    texts = [unicodedata.normalize("NFC", page.get_textpage().get_text_range()) for page in document]
    document.close()
    return texts


def image_xobjects(data, subtype="/Image"):
    """The distinct image (or other `subtype`) XObjects, by object number, drawn on the PDF's pages."""
    found = set()
    for page in PdfReader(BytesIO(data)).pages:
        for reference in page["/Resources"].get("/XObject", {}).values():
            if reference.get_object()["/Subtype"] == subtype:
                found.add(reference.idnum)
    return found


@pytest.mark.parametrize("family", ["Be Vietnam Pro", "Noto Serif"])
def test_vietnamese_text_survives_in_the_pdf_text_layer_with_the_bundled_font(app, family):
    with app.app_context():
        data = pdf.render_pdf(f"<p style=\"font-family:'{family}'\">{VIETNAMESE}</p>")

    assert VIETNAMESE in page_texts(data)[0]
    fonts = PdfReader(BytesIO(data)).pages[0]["/Resources"]["/Font"].values()
    descriptors = []
    for font in fonts:
        font = font.get_object()
        # Every glyph, ₫ and đ included, comes from the bundled font: no fallback font appears.
        assert family.replace(" ", "") in font["/BaseFont"].replace("-", "")
        descriptors.append(font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object())
    assert descriptors and all("/FontFile2" in descriptor for descriptor in descriptors)


def test_font_faces_point_at_the_vendored_files():
    for url in pdf.FONT_FACES_CSS.split('url("')[1:]:
        path = Path(urllib.request.url2pathname(url.split('"')[0].removeprefix("file://")))
        assert path.is_file() and path.is_relative_to(pdf.FONTS_DIR)
    assert pdf.FONT_FACES_CSS.count('"Be Vietnam Pro"') == 4
    assert pdf.FONT_FACES_CSS.count('"Noto Serif"') == 3


def refused_urls(tmp_path, static_dir, upload_dir):
    secret = tmp_path / "secret.png"
    write_png(secret)
    sibling = tmp_path / "static-other"  # shares the static folder's name as a prefix
    sibling.mkdir()
    write_png(sibling / "x.png")
    (static_dir / "passwd.png").symlink_to("/etc/passwd")
    (static_dir / "secret-link.png").symlink_to(secret)
    write_png(upload_dir / "photo.png")  # uploads reach a PDF as data: URIs, read from the store
    return [
        "file:///etc/passwd",
        f"file://{static_dir}/../secret.png",
        f"file://{static_dir}/%2E%2E/secret.png",
        f"file://{sibling}/x.png",
        f"file://{static_dir}/passwd.png",
        f"file://{static_dir}/secret-link.png",
        f"file://{static_dir}",
        f"file://fileserver{static_dir}/x.png",
        f"file://{upload_dir}/photo.png",
        "http://127.0.0.1:1/x.png",
        "http://169.254.169.254/latest",
        "http://localhost/x.png",
        "https://example.com/x.png",
        "ftp://example.com/x.png",
    ]


def test_fetcher_refuses_the_network_and_files_outside_fonts_and_static(app, tmp_path, static_dir, upload_dir):
    urls = refused_urls(tmp_path, static_dir, upload_dir)
    with app.app_context():
        for url in urls:
            with pytest.raises(URLFetchingError):
                pdf.fetch_resource(url)


def test_fetcher_reads_data_uris_and_files_in_fonts_and_static(app, tmp_path, static_dir):
    static_png = write_png(static_dir / "logo.png")
    upload_png = write_png(tmp_path / "ảnh.png", "RGB", (0, 90, 200))

    with app.app_context():
        static_response = pdf.fetch_resource(pdf.static_url("logo.png"))
        data_response = pdf.fetch_resource(pdf.data_uri(upload_png, "image/png"))
        font = pdf.fetch_resource((pdf.FONTS_DIR / "noto-serif" / "NotoSerif_700Bold.ttf").as_uri())

    assert (static_response.read(), static_response.content_type) == (static_png, "image/png")
    assert (data_response.read(), data_response.content_type) == (upload_png, "image/png")
    assert font.read()[:4] == b"\x00\x01\x00\x00"


def test_fetcher_refuses_files_and_data_uris_over_the_size_cap(app, static_dir, monkeypatch):
    big = write_png(static_dir / "big.png")
    monkeypatch.setattr(pdf, "MAX_RESOURCE_BYTES", 10)
    with app.app_context():
        with pytest.raises(URLFetchingError):
            pdf.fetch_resource(pdf.static_url("big.png"))
        with pytest.raises(URLFetchingError):
            pdf.fetch_resource(pdf.data_uri(big, "image/png"))


def test_template_urls_cannot_leave_their_folder(app):
    with app.app_context():
        with pytest.raises(ValueError):
            pdf.static_url("../config.py")


def test_rendering_makes_no_network_connection_and_still_succeeds(app, tmp_path, static_dir, upload_dir, monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    images = "".join(f'<img src="{url}">' for url in refused_urls(tmp_path, static_dir, upload_dir))
    html = (
        '<link rel="stylesheet" href="http://169.254.169.254/style.css">'
        "<style>@import url(http://127.0.0.1:1/a.css);"
        " body { background: url(https://example.com/bg.png) }</style>"
        f"<p>Phiếu chấm</p>{images}"
    )

    with app.app_context():
        data = pdf.render_pdf(html)

    assert page_texts(data)[0].startswith("Phiếu chấm")
    assert image_xobjects(data) == set()
    assert attempts == []
    # The traps work: WeasyPrint's own fetcher does try to connect.
    with pytest.raises(OSError):
        URLFetcher().fetch("http://127.0.0.1:1/x.png")
    assert attempts


def test_an_uploaded_image_given_as_a_data_uri_is_drawn(app, tmp_path):
    logo = pdf.data_uri(write_png(tmp_path / "logo.png"), "image/png")
    with app.app_context():
        data = pdf.render_pdf(f'<p>Gian hàng A12</p><img src="{logo}">')
    assert len(image_xobjects(data)) == 1


def documents(folder):
    """Three documents of 1, 2 and 1 pages, each showing the same logo."""
    logo = f'<img src="{pdf.data_uri(write_png(folder / "logo.png"), "image/png")}">'
    return [
        f"<p>Tài liệu một</p>{logo}",
        f'<p>Tài liệu hai</p>{logo}<p style="break-before: page">Tài liệu hai, trang sau</p>',
        f"<p>Tài liệu ba</p>{logo}",
    ]


def test_documents_render_in_worker_processes_and_merge_in_order(app, tmp_path):
    calls = []
    with app.app_context():
        htmls = documents(tmp_path)
        merged = pdf.render_documents(htmls, processes=2, progress=lambda *call: calls.append(call))

    texts = page_texts(merged)
    assert [text.split("\r\n")[0] for text in texts] == [
        "Tài liệu một",
        "Tài liệu hai",
        "Tài liệu hai, trang sau",
        "Tài liệu ba",
    ]
    assert sorted(calls) == [(1, 3), (2, 3), (3, 3)] and calls[-1] == (3, 3)
    assert len(image_xobjects(merged)) == 1  # the shared logo is stored once


def test_a_worker_error_reaches_the_caller(app):
    with app.app_context():
        with pytest.raises(TypeError):
            pdf.render_documents(["<p>Một</p>", None], processes=2)


def test_one_process_renders_in_place_and_merging_keeps_one_copy_of_the_logo(app, tmp_path):
    calls = []
    with app.app_context():
        htmls = documents(tmp_path)
        merged = pdf.render_documents(htmls, processes=1, progress=lambda *call: calls.append(call))
        chunks = [pdf.render_pdf(html) for html in htmls]

    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert len(page_texts(merged)) == 4
    assert sum(len(image_xobjects(chunk)) for chunk in chunks) == 3
    assert len(image_xobjects(pdf.merge_pdfs(chunks))) == 1


def font_files(data):
    with pikepdf.open(BytesIO(data)) as document:
        return [
            obj.objgen
            for obj in document.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"
        ]


def test_pages_split_apart_and_merged_again_store_their_fonts_once(app):
    with app.app_context():
        document = pdf.render_pdf(
            "".join(f'<p style="page-break-after: always">Trang {n}: Nguyễn Thị Ánh Tuyết</p>' for n in range(1, 4))
        )
    pages = pdf.split_pages(document)

    assert [page_texts(page) for page in pages] == [[f"Trang {n}: Nguyễn Thị Ánh Tuyết"] for n in range(1, 4)]
    assert all(len(font_files(page)) == len(font_files(document)) == 1 for page in pages)  # each page carries the font
    merged = pdf.merge_pdfs(pages)
    assert page_texts(merged) == page_texts(document)
    assert len(font_files(merged)) == 1  # and the merged file stores it once again


def test_documents_over_a_background_share_it_once_and_keep_only_their_own_images(app, tmp_path):
    logo = f'<img src="{pdf.data_uri(write_png(tmp_path / "logo.png"), "image/png")}">'
    page = '<section style="break-after: page; height: 50mm">{}</section>'
    with app.app_context():
        background, anchors = pdf.render_pdf_with_anchors(
            '<p>Nền chung</p><p id="name" style="margin-left: 30px">&nbsp;</p>'
        )
        layers = [
            pdf.OverBackground(
                "".join(page.format(f"<p>Người {n}</p><p>{logo if n % 2 else ''}</p>") for n in numbers), background
            )
            for numbers in ((1, 2), (3,))
        ]
        stored = []
        results = pdf.render_each(layers, processes=2, split=True, each=lambda index, item: stored.append(index))

    assert stored == [0, 1]
    left, top, right, bottom = anchors["name"]
    assert left > 30 and top > 0 and right > left and bottom > top  # CSS px of the element's border box
    merged = pdf.merge_pdfs([document for document, _pages in results])
    texts = page_texts(merged)
    assert len(texts) == 3 and all(f"Nền chung Người {n}" in text for n, text in enumerate(texts, start=1))
    with pikepdf.open(BytesIO(merged)) as document:
        forms = [
            {x.objgen for x in page.resources.XObject.values() if x.Subtype == pikepdf.Name.Form}
            for page in document.pages
        ]
    assert len(forms[0]) == 1 and forms[0] == forms[1] == forms[2]  # one background, stored once
    singles = [single for _document, pages in results for single in pages]
    assert [len(image_xobjects(single)) for single in singles] == [1, 0, 1]  # not every page's logo on each


def test_a_stuck_render_is_stopped_and_leaves_no_worker_running(app, monkeypatch):

    monkeypatch.setattr(pdf, "DOCUMENT_SECONDS", 0.01)
    slow = "<p>" + "Nguyễn Thị Hằng " * 20000 + "</p>"
    with app.app_context(), pytest.raises(pdf.RenderTooSlow):
        pdf.render_documents([slow, slow], processes=2)
    assert multiprocessing.active_children() == []


def test_an_oversized_document_is_refused_before_rendering(app, monkeypatch):
    monkeypatch.setattr(pdf, "MAX_HTML_BYTES", 1000)
    with app.app_context(), pytest.raises(ValueError, match="larger than"):
        pdf.render_pdf("<p>" + "x" * 2000 + "</p>")


def text_in(data, page_index, box_mm):
    """The text inside a box (left, top, right, bottom in mm from the page's top-left corner) of a page."""
    document = pdfium.PdfDocument(data)
    try:
        page = document[page_index]
        height = page.get_height()
        left, top, right, bottom = (value * pdf.POINTS_PER_MM for value in box_mm)
        textpage = page.get_textpage()
        return unicodedata.normalize(
            "NFC", textpage.get_text_bounded(left, height - bottom, right, height - top)
        ).strip()
    finally:
        document.close()


def black_square(left, top, side):
    return f"0 g {left} {top} {side} {side} re f\n"


MM_POINTS = [(70, 110), (85, 110), (70, 125)]  # inside the square drawn at (60, 100), right of it, under it


PIECES_CSS = (
    "<style>@page { size: 300mm 100mm; margin: 0 } p { position: absolute; top: 0; width: 90mm; margin: 0 }</style>"
)


def pieces(*texts):
    """A layer's page: the texts side by side, one to a column 100 mm wide."""
    return PIECES_CSS + "".join(f'<p style="left: {i * 100}mm">{text}</p>' for i, text in enumerate(texts))


def test_layers_put_parts_rendered_once_under_each_page_pieces_of_text_and_drawings_over_it(app):
    parts = (
        "<style>@page { size: 60mm 12mm; margin: 0 } p { margin: 0; break-after: page }</style>"
        "<p>Phần chung một</p><p>Phần chung hai</p>"
    )
    square = (60, 100, 20)  # millimetres from the top-left corner, y pointing down
    documents = [
        pdf.Layers(
            pieces("Nguyễn Thị Hằng", "Lê Văn Đức"),
            100,
            (105, 148),
            [[(0, 5, 40)], [(1, 5, 40)]],
            parts,
            [[(0, 10, 20), (1, 10, 60)], [(1, 30, 90)]],
            [[square], []],
            black_square,
        ),
        pdf.Layers(
            pieces("Trần Ánh Tuyết"), 100, (105, 148), [[(0, 5, 40)]], parts, [[(0, 10, 20)]], [[square]], black_square
        ),
    ]
    with app.app_context():
        merged = pdf.render_documents(documents, processes=1)

    assert [text.split("\r\n")[-1] for text in page_texts(merged)] == [
        "Nguyễn Thị Hằng",
        "Lê Văn Đức",
        "Trần Ánh Tuyết",
    ]
    assert text_in(merged, 0, (9, 19, 71, 33)) == "Phần chung một"
    assert text_in(merged, 0, (9, 59, 71, 73)) == "Phần chung hai"
    assert text_in(merged, 1, (29, 89, 91, 103)) == "Phần chung hai"
    assert "Phần chung một" not in page_texts(merged)[1]
    assert text_in(merged, 2, (9, 19, 71, 33)) == "Phần chung một"
    assert text_in(merged, 0, (4, 39, 96, 50)) == "Nguyễn Thị Hằng"  # the column's corner at (5, 40)
    assert text_in(merged, 1, (4, 39, 96, 50)) == "Lê Văn Đức"
    assert pdfium.PdfDocument(merged)[0].get_size() == pytest.approx((105 * pdf.POINTS_PER_MM, 148 * pdf.POINTS_PER_MM))
    image = pdfium.PdfDocument(merged)[0].render(scale=1).to_pil().convert("L")
    grey = [image.getpixel((round(x * pdf.POINTS_PER_MM), round(y * pdf.POINTS_PER_MM))) for x, y in MM_POINTS]
    assert grey == [0, 255, 255]  # the square, where it was drawn
    assert len(image_xobjects(merged, "/Form")) == 2  # each part once, though placed four times in two documents


def test_a_piece_of_text_on_many_lines_stays_whole_on_its_own_page(app):
    long = " ".join(["Nguyễn Thị Thanh Hương Giang"] * 12)  # a dozen lines in its 90 mm column
    document = pdf.Layers(
        pieces(long, "Lê Văn Đức"),
        100,
        (105, 148),
        [[(0, 5, 10)], [(1, 5, 10)]],
        "<p>x</p>",
        [[], []],
        [[], []],
        black_square,
    )
    with app.app_context():
        texts = page_texts(pdf.render_documents([document]))
    assert " ".join(texts[0].split()) == long
    assert texts[1].strip() == "Lê Văn Đức"


def test_a_layer_that_draws_more_than_text_is_refused(app):
    document = pdf.Layers(
        PIECES_CSS + '<p style="border: 1px solid">Lê Văn Đức</p>',
        100,
        (105, 148),
        [[(0, 5, 10)]],
        "<p>x</p>",
        [[]],
        [[]],
        black_square,
    )
    with app.app_context(), pytest.raises(ValueError, match="only lines of text"):
        pdf.render_documents([document])
