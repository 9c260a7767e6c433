"""Backups while the app serves: the database (SQLite's online backup API, or pg_dump) and every stored file
that cannot be made again, in one .tar.gz; and putting such a backup back.

The kept areas of the file store (storage.KEPT_AREAS) go in, from whichever store is configured (a folder or
an S3 bucket): "uploads" (attachments, thumbnails, certificate signatures and seals) under `uploads/…` and
"outbox" (the .eml files) under `outbox/…`. Finished prints and the certificate page cache are not kept (they
are rendered again on demand), nor are spreadsheets between import steps (short-lived by design).
"""

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

from festival.core import storage
from festival.core.extensions import db
from festival.models import Attachment, CertificateTemplate, InitiativeFile, MailMessage

SQLITE_NAME = "festival.db"
POSTGRES_NAME = "festival.pgdump"
MANIFEST = "MANIFEST.json"

# Every column holding a key of a kept area: a backup checks that each key they name is in it.
NAMED_KEYS = (
    ("uploads", Attachment.stored_name),
    ("uploads", Attachment.thumbnail_name),
    ("uploads", InitiativeFile.stored_name),
    ("uploads", InitiativeFile.thumbnail_name),
    ("uploads", CertificateTemplate.signature_image),
    ("uploads", CertificateTemplate.seal_image),
    ("outbox", MailMessage.outbox_file),
)


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


def _named_keys() -> set[str]:
    """Every "area/key" the database names, read before the database is copied: a file deleted after that is
    reported missing rather than silently absent from a backup whose rows still name it."""
    named = set()
    for area, column in NAMED_KEYS:
        keys = db.session.execute(db.select(column).where(column.is_not(None), column != "")).scalars()
        named.update(f"{area}/{key}" for key in keys)
    db.session.rollback()
    return named


def _dump_database(url, work: Path) -> Path:
    """A consistent copy of the app's database in `work`.

    :raise BackupError: the copy failed or pg_dump is missing.
    """
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
        return dump
    if url.get_backend_name() == "postgresql":
        dump = work / POSTGRES_NAME
        if shutil.which("pg_dump") is None:
            raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client).")
        done = _run_libpq(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}"], url)
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")
        return dump
    raise BackupError(f"No backup for the {url.get_backend_name()} database.")


def _add_area(archive: tarfile.TarFile, area: str) -> list[str]:
    """Stream every object of one area into the archive, a block at a time (never a whole file in memory);
    returns the "area/key" names written. An object deleted while the backup runs is left out.

    :raise BackupError: the store could not be listed or read.
    """
    files = storage.store(area)
    written = []
    try:
        for found in files.list():
            try:
                handle = files.open(found.key)
            except FileNotFoundError:
                continue
            try:
                # The size of what is open now: the listing may be older than the object.
                size = files.stat(found.key).size
                info = tarfile.TarInfo(f"{area}/{found.key}")
                info.size, info.mtime, info.mode = size, int(found.modified.timestamp()), 0o600
                archive.addfile(info, handle)
            finally:
                handle.close()
            written.append(info.name)
    except OSError as error:
        raise BackupError(f"The {area} files could not be copied into the backup: {error}") from None
    return written


def create_backup(out: Path) -> dict:
    """Write a consistent copy of the database and every object of the kept areas to `out` (.tar.gz).

    The manifest counts each area's objects and lists under "missing" every "area/key" the database names
    that the backup does not hold (a file lost from storage: the backup is still written).

    :raise BackupError: the database could not be copied (or pg_dump is missing), or the store could not be read.
    """
    url = _database_url()
    with tempfile.TemporaryDirectory() as work:
        named = _named_keys()
        dump = _dump_database(url, Path(work))
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        # Readable by its owner only, from the first byte: it holds password hashes and phone numbers.
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(dump, arcname=dump.name)
                areas = {area: _add_area(archive, area) for area in storage.KEPT_AREAS}
                held = {name for names in areas.values() for name in names}
                manifest = {
                    "created_at": datetime.now(timezone.utc).isoformat(),
                    "database": url.get_backend_name(),
                    "revision": _revision(),
                    "storage": "s3" if current_app.config.get("STORAGE_URL") else "local",
                    "areas": {area: len(names) for area, names in areas.items()},
                    "missing": sorted(named - held),
                }
                data = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(data), int(time.time())
                archive.addfile(info, io.BytesIO(data))
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(out)  # never a half-written backup under the real name
    return manifest


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"Unexpected entry in the backup: {member.name!r}.")
        if name.parts[0] not in (SQLITE_NAME, POSTGRES_NAME, MANIFEST, *storage.KEPT_AREAS):
            raise BackupError(f"Unexpected entry in the backup: {member.name!r}.")
        members.append(member)
    return members


def _restore_database(url, work: Path) -> None:
    """:raise BackupError: a damaged copy, or pg_restore missing or failing."""
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


def _restore_area(area: str, folder: Path) -> int:
    """Put one area's files back from `folder` (extracted from the backup); returns how many objects it holds.

    On this machine the area's folder is replaced whole and the previous one kept beside it (as
    `<folder>.before-restore-<time>`); in a bucket each object is put (objects the backup does not hold stay).

    :raise BackupError: the store refused an object.
    """
    files = storage.store(area)
    if isinstance(files, storage.LocalStore):
        count = sum(1 for _ in storage.LocalStore(folder).list())
        if files.root.exists():
            files.root.rename(files.root.with_name(f"{files.root.name}.before-restore-{int(time.time())}"))
        shutil.move(str(folder), files.root)
        return count
    count = 0
    try:
        for found in storage.LocalStore(folder).list():  # only well-formed keys: a folder's stray files stay out
            with open(folder / found.key, "rb") as handle:
                files.put(found.key, handle)
            count += 1
    except OSError as error:
        raise BackupError(f"The {area} files could not be written to storage: {error}") from None
    return count


def restore_backup(path: Path) -> dict:
    """Put a backup back: the database replaced by its copy, then each kept area's files into the configured
    store (see _restore_area); the manifest is returned with "restored", the objects put back per area. Stop
    the app first. Backups made before the outbox was kept hold only `uploads/`, read the same way.

    :raise BackupError: not a backup, a damaged copy, the wrong kind of database, or a store that refused.
    """
    url = _database_url()
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
        _restore_database(url, work)
        manifest["restored"] = {
            area: _restore_area(area, work / area) for area in storage.KEPT_AREAS if (work / area).is_dir()
        }
    return manifest
