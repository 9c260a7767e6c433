"""The breach register: each personal data breach, what was done and who was told (the authority within 72 hours)."""

from festival.core import audit
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.models import Breach, Festival, User, utcnow

FIELDS = (
    "what_happened",
    "found_at",
    "people_affected",
    "people_description",
    "data_affected",
    "actions_taken",
    "authority_notified_at",
    "authority_name",
    "people_notified_at",
    "people_notice",
)
DEFAULT_AUTHORITY = "Cục A05 – Bộ Công an"


def list_breaches(festival: Festival) -> list[Breach]:
    """The festival's breaches, the latest found first."""
    return list(
        db.session.execute(
            db.select(Breach)
            .where(Breach.festival_id == festival.id)
            .order_by(Breach.found_at.desc(), Breach.id.desc())
        ).scalars()
    )


def _check(values: dict, now) -> None:
    if not (values.get("what_happened") or "").strip():
        raise FestivalError("Hãy mô tả sự việc.")
    found_at = values["found_at"]
    if found_at > now:
        raise FestivalError("Thời điểm phát hiện không thể ở tương lai.")
    for name, label in (("authority_notified_at", "cơ quan chức năng"), ("people_notified_at", "người bị ảnh hưởng")):
        told = values.get(name)
        if told is not None and told < found_at:
            raise FestivalError(f"Thời điểm thông báo cho {label} không thể trước khi phát hiện.")
    if values.get("authority_notified_at") and not (values.get("authority_name") or "").strip():
        raise FestivalError("Hãy ghi cơ quan đã được thông báo.")
    if values.get("people_affected") is not None and values["people_affected"] < 0:
        raise FestivalError("Số người bị ảnh hưởng không thể âm.")


def _clean(values: dict) -> dict:
    cleaned = {name: values.get(name) for name in FIELDS}
    for name in (
        "what_happened",
        "people_description",
        "data_affected",
        "actions_taken",
        "authority_name",
        "people_notice",
    ):
        cleaned[name] = (cleaned[name] or "").strip()
    return cleaned


def record_breach(festival: Festival, values: dict, *, by: User | None, now=None) -> Breach:
    """Add a breach to the register.

    :raise FestivalError: a description missing, or times out of order.
    """
    values = _clean(values)
    _check(values, now or utcnow())
    breach = Breach(festival_id=festival.id, created_by_id=by.id if by else None, **values)
    db.session.add(breach)
    db.session.flush()
    audit.record("breach.create", breach, by=by, after=values)
    return breach


def update_breach(breach: Breach, values: dict, *, by: User | None, now=None) -> Breach:
    """Change a breach's record (e.g. when the authority has been told).

    :raise FestivalError: a description missing, or times out of order.
    """
    values = _clean(values)
    _check(values, now or utcnow())
    before = {name: getattr(breach, name) for name in FIELDS}
    for name, value in values.items():
        setattr(breach, name, value)
    breach.updated_at = utcnow()
    db.session.flush()
    audit.record("breach.update", breach, by=by, before=before, after=values)
    return breach
