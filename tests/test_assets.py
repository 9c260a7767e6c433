"""The committed front-end files are what their scripts make: web fonts, trimmed Bootstrap CSS."""

import re
from pathlib import Path

from tools import subset_fonts

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
BOOTSTRAP = STATIC / "vendor" / "bootstrap-5.3.9"


def test_committed_web_fonts_are_what_subset_fonts_makes():
    assert subset_fonts.main(["--check"]) == 0


def test_font_faces_load_the_woff2_subsets_with_their_unicode_range():
    css = (STATIC / "css" / "app.css").read_text(encoding="utf-8")
    faces = re.findall(r"@font-face\s*\{(.*?)\}", css, re.DOTALL)
    assert len(faces) == len(subset_fonts.FACES)
    for face in faces:
        src = re.search(r'src:\s*url\("\.\./(fonts/[^"]+)"\)\s*format\("woff2"\)', face)
        assert src and (STATIC / src.group(1)).is_file(), face
        assert "font-display: swap" in face
        declared = re.search(r"unicode-range:([^;]*);", face).group(1)
        assert " ".join(declared.split()) == subset_fonts.UNICODE_RANGE


def _selectors(css: str) -> dict[str, set[str]]:
    """Each selector of a style sheet (split at commas) with the class names in it."""
    css = re.sub(r"url\([^)]*\)|/\*.*?\*/", "", css, flags=re.DOTALL)
    selectors = {part.strip() for group in re.findall(r"([^{}]+)\{", css) for part in group.split(",")}
    return {selector: set(re.findall(r"\.(-?[A-Za-z_][\w-]*)", selector)) for selector in selectors}


def _classes_in_templates() -> dict[str, str]:
    """Class names written out whole in class="…" attributes and in classList calls, with a file using each."""
    found = {}
    for path in sorted((ROOT / "templates").rglob("*.html")) + sorted((STATIC / "js").glob("*.js")):
        text = path.read_text(encoding="utf-8")
        values = re.findall(r'class="([^"]*)"', text) + re.findall(r"classList\.\w+\(\s*\"([^\"]+)\"", text)
        for value in values:
            value = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", value)  # Jinja pieces: names built at run time
            for name in value.split():
                if re.fullmatch(r"[A-Za-z][\w-]*", name):  # not a fragment such as "alert-" or "text-bg-"
                    found.setdefault(name, path.relative_to(ROOT).as_posix())
    return found


def test_every_bootstrap_rule_the_templates_can_match_is_in_the_purged_css():
    used = _classes_in_templates()
    toggled = {"show", "fade", "collapsing", "collapsed", "active", "disabled"}  # set by Bootstrap's plugins
    purged = _selectors((BOOTSTRAP / "css" / "bootstrap.purged.min.css").read_text(encoding="utf-8"))
    full = _selectors((BOOTSTRAP / "css" / "bootstrap.min.css").read_text(encoding="utf-8"))
    # A selector made only of classes that pages use, which the purged file lost (no page sets a dark theme).
    missing = sorted(
        selector
        for selector, classes in full.items()
        if classes and classes <= used.keys() | toggled and selector not in purged and "data-bs-theme" not in selector
    )
    assert not missing, f"run `npm ci && npm run build:bootstrap` (or add to its SAFELIST): {missing}"
    # Names that templates build from pieces are kept by the safelist.
    classes = set().union(*purged.values())
    for name in ("alert-success", "alert-danger", "text-bg-secondary", "text-bg-dark"):
        assert name in classes
    assert len(used) > 100  # the scan found the templates' classes
