"""What the benchmark scripts share: a throw-away app on demo data, each measurement in a fresh
process with its peak memory and the CPU other processes took meanwhile, QR checks of the
output, and the table the figures are printed in.

Memory figures, in MB: parent (ru_maxrss of the measuring process), children (ru_maxrss of
RUSAGE_CHILDREN: the largest worker, overstated on Linux because a spawned process starts from its
parent's high-water mark), worker (a worker's own peak, read from /proc) and total (parent and
workers at the same moment, sampled).
"""

import csv
import multiprocessing
import os
import resource
import sys
import threading
import traceback
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/<name>.py` puts bench/ first on the path, not the project

DATA_DIR = ROOT / "festival" / "demo_data"
PUBLIC_BASE_URL = "https://ldst.example.vn"
SAMPLE_SECONDS = 0.1

# Second given names to make a repeated demo name unique.
EXTRA_NAMES = ("Minh", "Thanh", "Ngọc", "Hoài", "Bảo", "Khánh", "Hải", "Phương", "Xuân", "Gia", "Anh", "Tâm")

MEMORY_LEGEND = (
    "Memory in MB. parent = ru_maxrss of the process that prints (RUSAGE_SELF); children = ru_maxrss of\n"
    "RUSAGE_CHILDREN, the largest worker, which on Linux starts from the parent's high-water mark when it\n"
    "is spawned, so it overstates; worker = the largest worker's own peak (/proc VmHWM); total = parent\n"
    "+ all workers at the same moment (sampled every 0.1 s)."
)


# The throw-away app and its data ----------------------------------------------------------


def make_bench_app(workdir: Path):
    """An app on the benchmark's own SQLite file and folders (the tables are made by the script)."""
    # Imported here, not at the top: the coordinating process stays small, and every process it
    # spawns starts from its memory high-water mark (Linux carries ru_maxrss across exec).
    from config import TestConfig
    from festival.app import create_app

    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'festival.db'}",
        "UPLOAD_DIR": str(workdir / "uploads"),
        "JOBS_DIR": str(workdir / "jobs"),
        "CERTIFICATE_CACHE_DIR": str(workdir / "certificates"),
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
    }
    return create_app(type("BenchConfig", (TestConfig,), settings))


def read_rows(name: str) -> list[dict]:
    """The rows of a CSV file in festival/demo_data/."""
    with open(DATA_DIR / name, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def unique_name(name: str, seen: set[str]) -> str:
    """The name, or the name with a second given name added until no one else has it (added to `seen`)."""
    words = name.split()
    candidates = [name] + [" ".join(words[:-1] + [extra, words[-1]]) for extra in EXTRA_NAMES]
    candidates += [" ".join(words[:-1] + [a, b, words[-1]]) for a in EXTRA_NAMES for b in EXTRA_NAMES if a != b]
    for candidate in candidates:
        if candidate not in seen:
            seen.add(candidate)
            return candidate
    raise ValueError(f"no unique variant of {name!r}")


def add_festival():
    """The demo edition, current, with registration and judging open (needs an app context)."""
    from festival.core.extensions import db
    from festival.core.festivals import add_defaults
    from festival.models import Festival, utcnow

    now, day = utcnow(), timedelta(days=1)
    festival = Festival(
        edition=3,
        name="Ngày hội Lao động sáng tạo ngành Dệt May lần thứ III",
        venue="Trường Đại học Công nghiệp Dệt May Hà Nội",
        address="Lệ Chi, Gia Lâm, Hà Nội",
        starts_on=date(2025, 11, 20),
        ends_on=date(2025, 11, 21),
        registration_opens_at=now - 10 * day,
        registration_closes_at=now + 10 * day,
        judging_opens_at=now - day,
        judging_closes_at=now + 10 * day,
        is_current=True,
    )
    db.session.add(festival)
    add_defaults(festival)
    return festival


def add_units() -> dict:
    """The 16 demo units, by code."""
    from festival.admin.services import create_unit, region_from_text

    return {
        row["code"]: create_unit(row["code"], row["name"], row["short_name"], region_from_text(row["region"]), by=None)
        for row in read_rows("units.csv")
    }


# Running each measurement in a fresh process ----------------------------------------------


def _peak_mb(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def _status_mb(pid: int | str) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB from /proc, zeros if it has gone."""
    values = {"VmRSS:": 0.0, "VmHWM:": 0.0}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                key = line.split(None, 1)[0]
                if key in values:
                    values[key] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return values["VmRSS:"], values["VmHWM:"]


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        kids = children.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def _is_worker(pid: int) -> bool:
    """A process started by multiprocessing's spawn (not its resource tracker, not a helper like ldconfig)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return b"spawn_main" in cmdline.read()
    except OSError:
        return False


class MemorySampler(threading.Thread):
    """Every 0.1 s: the RSS of this process plus all its descendants, and each worker's own peak.

    ru_maxrss of RUSAGE_CHILDREN overstates a spawned worker (it starts from its parent's
    high-water mark), and no rusage gives the memory of parent and workers at the same moment.
    """

    def __init__(self):
        super().__init__(daemon=True)
        self.done = threading.Event()
        self.total_peak = 0.0
        self.worker_peak = 0.0

    def sample(self):
        total = _status_mb("self")[0]
        for pid in _descendants(os.getpid()):
            rss, hwm = _status_mb(pid)
            total += rss
            if _is_worker(pid):
                self.worker_peak = max(self.worker_peak, hwm)
        self.total_peak = max(self.total_peak, total)

    def run(self):
        while not self.done.wait(SAMPLE_SECONDS):
            self.sample()


def _child(connection, function, args):
    sampler = MemorySampler()
    sampler.start()
    try:
        result = function(*args)
        sampler.done.set()
        sampler.join()
        result["cpu_seconds"] = cpu_seconds()
        result["rss_parent"] = _peak_mb(resource.RUSAGE_SELF)
        result["rss_children"] = _peak_mb(resource.RUSAGE_CHILDREN)
        result["worker_hwm"] = sampler.worker_peak
        result["total_peak"] = max(sampler.total_peak, _status_mb("self")[1])
        connection.send(result)
    except BaseException:
        connection.send({"error": traceback.format_exc()})
    finally:
        connection.close()


def cpu_seconds() -> float:
    """CPU time (user and system) this process and its ended children have used: taken before and after a
    print, the print's own share, whatever other processes on the machine do meanwhile."""
    return sum(
        getattr(resource.getrusage(who), field)
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        for field in ("ru_utime", "ru_stime")
    )


def _busy_cpu_seconds() -> float:
    """CPU time the whole machine has spent busy since boot (user, nice, system, irq, softirq)."""
    with open("/proc/stat") as stat:
        fields = stat.readline().split()[1:]
    return sum(int(value) for value in fields[:3] + fields[5:7]) / os.sysconf("SC_CLK_TCK")


def isolated(function, *args) -> dict:
    """function(*args) in a fresh spawned process, with that process's and its children's peak RSS,
    and the CPU seconds other processes on the machine used meanwhile (they slow the run down).

    `function` must be importable by the child (a module-level function of the script), and it
    returns a dict of picklable figures; a failure comes back as {"error": traceback}.
    """
    busy = _busy_cpu_seconds()
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, function, args))
    process.start()
    sender.close()
    try:
        result = receiver.recv()
    except EOFError:
        result = {"error": "the process died without answering (killed for memory?)"}
    process.join()
    if "cpu_seconds" in result:
        result["other_cpu"] = max(0.0, _busy_cpu_seconds() - busy - result["cpu_seconds"])
    if "error" in result:
        print(f"  {function.__name__}{args[1:]} failed:\n{result['error']}", file=sys.stderr)
    return result


def busy_warning(runs: dict) -> str | None:
    """A warning naming the runs during which other processes used the CPUs noticeably, or None."""
    busy = [
        (key, run["other_cpu"])
        for key, run in runs.items()
        if run.get("other_cpu", 0) > max(1.0, 0.1 * run.get("seconds", 0))
    ]
    if not busy:
        return None
    return (
        "WARNING: other processes used the CPUs during "
        + ", ".join(f"{key} ({cpu:.0f} CPU-s)" for key, cpu in busy)
        + "; those figures are slower than on a quiet machine."
    )


# Checking the output ----------------------------------------------------------------------


def decoded_ok(result: dict) -> tuple[bool, str]:
    """Whether the sampled pages' QR codes decode (pypdfium2 at 300 dpi + zxing-cpp) to the expected URLs.

    `result` has the PDF's "path", {page index: [URLs on that page]} as "expected", and
    optionally the number of "pages" the file should have.
    """
    import pypdfium2 as pdfium
    import zxingcpp

    document = pdfium.PdfDocument(result["path"])
    try:
        pages = len(document)
        problems = []
        if "pages" in result and pages != result["pages"]:
            problems.append(f"{pages} pages, expected {result['pages']}")
        for page_no, urls in result["expected"].items():
            page = document[int(page_no)]
            image = page.render(scale=300 / 72).to_pil()
            found = [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
            page.close()
            if sorted(found) != sorted(urls):
                problems.append(
                    f"page {int(page_no) + 1}: read {len(found)} codes, {len(set(found) & set(urls))} of "
                    f"{len(urls)} right"
                )
        checked = ", ".join(str(int(p) + 1) for p in result["expected"])
        return not problems, f"{pages} pages; QR codes on page(s) {checked} " + (
            "match" if not problems else "— " + "; ".join(problems)
        )
    finally:
        document.close()


# The table ----------------------------------------------------------------------------------


def table_header(things: str, label_width: int = 42) -> str:
    """The header of the figures table, e.g. table_header("badges") for a badges/s column."""
    count_width, rate_width = max(7, len(things)), max(9, len(things) + 2)
    return (
        f"{'run':<{label_width}} {things:>{count_width}} {'seconds':>8} {things + '/s':>{rate_width}} {'parent':>7} "
        f"{'children':>8} {'worker':>7} {'total':>7} {'file MB':>8}"
    )


def table_row(label: str, result: dict, count_key: str, things: str | None = None, label_width: int = 42) -> str:
    """One line of the table: result[count_key] things in result["seconds"], peak memory and file size.

    `things` is the count column's heading, when it is wider than the default column.
    """
    count_width = max(7, len(things or ""))
    rate_width = max(9, len(things or "") + 2)
    if not result or "error" in result:
        return f"{label:<{label_width}} {'failed':>{count_width}}"
    count = result[count_key]
    rate = count / result["seconds"] if result["seconds"] else float("inf")
    cells = [
        f"{label:<{label_width}}",
        f"{count:>{count_width}}",
        f"{result['seconds']:>8.2f}",
        f"{rate:>{rate_width}.1f}",
    ]
    cells.append(f"{result['rss_parent']:>7.0f}" if "rss_parent" in result else f"{'–':>7}")
    for key, width in (("rss_children", 8), ("worker_hwm", 7), ("total_peak", 7)):
        cells.append(f"{result[key]:>{width}.0f}" if result.get(key) else f"{'–':>{width}}")
    cells.append(f"{result['bytes'] / 1e6:>8.2f}" if "bytes" in result else f"{'–':>8}")
    return " ".join(cells)
