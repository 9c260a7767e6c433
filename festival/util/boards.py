"""Live boards that fetch only what changed (static/js/live-board.js).

A board's rows each have a key and a digest of what they show. An open board polls with the board's
stamp (an ETag from the board's version: one row read): unchanged, the answer is 304 and nothing is read or
rendered; changed, it gets the key and digest of every row, compares them with its own, and asks only
for the rows that differ. Nothing is kept on the server between polls, so any app machine can answer.
"""

import hashlib
import threading
from collections.abc import Callable, Hashable
from datetime import datetime
from functools import lru_cache

from flask import Response, make_response, request

Rows = dict[str, list[tuple[str, Hashable]]]  # group (a table's body) -> [(row key, what the row shows: tuples)]


# A board of a thousand rows asks for the same rows' digests and HTML poll after poll: both are pure functions
# of what a row shows, so each process keeps the last few thousand (a memo, never the truth: what a row shows
# is read from the database every time, and a row that shows something else is a new entry).
MOST_REMEMBERED = 20_000


@lru_cache(maxsize=MOST_REMEMBERED)
def digest(shown: Hashable) -> str:
    """A short fingerprint of what a row shows (its values' repr: plain tuples of text, numbers, times)."""
    return hashlib.blake2b(repr(shown).encode(), digest_size=6).hexdigest()


_rendered: dict[tuple, str] = {}
_rendered_lock = threading.Lock()


def rendered(key: str, digest: str, language: str, render: Callable[[], str]) -> str:
    """A row's HTML in `language`: `render()` the first time this process shows the row as `digest` says (the
    digest of what it shows), then the same text. Only for rows whose HTML depends on nothing else (no form with
    the session's CSRF token)."""
    # Keyed by the digest, not by what the row shows: hashing a thousand rows' nested tuples once more each render
    # cost more than the lookups. An open board already takes a row whose digest is unchanged as unchanged.
    memo = (language, key, digest)
    html = _rendered.get(memo)
    if html is None:
        html = render()
        with _rendered_lock:
            _rendered[memo] = html
            while len(_rendered) > MOST_REMEMBERED:
                del _rendered[next(iter(_rendered))]  # the oldest first
    return html


def stamp(*parts: object) -> str:
    """A board's version from the aggregates that move when any of its rows could."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=9).hexdigest()


def versioned_stamp(festival_id: int, version: int | None, now: datetime, *extra: object) -> str:
    """A board's stamp from its version (festival/core/board_versions.py), the same whether a poll computes it
    before any of the request's work or the board itself does; it moves at least once a minute as well, so a
    write the version misses is shown within the minute."""
    return stamp(festival_id, *extra, version, now.replace(second=0, microsecond=0))


def index(rows: Rows) -> dict[str, list[list[str]]]:
    """Every row's key and digest, in order, per group (what a changed board's poll answers)."""
    return {group: [[key, digest(shown)] for key, shown in members] for group, members in rows.items()}


def digests(rows: Rows) -> dict[str, str]:
    """Row key -> digest, for a page rendering the whole board (each row carries its digest)."""
    return {key: digest(shown) for members in rows.values() for key, shown in members}


# The most rows one poll asks for; a board with more changed takes its tables whole (static/js/live-board.js).
MOST_ROWS = 200


def wanted_keys() -> set[str]:
    """The row keys a board asks for (`?keys=j3,e12`)."""
    return set(request.args.get("keys", "").split(",")[:MOST_ROWS]) - {""}


def not_modified(stamp: str) -> Response | None:
    """304 when the board that asks already shows this stamp (its If-None-Match)."""
    if stamp in request.if_none_match:
        return stamped(Response(status=304), stamp)
    return None


def stamped(response, stamp: str) -> Response:
    """The answer with the board's stamp as its ETag, never reused from a cache without asking."""
    response = make_response(response)
    response.set_etag(stamp)
    response.headers["Cache-Control"] = "no-cache, private"
    return response
