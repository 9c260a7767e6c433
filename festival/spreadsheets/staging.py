"""Uploaded files kept between requests (the import steps; the files of an exhibit form that was refused, so
they need not be chosen again): in the "imports" store (IMPORTS_DIR, or the shared bucket), named by a random
id, bound to the organizer and festival that uploaded them and forgotten after IMPORT_UPLOAD_HOURS — so
whichever worker or machine answers the next step finds them, and nothing large rides in the session cookie."""

import json
import logging
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from festival.core import storage
from festival.core.errors import Unavailable
from festival.models import Festival, User
from festival.spreadsheets.imports import Choices

log = logging.getLogger(__name__)

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
        return storage.store("imports").read(_data_key(self.id))


def _data_key(upload_id: str) -> str:
    return f"{upload_id}.upload"


def _meta_key(upload_id: str) -> str:
    return f"{upload_id}.json"


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
    storage.store("imports").put(_meta_key(upload.id), json.dumps(meta, ensure_ascii=False).encode("utf-8"))


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
    storage.store("imports").put(_data_key(upload.id), data)
    _save(upload)
    return upload


def find(upload_id: str, kind: str, festival: Festival, user: User | None, now=None) -> Upload | None:
    """The upload, when it exists, has not expired, and belongs to this list, festival and organizer.

    :raise Unavailable: the store does not answer (the upload may well be there: the organizer tries again).
    """
    if not ID_PATTERN.fullmatch(upload_id or ""):
        return None
    files = storage.store("imports")
    try:
        meta = json.loads(files.read(_meta_key(upload_id)).decode("utf-8"))
        kept = files.exists(_data_key(upload_id))
    except (FileNotFoundError, ValueError):
        return None
    except OSError:
        raise Unavailable(
            _l("Kho lưu trữ tệp không trả lời nên chưa mở được tệp đã tải lên. Hãy thử lại sau ít phút.")
        ) from None
    uploaded_at = datetime.fromisoformat(meta["uploaded_at"])
    now = now or datetime.now(timezone.utc)
    if now - uploaded_at > _keep_for() or not kept:
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
    """Forget the upload (it was imported or cancelled).

    Often run once the import is committed: a store that cannot be reached then leaves the files for the
    sweep (logged) rather than turning the committed import into an error page.
    """
    try:
        storage.store("imports").delete(_data_key(upload.id), _meta_key(upload.id))
    except OSError:
        log.exception("Staged upload %s could not be removed", upload.id)


def sweep(now=None) -> int:
    """Remove uploads older than IMPORT_UPLOAD_HOURS; how many files went."""
    now = now or datetime.now(timezone.utc)
    limit = now - _keep_for() - timedelta(minutes=5)
    files = storage.store("imports")
    old = [found.key for found in files.list() if found.modified < limit]
    files.delete(*old)
    return len(old)
