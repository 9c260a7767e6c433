"""Driving the import pages as a browser without JavaScript would: upload, read the preview's form, post it."""

import io
import re
from html import unescape
from urllib.parse import urlsplit

from festival.core import storage


def preview_form(page: str) -> dict:
    """The preview form's fields as the page shows them: hidden and text inputs, each select's selected option, the
    ticked checkboxes (several "include" values as a list)."""
    form = page[page.index('id="import-form"') :]
    form = form[: form.index("</form>")]
    data: dict = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        data[name] = unescape(value)
    for name, value in re.findall(r'<input [^>]*type="text"[^>]*name="([^"]+)" value="([^"]*)"', form):
        data[name] = unescape(value)
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body) or re.search(r'<option value="([^"]*)"', body)
        data[name] = unescape(chosen.group(1)) if chosen else ""
    ticked = re.findall(r'<input class="form-check-input" type="checkbox" name="include" value="(\d+)" checked', form)
    if ticked:
        data["include"] = ticked
    return data


def upload(client, base: str, data: bytes, filename: str = "danh-sach.xlsx"):
    """Step 1; returns the answer (a redirect to the preview when the file can be read)."""
    return client.post(
        f"{base}/import", data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data"
    )


def preview_url(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return urlsplit(response.headers["Location"]).path


def post_preview(client, url: str, action: str = "preview", **changes):
    """Post the preview form as shown, with `changes` (field name → value; None removes it)."""
    data = preview_form(client.get(url).get_data(as_text=True))
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    data["action"] = action
    return client.post(url, data=data)


def web_import(client, base: str, data: bytes, filename: str = "danh-sach.xlsx", **changes):
    """Upload, apply `changes` to the preview (refreshing it), then import; returns the last answer."""
    url = preview_url(upload(client, base, data, filename))
    if changes:
        assert post_preview(client, url, **changes).status_code == 302
    return post_preview(client, url, "import")


def problems_on(response) -> list[str]:
    """The problems and refusals a preview page lists, as text (for assertion messages)."""
    page = response.get_data(as_text=True)
    rows = re.findall(r"<tr>(?:<td>[^<]*</td>){3,4}</tr>", page)
    alerts = re.findall(r'class="alert[^"]*"[^>]*>\s*(?:<ul class="mb-0">)?(.*?)</', page, re.S)
    return [re.sub(r"<[^>]+>", " | ", row) for row in rows] + [a.strip() for a in alerts]


def upload_files(app) -> list[str]:
    """The files kept between import steps (an upload and its choices), by key."""
    with app.app_context():
        return sorted(found.key for found in storage.store("imports").list())
