"""The one WeasyPrint wrapper: bundled fonts, a fetcher with no network access, HTML→PDF, pages put together
from parts rendered once, merging."""

import base64
import functools
import hashlib
import math
import mimetypes
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request, url2pathname

import pikepdf
from flask import current_app
from werkzeug.security import safe_join

MAX_RESOURCE_BYTES = 20 * 1024 * 1024  # far above any logo or photo; stops a huge upload from eating memory
MAX_HTML_BYTES = 50 * 1024 * 1024  # a document this big is a bug upstream, not a print to attempt
DOCUMENT_SECONDS = 300  # one document (a chunk of badges or certificates) takes seconds, never minutes
POINTS_PER_MM = 72 / 25.4


class RenderTooSlow(RuntimeError):
    """A document did not finish rendering in time; its worker was stopped."""


FONTS_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "fonts"

# Pango and WeasyPrint's cffi bindings are not safe to use from two threads at once (a
# background print and a reprint in the same worker would clash), so renders in this process
# take turns; worker processes render in parallel.
_RENDER_LOCK = threading.Lock()

# (family, file, weight, style). Be Vietnam Pro is the house face; Noto Serif is for certificates.
_FONT_FILES = [
    ("Be Vietnam Pro", "be-vietnam-pro/BeVietnamPro_400Regular.ttf", 400, "normal"),
    ("Be Vietnam Pro", "be-vietnam-pro/BeVietnamPro_400Regular_Italic.ttf", 400, "italic"),
    ("Be Vietnam Pro", "be-vietnam-pro/BeVietnamPro_600SemiBold.ttf", 600, "normal"),
    ("Be Vietnam Pro", "be-vietnam-pro/BeVietnamPro_700Bold.ttf", 700, "normal"),
    ("Noto Serif", "noto-serif/NotoSerif_400Regular.ttf", 400, "normal"),
    ("Noto Serif", "noto-serif/NotoSerif_400Regular_Italic.ttf", 400, "italic"),
    ("Noto Serif", "noto-serif/NotoSerif_700Bold.ttf", 700, "normal"),
]

FONT_FACES_CSS = "\n".join(
    f'@font-face {{ font-family: "{family}"; src: url("{(FONTS_DIR / name).as_uri()}") format("truetype"); '
    f"font-weight: {weight}; font-style: {style}; }}"
    for family, name, weight, style in _FONT_FILES
)


@functools.cache
def _weasyprint():
    """WeasyPrint, imported on its first use: it takes half a second, which every start of the app (each web
    worker, each command) would otherwise pay though most of them never print."""
    import weasyprint.text.fonts
    import weasyprint.urls

    return weasyprint


def static_url(filename: str) -> str:
    """The file:// URL of a file under the app's static folder, for <img src> in PDF templates."""
    return _file_url(current_app.static_folder, filename)


def _file_url(root: str, relative_path: str) -> str:
    path = safe_join(root, relative_path)
    if path is None:
        raise ValueError(f"{relative_path!r} is outside {root}")
    return Path(os.path.abspath(path)).as_uri()


def data_uri(data: bytes, content_type: str) -> str:
    """An image (an upload read from the store by the caller) inlined for <img src>: documents render
    on any machine, and a worker process reads nothing outside the fonts and the static folder."""
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def allowed_roots() -> list[str]:
    """The folders PDFs may read files from: the bundled fonts and the static folder (uploads come as data: URIs)."""
    return [str(FONTS_DIR), current_app.static_folder]


def fetch_resource(url: str, roots: list[str] | None = None):
    """Read a data: URI or a file:// URL inside `roots` (default: allowed_roots()); nothing else.

    There is no network access at all, so a template or an uploaded SVG cannot make the server
    call an internal address (SSRF) or a cloud metadata endpoint, and no redirect is ever followed.

    :raise URLFetchingError: for any other URL, a file outside the roots, or one over the size cap;
        WeasyPrint then leaves that image or stylesheet out and carries on.
    """
    if roots is None:
        roots = allowed_roots()
    urls = _weasyprint().urls
    scheme = urlsplit(url).scheme.lower()
    if scheme == "data":
        # urllib's DataHandler only decodes the URI in memory; it never opens a connection.
        with DataHandler().data_open(Request(url)) as response:
            body = response.read(MAX_RESOURCE_BYTES + 1)
            content_type = response.headers.get_content_type()
    elif scheme == "file":
        body = _read_file(url, roots)
        content_type = mimetypes.guess_type(urlsplit(url).path)[0] or "application/octet-stream"
    else:
        raise urls.URLFetchingError(f"PDF resources must be local files or data: URIs, not {url[:80]!r}")
    if len(body) > MAX_RESOURCE_BYTES:
        raise urls.URLFetchingError(f"{url[:80]!r} is larger than {MAX_RESOURCE_BYTES} bytes")
    return urls.URLFetcherResponse(url, body, {"Content-Type": content_type})


def _read_file(url: str, roots: list[str]) -> bytes:
    URLFetchingError = _weasyprint().urls.URLFetchingError
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):  # file://host/share would be a network path
        raise URLFetchingError(f"Remote file URL refused: {url[:80]!r}")
    # realpath resolves symlinks and "..", so a link in the static folder to /etc/passwd is judged by its target.
    path = Path(os.path.realpath(url2pathname(unquote(parts.path))))
    if not any(path.is_relative_to(os.path.realpath(root)) for root in roots):
        raise URLFetchingError(f"File outside the allowed folders: {url[:80]!r}")
    if not path.is_file():  # a directory or a FIFO would fail or block on open
        raise URLFetchingError(f"Not a readable file: {url[:80]!r}")
    try:
        with open(path, "rb") as file:
            return file.read(MAX_RESOURCE_BYTES + 1)
    except OSError as error:
        raise URLFetchingError(f"Cannot read {url[:80]!r}: {error.strerror}") from None


@functools.cache
def _safe_fetcher_class():
    """WeasyPrint 70 needs a URLFetcher subclass (it reads attributes of the fetcher when a fetch fails);
    overriding fetch() replaces urllib's opener, so no HTTP/FTP handler is ever reached. Defined on first
    use, as WeasyPrint is imported then."""

    class SafeFetcher(_weasyprint().urls.URLFetcher):
        def __init__(self, roots):
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
            self.roots = list(roots)

        def fetch(self, url, headers=None):
            return fetch_resource(url, self.roots)

    return SafeFetcher


@dataclass(frozen=True)
class OverBackground:
    """A document to render whose every page is drawn over the first page of `background` (a PDF): the
    background is stored once, as a Form XObject every page shows, and the HTML holds only what differs
    from page to page. Over page i go the PDF operators `draw(*arguments)` returns for each arguments in
    `drawings[i]`, as for Layers (a certificate's QR code). render_each() takes these as well as plain HTML."""

    html: str
    background: bytes
    drawings: list[list[tuple]] | None = None
    draw: Callable[..., str] | None = None


@dataclass(frozen=True)
class Layers:
    """A document put together from layers, for prints whose pages repeat parts at several places (a
    badge's heading, band and affiliation, four to an A4 sheet) and differ only in short pieces of text (a
    badge's name).

    `html` lays out the pieces of text side by side on one page, piece j in the column `pitch` millimetres
    wide that starts j × `pitch` millimetres from the page's left edge (each piece's lines start in its
    column; only text may be drawn there, and what spills past that page's bottom is not shown):
    WeasyPrint's cost of a page, its margin boxes and page styles, is then paid once a document instead of
    once a printed page. `parts` is the HTML of the repeated parts, one to a page (each page the size of
    the area it covers), rendered once in each process that renders documents of the print. Page i of the
    document is `size` (width, height) millimetres; on it go, from the bottom up: the parts in
    `placements[i]`, as (index of the part's page, left, top) in millimetres from the page's top-left
    corner; the pieces in `pieces[i]`, as (index of the piece, left, top), the top-left corner of the
    piece's column (the top of the layer's page) put at (left, top); and the PDF operators that
    `draw(*arguments)` returns for each arguments in `drawings[i]`, in millimetres from that corner with
    the y axis pointing down. `draw` (a module-level function, such as a QR code's path) runs where the
    document is rendered, so that the workers share that work too. In the file each part is one form
    XObject, however often it is placed. render_each() takes these as well.
    """

    html: str
    pitch: float
    size: tuple[float, float]
    pieces: list[list[tuple[int, float, float]]]
    parts: str
    placements: list[list[tuple[int, float, float]]]
    drawings: list[list[tuple]]
    draw: Callable[..., str]


def _render(document: str | OverBackground | Layers, roots: list[str]) -> bytes:
    if isinstance(document, OverBackground):
        return underlay(_render(document.html, roots), document.background, document.drawings, document.draw)
    if isinstance(document, Layers):
        return _put_together(_render(document.html, roots), _render_parts(document.parts, tuple(roots)), document)
    with _RENDER_LOCK:
        return _laid_out(document, roots).write_pdf()


def _laid_out(html: str, roots: list[str]):
    if len(html) > MAX_HTML_BYTES:
        raise ValueError(f"The document is larger than {MAX_HTML_BYTES // 1024 // 1024} MB.")
    weasyprint = _weasyprint()
    fetcher = _safe_fetcher_class()(roots)
    font_config = weasyprint.text.fonts.FontConfiguration()
    fonts = weasyprint.CSS(string=FONT_FACES_CSS, font_config=font_config, url_fetcher=fetcher)
    return weasyprint.HTML(string=html, url_fetcher=fetcher).render(stylesheets=[fonts], font_config=font_config)


def render_pdf(html: str) -> bytes:
    """Render one HTML document to PDF bytes in this process (needs an app context)."""
    return _render(html, allowed_roots())


def render_pdf_with_anchors(html: str) -> tuple[bytes, dict[str, tuple[float, float, float, float]]]:
    """Render one HTML document, and say where each element with an `id` is on its first page: (left, top,
    right, bottom) of its border box, in CSS px from the page's top left corner (needs an app context). A
    layer drawn over this page (see OverBackground) places its own elements by these.

    In a process that called keep_workers_warm() a warm worker renders it, so this process need not load
    WeasyPrint; elsewhere it renders here (while a print's workers start, for instance).

    :raise RenderTooSlow: the document took longer than DOCUMENT_SECONDS (a warm worker is then stopped).
    """
    if not _KEEP_WARM:
        return _render_with_anchors(html, allowed_roots())
    try:
        return _warm_pool().apply_async(_render_with_anchors, (html, allowed_roots())).get(timeout=DOCUMENT_SECONDS)
    except multiprocessing.TimeoutError:
        close_warm_workers()
        raise RenderTooSlow(f"A PDF document took longer than {DOCUMENT_SECONDS} s to render.") from None


def _render_with_anchors(html: str, roots: list[str]) -> tuple[bytes, dict]:
    with _RENDER_LOCK:
        document = _laid_out(html, roots)
        return document.write_pdf(), dict(document.pages[0].anchors)


def underlay(
    document: bytes,
    background: bytes,
    drawings: list[list[tuple]] | None = None,
    draw: Callable[..., str] | None = None,
) -> bytes:
    """`document` with the first page of `background` drawn under each of its pages, stored once in the
    file as a Form XObject (the pages are the same size: the background is placed as it is), and over
    page i what `draw(*arguments)` gives for each arguments in `drawings[i]` (see OverBackground)."""
    with pikepdf.open(BytesIO(document)) as pdf, pikepdf.open(BytesIO(background)) as source:
        shared = pdf.copy_foreign(source.pages[0].as_form_xobject())
        for index, page in enumerate(pdf.pages):
            # WeasyPrint gives each page of a document every page's resources (all their images), which
            # split_pages() would copy into each page's file; only the page's own small layer is read to
            # find its own, before the background is added.
            page.remove_unreferenced_resources()
            page.add_underlay(shared)
            if drawings:
                _draw_over(page, draw, drawings[index])
        output = BytesIO()
        pdf.save(output, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return output.getvalue()


@functools.lru_cache(maxsize=2)
def _render_parts(html: str, roots: tuple[str, ...]) -> bytes:
    """The parts of a print, rendered once in this process however many of its documents it renders."""
    return _render(html, list(roots))


def _put_together(layer: bytes, rendered_parts: bytes, layers: Layers) -> bytes:
    """The pages of `layers`: the parts placed under, the pieces of the layer's page, and the drawings over."""
    with pikepdf.open(BytesIO(layer)) as source, pikepdf.open(BytesIO(rendered_parts)) as parts:
        layer_page = source.pages[0]
        lines = _text_lines(layer_page, layers.pitch * POINTS_PER_MM)
        document = pikepdf.new()
        # One resource dictionary for every page: the layer's fonts and colour spaces, and every part placed.
        resources = document.copy_foreign(source.make_indirect(layer_page.Resources))
        placed = sorted({index for placements in layers.placements for index, _left, _top in placements})
        forms = {index: document.copy_foreign(parts.pages[index].as_form_xobject()) for index in placed}
        resources.XObject = pikepdf.Dictionary({f"/Part{index}": form for index, form in forms.items()})
        width, height = (side * POINTS_PER_MM for side in layers.size)
        layer_height = float(layer_page.mediabox[3])
        flip = _top_down(height)
        for pieces, placements, drawings in zip(layers.pieces, layers.placements, layers.drawings, strict=True):
            content = []
            for index, left, top in placements:
                bottom = height - top * POINTS_PER_MM - float(forms[index].BBox[3])
                content.append(f"q 1 0 0 1 {left * POINTS_PER_MM:.3f} {bottom:.3f} cm /Part{index} Do Q\n".encode())
            for index, left, top in pieces:
                shift_x = left * POINTS_PER_MM
                shift_y = height - top * POINTS_PER_MM - layer_height
                content.append(f"q 1 0 0 1 {shift_x:.3f} {shift_y:.3f} cm\n".encode())
                content += lines.get(index, [])
                content.append(b"Q\n")
            drawn = "".join(layers.draw(*arguments) for arguments in drawings)
            content.append(f"q {flip}\n{drawn}Q\n".encode())
            page = pikepdf.Dictionary(
                Type=pikepdf.Name.Page,
                MediaBox=[0, 0, width, height],
                Resources=resources,
                Contents=document.make_stream(b"".join(content)),
            )
            document.pages.append(pikepdf.Page(document.make_indirect(page)))
        output = BytesIO()
        document.save(output)
        return output.getvalue()


_GRAPHICS_STATE = {"w", "J", "j", "M", "d", "ri", "i", "gs", "CS", "cs", "SC", "SCN", "sc", "scn"}
_GRAPHICS_STATE |= {"G", "g", "RG", "rg", "K", "k"}
_TEXT_STATE = {"Tc", "Tw", "Tz", "TL", "Tf", "Tr", "Ts"}
_LINE = {"Td", "TD", "T*", "Tj", "TJ", "'", '"'}  # a line's moves and text, relative to where its Tm put it
_MARKED_CONTENT = {"BMC", "BDC", "EMC", "MP", "DP"}


def _text_lines(page: pikepdf.Page, pitch: float) -> dict[int, list[bytes]]:
    """The text lines drawn on a page, each as operators that draw it by themselves (colour and font set
    first), by the column `pitch` points wide its start (its text matrix) lies in, moved from that column to
    the page's left edge (the page's own coordinates, not its content's transformations).

    :raise ValueError: the page draws something other than text (a layer holds only text).
    """
    # Per q level: the transformation, and the state operators in force (each operator's last, in order).
    stack: list[tuple[pikepdf.Matrix, dict[str, pikepdf.ContentStreamInstruction]]] = [(pikepdf.Matrix(), {})]
    lines: dict[int, list[bytes]] = {}
    line: tuple | None = None  # (column, operators setting it up, its own operators)
    in_text = False

    def finish() -> None:
        if line is not None:
            column, setup, body = line
            lines.setdefault(column, []).append(pikepdf.unparse_content_stream(setup + body) + b"\nET Q\n")

    for instruction in pikepdf.parse_content_stream(page):
        operator = str(instruction.operator)
        matrix, state = stack[-1]
        if operator == "q":
            stack.append((matrix, dict(state)))
        elif operator == "Q":
            stack.pop()
        elif operator == "cm":
            stack[-1] = (pikepdf.Matrix(*instruction.operands) @ matrix, state)
        elif operator == "BT":
            in_text = True
        elif operator == "ET":
            finish()
            line, in_text = None, False
        elif operator in _GRAPHICS_STATE or operator in _TEXT_STATE:
            state.pop(operator, None)
            state[operator] = instruction
            if line is not None:
                line[2].append(instruction)
        elif in_text and operator == "Tm":
            finish()
            # The line's own matrix, from text space to the page, moved left by its column's offset: the
            # coordinates stay as small as those of the page it goes on (a renderer's float arithmetic is
            # exact enough there, not twenty metres to the right).
            placed = pikepdf.Matrix(*instruction.operands) @ matrix
            # A line starts at its column's left edge; a hair more keeps rounding from moving it a column left.
            column = math.floor((placed.e + 0.01) / pitch)
            placed = placed @ pikepdf.Matrix().translated(-column * pitch, 0)
            graphics = [op for name, op in state.items() if name not in _TEXT_STATE]
            text = [op for name, op in state.items() if name in _TEXT_STATE]
            setup = [([], pikepdf.Operator("q")), *graphics, ([], pikepdf.Operator("BT")), *text]
            line = (column, setup, [(list(placed.shorthand), pikepdf.Operator("Tm"))])
        elif in_text and operator in _LINE and line is not None:
            line[2].append(instruction)
        elif operator not in _MARKED_CONTENT:
            raise ValueError(f"A layer's page must hold only lines of text placed by Tm, not {operator!r}.")
    return lines


def _top_down(height: float) -> str:
    """The `cm` operator that makes a page `height` points tall measured in millimetres from its top-left corner,
    the y axis pointing down (where drawings are given)."""
    return f"{POINTS_PER_MM:.6f} 0 0 {-POINTS_PER_MM:.6f} 0 {height:.3f} cm"


def _draw_over(page: pikepdf.Page, draw: Callable[..., str], drawings: list[tuple]) -> None:
    """Add over the page what `draw(*arguments)` gives for each of `drawings`, in millimetres from the page's
    top-left corner with the y axis pointing down."""
    # The page's own operators may leave the graphics state changed: they are wrapped in q … Q, so that the
    # drawings start from the page's own coordinates.
    page.contents_add(b"q\n", prepend=True)
    flip = _top_down(float(page.mediabox[3]))
    drawn = "".join(draw(*arguments) for arguments in drawings)
    page.contents_add(f"\nQ\nq {flip}\n{drawn}Q\n".encode())


def render_documents(
    htmls: Iterable[str | OverBackground | Layers],
    *,
    total: int | None = None,
    processes: int | None = None,
    progress=None,
) -> bytes:
    """Render HTML documents and merge them, in order, into one PDF (one document renders in this process,
    several in worker processes).

    `htmls` may be a generator (give `total`): each document goes to a worker as soon as it is
    built, so building the rest overlaps rendering. `progress(done, total)` is called in the
    calling thread after each document. Needs an app context (for the allowed folders).

    :raise ValueError: when there is no document.
    :raise Exception: whatever a worker raised while rendering.
    """
    chunks = render_each(htmls, total=total, processes=processes, progress=progress)
    return chunks[0] if len(chunks) == 1 else merge_pdfs(chunks)


def render_each(
    htmls: Iterable[str | OverBackground | Layers],
    *,
    total: int | None = None,
    processes: int | None = None,
    progress=None,
    split: bool = False,
    each=None,
) -> list:
    """Render many HTML documents (in worker processes when there are several) into one PDF each; an
    OverBackground is drawn over its background, and Layers put together, by the worker that renders it.

    With `split`, each item is (document, [one PDF per page]): the workers split their own
    documents, so that work runs in parallel too. In a process that called keep_workers_warm()
    (the queue's consumer) the workers are kept between prints, with fonts and WeasyPrint loaded.
    `each(index, item)` is called in the calling thread as each item comes back, in order, before
    `progress`: the caller stores what is done while the workers render the rest.

    :raise ValueError: when there is no document.
    :raise RenderTooSlow: a document took longer than DOCUMENT_SECONDS (its worker is stopped).
    :raise Exception: whatever a worker raised while rendering.
    """
    if total is None:
        htmls = list(htmls)
        total = len(htmls)
    if not total:
        raise ValueError("No documents to render.")
    roots = allowed_roots()
    render = _render_and_split if split else _render
    warm = _warm_pool() if _KEEP_WARM and total > 1 else None
    processes = min(processes or os.cpu_count() or 1, total)
    chunks: list = []

    def done(item) -> None:
        chunks.append(item)
        if each:
            each(len(chunks) - 1, item)
        if progress:
            progress(len(chunks), total)

    if warm is None and processes == 1:
        for html in htmls:
            done(render(html, roots))
        return chunks
    if warm is not None:
        try:
            _collect(warm, render, htmls, roots, total, done)
        except RenderTooSlow:
            close_warm_workers()  # a stuck worker: start afresh for the next print
            raise
        return chunks
    # spawn, not fork: the caller may be a thread in a gunicorn worker, and forking a threaded
    # process can copy held locks into the child and hang it. (Spawned children re-import the
    # caller's __main__, so a script calling this needs the __main__ guard.) Leaving the `with`
    # terminates the workers, so a failed or stuck print leaves nothing running.
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        _collect(pool, render, htmls, roots, total, done)
    return chunks


def _collect(pool, render, htmls, roots, total: int, done) -> None:
    # Each document goes to a worker as soon as it is built.
    pending = [pool.apply_async(render, (html, roots)) for html in htmls]
    for result in pending:
        try:
            item = result.get(timeout=DOCUMENT_SECONDS)
        except multiprocessing.TimeoutError:
            raise RenderTooSlow(f"A PDF document took longer than {DOCUMENT_SECONDS} s to render.") from None
        done(item)
    if len(pending) != total:
        raise ValueError("Fewer documents than the total announced.")


def _render_and_split(document: str | OverBackground | Layers, roots: list[str]) -> tuple[bytes, list[bytes]]:
    rendered = _render(document, roots)
    return rendered, split_pages(rendered)


# Warm workers: the queue's consumer keeps one pool of PDF processes for every print ----------------

_KEEP_WARM = False
_POOL = None
_POOL_LOCK = threading.Lock()
_WARM_UP_HTML = (
    "<p>"
    + " ".join(
        f'<span style="font-family: &quot;{family}&quot;; font-weight: {weight}; font-style: {style}">Ưu tú ĐẠT</span>'
        for family, _name, weight, style in _FONT_FILES
    )
    + "</p>"
)


def keep_workers_warm(processes: int | None = None) -> None:
    """Keep PDF worker processes between prints in this process (the queue's consumer calls this):
    a print then starts rendering at once instead of spawning workers that load WeasyPrint, Pango
    and the fonts first. The pool starts now, in the background."""
    global _KEEP_WARM
    _KEEP_WARM = True
    threading.Thread(target=_warm_pool, args=(processes,), name="pdf-warm-up", daemon=True).start()


def _warm_pool(processes: int | None = None):
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            count = processes or os.cpu_count() or 1
            _POOL = multiprocessing.get_context("spawn").Pool(count, initializer=_warm_up)
        return _POOL


def close_warm_workers(timeout: float = 1.0) -> None:
    """Stop the warm PDF workers (the consumer, on its way out) in about 2 × `timeout` seconds at most,
    so that a consumer told to stop (honcho, systemd) is gone well before it would be killed.

    Pool.terminate() first takes the task queue's lock, which an idle worker holds while it waits for
    work; a worker that died there (SIGTERM sent to the whole process group) leaves it held for ever.
    So the workers are stopped first (killed if they do not stop within `timeout`), and terminate()
    gets `timeout` seconds in a daemon thread of its own: a stopped consumer never hangs nor leaves
    orphaned processes behind."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is None:
        return
    pool.close()  # first, so the pool's handler thread stops replacing the workers stopped below
    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    for child in children:
        child.join(timeout)
        if child.is_alive():
            child.kill()
            child.join(timeout)
    closing = threading.Thread(target=pool.terminate, name="pdf-pool-terminate", daemon=True)
    closing.start()
    closing.join(timeout)


def _warm_up() -> None:
    """In each new worker: load WeasyPrint, Pango and every bundled font by rendering a line once."""
    try:
        _render(_WARM_UP_HTML, [str(FONTS_DIR)])
    except Exception:  # a worker that cannot warm up still renders (and reports) the real print
        pass


def merge_pdfs(chunks: list[bytes]) -> bytes:
    """Join PDFs in order into one, storing identical objects (the font subsets of pages rendered
    together, a seal or a signature on every certificate) only once."""
    merged = pikepdf.new()
    sources = []  # pikepdf copies page data lazily: the sources stay open until the merged file is written
    for chunk in chunks:
        sources.append(pikepdf.open(BytesIO(chunk)))
        merged.pages.extend(sources[-1].pages)
    _store_identical_objects_once(merged)
    output = BytesIO()
    merged.save(output, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for source in sources:
        source.close()
    return output.getvalue()


def split_pages(document: bytes) -> list[bytes]:
    """Each page of a PDF as a PDF of its own, with only the objects that page uses."""
    pages = []
    with pikepdf.open(BytesIO(document)) as source:
        for page in source.pages:
            single = pikepdf.new()
            single.pages.append(page)
            output = BytesIO()
            single.save(output, object_stream_mode=pikepdf.ObjectStreamMode.generate)
            pages.append(output.getvalue())
    return pages


_TREE_TYPES = (pikepdf.Name.Page, pikepdf.Name.Pages, pikepdf.Name.Catalog)
_REFERENCE = re.compile(rb"\d+ \d+ R")  # may also match inside a string: then the slow way is taken


def _store_identical_objects_once(pdf: pikepdf.Pdf) -> None:
    """Point every reference at the first of the objects identical to its target, so the writer
    (which writes only what is referenced) stores each once. Objects are compared by content and
    their references by what they point to (a Merkle hash), so identical fonts and everything that
    refers to them collapse in one pass. Pages keep their identity."""
    keys: dict[tuple, bytes] = {}
    first: dict[bytes, pikepdf.Object] = {}

    def key_of(value) -> bytes:
        if not isinstance(value, pikepdf.Object):
            return repr(value).encode()
        if not value.is_indirect:
            return content_key(value)
        objgen = value.objgen
        if objgen not in keys:
            keys[objgen] = repr(objgen).encode()  # its identity while its content is hashed: ends cycles
            content = content_key(value)  # hashes what it refers to as well
            if not (isinstance(value, pikepdf.Dictionary) and value.get("/Type") in _TREE_TYPES):
                keys[objgen] = content
                first.setdefault(content, value)
        return keys[objgen]

    def content_key(value) -> bytes:
        if not isinstance(value, pikepdf.Stream):
            text = value.unparse(resolved=True)
            if not _REFERENCE.search(text):  # no reference inside (a width table, a colour space): hash the text
                return hashlib.sha256(b"T" + text).digest()
        digest = hashlib.sha256()
        if isinstance(value, pikepdf.Stream):
            digest.update(b"S" + key_of(value.stream_dict) + value.read_raw_bytes())
        elif isinstance(value, pikepdf.Dictionary):
            digest.update(b"D")
            for name in sorted(value.keys()):
                digest.update(name.encode() + b"\0" + key_of(value.get(name)) + b"\0")
        elif isinstance(value, pikepdf.Array):
            digest.update(b"A")
            for item in value:
                digest.update(key_of(item) + b"\0")
        else:
            digest.update(b"V" + value.unparse())
        return digest.digest()

    def repoint(container) -> None:
        if not _REFERENCE.search(container.unparse(resolved=True)):
            return
        entries = list(container.items()) if isinstance(container, pikepdf.Dictionary) else list(enumerate(container))
        for index, value in entries:
            if not isinstance(value, pikepdf.Object):
                continue
            if value.is_indirect:
                same = first.get(keys.get(value.objgen))
                if same is not None and same.objgen != value.objgen:
                    container[index] = same
            elif isinstance(value, (pikepdf.Dictionary, pikepdf.Array)):
                repoint(value)

    for page in pdf.pages:
        key_of(page.obj)
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            repoint(obj.stream_dict)
        elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Array)):
            repoint(obj)
