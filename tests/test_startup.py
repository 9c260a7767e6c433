"""A quick start: `make run`'s one set-up command, and an app whose import leaves the heavy libraries (PDF
rendering, colour science, PDF reading) to the first request that needs them."""

import subprocess
import sys
from pathlib import Path

from festival.app import create_app
from festival.core.extensions import db
from festival.models import Festival, User
from tests.conftest import TestConfig, empty_database_url

ROOT = Path(__file__).resolve().parent.parent

HEAVY = ("weasyprint", "coloraide", "pypdf", "pypdfium2")


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_importing_the_app_leaves_the_heavy_libraries_for_first_use():
    probe = f"import sys, wsgi; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"


def test_prepare_upgrades_loads_the_demo_once_and_prints_the_base_address_alone(tmp_path):
    settings = {
        "SQLALCHEMY_DATABASE_URI": empty_database_url(tmp_path, "prepare"),
        "PUBLIC_BASE_URL": "https://ldst.example.vn/",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    app = create_app(type("Fresh", (TestConfig,), settings))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["festival", "prepare", "--host", "0.0.0.0", "--port", "8000"])
    assert first.exit_code == 0, first.output
    assert first.stdout == "https://ldst.example.vn\n"  # what make run hands to the web and the worker
    assert "Demo festival loaded" in first.stderr and "https://ldst.example.vn" in first.stderr
    with app.app_context():
        festivals, accounts = count(Festival), count(User)
        assert festivals == 1 and accounts > 10
    again = runner.invoke(args=["festival", "prepare"])
    assert again.exit_code == 0 and again.stdout == "https://ldst.example.vn\n"
    assert "Demo festival loaded" not in again.stderr
    with app.app_context():
        assert (count(Festival), count(User)) == (festivals, accounts)
        db.session.remove()
        db.engine.dispose()
