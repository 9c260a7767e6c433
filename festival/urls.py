"""URLs: where to go after a form, and absolute addresses for printed QR codes."""

from urllib.parse import urlsplit

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
