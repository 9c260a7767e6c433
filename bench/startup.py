"""How long the app takes to start: `import wsgi` beside `import flask`, and `make run`'s steps to the first page.

    .venv/bin/python bench/startup.py [--runs 5]

Every figure is a fresh process on a throw-away database and instance folder (environment variables, as a
deployment sets them), median of --runs:
- `import wsgi` (the app built, every blueprint registered) beside `import flask` alone in the same run: the
  ratio is what to compare between machines; the target is under 1 s;
- the set-up `make run` does before serving, `flask festival prepare` (migrations, the demo when the database is
  empty, the addresses): cold (an empty database) and warm (already set up), beside the four separate `flask`
  commands it replaced;
- `honcho start` with the Procfile (gunicorn and the queue's worker) until `/healthz` answers, and the first
  page (the sign-in page) after it.
"""

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from measure import ROOT

BIN = Path(sys.executable).parent
OLD_STEPS = (["db", "upgrade"], ["festival", "demo", "--if-empty"], ["festival", "addresses"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(workdir: Path, port: int) -> dict:
    env = dict(
        os.environ,
        FLASK_APP="wsgi",
        DATABASE_URL=f"sqlite:///{workdir / 'festival.db'}",
        QUEUE_URL=f"sqlite:///{workdir / 'queue.db'}",
        SECRET_KEY=secrets.token_hex(32),
        UPLOAD_DIR=str(workdir / "uploads"),
        JOBS_DIR=str(workdir / "jobs"),
        CERTIFICATE_CACHE_DIR=str(workdir / "certificates"),
        IMPORTS_DIR=str(workdir / "imports"),
        MAIL_OUTBOX_DIR=str(workdir / "outbox"),
        HOST="127.0.0.1",
        PORT=str(port),
        PATH=f"{BIN}:{os.environ['PATH']}",
    )
    env.pop("FESTIVAL_ENV", None)
    return env


def timed(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def serve(env: dict, port: int) -> tuple[float, float]:
    """honcho with the Procfile from its start to /healthz answering, and the sign-in page after it."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(BIN / "honcho"), "start", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while not answers(f"http://127.0.0.1:{port}/healthz"):
            if process.poll() is not None or time.perf_counter() - started > 120:
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        up = time.perf_counter() - started
        page = time.perf_counter()
        assert answers(f"http://127.0.0.1:{port}/auth/login")
        return up, time.perf_counter() - page
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    python, flask = str(BIN / "python"), str(BIN / "flask")
    rows = {name: [] for name in ("flask", "wsgi", "cold", "warm", "old cold", "old warm", "up", "page")}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            workdir, port = Path(folder), free_port()
            env = environment(workdir, port)
            rows["flask"].append(timed([python, "-c", "import flask"], env))
            rows["wsgi"].append(timed([python, "-c", "import wsgi"], env))
            rows["cold"].append(timed([flask, "festival", "prepare"], env))
            rows["warm"].append(timed([flask, "festival", "prepare"], env))
            up, page = serve(env, port)
            rows["up"].append(up)
            rows["page"].append(page)
        with tempfile.TemporaryDirectory() as folder:
            env = environment(Path(folder), free_port())
            old = [[flask, *step] for step in OLD_STEPS] + [[flask, "festival", "addresses", "--base-url"]]
            rows["old cold"].append(sum(timed(command, env) for command in old))
            rows["old warm"].append(sum(timed(command, env) for command in old))
    median = {name: statistics.median(values) for name, values in rows.items()}
    print(f"median of {runs} runs, seconds")
    print(f"  import flask (reference)                    {median['flask']:6.2f}")
    print(
        f"  import wsgi                                 {median['wsgi']:6.2f}   {median['wsgi'] / median['flask']:.1f}×"
    )
    print(
        f"  flask festival prepare, empty database      {median['cold']:6.2f}   (4 commands before: "
        f"{median['old cold']:.2f})"
    )
    print(
        f"  flask festival prepare, database ready      {median['warm']:6.2f}   (4 commands before: "
        f"{median['old warm']:.2f})"
    )
    print(f"  honcho start to /healthz answering          {median['up']:6.2f}")
    print(f"  then the sign-in page                       {median['page']:6.2f}")
    print(
        f"  make run after install, warm: prepare + serve + page = "
        f"{median['warm'] + median['up'] + median['page']:.2f}; cold: "
        f"{median['cold'] + median['up'] + median['page']:.2f}"
    )


if __name__ == "__main__":
    main()
