"""Backup while the app is writing, and restore: integrity, every committed row, every kept file (uploads and
the outbox's .eml files, from a folder or an S3 bucket), and the files the database names but storage lost."""

import io
import json
import secrets
import sqlite3
import tarfile
import threading
import time

import pytest

from festival.core import backup, storage
from festival.core.extensions import db
from festival.exhibits import services as exhibits
from festival.models import (
    Attachment,
    AuditLog,
    CertificateTemplate,
    ExhibitStatus,
    MailMessage,
    MailStatus,
    Role,
    utcnow,
)
from tests import factories
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
    assert "stored files, uploads: 1, outbox: 0" in result.output
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


def _app_with_files(app) -> dict[str, bytes]:
    """An exhibit with a photo (and its thumbnail) and a PDF, a certificate signature, the .eml of the message
    its submission sent, and a print and an import (not kept); returns the kept objects, "area/key" → bytes."""
    kept = {}
    with app.app_context():
        festival = factories.make_festival()
        unit = factories.make_unit("BACKUP")
        exhibit = factories.make_exhibit(festival, unit, factories.make_category(festival), status=ExhibitStatus.DRAFT)
        uploads = storage.store("uploads")
        photo, thumbnail, document, signature = (
            f"exhibits/{secrets.token_hex(8)}{suffix}" for suffix in (".jpg", "-thumb.jpg", ".pdf", ".png")
        )
        contents = {
            photo: factories.jpeg_bytes(),
            thumbnail: factories.jpeg_bytes(16, 12),
            document: factories.pdf_bytes(),
            signature: factories.png_bytes(),
        }
        for key, data in contents.items():
            uploads.put(key, data)
            kept[f"uploads/{key}"] = data
        db.session.add_all(
            [
                Attachment(
                    exhibit=exhibit,
                    original_name="anh.jpg",
                    stored_name=photo,
                    thumbnail_name=thumbnail,
                    content_type="image/jpeg",
                    size=len(contents[photo]),
                ),
                Attachment(
                    exhibit=exhibit,
                    original_name="ho-so.pdf",
                    stored_name=document,
                    content_type="application/pdf",
                    size=len(contents[document]),
                ),
            ]
        )
        db.session.execute(db.select(CertificateTemplate)).scalars().first().signature_image = signature
        exhibits.submit_exhibit(exhibit, factories.make_user(Role.UNIT, unit=unit), utcnow())
        db.session.commit()  # the "exhibit received" message is written to the outbox as the queue runs it
        [message] = db.session.execute(db.select(MailMessage)).scalars()
        assert message.status is MailStatus.SENT
        kept[f"outbox/{message.outbox_file}"] = storage.store("outbox").read(message.outbox_file)
        storage.store("prints").put("job-1.pdf", b"%PDF print")
        storage.store("imports").put("waiting.xlsx", b"PK sheet")
    return kept


def _archive(path) -> tuple[dict[str, bytes], dict]:
    """The stored files a backup holds ("area/key" → bytes) and its manifest."""
    with tarfile.open(path, "r:gz") as archive:
        held = {
            member.name: archive.extractfile(member).read()
            for member in archive.getmembers()
            if member.isfile() and member.name.split("/")[0] in storage.KEPT_AREAS
        }
        return held, json.load(archive.extractfile("MANIFEST.json"))


def test_a_backup_holds_every_kept_object_from_the_configured_store(tmp_path, both_backends, monkeypatch):
    app = make_app(tmp_path, **both_backends)
    kept = _app_with_files(app)
    out = tmp_path / "backup.tar.gz"

    def whole_file(key):
        raise AssertionError(f"{key} read whole into memory")

    with monkeypatch.context() as patch:
        with app.app_context():
            for area in storage.KEPT_AREAS:
                patch.setattr(storage.store(area), "read", whole_file)  # streamed from `open`, a block at a time
        result = app.test_cli_runner().invoke(args=["festival", "backup", "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert "stored files, uploads: 4, outbox: 1" in result.output and "missing" not in result.output
    held, manifest = _archive(out)
    assert held == kept  # names and bytes; no print, no import
    assert manifest["areas"] == {"uploads": 4, "outbox": 1} and manifest["missing"] == []
    assert manifest["storage"] == ("s3" if both_backends else "local")


def test_files_the_database_names_but_storage_lost_are_listed_and_said_loudly(tmp_path, both_backends):
    app = make_app(tmp_path, **both_backends)
    kept = _app_with_files(app)
    lost_upload = next(name for name in kept if name.endswith("-thumb.jpg"))
    lost_message = next(name for name in kept if name.startswith("outbox/"))
    with app.app_context():
        storage.store("uploads").delete(lost_upload.removeprefix("uploads/"))
        storage.store("outbox").delete(lost_message.removeprefix("outbox/"))
    out = tmp_path / "backup.tar.gz"
    runner = app.test_cli_runner()

    result = runner.invoke(args=["festival", "backup", "--out", str(out)])

    assert result.exit_code == 0, result.output  # the backup is still written: it holds everything left
    assert f"2 files named in the database are missing from storage: {lost_message}, {lost_upload}" in result.output
    held, manifest = _archive(out)
    assert manifest["missing"] == [lost_message, lost_upload]
    assert set(held) == set(kept) - {lost_upload, lost_message}
    strict = runner.invoke(args=["festival", "backup", "--out", str(tmp_path / "strict.tar.gz"), "--strict"])
    assert strict.exit_code == 2 and "missing from storage" in strict.output
    assert (tmp_path / "strict.tar.gz").exists()


def _restored_app(tmp_path, both_backends):
    """A second app on an empty database, and an empty folder or another prefix of the same bucket."""
    settings = {**both_backends, "STORAGE_URL": "s3://festival/other"} if both_backends else {}
    return make_app(tmp_path / "restored", SQLALCHEMY_DATABASE_URI=empty_database_url(tmp_path, "restore"), **settings)


def _stored_names(app) -> set[str]:
    with app.app_context():
        return set(db.session.execute(db.select(Attachment.stored_name)).scalars())


def test_restore_into_an_empty_store_puts_every_object_back(tmp_path, both_backends):
    app = make_app(tmp_path, **both_backends)
    kept = _app_with_files(app)
    out = tmp_path / "backup.tar.gz"
    assert app.test_cli_runner().invoke(args=["festival", "backup", "--out", str(out)]).exit_code == 0
    target = _restored_app(tmp_path, both_backends)
    with target.app_context():
        assert [list(storage.store(area).list()) for area in storage.KEPT_AREAS] == [[], []]

    result = target.test_cli_runner().invoke(args=["festival", "restore", str(out), "--yes"])

    assert result.exit_code == 0, result.output
    assert "files restored: uploads: 4, outbox: 1" in result.output
    with target.app_context():
        restored = {
            f"{area}/{found.key}": storage.store(area).read(found.key)
            for area in storage.KEPT_AREAS
            for found in storage.store(area).list()
        }
        assert restored == kept
        assert _stored_names(target) == _stored_names(app)


def test_a_backup_made_from_the_uploads_folder_restores_into_either_store(tmp_path, both_backends):
    """Backups made before the store: `uploads/` added as a folder (its folder entries too), no outbox."""
    app = make_app(tmp_path, **both_backends)
    kept = _app_with_files(app)
    new = tmp_path / "new.tar.gz"
    assert app.test_cli_runner().invoke(args=["festival", "backup", "--out", str(new)]).exit_code == 0
    unpacked = tmp_path / "unpacked"
    with tarfile.open(new, "r:gz") as archive:
        archive.extractall(unpacked, filter="data")
    old = tmp_path / "old.tar.gz"
    with tarfile.open(old, "w:gz") as archive:
        for name in ("festival.db", "festival.pgdump", "MANIFEST.json", "uploads"):
            if (unpacked / name).exists():
                archive.add(unpacked / name, arcname=name)
    target = _restored_app(tmp_path, both_backends)

    result = target.test_cli_runner().invoke(args=["festival", "restore", str(old), "--yes"])

    assert result.exit_code == 0, result.output
    assert "files restored: uploads: 4)" in result.output
    with target.app_context():
        uploads = storage.store("uploads")
        assert {f"uploads/{found.key}": uploads.read(found.key) for found in uploads.list()} == {
            name: data for name, data in kept.items() if name.startswith("uploads/")
        }


def test_every_column_naming_a_stored_file_is_checked_by_backups():
    """A new table with files (an initiative's photos) must be in NAMED_KEYS, or a lost file is never reported."""
    from_models = {
        (table.name, column.name)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if column.name in ("stored_name", "thumbnail_name", "outbox_file") or column.name.endswith("_image")
    }
    listed = {(column.table.name, column.name) for _area, column in backup.NAMED_KEYS}
    assert from_models == listed
