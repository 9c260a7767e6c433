"""Static files under content-hashed names, cached for good by browsers, served by WhiteNoise.

`tools/build_static.py` (`make static`, which `make run` runs) publishes static/ into STATIC_BUILD_DIR with each
file also under a hashed name, brotli and gzip copies, and staticfiles.json listing the hashed names. When that
folder is there, `url_for('static', filename=…)` gives the hashed name, which WhiteNoise serves with a
year-long immutable Cache-Control, so a page loaded again asks for no static file at all. The plain names stay
served for what cannot read the manifest (a service worker's fixed URLs, links in old pages), cached for a
minute. The hashed files of the builds before (the manifest's "previous") are there too and served the same
way, for pages that machines still on the last release handed out during a rolling release; the manifest's
"release" number goes into the service worker so that an older release's worker never replaces a newer one.
Without the folder,
or in debug mode (so edits show at once), Flask serves static/ as before.
"""

import json
from pathlib import Path

from whitenoise import WhiteNoise

MANIFEST = "staticfiles.json"  # written by tools/build_static.py
PLAIN_NAME_MAX_AGE = 60  # seconds: the plain names change content in place when the app is updated


def load_manifest(build_dir) -> dict | None:
    """The build folder's manifest ("paths": {name: hashed name}, "previous": the earlier builds' hashed names
    kept), or None when the folder has not been built."""
    path = Path(build_dir) / MANIFEST
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def init_app(app):
    """Serve the built static folder with WhiteNoise and make url_for('static') give hashed names."""
    build_dir = app.config.get("STATIC_BUILD_DIR")
    manifest = load_manifest(build_dir) if build_dir and not app.debug else None
    if manifest is None:
        if build_dir and not app.debug:
            app.logger.warning("No %s in %s: static files served unhashed; run `make static`.", MANIFEST, build_dir)
        return
    paths = manifest["paths"]
    prefix = app.static_url_path.rstrip("/") + "/"
    kept = [name for build in manifest.get("previous", []) for name in build]
    hashed_urls = {prefix + name for name in [*paths.values(), *kept]}
    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=build_dir,
        prefix=prefix,
        max_age=PLAIN_NAME_MAX_AGE,
        immutable_file_test=lambda path, url: url in hashed_urls,
        allow_all_origins=False,  # only our own pages use these files
        add_headers_function=_add_security_headers,
    )
    app.extensions["static_manifest"] = paths
    app.extensions["static_release"] = manifest.get("release", 0)

    @app.url_defaults
    def hashed_static_name(endpoint, values):
        if endpoint == "static" and values.get("filename") in paths:
            values["filename"] = paths[values["filename"]]


def _add_security_headers(headers, path, url):
    # WhiteNoise answers before Flask, so the after_request hook that adds this to pages never sees these.
    headers["X-Content-Type-Options"] = "nosniff"
