"""A gate's long offline queue uploaded while judges autosave and other gates scan: the saves' and
scans' p95 during the upload beside their p95 without it, on SQLite through gunicorn.

    .venv/bin/python bench/offline_upload.py [--judges 30] [--gates 2] [--scans 5000] [--seconds 90]
        [--upload-at 30] [--chunks 50,200,100000]

Data: festival_day.py's (the demo festival, 500 more awarded exhibits, 2,000 badges, --judges bench
judges with four unscored sheets each), on an SQLite file with the real migrations. Then
`gunicorn --workers 2 --threads 4` (the Procfile's web line) with the production configuration, once
per value of --chunks (CHECKIN_UPLOAD_CHUNK: scans written per transaction; 100000 puts the whole queue
in one transaction, as before it was split), each on a fresh copy of the database.

Each run (--seconds): the judges change one thing every U(1, 3) s and save it as scoring.js does; the
--gates online gates POST a scan every U(0.5, 1.5) s to /checkin/scan; an offline gate fetches the
check-in list at the start and, --upload-at seconds in, uploads --scans queued scans (badges drawn at
random, dated between its list and now, with the list's token) to /checkin/sync in one request. A save
or scan counts as "during" when it started while the upload was being answered, "quiet" when it
started before the upload or more than 2 s after it. Printed: p50/p95/max of each, the ratio of the
p95s, the upload's own time, and errors (a 500 or 503 is an error; "database is locked" is one).
"""

import argparse
import math
import os
import random
import secrets
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from festival_day import PROCFILE_OPTIONS, build_day_data
from load_scoring import (
    Browser,
    Gunicorn,
    Judge,
    bench_app,
    migrate,
    percentile,
)

PACE_SECONDS = (1.0, 3.0)  # between two changes of one judge: busier than a person, to have samples
SCAN_SECONDS = (0.5, 1.5)
GATE_EMAIL = "checkin@festival.example.vn"  # the demo's check-in account
QUIET_AFTER_SECONDS = 2.0


class PacedJudge(Judge):
    """A judge changing one thing every U(1, 3) s, each change saved at once (scoring.js)."""

    def _run(self):
        self._sleep_until(self.start_at)
        _page, answer = self.browser.sign_in(self.email)
        if answer.status != 302 or not self.sheets:
            self.unexpected.append(f"sign-in answered {answer.status}")
            return
        current = 0
        while True:
            sheet = self.sheets[current % len(self.sheets)]
            self._open(sheet)
            for _ in range(self.rng.randint(4, 10)):
                next_change = time.perf_counter() + self.rng.uniform(*PACE_SECONDS)
                if next_change >= self.stop_at:
                    return
                self._sleep_until(next_change)
                self._tap(sheet)
                self._send_newest(sheet, time.perf_counter())
            current += 1


class Gate(threading.Thread):
    """An online gate: a scan every U(0.5, 1.5) s with a fresh nonce."""

    def __init__(self, index: int, port: int, tokens: list[str], start_at: float, stop_at: float):
        super().__init__(name=f"gate-{index}", daemon=True)
        self.gate, self.tokens = f"Cổng {index + 1}", tokens
        self.start_at, self.stop_at = start_at, stop_at
        self.rng = random.Random(100 + index)
        self.browser = Browser(port)
        self.timings: list[tuple[float, float, int | str]] = []  # (started, seconds, status)

    def run(self):
        time.sleep(max(0.0, self.start_at - time.perf_counter()))
        self.browser.sign_in(GATE_EMAIL)
        self.browser.request("GET", "/checkin/")  # the scanner page, for its CSRF token
        while True:
            moment = time.perf_counter() + self.rng.uniform(*SCAN_SECONDS)
            if moment >= self.stop_at:
                return
            time.sleep(max(0.0, moment - time.perf_counter()))
            body = {"code": self.rng.choice(self.tokens), "gate": self.gate, "nonce": secrets.token_urlsafe(12)}
            try:
                response = self.browser.request("POST", "/checkin/scan", payload=body)
                self.timings.append((response.started, response.seconds, response.status))
            except OSError as error:
                self.timings.append((time.perf_counter(), math.nan, type(error).__name__))


class OfflineGate(threading.Thread):
    """The gate that was offline: its list fetched at the start, its whole queue uploaded at once."""

    def __init__(self, port: int, tokens: list[str], scans: int, upload_at: float):
        super().__init__(name="offline-gate", daemon=True)
        self.tokens, self.scans, self.upload_at = tokens, scans, upload_at
        self.browser = Browser(port, timeout=600)
        self.started = self.seconds = math.nan
        self.status: int | str = ""
        self.answer: dict = {}

    def run(self):
        self.browser.sign_in(GATE_EMAIL)
        self.browser.request("GET", "/checkin/")
        listing = self.browser.request("GET", "/checkin/list.json").json()
        issued = datetime.fromisoformat(listing["generated_at"])
        rng = random.Random(7)
        time.sleep(max(0.0, self.upload_at - time.perf_counter()))
        now = datetime.now(timezone.utc)
        span = (now - issued).total_seconds()
        queue = [
            {
                "nonce": secrets.token_urlsafe(12),
                "code": rng.choice(self.tokens),
                "gate": "Cổng mất mạng",
                "shown": "checked_in",
                "list": listing["token"],
                "scanned_at": (issued + timedelta(seconds=rng.uniform(0, span))).isoformat(),
            }
            for _ in range(self.scans)
        ]
        try:
            response = self.browser.request("POST", "/checkin/sync", payload={"scans": queue})
            self.started, self.seconds, self.status = response.started, response.seconds, response.status
            self.answer = response.json()
        except OSError as error:
            self.status = type(error).__name__


def run(url: str, workdir: Path, name: str, chunk: int, data: dict, options) -> dict:
    os.environ["CHECKIN_UPLOAD_CHUNK"] = str(chunk)
    server = Gunicorn(url, workdir, name, options=PROCFILE_OPTIONS)
    with server:
        base = time.perf_counter() + 1.0
        stop_at = base + options.seconds
        judges = [
            PacedJudge(i, j["email"], j["sheets"], data["criteria"], server.port, base + i * 0.1, stop_at, 10**6, i)
            for i, j in enumerate(data["judges"])
        ]
        gates = [Gate(i, server.port, data["tokens"], base + 0.3 * i, stop_at) for i in range(options.gates)]
        offline = OfflineGate(server.port, data["tokens"], options.scans, base + options.upload_at)
        everyone = [*judges, *gates, offline]
        for person in everyone:
            person.start()
        for person in everyone:
            person.join()
    upload = (offline.started, offline.started + offline.seconds)

    def split(rows):
        during, quiet, errors = [], [], 0
        for started, seconds, status in rows:
            if status != 200:
                errors += 1
                continue
            if upload[0] <= started <= upload[1]:
                during.append(seconds * 1000)
            elif started < upload[0] or started > upload[1] + QUIET_AFTER_SECONDS:
                quiet.append(seconds * 1000)
        return sorted(during), sorted(quiet), errors

    saves = [(t[1], t[2], t[3]) for j in judges for t in j.timings if t[0] in ("save", "retry", "late")]
    scans = [t for g in gates for t in g.timings]
    return {
        "chunk": chunk,
        "upload_seconds": offline.seconds,
        "upload_status": offline.status,
        "recorded": len(offline.answer.get("recorded", [])),
        "held": len(offline.answer.get("held", [])),
        "saves": split(saves),
        "scans": split(scans),
        "server_errors": [line for line in server.errors() if "database is locked" in line or "Traceback" in line],
    }


def line(label: str, during: list[float], quiet: list[float]) -> str:
    def figures(values):
        if not values:
            return "—"
        return f"{percentile(values, 50):.0f} / {percentile(values, 95):.0f} / {values[-1]:.0f} ms ({len(values)})"

    ratio = percentile(during, 95) / percentile(quiet, 95) if during and quiet else math.nan
    return f"  {label:<6} during: {figures(during):<28} quiet: {figures(quiet):<28} p95 ratio {ratio:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--judges", type=int, default=30)
    parser.add_argument("--gates", type=int, default=2)
    parser.add_argument("--scans", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--upload-at", type=float, default=30)
    parser.add_argument(
        "--chunks", default="50,200,100000", help="CHECKIN_UPLOAD_CHUNK values to run (default 50,200,100000)"
    )
    options = parser.parse_args()
    load = os.getloadavg()
    print(
        f"An offline queue of {options.scans} scans uploaded {options.upload_at:.0f} s into {options.seconds:.0f} s of "
        f"{options.judges} judges autosaving and {options.gates} gates scanning; SQLite, gunicorn --workers 2 "
        f"{' '.join(PROCFILE_OPTIONS)}; {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as folder:
        workdir = Path(folder)
        template = workdir / "template.db"
        migrate(f"sqlite:///{template}")
        started = time.perf_counter()
        data = build_day_data(bench_app(f"sqlite:///{template}", workdir), options.judges)
        with sqlite3.connect(template) as connection:  # everything in the main file before it is copied
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        print(
            f"  set-up {time.perf_counter() - started:.0f} s: "
            f"{len(data['judges'])} judges, {len(data['tokens'])} badges"
        )
        for chunk in (int(value) for value in options.chunks.split(",")):
            database = workdir / f"chunk-{chunk}.db"
            shutil.copyfile(template, database)
            result = run(f"sqlite:///{database}", workdir, f"chunk-{chunk}", chunk, data, options)
            print(
                f"\nCHECKIN_UPLOAD_CHUNK={chunk}: upload answered {result['upload_status']} in "
                f"{result['upload_seconds']:.1f} s ({result['recorded']} recorded, {result['held']} held)"
            )
            print(line("saves", *result["saves"][:2]) + f"; errors {result['saves'][2]}")
            print(line("scans", *result["scans"][:2]) + f"; errors {result['scans'][2]}")
            if result["server_errors"]:
                print(f"  server log: {len(result['server_errors'])} errors, first: {result['server_errors'][0][:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
