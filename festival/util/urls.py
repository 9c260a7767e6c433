"""URLs: where to go after a form, and absolute addresses for printed QR codes."""

import logging
import re
from urllib.parse import urlencode, urlsplit

from flask import current_app, request, url_for
from werkzeug.routing import IntegerConverter

# Ids are INTEGER columns: beyond this PostgreSQL refuses the query ("integer out of range").
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: a number too large to be an id does not match, so it answers 404."""

    def __init__(self, map, **kwargs):
        super().__init__(map, **{"max": MAX_ID, **kwargs})


def record_id(value: str) -> int:
    """`type=` for request.args/form ids: a ValueError (so the default) unless 1..MAX_ID."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(value)
    return number


def optional_record_id(value: str | None) -> int | None:
    """`coerce=` for a select whose first choice is empty ("— Chọn … —"): None for it, else a record id."""
    return None if value in ("", None) else record_id(value)


def id_url_parts(endpoint: str, name: str, **values) -> tuple[str, str]:
    """The address of `endpoint` either side of its id `name`, built once for a page that links a thousand rows:
    `before + str(id) + after` is `url_for(endpoint, name=id)` without url_for's cost for each row."""
    # MAX_ID stands in for the id: no other part of an address is ten digits long.
    before, after = url_for(endpoint, **values, **{name: MAX_ID}).split(str(MAX_ID))
    return before, after


def safe_next(target: str | None) -> str | None:
    """The target if it is a path on this site, else None (never follow to another host)."""
    if not target or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def public_url(endpoint: str, **values) -> str:
    """An absolute URL on PUBLIC_BASE_URL, the address phones at the venue can reach."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    # Built from the URL map directly: prints also run from the command line, outside a request.
    return base + current_app.url_map.bind("").build(endpoint, values)


def page_url(page: int) -> str:
    """This page's URL with its filters kept and `page` set (for pagination links)."""
    values = {**(request.view_args or {}), **request.args.to_dict(), "page": page}
    return url_for(request.endpoint, **values)


# URL arguments and query parameters that open something by themselves (invitation, badge and
# reset links, verification codes): never written to a log.
SECRET_ARGUMENTS = frozenset({"token", "code", "key", "reset", "invite"})


def loggable_path() -> str:
    """The request's path and query with secret arguments replaced by "…", for logs."""
    path = request.path
    rule, values = request.url_rule, request.view_args or {}
    if rule is not None and SECRET_ARGUMENTS & set(values):
        shown = {name: "…" if name in SECRET_ARGUMENTS else value for name, value in values.items()}
        try:
            path = rule.build(shown, append_unknown=False)[1]
        except (ValueError, KeyError):
            path = rule.rule
    if request.query_string:
        pairs = [
            (name, "…" if name.lower() in SECRET_ARGUMENTS else value) for name, value in request.args.items(multi=True)
        ]
        path += "?" + urlencode(pairs, safe="…")
    return path


class SecretsInLogs(logging.Filter):
    """Redacts, in any log line, the secret parts of this app's URLs (the development server and
    gunicorn write their own access lines, which loggable_path cannot reach)."""

    SEGMENT = "[^/?#\\s\"']+"

    def __init__(self, url_map):
        super().__init__()
        self._paths = []
        for rule in url_map.iter_rules():
            if not SECRET_ARGUMENTS & rule.arguments:
                continue
            pattern = ""
            for part in re.split(r"(<[^>]+>)", rule.rule):
                if not part.startswith("<"):
                    pattern += re.escape(part)
                elif part.strip("<>").split(":")[-1] in SECRET_ARGUMENTS:
                    pattern += f"({self.SEGMENT})"
                else:
                    pattern += self.SEGMENT
            self._paths.append(re.compile(pattern))
        names = "|".join(sorted(SECRET_ARGUMENTS))
        self._query = re.compile(rf"([?&](?:{names})=)[^&\s\"']+", re.IGNORECASE)

    @staticmethod
    def _hide_groups(match) -> str:
        text, start = match.group(0), match.start()
        for group in range(match.lastindex or 0, 0, -1):
            left, right = match.span(group)
            text = text[: left - start] + "…" + text[right - start :]
        return text

    def redact(self, text: str) -> str:
        for pattern in self._paths:
            text = pattern.sub(self._hide_groups, text)
        return self._query.sub(r"\1…", text)

    def filter(self, record):
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
