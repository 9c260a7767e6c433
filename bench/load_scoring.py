"""Judges' autosave under load, and the results page of a big festival, on SQLite and PostgreSQL.

    .venv/bin/python bench/load_scoring.py [--judges 60] [--seconds 60] [--max-saves 200]
        [--backend sqlite|postgresql|both] [--pg-url URL] [--exhibits 1000] [--skip-load] [--skip-results]

For each backend: a fresh database (an SQLite file in a temporary folder; for PostgreSQL a
throw-away cluster on 127.0.0.1 started with Debian's initdb/pg_ctl, or databases created on the
server of --pg-url and dropped after), the real migrations, data made with the app's own services,
then `gunicorn --workers 2` on a free loopback port with the production configuration (CSRF on).

Autosave load: every judge signs in, opens a sheet and taps scores like a quick person: the next
tap comes U(0.3, 1.5) s after the previous one (0.3 s is a fast repeated tap on a level button or
the stepper, 1.5 s a look at the exhibit before choosing), whether or not the last save has been
answered. Like static/js/scoring.js the client keeps one save in flight per sheet and sends the
newest snapshot of the whole sheet with the device id and the next sequence number; taps made
while a save is in flight are sent together after it (their numbers are skipped). Every 10-25
taps the judge opens the next sheet (GET the page) and reads for U(1, 3) s. The network misbehaves
on purpose: after 5% of saves the same request is sent again (a retry: must answer "duplicate"),
after 3% an older snapshot with different values is sent late (must answer 409 and change
nothing), and 2% of taps go out as a pair sent at once from two tabs (the older may win or get
409, the newer must win). Each judge stops after --seconds or --max-saves saves.

Afterwards every sheet in the database is compared with the newest snapshot its judge sent and got
a 200 for (points, answers, comment and sequence number): a difference is "reordered" when the
database holds an older snapshot, "lost" otherwise. The score history must hold exactly one row
per change those snapshots made, in sequence order. Latency is measured by the client from connect
to the last byte; the server's own time per request comes from the app's request log.

Results page: a second data set of --exhibits accepted exhibits in the six demo categories, 40
judges on two panels each, a five-criterion rubric and three submitted sheets per exhibit (assigned
by the app, scores inserted in bulk); GET /judging/results as an organizer through gunicorn (two
warm-ups, then the median of five) and festival_results() in-process (median of five, fresh session
each time, SQL statements counted).

Targets: p95 of autosave requests under 150 ms with nothing lost or reordered; the results page
under 1 s. The CPU other processes used during a run is reported, since it slows the figures.
"""

import argparse
import http.client
import json
import math
import os
import pwd
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from measure import read_rows

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/load_scoring.py` puts bench/ first on the path, not the project

TARGET_P95_MS = 150
TARGET_RESULTS_SECONDS = 1.0
WORKERS = 2
GUNICORN_TIMEOUT = 60
PASSWORD = "lantern-quay-orchid-42"  # passes the common-password check (sign-in hardening)
FAST_HASH = "pbkdf2:sha256:1000"  # set-up only; the served app checks whatever hash is stored

THINK_SECONDS = (0.3, 1.5)  # between two taps
READ_SECONDS = (1.0, 3.0)  # after opening a sheet
TAPS_PER_SHEET = (10, 25)
START_SPREAD_SECONDS = 2.0  # judges sign in within this long of each other
RETRY_SHARE, LATE_SHARE, PAIR_SHARE = 0.05, 0.03, 0.02
COMMENT_SHARE, ANSWER_SHARE = 0.05, 0.05
SHEETS_PER_JUDGE = 4
CLIENT_TIMEOUT = 30
RESULTS_RUNS = 5
RESULTS_JUDGES, RESULTS_PANELS_PER_JUDGE, RESULTS_PER_EXHIBIT = 40, 2, 3
COMMENT_WORDS = (
    "Tốt",
    "cần",
    "bổ sung",
    "số liệu",
    "an toàn",
    "tiết kiệm",
    "áp dụng",
    "rộng",
    "chuyền may",
    "hiệu quả",
)
FIFTH_CRITERION = ("Trình bày, thuyết minh tại gian", "Presentation at the booth", 10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list (NaN when empty)."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


# CPU accounting -----------------------------------------------------------------------------


def busy_cpu_seconds() -> float:
    """CPU time the whole machine has spent busy since boot (user, nice, system, irq, softirq)."""
    with open("/proc/stat") as stat:
        fields = stat.readline().split()[1:]
    return sum(int(value) for value in fields[:3] + fields[5:7]) / os.sysconf("SC_CLK_TCK")


def _process_table() -> dict[int, tuple[int, float]]:
    """pid → (parent pid, CPU seconds of the process and of its children it has reaped)."""
    tick = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            table[int(entry.name)] = (int(fields[1]), sum(int(v) for v in fields[11:15]) / tick)
    return table


def tree_cpu_seconds(root: int | None) -> float:
    """CPU seconds used by a process and all its descendants, the reaped ones included."""
    if root is None:
        return 0.0
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _cpu) in table.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += table.get(pid, (0, 0.0))[1]
        todo += children.get(pid, [])
    return total


def own_cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# Databases ------------------------------------------------------------------------------------


def _pg_bindir() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise SystemExit("PostgreSQL's initdb was not found: install Debian's postgresql or pass --pg-url.")


class PostgresCluster:
    """A throw-away PostgreSQL cluster on 127.0.0.1 (durable defaults: fsync and synchronous commit on)."""

    def __init__(self):
        self.bindir = _pg_bindir()
        self.folder = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        self.port = free_port()
        self.as_postgres = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        self.data = self.folder / "data"

    def _run(self, *args):
        subprocess.run(
            self.as_postgres + [str(a) for a in args],
            cwd=self.folder,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def start(self):
        self._run(
            self.bindir / "initdb",
            "-D",
            self.data,
            "-A",
            "trust",
            "-U",
            "postgres",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder}"
        self._run(
            self.bindir / "pg_ctl", "-D", self.data, "-l", self.folder / "log", "-w", "-t", "60", "-o", options, "start"
        )

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def version(self) -> str:
        out = subprocess.run([str(self.bindir / "postgres"), "--version"], capture_output=True, text=True).stdout
        return out.split()[-1] if out else "?"

    def stop(self):
        try:
            self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


class PostgresServer:
    """Databases made for this run on a PostgreSQL server (ours or --pg-url's) and dropped after."""

    def __init__(self, url: str, pid: int | None = None, label: str = ""):
        import sqlalchemy as sa

        self.url = sa.engine.make_url(url).set(drivername="postgresql+psycopg")
        self.pid, self.label, self.created = pid, label, []

    def _admin(self):
        import psycopg

        u = self.url
        return psycopg.connect(
            host=u.host or "127.0.0.1",
            port=u.port or 5432,
            user=u.username,
            password=u.password,
            dbname=u.database or "postgres",
            autocommit=True,
        )

    def create(self, suffix: str) -> str:
        name = f"festival_bench_{os.getpid()}_{suffix}"
        with self._admin() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self):
        with self._admin() as connection:
            for name in self.created:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def postgres(pg_url: str | None):
    """A PostgresServer: --pg-url's server, or a throw-away cluster stopped and removed afterwards."""
    if pg_url:
        server = PostgresServer(pg_url, label="server of --pg-url")
        try:
            yield server
        finally:
            server.drop_all()
        return
    cluster = PostgresCluster()
    try:
        cluster.start()
        server = PostgresServer(
            f"postgresql+psycopg://postgres@127.0.0.1:{cluster.port}/postgres",
            pid=cluster.postmaster_pid(),
            label=f"throw-away PostgreSQL {cluster.version()} cluster, 127.0.0.1:{cluster.port}, default settings",
        )
        yield server
    finally:
        cluster.stop()


def migrate(url: str):
    """The real migrations: `flask --app wsgi db upgrade` against `url`."""
    env = dict(os.environ, DATABASE_URL=url)
    env.pop("FESTIVAL_ENV", None)
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"migrations failed on {url}:\n{done.stderr[-3000:]}")


def bench_app(url: str, workdir: Path):
    """The app in this process, on `url`, for set-up and checks (fast password hashes, CSRF off)."""
    from config import TestConfig
    from festival.app import create_app

    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "UPLOAD_DIR": str(workdir / "uploads"),
        "JOBS_DIR": str(workdir / "jobs"),
        "CERTIFICATE_CACHE_DIR": str(workdir / "certificates"),
        "PASSWORD_HASH_METHOD": FAST_HASH,
    }
    return create_app(type("BenchConfig", (TestConfig,), settings))


# Data --------------------------------------------------------------------------------------------


def _festival_units_categories(organizer_email: str):
    """A current festival with registration and judging open, the demo units and categories, an organizer."""
    from festival.admin import services as festivals
    from festival.auth import services as accounts
    from festival.core.extensions import db
    from festival.exhibits import services as exhibits
    from festival.models import Role, User, utcnow

    now, day = utcnow(), timedelta(days=1)
    festival = festivals.create_festival(
        {
            "edition": 3,
            "name": "Ngày hội Lao động sáng tạo ngành Dệt May lần thứ III",
            "venue": "Trường Đại học Công nghiệp Dệt May Hà Nội",
            "address": "Lệ Chi, Gia Lâm, Hà Nội",
            "starts_on": now.date(),
            "ends_on": now.date() + day,
            "registration_opens_at": now - 10 * day,
            "registration_closes_at": now + 10 * day,
            "judging_opens_at": now - day,
            "judging_closes_at": now + 10 * day,
        },
        by=None,
    )
    units = [
        festivals.create_unit(r["code"], r["name"], r["short_name"], festivals.region_from_text(r["region"]), by=None)
        for r in read_rows("units.csv")
    ]
    organizer = User(email=organizer_email, full_name="Ban Tổ chức Ngày hội", role=Role.ORGANIZER)
    accounts.set_password(organizer, PASSWORD)
    db.session.add(organizer)
    db.session.flush()
    categories = [
        exhibits.save_category(festival, None, r["code"], r["name_vi"], r["name_en"], by=organizer)
        for r in read_rows("categories.csv")
    ]
    return festival, units, categories, organizer


def _rubric_inputs(fifth: bool):
    """The demo rubric (four scored criteria, two with levels, and a yes/no question), or five scored criteria."""
    from festival.judging import rubrics
    from festival.models import CriterionKind

    levels = {
        0: [(0, "Không đạt"), (10, "Đạt"), (20, "Tốt"), (30, "Xuất sắc")],
        3: [(0, "Không đạt"), (5, "Đạt"), (10, "Tốt"), (15, "Xuất sắc")],
    }
    criteria = [
        rubrics.CriterionInput(
            name_vi=r["criterion_vi"],
            name_en=r["criterion_en"],
            guidance=r["description_vi"],
            max_points=int(r["max_points"]),
            levels=[rubrics.LevelInput(p, label) for p, label in levels.get(i, [])],
        )
        for i, r in enumerate(read_rows("rubric.csv"))
    ]
    if fifth:
        criteria.append(
            rubrics.CriterionInput(
                name_vi=FIFTH_CRITERION[0], name_en=FIFTH_CRITERION[1], max_points=FIFTH_CRITERION[2]
            )
        )
    else:
        criteria.append(
            rubrics.CriterionInput(
                name_vi="Đề xuất nhân rộng toàn ngành?", name_en="Recommend?", kind=CriterionKind.YES_NO
            )
        )
    return criteria


def _add_judges(count: int, units, prefix: str):
    from festival.auth import services as accounts
    from festival.core.extensions import db
    from festival.models import Role, User

    names = [r["full_name"] for r in read_rows("attendees.csv")]
    judges = []
    for index in range(count):
        # Most judges come from a member unit (they may not judge its exhibits), some from outside.
        unit = None if index % 4 == 3 else units[index % len(units)]
        judge = User(
            email=f"{prefix}{index + 1:03d}@bench.example.vn",
            full_name=f"{names[index % len(names)]} ({index + 1})",
            role=Role.JUDGE,
            unit=unit,
        )
        accounts.set_password(judge, PASSWORD)
        db.session.add(judge)
        judges.append(judge)
    db.session.flush()
    return judges


def _add_exhibits(festival, units, categories, organizer, count: int):
    """`count` exhibits registered and accepted through the app's services, spread over units and categories."""
    from festival.exhibits import services as exhibits
    from festival.exhibits.import_export import parse_authors
    from festival.models import ApplicationScope, ExhibitStatus, utcnow

    rows = read_rows("exhibits.csv")
    festival.exhibit_quota = max(festival.exhibit_quota, -(-count // len(units)))
    scopes = list(ApplicationScope)
    numbers: dict[str, int] = {}
    made = []
    for index in range(count):
        row = rows[index % len(rows)]
        category = categories[index % len(categories)]
        unit = units[(index * 7 + index // len(units)) % len(units)]
        data = exhibits.ExhibitInput(
            title=row["title"] if index < len(rows) else f"{row['title']} ({index // len(rows) + 1})",
            category=category,
            authors=parse_authors(row["authors"])[0],
            summary=f"Sáng kiến áp dụng từ năm {row['applied_since']}.",
            benefit_vnd=int(row["benefit_vnd_per_year"]) + index * 1000,
            applied_since=int(row["applied_since"]),
            scope=scopes[index % len(scopes)],
        )
        exhibit = exhibits.create_exhibit(
            festival, unit, data, by=organizer, now=utcnow(), status=ExhibitStatus.SUBMITTED
        )
        numbers[category.code] = numbers.get(category.code, 0) + 1
        exhibits.accept_exhibit(
            exhibit, by=organizer, code=f"{category.code}-{numbers[category.code]:02d}", booth=str(index + 1)
        )
        made.append(exhibit)
    return made


def _panels_and_assignment(festival, categories, judges, organizer, panels_per_judge: int, per_exhibit: int):
    from festival.judging import panels

    memberships = {
        (categories[(i + step) % len(categories)].id, judge.id)
        for i, judge in enumerate(judges)
        for step in range(panels_per_judge)
    }
    panels.set_panels(festival, memberships, by=organizer)
    return panels.assign_judges(festival, per_exhibit, by=organizer)


def build_load_data(app, judges: int) -> dict:
    """A festival for the autosave run: `judges` judges with about four sheets each."""
    from festival.core.extensions import db
    from festival.judging import rubrics
    from festival.models import ScoreSheet

    with app.app_context():
        festival, units, categories, organizer = _festival_units_categories("btc@bench.example.vn")
        rubric = rubrics.save_rubric(festival, None, _rubric_inputs(fifth=False), by=organizer)
        people = _add_judges(judges, units, "judge")
        exhibits = _add_exhibits(festival, units, categories, organizer, -(-judges * SHEETS_PER_JUDGE // 3))
        plan = _panels_and_assignment(festival, categories, people, organizer, panels_per_judge=2, per_exhibit=3)
        db.session.commit()
        criteria = [
            {"id": c.id, "kind": c.kind.value, "max": c.max_points, "levels": [lv.points for lv in c.levels]}
            for c in rubric.criteria
        ]
        sheets: dict[int, list[int]] = {}
        for sheet_id, judge_id in db.session.execute(
            db.select(ScoreSheet.id, ScoreSheet.judge_id).order_by(ScoreSheet.id)
        ):
            sheets.setdefault(judge_id, []).append(sheet_id)
        data = {
            "criteria": criteria,
            "judges": [{"email": j.email, "sheets": sheets.get(j.id, [])} for j in people],
            "exhibits": len(exhibits),
            "sheets": sum(len(v) for v in sheets.values()),
            "problems": len(plan.problems),
        }
        db.engine.dispose()
    return data


def build_results_data(app, exhibits: int) -> dict:
    """A big festival, every sheet submitted: exhibits and assignment by the app, scores in bulk."""
    import sqlalchemy as sa

    from festival.core.extensions import db
    from festival.judging import rubrics
    from festival.models import Score, ScoreSheet, SheetStatus, utcnow

    with app.app_context():
        festival, units, categories, organizer = _festival_units_categories("btc@bench.example.vn")
        rubric = rubrics.save_rubric(festival, None, _rubric_inputs(fifth=True), by=organizer)
        people = _add_judges(RESULTS_JUDGES, units, "judge")
        started = time.perf_counter()
        made = _add_exhibits(festival, units, categories, organizer, exhibits)
        exhibit_seconds = time.perf_counter() - started
        started = time.perf_counter()
        plan = _panels_and_assignment(
            festival, categories, people, organizer, RESULTS_PANELS_PER_JUDGE, RESULTS_PER_EXHIBIT
        )
        assign_seconds = time.perf_counter() - started
        db.session.commit()

        # Each exhibit has a merit every judge sees, shifted by the judge's severity and some noise.
        rng = random.Random(2025)
        severity = {j.id: rng.uniform(-4, 4) for j in people}
        merit = {e.id: 50 + 35 * rng.random() for e in made}
        now = utcnow()
        scores, updates = [], []
        for sheet_id, exhibit_id, judge_id in db.session.execute(
            db.select(ScoreSheet.id, ScoreSheet.exhibit_id, ScoreSheet.judge_id).order_by(ScoreSheet.id)
        ):
            quality = merit[exhibit_id] + severity[judge_id] + rng.gauss(0, 3)
            for criterion in rubric.scored_criteria:
                raw = max(0.0, min(1.0, (quality + rng.gauss(0, 4)) / 100)) * criterion.max_points
                if criterion.levels:
                    raw = min((lv.points for lv in criterion.levels), key=lambda p: abs(p - raw))
                scores.append({"sheet_id": sheet_id, "criterion_id": criterion.id, "points": Decimal(round(raw))})
            updates.append(
                {
                    "id": sheet_id,
                    "rubric_id": rubric.id,
                    "status": SheetStatus.SUBMITTED,
                    "submitted_at": now,
                    "updated_at": now,
                    "last_client_id": "bench",
                    "last_seq": 1,
                }
            )
        db.session.execute(sa.insert(Score), scores)
        db.session.execute(sa.update(ScoreSheet), updates)
        db.session.commit()
        data = {
            "exhibits": len(made),
            "categories": len(categories),
            "judges": len(people),
            "criteria": len(rubric.scored_criteria),
            "sheets": len(updates),
            "scores": len(scores),
            "problems": len(plan.problems),
            "exhibit_seconds": exhibit_seconds,
            "assign_seconds": assign_seconds,
        }
        db.engine.dispose()
    return data


# gunicorn ------------------------------------------------------------------------------------


class Gunicorn:
    """`gunicorn --workers 2` on a free loopback port, configured through the environment as in production."""

    def __init__(self, url: str, workdir: Path, name: str, options: tuple = (), app: str = "wsgi:app"):
        self.url, self.workdir, self.name = url, workdir, name
        self.options, self.app = tuple(options), app  # more gunicorn options (--threads …), the WSGI app
        self.port = free_port()
        self.log_path = workdir / f"gunicorn-{name}.log"
        self.process = None

    def environment(self) -> dict:
        """The production environment the app reads (also what a queue consumer beside it needs)."""
        env = dict(
            os.environ,
            DATABASE_URL=self.url,
            SECRET_KEY=secrets.token_hex(32),
            UPLOAD_DIR=str(self.workdir / "uploads"),
            JOBS_DIR=str(self.workdir / "jobs"),
            CERTIFICATE_CACHE_DIR=str(self.workdir / "certificates"),
            PUBLIC_BASE_URL=f"http://127.0.0.1:{self.port}",
        )
        env.pop("FESTIVAL_ENV", None)
        return env

    def start(self):
        env = self.environment()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout",
            str(GUNICORN_TIMEOUT),
            "--graceful-timeout",
            "10",
            "--no-control-socket",
            "--chdir",
            str(ROOT),
            *self.options,
            self.app,
        ]
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.process.returncode}):\n{self.log_path.read_text()[-3000:]}")
            try:
                if Browser(self.port, timeout=2).request("GET", "/healthz").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise SystemExit("gunicorn did not answer /healthz within 60 s")

    def cpu_seconds(self) -> float:
        return tree_cpu_seconds(self.process.pid if self.process else None)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def request_times(self) -> list[tuple[str, str, int, float]]:
        """(method, path, status, ms) of every request the app logged (festival.request, 1 ms resolution)."""
        pattern = re.compile(r"festival\.request: (\S+) (\S+) (\d{3}) (\d+)ms")
        found = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            match = pattern.search(line)
            if match:
                found.append((match[1], match[2], int(match[3]), float(match[4])))
        return found

    def errors(self) -> list[str]:
        return [
            line
            for line in self.log_path.read_text(errors="replace").splitlines()
            if " ERROR " in line or "Traceback" in line or "[CRITICAL]" in line
        ]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# HTTP client -------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    body: bytes
    started: float
    seconds: float
    location: str = ""

    def json(self) -> dict:
        try:
            return json.loads(self.body)
        except ValueError:
            return {}


META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class Browser:
    """A tablet's browser: its own cookies, a new connection per request (gunicorn's sync workers close them)."""

    def __init__(self, port: int, timeout: float = CLIENT_TIMEOUT):
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, method: str, path: str, form: dict | None = None, payload: dict | None = None) -> Response:
        headers = {"User-Agent": "festival-bench/1"}
        body = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if payload is not None:
            body = json.dumps(payload).encode()
            headers.update({"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": self.csrf})
        elif form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            pair, _, attributes = cookie.partition(";")
            name, _, value = pair.strip().partition("=")
            if not value or "max-age=0" in attributes.lower().replace(" ", ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if data and answer.headers.get_content_type() == "text/html":
            match = META_CSRF.search(data.decode("utf-8", "replace"))
            if match:
                self.csrf = match[1]
        return Response(answer.status, data, started, seconds, answer.headers.get("Location", ""))

    def sign_in(self, email: str) -> tuple[Response, Response]:
        """GET the sign-in page for its token, POST the form; the answer must be a redirect."""
        page = self.request("GET", "/auth/login")
        answer = self.request(
            "POST", "/auth/login", form={"email": email, "password": PASSWORD, "csrf_token": self.csrf}
        )
        return page, answer


# The simulated judges -------------------------------------------------------------------------


@dataclass
class Sent:
    """One autosave request and what came back."""

    kind: str  # save | retry | late | pair-old | pair-new
    sheet: int
    seq: int
    snapshot: dict
    status: int | str = 0  # HTTP status, or the exception's name
    outcome: str = ""  # "saved" / "duplicate" from a 200's body
    state: dict = field(default_factory=dict)


@dataclass
class SheetModel:
    """What the tablet holds for one sheet: the values on screen and the last sequence number used."""

    id: int
    points: dict = field(default_factory=dict)
    answers: dict = field(default_factory=dict)
    comment: str = ""
    seq: int = 0
    base: int = 0  # the sheet revision the next save is based on (the page's, then each answer's)

    def snapshot(self) -> dict:
        return {"points": dict(self.points), "answers": dict(self.answers), "comment": self.comment}


class Judge(threading.Thread):
    def __init__(
        self,
        index: int,
        email: str,
        sheet_ids: list[int],
        criteria: list[dict],
        port: int,
        start_at: float,
        stop_at: float,
        max_saves: int,
        seed: int,
    ):
        super().__init__(name=f"judge-{index}", daemon=True)
        self.email, self.criteria, self.port = email, criteria, port
        self.start_at, self.stop_at, self.max_saves = start_at, stop_at, max_saves
        self.rng = random.Random(seed)
        self.device = uuid.UUID(int=self.rng.getrandbits(128)).hex
        scored = [c for c in criteria if c["kind"] == "points"]
        questions = [c for c in criteria if c["kind"] == "yes_no"]
        self.scored, self.questions = scored, questions
        self.sheets = [
            SheetModel(s, points={str(c["id"]): None for c in scored}, answers={str(c["id"]): None for c in questions})
            for s in sheet_ids
        ]
        self.browser = Browser(port)
        self.timings: list[tuple[str, float, float, int | str]] = []  # (kind, started, seconds, status)
        self.sent: list[Sent] = []
        self.tap_waits: list[float] = []  # from a tap to the 200 that covers it
        self.taps = 0
        self.coalesced = 0
        self.unexpected: list[str] = []
        self.page_mismatch = 0
        self.lock = threading.Lock()
        self.failure = ""

    # requests

    def _timed(self, kind: str, method: str, path: str, **kwargs) -> Response | None:
        try:
            response = self.browser.request(method, path, **kwargs)
        except (OSError, http.client.HTTPException) as error:
            with self.lock:
                self.timings.append((kind, time.perf_counter(), math.nan, type(error).__name__))
            return None
        with self.lock:
            self.timings.append((kind, response.started, response.seconds, response.status))
        return response

    def _save(self, kind: str, sheet: SheetModel, seq: int, snapshot: dict) -> Sent:
        record = Sent(kind, sheet.id, seq, snapshot)
        body = {"client_id": self.device, "seq": seq, "base": sheet.base, **snapshot}
        response = self._timed(kind, "POST", f"/judging/sheets/{sheet.id}/save", payload=body)
        if response is None:
            record.status = "error"
        else:
            record.status = response.status
            data = response.json()
            record.outcome = data.get("status", "")
            record.state = data.get("state") or {}
            if response.status == 200:  # as scoring.js: the revision answered is the next save's base
                sheet.base = max(sheet.base, int(record.state.get("revision") or 0))
        with self.lock:
            self.sent.append(record)
        return record

    def _expect(self, record: Sent, allowed: set):
        got = (record.status, record.outcome) if record.status == 200 else (record.status, "")
        if got not in allowed:
            self.unexpected.append(f"{record.kind} sheet {record.sheet} seq {record.seq}: {got[0]} {got[1]}".strip())

    # a person's actions

    def _tap(self, sheet: SheetModel):
        """Change one thing on the sheet, as a finger would."""
        roll = self.rng.random()
        if roll < COMMENT_SHARE:
            words = sheet.comment.split() + [self.rng.choice(COMMENT_WORDS)]
            sheet.comment = " ".join(words[-12:])
        elif roll < COMMENT_SHARE + ANSWER_SHARE and self.questions:
            key = str(self.rng.choice(self.questions)["id"])
            sheet.answers[key] = not sheet.answers[key] if sheet.answers[key] is not None else self.rng.random() < 0.5
        else:
            criterion = self.rng.choice(self.scored)
            key = str(criterion["id"])
            current = sheet.points[key]
            if criterion["levels"]:
                choices = [p for p in criterion["levels"] if current is None or Decimal(p) != Decimal(current)]
                value = Decimal(self.rng.choice(choices))
            elif current is None or self.rng.random() < 0.3:
                value = Decimal(self.rng.randint(0, criterion["max"] * 2)) / 2  # typed, halves allowed
            else:
                step = 1 if self.rng.random() < 0.5 else -1  # the stepper
                value = Decimal(current) + step
                if not 0 <= value <= criterion["max"]:
                    value = Decimal(current) - step
            sheet.points[key] = format(value.normalize(), "f")
        sheet.seq += 1
        self.taps += 1

    def _sleep_until(self, moment: float):
        delay = moment - time.perf_counter()
        if delay > 0:
            time.sleep(delay)

    def _open(self, sheet: SheetModel):
        response = self._timed("page", "GET", f"/judging/sheets/{sheet.id}")
        if response is None or response.status != 200:
            self.unexpected.append(f"page sheet {sheet.id}: {response.status if response else 'error'}")
            return
        page = response.body.decode("utf-8", "replace")
        revision = re.search(r'data-revision="(\d+)"', page)
        if revision:
            sheet.base = max(sheet.base, int(revision[1]))
        client = re.search(r'data-server-client="([^"]*)"', page)
        seq = re.search(r'data-server-seq="(\d+)"', page)
        if sheet.seq and client and seq and client[1] == self.device and int(seq[1]) != self._acked_seq(sheet.id):
            self.page_mismatch += 1

    def _acked_seq(self, sheet_id: int) -> int:
        return max(
            (s.seq for s in self.sent if s.sheet == sheet_id and s.status == 200 and s.outcome == "saved"), default=0
        )

    def _send_newest(self, sheet: SheetModel, first_tap: float):
        """Send the sheet as it is now; on a network error or 5xx resend it, as the outbox does."""
        for attempt in range(5):
            record = self._save("save", sheet, sheet.seq, sheet.snapshot())
            if record.status == 200 or record.status in (400, 401, 403, 404, 409):
                break
            time.sleep(0.5 * (attempt + 1))
        # After a lost answer the resend may find the first attempt applied: "duplicate" is right then.
        self._expect(record, {(200, "saved")} | ({(200, "duplicate")} if attempt else set()))
        if record.status == 200:
            self.tap_waits.append(time.perf_counter() - first_tap)
        return record

    def _pair(self, sheet: SheetModel):
        """Two taps go out at once from two tabs: the older snapshot and the newer one."""
        self._tap(sheet)
        older_seq, older = sheet.seq, sheet.snapshot()
        self._tap(sheet)
        results = {}
        helper = threading.Thread(
            target=lambda: results.setdefault("old", self._save("pair-old", sheet, older_seq, older))
        )
        helper.start()
        time.sleep(self.rng.uniform(0, 0.003))
        new = self._save("pair-new", sheet, sheet.seq, sheet.snapshot())
        helper.join()
        self._expect(results["old"], {(200, "saved"), (409, "")})
        self._expect(new, {(200, "saved")})

    def run(self):
        try:
            self._run()
        except Exception as error:  # a bug here must not look like a quiet judge
            import traceback

            self.failure = traceback.format_exc()
            self.unexpected.append(f"client crashed: {error!r}")

    def _run(self):
        self._sleep_until(self.start_at)
        page, answer = self.browser.sign_in(self.email)
        with self.lock:
            self.timings.append(("page", page.started, page.seconds, page.status))
            self.timings.append(("login", answer.started, answer.seconds, answer.status))
        if answer.status != 302:
            self.unexpected.append(f"sign-in answered {answer.status}")
            return
        home = self._timed("page", "GET", "/judging/")
        if home is None or home.status != 200 or not self.sheets:
            self.unexpected.append("no home page or no sheets")
            return
        saves, current = 0, 0
        while True:
            sheet = self.sheets[current % len(self.sheets)]
            self._open(sheet)
            next_tap = time.perf_counter() + self.rng.uniform(*READ_SECONDS)
            taps_left = self.rng.randint(*TAPS_PER_SHEET)
            while taps_left > 0 and saves < self.max_saves:
                if next_tap >= self.stop_at:
                    return
                self._sleep_until(next_tap)
                if self.rng.random() < PAIR_SHARE and sheet.seq:
                    self._pair(sheet)
                    saves += 2
                    taps_left -= 2
                    next_tap = time.perf_counter() + self.rng.uniform(*THINK_SECONDS)
                    continue
                # Every tap that has come due while the last save was in flight goes in this one.
                first_tap, due = next_tap, 0
                while next_tap <= time.perf_counter() and due < taps_left:
                    self._tap(sheet)
                    due += 1
                    next_tap += self.rng.uniform(*THINK_SECONDS)
                self.coalesced += due - 1
                record = self._send_newest(sheet, first_tap)
                saves += 1
                taps_left -= due
                if record.status != 200:
                    continue
                roll = self.rng.random()
                if roll < RETRY_SHARE:
                    self._expect(self._save("retry", sheet, record.seq, record.snapshot), {(200, "duplicate")})
                elif roll < RETRY_SHARE + LATE_SHARE:
                    older = [
                        s
                        for s in self.sent
                        if s.sheet == sheet.id
                        and s.status == 200
                        and s.seq < record.seq
                        and s.snapshot != record.snapshot
                    ]
                    if older:
                        late = older[-1]
                        self._expect(self._save("late", sheet, late.seq, late.snapshot), {(409, "")})
            if saves >= self.max_saves:
                return
            current += 1


# The load run ----------------------------------------------------------------------------------


def run_load(url: str, workdir: Path, name: str, options, db_pid: int | None) -> dict:
    """Set up, serve, let the judges loose, then check the database against what they sent."""
    started = time.perf_counter()
    migrate(url)
    migrate_seconds = time.perf_counter() - started
    app = bench_app(url, workdir)
    started = time.perf_counter()
    data = build_load_data(app, options.judges)
    setup_seconds = time.perf_counter() - started
    judges_with_sheets = [j for j in data["judges"] if j["sheets"]]
    print(
        f"  set-up: migrations {migrate_seconds:.1f} s, data {setup_seconds:.1f} s — {len(data['judges'])} "
        f"judges, {data['exhibits']} accepted exhibits, "
        f"{data['sheets']} sheets ({data['sheets'] / max(1, len(judges_with_sheets)):.1f} per judge, "
        f"assignment problems: {data['problems']})",
        flush=True,
    )

    with Gunicorn(url, workdir, name) as server:
        time.sleep(1.0)  # let the workers finish booting
        base = time.perf_counter()
        stop_at = base + START_SPREAD_SECONDS + options.seconds
        judges = [
            Judge(
                i,
                j["email"],
                j["sheets"],
                data["criteria"],
                server.port,
                base + (START_SPREAD_SECONDS * i / len(judges_with_sheets)),
                stop_at,
                options.max_saves,
                seed=1000 + i,
            )
            for i, j in enumerate(judges_with_sheets)
        ]
        cpu_before = {
            "server": server.cpu_seconds(),
            "database": tree_cpu_seconds(db_pid),
            "client": own_cpu_seconds(),
            "machine": busy_cpu_seconds(),
        }
        for judge in judges:
            judge.start()
        next_report = base + 15
        while any(j.is_alive() for j in judges):
            time.sleep(0.5)
            if time.perf_counter() >= next_report:
                done = sum(len(j.timings) for j in judges)
                print(f"    {time.perf_counter() - base:5.0f} s: {done} requests", flush=True)
                next_report += 15
        for judge in judges:
            judge.join()
        wall = time.perf_counter() - base
        cpu = {
            "server": server.cpu_seconds() - cpu_before["server"],
            "database": tree_cpu_seconds(db_pid) - cpu_before["database"],
            "client": own_cpu_seconds() - cpu_before["client"],
            "machine": busy_cpu_seconds() - cpu_before["machine"],
        }
    server_times = server.request_times()
    server_errors = server.errors()

    checks = verify(app, judges)
    with app.app_context():
        from festival.core.extensions import db

        db.engine.dispose()
    return {
        "judges": judges,
        "wall": wall,
        "cpu": cpu,
        "server_times": server_times,
        "server_errors": server_errors,
        "checks": checks,
        "data": data,
    }


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _normal(snapshot: dict, seq: int, client: str | None) -> tuple:
    """A snapshot as comparable values: points, answers, comment, sequence number, device."""
    points = {int(k): _decimal(v) for k, v in snapshot["points"].items() if v is not None}
    answers = {int(k): v for k, v in snapshot["answers"].items() if v is not None}
    return (points, answers, snapshot["comment"], seq, client)


def _history_rows(applied: list[Sent]) -> int:
    """How many score-history rows the applied saves must have written (one per changed value)."""
    points, answers, comment, rows = {}, {}, "", 0
    for record in sorted(applied, key=lambda s: s.seq):
        for key, value in record.snapshot["points"].items():
            if _decimal(value) != points.get(key):
                rows += 1
                points[key] = _decimal(value)
        for key, value in record.snapshot["answers"].items():
            if value != answers.get(key):
                rows += 1
                answers[key] = value
        if record.snapshot["comment"] != comment:
            rows += 1
            comment = record.snapshot["comment"]
    return rows


def verify(app, judges: list[Judge]) -> dict:
    """Compare every sheet in the database with the newest snapshot its judge got a 200 for."""
    import sqlalchemy as sa

    from festival.core.extensions import db
    from festival.models import Score, ScoreChange, ScoreSheet, SheetClient

    counts = {
        "sheets": 0,
        "touched": 0,
        "ok": 0,
        "lost": 0,
        "reordered": 0,
        "unacknowledged": 0,
        "history_mismatch": 0,
        "history_disorder": 0,
    }
    details = []
    with app.app_context():
        comments = dict(db.session.execute(sa.select(ScoreSheet.id, ScoreSheet.comment)).all())
        # The sheet revision protocol keeps each client's newest save number in sheet_clients.
        client_seqs = {
            (sheet_id, client): seq
            for sheet_id, client, seq in db.session.execute(
                sa.select(SheetClient.sheet_id, SheetClient.client_id, SheetClient.last_seq)
            )
        }
        stored: dict[int, tuple[dict, dict]] = {}
        for sheet_id, criterion_id, points, answer in db.session.execute(
            sa.select(Score.sheet_id, Score.criterion_id, Score.points, Score.answer)
        ):
            entry = stored.setdefault(sheet_id, ({}, {}))
            if points is not None:
                entry[0][criterion_id] = Decimal(points)
            if answer is not None:
                entry[1][criterion_id] = answer
        history: dict[int, list[tuple[str | None, int | None]]] = {}
        for sheet_id, client, seq in db.session.execute(
            sa.select(ScoreChange.sheet_id, ScoreChange.client_id, ScoreChange.seq).order_by(ScoreChange.id)
        ):
            history.setdefault(sheet_id, []).append((client, seq))
    for judge in judges:
        for sheet in judge.sheets:
            counts["sheets"] += 1
            points, answers = stored.get(sheet.id, ({}, {}))
            seq = client_seqs.get((sheet.id, judge.device))
            in_db = (points, answers, comments[sheet.id] or "", seq or 0, judge.device if seq else None)
            mine = [s for s in judge.sent if s.sheet == sheet.id]
            applied = [s for s in mine if s.status == 200 and s.outcome == "saved"]
            if not mine:
                if in_db != ({}, {}, "", 0, None):
                    counts["lost"] += 1
                    details.append(f"sheet {sheet.id}: never saved, but the database has {in_db}")
                continue
            counts["touched"] += 1
            newest = max(applied, key=lambda s: s.seq) if applied else None
            expected = _normal(newest.snapshot, newest.seq, judge.device) if newest else ({}, {}, "", 0, None)
            if in_db == expected:
                counts["ok"] += 1
            elif any(
                in_db == _normal(s.snapshot, s.seq, judge.device) for s in mine if s.seq > (newest.seq if newest else 0)
            ):
                counts["unacknowledged"] += 1  # a save the client never heard back about was applied: not lost
            elif any(in_db == _normal(s.snapshot, s.seq, judge.device) for s in mine):
                counts["reordered"] += 1
                details.append(
                    f"sheet {sheet.id}: the database holds seq {in_db[3]}, the newest acknowledged is {expected[3]}"
                )
            else:
                counts["lost"] += 1
                details.append(
                    f"sheet {sheet.id}: database {in_db} differs from the newest acknowledged save {expected}"
                )
            own = [seq for client, seq in history.get(sheet.id, []) if client == judge.device]
            if own != sorted(own):
                counts["history_disorder"] += 1
                details.append(f"sheet {sheet.id}: history sequence numbers out of order {own[:20]}…")
            if len(own) != _history_rows(applied):
                counts["history_mismatch"] += 1
                details.append(
                    f"sheet {sheet.id}: {len(own)} history rows, the applied saves made "
                    f"{_history_rows(applied)} changes"
                )
    counts["details"] = details
    return counts


def report_load(name: str, result: dict, seconds: float) -> bool:
    judges = result["judges"]
    timings = [t for j in judges for t in j.timings]
    sent = [s for j in judges for s in j.sent]
    checks = result["checks"]
    first = min(t[1] for t in timings)
    last = max(t[1] + (t[2] if t[2] == t[2] else 0) for t in timings)
    span = last - first
    saves_ms = sorted(
        t[2] * 1000 for t in timings if t[0] in ("save", "retry", "late", "pair-old", "pair-new") and t[2] == t[2]
    )
    all_ms = sorted(t[2] * 1000 for t in timings if t[2] == t[2])

    def line(label: str, values: list[float]) -> str:
        values = sorted(values)
        if not values:
            return f"    {label:<34} {0:>7}"
        return (
            f"    {label:<34} {len(values):>7} {percentile(values, 50):>7.1f} {percentile(values, 95):>7.1f} "
            f"{percentile(values, 99):>7.1f} {values[-1]:>8.1f}"
        )

    print(
        f"  {len(timings)} requests in {span:.1f} s = {len(timings) / span:.1f} requests/s "
        f"(autosaves {len(saves_ms)} = {len(saves_ms) / span:.1f}/s); {sum(j.taps for j in judges)} taps, "
        f"{sum(j.coalesced for j in judges)} sent together with a later one"
    )
    print(f"    {'latency, ms (client side)':<34} {'count':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>8}")
    labels = {
        "save": "autosave",
        "retry": "retry (same seq)",
        "late": "late older seq",
        "pair-old": "two tabs: older",
        "pair-new": "two tabs: newer",
        "page": "pages (sign-in, home, sheet)",
        "login": "sign-in POST",
    }
    for kind, label in labels.items():
        print(line(label, [t[2] * 1000 for t in timings if t[0] == kind and t[2] == t[2]]))
    print(line("all autosave requests", saves_ms))
    print(line("all requests", all_ms))
    print(line("tap to saved (what the judge waits)", [w * 1000 for j in judges for w in j.tap_waits]))
    server_saves = [ms for method, path, status, ms in result["server_times"] if path.endswith("/save")]
    print(line("autosave, server time (app log)", server_saves))

    statuses: dict[str, int] = {}
    for _kind, _started, _secs, status in timings:
        statuses[f"{status}"] = statuses.get(f"{status}", 0) + 1
    print("    statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    retries = [s for s in sent if s.kind == "retry"]
    lates = [s for s in sent if s.kind == "late"]
    pairs_old = [s for s in sent if s.kind == "pair-old"]
    print(
        f"    retries answered 'duplicate': {sum(1 for s in retries if s.outcome == 'duplicate')}/{len(retries)}; "
        f"late saves refused with 409: {sum(1 for s in lates if s.status == 409)}/{len(lates)}; "
        f"two-tab pairs: {len(pairs_old)} (older one applied first "
        f"{sum(1 for s in pairs_old if s.status == 200)}, refused {sum(1 for s in pairs_old if s.status == 409)})"
    )
    unexpected = [u for j in judges for u in j.unexpected]
    mismatch = sum(1 for s in sent if s.status == 200 and s.outcome == "saved" and s.state.get("seq") != s.seq)
    page_mismatch = sum(j.page_mismatch for j in judges)
    print(
        f"    sheets {checks['sheets']} ({checks['touched']} scored): as last acknowledged {checks['ok']}, "
        f"lost {checks['lost']}, reordered {checks['reordered']}, "
        f"applied without acknowledgement {checks['unacknowledged']}; history rows wrong "
        f"{checks['history_mismatch']}, history out of order {checks['history_disorder']}; "
        f"answers echoing another seq {mismatch}, pages showing another seq {page_mismatch}; unexpected "
        f"answers {len(unexpected)}"
    )
    for text in (checks["details"] + unexpected)[:10]:
        print(f"      ! {text}")
    for text in result["server_errors"][:5]:
        print(f"      server log: {text[:200]}")
    for judge in judges:
        if judge.failure:
            print(judge.failure, file=sys.stderr)
            break

    cpu = result["cpu"]
    other = max(0.0, cpu["machine"] - cpu["server"] - cpu["database"] - cpu["client"])
    capacity = (os.cpu_count() or 1) * result["wall"]
    print(
        f"    CPU over {result['wall']:.0f} s ({capacity:.0f} CPU-s on {os.cpu_count()} cores): gunicorn "
        f"{cpu['server']:.1f}, "
        f"{'PostgreSQL ' + format(cpu['database'], '.1f') + ', ' if cpu['database'] else ''}load generator "
        f"{cpu['client']:.1f}, other processes {other:.1f}"
    )
    if other > max(2.0, 0.05 * capacity):
        print(
            f"    WARNING: other processes used {other:.0f} CPU-s during the run; these figures are slower "
            "than on a quiet machine."
        )

    p95 = percentile(saves_ms, 95)
    bad = checks["lost"] + checks["reordered"] + checks["history_mismatch"] + checks["history_disorder"]
    met = p95 < TARGET_P95_MS and bad == 0 and not unexpected and not mismatch and seconds >= 60
    note = "" if seconds >= 60 else f" — only a {seconds:.0f} s run, the target is for 60 s"
    print(
        f"  Target {'MET' if met else 'NOT MET'} ({name}): autosave p95 {p95:.0f} ms (target < {TARGET_P95_MS} ms), "
        f"{checks['lost']} lost, {checks['reordered']} reordered, {len(unexpected)} unexpected answers{note}"
    )
    if bad:
        print(
            f"  FAILED ({name}): the database does not hold what the judges last sent — see the lines marked !",
            file=sys.stderr,
        )
    return met


# The results page ------------------------------------------------------------------------------


class StatementCounter:
    def __init__(self, engine):
        import sqlalchemy as sa

        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args):
        self.count += 1


def run_results(url: str, workdir: Path, name: str, exhibits: int) -> dict:
    """Build the big festival, then time the results page through gunicorn and festival_results() in-process."""
    from festival.admin.services import get_current_festival
    from festival.core.extensions import db
    from festival.judging import results

    started = time.perf_counter()
    migrate(url)
    app = bench_app(url, workdir)
    data = build_results_data(app, exhibits)
    data["setup_seconds"] = time.perf_counter() - started
    print(
        f"  set-up {data['setup_seconds']:.1f} s (exhibits through the services {data['exhibit_seconds']:.1f} "
        f"s, assign_judges {data['assign_seconds']:.1f} s): "
        f"{data['exhibits']} exhibits in {data['categories']} categories, {data['judges']} judges, "
        f"{data['criteria']} criteria, "
        f"{data['sheets']} submitted sheets, {data['scores']} scores, assignment problems {data['problems']}",
        flush=True,
    )

    with Gunicorn(url, workdir, name + "-results") as server:
        browser = Browser(server.port, timeout=120)
        browser.sign_in("btc@bench.example.vn")
        http_times, size, status = [], 0, 0
        for run in range(2 + RESULTS_RUNS):  # the first request of each of the two workers warms it up
            response = browser.request("GET", "/judging/results")
            status, size = response.status, len(response.body)
            if run >= 2:
                http_times.append(response.seconds)
        page_text = response.body.decode("utf-8", "replace")
    rows_on_page = page_text.count('id="exhibit-')

    in_process, statements = [], 0
    with app.app_context():
        counter = StatementCounter(db.engine)
        for run in range(1 + RESULTS_RUNS):
            db.session.remove()
            festival = get_current_festival()
            counter.count = 0
            started = time.perf_counter()
            blocks = results.festival_results(festival)
            elapsed = time.perf_counter() - started
            ranked = sum(len(b.ranked) for b in blocks)
            db.session.rollback()
            if run:
                in_process.append(elapsed)
                statements = counter.count
        db.session.remove()
        db.engine.dispose()
    return {
        "data": data,
        "http": http_times,
        "status": status,
        "bytes": size,
        "rows": rows_on_page,
        "in_process": in_process,
        "statements": statements,
        "ranked": ranked,
    }


def report_results(name: str, result: dict) -> bool:
    http_median = statistics.median(result["http"])
    own = statistics.median(result["in_process"])
    print(
        f"  GET /judging/results through gunicorn: median {http_median:.3f} s of {len(result['http'])} "
        f"(min {min(result['http']):.3f}, max {max(result['http']):.3f}), HTTP {result['status']}, "
        f"{result['bytes'] / 1e6:.2f} MB, "
        f"{result['rows']} exhibit rows"
    )
    print(
        f"  festival_results() in-process: median {own:.3f} s (min {min(result['in_process']):.3f}, max "
        f"{max(result['in_process']):.3f}), "
        f"{result['statements']} SQL statements, {result['ranked']} exhibits ranked; the rest of the request "
        "(template, session, HTTP) "
        f"≈ {max(0.0, http_median - own):.3f} s"
    )
    met = http_median < TARGET_RESULTS_SECONDS and result["status"] == 200 and result["data"]["exhibits"] >= 1000
    note = (
        ""
        if result["data"]["exhibits"] >= 1000
        else f" — only {result['data']['exhibits']} exhibits, the target is for 1,000"
    )
    print(
        f"  Target {'MET' if met else 'NOT MET'} ({name}): results page {http_median:.2f} s (target < "
        f"{TARGET_RESULTS_SECONDS:.0f} s){note}"
    )
    return met


# Main ------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--judges", type=int, default=60, help="judges saving at once (default 60)")
    parser.add_argument("--seconds", type=float, default=60, help="how long the judges keep scoring (default 60)")
    parser.add_argument("--max-saves", type=int, default=200, help="at most this many saves per judge (default 200)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--pg-url", help="a PostgreSQL server to use (a role that may CREATE DATABASE); default: a throw-away cluster"
    )
    parser.add_argument(
        "--exhibits", type=int, default=1000, help="exhibits in the results-page festival (default 1000)"
    )
    parser.add_argument("--skip-load", action="store_true", help="leave out the autosave run")
    parser.add_argument("--skip-results", action="store_true", help="leave out the results-page timing")
    options = parser.parse_args()
    backends = ["sqlite", "postgresql"] if options.backend == "both" else [options.backend]
    load = os.getloadavg()
    print(
        f"Scoring under load: {options.judges} judges for {options.seconds:.0f} s, gunicorn {WORKERS} sync "
        "workers on loopback, "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}; load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f}"
    )
    print(
        f"Think time U{THINK_SECONDS} s between taps; retries {RETRY_SHARE:.0%}, late older saves "
        f"{LATE_SHARE:.0%}, two-tab pairs {PAIR_SHARE:.0%}"
    )
    verdicts = {}
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        workdir = Path(folder)
        for backend in backends:
            if backend == "sqlite":
                servers = _sqlite(workdir)
            else:
                servers = postgres(options.pg_url)
            with servers as server:
                label = (
                    "SQLite (WAL, file in a temporary folder)"
                    if backend == "sqlite"
                    else f"PostgreSQL ({server.label})"
                )
                if not options.skip_load:
                    print(f"\n== Autosave, {label}", flush=True)
                    result = run_load(server.create("load"), workdir, f"{backend}-load", options, server.pid)
                    verdicts[f"{backend} autosave"] = report_load(backend, result, options.seconds)
                if not options.skip_results:
                    print(f"\n== Results page, {label}", flush=True)
                    result = run_results(server.create("results"), workdir, backend, options.exhibits)
                    verdicts[f"{backend} results"] = report_results(backend, result)
    print()
    for key, met in verdicts.items():
        print(f"{key}: {'MET' if met else 'NOT MET'}")
    return 0 if verdicts and all(verdicts.values()) else 1


class SQLiteFiles:
    """SQLite databases as files in the work folder; the database runs inside the gunicorn workers."""

    pid = None
    label = "SQLite"

    def __init__(self, workdir: Path):
        self.workdir = workdir

    def create(self, suffix: str) -> str:
        return f"sqlite:///{self.workdir / f'{suffix}.db'}"


@contextmanager
def _sqlite(workdir: Path):
    yield SQLiteFiles(workdir)


if __name__ == "__main__":
    sys.exit(main())
