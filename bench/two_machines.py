"""Judges' saves and gate scans through nginx in front of two app servers, beside the same load sent to one of
the servers directly, in the same run: what the second machine and the proxy hop cost or give.

    .venv/bin/python bench/two_machines.py [--judges 40] [--saves 30] [--scans 4] [--seconds 30] [--pg-url URL]

The cluster is tests/two_machines/cluster.py's: one PostgreSQL database (a throw-away cluster as in
load_scoring.py, or a database made on --pg-url's server), Redis for the queue and the rate limits, moto's S3
server for the files, two gunicorns as in the Procfile (`--workers 2 --threads 4`), each with its own folders,
a `flask festival worker`, and nginx round robin in front (one worker process, no sticky sessions). Data: the
demo festival, plus --judges bench judges with four unscored demo sheets each (as festival_day.py makes them)
and the check-in account's password set for the gates.

Load, open loop: --saves judges' saves a second (one in flight per sheet, each a new snapshot of the whole
sheet with the device id and the next sequence number, as static/js/scoring.js sends it) and --scans badge
scans a second (a random demo badge, a fresh nonce, four gates) for --seconds, latency counted from when each
request was due. After 5 s of the same load on each (not counted: every gunicorn worker loads its templates and
connections), first through nginx (both servers answer in turn), then the same rates to server A directly (B
idle), by the same signed-in browsers. Printed: p50/p95/p99 of each, errors, how many requests each server
answered (from its request log), and the p95 ratio nginx / direct. The load generator, the five services and
the two servers share this machine's cores: the ratio, not the milliseconds, is what carries to real machines.
"""

import argparse
import concurrent.futures
import os
import random
import re
import secrets
import sys
import threading
import time
from pathlib import Path

from festival_day import SHEETS_EACH, app_requests
from load_scoring import PASSWORD, Browser, Judge, _add_judges, bench_app, percentile, postgres

from tests.two_machines.cluster import Cluster

GATES = 4
WARM_SECONDS = 5
THREADS = 96


def build_data(app, judges: int) -> dict:
    """Bench judges with four unscored demo sheets each, the rubric's criteria, the badges' tokens."""
    from festival.admin.services import get_current_festival
    from festival.auth import services as accounts
    from festival.badges import services as badge_services
    from festival.core.extensions import db
    from festival.demo import CHECKIN_EMAIL
    from festival.judging import rubrics
    from festival.models import Exhibit, ExhibitStatus, ScoreSheet, Unit

    with app.app_context():
        festival = get_current_festival()
        units = list(db.session.execute(db.select(Unit).order_by(Unit.id)).scalars())
        accepted = list(
            db.session.execute(
                db.select(Exhibit)
                .where(Exhibit.festival_id == festival.id, Exhibit.status == ExhibitStatus.ACCEPTED)
                .order_by(Exhibit.id)
            ).scalars()
        )
        bench_judges = _add_judges(judges, units, "twomachines")
        sheets = {}
        for i, judge in enumerate(bench_judges):
            chosen, step = [], 0
            while len(chosen) < SHEETS_EACH:
                exhibit = accepted[(i * 7 + step) % len(accepted)]
                step += 1
                if exhibit.unit_id != judge.unit_id and exhibit not in chosen:
                    chosen.append(exhibit)
            made = [ScoreSheet(exhibit=e, judge=judge) for e in chosen]
            db.session.add_all(made)
            db.session.flush()
            sheets[judge.email] = [s.id for s in made]
        accounts.set_password(accounts.find_user_by_email(CHECKIN_EMAIL), PASSWORD)
        db.session.commit()
        rubric = rubrics.own_rubric(festival, None)
        criteria = [
            {"id": c.id, "kind": c.kind.value, "max": c.max_points, "levels": [lv.points for lv in c.levels]}
            for c in rubric.criteria
        ]
        tokens = [a.badge_token for a in badge_services.for_printing(festival)]
        db.session.remove()
        db.engine.dispose()
    return {"judges": sheets, "criteria": criteria, "tokens": tokens, "checkin": CHECKIN_EMAIL}


class Gate:
    """A gate's tablet, signed in as the check-in account: scans with fresh nonces."""

    def __init__(self, index: int, port: int, email: str):
        self.name = f"Cổng {index + 1}"
        self.browser = Browser(port)
        self.lock = threading.Lock()
        page, answer = self.browser.sign_in(email)
        if answer.status != 302:
            raise SystemExit(f"the gate's sign-in answered {answer.status}")
        self.browser.request("GET", "/checkin/")  # the scanner page, for its CSRF token


def scan_requests(gates: list[Gate], tokens: list[str], base_url: str, seed: int = 7):
    rng = random.Random(seed)
    turn = iter(range(10**9))

    def send(moment: float):
        gate = gates[next(turn) % len(gates)]
        body = {"code": f"{base_url}/c/{rng.choice(tokens)}", "gate": gate.name, "nonce": secrets.token_urlsafe(12)}
        with gate.lock:  # one scan at a time per tablet
            try:
                answer = gate.browser.request("POST", "/checkin/scan", payload=body)
            except OSError as error:
                return moment, time.perf_counter(), type(error).__name__
        ok = answer.status == 200 and "result" in answer.json()
        return moment, time.perf_counter(), True if ok else str(answer.status)

    return send


def run_load(sends: dict, rates: dict, seconds: float) -> dict:
    """Every kind's requests at its rate for `seconds`, open loop; (latencies in ms from due, errors) per kind."""
    due = sorted((i / rates[kind], kind) for kind in sends for i in range(int(rates[kind] * seconds)))
    begin = time.perf_counter() + 0.5
    futures = []
    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        for offset, kind in due:
            moment = begin + offset
            time.sleep(max(0.0, moment - time.perf_counter()))
            futures.append((kind, pool.submit(sends[kind], moment)))
        outcomes = [(kind, future.result()) for kind, future in futures]
    results = {}
    for kind in sends:
        mine = [outcome for k, outcome in outcomes if k == kind]
        results[kind] = {
            "ms": sorted((end - moment) * 1000 for moment, end, _ok in mine),
            "errors": sorted(str(ok) for _moment, _end, ok in mine if ok is not True),
        }
    return results


REQUEST_LINE = re.compile(r"festival\.request: (POST) (\S+) (\d{3})")


def answered(log: Path) -> dict:
    """Saves and scans a server's request log holds so far."""
    counts = {"saves": 0, "scans": 0}
    for match in REQUEST_LINE.finditer(log.read_text(errors="replace")):
        if match[2].startswith("/judging/sheets/"):
            counts["saves"] += 1
        elif match[2] == "/checkin/scan":
            counts["scans"] += 1
    return counts


def describe(values: list[float]) -> str:
    if not values:
        return "none"
    return (
        f"p50 {percentile(values, 50):5.0f}  p95 {percentile(values, 95):5.0f}  p99 {percentile(values, 99):5.0f}"
        f"  max {values[-1]:5.0f} ms ({len(values)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--judges", type=int, default=40)
    parser.add_argument("--saves", type=float, default=30.0, help="judges' saves a second")
    parser.add_argument("--scans", type=float, default=4.0, help="gate scans a second (4 gates, one at a time each)")
    parser.add_argument("--seconds", type=float, default=30.0, help="each of the two runs")
    parser.add_argument("--pg-url", default=os.environ.get("TEST_DATABASE_URL"), help="a PostgreSQL server to use")
    options = parser.parse_args()
    os.environ["QUEUE_URL"] = "immediate"  # the set-up app in this process queues nothing (read on import)

    with postgres(options.pg_url) as server, Cluster(server.url.render_as_string(hide_password=False)) as cluster:
        started = time.perf_counter()
        data = build_data(bench_app(cluster.database_url, cluster.workdir / "bench"), options.judges)
        nginx_port = cluster.nginx_port
        direct = cluster.servers[0]
        judges = [
            Judge(i, email, sheet_ids, data["criteria"], nginx_port, 0, 0, 10**6, seed=100 + i)
            for i, (email, sheet_ids) in enumerate(data["judges"].items())
        ]
        for judge in judges:
            page, answer = judge.browser.sign_in(judge.email)
            if answer.status != 302:
                raise SystemExit(f"{judge.email}: sign-in answered {answer.status}")
            judge.browser.request("GET", "/judging/")  # for the CSRF token, as the judging page gives it
        gates = [Gate(i, nginx_port, data["checkin"]) for i in range(GATES)]
        print(
            f"Data and {len(judges)} judges and {len(gates)} gates signed in: {time.perf_counter() - started:.0f} s; "
            f"{sum(len(s) for s in data['judges'].values())} sheets, {len(data['tokens'])} badges",
            flush=True,
        )
        rates = {"saves": options.saves, "scans": options.scans}
        logs = {s.name: s.log_path for s in cluster.servers}
        targets = (("nginx, two servers", nginx_port), (f"server {direct.name} directly", direct.port))

        def aim(port: int) -> dict:
            for person in [j.browser for j in judges] + [g.browser for g in gates]:
                person.port = port  # the same signed-in browsers: the session cookie is valid on either server
            return {"saves": app_requests(judges, port), "scans": scan_requests(gates, data["tokens"], cluster.url)}

        for _target, port in targets:
            run_load(aim(port), rates, WARM_SECONDS)
        measured = {}
        for target, port in targets:
            sends = aim(port)
            before = {name: answered(log) for name, log in logs.items()}
            print(
                f"  {target}: {options.saves:g} saves/s + {options.scans:g} scans/s for {options.seconds:g} s "
                f"(load average before: {', '.join(f'{value:.1f}' for value in os.getloadavg())}; "
                f"{os.cpu_count()} cores)",
                flush=True,
            )
            result = run_load(sends, rates, options.seconds)
            after = {name: answered(log) for name, log in logs.items()}
            result["servers"] = {
                name: {kind: after[name][kind] - before[name][kind] for kind in rates} for name in logs
            }
            measured[target] = result
            for kind in rates:
                errors = result[kind]["errors"]
                print(f"    {kind:5}  {describe(result[kind]['ms'])}  errors {len(errors)} {sorted(set(errors))[:3]}")
            split = ", ".join(
                f"{name}: {n['saves']} saves, {n['scans']} scans" for name, n in result["servers"].items()
            )
            print(f"    answered by {split}", flush=True)

    (through, alone) = measured.values()
    print()
    print(f"{'':8}{'through nginx, 2 servers':>28}{'one server directly':>28}{'p95 ratio':>12}")
    failed = False
    for kind in rates:
        a, b = through[kind]["ms"], alone[kind]["ms"]
        ratio = percentile(a, 95) / percentile(b, 95) if a and b else float("nan")
        cell = "{:>5.0f} / {:>5.0f} ms p50/p95"
        print(
            f"{kind:8}{cell.format(percentile(a, 50), percentile(a, 95)):>28}"
            f"{cell.format(percentile(b, 50), percentile(b, 95)):>28}{ratio:>12.2f}"
        )
        failed = failed or bool(through[kind]["errors"] or alone[kind]["errors"])
    both = [name for name, n in through["servers"].items() if n["saves"] and n["scans"]]
    if len(both) < 2:
        print("WARNING: nginx did not send saves and scans to both servers")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
