"""Uploaded files kept between requests (the import steps; the files of an exhibit form that was refused, so
they need not be chosen again): on disk under IMPORTS_DIR, named by a random id, bound to the
organizer and festival that uploaded them and forgotten after IMPORT_UPLOAD_HOURS — so whichever worker of a
multi-process server answers the next step finds them, and nothing large rides in the session cookie."""

import json
import os
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flask import current_app

from festival.models import Festival, User
from festival.spreadsheets.imports import Choices

ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")


@dataclass(frozen=True)
class Upload:
    """A file waiting to be imported, with what the organizer chose for it so far."""

    id: str
    kind: str
    festival_id: int
    user_id: int | None
    filename: str
    uploaded_at: datetime
    choices: Choices

    def read(self) -> bytes:
        return _data_path(self.id).read_bytes()


def imports_dir() -> Path:
    folder = Path(current_app.config["IMPORTS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _data_path(upload_id: str) -> Path:
    return imports_dir() / f"{upload_id}.upload"


def _meta_path(upload_id: str) -> Path:
    return imports_dir() / f"{upload_id}.json"


def _write(path: Path, data: bytes) -> None:
    """Written whole or not at all: another worker never reads half a file."""
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    partial.write_bytes(data)
    os.replace(partial, path)


def _keep_for() -> timedelta:
    return timedelta(hours=float(current_app.config["IMPORT_UPLOAD_HOURS"]))


def _save(upload: Upload) -> None:
    meta = {
        "kind": upload.kind,
        "festival_id": upload.festival_id,
        "user_id": upload.user_id,
        "filename": upload.filename,
        "uploaded_at": upload.uploaded_at.isoformat(),
        "choices": upload.choices.to_json(),
    }
    _write(_meta_path(upload.id), json.dumps(meta, ensure_ascii=False).encode("utf-8"))


def stage(data: bytes, filename: str, kind: str, festival: Festival, user: User | None, now=None) -> Upload:
    """Keep an uploaded file for the next steps (and forget the expired ones)."""
    now = now or datetime.now(timezone.utc)
    sweep(now)
    upload = Upload(
        id=secrets.token_urlsafe(16),
        kind=kind,
        festival_id=festival.id,
        user_id=user.id if user is not None else None,
        filename=Path(filename or "").name[:200] or "upload",
        uploaded_at=now,
        choices=Choices(),
    )
    _write(_data_path(upload.id), data)
    _save(upload)
    return upload


def find(upload_id: str, kind: str, festival: Festival, user: User | None, now=None) -> Upload | None:
    """The upload, when it exists, has not expired, and belongs to this list, festival and organizer."""
    if not ID_PATTERN.fullmatch(upload_id or ""):
        return None
    try:
        meta = json.loads(_meta_path(upload_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    uploaded_at = datetime.fromisoformat(meta["uploaded_at"])
    now = now or datetime.now(timezone.utc)
    if now - uploaded_at > _keep_for() or not _data_path(upload_id).exists():
        return None
    if (meta["kind"], meta["festival_id"], meta["user_id"]) != (kind, festival.id, user.id if user else None):
        return None
    return Upload(
        upload_id,
        meta["kind"],
        meta["festival_id"],
        meta["user_id"],
        meta["filename"],
        uploaded_at,
        Choices.from_json(meta["choices"]),
    )


def save_choices(upload: Upload, choices: Choices) -> Upload:
    """Remember what the organizer chose, for the next step."""
    upload = replace(upload, choices=choices)
    _save(upload)
    return upload


def discard(upload: Upload) -> None:
    """Forget the upload (it was imported or cancelled)."""
    for path in (_data_path(upload.id), _meta_path(upload.id)):
        path.unlink(missing_ok=True)


def sweep(now=None) -> int:
    """Remove uploads older than IMPORT_UPLOAD_HOURS (and leftovers of interrupted writes); how many went."""
    now = now or datetime.now(timezone.utc)
    limit = (now - _keep_for() - timedelta(minutes=5)).timestamp()
    removed = 0
    for path in imports_dir().iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed
