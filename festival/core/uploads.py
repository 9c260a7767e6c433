"""Uploaded files: the type is read from the content, images are re-encoded without metadata
(GPS, comments and all) with a thumbnail, and everything is kept in the "uploads" store (UPLOAD_DIR, or
the shared bucket) with random names, written whole or not at all, and removed again if the change that
stored them is undone."""

import errno
import io
import logging
import re
import secrets
import unicodedata
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from festival.core import storage
from festival.core.errors import FestivalError
from festival.core.transactions import on_rollback

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1024 * 1024
# Refused before decoding: a small file may declare a huge picture. A JPEG is decoded at a reduced
# scale (draft mode) so even a 50-megapixel photo costs little memory and time; PNG and WebP cannot be,
# so their cap is lower. Stored pictures are at most MAX_SIDE pixels on their long side: enough for a
# screen and for a photo on an A4 booth poster, and a 12-megapixel phone photo (4000 × 3000) decodes at
# half scale (2000 × 1500), about four times faster than whole.
MAX_IMAGE_PIXELS = 50_000_000
MAX_LOSSLESS_PIXELS = 16_000_000
MAX_SIDE = 2048
THUMBNAIL_SIZE = (480, 480)
IMAGE_TYPES = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}


class UploadRefused(FestivalError):
    """A file that is too big, of the wrong type or unreadable."""


@dataclass
class StoredFile:
    stored_name: str
    thumbnail_name: str | None
    content_type: str
    size: int
    width: int | None = None
    height: int | None = None

    def row_values(self, original_name: str) -> dict:
        """The columns every stored-file row keeps (an exhibit's attachment, an initiative's file)."""
        return {
            "original_name": safe_download_name(original_name)[:255],
            "stored_name": self.stored_name,
            "thumbnail_name": self.thumbnail_name,
            "content_type": self.content_type,
            "size": self.size,
            "width": self.width,
            "height": self.height,
        }


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are (JPEG, PNG, WebP or PDF), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "application/pdf"
    return None


def store_upload(data: bytes, original_name: str, folder: str) -> StoredFile:
    """Check and store one uploaded file; images are re-encoded and get a thumbnail.

    :raise UploadRefused: too big, not a JPEG/PNG/WebP image or PDF, or unreadable.
    """
    if len(data) > MAX_FILE_BYTES:
        raise UploadRefused(_l("Tệp “%(name)s” lớn hơn 10 MB.", name=original_name))
    if not data:
        raise UploadRefused(_l("Tệp “%(name)s” rỗng.", name=original_name))
    kind = sniff(data)
    if kind is None:
        raise UploadRefused(_l("Tệp “%(name)s” không phải ảnh JPEG, PNG, WebP hay tài liệu PDF.", name=original_name))
    if kind == "application/pdf":
        return _store_pdf(data, original_name, folder)
    return _store_image(data, original_name, folder)


def _new_name(folder: str, suffix: str) -> str:
    return f"{folder}/{secrets.token_hex(16)}{suffix}"


# Right-to-left overrides and other invisible marks make "gpj.exe" look like "exe.jpg".
_HIDDEN = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]")


def safe_download_name(name: str) -> str:
    """A file name fit for Content-Disposition: no control or direction marks, no folders."""
    name = _HIDDEN.sub("", unicodedata.normalize("NFC", name or ""))
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = name.replace("/", "_").replace("\\", "_").strip(" .") or "tep"
    return name[:200]


def disk_refusal(error: OSError) -> UploadRefused:
    """What a person is told when the server cannot write a file."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return UploadRefused(_l("Ổ đĩa của máy chủ đã đầy nên tệp chưa được lưu. Hãy báo ban tổ chức."))
    return UploadRefused(_l("Máy chủ không ghi được tệp lúc này nên tệp chưa được lưu. Hãy thử lại sau."))


def _write(name: str, data: bytes) -> None:
    """Store a file whole or not at all; it is removed again if the transaction that stored it rolls back.

    :raise UploadRefused: the disk is full, or the store cannot be reached or written.
    """
    try:
        storage.store("uploads").put(name, data)
    except OSError as error:
        raise disk_refusal(error) from None
    on_rollback(lambda: delete_stored(name))


def _store_pdf(data: bytes, original_name: str, folder: str) -> StoredFile:
    # Imported here: pypdf takes a tenth of a second that every start of the app would otherwise pay.
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        pages = 0
    if pages == 0:
        raise UploadRefused(_l("Tệp “%(name)s” không phải tài liệu PDF đọc được.", name=original_name))
    name = _new_name(folder, ".pdf")
    _write(name, data)
    return StoredFile(stored_name=name, thumbnail_name=None, content_type="application/pdf", size=len(data))


def _open_image(data: bytes, original_name: str) -> Image.Image:
    unreadable = UploadRefused(_l("Ảnh “%(name)s” bị hỏng hoặc không đọc được.", name=original_name))
    too_big = UploadRefused(
        _l(
            "Ảnh “%(name)s” quá lớn; hãy gửi ảnh nhỏ hơn (ảnh chụp điện thoại thông thường là được).",
            name=original_name,
        )
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(IMAGE_TYPES))
            cap = MAX_IMAGE_PIXELS if image.format == "JPEG" else MAX_LOSSLESS_PIXELS
            if image.width * image.height > cap:
                raise too_big
            if image.format == "JPEG":
                # Decoded at 1/2, 1/4 or 1/8 scale while both sides stay at least MAX_SIDE / 2.
                image.draft("RGB", (MAX_SIDE // 2, MAX_SIDE // 2))
            image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise too_big from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise unreadable from None
    return image


def _store_image(data: bytes, original_name: str, folder: str) -> StoredFile:
    image = _open_image(data, original_name)
    source_format = image.format
    content_type, suffix = IMAGE_TYPES[source_format]
    # Re-encoding drops EXIF (GPS, camera serials) and anything hidden after the image data;
    # the orientation tag is applied to the pixels first so photos stay upright.
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha and source_format != "JPEG" else "RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    # Only the pixels go on: a new picture has no EXIF, XMP, ICC, text chunks or JPEG comments.
    image = Image.frombytes(image.mode, image.size, image.tobytes())
    options = {"JPEG": {"quality": 88, "optimize": True}, "PNG": {"optimize": True}, "WEBP": {"quality": 88}}[
        source_format
    ]
    full = io.BytesIO()
    image.save(full, source_format, **options)
    thumbnail = image.convert("RGB")
    thumbnail.thumbnail(THUMBNAIL_SIZE)
    thumb = io.BytesIO()
    thumbnail.save(thumb, "JPEG", quality=82, optimize=True)

    name, thumb_name = _new_name(folder, suffix), _new_name(folder, ".jpg")
    _write(name, full.getvalue())
    _write(thumb_name, thumb.getvalue())
    return StoredFile(
        stored_name=name,
        thumbnail_name=thumb_name,
        content_type=content_type,
        size=len(full.getvalue()),
        width=image.width,
        height=image.height,
    )


def read_stored(name: str) -> bytes:
    """The bytes of a stored file.

    :raise FileNotFoundError: nothing is stored under that name.
    """
    return storage.store("uploads").read(name)


def delete_stored(*names: str | None) -> None:
    """Remove stored files (missing ones are ignored).

    Called once a change is committed or undone, when failing can no longer help: a store that cannot be
    reached leaves the file behind (logged), never turns the committed change into an error page.
    """
    try:
        storage.store("uploads").delete(*names)
    except OSError:
        log.exception("Stored files %s could not be removed", ", ".join(filter(None, names)))
