"""Two app machines behind nginx, as a large deployment runs them, on this one machine: one PostgreSQL database,
one Redis (the task queue and the rate limits), one S3 endpoint (moto's server), two gunicorns each with its own
instance folders, one `flask festival worker` with a third set, and nginx sending requests to the two in turn
(round robin, no sticky sessions) with the answering server in an `X-Upstream` header.

    with Cluster(os.environ["TEST_DATABASE_URL"]) as cluster:
        browser = cluster.browser()            # a requests session through nginx, CSRF tokens from the pages
        browser.sign_in("btc@festival.example.vn")

Used by tests/two_machines/ (`make test-two-machines`) and bench/two_machines.py. Needs Debian's nginx and
redis-server and a PostgreSQL server to create a database in; everything else comes from the venv.
"""

import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import boto3
import psycopg
import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BUCKET, PREFIX = "festival", "cluster"
DEMO_PASSWORD = "demo1234"
ORGANIZER = "btc@festival.example.vn"
START_SECONDS = 90
# The folders an app machine keeps to itself: each server and the worker get their own set, so nothing can be
# found on a disk that another machine wrote.
OWN_FOLDERS = ("UPLOAD_DIR", "JOBS_DIR", "CERTIFICATE_CACHE_DIR", "IMPORTS_DIR", "MAIL_OUTBOX_DIR")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _libpq(url: sa.URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def procfile_web(port: int) -> list[str]:
    """The Procfile's web command (gunicorn's options as deployed) bound to 127.0.0.1:port, from this venv."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    words = shlex.split(line.removeprefix("web:"))
    words = [f"127.0.0.1:{port}" if word.endswith(":$PORT") else word for word in words]
    assert words[0] == "gunicorn", line
    return [sys.executable, "-m", "gunicorn", *words[1:]]


class Process:
    """A child in its own process group (gunicorn's and the worker's children go with it), logging to a file."""

    def __init__(self, name: str, command: list[str], log: Path, env: dict | None = None):
        self.name, self.command, self.log_path, self.env = name, command, log, env
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self, timeout: float = 15) -> None:
        if self.popen is None:
            return
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        try:  # whatever is left of the group (a gunicorn worker, a PDF worker) goes too
            os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.popen.wait()
        self.popen = None

    def log_tail(self, lines: int = 60) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


class Server(Process):
    """One app machine: gunicorn as in the Procfile, with its own instance folders."""

    def __init__(self, name: str, env: dict, log: Path):
        self.port = free_port()
        super().__init__(name, procfile_web(self.port), log, env)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"


class Cluster:
    """Everything of a two-machine deployment on loopback; a context manager that tears it all down.

    `servers` is how many gunicorns stand behind nginx (2; the bench also measures through one directly).
    """

    def __init__(self, server_url: str, workdir: Path | None = None, servers: int = 2, say=print):
        if not server_url.startswith("postgresql"):
            raise ValueError("The cluster needs a PostgreSQL server (TEST_DATABASE_URL=postgresql+psycopg://…)")
        self.server_url = sa.engine.make_url(server_url)
        self.say = say
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="festival-cluster-"))
        self.database = f"festival_cluster_{secrets.token_hex(4)}"
        self.database_url = self.server_url.set(database=self.database).render_as_string(hide_password=False)
        self.redis_port, self.s3_port, self.nginx_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.nginx_port}"
        self.s3_endpoint = f"http://127.0.0.1:{self.s3_port}"
        self.server_count = servers
        self.servers: list[Server] = []
        self.processes: list[Process] = []
        self.redis: Process | None = None
        self.worker: Process | None = None
        self.last_upstream: str | None = None
        self._database_made = False
        self.env = self._shared_env()
        self.s3 = boto3.client(
            "s3",
            endpoint_url=self.s3_endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    # The environment -------------------------------------------------------------------------------------------

    def _shared_env(self) -> dict:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("FESTIVAL_", "FLASK_", "STORAGE_", "AWS_", "MAIL_", "RATELIMIT_"))
            and key not in ("QUEUE_URL", "DATABASE_URL", "SECRET_KEY", "PUBLIC_BASE_URL", "PORT", "HOST")
            and key not in OWN_FOLDERS
        }
        env.update(
            FLASK_APP="wsgi",
            DATABASE_URL=self.database_url,
            SECRET_KEY=secrets.token_urlsafe(48),
            STORAGE_URL=f"s3://{BUCKET}/{PREFIX}",
            STORAGE_S3_ENDPOINT_URL=self.s3_endpoint,
            STORAGE_S3_REGION="us-east-1",
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            QUEUE_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{self.redis_port}/1",
            TRUSTED_PROXIES="1",
            PUBLIC_BASE_URL=self.url,
            MAIL_SERVER="",
            PYTHONUNBUFFERED="1",
        )
        return env

    def machine_env(self, name: str, **overrides) -> dict:
        """The shared environment plus folders of this machine's own (empty: every file must come from S3)."""
        home = self.workdir / name
        home.mkdir(mode=0o700, exist_ok=True)
        own = {setting: str(home / setting.lower().removesuffix("_dir")) for setting in OWN_FOLDERS}
        return {**self.env, **own, "SECRET_KEY_FILE": str(home / "secret_key"), **overrides}

    # Starting and stopping -------------------------------------------------------------------------------------

    def __enter__(self) -> "Cluster":
        try:
            self.start()
        except BaseException:
            self.say(self.logs())
            self.stop()
            raise
        return self

    def __exit__(self, kind, error, trace):
        if kind is not None:
            self.say(self.logs())
        self.stop()

    def start(self) -> None:
        started = time.perf_counter()
        self._make_database()
        self.start_redis()
        self._start_s3()
        self.flask("db", "upgrade")
        self.flask("festival", "demo")
        names = "ab"[: self.server_count] if self.server_count <= 2 else [f"s{i}" for i in range(self.server_count)]
        for name in names:
            server = Server(name, self.machine_env(name), self.workdir / f"server-{name}.log")
            self.servers.append(server)
            self.processes.append(server.start())
        worker_command = [str(BIN / "flask"), "festival", "worker"]
        self.worker = Process("worker", worker_command, self.workdir / "worker.log", self.machine_env("worker"))
        self.processes.append(self.worker.start())
        for server in self.servers:
            self._wait_healthy(server)
        self._start_nginx()
        self.say(
            f"Cluster up in {time.perf_counter() - started:.0f} s: nginx {self.url} → "
            f"{', '.join(s.address for s in self.servers)}; worker; Redis :{self.redis_port}; "
            f"S3 {self.s3_endpoint}; database {self.database}"
        )

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()
        if self.redis is not None:
            self.redis.stop()
        if self._database_made:
            self._drop_database()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _make_database(self) -> None:
        with psycopg.connect(_libpq(self.server_url.set(database="postgres")), autocommit=True) as server:
            server.execute(
                f"CREATE DATABASE \"{self.database}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
            )
        self._database_made = True

    def make_database(self, name: str) -> str:
        """Another empty database on the same server (dropped with the cluster's): a restore's target."""
        with psycopg.connect(_libpq(self.server_url.set(database="postgres")), autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{self.database}_{name}" WITH (FORCE)')
            server.execute(f"CREATE DATABASE \"{self.database}_{name}\" TEMPLATE template0 ENCODING 'UTF8'")
        return self.server_url.set(database=f"{self.database}_{name}").render_as_string(hide_password=False)

    def _drop_database(self) -> None:
        with psycopg.connect(_libpq(self.server_url.set(database="postgres")), autocommit=True) as server:
            names = server.execute(
                "SELECT datname FROM pg_database WHERE datname = %s OR datname LIKE %s",
                (self.database, f"{self.database}\\_%"),
            ).fetchall()
            for (name,) in names:
                server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._database_made = False

    def start_redis(self) -> None:
        """Redis on its port (again, empty, after stop_redis)."""
        folder = self.workdir / "redis"
        folder.mkdir(exist_ok=True)
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port), "--save", "", "--appendonly"]
        command += ["no", "--dir", str(folder)]
        self.redis = Process("redis", command, self.workdir / "redis.log").start()
        self._wait_port(self.redis_port, self.redis)

    def stop_redis(self) -> None:
        self.redis.stop()
        self.redis = None

    def _start_s3(self) -> None:
        command = [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.s3_port)]
        s3 = Process("s3", command, self.workdir / "s3.log")
        self.processes.append(s3.start())
        self._wait_port(self.s3_port, s3)
        self.s3.create_bucket(Bucket=BUCKET)

    def _start_nginx(self) -> None:
        temp = self.workdir / "nginx"
        temp.mkdir(exist_ok=True)
        upstreams = "\n".join(f"        server {s.address};" for s in self.servers)
        conf = self.workdir / "nginx.conf"
        # One nginx worker, so round robin alternates request by request; no keepalive to the upstreams, no
        # retry of a request on the other server (a POST must not run twice).
        conf.write_text(
            f"""
worker_processes 1;
{"user root;" if os.geteuid() == 0 else ""}
pid {temp}/nginx.pid;
error_log {self.workdir}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {self.workdir}/nginx-access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    client_max_body_size 25m;
    client_body_buffer_size 25m;  # uploads kept in memory, not in a temporary file
    upstream festival {{
{upstreams}
    }}
    server {{
        listen 127.0.0.1:{self.nginx_port};
        location / {{
            proxy_pass http://festival;
            proxy_next_upstream off;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 120s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""
        )
        command = ["nginx", "-e", str(self.workdir / "nginx-error.log"), "-p", str(temp), "-c", str(conf)]
        nginx = Process("nginx", [*command, "-g", "daemon off;"], self.workdir / "nginx.log")
        self.processes.append(nginx.start())
        self._wait_port(self.nginx_port, nginx)

    def _wait_port(self, port: int, process: Process) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if not process.running():
                raise RuntimeError(f"{process.name} exited at start:\n{process.log_tail()}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"{process.name} did not listen on {port} within {START_SECONDS} s")

    def _wait_healthy(self, server: Server) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if not server.running():
                raise RuntimeError(f"server {server.name} exited at start:\n{server.log_tail()}")
            try:
                if requests.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server {server.name} did not answer /healthz within {START_SECONDS} s")

    # Using it ---------------------------------------------------------------------------------------------------

    def flask(self, *args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
        """`flask <args>` on the cluster (a fourth machine's folders), e.g. ("festival", "backup", "--out", …)."""
        done = subprocess.run(
            [str(BIN / "flask"), *args],
            cwd=ROOT,
            env=env or self.machine_env("cli"),
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def keys(self, area: str, prefix: str = PREFIX) -> dict[str, bytes]:
        """Every object of an area in the bucket, key (relative to the area) → bytes."""
        found = {}
        start = f"{prefix}/{area}/"
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=start):
            for item in page.get("Contents", []):
                body = self.s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"]
                try:
                    found[item["Key"].removeprefix(start)] = body.read()
                finally:
                    body.close()
        return found

    def sql(self, statement: str, **params) -> list[tuple]:
        """Rows of one statement on the cluster's database (committed)."""
        with psycopg.connect(_libpq(sa.engine.make_url(self.database_url))) as connection:
            cursor = connection.execute(statement, params or None)
            rows = cursor.fetchall() if cursor.description else []
            connection.commit()
        return rows

    def browser(self, base_url: str | None = None) -> "Browser":
        return Browser(self, base_url or self.url)

    def note_upstream(self, upstream: str | None) -> None:
        """Fail when nginx sent two requests in a row to the same server (no request is allowed to stick)."""
        if upstream is None or len(self.servers) < 2:
            return
        previous, self.last_upstream = self.last_upstream, upstream
        assert upstream != previous, f"two requests in a row were answered by {upstream}"

    def logs(self, lines: int = 80) -> str:
        parts = []
        for process in [*self.processes, *([self.redis] if self.redis else [])]:
            parts.append(f"----- {process.name} ({process.log_path}) -----\n{process.log_tail(lines)}")
        error_log = self.workdir / "nginx-error.log"
        if error_log.exists():
            parts.append(f"----- nginx error log -----\n{error_log.read_text(errors='replace')[-4000:]}")
        return "\n".join(parts)


# A browser ----------------------------------------------------------------------------------------------------


class Form:
    """A form as a browser would send it: its action, method and the values its fields hold."""

    def __init__(self, action: str, method: str, enctype: str):
        self.action, self.method, self.enctype = action, method.upper() or "GET", enctype
        self.fields: list[tuple[str, str]] = []

    def values(self, **changes) -> list[tuple[str, str]]:
        """The fields' values with `changes` (name → value, or a list of values) in place of the page's."""
        kept = [(name, value) for name, value in self.fields if name not in changes]
        for name, value in changes.items():
            kept += [(name, v) for v in value] if isinstance(value, list | tuple) else [(name, value)]
        return kept

    def get(self, name: str, default: str | None = None) -> str | None:
        return next((value for key, value in self.fields if key == name), default)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: str | None = None
        self.select_values: list[str] = []
        self.select_first: str | None = None
        self.option: dict | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = {key: (value if value is not None else "") for key, value in attrs}
        if tag == "form":
            self.form = Form(a.get("action", ""), a.get("method", "get"), a.get("enctype", ""))
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("file", "submit", "button", "image", "reset"):
                pass  # files are chosen, and a button sends its value when pressed: `submit(form, files, action=…)`
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.form.fields.append((name, a.get("value", "on")))
            else:
                self.form.fields.append((name, a.get("value", "")))
        elif tag == "select" and name and "disabled" not in a:
            self.select, self.select_values, self.select_first = name, [], None
        elif tag == "option" and self.select is not None:
            self.option = a
            self.text = ""
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def _end_option(self):
        value = self.option.get("value", self.text.strip())
        if self.select_first is None:
            self.select_first = value
        if "selected" in self.option:
            self.select_values.append(value)
        self.option = None

    def handle_endtag(self, tag):
        if tag == "option" and self.option is not None:
            self._end_option()
        elif tag == "select" and self.select is not None:
            if self.option is not None:
                self._end_option()
            values = self.select_values or ([self.select_first] if self.select_first is not None else [])
            self.form.fields += [(self.select, value) for value in values]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.form.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None
        elif tag == "form":
            self.form = None

    def handle_data(self, data):
        if self.option is not None or self.textarea is not None:
            self.text += data


def forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


class Browser:
    """One person's browser through nginx: cookies of its own, redirects followed one request at a time (so each
    hop is a request nginx sends to the next server), every answering server noted by the cluster."""

    def __init__(self, cluster: Cluster, base_url: str):
        self.cluster, self.base_url = cluster, base_url
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "festival-two-machines/1"
        self.through_nginx = base_url == cluster.url

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 120)
        response = self.session.request(method, urljoin(self.base_url, path), allow_redirects=False, **kwargs)
        response.upstream = response.headers.get("X-Upstream")
        if self.through_nginx:
            self.cluster.note_upstream(response.upstream)
        return response

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def follow(self, response: requests.Response) -> requests.Response:
        """The page a redirect leads to (GET), or the response itself."""
        while response.is_redirect:
            response = self.get(response.headers["Location"])
        return response

    def form(self, path_or_page, action: str | None = None) -> Form:
        """The form of a page (GET `path` first, or a response already fetched) whose action contains `action`
        (the page's first POST form otherwise)."""
        page = path_or_page if isinstance(path_or_page, requests.Response) else self.get(path_or_page)
        found = []
        for candidate in forms(page.text):
            candidate.action = urljoin(page.url, candidate.action) if candidate.action else page.url
            if candidate.method == "POST" and (action is None or action in candidate.action):
                found.append(candidate)
        assert found, f"no POST form{f' to {action}' if action else ''} on {page.url} ({page.status_code})"
        return found[0]

    def submit(self, form: Form, files: dict | None = None, **changes) -> requests.Response:
        return self.post(form.action, data=form.values(**changes), files=files)

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> requests.Response:
        login = self.form("/auth/login", "/auth/login")
        answer = self.submit(login, email=email, password=password)
        assert answer.status_code == 302, f"sign-in of {email} answered {answer.status_code}"
        return answer
