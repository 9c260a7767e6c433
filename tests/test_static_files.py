"""Static files under hashed names with a long cache, plain names with a short one, everything compressed."""

import json
import re

import brotli
import pytest
from flask import url_for

from tests.conftest import make_app
from tools import build_static

SOURCE = build_static.SOURCE


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "static"
    build_static.build(out=out, log=lambda message: None)
    return out


@pytest.fixture
def app(tmp_path, built):
    return make_app(tmp_path, STATIC_BUILD_DIR=str(built))


def get(client, url, **kwargs):
    """The response, read whole and closed (a file response left open is a ResourceWarning)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def test_url_for_static_gives_the_hashed_name_from_the_manifest(app, built):
    paths = json.loads((built / "staticfiles.json").read_text(encoding="utf-8"))["paths"]
    with app.test_request_context():
        url = url_for("static", filename="css/app.css")
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", url)
    assert url == "/static/" + paths["css/app.css"]


def test_pages_link_hashed_files_served_for_a_year_and_unchanged(client):
    page = get(client, "/auth/login").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert {link.rsplit("/", 1)[1].split(".")[0] for link in links} >= {"bootstrap", "app", "favicon"}
    for link in links:
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", link), link
        response = get(client, link)
        assert response.status_code == 200
        cache = response.headers["Cache-Control"]
        assert "immutable" in cache and int(re.search(r"max-age=(\d+)", cache).group(1)) >= 365 * 24 * 3600
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        plain = re.sub(r"\.[0-9a-f]{12}(\.\w+)$", r"\1", link.removeprefix("/static/"))
        if not plain.endswith(".css"):  # CSS is rewritten to name hashed fonts
            assert response.get_data() == (SOURCE / plain).read_bytes()


def test_css_points_at_hashed_fonts_that_are_served(client):
    with client.application.test_request_context():
        css_url = url_for("static", filename="css/app.css")
    css = get(client, css_url).get_data(as_text=True)
    fonts = re.findall(r'url\("\.\./(fonts/[^"]+)"\)', css)
    assert len(fonts) == 4
    for font in fonts:
        assert re.search(r"\.[0-9a-f]{12}\.woff2$", font)
        response = get(client, f"/static/{font}")
        assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
        assert response.get_data()[:4] == b"wOF2"


def test_plain_names_are_still_served_with_a_short_cache(client):
    response = get(client, "/static/js/scoring.js")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=60, public"
    assert response.get_data() == (SOURCE / "js" / "scoring.js").read_bytes()


def test_static_files_are_sent_brotli_compressed_to_browsers_that_accept_it(client):
    with client.application.test_request_context():
        url = url_for("static", filename="vendor/bootstrap-5.3.9/css/bootstrap.purged.min.css")
    response = get(client, url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in response.headers["Vary"]
    body = brotli.decompress(response.get_data())
    assert body == (SOURCE / "vendor/bootstrap-5.3.9/css/bootstrap.purged.min.css").read_bytes()
    assert response.content_length < len(body) / 4


def test_pages_are_compressed_for_browsers_that_accept_it(client):
    plain = get(client, "/auth/login")
    compressed = get(client, "/auth/login", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert compressed.headers["Content-Encoding"] == "br"
    assert "Content-Encoding" not in plain.headers
    assert brotli.decompress(compressed.get_data()).decode().count("<form") == plain.get_data(as_text=True).count(
        "<form"
    )
    assert compressed.content_length < plain.content_length / 2


def test_the_build_is_the_same_every_time(built, tmp_path):
    again = tmp_path / "static"
    build_static.build(out=again, log=lambda message: None)
    first = sorted(p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again).as_posix() for p in again.rglob("*") if p.is_file())
    assert first == second
    assert all((built / name).read_bytes() == (again / name).read_bytes() for name in first)
    assert not any(name.endswith((".map", ".ttf")) for name in first)  # only WeasyPrint reads the TTFs


def test_without_a_build_or_in_debug_mode_static_is_served_as_it_is(tmp_path, built):
    for settings in ({"STATIC_BUILD_DIR": str(tmp_path / "missing")}, {"STATIC_BUILD_DIR": str(built), "DEBUG": True}):
        app = make_app(tmp_path, **settings)
        with app.test_request_context():
            assert url_for("static", filename="css/app.css") == "/static/css/app.css"
        assert get(app.test_client(), "/static/css/app.css").status_code == 200
