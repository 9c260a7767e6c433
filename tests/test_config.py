"""Configuration: production refusals, the generated secret key, SQLite settings and concurrent writers."""

import stat
import threading

import pytest

from config import Config, ProductionConfig, TestConfig, config_for_environment
from festival.app import create_app, is_strong_secret
from festival.auth.views import _device_serializer
from festival.core import files
from festival.core.extensions import db
from festival.models import AuditLog
from festival.util.sqlite_writers import QueuedWriterConnection
from tests.conftest import ON_POSTGRES, make_app


def test_production_refuses_the_default_secret_key(monkeypatch):
    monkeypatch.setenv("FESTIVAL_ENV", "production")
    assert config_for_environment() is ProductionConfig
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


STRONG_KEY = "q3Zr9-T_kW2vYb8LmN0xPa5sJd7HcGe4UfRi6Ot1"


@pytest.mark.parametrize("key", ["x", "x" * 40, "ab" * 20, "short-but-varied-1234", "dev-only-not-secret"])
def test_production_refuses_a_short_or_repetitive_secret_key(key):
    config = type("Prod", (ProductionConfig,), {"SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(RuntimeError, match="32 bytes"):
        create_app(config)


def test_production_sets_secure_cookies():
    config = type("Prod", (ProductionConfig,), {"SECRET_KEY": STRONG_KEY, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def _without_key(key_file, base=Config):
    return type(
        "NoKey", (base,), {"SECRET_KEY": "", "SECRET_KEY_FILE": str(key_file), "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )


def test_without_a_secret_key_one_is_made_at_random_kept_private_and_reused(tmp_path):
    key_file = tmp_path / "instance" / "secret_key"
    first = create_app(_without_key(key_file))
    second = create_app(_without_key(key_file))  # the worker, another gunicorn worker, the next start

    key = first.config["SECRET_KEY"]
    assert key == second.config["SECRET_KEY"] == key_file.read_text().strip()
    assert is_strong_secret(key)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    # A cookie one process signs, the other accepts (the device cookie that lifts the sign-in delay).
    with first.app_context():
        cookie = _device_serializer().dumps(7)
    with second.app_context():
        assert _device_serializer().loads(cookie) == 7
    # Not a fixed development key: another installation gets its own.
    other = create_app(_without_key(tmp_path / "elsewhere" / "secret_key"))
    assert other.config["SECRET_KEY"] != key


def test_processes_starting_at_once_all_get_the_one_key(tmp_path):
    key_file = tmp_path / "instance" / "secret_key"
    start = threading.Barrier(8)
    keys = []

    def read():
        start.wait()
        keys.append(files.instance_secret_key(key_file))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and set(keys) == {key_file.read_text().strip()}
    assert sorted(p.name for p in key_file.parent.iterdir()) == ["secret_key"]  # no temporary file left


def test_production_refuses_a_missing_key_and_never_makes_one(tmp_path):
    key_file = tmp_path / "instance" / "secret_key"
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_without_key(key_file, ProductionConfig))
    assert not key_file.exists()


def test_the_tests_keep_their_own_fixed_key():
    assert TestConfig.SECRET_KEY == "test-secret"


def test_database_url_comes_from_the_environment(monkeypatch):
    import importlib

    import config

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://festival@localhost/festival")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    try:
        reloaded = importlib.reload(config)
        assert reloaded.Config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://festival@localhost/festival"
        assert reloaded.Config.SECRET_KEY == "from-env"
    finally:
        monkeypatch.undo()
        importlib.reload(config)


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite connection settings; the suite is running on PostgreSQL")
def test_sqlite_runs_with_foreign_keys_wal_and_busy_timeout(app):
    with app.app_context():
        assert db.session.execute(db.text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(db.text("PRAGMA busy_timeout")).scalar() >= 5000
        # …and its writers queue for the write lock instead of polling for it (tests/test_sqlite_writers.py)
        assert isinstance(db.session.connection().connection.dbapi_connection, QueuedWriterConnection)


def test_concurrent_writers_wait_instead_of_failing(tmp_path):
    """Read-then-write transactions from many threads all succeed (BEGIN IMMEDIATE)."""
    app = make_app(tmp_path)
    errors = []

    def writer(n):
        with app.app_context():
            try:
                for i in range(15):
                    seen = db.session.scalar(db.select(db.func.count()).select_from(AuditLog))
                    db.session.add(AuditLog(action=f"test.{n}.{i}", after={"seen": seen}))
                    db.session.commit()
            except Exception as error:  # collected for the assertion below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditLog)) == 8 * 15
