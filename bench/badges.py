"""Badge printing benchmark: badges per second and peak memory for a big print (A4 and A6), one
reprint, the production documents in one process, QR generation, and a hand-drawn ReportLab sheet as
the floor: the A4 print's time is printed beside the floor's from the same run, with their ratio and
the target (issue 29: at most 1.0×). The A4 print and the floor take turns for --rounds rounds and
each keeps its fastest, since other work on a shared machine comes and goes.

    .venv/bin/python bench/badges.py [--count 2000] [--rounds 2] [--single] [--skip-reportlab]

Builds a throw-away app and database in a temporary folder and runs each measurement in a fresh
process, so every peak is that run's own. Memory columns: parent (ru_maxrss of the printing
process), children (ru_maxrss of RUSAGE_CHILDREN: the largest worker, overstated on Linux because
a spawned process starts from its parent's high-water mark), worker (a worker's own peak, read
from /proc) and total (parent and workers at the same moment, sampled). Other processes using the
CPUs during a run are reported, since they make its figures slower.
"""

import argparse
import base64
import io
import os
import statistics
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

from measure import (
    MEMORY_LEGEND,
    add_festival,
    add_units,
    busy_warning,
    cpu_seconds,
    decoded_ok,
    isolated,
    make_bench_app,
    read_rows,
    table_header,
    table_row,
    unique_name,
)

BAR_SECONDS, BAR_MB, BAR_REPRINT_SECONDS = 15, 1024, 1.0
FLOOR_RATIO = 1.0  # the A4 print's time over the ReportLab floor's, in the same run
ONE_PROCESS_BADGES = 200
WARM_UP_SECONDS = 3
REPRINT_RUNS = 5

# Titles and long names that make the badge name shrink or wrap onto two lines.
TITLES = ("PGS.TS.", "TS.", "ThS.", "KS.")
LONG_NAMES = (
    "PGS.TS. Nguyễn Thị Thanh Hương Giang",
    "TS. Công Tằng Tôn Nữ Thị Phương Thảo",
    "ThS. Tôn Nữ Hoàng Bảo Ngọc Trâm",
    "KS. Nguyễn Phước Vĩnh Hoàng Minh Khôi",
)


# The throw-away app and its data ----------------------------------------------------------


def people(count: int) -> list[dict]:
    """`count` attendees cycled from the demo CSV: unique names, e-mails and phones; some long names."""
    rows = read_rows("attendees.csv")
    seen: set[str] = set()
    result = []
    for index in range(count):
        row = rows[index % len(rows)]
        cycle = index // len(rows)
        name, role = row["full_name"], row["role"]
        if index % 97 == 13:
            name, role = LONG_NAMES[(index // 97) % len(LONG_NAMES)], "guest"
        elif index % 41 == 7:
            name, role = f"{TITLES[(index // 41) % len(TITLES)]} {name}", "judge"
        local, domain = row["email"].split("@")
        result.append(
            {
                "full_name": unique_name(name, seen),
                "unit_code": row["unit_code"],
                "role": role,
                "email": row["email"] if cycle == 0 else f"{local}.{cycle}@{domain}",
                "phone": row["phone"] if cycle == 0 else f"03{index:08d}",  # the demo phones all start 09
            }
        )
    return result


def build_database(workdir: Path, count: int) -> dict:
    """Create the tables, a festival, the 16 demo units and `count` attendees."""
    from festival.badges import services
    from festival.core.extensions import db

    start = time.perf_counter()
    app = make_bench_app(workdir)
    with app.app_context():
        db.create_all()
        festival = add_festival()
        units = add_units()
        roles = services.badge_roles(festival)
        for person in people(count):
            role = services.role_from_text(roles, person["role"])
            data = services.AttendeeInput(
                full_name=person["full_name"],
                role=role,
                unit=units[person["unit_code"]],
                email=person["email"],
                phone=person["phone"],
            )
            services.add_attendee(festival, data, by=None)
        db.session.commit()
        db.engine.dispose()
    return {"seconds": time.perf_counter() - start}


def _print_context(workdir: Path):
    """The app, a pushed request context, the festival and its attendees in print order."""
    from festival.badges import services
    from festival.core.extensions import db
    from festival.models import Festival

    app = make_bench_app(workdir)
    context = app.test_request_context()
    context.push()
    festival = db.session.execute(db.select(Festival)).scalar_one()
    return context, festival, services.for_printing(festival)


# Runs: each is called in a fresh process by isolated() ------------------------------------


def run_print(workdir: Path, layout: str, count: int, per_document: int | None = None) -> dict:
    """The production path: render_badges for `count` badges (parallel chunks), the PDF saved."""
    from festival.badges import printing

    context, festival, attendees = _print_context(workdir)
    attendees = attendees[:count]
    if per_document:
        printing.BADGES_PER_DOCUMENT = per_document
    cpu = cpu_seconds()
    start = time.perf_counter()
    data = printing.render_badges(festival, attendees, layout)
    seconds = time.perf_counter() - start
    cpu = cpu_seconds() - cpu  # the workers have ended: render_documents leaves no process behind
    per_page = 4 if layout == "a4" else 1
    pages = -(-len(attendees) // per_page)
    samples = sorted({0, pages // 2, pages - 1})
    expected = {
        page: [printing.checkin_url(a) for a in attendees[page * per_page : (page + 1) * per_page]] for page in samples
    }
    context.pop()
    return _printed(
        workdir / f"badges-{layout}-{count}.pdf",
        data,
        len(attendees),
        seconds,
        cpu,
        expected,
        pages=pages,
        documents=-(-len(attendees) // printing.BADGES_PER_DOCUMENT),
    )


def _printed(path: Path, data: bytes, badges: int, seconds: float, cpu: float, expected: dict, **more) -> dict:
    """A timed print's figures, its PDF saved at `path` for the checks (`expected`: check-in URLs by page)."""
    path.write_bytes(data)
    return {
        "badges": badges,
        "seconds": seconds,
        "print_cpu": cpu,
        "bytes": len(data),
        "path": str(path),
        "expected": expected,
        **more,
    }


def run_print_warm(workdir: Path, count: int) -> dict:
    """The A4 print as the queue's consumer makes it: its PDF workers started and warmed up before the
    print (pdf.keep_workers_warm), so that, like the floor's, the time leaves out loading the libraries."""
    from festival.badges import printing
    from festival.util import pdf

    context, festival, attendees = _print_context(workdir)
    attendees = attendees[:count]
    pdf.keep_workers_warm()
    pdf.render_documents(["<p>Ưu tú</p>"] * 4)  # returns once the pool has started
    time.sleep(WARM_UP_SECONDS)  # every worker renders a line in each bundled font when it starts
    start = time.perf_counter()
    data = printing.render_badges(festival, attendees, "a4")
    seconds = time.perf_counter() - start
    pdf.close_warm_workers()
    path = workdir / f"badges-a4-warm-{count}.pdf"
    path.write_bytes(data)
    expected = {0: [printing.checkin_url(a) for a in attendees[:4]]}
    context.pop()
    return {"badges": len(attendees), "seconds": seconds, "bytes": len(data), "path": str(path), "expected": expected}


def run_reprint(workdir: Path) -> dict:
    """One A6 badge in this process, as the reprint view does: a warm-up, then the median of five."""
    from festival.badges import printing

    context, festival, attendees = _print_context(workdir)
    printing.render_badges(festival, [attendees[0]], "a6")  # imports, fonts and caches warm up here
    times, size = [], 0
    for attendee in attendees[1 : 1 + REPRINT_RUNS]:
        start = time.perf_counter()
        size = len(printing.render_badges(festival, [attendee], "a6"))
        times.append(time.perf_counter() - start)
    context.pop()
    return {"badges": 1, "seconds": statistics.median(times), "bytes": size, "times": times}


def run_one_process(workdir: Path, count: int) -> dict:
    """`count` A4 badges through the production documents, rendered in this process (no workers), as the
    floor is: the cost of a badge on one core."""
    from festival.badges import printing
    from festival.util import pdf

    context, festival, attendees = _print_context(workdir)
    pdf.render_documents(printing.badge_documents(festival, attendees[:1], "a4"), total=1)
    start = time.perf_counter()
    documents = list(printing.badge_documents(festival, attendees[:count], "a4"))
    build_seconds = time.perf_counter() - start
    data = pdf.render_documents(documents, processes=1)
    seconds = time.perf_counter() - start
    path = workdir / "badges-one-process.pdf"
    path.write_bytes(data)
    expected = {0: [printing.checkin_url(a) for a in attendees[:4]]}
    context.pop()
    return {
        "badges": min(count, len(attendees)),
        "seconds": seconds,
        "build_seconds": build_seconds,
        "bytes": len(data),
        "path": str(path),
        "expected": expected,
    }


@lru_cache(maxsize=8)
def _production_png_format(length: int) -> tuple[str, int]:
    """The image mode and pixels per module of the production QR PNG for URLs of this length."""
    import qrcode
    from PIL import Image

    from festival.util.qr import qr_png_data_uri

    sample = "x" * length
    image = Image.open(io.BytesIO(base64.b64decode(qr_png_data_uri(sample).split(",", 1)[1])))
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(sample)
    code.make(fit=True)
    return image.mode, image.width // len(code.get_matrix())


def _qr_png_default_fit(data: str) -> str:
    """The production QR PNG made with qrcode's defaults instead: version fitted and all eight masks scored."""
    import qrcode
    from PIL import Image

    mode, scale = _production_png_format(len(data))
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    light = 1 if mode == "1" else 255
    image = Image.new(mode, (size, size), light)
    image.putdata([0 if dark else light for row in matrix for dark in row])
    image = image.resize((size * scale, size * scale), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def run_qr_generation(workdir: Path, count: int) -> dict:
    """Seconds to make `count` check-in QR codes: the badges' PDF path, the fixed version/mask PNG (as
    certificates use), the default-fit PNG, and the SVG."""
    from festival.badges import printing
    from festival.util.qr import qr_pdf_path, qr_png_data_uri, qr_svg

    context, _festival, attendees = _print_context(workdir)
    urls = [printing.checkin_url(a) for a in attendees[:count]]
    result = {"codes": len(urls)}
    makers = (
        ("path", lambda url: qr_pdf_path(url, 0, 0, 44)),
        ("fixed", qr_png_data_uri),
        ("default", _qr_png_default_fit),
        ("svg", qr_svg),
    )
    for key, make in makers:
        make(urls[0])
        start = time.perf_counter()
        for url in urls:
            make(url)
        result[key] = time.perf_counter() - start
    context.pop()
    return result


def run_single_document(workdir: Path, count: int) -> dict:
    """All `count` A4 badges as one WeasyPrint document in this process: the memory chunking avoids."""
    from festival.badges import printing
    from festival.util import pdf

    context, festival, attendees = _print_context(workdir)
    printing.BADGES_PER_DOCUMENT = max(count, 1)
    start = time.perf_counter()
    data = pdf.render_documents(printing.badge_documents(festival, attendees[:count], "a4"), total=1)
    seconds = time.perf_counter() - start
    context.pop()
    return {"badges": min(count, len(attendees)), "seconds": seconds, "bytes": len(data)}


def _band_text_colour(background: str) -> str:
    red, green, blue = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    return "#111111" if 0.299 * red + 0.587 * green + 0.114 * blue > 160 else "#ffffff"


def run_reportlab(workdir: Path, count: int) -> dict:
    """The floor: the same A4 sheets (four badges, name, unit, band, the same QR PNG) drawn by hand in ReportLab."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader, simpleSplit
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from festival.badges import printing
    from festival.util.pdf import FONTS_DIR
    from festival.util.qr import qr_png_data_uri

    fonts = FONTS_DIR / "be-vietnam-pro"
    pdfmetrics.registerFont(TTFont("BVP-Bold", str(fonts / "BeVietnamPro_700Bold.ttf")))
    pdfmetrics.registerFont(TTFont("BVP-SemiBold", str(fonts / "BeVietnamPro_600SemiBold.ttf")))
    pdfmetrics.registerFont(TTFont("BVP", str(fonts / "BeVietnamPro_400Regular.ttf")))
    context, festival, attendees = _print_context(workdir)
    attendees = attendees[:count]
    width, height = A4
    cell_w, cell_h = width / 2, height / 2
    cpu = cpu_seconds()
    start = time.perf_counter()
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    heading = simpleSplit(festival.name, "BVP-SemiBold", 8.6, cell_w - 14 * mm)[:2]
    for page_start in range(0, len(attendees), 4):
        for slot, attendee in enumerate(attendees[page_start : page_start + 4]):
            x = (slot % 2) * cell_w + 7 * mm
            top = height - (slot // 2) * cell_h - 6 * mm
            inner = cell_w - 14 * mm
            sheet.setFillColor("#0d4c92")
            for line_no, line in enumerate(heading):
                sheet.setFont("BVP-SemiBold", 8.6)
                sheet.drawString(x, top - 9 - line_no * 11, line)
            sheet.setStrokeColor("#c8102e")
            sheet.setLineWidth(0.6 * mm)
            sheet.line(x, top - 19 * mm, x + inner, top - 19 * mm)
            name = printing.fit_name(attendee.full_name)
            sheet.setFillColor("#111111")
            sheet.setFont("BVP-Bold", name["size"])
            for line_no, line in enumerate(name["lines"]):
                sheet.drawString(x, top - 24 * mm - name["size"] * (1 + 1.12 * line_no), line)
            sheet.setFillColor("#33435a")
            sheet.setFont("BVP", 9.5)
            for line_no, line in enumerate(simpleSplit(attendee.affiliation, "BVP", 9.5, inner)[:2]):
                sheet.drawString(x, top - 50 * mm - line_no * 12.4, line)
            png = base64.b64decode(qr_png_data_uri(printing.checkin_url(attendee)).split(",", 1)[1])
            sheet.drawImage(ImageReader(io.BytesIO(png)), x + (inner - 44 * mm) / 2, top - 108 * mm, 44 * mm, 44 * mm)
            band_y = top - 136.5 * mm
            sheet.setFillColor(attendee.role.colour)
            sheet.rect(x - 7 * mm, band_y, cell_w, 17 * mm, stroke=0, fill=1)
            sheet.setFillColor(_band_text_colour(attendee.role.colour))
            sheet.setFont("BVP-Bold", 15)
            sheet.drawCentredString(x - 7 * mm + cell_w / 2, band_y + 6.5 * mm, attendee.role.name_vi)
        sheet.setStrokeColor("#000000")
        sheet.setLineWidth(0.15 * mm)
        for x1, y1, x2, y2 in (
            (cell_w, 0, cell_w, 5 * mm),
            (cell_w, height, cell_w, height - 5 * mm),
            (0, cell_h, 5 * mm, cell_h),
            (width, cell_h, width - 5 * mm, cell_h),
        ):
            sheet.line(x1, y1, x2, y2)
        sheet.showPage()
    sheet.save()
    data = buffer.getvalue()
    seconds = time.perf_counter() - start
    cpu = cpu_seconds() - cpu
    expected = {0: [printing.checkin_url(a) for a in attendees[:4]]}
    context.pop()
    return _printed(workdir / "badges-reportlab.pdf", data, len(attendees), seconds, cpu, expected)


# Running, checking, reporting -------------------------------------------------------------


def _row(label: str, result: dict, count_key: str = "badges") -> str:
    return table_row(label, result, count_key, "badges")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="badges in the big prints (default 2000)")
    parser.add_argument(
        "--single",
        action="store_true",
        help="also render all the A4 badges as one WeasyPrint document (slow, memory-hungry)",
    )
    parser.add_argument("--skip-reportlab", action="store_true", help="leave out the hand-drawn ReportLab floor")
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="times the A4 print and the floor run, one after the other, the fastest of each kept (default 2)",
    )
    options = parser.parse_args()
    count = options.count
    workers = os.cpu_count() or 1

    with tempfile.TemporaryDirectory(prefix="bench-badges-") as folder:
        workdir = Path(folder)
        print(f"Badge printing benchmark: {count} attendees, {workers} CPU(s), Python {sys.version.split()[0]}")
        built = isolated(build_database, workdir, count)
        if "error" in built:
            return 1
        print(f"  database built in {built['seconds']:.1f} s")
        runs = {}
        # The A4 print and the floor take turns, and each keeps its fastest round: on a shared machine
        # the other work comes and goes, and a single pair can fall on either side of a burst.
        paired = [("a4", "A4 print", run_print, (workdir, "a4", count))]
        if not options.skip_reportlab:
            paired.append(("reportlab", "ReportLab floor", run_reportlab, (workdir, count)))
        rounds: dict[str, list] = {key: [] for key, *_ in paired}
        for number in range(1, options.rounds + 1):
            for key, label, function, args in paired:
                print(f"  {label}, round {number} of {options.rounds} …", flush=True)
                rounds[key].append(isolated(function, *args))
        for key, results in rounds.items():
            done = [result for result in results if "error" not in result]
            runs[key] = min(done, key=lambda result: result["seconds"]) if done else results[0]
        steps = [
            ("warm", "A4 print, warm workers", run_print_warm, (workdir, count)),
            ("a6", "A6 print", run_print, (workdir, "a6", count)),
            ("reprint", "reprint", run_reprint, (workdir,)),
            ("one", "A4 in one process", run_one_process, (workdir, ONE_PROCESS_BADGES)),
            ("qrgen", "QR generation", run_qr_generation, (workdir, count)),
        ]
        if options.single:
            steps.append(("single", "one document for everything", run_single_document, (workdir, count)))
        for key, label, function, args in steps:
            print(f"  {label} …", flush=True)
            runs[key] = isolated(function, *args)
        checks = {}
        for key in ("a4", "warm", "a6", "one", "reportlab"):
            if key in runs and "error" not in runs[key]:
                checks[key] = decoded_ok(runs[key])

    a4, a6, reprint, qrgen = runs["a4"], runs["a6"], runs["reprint"], runs["qrgen"]
    print()
    header = table_header("badges")
    print(header)
    print("-" * len(header))
    for layout, run in (("A4", a4), ("A6", a6)):
        documents = run.get("documents", 0)
        where = f"{min(workers, documents)} workers" if documents > 1 else "in-process"
        print(_row(f"{layout} print, {documents} documents, {where}", run))
    print(_row(f"A4 print, {workers} warm workers (queue)", runs["warm"]))
    print(_row(f"Reprint, 1 A6 badge (median of {REPRINT_RUNS})", reprint))
    print(_row("A4, production documents, 1 process", runs["one"]))
    if "single" in runs:
        print(_row("A4, one document, 1 process (--single)", runs["single"]))
    if "reportlab" in runs:
        print(_row("ReportLab floor, A4 by hand, 1 process", runs["reportlab"]))
    if "error" not in qrgen:
        for key, label in (
            ("path", "QR PDF path, fixed version+mask (badges)"),
            ("fixed", "QR PNG, fixed version+mask (certificates)"),
            ("default", "QR PNG, qrcode default fit+mask"),
            ("svg", "QR SVG, festival.util.qr.qr_svg (default fit)"),
        ):
            print(_row(label, {"codes": qrgen["codes"], "seconds": qrgen[key]}, "codes"))
    print(f"{MEMORY_LEGEND} {workers} workers run at once. QR rows: codes, no PDF.")
    warning = busy_warning(runs)
    if warning:
        print(warning)

    print()
    for key, label in (
        ("a4", "A4 print"),
        ("warm", "A4 print, warm workers"),
        ("a6", "A6 print"),
        ("one", "A4 in one process"),
        ("reportlab", "ReportLab floor"),
    ):
        if key in checks:
            ok, detail = checks[key]
            print(f"Check {label}: {'OK' if ok else 'FAIL'} — {detail}")
    if "error" not in qrgen:
        path, fixed, default, svg = (qrgen[k] / qrgen["codes"] * 1000 for k in ("path", "fixed", "default", "svg"))
        print(
            f"QR generation: PDF path {path:.2f} ms/code, PNG fixed version+mask {fixed:.2f} ms/code, default "
            f"fit+mask {default:.2f} ms/code ({default / fixed:.1f}× slower), qr_svg {svg:.2f} ms/code"
        )
    one = runs["one"]
    if "error" not in one:
        print(
            f"One process ({one['badges']} A4 badges): {one['seconds'] / one['badges'] * 1000:.1f} ms a badge, "
            f"of which {one['build_seconds'] / one['badges'] * 1000:.1f} ms building the documents in the printing "
            "process (the badges' values, the names' HTML; the rest, QR paths included, is the workers' share)."
        )
    floor_ok = None
    if "reportlab" in runs and "error" not in runs["reportlab"] and "error" not in a4:
        floor = runs["reportlab"]
        ratio = a4["seconds"] / floor["seconds"]
        floor_ok = ratio <= FLOOR_RATIO and checks.get("a4", (False,))[0]
        pairs = [
            f"{a['seconds']:.1f} / {f['seconds']:.1f} s, CPU-s of their own processes {a['print_cpu']:.1f} / "
            f"{f['print_cpu']:.1f} ({a.get('other_cpu', 0):.0f} / {f.get('other_cpu', 0):.0f} CPU-s taken by other "
            "processes)"
            for a, f in zip(rounds["a4"], rounds["reportlab"])
            if "error" not in a and "error" not in f
        ]
        print("Rounds, A4 print / floor: " + "; ".join(pairs) + ".")
        a4_cpu = min(a["print_cpu"] for a in rounds["a4"] if "error" not in a)
        floor_cpu = min(f["print_cpu"] for f in rounds["reportlab"] if "error" not in f)
        if "error" not in one:
            print(
                f"Per badge on one core: production documents {one['seconds'] / one['badges'] * 1000:.1f} ms, "
                f"ReportLab floor {floor['seconds'] / floor['badges'] * 1000:.1f} ms."
            )
        warm = runs["warm"]
        if "error" not in warm:
            print(
                f"As the queue prints it (workers already warm): {warm['seconds']:.1f} s, "
                f"{warm['seconds'] / floor['seconds']:.2f}× the floor."
            )
        print(
            f"Target {'MET' if floor_ok else 'NOT MET'}: A4 print {a4['badges']} badges in {a4['seconds']:.1f} s on "
            f"{workers} cores, workers started by the print; ReportLab floor (hand-drawn, 1 process, same run) "
            f"{floor['badges']} badges in {floor['seconds']:.1f} s; ratio {ratio:.2f}× (target ≤ {FLOOR_RATIO:.1f}×; "
            f"fastest of {options.rounds} rounds each). CPU-s of the print's own processes (workers included) "
            f"against the floor's, least of the rounds: {a4_cpu:.1f} / {floor_cpu:.1f} = {a4_cpu / floor_cpu:.2f}×."
        )
    if "single" in runs and "error" not in runs["single"] and "error" not in reprint:
        single = runs["single"]
        growth = (single["total_peak"] - reprint["total_peak"]) / single["badges"] * 1000
        print(
            f"One document: peak {single['total_peak']:.0f} MB for {single['badges']} badges, ~{growth:.0f} MB "
            "per 1,000 badges over "
            f"a one-badge render ({reprint['total_peak']:.0f} MB); in chunks a worker peaks at "
            f"{a4.get('worker_hwm', 0):.0f} MB."
        )

    print()
    if "error" in a4 or "error" in reprint:
        print("Bar NOT MEASURED: a run failed")
        return 1
    a4_ok = (
        a4["badges"] >= 2000
        and a4["seconds"] < BAR_SECONDS
        and a4["total_peak"] < BAR_MB
        and checks.get("a4", (False,))[0]
    )
    reprint_ok = reprint["seconds"] < BAR_REPRINT_SECONDS
    note = "" if a4["badges"] >= 2000 else f" — only {a4['badges']} badges, the bar is for 2,000"
    print(
        f"Bar {'MET' if a4_ok and reprint_ok else 'NOT MET'}: {a4['badges']} A4 badges in {a4['seconds']:.1f} "
        f"s (bar {BAR_SECONDS} s), "
        f"peak {a4['total_peak']:.0f} MB for parent and workers together (bar {BAR_MB} MB), QR check "
        f"{'OK' if checks.get('a4', (False,))[0] else 'FAIL'}; reprint {reprint['seconds']:.2f} s (bar "
        f"{BAR_REPRINT_SECONDS:.0f} s){note}"
    )
    return 0 if a4_ok and reprint_ok and floor_ok is not False else 1


if __name__ == "__main__":  # render_documents spawns workers, which re-import this file
    sys.exit(main())
