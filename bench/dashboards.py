"""What an organizer's live boards cost at 50 and at 1,000 exhibits (issue 29).

    .venv/bin/python bench/dashboards.py [--backend sqlite|postgresql|both] [--pg-url URL] [--runs 9]

Per backend, two festivals (50 exhibits / 40 judges / 100 attendees, and 1,000 / 40 / 2,000; three
sheets an exhibit, a third of them saved and a third submitted, with history rows; half the attendees
arrived) on real migrations, served in this process through Flask's test client as an organizer. For the
control board and the check-in dashboard it prints:
- SQL statements of one whole render (sign-in, festival and board), which must not grow with the festival;
- the server time of a render (median of --runs) beside one plain query reading the same rows in the same
  run, and the ratio (target ≤ 3); warm (rows this process rendered before for what they show are not
  rendered again, festival/util/boards.py) and cold (that memo emptied before each render);
- an unchanged board's poll (If-None-Match with its stamp: 304; the control room's with its round in the
  address, as the page polls) beside a /healthz request (target ≤ 1.5);
- after one judge's save, how many rows the changed board's index marks as changed (2: the judge's and
  the exhibit's) and the time of fetching them.
The progress page and the vote tally are counted too. Nothing is asserted; figures move 2–3× between
machines, the ratios much less.
"""

import argparse
import gc
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from load_scoring import (
    PASSWORD,
    StatementCounter,
    _add_exhibits,
    _add_judges,
    _festival_units_categories,
    _panels_and_assignment,
    _rubric_inputs,
    _sqlite,
    bench_app,
    migrate,
    postgres,
)

from festival.badges import services as badges
from festival.core.extensions import db
from festival.judging import rubrics, scoring
from festival.models import Attendee, CheckIn, ScanResult, ScoreChange, ScoreSheet, SheetStatus, utcnow
from festival.util import boards

SIZES = ((50, 100), (1000, 2000))  # exhibits, attendees
JUDGES = 40
PER_EXHIBIT = 3
RENDER_TARGET, POLL_TARGET = 3.0, 1.5


def build(app, exhibits: int, attendees: int) -> None:
    with app.app_context():
        festival, units, categories, organizer = _festival_units_categories("btc@bench.example.vn")
        rubric = rubrics.save_rubric(festival, None, _rubric_inputs(fifth=False), by=organizer)
        judges = _add_judges(JUDGES, units, "judge")
        _add_exhibits(festival, units, categories, organizer, exhibits)
        _panels_and_assignment(festival, categories, judges, organizer, 2, PER_EXHIBIT)
        db.session.commit()
        now = utcnow()
        criterion = rubric.scored_criteria[0]
        changes, updates = [], []
        for index, (sheet_id, judge_id) in enumerate(
            db.session.execute(sa.select(ScoreSheet.id, ScoreSheet.judge_id).order_by(ScoreSheet.id))
        ):
            if index % 3 == 2:
                continue
            status = SheetStatus.DRAFT if index % 3 == 0 else SheetStatus.SUBMITTED
            updates.append({"id": sheet_id, "status": status, "revision": 1, "updated_at": now})
            changes.append(
                {
                    "sheet_id": sheet_id,
                    "criterion_id": criterion.id,
                    "new_value": "10",
                    "client_id": "bench",
                    "seq": 1,
                    "user_id": judge_id,
                    "revision": 1,
                    "created_at": now - timedelta(seconds=index),
                }
            )
        db.session.execute(sa.update(ScoreSheet), updates)
        db.session.execute(sa.insert(ScoreChange), changes)
        roles = badges.badge_roles(festival)
        people = [
            {
                "festival_id": festival.id,
                "full_name": f"Người tham dự {n}",
                "unit_id": units[n % len(units)].id if n % 10 else None,
                "organisation": "" if n % 10 else f"Báo {n % 7}",
                "role_id": roles[n % len(roles)].id,
                "badge_token": f"bench-{n:06d}",
                "checked_in_at": now - timedelta(seconds=7 * n) if n % 2 == 0 else None,
                "checked_in_gate": "Cổng chính" if n % 2 == 0 else None,
            }
            for n in range(attendees)
        ]
        db.session.execute(sa.insert(Attendee), people)
        arrived = db.session.execute(
            sa.select(Attendee.id, Attendee.checked_in_at).where(Attendee.checked_in_at.is_not(None))
        ).all()
        db.session.execute(
            sa.insert(CheckIn),
            [
                {
                    "festival_id": festival.id,
                    "attendee_id": attendee_id,
                    "gate": "Cổng chính",
                    "result": ScanResult.CHECKED_IN,
                    "nonce": f"bench-{attendee_id}",
                    "scanned_at": at,
                }
                for attendee_id, at in arrived
            ],
        )
        db.session.commit()
        db.engine.dispose()


def median_ms(function, runs: int) -> float:
    function()  # warm: templates compiled, pages cached by the database
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def median_of(timed, runs: int) -> float:
    """The median of `runs` calls of a function that times itself (ms), after one to warm."""
    timed()
    return statistics.median(timed() for _ in range(runs))


def measure(app, runs: int) -> dict:
    client = app.test_client()
    client.post("/auth/login", data={"email": "btc@bench.example.vn", "password": PASSWORD})
    with app.app_context():
        engine = db.engine
        festival_id = db.session.execute(sa.text("SELECT id FROM festivals")).scalar_one()
    counter = StatementCounter(engine)

    def get(url, **kwargs):
        response = client.get(url, **kwargs)
        assert response.status_code in (200, 304), (url, response.status_code)
        return response

    def statements(url, **kwargs) -> int:
        before = counter.count
        get(url, **kwargs)
        return counter.count - before

    def poll_statements(index_url) -> int:
        # An unchanged poll's statements: taken again when the stamp moved with the minute in between (that poll
        # went through the whole request, which is not what is counted here).
        while True:
            stamp = get(index_url).get_json()["stamp"]
            before = counter.count
            if get(index_url, headers={"If-None-Match": f'"{stamp}"'}).status_code == 304:
                return counter.count - before

    def plain(query):
        def read():
            with engine.connect() as connection:
                connection.execute(sa.text(query), {"festival": festival_id}).all()

        return read

    result = {}
    boards_ = {
        "control board": (
            "/judging/control/board",
            "/judging/control/board/index?round=1",  # as the page polls it (its round in the address)
            "SELECT s.id, s.status, s.judge_id, s.revision, e.code, e.title, e.zone, e.booth, u.full_name "
            "FROM score_sheets s JOIN exhibits e ON e.id = s.exhibit_id JOIN users u ON u.id = s.judge_id "
            "WHERE e.festival_id = :festival",
        ),
        "check-in dashboard": (
            "/checkin/dashboard/board",
            "/checkin/dashboard/index",
            "SELECT a.role_id, a.unit_id, a.organisation, a.checked_in_at FROM attendees a "
            "WHERE a.festival_id = :festival",
        ),
    }

    def unchanged_poll(index_url):
        # The stamp also moves each minute: a poll that finds it moved is not timed, and the stamp is taken again
        # (not timed either). Taking it before every poll would time each poll after a whole index's garbage.
        headers = {}

        def poll():
            while True:
                if not headers:
                    headers["If-None-Match"] = f'"{get(index_url).get_json()["stamp"]}"'
                started = time.perf_counter()
                if get(index_url, headers=dict(headers)).status_code == 304:
                    return (time.perf_counter() - started) * 1000
                headers.clear()

        return poll

    def cold(url):
        # Rows and digests this process remembered (festival/util/boards.py) forgotten first, as after a restart.
        def render():
            boards.digest.cache_clear()
            boards._rendered.clear()
            started = time.perf_counter()
            get(url)
            return (time.perf_counter() - started) * 1000

        return render

    for name, (url, index_url, query) in boards_.items():
        result[name] = {
            "statements": statements(url),
            "poll statements": poll_statements(index_url),
            "render": median_ms(lambda url=url: get(url), runs),
            "cold render": median_of(cold(url), runs),
            "plain": median_ms(plain(query), runs),
            "poll": median_of(unchanged_poll(index_url), runs * 3),
            "healthz": median_ms(lambda: get("/healthz"), runs * 3),
        }
    for url in ("/judging/progress", "/vote/tally"):
        result[url] = {"statements": statements(url)}

    # One judge's save: the board's index marks that judge's row and that exhibit's row, fetched alone.
    before = get("/judging/control/board/index").get_json()
    with app.app_context():
        sheet = db.session.execute(
            sa.select(ScoreSheet).where(ScoreSheet.status == SheetStatus.NOT_STARTED).limit(1)
        ).scalar_one()
        points = {c.id: Decimal(c.max_points) for c in rubrics.sheet_rubric(sheet).scored_criteria}
        scoring.save_sheet(sheet, sheet.judge, scoring.SheetInput("bench", 1, points, {}), utcnow())
        db.session.commit()
    after = get("/judging/control/board/index", headers={"If-None-Match": f'"{before["stamp"]}"'}).get_json()
    old = {key: digest for rows in before["groups"].values() for key, digest in rows}
    changed = [key for rows in after["groups"].values() for key, digest in rows if old.get(key) != digest]
    started = time.perf_counter()
    fetched = get("/judging/control/board/rows", query_string={"keys": ",".join(changed)}).get_json()["rows"]
    result["after one save"] = {
        "changed": len(changed),
        "fetched": len(fetched),
        "rows ms": (time.perf_counter() - started) * 1000,
    }
    sa.event.remove(engine, "before_cursor_execute", counter._seen)
    return result


def run(backend, workdir: Path, runs: int) -> dict:
    figures = {}
    for exhibits, attendees in SIZES:
        url = backend.create(f"dashboards_{exhibits}")
        migrate(url)
        app = bench_app(url, workdir / f"{exhibits}")
        started = time.perf_counter()
        build(app, exhibits, attendees)
        print(f"  {exhibits} exhibits built in {time.perf_counter() - started:.0f} s", flush=True)
        # The festival was built in this process: its garbage would make every collection during the
        # measurements slow, which a served worker (a smaller heap) does not see.
        gc.collect()
        gc.freeze()
        figures[exhibits] = measure(app, runs)
        gc.unfreeze()
        with app.app_context():
            db.engine.dispose()
    return figures


def report(label: str, figures: dict) -> None:
    small, large = figures[SIZES[0][0]], figures[SIZES[1][0]]
    print(f"\n{label}")
    print(
        f"{'':22} {'statements 50 / 1,000':>22} {'render ms':>10} {'plain query':>12} {'ratio':>6} "
        f"{'cold render':>12} {'ratio':>6} {'304 poll':>9} {'/healthz':>9} {'ratio':>6}"
    )
    for name in ("control board", "check-in dashboard"):
        s, l_ = small[name], large[name]
        print(
            f"{name:22} {s['statements']:>10} / {l_['statements']:<9} {l_['render']:>10.1f} {l_['plain']:>12.1f} "
            f"{l_['render'] / l_['plain']:>6.1f} {l_['cold render']:>12.1f} {l_['cold render'] / l_['plain']:>6.1f} "
            f"{l_['poll']:>9.2f} {l_['healthz']:>9.2f} {l_['poll'] / l_['healthz']:>6.2f}"
        )
        print(f"{'':22} (unchanged poll: {s['poll statements']} / {l_['poll statements']} statements)")
    for url in ("/judging/progress", "/vote/tally"):
        print(f"{url:22} {small[url]['statements']:>10} / {large[url]['statements']:<9}")
    one = large["after one save"]
    print(
        f"after one save (1,000 exhibits): {one['changed']} rows changed, {one['fetched']} fetched in "
        f"{one['rows ms']:.0f} ms"
    )
    print(
        f"targets: render ≤ {RENDER_TARGET}× the plain query, unchanged poll ≤ {POLL_TARGET}× /healthz, "
        "statements equal at both sizes"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--pg-url", help="a PostgreSQL server to use instead of a throw-away cluster")
    parser.add_argument("--runs", type=int, default=9)
    options = parser.parse_args()
    backends = ["sqlite", "postgresql"] if options.backend == "both" else [options.backend]
    with tempfile.TemporaryDirectory(prefix="festival-dashboards-") as folder, ExitStack() as stack:
        workdir = Path(folder)
        for name in backends:
            if name == "sqlite":
                backend = stack.enter_context(_sqlite(workdir))
            else:
                backend = stack.enter_context(postgres(options.pg_url))
            print(f"{backend.label}: building festivals of {SIZES[0][0]} and {SIZES[1][0]} exhibits…", flush=True)
            report(backend.label, run(backend, workdir, options.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
