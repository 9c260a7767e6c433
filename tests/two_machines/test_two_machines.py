"""Two app machines behind nginx (round robin, no sticky sessions), one worker, files in S3, the queue in Redis:
every step of a person's work is answered by the other server than the step before (the cluster fails any two
requests in a row to one server), so nothing may live on one machine's disk or in one process's memory.

The tests share one cluster (started once, ~40 s) and run in this order: the later ones use what the earlier
ones made (the outbox holds the messages the exhibits' review caused, the backup their photos); Redis is
stopped and started again near the end."""

import io
import re
import subprocess
import sys
import tarfile
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pypdfium2
from openpyxl import Workbook
from PIL import Image

from tests.two_machines.cluster import ORGANIZER, OWN_FOLDERS, PREFIX, ROOT

JOB_SECONDS = 120
MAIL_SECONDS = 60


# Helpers ------------------------------------------------------------------------------------------------------


def jpeg(width=900, height=600, seed=0) -> bytes:
    size = (width, height)
    channels = (Image.effect_noise(size, 30 + seed), Image.linear_gradient("L").resize(size))
    picture = Image.merge("RGB", (*channels, Image.radial_gradient("L").resize(size)))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def signature_png() -> bytes:
    """A bright green mark on a transparent background: easy to find in a rendered page, absent from any page."""
    picture = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    picture.paste((0, 255, 0, 255), (20, 20, 580, 180))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def green_pixels(pdf: bytes) -> int:
    """How many pixels of the first page (rendered at 72 dpi) are the signature's green."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=1).to_pil().convert("RGB")
        page.close()
    finally:
        document.close()
    pixels = image.tobytes()
    return sum(1 for i in range(0, len(pixels), 3) if pixels[i + 1] > 200 and pixels[i] < 80 and pixels[i + 2] < 80)


def other_than(cluster, browser, upstream: str) -> None:
    """Make the browser's next request go to the server that did not answer `upstream` (round robin: one
    throw-away request when the next turn is that server's)."""
    if cluster.last_upstream != upstream:
        browser.get("/healthz")
    assert cluster.last_upstream == upstream


def unit_with_room(cluster, skip: int = 0) -> str:
    """A demo unit account whose quota has room (the units with the fewest exhibits first)."""
    rows = cluster.sql(
        "SELECT u.code FROM units u LEFT JOIN exhibits e ON e.unit_id = u.id "
        "GROUP BY u.code ORDER BY count(e.id), u.code"
    )
    return f"{rows[skip][0].lower()}@donvi.example.vn"


def first_choice(page_html: str, name: str) -> str:
    """The first option of a select that is not its empty "— choose —"."""
    found = re.search(rf'<select[^>]*name="{name}".*?<option value="([^"]+)"', page_html, re.S)
    assert found, f"no choice for {name} on the page"
    return found[1]


def exhibit_fields(page_html: str, title: str, author: str) -> dict:
    """What a unit types for an exhibit the organizers can review (submitting needs all of it)."""
    return {
        "title": title,
        "category_id": first_choice(page_html, "category_id"),
        "authors-0-full_name": author,
        "authors-0-gallery_consent": "y",  # the author agreed to be shown in the public gallery
        "summary": "Giảm thời gian thao tác, ít lỗi đường may.",
        "benefit": "120000000",
        "applied_since": "2024",
        "scope": first_choice(page_html, "scope"),
    }


def attachment_ids(page_html: str) -> list[int]:
    return sorted({int(i) for i in re.findall(r"/exhibits/files/(\d+)", page_html)})


def wait_for_job(cluster, browser, location: str) -> str:
    """Follow a print's page (each look answered by the other server) until it is done; its page."""
    deadline = time.monotonic() + JOB_SECONDS
    while time.monotonic() < deadline:
        page = browser.get(location)
        assert page.status_code == 200, page.status_code
        if "/download" in page.text:
            return page.text
        assert "In không thành công" not in page.text, page.text[-3000:]
        time.sleep(1)
    raise AssertionError(f"{location} was not done within {JOB_SECONDS} s")


def download(cluster, browser, job_page_upstream: str, job_id: int):
    """The finished print through the server that did not take the order (`job_page_upstream` did)."""
    other_than(cluster, browser, job_page_upstream)
    answer = browser.get(f"/admin/jobs/{job_id}/download")
    assert answer.status_code == 200, answer.status_code
    assert answer.upstream != job_page_upstream
    return answer


# The tests ----------------------------------------------------------------------------------------------------


def test_nginx_sends_requests_to_the_two_servers_in_turn(cluster):
    browser = cluster.browser()
    seen = [browser.get("/healthz").upstream for _ in range(4)]
    assert set(seen) == {s.address for s in cluster.servers}
    assert seen[0] == seen[2] != seen[1] == seen[3]


def test_a_photo_uploaded_through_one_server_is_shown_by_the_other(cluster):
    unit = cluster.browser()
    unit.sign_in(unit_with_room(cluster))
    page = unit.get("/exhibits/new")
    form = unit.form(page, "/exhibits/new")
    photo = jpeg()
    title = "Cữ gá may túi hai máy chủ"
    saved = unit.submit(
        form,
        files={"files": ("anh-may.jpg", photo, "image/jpeg")},
        **exhibit_fields(page.text, title, "Nguyễn Thị Hai"),
    )
    assert saved.status_code == 302, saved.text[-3000:]
    uploaded_by = saved.upstream
    exhibit_id = int(re.search(r"/exhibits/(\d+)$", saved.headers["Location"])[1])
    shown = unit.get(saved.headers["Location"])
    assert shown.upstream != uploaded_by and shown.status_code == 200
    [attachment] = attachment_ids(shown.text)
    original = unit.get(f"/exhibits/files/{attachment}")
    thumbnail = unit.get(f"/exhibits/files/{attachment}/thumb")
    assert uploaded_by in (original.upstream, thumbnail.upstream) and original.upstream != thumbnail.upstream
    [(stored, thumb)] = cluster.sql(
        "SELECT stored_name, thumbnail_name FROM attachments WHERE id = %(id)s", id=attachment
    )
    files = cluster.keys("uploads")
    # The photo as the app keeps it (re-saved without its metadata): the bucket's copy, the same picture.
    assert original.status_code == 200 and original.content == files[stored]
    assert Image.open(io.BytesIO(original.content)).size == Image.open(io.BytesIO(photo)).size
    assert thumbnail.status_code == 200 and thumbnail.headers["Content-Type"] == "image/jpeg"
    assert thumbnail.content == files[thumb] and max(Image.open(io.BytesIO(thumbnail.content)).size) < 900

    # Sent to the organizers, accepted by them; then the public sees it in the gallery and on its page.
    submit = unit.form(unit.get(f"/exhibits/{exhibit_id}"), "/submit")
    assert unit.submit(submit).status_code == 302
    assert cluster.sql("SELECT status FROM exhibits WHERE id = %(id)s", id=exhibit_id)[0][0].lower() == "submitted"
    organizer = cluster.browser()
    organizer.sign_in(ORGANIZER)
    accept = organizer.form(organizer.get(f"/exhibits/{exhibit_id}"), "/accept")
    assert organizer.submit(accept).status_code == 302
    visitor = cluster.browser()
    gallery = visitor.get("/gallery", params={"q": title})
    assert gallery.status_code == 200 and f"/exhibits/files/{attachment}/thumb" in gallery.text
    public = visitor.get(f"/e/{exhibit_id}")
    assert public.status_code == 200 and gallery.upstream != public.upstream
    assert f"/exhibits/files/{attachment}/thumb" in public.text
    for variant, expected in (("/thumb", thumbnail.content), ("", original.content)):
        answer = visitor.get(f"/exhibits/files/{attachment}{variant}")
        assert answer.status_code == 200 and answer.content == expected
    for browser in (unit, organizer, visitor):
        browser.close()


def test_a_refused_form_keeps_its_file_when_sent_again_to_the_other_server(cluster):
    unit = cluster.browser()
    unit.sign_in(unit_with_room(cluster, skip=1))
    page = unit.get("/exhibits/new")
    form = unit.form(page, "/exhibits/new")
    photo = jpeg(seed=77)
    staged_before = set(cluster.keys("imports"))
    refused = unit.submit(
        form,
        files={"files": ("so-do.jpg", photo, "image/jpeg")},
        **{**exhibit_fields(page.text, "", "Trần Văn Ba")},
    )
    assert refused.status_code == 422
    again = unit.form(refused, "/exhibits/new")
    assert again.get("pending"), "the refused form does not offer the file it carried"
    saved = unit.submit(again, title="Bàn là hơi tiết kiệm điện")
    assert saved.status_code == 302 and saved.upstream != refused.upstream, saved.text[-3000:]
    shown = unit.get(saved.headers["Location"])
    [attachment] = attachment_ids(shown.text)
    [(stored,)] = cluster.sql("SELECT stored_name FROM attachments WHERE id = %(id)s", id=attachment)
    kept = unit.get(f"/exhibits/files/{attachment}")
    assert kept.status_code == 200 and kept.content == cluster.keys("uploads")[stored]
    assert Image.open(io.BytesIO(kept.content)).size == Image.open(io.BytesIO(photo)).size
    assert set(cluster.keys("imports")) == staged_before  # the kept file is dropped once used
    unit.close()


def test_an_attachment_deleted_through_one_server_leaves_the_bucket(cluster):
    organizer = cluster.browser()
    organizer.sign_in(ORGANIZER)
    [(attachment, stored, thumb)] = cluster.sql(
        "SELECT a.id, a.stored_name, a.thumbnail_name FROM attachments a "
        "ORDER BY a.id DESC LIMIT 1"  # the one the test before added
    )
    files = cluster.keys("uploads")
    assert stored in files and thumb in files
    confirm = organizer.form(f"/exhibits/files/{attachment}/delete", "/delete")
    deleted = organizer.submit(confirm)
    assert deleted.status_code == 302
    files = cluster.keys("uploads")
    assert stored not in files and thumb not in files
    assert organizer.get(f"/exhibits/files/{attachment}").status_code == 404
    assert organizer.get(f"/exhibits/files/{attachment}").status_code == 404
    organizer.close()


def attendees_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    sheet.append(["STT", "Họ và tên", "Đơn vị", "Vai trò", "Ghi chú"])
    sheet.append([1, "Phạm Hai Máy", "MAY10", "Đại biểu", "Báo Lao Động"])
    sheet.append([2, "Vũ Thị Cân Bằng", "MAY10", "Khách mời", "Tạp chí Công đoàn"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_four_import_steps_on_alternate_servers(cluster):
    organizer = cluster.browser()
    organizer.sign_in(ORGANIZER)
    upload = organizer.form("/attendees/import", "/attendees/import")
    sent = organizer.submit(upload, files={"file": ("dai-bieu.xlsx", attendees_xlsx(), "application/octet-stream")})
    assert sent.status_code == 302, sent.text[-3000:]
    preview_url = sent.headers["Location"]
    preview = organizer.get(preview_url)
    assert preview.status_code == 200 and preview.upstream != sent.upstream
    assert "Tệp “dai-bieu.xlsx”" in preview.text and "Phạm Hai Máy" in preview.text
    mapping = organizer.form(preview, "/attendees/import/")
    assert mapping.get("column-4") == ""
    changed = organizer.submit(mapping, action="preview", **{"column-4": "organisation"})
    assert changed.status_code == 302
    shown = organizer.get(preview_url)
    confirm = organizer.form(shown, "/attendees/import/")
    assert confirm.get("column-4") == "organisation" and "Báo Lao Động" in shown.text
    done = organizer.submit(confirm, action="import")
    assert done.status_code == 302 and done.headers["Location"].endswith("/attendees/"), done.text[-3000:]
    rows = cluster.sql(
        "SELECT full_name, organisation FROM attendees WHERE full_name IN ('Phạm Hai Máy', 'Vũ Thị Cân Bằng') "
        "ORDER BY full_name"
    )
    assert rows == [("Phạm Hai Máy", "Báo Lao Động"), ("Vũ Thị Cân Bằng", "Tạp chí Công đoàn")]
    assert organizer.get(preview_url).status_code == 404  # the staged file is gone with the import
    organizer.close()


def start_print(cluster, organizer, form_path: str, **choices):
    form = organizer.form(form_path, form_path)
    started = organizer.submit(form, confirm_address="y", **choices)
    assert started.status_code == 302 and "/admin/jobs/" in started.headers["Location"], started.text[-3000:]
    return started, int(re.search(r"/admin/jobs/(\d+)", started.headers["Location"])[1])


def test_a_badge_print_ordered_on_one_server_is_downloaded_from_the_other(cluster):
    organizer = cluster.browser()
    organizer.sign_in(ORGANIZER)
    [(unit_id, count)] = cluster.sql(
        "SELECT unit_id, count(*) FROM attendees WHERE unit_id IS NOT NULL GROUP BY unit_id ORDER BY 2 DESC LIMIT 1"
    )
    started, job = start_print(cluster, organizer, "/attendees/print", layout="a4", unit_id=str(unit_id))
    wait_for_job(cluster, organizer, started.headers["Location"])
    pdf = download(cluster, organizer, started.upstream, job)
    assert pdf.content.startswith(b"%PDF") and pdf.headers["Content-Type"] == "application/pdf"
    document = pypdfium2.PdfDocument(pdf.content)
    assert len(document) == -(-count // 4)  # four badges a sheet
    document.close()
    organizer.close()


def test_a_certificate_print_carries_the_signature_uploaded_through_the_other_server(cluster):
    organizer = cluster.browser()
    organizer.sign_in(ORGANIZER)
    issue = organizer.form("/certificates/", "/certificates/issue")
    assert organizer.submit(issue, kind="participation").status_code == 302
    [(unit_id,)] = cluster.sql(
        "SELECT e.unit_id FROM certificates c JOIN exhibits e ON e.id = c.exhibit_id "
        "WHERE lower(c.kind::text) = 'participation' GROUP BY e.unit_id ORDER BY count(*), e.unit_id LIMIT 1"
    )
    choices = {"kind": "participation", "unit_id": str(unit_id)}
    trial = organizer.form("/certificates/print", "/certificates/print")
    before = organizer.submit(trial, trial="1", **choices)
    assert before.status_code == 200 and before.content.startswith(b"%PDF")
    assert green_pixels(before.content) == 0

    template = organizer.form("/certificates/templates/participation", "/certificates/templates/participation")
    saved = organizer.submit(template, files={"signature": ("chu-ky.png", signature_png(), "image/png")})
    assert saved.status_code == 302, saved.text[-3000:]
    organizer.get("/healthz")  # so that the print's form is fetched from that server and posted to the other
    started, job = start_print(cluster, organizer, "/certificates/print", **choices)
    assert started.upstream != saved.upstream
    wait_for_job(cluster, organizer, started.headers["Location"])
    pdf = download(cluster, organizer, started.upstream, job)
    assert pdf.content.startswith(b"%PDF")
    assert green_pixels(pdf.content) > 2000  # the mark, about 60 × 24 mm in the signature's place (≈ 8,000 px)
    organizer.close()


def test_an_outbox_message_is_downloaded_from_either_server(cluster):
    organizer = cluster.browser()
    organizer.sign_in(ORGANIZER)
    outbox = organizer.get("/admin/mail/")
    assert outbox.status_code == 200
    deadline = time.monotonic() + MAIL_SECONDS
    while True:  # the worker writes the messages the tests above caused (and the demo's), oldest first
        written = cluster.sql(
            "SELECT id FROM mail_messages WHERE outbox_file IS NOT NULL AND NOT has_secret_link ORDER BY id"
        )
        if written or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert written, "the worker wrote no message to the outbox"
    message = written[0][0]
    page = organizer.get(f"/admin/mail/{message}")
    link = re.search(r'href="(/admin/mail/\d+\.eml)"', page.text)
    assert page.status_code == 200 and link, "the message's page offers no .eml"
    first, second = organizer.get(link[1]), organizer.get(link[1])
    assert first.status_code == second.status_code == 200 and first.upstream != second.upstream
    assert first.content == second.content and first.content in cluster.keys("outbox").values()
    assert b"Subject:" in first.content
    organizer.close()


def test_a_backup_holds_every_stored_file_and_restores_into_an_empty_bucket(cluster, tmp_path):
    kept = {area: cluster.keys(area) for area in ("uploads", "outbox")}
    assert kept["uploads"] and kept["outbox"]
    out = tmp_path / "backup.tar.gz"
    cluster.flask("festival", "backup", "--out", str(out))
    backed_up = {area: {} for area in kept}  # the worker may write messages meanwhile: the backup holds more
    with tarfile.open(out) as archive:
        for member in archive.getmembers():
            area, _, key = member.name.partition("/")
            if member.isfile() and area in backed_up:
                backed_up[area][key] = archive.extractfile(member).read()
    for area, files in kept.items():
        missing = set(files) - set(backed_up[area])
        assert not missing, f"{area}: {sorted(missing)[:5]} not in the backup"
        assert all(backed_up[area][key] == data for key, data in files.items())

    restored = "restored"
    env = cluster.machine_env(
        "restore", STORAGE_URL=f"s3://festival/{restored}", DATABASE_URL=cluster.make_database("restore")
    )
    cluster.flask("festival", "restore", str(out), "--yes", env=env)
    for area, files in backed_up.items():
        assert cluster.keys(area, prefix=restored) == files
    assert cluster.keys("uploads", prefix=PREFIX) == kept["uploads"]  # the live bucket is left alone
    [(exhibits,)] = cluster.sql("SELECT count(*) FROM exhibits")
    with psycopg.connect(env["DATABASE_URL"].replace("+psycopg", "")) as restored_database:
        assert restored_database.execute("SELECT count(*) FROM exhibits").fetchone()[0] == exhibits


# A worker's run of the hourly reminders, started when the test says so (both apps built and connected first).
REMINDER_RUN = textwrap.dedent(
    """
    import sys
    from festival.app import create_app
    from festival.core.extensions import db
    from festival.mail import schedule

    app = create_app()
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))
        db.session.commit()
        print("ready", flush=True)
        sys.stdin.readline()
        print(schedule.send_due_reminders.call_local(), flush=True)
    """
)


REMINDER_KINDS = {"registration_closing", "judge_reminder", "initiative_reevaluation"}


def test_two_reminder_runs_at_once_send_one_message_per_person(cluster):
    now = datetime.now(timezone.utc)
    # Registration closes in two days (units with drafts are reminded) and judging closed a moment ago (judges with
    # open sheets are reminded), so both reminders are due now.
    cluster.sql(
        "UPDATE festivals SET registration_closes_at = %(closes)s, judging_closes_at = %(ended)s, "
        "judging_opens_at = %(opened)s",
        closes=now + timedelta(days=2),
        ended=now - timedelta(seconds=1),
        opened=now - timedelta(days=1),
    )
    ((before,),) = cluster.sql("SELECT coalesce(max(id), 0) FROM mail_messages")
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", REMINDER_RUN],
            cwd=ROOT,
            env=cluster.machine_env(f"reminders-{i}"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    for run in runs:
        assert run.stdout.readline().strip() == "ready", run.communicate()[1][-3000:]
    for run in runs:  # go, both at once
        run.stdin.write("go\n")
        run.stdin.flush()
    outputs = [run.communicate(timeout=120) for run in runs]
    for run, (_out, err) in zip(runs, outputs):
        assert run.returncode == 0, err[-3000:]
    queued = [int(out.strip().splitlines()[-1]) for out, _ in outputs]
    # Every reminder these runs wrote (the demo's initiative register also has re-evaluations falling due).
    per_person = cluster.sql(
        "SELECT kind, user_id, count(*) FROM mail_messages WHERE id > %(before)s GROUP BY kind, user_id", before=before
    )
    kinds = {kind for kind, _user, _count in per_person}
    assert {"registration_closing", "judge_reminder"} <= kinds <= REMINDER_KINDS, kinds
    assert all(count == 1 for _kind, _user, count in per_person), per_person
    assert sum(queued) == len(per_person)


def test_without_redis_sign_in_answers_health_says_degraded_and_a_print_can_be_retried(cluster):
    organizer = cluster.browser()
    organizer.sign_in(ORGANIZER)
    cluster.stop_redis()
    try:
        with cluster.browser() as visitor:
            healths = [visitor.get("/healthz") for _ in range(2)]  # each server in turn
        assert [h.json()["status"] for h in healths] == ["degraded", "degraded"], [h.text for h in healths]
        answered_by = set()
        for _ in range(2):
            with cluster.browser() as someone:
                answered_by.add(someone.sign_in(ORGANIZER).upstream)  # a 302, never a 500
            organizer.get("/healthz")  # the next sign-in's POST goes to the other server
        assert len(answered_by) == 2
        [(unit_id,)] = cluster.sql("SELECT unit_id FROM attendees WHERE unit_id IS NOT NULL LIMIT 1")
        started, job = start_print(cluster, organizer, "/attendees/print", layout="a6", unit_id=str(unit_id))
        page = organizer.get(started.headers["Location"])
        assert page.status_code == 200 and "In lại" in page.text, page.text[-3000:]
        [(status,)] = cluster.sql("SELECT status FROM print_jobs WHERE id = %(id)s", id=job)
        assert status.lower() == "failed"
    finally:
        cluster.start_redis()
    retry = organizer.form(organizer.get(f"/admin/jobs/{job}"), "/retry")
    retried = organizer.submit(retry)
    assert retried.status_code == 302
    wait_for_job(cluster, organizer, f"/admin/jobs/{job}")
    pdf = download(cluster, organizer, retried.upstream, job)
    assert pdf.content.startswith(b"%PDF")
    with cluster.browser() as visitor:
        assert visitor.get("/healthz").json()["status"] == "ok"
    organizer.close()


def test_no_machine_kept_a_file_in_its_own_folders(cluster):
    """After everything above, the folders each machine would use without STORAGE_URL are still empty."""
    kept = [
        str(path.relative_to(cluster.workdir))
        for machine in [*cluster.servers, cluster.worker]
        for setting in OWN_FOLDERS
        if (folder := Path(machine.env[setting])).exists()
        for path in folder.rglob("*")
        if path.is_file()
    ]
    assert not kept
