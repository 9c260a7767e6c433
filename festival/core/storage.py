"""Every file the app keeps, behind one small interface, so any machine finds what another stored.

Five areas: "uploads" (attachments, thumbnails, certificate template images), "prints" (finished prints),
"certificates" (the rendered certificate pages cache), "imports" (spreadsheets between the import steps and a
refused form's files) and "outbox" (.eml files). By default each area is a folder on this machine (UPLOAD_DIR,
JOBS_DIR, … as before); with STORAGE_URL=s3://bucket/prefix every area is a prefix of one S3-compatible bucket
(MinIO, Garage, SeaweedFS, a cloud's S3) that every app machine and worker share.

Keys are relative paths ("exhibits/3f…9a.jpg"). A missing object raises FileNotFoundError; a store that cannot
be reached or written raises OSError (EIO for S3), which callers already turn into a plain message.
"""

import errno
import logging
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import quote, urlsplit

from flask import current_app, redirect, send_file
from werkzeug.exceptions import NotFound

log = logging.getLogger(__name__)

# Area → the setting that names its folder when files are kept on this machine.
AREAS = {
    "uploads": "UPLOAD_DIR",
    "prints": "JOBS_DIR",
    "certificates": "CERTIFICATE_CACHE_DIR",
    "imports": "IMPORTS_DIR",
    "outbox": "MAIL_OUTBOX_DIR",
}
# What a backup must hold: the rest is made again (prints, the page cache) or short-lived (imports).
KEPT_AREAS = ("uploads", "outbox")

_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
CHUNK = 1024 * 1024
PUBLIC_URL_SECONDS = 3600  # how long a signed URL to a public file works


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    modified: datetime  # UTC


class Store(Protocol):
    """What every backend offers; `url` is None where files cannot be fetched without the app."""

    def put(self, key: str, data: bytes | BinaryIO) -> None: ...
    def open(self, key: str) -> BinaryIO: ...
    def read(self, key: str) -> bytes: ...
    def stat(self, key: str) -> StoredObject: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, *keys: str | None) -> None: ...
    def list(self, prefix: str = "") -> Iterator[StoredObject]: ...
    def url(self, key: str, seconds: int, download_name: str | None = None) -> str | None: ...


def check_key(key: str) -> str:
    """The key itself when it is a plain relative path (no "..", no leading "/", no odd characters).

    :raise ValueError: for anything else, so a name from a request can never reach outside its area.
    """
    if not isinstance(key, str) or not _KEY.fullmatch(key) or len(key) > 512:
        raise ValueError(f"Not a storage key: {key!r}")
    return key


class LocalStore:
    """A folder on this machine; objects are written whole (a temporary file renamed) or not at all."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes | BinaryIO) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        try:
            with open(partial, "wb") as handle:
                if isinstance(data, bytes | bytearray | memoryview):
                    handle.write(data)
                else:
                    while block := data.read(CHUNK):
                        handle.write(block)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, path)
        except OSError:
            partial.unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        path = self.path(key)
        if not path.is_file():
            raise FileNotFoundError(errno.ENOENT, "No such stored file", key)
        return open(path, "rb")

    def read(self, key: str) -> bytes:
        with self.open(key) as handle:
            return handle.read()

    def stat(self, key: str) -> StoredObject:
        path = self.path(key)
        if not path.is_file():
            raise FileNotFoundError(errno.ENOENT, "No such stored file", key)
        status = path.stat()
        return StoredObject(key, status.st_size, datetime.fromtimestamp(status.st_mtime, timezone.utc))

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, *keys: str | None) -> None:
        for key in keys:
            if key:
                self.path(key).unlink(missing_ok=True)

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if key.startswith(prefix) and path.is_file() and _KEY.fullmatch(key):
                status = path.stat()
                yield StoredObject(key, status.st_size, datetime.fromtimestamp(status.st_mtime, timezone.utc))

    def url(self, key: str, seconds: int, download_name: str | None = None) -> str | None:
        return None


class S3Store:
    """One prefix of an S3-compatible bucket, through boto3 (which signs every request)."""

    def __init__(self, client, bucket: str, prefix: str):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _call(self, method: str, key: str, **params):
        # Imported with the client (see s3_client): boto3 is only loaded where S3 is configured.
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, method)(Bucket=self.bucket, Key=self._name(key), **params)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                raise FileNotFoundError(errno.ENOENT, "No such stored file", key) from None
            raise OSError(errno.EIO, f"Object storage refused {method} of {key}: {code or error}") from None
        except (BotoCoreError, S3UploadFailedError) as error:
            raise OSError(errno.EIO, f"Object storage unreachable ({method} {key}): {error}") from None

    def put(self, key: str, data: bytes | BinaryIO) -> None:
        if isinstance(data, bytes | bytearray | memoryview):
            self._call("put_object", key, Body=bytes(data))
        else:
            # Sent in parts as it is read (a multipart upload past 8 MB), never held whole in memory.
            self._call("upload_fileobj", key, Fileobj=data)

    def open(self, key: str) -> BinaryIO:
        return self._call("get_object", key)["Body"]

    def read(self, key: str) -> bytes:
        body = self.open(key)
        try:
            return body.read()
        finally:
            body.close()

    def stat(self, key: str) -> StoredObject:
        head = self._call("head_object", key)
        return StoredObject(key, head["ContentLength"], head["LastModified"].astimezone(timezone.utc))

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except FileNotFoundError:
            return False
        return True

    def delete(self, *keys: str | None) -> None:
        for key in keys:
            if key:
                self._call("delete_object", key)

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix + prefix
            )
            for page in pages:
                for item in page.get("Contents", []):
                    key = item["Key"].removeprefix(self.prefix)
                    yield StoredObject(key, item["Size"], item["LastModified"].astimezone(timezone.utc))
        except (BotoCoreError, ClientError) as error:
            raise OSError(errno.EIO, f"Object storage could not list {prefix!r}: {error}") from None

    def url(self, key: str, seconds: int, download_name: str | None = None) -> str | None:
        params = {"Bucket": self.bucket, "Key": self._name(key)}
        if download_name:
            params["ResponseContentDisposition"] = f"attachment; filename*=UTF-8''{quote(download_name, safe='')}"
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)


def s3_client(config):
    """A boto3 client for STORAGE_S3_ENDPOINT_URL (a cloud's S3 when empty); keys come from boto3's usual
    places (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or the machine's role)."""
    # Imported here: boto3 takes a third of a second to load, which no machine keeping files locally should pay.
    import boto3
    from botocore.config import Config as BotoConfig

    return boto3.client(
        "s3",
        endpoint_url=config.get("STORAGE_S3_ENDPOINT_URL") or None,
        region_name=config.get("STORAGE_S3_REGION") or None,
        config=BotoConfig(
            signature_version="s3v4",
            s3={"addressing_style": "path"},  # self-hosted stores rarely have a DNS name per bucket
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
        ),
    )


def make_stores(config) -> dict[str, Store]:
    """Every area's store for this configuration.

    :raise ValueError: STORAGE_URL is set but is not s3://bucket[/prefix].
    """
    url = config.get("STORAGE_URL") or ""
    if not url:
        return {area: LocalStore(config[setting]) for area, setting in AREAS.items()}
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"STORAGE_URL must be empty (folders on this machine) or s3://bucket/prefix, not {url!r}")
    prefix = parts.path.strip("/")
    client = s3_client(config)
    return {area: S3Store(client, parts.netloc, f"{prefix}/{area}/" if prefix else f"{area}/") for area in AREAS}


def init_app(app) -> None:
    app.extensions["festival.storage"] = make_stores(app.config)


def public_origin(app) -> str | None:
    """Where public files are sent when STORAGE_PUBLIC_REDIRECT is on (the bucket's scheme://host, read off a
    signed URL, which is made without asking the store); None when they are streamed by the app."""
    if not app.config.get("STORAGE_PUBLIC_REDIRECT"):
        return None
    address = app.extensions["festival.storage"]["uploads"].url("origin", PUBLIC_URL_SECONDS)
    if address is None:
        return None
    parts = urlsplit(address)
    return f"{parts.scheme}://{parts.netloc}"


def store(area: str) -> Store:
    """The current app's store for one area ("uploads", "prints", "certificates", "imports", "outbox")."""
    return current_app.extensions["festival.storage"][area]


def send(area: str, key: str, mimetype: str, download_name: str, as_attachment: bool, public: bool = False):
    """A response streaming one stored object (conditional requests and ranges where the store allows); a
    public one (anyone may see it) is sent by redirect to a short-lived signed URL of the bucket when
    STORAGE_PUBLIC_REDIRECT is on, so the gallery's bytes do not pass through the app machines.

    :raise NotFound: the object is not in the store (logged: the database names a file nobody has).
    """
    files = store(area)
    if public and current_app.config.get("STORAGE_PUBLIC_REDIRECT"):
        address = files.url(key, PUBLIC_URL_SECONDS, download_name if as_attachment else None)
        if address is not None:
            response = redirect(address)
            # Cached on the way for less time than the signature lasts.
            response.cache_control.public, response.cache_control.max_age = True, PUBLIC_URL_SECONDS // 4
            return response
    try:
        if isinstance(files, LocalStore):
            path = files.path(key)
            if not path.is_file():
                raise FileNotFoundError(key)
            return send_file(
                path, mimetype=mimetype, as_attachment=as_attachment, download_name=download_name, conditional=True
            )
        found = files.stat(key)
        body = files.open(key)
    except FileNotFoundError:
        log.warning("Stored file %s/%s is missing", area, key)
        raise NotFound() from None
    response = send_file(
        body,
        mimetype=mimetype,
        as_attachment=as_attachment,
        download_name=download_name,
        conditional=True,
        etag=f"{found.size}-{found.modified.timestamp()}",
        last_modified=found.modified,
    )
    response.content_length = found.size
    return response
