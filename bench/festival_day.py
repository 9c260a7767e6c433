"""The festival's morning at once: judges autosaving, four gates scanning (one offline for a minute),
a 2,000-badge and a 500-certificate print on the task queue, two dashboards refreshing; then the
save capacity beside a minimal Flask write on the same database. On SQLite and PostgreSQL.

    .venv/bin/python bench/festival_day.py [--backend sqlite|postgresql|both] [--seconds 120]
        [--judges 60] [--gates 4] [--offline-seconds 60] [--step-seconds 8] [--pg-url URL] [--skip-capacity]

For each backend: a fresh database (an SQLite file, or a throw-away PostgreSQL cluster as in
load_scoring.py), the real migrations, the demo festival (festival/demo.py) plus 500 accepted
exhibits with awards (their award certificates issued, as bench/certificates.py makes them; the
results are un-finalised again so the judges may score), generated attendees up to 2,000 badges (as
bench/badges.py makes them), and --judges bench judges with four unscored demo sheets each. Then the
Procfile's two processes: `gunicorn --workers 2 --threads 4 --timeout 120` and `flask festival
worker` (Huey's consumer on a SQLite queue file), both with the production configuration.

The morning (--seconds): each judge signs in and changes one thing every U(5, 20) s, sent as
static/js/scoring.js sends it (the whole sheet with the device id and the next sequence number; 5%
sent again as a retry, which must answer "duplicate"), moving to the next sheet every 4-10 changes.
Each gate signs in as the check-in account, keeps the check-in list (GET /checkin/list.json) and
POSTs a scan every U(1, 2) s to /checkin/scan with a fresh nonce as static/js/scanner.js does (5% sent
again with the same nonce, which must get the first answer). Gate 1 loses the network for
--offline-seconds in the middle: it decides those scans itself from its list and its own arrivals,
queues them with their nonces and uploads them to /checkin/sync when it is back. An organizer
starts the badge print (all, A4) 15 s in and the award-certificate print 30 s in through their
forms, and follows each job's page until it says done. Two organizers refresh the check-in
dashboard and the judging control board every 5 s.

Checks afterwards, against the database: every scan nonce the gates sent (answered or uploaded)
is recorded exactly once, no other scans exist; every sheet holds its judge's newest acknowledged
snapshot (load_scoring.verify); both prints done, with the number of pages expected.

Capacity: saves per second at p95 < 150 ms. Open-loop steps of --step-seconds at rising rates,
each request a new snapshot of one of the judges' sheets (one in flight per sheet), latency from
the moment it was due; the ramp stops when the p95 crosses 150 ms. The same ramp against a minimal
Flask app (one UPDATE of one row in a transaction, JSON in and out) served by the same gunicorn
settings on the same database, in the same run: the ratio of the two holds on any machine.
"""

import argparse
import concurrent.futures
import hashlib
import math
import os
import queue as queue_module
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from badges import people
from certificates import ISSUED_ON, SIGNATORY, TOP_TIERS, exhibit_rows
from load_scoring import (
    PASSWORD,
    ROOT,
    TARGET_P95_MS,
    Browser,
    Gunicorn,
    Judge,
    _add_judges,
    _sqlite,
    bench_app,
    busy_cpu_seconds,
    migrate,
    own_cpu_seconds,
    percentile,
    postgres,
    tree_cpu_seconds,
    verify,
)

BADGES, CERTIFICATES = 2000, 500
SHEETS_EACH = 4
PACE_SECONDS = (5.0, 20.0)  # between two changes of one judge
CHANGES_PER_SHEET = (4, 10)
SCAN_SECONDS = (1.0, 2.0)  # between two scans at one gate
SAVE_RETRY_SHARE = SCAN_RETRY_SHARE = 0.05
DASHBOARD_SECONDS = 5.0
BADGE_PRINT_AT, CERTIFICATE_PRINT_AT = 15.0, 30.0
PRINT_POLL_SECONDS = 1.0
PRINT_WAIT_SECONDS = 900
PROCFILE_OPTIONS = ("--threads", "4", "--timeout", "120", "--no-control-socket")  # the Procfile web line (--workers 2)
RATES = (10, 20, 30, 45, 60, 80, 100, 125, 150, 180, 220, 270, 330, 400, 500, 600, 750, 900, 1100, 1350, 1650, 2000)
CAPACITY_THREADS = 96


def tracebacks(path: Path) -> list[str]:
    """Each traceback in a log as its first line of context and its exception line."""
    found, inside, first = [], False, ""
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("Traceback"):
            inside, first = True, ""
        elif inside and line.startswith("  File") and "/festival/" in line:
            first = line.strip()
        elif inside and not line.startswith(" "):
            found.append(f"{line.strip()[:160]} ({first[-120:]})")
            inside = False
    return found


def _ms(values) -> list[float]:
    return sorted(v * 1000 for v in values)


def quantiles(values_ms: list[float]) -> str:
    if not values_ms:
        return "none"
    return (
        f"{len(values_ms)} requests, p50 {percentile(values_ms, 50):.0f} ms, p95 {percentile(values_ms, 95):.0f} ms, "
        f"p99 {percentile(values_ms, 99):.0f} ms, max {values_ms[-1]:.0f} ms"
    )


# Data --------------------------------------------------------------------------------------------


def build_day_data(app, judges: int) -> dict:
    """The demo festival, 500 awarded exhibits with certificates, 2,000 badges, bench judges with sheets."""
    from festival import demo
    from festival.admin.services import get_current_festival
    from festival.auth import services as accounts
    from festival.badges import services as badge_services
    from festival.certificates import services as certificate_services
    from festival.core.extensions import db
    from festival.judging import rubrics
    from festival.judging.policy import policy_for
    from festival.models import (
        Author,
        Award,
        AwardTier,
        CertificateKind,
        Exhibit,
        ExhibitStatus,
        JudgingRound,
        ScoreSheet,
        Unit,
        User,
        utcnow,
    )

    with app.app_context():
        demo.load_demo(date.today())
        db.session.flush()
        festival = get_current_festival()
        # The demo's judging window is the festival day's hours: open it around now, whatever the hour the bench
        # runs at (a round with its own window follows the festival's).
        now = utcnow()
        festival.judging_opens_at, festival.judging_closes_at = now - timedelta(hours=1), now + timedelta(days=1)
        db.session.execute(
            db.update(JudgingRound).where(JudgingRound.festival_id == festival.id).values(opens_at=None, closes_at=None)
        )
        units = {u.code: u for u in db.session.execute(db.select(Unit)).scalars()}
        demo_exhibits = list(
            db.session.execute(
                db.select(Exhibit)
                .where(Exhibit.festival_id == festival.id, Exhibit.status == ExhibitStatus.ACCEPTED)
                .order_by(Exhibit.id)
            ).scalars()
        )
        categories = {e.category.code: e.category for e in demo_exhibits}

        # 500 more exhibits with an award each, made directly as bench/certificates.py makes them.
        made, numbers = [], dict.fromkeys(categories, 100)
        for index, row in enumerate(exhibit_rows(CERTIFICATES)):
            numbers[row["category_code"]] += 1
            number = numbers[row["category_code"]]
            made.append(
                Exhibit(
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
                    booth=f"B{index + 1:03d}",
                    authors=[Author(position=0, full_name=row["author"])],
                )
            )
        db.session.add_all(made)
        db.session.flush()
        ranked = made[:]
        random.Random(3).shuffle(ranked)
        tiers = [AwardTier[name] for name, how_many in TOP_TIERS for _ in range(how_many)]
        tiers += [AwardTier.HONOURABLE] * (len(ranked) - len(tiers))
        db.session.add_all(
            Award(festival=festival, exhibit=e, tier=t, rank=r, score=Decimal(95) - Decimal(r) / 10)
            for r, (e, t) in enumerate(zip(ranked, tiers), start=1)
        )
        policy = policy_for(festival)
        policy.finalised_at = utcnow()
        certificate_services.template_for(festival, CertificateKind.AWARD).signatory_name = SIGNATORY
        issued = certificate_services.issue(festival, CertificateKind.AWARD, ISSUED_ON, by=None)
        policy.finalised_at = None  # the certificates stay issued; the judges must still be able to score
        db.session.flush()

        # Attendees up to 2,000 badges, the demo's 420 first.
        have = len(badge_services.for_printing(festival))
        roles = badge_services.badge_roles(festival)
        extra = people(have + max(0, BADGES - have))[have:]
        for person in extra:
            badge_services.add_attendee(
                festival,
                badge_services.AttendeeInput(
                    full_name=person["full_name"],
                    role=badge_services.role_from_text(roles, person["role"]),
                    unit=units[person["unit_code"]],
                    email=person["email"],
                    phone=person["phone"],
                ),
                by=None,
            )
        db.session.flush()

        # Bench judges, each with four demo sheets no one has scored (not of their own unit).
        bench_judges = _add_judges(judges, list(units.values()), "benchjudge")
        for i, judge in enumerate(bench_judges):
            chosen, step = [], 0
            while len(chosen) < SHEETS_EACH:
                exhibit = demo_exhibits[(i * 7 + step) % len(demo_exhibits)]
                step += 1
                if exhibit.unit_id != judge.unit_id and exhibit not in chosen:
                    chosen.append(exhibit)
            db.session.add_all(ScoreSheet(exhibit=e, judge=judge) for e in chosen)
        for user in db.session.execute(db.select(User)).scalars():
            accounts.set_password(user, PASSWORD)
        db.session.commit()

        rubric = rubrics.own_rubric(festival, None)
        criteria = [
            {"id": c.id, "kind": c.kind.value, "max": c.max_points, "levels": [lv.points for lv in c.levels]}
            for c in rubric.criteria
        ]
        sheets = {
            j.email: [
                s.id for s in db.session.execute(db.select(ScoreSheet).where(ScoreSheet.judge_id == j.id)).scalars()
            ]
            for j in bench_judges
        }
        tokens = [a.badge_token for a in badge_services.for_printing(festival)]
        data = {
            "criteria": criteria,
            "judges": [{"email": email, "sheets": ids} for email, ids in sheets.items()],
            "tokens": tokens,
            "badges": len(tokens),
            "certificates": len(certificate_services.for_printing(festival, kind=CertificateKind.AWARD)),
            "issued": issued.added,
            "exhibits": len(demo_exhibits) + len(made),
        }
        db.session.remove()
        db.engine.dispose()
    return data


# The people of the morning -------------------------------------------------------------------------


class PacedJudge(Judge):
    """A judge at a person's pace: one change every U(5, 20) s, sent at once (scoring.js)."""

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
        current = 0
        while True:
            sheet = self.sheets[current % len(self.sheets)]
            self._open(sheet)
            for _ in range(self.rng.randint(*CHANGES_PER_SHEET)):
                next_change = time.perf_counter() + self.rng.uniform(*PACE_SECONDS)
                if next_change >= self.stop_at:
                    return
                self._sleep_until(next_change)
                self._tap(sheet)
                record = self._send_newest(sheet, time.perf_counter())
                if record.status == 200 and self.rng.random() < SAVE_RETRY_SHARE:
                    self._expect(self._save("retry", sheet, record.seq, record.snapshot), {(200, "duplicate")})
            current += 1


class Gate(threading.Thread):
    """A gate's tablet: scans with nonces, retries with the same nonce, a spell offline with a queue."""

    def __init__(self, index, port, tokens, base_url, start_at, stop_at, offline: tuple[float, float] | None, seed):
        super().__init__(name=f"gate-{index}", daemon=True)
        self.gate = f"Cổng {index + 1}"
        self.port, self.tokens, self.base_url = port, tokens, base_url
        self.start_at, self.stop_at, self.offline = start_at, stop_at, offline
        self.rng = random.Random(seed)
        self.browser = Browser(port)
        self.timings: list[tuple[str, float, float, int | str]] = []  # (kind, started, seconds, status)
        self.nonces: list[str] = []  # every nonce that reached the server (answered or uploaded)
        self.queued: list[dict] = []
        self.uploaded = 0
        self.unexpected: list[str] = []
        self.failure = ""
        self.admitted: set[int] = set()
        self.people: dict[str, dict] = {}
        self.list_token = ""

    def _post(self, kind, path, payload):
        started = time.perf_counter()
        try:
            response = self.browser.request("POST", path, payload=payload)
        except OSError as error:
            self.timings.append((kind, started, float("nan"), type(error).__name__))
            return None
        self.timings.append((kind, started, response.seconds, response.status))
        return response

    def _scan_online(self, code: str):
        body = {"code": code, "gate": self.gate, "nonce": secrets.token_urlsafe(12)}
        response = self._post("scan", "/checkin/scan", body)
        if response is None or response.status != 200 or "result" not in response.json():
            self.unexpected.append(f"scan: {response.status if response else 'no answer'}")
            return
        self.nonces.append(body["nonce"])
        if self.rng.random() < SCAN_RETRY_SHARE:
            again = self._post("scan-retry", "/checkin/scan", body)
            if again is None or again.status != 200 or again.json().get("result") != response.json()["result"]:
                got = again.status if again else "no answer"
                self.unexpected.append(f"scan retry: {got}, not the first answer {response.json()['result']}")

    def _scan_offline(self, token: str):
        """Decided here from the check-in list, as scanner.js's decideHere does, and queued."""
        person = self.people.get(hashlib.sha256(token.encode()).hexdigest())
        shown = "unknown"
        if person:
            shown = "already" if person.get("checked_in_at") or person["id"] in self.admitted else "checked_in"
            self.admitted.add(person["id"])
        self.queued.append(
            {
                "nonce": secrets.token_urlsafe(12),
                "code": f"{self.base_url}/c/{token}",
                "attendee_id": None,
                "gate": self.gate,
                "shown": shown,
                "list": self.list_token,  # as scanner.js: the token of the list the scan was decided from
                "scanned_at": datetime.now(timezone.utc).isoformat(),
            }
        )

    def _upload(self):
        response = self._post("sync", "/checkin/sync", {"scans": self.queued})
        if response is None or response.status != 200:
            self.unexpected.append(f"sync: {response.status if response else 'no answer'}")
            return
        recorded = {r["nonce"] for r in response.json().get("recorded", [])}
        sent = {s["nonce"] for s in self.queued}
        if recorded != sent:
            self.unexpected.append(f"sync recorded {len(recorded)} of {len(sent)} scans")
        self.nonces += [s["nonce"] for s in self.queued]
        self.uploaded = len(self.queued)
        self.queued = []

    def run(self):
        try:
            self._run()
        except Exception as error:
            import traceback

            self.failure = traceback.format_exc()
            self.unexpected.append(f"gate crashed: {error!r}")

    def _run(self):
        time.sleep(max(0.0, self.start_at - time.perf_counter()))
        page, answer = self.browser.sign_in("checkin@festival.example.vn")
        if answer.status != 302:
            self.unexpected.append(f"gate sign-in answered {answer.status}")
            return
        self.browser.request("GET", "/checkin/")  # the scanner page, for its CSRF token
        listing = self.browser.request("GET", "/checkin/list.json")
        self.people = {p["h"]: p for p in listing.json().get("people", [])}
        self.list_token = listing.json().get("token", "")
        while True:
            moment = time.perf_counter() + self.rng.uniform(*SCAN_SECONDS)
            if moment >= self.stop_at:
                break
            time.sleep(max(0.0, moment - time.perf_counter()))
            token = self.rng.choice(self.tokens)
            now = time.perf_counter()
            if self.offline and self.offline[0] <= now < self.offline[1]:
                self._scan_offline(token)
                continue
            if self.queued:
                self._upload()
            self._scan_online(f"{self.base_url}/c/{token}")
        if self.queued:
            self._upload()


class Dashboard(threading.Thread):
    def __init__(self, name, port, path, stop_at):
        super().__init__(name=name, daemon=True)
        self.port, self.path, self.stop_at = port, path, stop_at
        self.browser = Browser(port)
        self.timings: list[tuple[float, int | str]] = []

    def run(self):
        self.browser.sign_in("btc@festival.example.vn")
        while time.perf_counter() + DASHBOARD_SECONDS < self.stop_at:
            time.sleep(DASHBOARD_SECONDS)
            try:
                response = self.browser.request("GET", self.path)
                self.timings.append((response.seconds, response.status))
            except OSError as error:
                self.timings.append((float("nan"), type(error).__name__))


JOB_ID = re.compile(r"/admin/jobs/(\d+)")


class Organizer(threading.Thread):
    """Starts a print through its form and follows the job's page until it is done."""

    def __init__(self, port, form_path, form, start_at):
        super().__init__(name=f"print {form_path}", daemon=True)
        self.port, self.form_path, self.form, self.start_at = port, form_path, form, start_at
        self.browser = Browser(port, timeout=120)
        self.job_id = None
        self.seconds = float("nan")
        self.window = (math.inf, math.inf)  # when the print ran (perf_counter): from its form's POST to done
        self.outcome = "not started"
        self.polls = 0
        self.poll_times: list[float] = []

    def run(self):
        try:
            self._run()
        except Exception as error:
            self.outcome = f"crashed: {error!r}"

    def _run(self):
        self.browser.sign_in("btc@festival.example.vn")
        self.browser.request("GET", self.form_path)
        time.sleep(max(0.0, self.start_at - time.perf_counter()))
        started = time.perf_counter()
        answer = self.browser.request("POST", self.form_path, form={**self.form, "csrf_token": self.browser.csrf})
        match = JOB_ID.search(answer.location)
        if answer.status != 302 or not match:
            self.outcome = f"the form answered {answer.status} {answer.location}"
            return
        self.job_id = int(match[1])
        self.outcome = "waiting"
        while time.perf_counter() - started < PRINT_WAIT_SECONDS:
            page = self.browser.request("GET", f"/admin/jobs/{self.job_id}")
            self.polls += 1
            self.poll_times.append(page.seconds)
            text = page.body.decode("utf-8", "replace")
            if f"/admin/jobs/{self.job_id}/download" in text:
                self.seconds, self.outcome = time.perf_counter() - started, "done"
                self.window = (started, started + self.seconds)
                return
            if "/retry" in text or page.status != 200:
                self.seconds, self.outcome = time.perf_counter() - started, f"failed (HTTP {page.status})"
                return
            time.sleep(PRINT_POLL_SECONDS)
        self.outcome = "still not done"


# The two processes of the Procfile -----------------------------------------------------------------


class Consumer:
    """`flask festival worker` beside gunicorn, with the same environment."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log_path = env, log
        self.process = None

    def __enter__(self):
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "festival", "worker"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        return self

    def cpu_seconds(self) -> float:
        return tree_cpu_seconds(self.process.pid)

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def check_scans(app, gates: list[Gate]) -> dict:
    """Every nonce the gates got through recorded exactly once, and no scan the gates did not make."""
    import sqlalchemy as sa

    from festival.core.extensions import db
    from festival.models import CheckIn

    with app.app_context():
        counts = dict(db.session.execute(sa.select(CheckIn.nonce, sa.func.count()).group_by(CheckIn.nonce)).all())
        offline = db.session.execute(sa.select(sa.func.count()).where(CheckIn.offline.is_(True))).scalar_one()
        db.session.remove()
        db.engine.dispose()
    sent = [n for g in gates for n in g.nonces]
    return {
        "sent": len(sent),
        "distinct": len(set(sent)),
        "lost": sum(1 for n in set(sent) if n not in counts),
        "doubled": sum(1 for n in set(sent) if counts.get(n, 0) > 1),
        "extra": len(set(counts) - set(sent)),
        "offline_rows": offline,
    }


def check_prints(app, organizers: list["Organizer"]) -> list[str]:
    from festival.core import jobs, storage
    from festival.core.extensions import db
    from festival.models import PrintJob

    lines = []
    with app.app_context():
        for organizer in organizers:
            if organizer.job_id is None:
                continue
            job = db.session.get(PrintJob, organizer.job_id)
            key, prints = jobs.output_key(job), storage.store("prints")
            size = prints.stat(key).size / 1e6 if key and prints.exists(key) else 0
            worked = (job.finished_at - job.started_at).total_seconds() if job.finished_at and job.started_at else 0
            waited = (job.started_at - job.created_at).total_seconds() if job.started_at else 0
            lines.append(
                f"{job.kind}: {job.status.value}, {job.done}/{job.total}, {size:.1f} MB; queued {waited:.1f} s, "
                f"rendering {worked:.1f} s (job row){'; ' + job.error if job.error else ''}"
            )
        db.session.remove()
        db.engine.dispose()
    return lines


def run_morning(url: str, workdir: Path, name: str, options, db_pid) -> dict:
    started = time.perf_counter()
    migrate(url)
    app = bench_app(url, workdir)
    data = build_day_data(app, options.judges)
    print(
        f"  set-up {time.perf_counter() - started:.0f} s: demo festival + {data['exhibits']} accepted exhibits, "
        f"{data['badges']} badges, {data['certificates']} award certificates ({data['issued']} issued), "
        f"{len(data['judges'])} bench judges with {sum(len(j['sheets']) for j in data['judges'])} sheets",
        flush=True,
    )
    os.environ["QUEUE_URL"] = f"sqlite:///{workdir / f'queue-{name}.db'}"
    server = Gunicorn(url, workdir, name, options=PROCFILE_OPTIONS)
    result = {"data": data}
    with server, Consumer(server.environment(), workdir / f"worker-{name}.log") as consumer:
        time.sleep(2.0)  # the consumer builds its app and warms its PDF workers
        base = time.perf_counter()
        stop_at = base + options.seconds
        half = options.seconds / 2
        offline = (base + half - options.offline_seconds / 2, base + half + options.offline_seconds / 2)
        judges = [
            PacedJudge(
                i,
                j["email"],
                j["sheets"],
                data["criteria"],
                server.port,
                base + 5.0 * i / len(data["judges"]),
                stop_at,
                10**6,
                seed=2000 + i,
            )
            for i, j in enumerate(data["judges"])
        ]
        base_url = f"http://127.0.0.1:{server.port}"
        gates = [
            Gate(i, server.port, data["tokens"], base_url, base + 0.5 * i, stop_at, offline if i == 0 else None, 50 + i)
            for i in range(options.gates)
        ]
        dashboards = [
            Dashboard("check-in dashboard", server.port, "/checkin/dashboard", stop_at),
            Dashboard("control board", server.port, "/judging/control/board", stop_at),
        ]
        organizers = [
            Organizer(
                server.port,
                "/attendees/print",
                {"layout": "a4", "unit_id": "0", "role_id": "0", "confirm_address": "y"},
                base + BADGE_PRINT_AT,
            ),
            Organizer(
                server.port,
                "/certificates/print",
                {"kind": "award", "unit_id": "0", "confirm_address": "y"},
                base + CERTIFICATE_PRINT_AT,
            ),
        ]
        everyone = judges + gates + dashboards + organizers
        cpu0 = (
            server.cpu_seconds(),
            consumer.cpu_seconds(),
            tree_cpu_seconds(db_pid),
            own_cpu_seconds(),
            busy_cpu_seconds(),
        )
        for person in everyone:
            person.start()
        next_report = base + 30
        while any(p.is_alive() for p in judges + gates + organizers):
            time.sleep(0.5)
            if time.perf_counter() >= next_report:
                states = ", ".join(f"{o.name.split('/')[1]} {o.outcome}" for o in organizers)
                saves = sum(len(j.sent) for j in judges)
                scans = sum(len(g.timings) for g in gates)
                print(f"    {time.perf_counter() - base:5.0f} s: {saves} saves, {scans} scans; {states}", flush=True)
                next_report += 30
        for person in everyone:
            person.join()
        wall = time.perf_counter() - base
        cpu1 = (
            server.cpu_seconds(),
            consumer.cpu_seconds(),
            tree_cpu_seconds(db_pid),
            own_cpu_seconds(),
            busy_cpu_seconds(),
        )
        result["cpu"] = dict(
            zip(("server", "consumer", "database", "client", "machine"), (b - a for a, b in zip(cpu0, cpu1)))
        )
        result["wall"] = wall
        if not options.skip_capacity:
            result["capacity_app"] = ramp(app_requests(judges, server.port), options.step_seconds)
    result["server_errors"] = tracebacks(server.log_path)
    result["worker_errors"] = tracebacks(workdir / f"worker-{name}.log")
    if not options.skip_capacity:
        result["capacity_minimal"] = capacity_minimal(url, workdir, name, options.step_seconds)
    result.update(judges=judges, gates=gates, dashboards=dashboards, organizers=organizers)
    result["saves"] = verify(app, judges)
    result["scans"] = check_scans(app, gates)
    result["prints"] = check_prints(app, organizers)
    return result


# Capacity ------------------------------------------------------------------------------------------


def ramp(send, step_seconds: float) -> list[dict]:
    """Open-loop steps at rising rates until the p95 (from when each request was due) passes the target."""
    steps = []
    with concurrent.futures.ThreadPoolExecutor(CAPACITY_THREADS) as pool:
        for rate in RATES:
            due = [i / rate for i in range(int(rate * step_seconds))]
            begin = time.perf_counter() + 0.2
            futures = []
            for offset in due:
                moment = begin + offset
                time.sleep(max(0.0, moment - time.perf_counter()))
                futures.append(pool.submit(send, moment))
            outcomes = [f.result() for f in futures]
            span = max(end for _, end, _ in outcomes) - begin
            latencies = sorted((end - moment) * 1000 for moment, end, _ in outcomes)
            errors = sum(1 for _, _, ok in outcomes if ok is not True)
            kinds = sorted({str(ok) for _, _, ok in outcomes if ok is not True})
            step = {
                "rate": rate,
                "achieved": len(outcomes) / span,
                "p50": percentile(latencies, 50),
                "p95": percentile(latencies, 95),
                "errors": errors,
            }
            steps.append(step)
            print(
                f"      {rate:>4}/s asked: {step['achieved']:6.1f}/s done, p50 {step['p50']:6.0f} ms, "
                f"p95 {step['p95']:6.0f} ms, errors {errors}{' ' + ', '.join(kinds[:3]) if kinds else ''}",
                flush=True,
            )
            if step["p95"] >= TARGET_P95_MS or errors:
                break
            time.sleep(1.0)
    return steps


def capacity(steps: list[dict]) -> float:
    """The highest rate served with p95 under the target, no errors, and at least 90% of the asked rate."""
    good = [
        s["achieved"]
        for s in steps
        if s["p95"] < TARGET_P95_MS and not s["errors"] and s["achieved"] >= 0.9 * s["rate"]
    ]
    return max(good, default=0.0)


def app_requests(judges: list[Judge], port: int):
    """Saves by the judges' signed-in browsers, one in flight per sheet (a free sheet is waited for)."""
    free: queue_module.Queue = queue_module.Queue()
    for judge in judges:
        for sheet in judge.sheets:
            free.put((judge, sheet))

    def send(moment: float):
        judge, sheet = free.get()
        try:
            judge._tap(sheet)
            record = judge._save("capacity", sheet, sheet.seq, sheet.snapshot())
            ok = record.status == 200 and record.outcome == "saved"
            return moment, time.perf_counter(), True if ok else f"{record.status} {record.outcome}"
        finally:
            free.put((judge, sheet))

    return send


def minimal_app():
    """A Flask app that does only the write: one UPDATE of one row in a transaction (gunicorn loads it)."""
    import sqlalchemy as sa
    from flask import Flask, jsonify, request

    import festival.core.extensions  # noqa: F401 — the app's SQLite settings (WAL, busy timeout, BEGIN IMMEDIATE)

    engine = sa.create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
    app = Flask("minimal")
    statement = sa.text("UPDATE bench_rows SET body = :body, seq = :seq WHERE id = :id")

    @app.get("/healthz")
    def healthz():
        return "ok"

    @app.post("/write/<int:row>")
    def write(row):
        data = request.get_json()
        with engine.begin() as connection:
            connection.execute(statement, {"body": str(data), "seq": data["seq"], "id": row})
        return jsonify(status="saved", seq=data["seq"])

    return app


def capacity_minimal(url: str, workdir: Path, name: str, step_seconds: float) -> list[dict]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, body TEXT, seq INTEGER)"))
        connection.execute(
            sa.text("INSERT INTO bench_rows (id, body, seq) VALUES (:id, '', 0)"), [{"id": i} for i in range(1, 241)]
        )
    engine.dispose()
    options = PROCFILE_OPTIONS + ("--pythonpath", str(ROOT / "bench"))
    server = Gunicorn(url, workdir, name + "-minimal", options=options, app="festival_day:minimal_app()")
    free: queue_module.Queue = queue_module.Queue()
    for i in range(1, 241):
        free.put([i, 0, Browser(server.port)])
    payload = {"client_id": uuid.uuid4().hex, "points": {"1": "10", "2": "5"}, "answers": {"5": True}, "comment": ""}

    def send(moment: float):
        slot = free.get()
        try:
            slot[1] += 1
            response = slot[2].request("POST", f"/write/{slot[0]}", payload={**payload, "seq": slot[1]})
            return moment, time.perf_counter(), True if response.status == 200 else response.status
        except OSError as error:
            return moment, time.perf_counter(), type(error).__name__
        finally:
            free.put(slot)

    with server:
        for item in list(free.queue):
            item[2].port = server.port
        time.sleep(1.0)
        return ramp(send, step_seconds)


# Report --------------------------------------------------------------------------------------------


def report(name: str, result: dict, options) -> bool:
    judges, gates = result["judges"], result["gates"]
    saves = _ms(s for j in judges for kind, _, s, status in j.timings if kind in ("save", "retry") and s == s)
    scans = _ms(s for g in gates for kind, _, s, status in g.timings if kind in ("scan", "scan-retry") and s == s)
    syncs = _ms(s for g in gates for kind, _, s, status in g.timings if kind == "sync" and s == s)
    morning_saves = [t for j in judges for t in j.timings if t[0] in ("save", "retry")]
    save_errors = sum(1 for t in morning_saves if t[3] != 200) + sum(len(j.unexpected) for j in judges)
    scan_errors = sum(1 for g in gates for t in g.timings if t[3] != 200)
    unexpected = [u for j in judges for u in j.unexpected] + [u for g in gates for u in g.unexpected]
    dash_errors = sum(1 for d in result["dashboards"] for _, status in d.timings if status != 200)
    print(f"  saves:  {quantiles(saves)}")
    print(
        f"  scans:  {quantiles(scans)}; offline upload(s): {quantiles(syncs)}, "
        f"{sum(g.uploaded for g in gates)} scans uploaded"
    )
    print(f"  {prints_beside_none(judges, gates, result['organizers'])}")
    for dashboard in result["dashboards"]:
        print(f"  {dashboard.name}: {quantiles(_ms(s for s, _ in dashboard.timings if s == s))}")
    for organizer in result["organizers"]:
        polls = _ms(organizer.poll_times)
        print(
            f"  print {organizer.form_path}: {organizer.outcome} in {organizer.seconds:.1f} s "
            f"(job page polled {organizer.polls}×, p95 {percentile(polls, 95):.0f} ms)"
        )
    for line in result["prints"]:
        print(f"    {line}")
    checks, scan_checks = result["saves"], result["scans"]
    print(
        f"  sheets {checks['sheets']} ({checks['touched']} scored): as last acknowledged {checks['ok']}, lost "
        f"{checks['lost']}, reordered {checks['reordered']}, history wrong {checks['history_mismatch']}"
    )
    print(
        f"  scans sent {scan_checks['sent']} ({scan_checks['distinct']} nonces): lost {scan_checks['lost']}, "
        f"doubled {scan_checks['doubled']}, not ours {scan_checks['extra']}; offline rows {scan_checks['offline_rows']}"
    )
    print(f"  errors: saves {save_errors}, scans {scan_errors}, dashboards {dash_errors}")
    for text in (checks["details"] + unexpected)[:10]:
        print(f"    ! {text}")
    for text in result["server_errors"][:6]:
        print(f"    gunicorn log: {text}")
    for text in result["worker_errors"][:6]:
        print(f"    worker log: {text}")
    for person in judges + gates:
        if person.failure:
            print(person.failure, file=sys.stderr)
            break
    cpu = result["cpu"]
    other = max(0.0, cpu["machine"] - cpu["server"] - cpu["consumer"] - cpu["database"] - cpu["client"])
    print(
        f"  CPU over {result['wall']:.0f} s ({(os.cpu_count() or 1) * result['wall']:.0f} CPU-s on {os.cpu_count()} "
        f"cores): gunicorn {cpu['server']:.0f}, worker (prints) {cpu['consumer']:.0f}, "
        f"{'PostgreSQL ' + format(cpu['database'], '.0f') + ', ' if cpu['database'] else ''}"
        f"load generator {cpu['client']:.0f}, other processes {other:.0f}"
    )
    if "capacity_app" in result:
        app_rate, minimal_rate = capacity(result["capacity_app"]), capacity(result["capacity_minimal"])
        ratio = app_rate / minimal_rate if minimal_rate else float("nan")
        last = result["capacity_minimal"][-1] if result["capacity_minimal"] else None
        crossed = last is not None and (last["p95"] >= TARGET_P95_MS or last["errors"])
        print(
            f"  capacity at p95 < {TARGET_P95_MS} ms: autosave {app_rate:.0f}/s, minimal Flask UPDATE "
            f"{minimal_rate:.0f}/s{'' if crossed else ' (its ramp ended before crossing: a lower bound)'}, "
            f"ratio {ratio:.2f} (target ≥ 0.35; steps of {options.step_seconds:.0f} s; the autosave ramp ran with "
            f"the print worker idle)"
        )
    bad = checks["lost"] + checks["reordered"] + scan_checks["lost"] + scan_checks["doubled"] + scan_checks["extra"]
    errors = save_errors + scan_errors + dash_errors
    met = (
        percentile(saves, 95) < TARGET_P95_MS
        and percentile(scans, 95) < TARGET_P95_MS
        and not bad
        and not errors
        and all(o.outcome == "done" for o in result["organizers"])
    )
    print(
        f"  Target {'MET' if met else 'NOT MET'} ({name}): save p95 {percentile(saves, 95):.0f} ms, scan p95 "
        f"{percentile(scans, 95):.0f} ms (< {TARGET_P95_MS}), {errors} errors, {bad} lost or doubled"
    )
    return met


def prints_beside_none(judges, gates, organizers) -> str:
    """Saves' and scans' p95 while a print ran beside their p95 while none did, from the same morning."""
    windows = [o.window for o in organizers]

    def split(timings):
        during, without = [], []
        for started, seconds in timings:
            (during if any(a <= started < b for a, b in windows) else without).append(seconds * 1000)
        return sorted(during), sorted(without)

    parts = []
    for name, timings in (
        ("saves", [(t[1], t[2]) for j in judges for t in j.timings if t[0] in ("save", "retry") and t[2] == t[2]]),
        ("scans", [(t[1], t[2]) for g in gates for t in g.timings if t[0] in ("scan", "scan-retry") and t[2] == t[2]]),
    ):
        during, without = split(timings)
        ratio = percentile(during, 95) / percentile(without, 95) if without else math.nan
        parts.append(
            f"{name} p95 {percentile(during, 95):.0f} ms ({len(during)}) / {percentile(without, 95):.0f} ms "
            f"({len(without)}) = {ratio:.2f}×"
        )
    return f"while a print ran / while none ran: {'; '.join(parts)} (target ≤ 1.5×)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=120, help="how long the morning runs (default 120)")
    parser.add_argument("--judges", type=int, default=60)
    parser.add_argument("--gates", type=int, default=4)
    parser.add_argument("--offline-seconds", type=float, default=60, help="gate 1 offline this long in the middle")
    parser.add_argument("--step-seconds", type=float, default=8, help="each capacity step lasts this long")
    parser.add_argument("--pg-url", help="a PostgreSQL server to use (may CREATE DATABASE); default a throw-away one")
    parser.add_argument("--skip-capacity", action="store_true")
    options = parser.parse_args()
    load = os.getloadavg()
    print(
        f"A festival morning: {options.judges} judges, {options.gates} gates (one offline "
        f"{options.offline_seconds:.0f} s), a {BADGES}-badge and a {CERTIFICATES}-certificate print, two dashboards, "
        f"for {options.seconds:.0f} s; gunicorn --workers 2 {' '.join(PROCFILE_OPTIONS)} + flask festival worker; "
        f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        flush=True,
    )
    verdicts = {}
    backends = ["sqlite", "postgresql"] if options.backend == "both" else [options.backend]
    with tempfile.TemporaryDirectory(prefix="bench-day-") as folder:
        workdir = Path(folder)
        for backend in backends:
            servers = _sqlite(workdir) if backend == "sqlite" else postgres(options.pg_url)
            with servers as server:
                print(f"\n== {backend}{'' if backend == 'sqlite' else ' (' + server.label + ')'}", flush=True)
                result = run_morning(server.create("day"), workdir, backend, options, server.pid)
                verdicts[backend] = report(backend, result, options)
    print()
    for key, met in verdicts.items():
        print(f"{key}: {'MET' if met else 'NOT MET'}")
    return 0 if verdicts and all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
