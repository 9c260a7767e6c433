"""Backups while the app serves: the database (SQLite's online backup API, or pg_dump) and the
uploaded files, in one .tar.gz; and putting such a backup back."""

import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import tarfile
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import make_url

from festival.core.extensions import db

SQLITE_NAME = "festival.db"
POSTGRES_NAME = "festival.pgdump"
MANIFEST = "MANIFEST.json"


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why."""


def _database_url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _run_libpq(command: list[str], url) -> subprocess.CompletedProcess:
    """Run pg_dump/pg_restore on the app's database; the password goes in the environment, where
    other users' `ps` cannot read it. libpq knows "postgresql://", not SQLAlchemy's "+psycopg"."""
    address = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    return subprocess.run([*command, f"--dbname={address}"], capture_output=True, text=True, env=env)


def _integrity(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def _revision() -> str | None:
    try:
        return db.session.execute(db.text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # a database made without migrations (tests) has no alembic_version
        db.session.rollback()
        return None


def create_backup(out: Path) -> dict:
    """Write a consistent copy of the database and every uploaded file to `out` (.tar.gz).

    :raise BackupError: the database could not be copied (or pg_dump is missing).
    """
    url = _database_url()
    uploads = Path(current_app.config["UPLOAD_DIR"])
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        if url.get_backend_name() == "sqlite":
            dump = work / SQLITE_NAME
            source = sqlite3.connect(url.database)
            target = sqlite3.connect(dump)
            try:
                # One step: SQLite copies a consistent snapshot while the app keeps writing (WAL).
                source.backup(target)
            finally:
                target.close()
                source.close()
            if _integrity(dump) != "ok":
                raise BackupError("The copy of the database failed its integrity check.")
        elif url.get_backend_name() == "postgresql":
            dump = work / POSTGRES_NAME
            if shutil.which("pg_dump") is None:
                raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client).")
            done = _run_libpq(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}"], url)
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")
        else:
            raise BackupError(f"No backup for the {url.get_backend_name()} database.")
        manifest = {
            "created_at": datetime.now(timezone.utc).isoformat(),
            "database": url.get_backend_name(),
            "revision": _revision(),
            "files": sum(1 for p in uploads.rglob("*") if p.is_file()) if uploads.exists() else 0,
        }
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        # Readable by its owner only, from the first byte: it holds password hashes and phone numbers.
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(dump, arcname=dump.name)
            if uploads.exists():
                archive.add(uploads, arcname="uploads")
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(time.time())
            archive.addfile(info, io.BytesIO(data))
        partial.replace(out)  # never a half-written backup under the real name
    return manifest


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"Unexpected entry in the backup: {member.name!r}.")
        if name.parts[0] not in (SQLITE_NAME, POSTGRES_NAME, MANIFEST, "uploads"):
            raise BackupError(f"Unexpected entry in the backup: {member.name!r}.")
        members.append(member)
    return members


def restore_backup(path: Path) -> dict:
    """Put a backup back: the database replaced by its copy, the uploads folder by its files (the
    previous folder is kept beside it). Stop the app first.

    :raise BackupError: not a backup, a damaged copy, or the wrong kind of database.
    """
    url = _database_url()
    uploads = Path(current_app.config["UPLOAD_DIR"])
    if path.stat().st_mode & stat.S_IWOTH:
        # Anyone on the machine could have put their own accounts in it.
        raise BackupError(f"{path} can be changed by any user of this machine; restore only a backup kept private.")
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        try:
            with tarfile.open(path, "r:gz") as archive:
                archive.extractall(work, members=_safe_members(archive), filter="data")
        except (tarfile.TarError, OSError, EOFError) as error:
            raise BackupError(f"Not a readable backup: {error}.") from None
        if not (work / MANIFEST).exists():
            raise BackupError("Not a Festival backup (no MANIFEST.json).")
        manifest = json.loads((work / MANIFEST).read_text())
        if manifest.get("database") != url.get_backend_name():
            raise BackupError(
                f"The backup holds a {manifest.get('database')} database; this app uses {url.get_backend_name()}."
            )
        db.session.remove()
        db.engine.dispose()
        if url.get_backend_name() == "sqlite":
            copy = work / SQLITE_NAME
            if _integrity(copy) != "ok":
                raise BackupError("The database in the backup is damaged.")
            source = sqlite3.connect(copy)
            target = sqlite3.connect(url.database)
            try:
                source.backup(target)  # replaces the whole database under SQLite's locks
            finally:
                target.close()
                source.close()
        else:
            if shutil.which("pg_restore") is None:
                raise BackupError("pg_restore is not installed (Debian: apt-get install postgresql-client).")
            done = _run_libpq(["pg_restore", "--clean", "--if-exists", "--no-owner", str(work / POSTGRES_NAME)], url)
            if done.returncode != 0:
                raise BackupError(f"pg_restore failed: {done.stderr.strip()[:500]}")
        if (work / "uploads").exists():
            if uploads.exists():
                uploads.rename(uploads.with_name(f"{uploads.name}.before-restore-{int(time.time())}"))
            shutil.move(str(work / "uploads"), uploads)
    return manifest
