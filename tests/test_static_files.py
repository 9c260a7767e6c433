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


# Rolling releases: machines on the last build and on this one serve the same site for a while ----------------


def _publish(source, out, css: str) -> dict[str, str]:
    (source / "css").mkdir(parents=True, exist_ok=True)
    (source / "css" / "app.css").write_text(css, encoding="utf-8")
    return build_static.build(source=source, out=out, log=lambda message: None)


def _sw_version(app) -> str:
    script = get(app.test_client(), "/sw.js").get_data(as_text=True)
    return re.search(r'const VERSION = "([0-9a-f]+)";', script).group(1)


def test_a_new_build_keeps_the_hashed_files_of_the_two_builds_before_it(tmp_path):
    source, out = tmp_path / "source", tmp_path / "build" / "static"
    (source / "img").mkdir(parents=True)
    (source / "img" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    builds = [_publish(source, out, f"body {{ margin: {n}px; }}" * 40)["css/app.css"] for n in range(4)]
    assert len(set(builds)) == 4
    app = make_app(tmp_path, STATIC_BUILD_DIR=str(out))
    client = app.test_client()
    with app.test_request_context():
        assert url_for("static", filename="css/app.css") == "/static/" + builds[3]
    for hashed in builds[1:]:  # this build's and the two before: pages of machines not yet updated ask for them
        response = get(client, "/static/" + hashed)
        assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
        assert (out / (hashed + ".gz")).is_file()
    assert get(client, "/static/" + builds[0]).status_code == 404  # older builds' files go
    assert not (out / builds[0]).exists()
    assert get(client, "/static/css/app.css").get_data(as_text=True).startswith("body { margin: 3px; }")
    manifest = json.loads((out / "staticfiles.json").read_text(encoding="utf-8"))
    assert [[name for name in build if name.startswith("css/")] for build in manifest["previous"]] == [
        [builds[2]],
        [builds[1]],
    ]


def test_building_the_same_files_again_changes_nothing(tmp_path):
    source, out = tmp_path / "source", tmp_path / "static"
    old = _publish(source, out, "a { color: red; }")["css/app.css"]
    _publish(source, out, "a { color: blue; }")
    manifest = (out / "staticfiles.json").read_text(encoding="utf-8")
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    _publish(source, out, "a { color: blue; }")
    assert (out / "staticfiles.json").read_text(encoding="utf-8") == manifest
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == files
    assert (out / old).is_file()


def test_machines_on_the_same_build_give_the_same_service_worker_version(tmp_path, built):
    first = make_app(tmp_path, STATIC_BUILD_DIR=str(built))
    second = make_app(tmp_path, STATIC_BUILD_DIR=str(built))  # another machine, the same release
    assert _sw_version(first) == _sw_version(second)
    # The version follows the files' content: a build with another app.css makes another version.
    source, out = tmp_path / "source", tmp_path / "other" / "static"
    _publish(source, out, "a { color: red; }")
    red = _sw_version(make_app(tmp_path, STATIC_BUILD_DIR=str(out)))
    _publish(source, out, "a { color: blue; }")
    blue = _sw_version(make_app(tmp_path, STATIC_BUILD_DIR=str(out)))
    assert red != blue and _sw_version(make_app(tmp_path, STATIC_BUILD_DIR=str(out))) == blue


def _sw_release(app) -> int:
    script = get(app.test_client(), "/sw.js").get_data(as_text=True)
    return int(re.search(r"const RELEASE = (\d+);", script).group(1))


def test_the_service_worker_names_the_release_that_orders_it(tmp_path, built, monkeypatch):
    # The checked-out commit's time: every machine building this commit gets the same number.
    committed = build_static.subprocess.run(
        ["git", "-C", str(build_static.ROOT), "log", "-1", "--format=%ct"], capture_output=True, text=True
    ).stdout.strip()
    manifest = json.loads((built / "staticfiles.json").read_text(encoding="utf-8"))
    assert manifest["release"] == int(committed) > 1_600_000_000
    assert _sw_release(make_app(tmp_path, STATIC_BUILD_DIR=str(built))) == manifest["release"]
    # A release named by the deployment wins, and a later release gets a larger number.
    source, out = tmp_path / "source", tmp_path / "named" / "static"
    monkeypatch.setenv("FESTIVAL_RELEASE", "41")
    _publish(source, out, "a { color: red; }")
    assert _sw_release(make_app(tmp_path, STATIC_BUILD_DIR=str(out))) == 41
    monkeypatch.setenv("FESTIVAL_RELEASE", "42")
    _publish(source, out, "a { color: blue; }")
    assert _sw_release(make_app(tmp_path, STATIC_BUILD_DIR=str(out))) == 42
    # Without a build (development) the worker is release 0, and without git the files' newest time counts.
    assert _sw_release(make_app(tmp_path, STATIC_BUILD_DIR=str(tmp_path / "missing"))) == 0
    monkeypatch.delenv("FESTIVAL_RELEASE")
    monkeypatch.setattr(build_static, "ROOT", tmp_path / "not-a-repository")
    (source / "css" / "app.css").touch()
    newest = int((source / "css" / "app.css").stat().st_mtime)
    _publish(source, out, "a { color: green; }")
    assert json.loads((out / "staticfiles.json").read_text(encoding="utf-8"))["release"] >= newest
