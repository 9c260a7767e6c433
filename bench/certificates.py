"""Certificate printing benchmark: certificates per second and peak memory for the award
certificates of a festival (500 by default) — a cold print, a warm one (every page cached), a print
with one changed certificate, everything as one WeasyPrint document, one preview and a ZIP per unit.

    .venv/bin/python bench/certificates.py [--count 500] [--with-images]

Builds a throw-away app and database in a temporary folder (accepted exhibits with one author
each, an award for every exhibit, final results, the default award template) and runs each
measurement in a fresh process, so every peak is that run's own; the memory columns are explained
in bench/measure.py. The cold print is checked: page count, the QR codes of the first, middle and
last pages, and the recipient's name in the text layer. --with-images adds a signature and a seal
to the template and prints again, to show the images are stored once in the merged PDF.

The cold print lays out the certificates' shared background once and each page's own layer over it;
its time is printed beside the one WeasyPrint document of whole certificates (the reference, run
right after it) as a ratio, with issue 29's target (at most 0.35×).
"""

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

from measure import (
    MEMORY_LEGEND,
    add_festival,
    add_units,
    busy_warning,
    decoded_ok,
    isolated,
    make_bench_app,
    read_rows,
    table_header,
    table_row,
    unique_name,
)

BAR_SECONDS, BAR_MB, BAR_PREVIEW_SECONDS = 10, 1024, 1.0
BAR_QUEUE_SECONDS = 8  # the queued cold print, PDF workers warm
# Issue 29: the cold print at most this share of the time one WeasyPrint document of the same certificates takes in
# one process, both measured in the same run (a ratio carries from one machine to another; seconds do not).
TARGET_RATIO = 0.35
PREVIEW_RUNS = 5
ISSUED_ON = date(2025, 11, 21)  # the festival's last day, when the awards are given
SIGNATORY = "Nguyễn Thị Thu Hà"
# The top tiers go to a few exhibits (as the judging policy's quotas do); every other one is Khuyến khích.
TOP_TIERS = (("FIRST", 3), ("SECOND", 6), ("THIRD", 9))
LABEL_WIDTH = 46


# The throw-away app and its data ----------------------------------------------------------


def exhibit_rows(count: int) -> list[dict]:
    """`count` exhibits cycled from the demo CSV: unique titles, a unit, a category and one author
    from the demo names (unique too, so a page can be found by its name)."""
    rows = read_rows("exhibits.csv")
    units = {row["code"]: row["short_name"] for row in read_rows("units.csv")}
    unit_codes = list(units)
    names = [row["full_name"] for row in read_rows("attendees.csv")]
    titles: set[str] = set()
    people: set[str] = set()
    result = []
    for index in range(count):
        row = rows[index % len(rows)]
        cycle = index // len(rows)
        # Each round of the CSV goes to the next unit, so every unit has exhibits in every tier.
        unit = unit_codes[(unit_codes.index(row["unit_code"]) + cycle) % len(unit_codes)]
        title = row["title"]
        candidates = [title, f"{title} tại {units[unit]}"] + [
            f"{title} tại {units[unit]} (giai đoạn {n})" for n in range(2, 100)
        ]
        title = next(candidate for candidate in candidates if candidate not in titles)
        titles.add(title)
        result.append(
            {
                "title": title,
                "unit_code": unit,
                "category_code": row["category_code"],
                "author": unique_name(names[index % len(names)], people),
                "benefit_vnd": int(row["benefit_vnd_per_year"]),
                "applied_since": int(row["applied_since"]),
            }
        )
    return result


def build_database(workdir: Path, count: int) -> dict:
    """Tables, a festival, the 16 demo units, `count` accepted exhibits each with an award, final
    results, the award template with a signatory, and the award certificates issued."""
    from festival.certificates import services
    from festival.core.extensions import db
    from festival.exhibits.services import save_category
    from festival.judging.policy import policy_for
    from festival.models import Author, Award, AwardTier, CertificateKind, Exhibit, ExhibitStatus, utcnow

    start = time.perf_counter()
    app = make_bench_app(workdir)
    with app.app_context():
        db.create_all()
        festival = add_festival()
        units = add_units()
        categories = {
            row["code"]: save_category(festival, None, row["code"], row["name_vi"], row["name_en"], by=None)
            for row in read_rows("categories.csv")
        }
        numbers = dict.fromkeys(categories, 0)
        exhibits = []
        # Made directly rather than through create_exhibit/accept_exhibit: the unit quotas would
        # refuse 500, and registering is not what is measured here.
        for index, row in enumerate(exhibit_rows(count)):
            numbers[row["category_code"]] += 1
            number = numbers[row["category_code"]]
            exhibit = Exhibit(
                festival=festival,
                unit=units[row["unit_code"]],
                category=categories[row["category_code"]],
                status=ExhibitStatus.ACCEPTED,
                ref=f"B{index + 1:04d}",
                title=row["title"],
                summary=f"Giải pháp của {row['author']}, áp dụng từ năm {row['applied_since']}.",
                benefit_vnd=row["benefit_vnd"],
                applied_since=row["applied_since"],
                code=f"{row['category_code']}-{number:03d}",
                code_number=number,
                booth=f"{index + 1:03d}",
                authors=[Author(position=0, full_name=row["author"])],
            )
            exhibits.append(exhibit)
        db.session.add_all(exhibits)
        db.session.flush()
        ranked = exhibits[:]
        random.Random(3).shuffle(ranked)  # the winners spread over units and categories
        tiers = [AwardTier[name] for name, how_many in TOP_TIERS for _ in range(how_many)]
        tiers += [AwardTier.HONOURABLE] * (len(ranked) - len(tiers))
        db.session.add_all(
            Award(festival=festival, exhibit=exhibit, tier=tier, rank=rank, score=Decimal(95) - Decimal(rank) / 10)
            for rank, (exhibit, tier) in enumerate(zip(ranked, tiers), start=1)
        )
        policy_for(festival).finalised_at = utcnow()
        services.template_for(festival, CertificateKind.AWARD).signatory_name = SIGNATORY
        issued = services.issue(festival, CertificateKind.AWARD, ISSUED_ON, by=None)
        db.session.commit()
        db.engine.dispose()
    return {"seconds": time.perf_counter() - start, "issued": issued.added}


def _signature_png() -> bytes:
    """A blue handwritten-looking stroke on a transparent background."""
    import math

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (720, 280), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [(40 + x, 150 + 70 * math.sin(x / 38) * math.exp(-x / 900) - x / 8) for x in range(0, 640, 4)]
    draw.line(points, fill=(20, 40, 140, 255), width=7, joint="curve")
    draw.line([(90, 230), (640, 200)], fill=(20, 40, 140, 255), width=5)
    return _png(image)


def _seal_png() -> bytes:
    """A red round seal: two rings, a star and a band, on a transparent background."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 600), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (200, 16, 30, 230)
    draw.ellipse((10, 10, 590, 590), outline=red, width=22)
    draw.ellipse((90, 90, 510, 510), outline=red, width=8)
    star = [
        (300, 170),
        (331, 262),
        (427, 262),
        (349, 318),
        (379, 410),
        (300, 354),
        (221, 410),
        (251, 318),
        (173, 262),
        (269, 262),
    ]
    draw.polygon(star, fill=red)
    draw.rectangle((140, 440, 460, 470), fill=red)
    return _png(image)


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def add_images(workdir: Path) -> dict:
    """Give the award template a signature and a seal, stored as an organizer's upload would be."""
    from festival.certificates import services
    from festival.core import uploads
    from festival.core.extensions import db
    from festival.models import CertificateKind, Festival

    app = make_bench_app(workdir)
    with app.app_context():
        festival = db.session.execute(db.select(Festival)).scalar_one()
        template = services.template_for(festival, CertificateKind.AWARD)
        template.signature_image = uploads.store_upload(
            _signature_png(), "chu-ky.png", folder="certificates"
        ).stored_name
        template.seal_image = uploads.store_upload(_seal_png(), "con-dau.png", folder="certificates").stored_name
        db.session.commit()
        db.engine.dispose()
    return {}


def _print_context(workdir: Path):
    """The app, a pushed request context, the festival and its award certificates in ceremony order."""
    from festival.certificates import services
    from festival.core.extensions import db
    from festival.models import CertificateKind, Festival

    app = make_bench_app(workdir)
    context = app.test_request_context()
    context.push()
    festival = db.session.execute(db.select(Festival)).scalar_one()
    return context, festival, services.for_printing(festival, kind=CertificateKind.AWARD)


class Stopwatch:
    """Wall-clock marks inside render_certificates, by wrapping the functions it calls: printing.py
    looks them up in its own and festival.util.pdf's namespace at call time, so the wrappers see every
    call in this process (the workers' own time is not visible, only when each chunk comes back)."""

    def __init__(self):
        from festival.certificates import printing
        from festival.util import pdf

        self.marks: dict[str, float] = {}
        self.html_seconds = 0.0
        self.background_seconds = 0.0
        self.backgrounds = 0
        self.pages_rendered = 0
        self.documents = 0
        self.chunks_back: list[float] = []

        def timed(module, name, count=None):
            original = getattr(module, name)

            def wrapper(*args, **kwargs):
                start = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    end = time.perf_counter()
                    self.marks.setdefault(name + "_start", start)
                    self.marks[name + "_end"] = end
                    if count:
                        count(args, kwargs, end - start)

            setattr(module, name, wrapper)

        def html(args, kwargs, seconds):
            self.html_seconds += seconds
            self.pages_rendered += len(args[0])

        def background(args, kwargs, seconds):
            self.background_seconds += seconds
            self.backgrounds += 1

        def documents(args, kwargs, seconds):
            self.documents = kwargs.get("total") or len(args[0])

        timed(printing, "_render_missing")
        timed(printing, "person_html", html)
        timed(pdf, "render_pdf_with_anchors", background)
        timed(pdf, "render_each", documents)
        timed(pdf, "merge_pdfs")

    def progress(self, done, total):
        """The progress callback of the print job: one call per chunk back from a worker."""
        self.chunks_back.append(time.perf_counter())

    def breakdown(self, start: float, end: float) -> dict:
        """Seconds spent in each step of the print that started and ended at these marks."""
        m = self.marks
        rendering = "render_each_start" in m
        pages_end = m.get("_render_missing_end", end)
        result = {
            # The HTML of each chunk is built while the workers render the ones before (a generator).
            "prepare": (m["render_each_start"] if rendering else pages_end) - m.get("_render_missing_start", start),
            "html": self.html_seconds,
            "background": self.background_seconds,
            "backgrounds": self.backgrounds,
            "render_each": m["render_each_end"] - m["render_each_start"] if rendering else 0.0,
            "split_cache": pages_end - m["render_each_end"] if rendering else 0.0,
            "merge": m.get("merge_pdfs_end", 0) - m.get("merge_pdfs_start", 0),
            "documents": self.documents,
        }
        if rendering and self.chunks_back:
            result["first_chunk"] = self.chunks_back[0] - m["render_each_start"]
            gaps = [b - a for a, b in zip(self.chunks_back, self.chunks_back[1:])]
            result["chunk_gap"] = statistics.median(gaps) if gaps else 0.0
        return result


# Runs: each is called in a fresh process by isolated() ------------------------------------


def run_print(workdir: Path, name: str) -> dict:
    """The print job's path: render_certificates over the award certificates (pages rendered in
    parallel chunks unless cached, then merged), the fingerprints committed, the PDF saved."""
    from festival.certificates import printing
    from festival.core import storage
    from festival.core.extensions import db

    context, _festival, certificates = _print_context(workdir)
    watch = Stopwatch()
    start = time.perf_counter()
    data = printing.render_certificates(certificates, progress=watch.progress)
    end = time.perf_counter()
    db.session.commit()  # the pages' new fingerprints, as the print job does
    path = workdir / f"certificates-{name}.pdf"
    path.write_bytes(data)
    pages = len(certificates)
    samples = sorted({0, pages // 2, pages - 1})
    cache = list(storage.store("certificates").list())
    result = {
        "certificates": pages,
        "seconds": end - start,
        "bytes": len(data),
        "path": str(path),
        "pages": pages,
        "expected": {page: [printing.verify_url(certificates[page])] for page in samples},
        "names": {0: certificates[0].recipient_name},
        "rendered": watch.pages_rendered,
        "breakdown": watch.breakdown(start, end),
        "cache_files": len(cache),
        "cache_bytes": sum(stored.size for stored in cache),
        "per_document": printing.CERTIFICATES_PER_DOCUMENT,
    }
    context.pop()
    return result


def run_queue(workdir: Path) -> dict:
    """The cold print as organizers start it: a job on the task queue (a SQLite queue file) taken by
    a Huey consumer whose PDF workers are already warm (started, WeasyPrint and the fonts loaded, as
    they are in `flask festival worker` between prints), the page cache emptied first. Timed from
    the commit that queues the job to the job row marked done; the progress the job page saw is
    sampled meanwhile."""
    import shutil

    os.environ["QUEUE_URL"] = f"sqlite:///{workdir / 'queue.db'}"  # before festival.core.queue is imported
    from festival.certificates import printing
    from festival.core import jobs, queue, storage
    from festival.core.extensions import db
    from festival.models import CertificateKind, Festival, JobStatus, PrintJob
    from festival.util import pdf

    app = make_bench_app(workdir)
    queue.use_app(app)
    pdf.keep_workers_warm()
    workers = os.cpu_count() or 1
    pdf._warm_pool().map(time.sleep, [0.3] * workers, chunksize=1)  # every worker started and warmed up
    consumer = queue.huey.create_consumer(workers=1, worker_type="thread", max_delay=0.1)
    consumer.start()
    with app.app_context():
        shutil.rmtree(app.config["CERTIFICATE_CACHE_DIR"])  # cold: no page rendered before
        festival = db.session.execute(db.select(Festival)).scalar_one()
        params = {"kind": CertificateKind.AWARD.value, "unit_id": None, "as_zip": False, "festival_id": festival.id}
        job = jobs.create_job("certificates", "bench", params, by=None)
        jobs.start(job)
        job_id = job.id
        start = time.perf_counter()
        db.session.commit()  # queues the job
        steps = []
        while True:
            db.session.expire_all()
            job = db.session.get(PrintJob, job_id)
            if not steps or steps[-1][1] != job.done:
                steps.append((time.perf_counter() - start, job.done, job.total))
            if job.status in (JobStatus.DONE, JobStatus.FAILED):
                break
            db.session.rollback()
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        if job.status is JobStatus.FAILED:
            raise RuntimeError(f"the print job failed: {job.error}")
        path = workdir / "certificates-queue.pdf"
        path.write_bytes(storage.store("prints").read(jobs.output_key(job)))
        db.session.rollback()
        from festival.certificates import services

        certificates = services.for_printing(festival, kind=CertificateKind.AWARD)
        pages = len(certificates)
        samples = sorted({0, pages // 2, pages - 1})
        result = {
            "certificates": pages,
            "seconds": seconds,
            "bytes": path.stat().st_size,
            "path": str(path),
            "pages": pages,
            "expected": {page: [printing.verify_url(certificates[page])] for page in samples},
            "names": {0: certificates[0].recipient_name},
            "steps": steps,
        }
    consumer.stop(graceful=True)
    pdf.close_warm_workers()
    return result


def run_changed(workdir: Path) -> dict:
    """One recipient's name changed (as a correction of a misspelt name would), then the whole
    print again: only that page should be rendered."""
    from festival.certificates import printing, services
    from festival.core.extensions import db
    from festival.models import CertificateKind

    context, festival, certificates = _print_context(workdir)
    target = certificates[len(certificates) // 2]
    new_name = unique_name(target.recipient_name, {c.recipient_name for c in certificates})
    target.recipient_name = new_name
    db.session.commit()
    certificates = services.for_printing(festival, kind=CertificateKind.AWARD)  # fresh objects, as a new print job has
    watch = Stopwatch()
    start = time.perf_counter()
    data = printing.render_certificates(certificates, progress=watch.progress)
    end = time.perf_counter()
    db.session.commit()
    path = workdir / "certificates-changed.pdf"
    path.write_bytes(data)
    page = next(index for index, certificate in enumerate(certificates) if certificate.recipient_name == new_name)
    result = {
        "certificates": len(certificates),
        "seconds": end - start,
        "bytes": len(data),
        "path": str(path),
        "pages": len(certificates),
        "expected": {page: [printing.verify_url(certificates[page])]},
        "names": {page: new_name},
        "rendered": watch.pages_rendered,
        "breakdown": watch.breakdown(start, end),
    }
    context.pop()
    return result


def run_single_document(workdir: Path) -> dict:
    """Every certificate as one WeasyPrint document in this process: no chunks, no page cache, no merging."""
    from festival.certificates import printing, services
    from festival.models import CertificateKind
    from festival.util import pdf

    context, festival, certificates = _print_context(workdir)
    template = services.template_for(festival, CertificateKind.AWARD)
    start = time.perf_counter()
    images = printing.template_images(template)
    html = printing.document_html(
        [printing.page_data(template, certificate, images) for certificate in certificates], images.uris
    )
    html_seconds = time.perf_counter() - start
    data = pdf.render_pdf(html)
    seconds = time.perf_counter() - start
    path = workdir / "certificates-single.pdf"
    path.write_bytes(data)
    context.pop()
    return {
        "certificates": len(certificates),
        "seconds": seconds,
        "html_seconds": html_seconds,
        "bytes": len(data),
        "path": str(path),
    }


def run_preview(workdir: Path) -> dict:
    """The template page's live preview: one certificate as a PNG, a warm-up then the median of five."""
    from festival.certificates import printing, services
    from festival.models import CertificateKind

    context, festival, certificates = _print_context(workdir)
    template = services.template_for(festival, CertificateKind.AWARD)
    start = time.perf_counter()
    printing.preview_png(template, certificates[0])  # imports, fonts and caches warm up here
    first = time.perf_counter() - start
    times, size = [], 0
    for certificate in certificates[1 : 1 + PREVIEW_RUNS]:
        start = time.perf_counter()
        size = len(printing.preview_png(template, certificate))
        times.append(time.perf_counter() - start)
    context.pop()
    return {"certificates": 1, "seconds": statistics.median(times), "first": first, "times": times, "bytes": size}


def run_zip(workdir: Path) -> dict:
    """The ZIP with a folder per unit, from the page cache."""
    import zipfile

    from festival.certificates import printing

    context, _festival, certificates = _print_context(workdir)
    watch = Stopwatch()
    start = time.perf_counter()
    data = printing.zip_by_unit(certificates, progress=watch.progress)
    seconds = time.perf_counter() - start
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    context.pop()
    return {
        "certificates": len(certificates),
        "seconds": seconds,
        "bytes": len(data),
        "files": len(names),
        "folders": len({name.split("/", 1)[0] for name in names}),
        "rendered": watch.pages_rendered,
    }


# Running, checking, reporting -------------------------------------------------------------


def text_ok(result: dict) -> tuple[bool, str]:
    """Whether each sampled page's text layer (pypdfium2) holds the recipient's name exactly as stored (NFC)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(result["path"])
    try:
        problems, checked = [], []
        for page_no, name in result["names"].items():
            page = document[int(page_no)]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            page.close()
            name = unicodedata.normalize("NFC", name)
            checked.append(f"page {int(page_no) + 1} “{name}”")
            if name in text:
                continue
            flat = " ".join(text.split())
            if name in flat:
                problems.append(f"page {int(page_no) + 1}: the name is there but broken across lines")
            elif name in unicodedata.normalize("NFC", flat):
                problems.append(
                    f"page {int(page_no) + 1}: the name is there only after NFC normalisation (decomposed marks)"
                )
            else:
                problems.append(f"page {int(page_no) + 1}: name not found in the text layer")
        return not problems, "text layer of " + ", ".join(checked) + (
            " holds the name exactly" if not problems else " — " + "; ".join(problems)
        )
    finally:
        document.close()


def xobjects(path: str) -> tuple[int, int, int]:
    """(distinct image objects the pages show, also inside Form XObjects; distinct Form XObjects placed on
    the pages themselves; pages): how often an image or a shared background is stored in the PDF."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    images, forms, walked = set(), set(), set()

    def walk(resources, on_page: bool) -> None:
        named = resources.get_object().get("/XObject") if resources is not None else None
        for reference in named.get_object().values() if named is not None else ():
            xobject = reference.get_object()
            if xobject.get("/Subtype") == "/Image":
                images.add(reference.idnum)
                if "/SMask" in xobject:
                    images.add(xobject.raw_get("/SMask").idnum)
            elif xobject.get("/Subtype") == "/Form":
                if on_page:
                    forms.add(reference.idnum)
                if reference.idnum not in walked:
                    walked.add(reference.idnum)
                    walk(xobject.get("/Resources"), False)

    for page in reader.pages:
        walk(page.get("/Resources"), True)
    return len(images), len(forms), len(reader.pages)


def _row(label: str, result: dict) -> str:
    return table_row(label, result, "certificates", "certificates", LABEL_WIDTH)


def _breakdown_line(run: dict, workers: int) -> str:
    b = run["breakdown"]
    if not b["documents"]:
        return f"page data, fingerprints and cached pages read {b['prepare']:.2f} s, merging {b['merge']:.2f} s"
    parts = [
        f"page data and fingerprints {b['prepare']:.2f} s",
        f"{b['backgrounds']} shared background(s) laid out in {b['background']:.2f} s",
        f"HTML of the pages' own layer {b['html']:.2f} s (built while the workers render)",
        f"rendering {b['documents']} document(s) on {min(workers, b['documents'])} worker(s) {b['render_each']:.2f} s",
    ]
    if "first_chunk" in b:
        parts.append(f"(first chunk back after {b['first_chunk']:.2f} s, then one every {b['chunk_gap']:.2f} s)")
    parts += [
        f"pages cached as each document comes back (split by the workers), {b['split_cache']:.2f} s after the last",
        f"merging {b['merge']:.2f} s",
    ]
    return ", ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=500, help="award certificates, one per exhibit (default 500)")
    parser.add_argument(
        "--with-images",
        action="store_true",
        help="then add a signature and a seal and print again (file size with and without)",
    )
    options = parser.parse_args()
    count = options.count
    workers = os.cpu_count() or 1

    with tempfile.TemporaryDirectory(prefix="bench-certificates-") as folder:
        workdir = Path(folder)
        print(
            f"Certificate printing benchmark: {count} award certificates, {workers} CPU(s), Python "
            f"{sys.version.split()[0]}"
        )
        built = isolated(build_database, workdir, count)
        if "error" in built:
            return 1
        print(f"  database built and {built['issued']} certificates issued in {built['seconds']:.1f} s")
        runs = {}
        steps = [
            ("cold", "cold print", run_print, (workdir, "cold")),
            # Right after the cold print, so that the ratio's two figures see the machine as alike as they can.
            ("single", "one document", run_single_document, (workdir,)),
            ("queue", "cold print through the queue, warm workers", run_queue, (workdir,)),
            ("warm", "warm print", run_print, (workdir, "warm")),
            ("changed", "one changed certificate", run_changed, (workdir,)),
            ("preview", "preview", run_preview, (workdir,)),
            ("zip", "ZIP per unit", run_zip, (workdir,)),
        ]
        for key, label, function, args in steps:
            print(f"  {label} …", flush=True)
            runs[key] = isolated(function, *args)
        if options.with_images:
            print("  signature and seal added to the template …", flush=True)
            if "error" not in isolated(add_images, workdir):
                print("  cold print with signature and seal …", flush=True)
                runs["images"] = isolated(run_print, workdir, "images")
        checks, images = {}, {}
        for key in ("cold", "queue", "changed", "images"):
            if key in runs and "error" not in runs[key]:
                qr_ok, qr_detail = decoded_ok(runs[key])
                names_ok, names_detail = text_ok(runs[key])
                checks[key] = (qr_ok and names_ok, f"{qr_detail}; {names_detail}")
        for key in ("cold", "single", "images"):
            if key in runs and "error" not in runs[key]:
                images[key] = xobjects(runs[key]["path"])

    cold, warm, changed, single, preview, zipped = (
        runs[key] for key in ("cold", "warm", "changed", "single", "preview", "zip")
    )
    print()
    header = table_header("certificates", LABEL_WIDTH)
    print(header)
    print("-" * len(header))
    if "error" not in cold:
        print(
            _row(
                f"Cold print, {cold['breakdown']['documents']} chunks of {cold['per_document']} on "
                f"{min(workers, cold['breakdown']['documents'])} workers",
                cold,
            )
        )
    else:
        print(_row("Cold print", cold))
    queued = runs["queue"]
    print(_row("Cold print as a queued job, warm workers", queued))
    print(_row("Warm print, every page cached", warm))
    print(_row("One name changed, print again", changed))
    print(_row("One WeasyPrint document, 1 process", single))
    print(_row(f"Preview PNG, 1 certificate (median of {PREVIEW_RUNS})", preview))
    print(_row("ZIP per unit, pages cached", zipped))
    if "images" in runs:
        print(_row("Cold print with signature and seal", runs["images"]))
    print(f"{MEMORY_LEGEND} {workers} workers run at once.")
    warning = busy_warning(runs)
    if warning:
        print(warning)

    print()
    for key, label in (
        ("cold", "cold print"),
        ("queue", "queued cold print"),
        ("changed", "print after one change"),
        ("images", "print with signature and seal"),
    ):
        if key in checks:
            ok, detail = checks[key]
            print(f"Check {label}: {'OK' if ok else 'FAIL'} — {detail}")
    rendered = [
        f"{label} {runs[key]['rendered']}"
        for key, label in (("cold", "cold"), ("warm", "warm"), ("changed", "one changed"), ("zip", "ZIP"))
        if "error" not in runs[key]
    ]
    print("Pages rendered by WeasyPrint: " + ", ".join(rendered) + ".")
    if "error" not in changed:
        expected = changed["rendered"] == 1
        print(
            f"Check one changed certificate: {'OK' if expected else 'FAIL'} — {changed['rendered']} page(s) "
            "rendered again, "
            f"the other {changed['certificates'] - changed['rendered']} came from the cache"
        )
    if "error" not in warm:
        print(f"Check warm print: {'OK' if warm['rendered'] == 0 else 'FAIL'} — {warm['rendered']} page(s) rendered")
    if "error" not in zipped:
        print(
            f"ZIP: {zipped['files']} files in {zipped['folders']} unit folders, {zipped['bytes'] / 1e6:.2f} "
            f"MB, {zipped['rendered']} page(s) rendered"
        )
    for key, label in (("cold", "Cold print"), ("warm", "Warm print"), ("changed", "One changed")):
        if "error" not in runs[key]:
            print(f"{label}: " + _breakdown_line(runs[key], workers))
    if "error" not in queued:
        steps = queued["steps"]
        print(
            f"Queued job: {len(steps)} progress steps seen on the job row, "
            + ", ".join(f"{done}/{total} at {at:.1f} s" for at, done, total in steps[:: max(1, len(steps) // 8)])
            + f", done at {queued['seconds']:.1f} s"
        )
    if "error" not in preview:
        print(
            f"Preview: first (cold) {preview['first']:.2f} s, then "
            + ", ".join(f"{t:.2f}" for t in preview["times"])
            + " s"
        )
    if "error" not in single and "error" not in cold:
        print(
            f"One document: {single['certificates'] / single['seconds']:.0f} certificates/s on 1 core (HTML "
            f"{single['html_seconds']:.2f} s), "
            f"peak {single['total_peak']:.0f} MB; chunked on {workers} cores "
            f"{cold['certificates'] / cold['seconds']:.0f}/s, "
            f"a worker peaks at {cold.get('worker_hwm', 0):.0f} MB, {cold['total_peak']:.0f} MB in all"
        )
    for key, label in (("cold", "without images"), ("single", "one document"), ("images", "with signature and seal")):
        if key in images:
            distinct, forms, pages = images[key]
            run = runs[key]
            cache = (
                f"; the {run['cache_files']} cached single pages add up to {run['cache_bytes'] / 1e6:.2f} MB"
                if "cache_bytes" in run
                else ""
            )
            print(
                f"File {label}: {run['bytes'] / 1e6:.2f} MB, {distinct} image objects and {forms} Form XObjects "
                f"placed on its {pages} pages{cache}"
            )

    print()
    if "error" in cold or "error" in preview:
        print("Bar NOT MEASURED: a run failed")
        return 1
    cold_ok = (
        cold["certificates"] >= 500
        and cold["seconds"] < BAR_SECONDS
        and cold["total_peak"] < BAR_MB
        and checks.get("cold", (False,))[0]
    )
    preview_ok = preview["seconds"] < BAR_PREVIEW_SECONDS
    note = "" if cold["certificates"] >= 500 else f" — only {cold['certificates']} certificates, the bar is for 500"
    queue_ok = (
        "error" not in queued
        and queued["certificates"] >= 500
        and queued["seconds"] < BAR_QUEUE_SECONDS
        and checks.get("queue", (False,))[0]
    )
    if "error" not in queued:
        print(
            f"Bar {'MET' if queue_ok else 'NOT MET'}: {queued['certificates']} certificates printed cold as a "
            f"queued job with warm workers in {queued['seconds']:.1f} s (bar {BAR_QUEUE_SECONDS} s), checks "
            f"{'OK' if checks.get('queue', (False,))[0] else 'FAIL'}"
        )
    print(
        f"Bar {'MET' if cold_ok and preview_ok else 'NOT MET'}: {cold['certificates']} certificates printed "
        f"cold in {cold['seconds']:.1f} s "
        f"(bar {BAR_SECONDS} s), peak {cold['total_peak']:.0f} MB for parent and workers together (bar "
        f"{BAR_MB} MB), checks "
        f"{'OK' if checks.get('cold', (False,))[0] else 'FAIL'}; preview {preview['seconds']:.2f} s (bar "
        f"{BAR_PREVIEW_SECONDS:.0f} s){note}"
    )
    ratio_ok = False
    if "error" not in single:
        ratio = cold["seconds"] / single["seconds"]
        ratio_ok = ratio <= TARGET_RATIO and checks.get("cold", (False,))[0]
        queued_ratio = (
            f"; as a queued job with warm workers {queued['seconds'] / single['seconds']:.2f}×"
            if "error" not in queued
            else ""
        )
        print(
            f"Target {'MET' if ratio_ok else 'NOT MET'}: cold print {cold['seconds']:.2f} s against "
            f"{single['seconds']:.2f} s for one WeasyPrint document in one process in the same run = "
            f"{ratio:.2f}× (target ≤ {TARGET_RATIO}×){queued_ratio}; CPU time of the run's own processes "
            f"{cold['cpu_seconds']:.1f} s against {single['cpu_seconds']:.1f} s = "
            f"{cold['cpu_seconds'] / single['cpu_seconds']:.2f}×, while other processes took "
            f"{cold.get('other_cpu', 0):.0f} and {single.get('other_cpu', 0):.0f} CPU-s"
        )
    return 0 if cold_ok and preview_ok and queue_ok and ratio_ok else 1


if __name__ == "__main__":  # render_each spawns workers, which re-import this file
    sys.exit(main())
