"""Wording with `{name}` placeholders, as organizers type it for certificates and e-mail: filling it in
safely, finding misspelt names, and the rule that a link placeholder stands as a word of its own."""

import functools
import re

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill(text: str, values: dict) -> str:
    """`text` with each known {placeholder} replaced; anything else stays exactly as typed.

    The result is plain text: it is escaped when shown, never run as a template or markup, so
    `{{ config }}` or `<script>` print as they are.
    """
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


def unknown_placeholders(text: str, known) -> list[str]:
    """The placeholders in `text` that are not among `known` (a misspelling), sorted."""
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in set(known)})


@functools.cache
def _link_rules(names: frozenset[str]) -> tuple[re.Pattern, re.Pattern]:
    alternatives = "|".join(re.escape(name) for name in sorted(names))
    any_link = re.compile(r"\{(?:" + alternatives + r")\}")
    # At most a sentence's punctuation around it, so wording cannot make it part of another address or of
    # markup ("https://elsewhere/?next={link}", '<a href="{link}">'), which would carry the link elsewhere.
    link_word = re.compile(r"[(\[«“‘\"']*\{(?:" + alternatives + r")\}[.,;:!?)\]»”’\"']*")
    return any_link, link_word


def misplaced_links(text: str, link_names: frozenset[str]) -> list[str]:
    """The words of `text` in which a link placeholder (one of `link_names`) is glued to something else
    (another address, markup, other characters): a link must stand alone, between spaces or sentence
    punctuation."""
    any_link, link_word = _link_rules(frozenset(link_names))
    return [word for word in text.split() if any_link.search(word) and not link_word.fullmatch(word)]
