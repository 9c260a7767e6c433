"""Configuration: production refusals, SQLite settings and concurrent writers."""

import threading

import pytest

from config import ProductionConfig, config_for_environment
from festival import create_app
from festival.extensions import db
from festival.models import AuditLog
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
