"""Every UI string has an English translation, and the compiled catalogue is current."""

import re
import tokenize
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "festival/translations/en/LC_MESSAGES"


def source_messages():
    method_map = [("festival/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(str(ROOT), method_map, keywords=keywords):
        key = message[0] if isinstance(message, tuple) else message
        found.setdefault(key, f"{filename}:{lineno}")
    return found


def test_every_ui_string_has_an_english_translation():
    with open(CATALOG / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    missing = []
    for msgid, where in source_messages().items():
        message = catalog.get(msgid)
        strings = message.string if message else None
        if not message or not (all(strings) if isinstance(strings, tuple) else strings) or message.fuzzy:
            missing.append(f"{where}: {msgid!r}")
    assert missing == [], "Run `make translations` and translate:\n" + "\n".join(missing)


def test_compiled_catalogue_matches_the_po_file():
    with open(CATALOG / "messages.po", "rb") as handle:
        po = read_po(handle)
    with open(CATALOG / "messages.mo", "rb") as handle:
        mo = read_mo(handle)
    assert _entries(po) == _entries(mo), "Run `pybabel compile -d festival/translations`"


def _entries(catalog):
    def key(value):
        return value if isinstance(value, str) else tuple(value)  # .mo plurals read back as lists

    return {key(m.id): key(m.string) for m in catalog if m.id}


def test_no_message_is_in_the_catalogue_twice():
    """Two branches adding the same string leave two entries after a merge, and babel keeps one silently."""
    keys = []
    for entry in (CATALOG / "messages.po").read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in entry.splitlines() if not line.startswith("#")]
        ends = next((i for i, line in enumerate(lines) if line.startswith("msgstr")), len(lines))
        keys.append("\n".join(lines[:ends]))  # msgctxt and msgid, as written
    assert sorted({key for key in keys if key and keys.count(key) > 1}) == []


def test_no_ui_string_is_marked_inside_an_f_string():
    """pybabel reads an f-string as one string, so a `_("…")` inside it is never extracted: `make translations` then
    drops its English (it did for the control room's "Đã có người")."""
    hidden = []
    for path in sorted((ROOT / "festival").rglob("*.py")):
        with tokenize.open(path) as handle:
            for token in tokenize.generate_tokens(handle.readline):
                prefix = re.match(r"[A-Za-z]*", token.string).group().lower()
                if token.type == tokenize.STRING and "f" in prefix and re.search(r"\b_l?\(\s*['\"]", token.string):
                    hidden.append(f"{path.relative_to(ROOT)}:{token.start[0]}")
    assert hidden == [], "Take the marked string out of the f-string:\n" + "\n".join(hidden)
