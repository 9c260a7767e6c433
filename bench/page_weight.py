"""What a judge's tablet downloads: the score sheet cold (empty cache), then warm, resource by resource.

    .venv/bin/python bench/page_weight.py [--no-build] [--width 820] [--height 1180]

A throw-away SQLite database made by the real migrations and `flask festival demo`, static/ published by
tools/build_static.py into the same temporary folder, then `gunicorn --workers 2` on a free loopback port
configured through the environment as `make run` is (hashed static names, compressed answers). Debian's
Chromium (headless, through Playwright) signs in as the first demo judge without loading a page, opens one
of the judge's sheets with an empty cache, then the judge's home page, the sheet again and a reload. Bytes
are what Chromium's DevTools protocol counts as received from the network (headers and compressed body);
"cache" marks a request the browser answered itself, sending nothing.

--no-build serves static/ unhashed and uncompressed (Flask's own static route), as before the build step.
Target: under 150 KB for the cold sheet and no static file fetched on the warm loads.
"""

import argparse
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from measure import ROOT  # also puts the project on sys.path, for the imports below

from tests.browser.conftest import CHROMIUM_ARGS, chromium_path
from tests.browser.network import NetworkLog, settle, sign_in_by_request
from tools import build_static

JUDGE_EMAIL = "judge1@festival.example.vn"  # the first demo judge (festival/demo_data/judges.csv)
DEMO_PASSWORD = "demo1234"  # festival.demo.DEMO_PASSWORD
COLD_TARGET = 150_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(workdir: Path, build_dir: Path | None, port: int) -> dict:
    """The app's settings as a deployment gives them: environment variables, development config over http."""
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{workdir / 'festival.db'}",
        SECRET_KEY=secrets.token_hex(32),
        UPLOAD_DIR=str(workdir / "uploads"),
        JOBS_DIR=str(workdir / "jobs"),
        CERTIFICATE_CACHE_DIR=str(workdir / "certificates"),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        STATIC_BUILD_DIR=str(build_dir or workdir / "not-built"),
    )
    env.pop("FESTIVAL_ENV", None)  # production's secure cookies need https
    env.pop("FLASK_DEBUG", None)
    return env


def flask(env: dict, *args):
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")


def start_gunicorn(env: dict, port: int, log):
    """gunicorn serving wsgi:app, once it answers /healthz; its output goes to the open file `log`."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--no-control-socket",
        "--chdir",
        str(ROOT),
        "wsgi:app",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}):\n{Path(log.name).read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def print_loads(label: str, fetches):
    network = [f for f in fetches if not f.from_cache]
    static = [f for f in network if f.is_static]
    total = sum(f.transferred for f in network)
    print(
        f"\n{label}: {len(network)} requests to the server ({len(static)} static), {total:,} bytes "
        f"({total / 1000:.1f} KB); {len(fetches) - len(network)} answered from the browser's cache"
    )
    print(f"  {'bytes':>8} {'decoded':>8} {'enc':<4} {'type':<10} {'cache-control':<36} path")
    for f in fetches:
        size = "cache" if f.from_cache else f"{f.transferred:,}"
        print(
            f"  {size:>8} {f.size:>8,} {f.encoding or '-':<4} {f.kind:<10} {f.cache_control[:36] or '-':<36} {f.path}"
        )
    return total, len(static)


def measure(base: str, args) -> list:
    """The four page loads in Chromium, each printed; returns [(label, (bytes, static requests))]."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        viewport = {"width": args.width, "height": args.height}
        context = browser.new_context(viewport=viewport, has_touch=True, is_mobile=True, locale="vi-VN")
        sign_in_by_request(context, base, JUDGE_EMAIL, DEMO_PASSWORD)
        home = context.request.get(f"{base}/judging/").text()
        sheet = base + re.search(r"/judging/sheets/\d+", home).group(0)
        page = context.new_page()
        network = NetworkLog(page)
        served = "unhashed (--no-build)" if args.no_build else "built"
        print(f"Judge {JUDGE_EMAIL}, viewport {args.width}×{args.height}, static files {served}")
        print(f"Chromium {browser.version}")
        loads = []
        for label, visit in (
            ("cold: the sheet, empty cache", lambda: page.goto(sheet)),
            ("warm: the judge's home page", lambda: page.goto(f"{base}/judging/")),
            ("warm: the sheet again", lambda: page.goto(sheet)),
            ("warm: the sheet reloaded", page.reload),
        ):
            visit()
            settle(page)
            loads.append((label, print_loads(label, network.take())))
        browser.close()
    return loads


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-build", action="store_true", help="serve static/ unhashed, as before the build step")
    parser.add_argument("--width", type=int, default=820, help="viewport width (default: a tablet, 820)")
    parser.add_argument("--height", type=int, default=1180)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="festival-page-weight-") as tmp:
        workdir = Path(tmp)
        build_dir = None if args.no_build else workdir / "static"
        if build_dir:
            build_static.build(out=build_dir, log=lambda message: None)
        port = free_port()
        env = environment(workdir, build_dir, port)
        flask(env, "db", "upgrade")
        flask(env, "festival", "demo", "--if-empty")
        with open(workdir / "gunicorn.log", "w") as log:
            process = start_gunicorn(env, port, log)
            try:
                loads = measure(f"http://127.0.0.1:{port}", args)
            finally:
                stop(process)
    cold_bytes = loads[0][1][0]
    warm_static = sum(static for _, (_, static) in loads[1:])
    print(
        f"\nCold sheet {cold_bytes / 1000:.1f} KB (target < {COLD_TARGET / 1000:.0f} KB): "
        f"{'met' if cold_bytes < COLD_TARGET else 'MISSED'}; static requests on the warm loads: {warm_static} "
        f"(target 0): {'met' if warm_static == 0 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
