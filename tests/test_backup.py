"""Backup while the app is writing, and restore: integrity, every committed row, the uploads."""

import io
import sqlite3
import tarfile
import threading
import time

import pytest

from festival.core.extensions import db
from festival.models import AuditLog
from tests.conftest import ON_POSTGRES, empty_database_url, make_app

sqlite_only = pytest.mark.skipif(
    ON_POSTGRES, reason="SQLite's online backup; on PostgreSQL see test_postgres_backup_round_trip"
)


@sqlite_only
def test_backup_during_concurrent_writes_restores_every_committed_row(tmp_path):
    (tmp_path / "live").mkdir()
    (tmp_path / "restored").mkdir()
    app = make_app(tmp_path / "live")
    uploads = tmp_path / "live" / "uploads" / "exhibits"
    uploads.mkdir(parents=True)
    (uploads / "anh.jpg").write_bytes(b"\xff\xd8\xff photo")
    committed: list[int] = []
    stop = threading.Event()

    def writer():
        with app.app_context():
            while not stop.is_set():
                entry = AuditLog(action="test.write")
                db.session.add(entry)
                db.session.commit()
                committed.append(entry.id)
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    while len(committed) < 50:
        time.sleep(0.01)
    before = list(committed)
    out = tmp_path / "backup.tar.gz"
    result = app.test_cli_runner().invoke(args=["festival", "backup", "--out", str(out)])
    time.sleep(0.05)
    stop.set()
    thread.join()
    assert result.exit_code == 0, result.output
    assert "1 uploaded files" in result.output
    assert len(committed) > len(before)  # the app kept writing meanwhile

    fresh = make_app(tmp_path / "restored")
    restored = fresh.test_cli_runner().invoke(args=["festival", "restore", str(out), "--yes"])
    assert restored.exit_code == 0, restored.output
    database = sqlite3.connect(tmp_path / "restored" / "festival.db")
    try:
        assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = {row[0] for row in database.execute("SELECT id FROM audit_log")}
    finally:
        database.close()
    assert set(before) <= ids
    assert (tmp_path / "restored" / "uploads" / "exhibits" / "anh.jpg").read_bytes() == b"\xff\xd8\xff photo"


@sqlite_only
def test_restore_keeps_the_previous_uploads_and_asks_first(tmp_path):
    app = make_app(tmp_path)
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "old.txt").write_text("before")
    out = tmp_path / "b.tar.gz"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["festival", "backup", "--out", str(out)]).exit_code == 0
    assert runner.invoke(args=["festival", "restore", str(out)], input="n\n").exit_code != 0  # declined
    assert runner.invoke(args=["festival", "restore", str(out)], input="y\n").exit_code == 0
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("uploads.before-restore-")]
    assert len(kept) == 1 and (kept[0] / "old.txt").read_text() == "before"
    assert (tmp_path / "uploads" / "old.txt").read_text() == "before"


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    app = make_app(tmp_path)
    runner = app.test_cli_runner()
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a backup")
    result = runner.invoke(args=["festival", "restore", str(junk), "--yes"])
    assert result.exit_code == 1 and "Not a readable backup" in result.output
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as archive:
        data = b"x"
        info = tarfile.TarInfo("../../etc/cron.d/evil")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    result = runner.invoke(args=["festival", "restore", str(evil), "--yes"])
    assert result.exit_code == 1 and "Unexpected entry" in result.output


@pytest.mark.skipif(not ON_POSTGRES, reason="pg_dump and pg_restore need the PostgreSQL run (TEST_DATABASE_URL)")
def test_postgres_backup_round_trip(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        db.session.add_all([AuditLog(action=f"test.{n}") for n in range(5)])
        db.session.commit()
    out = tmp_path / "pg.tar.gz"
    assert app.test_cli_runner().invoke(args=["festival", "backup", "--out", str(out)]).exit_code == 0
    target = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=empty_database_url(tmp_path, "restore"))
    result = target.test_cli_runner().invoke(args=["festival", "restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    with target.app_context():
        assert sorted(db.session.execute(db.select(AuditLog.action)).scalars()) == [f"test.{n}" for n in range(5)]
