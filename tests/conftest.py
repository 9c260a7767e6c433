"""App-factory fixtures: a fresh app and database per test, a client, and sign-in helpers.

With TEST_DATABASE_URL (a PostgreSQL URL) the suite runs against that server instead of SQLite:
each pytest-xdist worker gets its own database, its tables made once, emptied after every test.
"""

import os

# Queued tasks run at once in the test that queues them (festival/core/queue.py reads this on import).
os.environ.setdefault("QUEUE_URL", "immediate")

import boto3
import hypothesis
import psycopg
import pytest
import sqlalchemy as sa
from moto import mock_aws

from config import TestConfig
from festival.app import create_app
from festival.core.extensions import db
from festival.models import Region, Role
from tests import factories

# Speed is measured by bench/, never asserted: no per-example deadline (machines differ 2–3×).
hypothesis.settings.register_profile("festival", deadline=None)
hypothesis.settings.load_profile("festival")

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgresql")


def _server_url(url: str, database: str) -> str:
    return sa.engine.make_url(url).set(database=database).render_as_string(hide_password=False)


def _libpq(url: str) -> str:
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def fresh_postgres_database(name: str) -> str:
    """A new, empty database on the test server (dropped first if a previous run left it)."""
    with psycopg.connect(_libpq(_server_url(POSTGRES_URL, "postgres")), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
        )
    return _server_url(POSTGRES_URL, name)


def _worker_database(name: str) -> str:
    """This pytest-xdist worker's own database called `name` on the test server."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"{sa.engine.make_url(POSTGRES_URL).database}_{worker}_{name}"


def empty_database_url(tmp_path, name: str = "empty") -> str:
    """A database with no tables at all: a new SQLite file, or a new PostgreSQL database."""
    if ON_POSTGRES:
        return fresh_postgres_database(_worker_database(name))
    return f"sqlite:///{tmp_path / f'{name}.db'}"


@pytest.fixture(scope="session")
def postgres_url():
    """This worker's PostgreSQL database with every table made (None when running on SQLite)."""
    if not ON_POSTGRES:
        return None
    url = empty_database_url(None, "suite")
    app = create_app(type("Setup", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return url


_apps_made: list = []


@pytest.fixture(autouse=True)
def _close_apps_and_empty_postgres(postgres_url):
    """After each test: close every app's database connections; on PostgreSQL, empty the tables."""
    yield
    while _apps_made:
        app = _apps_made.pop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if postgres_url:
        engine = sa.create_engine(postgres_url)
        with engine.begin() as connection:
            _empty(connection)
        engine.dispose()


def _empty(connection) -> None:
    connection.exec_driver_sql("SET lock_timeout = '20s'")  # fail loudly, never hang, if a test left a transaction open
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def empty_tables() -> None:
    """On PostgreSQL, empty the current app's tables mid-test (its SQLite file is the test's own anyway)."""
    if ON_POSTGRES:
        db.session.remove()
        with db.engine.begin() as connection:
            _empty(connection)


def make_app(tmp_path, **overrides):
    """An app on its own SQLite file under tmp_path (or this worker's PostgreSQL database), tables made."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": _server_url(POSTGRES_URL, _worker_database("suite"))
        if ON_POSTGRES
        else f"sqlite:///{tmp_path / 'festival.db'}",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "JOBS_DIR": str(tmp_path / "jobs"),
        "CERTIFICATE_CACHE_DIR": str(tmp_path / "certificates"),
        "IMPORTS_DIR": str(tmp_path / "imports"),
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        **overrides,
    }
    config = type("Config", (TestConfig,), settings)
    app = create_app(config)
    _apps_made.append(app)
    if not ON_POSTGRES:
        with app.app_context():
            db.create_all()
    return app


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture
def s3_storage(monkeypatch):
    """Settings for an app whose files are kept in S3: a bucket of moto's in-process mock of AWS."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="festival")
        yield {"STORAGE_URL": "s3://festival/test", "STORAGE_S3_REGION": "us-east-1"}


@pytest.fixture(params=["local", "s3"])
def both_backends(request):
    """Settings for each storage backend in turn; a module runs its tests on both with
    `app = make_app(tmp_path, **both_backends)` in its own `app` fixture."""
    return {} if request.param == "local" else request.getfixturevalue("s3_storage")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An app context for tests that work with models directly."""
    with app.app_context():
        yield


class AuthActions:
    """Sign a test client in and out (flaskr's AuthActions)."""

    def __init__(self, client):
        self._client = client

    def login(self, email, password=factories.PASSWORD, **kwargs):
        return self._client.post("/auth/login", data={"email": email, "password": password}, **kwargs)

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def people(app):
    """A festival, two units, and one account of each role (unit A and B reps, unit A's support team)."""
    with app.app_context():
        festival = factories.make_festival()
        unit_a = factories.make_unit("UNITA", name="Tổng Công ty May Đức Giang", short_name="Đức Giang")
        unit_b = factories.make_unit(
            "UNITB", region=Region.HCMC, name="Tổng Công ty May Việt Tiến", short_name="Việt Tiến"
        )
        category = factories.make_category(festival)
        accounts = {
            "organizer": factories.make_user(Role.ORGANIZER, email="organizer@example.vn"),
            "unit_a": factories.make_user(Role.UNIT, unit=unit_a, email="unit-a@example.vn"),
            "unit_b": factories.make_user(Role.UNIT, unit=unit_b, email="unit-b@example.vn"),
            "judge": factories.make_user(Role.JUDGE, email="judge@example.vn"),
            "checkin": factories.make_user(Role.CHECKIN, email="checkin@example.vn"),
            "support_a": factories.make_user(Role.SUPPORT, unit=unit_a, email="support-a@example.vn"),
        }
        db.session.commit()
        ids = {"festival": festival.id, "unit_a": unit_a.id, "unit_b": unit_b.id, "category": category.id}
        ids.update({f"{name}_user": user.id for name, user in accounts.items()})
        return {"emails": {name: user.email for name, user in accounts.items()}, "ids": ids}


@pytest.fixture
def login_as(client, auth, people):
    """Sign the client in as one of the `people` fixture's accounts by role name."""

    def login(name):
        response = auth.login(people["emails"][name])
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return login
