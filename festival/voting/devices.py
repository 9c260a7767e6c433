"""The signed cookie that links a visitor's phone to their badge, and the per-badge rate-limit key."""

import hashlib
from datetime import timedelta

from flask import current_app, request, session
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeSerializer

from festival.voting import services

COOKIE = "festival_voter"
KIOSK_KEY = "kiosk_voter"  # the badge the kiosk scanned, in the kiosk's own session


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="festival-vote-device")


def cookie_value() -> tuple[int | None, str | None]:
    """(attendee id, device secret) from this phone's cookie, or (None, None)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None, None
    try:
        data = _serializer().loads(raw)
        return int(data["a"]), str(data["s"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None, None


def current_voter():
    """The attendee linked to this phone (None if none), and why the link no longer holds."""
    return services.linked_voter(*cookie_value())


def set_cookie(response, attendee_id: int, secret: str) -> None:
    response.set_cookie(
        COOKIE,
        _serializer().dumps({"a": attendee_id, "s": secret}),
        max_age=int(timedelta(days=current_app.config["VOTE_COOKIE_DAYS"]).total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )


def clear_cookie(response) -> None:
    """Forget this phone's link (after the visitor withdrew it)."""
    response.delete_cookie(COOKIE, samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", False))


def badge_key() -> str:
    """Rate limits per badge link: the badge this phone is linked to and that link (the cookie's, signed), else
    the address. A phone whose link was taken back keeps spending its own count, never that of the badge's
    owner on the phone linked since; the kiosk counts per badge."""
    kiosk = session.get(KIOSK_KEY)
    if request.endpoint == "voting.kiosk_vote" and kiosk:
        return f"badge:{kiosk.get('a')}"
    attendee_id, secret = cookie_value()
    if not attendee_id:
        return f"address:{get_remote_address()}"
    # A digest, so that no store of rate-limit counters holds the link's secret.
    return f"badge:{attendee_id}:{hashlib.sha256(secret.encode()).hexdigest()[:16]}"


def client_address() -> str:
    return (request.remote_addr or "")[:64]
