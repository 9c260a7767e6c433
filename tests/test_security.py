"""What an attack on a running copy looks for: guessing passwords in parallel, private files and
their headers, uploads that fill the disk or the memory, secrets in logs and backups, and the
public lookups a stranger could repeat."""

import errno
import io
import logging
import os
import stat
import struct
import threading
import zlib
from urllib.parse import quote

import pytest
from PIL import Image

from festival.core import uploads
from festival.core.extensions import db
from festival.core.uploads import read_stored
from festival.models import Attachment, AuditLog, Exhibit, ExhibitStatus, SignInFailures
from tests import factories
from tests.conftest import make_app
from tests.exhibits.conftest import exhibit_form
from tests.exhibits.test_registration import new_exhibit_id, upload

# Sign-in under parallel guessing -----------------------------------------------------------------


def test_parallel_wrong_passwords_are_each_counted_and_audited_once(app, people):
    """30 browsers guess at once: every try that got to check a password is counted (no lost
    update), the delay is recorded once, and the owner's right password still works."""
    email = people["emails"]["organizer"]
    owner = app.test_client()
    assert owner.post("/auth/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302
    owner.post("/auth/logout")
    start = threading.Barrier(30)
    pages = []

    def guess(n):
        browser = app.test_client()
        start.wait()
        pages.append(browser.post("/auth/login", data={"email": email, "password": f"guess-{n}"}).get_data(True))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(pages) == 30
    delayed = sum("Hãy thử lại sau" in page for page in pages)
    counted = sum("E-mail hoặc mật khẩu không đúng." in page for page in pages)
    assert delayed + counted == 30 and counted >= app.config["SIGN_IN_FREE_FAILURES"]
    with app.app_context():
        assert db.session.get(SignInFailures, email).failures == counted
        audits = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "auth.delayed")).all()
        assert len(audits) == 1
    assert owner.post("/auth/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302


# Files -------------------------------------------------------------------------------------------


@pytest.fixture
def draft(client, login_as, people):
    login_as("unit_a")
    return new_exhibit_id(client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"])))


def _attachment_ids(app):
    with app.app_context():
        return {a.original_name: a.id for a in db.session.scalars(db.select(Attachment))}


def _headers(client, path) -> tuple[str, set[str], str]:
    """A file's type, its Cache-Control directives and its Content-Disposition."""
    with client.get(path) as response:
        assert response.status_code == 200
        directives = {part.strip() for part in response.headers["Cache-Control"].split(",")}
        return response.mimetype, directives, response.headers["Content-Disposition"]


def test_files_of_a_draft_are_never_cached_and_documents_are_downloaded(app, client, draft, people):
    rtl_name = "bao-cao\u202efdp.exe"  # shows as "bao-caoexe.pdf" in a browser's download bar
    upload(
        client,
        draft,
        people["ids"]["category"],
        ("xưởng may.jpg", factories.jpeg_bytes()),
        (rtl_name, factories.pdf_bytes()),
    )
    ids = _attachment_ids(app)
    assert set(ids) == {"xưởng may.jpg", "bao-caofdp.exe"}  # the direction mark is not kept either
    photo = f"/exhibits/files/{ids['xưởng may.jpg']}"
    _, directives, disposition = _headers(client, photo)
    assert directives == {"private", "no-store"} and disposition.startswith("inline")
    assert _headers(client, photo + "/thumb")[1] == {"private", "no-store"}

    mimetype, directives, disposition = _headers(client, f"/exhibits/files/{ids['bao-caofdp.exe']}")
    assert mimetype == "application/pdf" and directives == {"private", "no-store"}
    assert disposition.startswith("attachment;")
    assert "\u202e" not in disposition and quote("\u202e") not in disposition
    assert "filename=bao-caofdp.exe" in disposition

    with app.app_context():
        db.session.get(Exhibit, draft).status = ExhibitStatus.ACCEPTED
        factories.consent_to_gallery(db.session.get(Exhibit, draft))  # its photos may be public
        db.session.commit()
    client.post("/auth/logout")
    _, directives, disposition = _headers(client, photo)
    assert directives == {"public", "max-age=3600"}
    # A non-ASCII name: an ASCII fallback and the UTF-8 name.
    assert "filename=xuong may.jpg" in disposition.replace('"', "")
    assert f"filename*=UTF-8''{quote('xưởng may.jpg')}" in disposition


def test_a_full_disk_stores_no_file_and_no_row_and_says_so(app, client, draft, people, tmp_path, monkeypatch):
    """The second photo of a batch hits a full disk: the first one, already written, goes too."""
    real_fsync, calls = os.fsync, []

    def fsync(descriptor):
        calls.append(descriptor)
        if len(calls) > 2:  # the first photo and its thumbnail fit
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    response = upload(
        client,
        draft,
        people["ids"]["category"],
        ("mot.jpg", factories.jpeg_bytes(colour="blue")),
        ("hai.jpg", factories.jpeg_bytes(colour="green")),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ổ đĩa của máy chủ đã đầy nên tệp chưa được lưu." in page
    assert "Cữ gá may túi tự động" in page  # what was typed is still in the form
    assert len(calls) == 4  # two files stored, the third refused, and the form's files could not be kept
    assert [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != tmp_path] == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0


def test_a_file_the_server_cannot_write_is_refused_plainly(app, draft):
    with app.test_request_context():
        refusal = uploads.disk_refusal(OSError(errno.EACCES, "Permission denied"))
        assert "Máy chủ không ghi được tệp lúc này" in str(refusal.message)


def _jpeg_markers(data: bytes) -> list[int]:
    """The segment markers of a JPEG up to the start of the picture data."""
    markers, at = [], 2
    while at < len(data):
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: the compressed picture follows
            break
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        at += 2 + length
    return markers


def test_a_photo_keeps_no_comment_profile_or_other_metadata(app, client, draft, people):
    source = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Hãng máy ảnh"
    Image.new("RGB", (320, 240), "orange").save(
        source, "JPEG", comment=b"nguoi chup: 0912345678", exif=exif, icc_profile=b"\x00" * 128
    )
    assert b"0912345678" in source.getvalue()
    upload(client, draft, people["ids"]["category"], ("anh.jpg", source.getvalue()))
    with app.app_context():
        attachment = db.session.execute(db.select(Attachment)).scalar_one()
        stored = read_stored(attachment.stored_name)
        thumb = read_stored(attachment.thumbnail_name)
    for data in (stored, thumb):
        assert b"0912345678" not in data
        # Only JFIF's own header (APP0), tables and the frame: no COM (FE), EXIF/XMP (E1), ICC (E2)…
        assert {m for m in _jpeg_markers(data) if m == 0xFE or 0xE1 <= m <= 0xEF} == set()


def _png(width: int, height: int) -> bytes:
    """A valid RGBA PNG of one colour, made row by row (a 6300×6300 one is ~150 KB on disk)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    packer, row = zlib.compressobj(9), b"\x00" + b"\x80\x40\x20\xff" * width
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_small_png_declaring_a_huge_picture_is_refused_before_decoding(app, client, draft, people, tmp_path):
    bomb = _png(6300, 6300)
    assert len(bomb) < 400_000
    page = upload(client, draft, people["ids"]["category"], ("so-do.png", bomb)).get_data(as_text=True)
    assert "Ảnh “so-do.png” quá lớn" in page
    assert [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()] == []


def test_a_big_photo_is_stored_at_a_bounded_size(app, client, draft, people):
    source = io.BytesIO()
    Image.new("RGB", (4800, 3600), "teal").save(source, "JPEG", quality=50)
    upload(client, draft, people["ids"]["category"], ("lon.jpg", source.getvalue()))
    with app.app_context():
        attachment = db.session.execute(db.select(Attachment)).scalar_one()
        with Image.open(io.BytesIO(read_stored(attachment.stored_name))) as stored:
            assert stored.size == (uploads.MAX_SIDE, uploads.MAX_SIDE * 3 // 4)


# Secrets in logs and backups ---------------------------------------------------------------------


def test_request_logs_never_hold_an_invitation_or_badge_token(app, client, caplog):
    caplog.set_level(logging.INFO, logger="festival.request")
    client.get("/auth/invitation/SeCrEtInViTe42?next=/x")
    client.get("/c/BaDgEtOkEn99")
    client.get("/checkin/list.json?token=QuErYsEcReT7")
    lines = [r.getMessage() for r in caplog.records if r.name == "festival.request"]
    assert len(lines) == 3
    assert "/auth/invitation/…" in lines[0] and "/c/…" in lines[1] and "token=…" in lines[2]
    assert not any(secret in caplog.text for secret in ("SeCrEtInViTe42", "BaDgEtOkEn99", "QuErYsEcReT7"))


def test_access_lines_of_the_server_are_redacted_too(app, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    logging.getLogger("werkzeug").info(
        '%s - - "%s" %s -', "192.168.1.20", "GET /auth/invitation/SeCrEtInViTe42 HTTP/1.1", 200
    )
    logging.getLogger("werkzeug").info('%s - - "%s" %s -', "192.168.1.20", "GET /exhibits/12 HTTP/1.1", 200)
    assert "SeCrEtInViTe42" not in caplog.text and "GET /auth/invitation/… HTTP/1.1" in caplog.text
    assert "GET /exhibits/12 HTTP/1.1" in caplog.text  # other paths are left as they are


@pytest.mark.skipif(
    __import__("tests.conftest", fromlist=["ON_POSTGRES"]).ON_POSTGRES,
    reason="the PostgreSQL backup (pg_dump) is covered by test_backup",
)
def test_backups_are_private_and_a_world_writable_one_is_not_restored(app, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "b.tar.gz"
    old = os.umask(0o022)  # private even where the umask would let others read it (the app sets 077)
    try:
        assert runner.invoke(args=["festival", "backup", "--out", str(out)]).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    out.chmod(0o666)
    result = runner.invoke(args=["festival", "restore", str(out), "--yes"])
    assert result.exit_code == 1 and "can be changed by any user of this machine" in result.output


# Limits on what a stranger can repeat ------------------------------------------------------------


@pytest.fixture
def limited(tmp_path):
    (tmp_path / "limited").mkdir()
    return make_app(
        tmp_path / "limited", RATELIMIT_ENABLED=True, PUBLIC_LOOKUP_LIMIT="3 per minute", DELEGATE_LIMIT="2 per minute"
    )


@pytest.mark.parametrize("path", ["/verify/KHONG-CO", "/c/khong-co-the-nay"])
def test_public_lookups_are_limited_per_client(limited, path):
    stranger = limited.test_client()
    statuses = [stranger.get(path).status_code for _ in range(5)]
    assert statuses[:3] == [404] * 3 and statuses[3:] == [429, 429]
    page = stranger.get(path).get_data(as_text=True)
    assert "Hãy đợi một lát rồi thử lại." in page
    other = limited.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert other.get(path).status_code == 404


def test_a_unit_probing_delegates_is_limited(limited):
    with limited.app_context():
        festival = factories.make_festival()
        festival.delegate_quota = 50
        unit = factories.make_unit("UNITA")
        email = factories.make_user(factories.Role.UNIT, unit=unit).email
        db.session.commit()
    browser = limited.test_client()
    assert browser.post("/auth/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302
    statuses = [
        browser.post("/attendees/mine", data={"full_name": f"Đại biểu {n}", "phone": f"091100000{n}"}).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert browser.get("/attendees/mine").status_code == 200  # looking at the list is not limited
