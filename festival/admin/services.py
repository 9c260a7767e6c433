"""Festival editions, programme, member units and the console's figures."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from festival.core import audit
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.core.festivals import add_defaults, get_current_festival
from festival.models import AuditLog, Festival, ProgrammeItem, Region, Role, Unit, User
from festival.util.formatting import fold

FESTIVAL_FIELDS = (
    "edition",
    "name",
    "venue",
    "address",
    "starts_on",
    "ends_on",
    "registration_opens_at",
    "registration_closes_at",
    "judging_opens_at",
    "judging_closes_at",
    "exhibit_quota",
)


def _festival_snapshot(festival: Festival) -> dict:
    return {name: getattr(festival, name) for name in FESTIVAL_FIELDS}


def _check_festival(values: dict, festival: Festival | None) -> None:
    if values["starts_on"] > values["ends_on"]:
        raise FestivalError(_l("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."))
    if values["registration_opens_at"] >= values["registration_closes_at"]:
        raise FestivalError(_l("Thời điểm đóng đăng ký phải sau thời điểm mở đăng ký."))
    if values["judging_opens_at"] >= values["judging_closes_at"]:
        raise FestivalError(_l("Thời điểm kết thúc chấm phải sau thời điểm bắt đầu chấm."))
    clash = db.session.execute(db.select(Festival).where(Festival.edition == values["edition"])).scalar_one_or_none()
    if clash is not None and clash is not festival:
        raise FestivalError(_l("Đã có ngày hội lần thứ %(n)d.", n=values["edition"]))


def create_festival(values: dict, by: User | None) -> Festival:
    """Create an edition with its default policy, badge roles and certificate wording; the first
    one created becomes current.

    :raise FestivalError: dates out of order or the edition number taken.
    """
    _check_festival(values, None)
    festival = Festival(**values)
    festival.is_current = get_current_festival() is None
    db.session.add(festival)
    add_defaults(festival)
    audit.record("festival.created", festival, by=by, after=_festival_snapshot(festival))
    return festival


def update_festival(festival: Festival, values: dict, by: User) -> None:
    """Change an edition's details and windows (audited).

    :raise FestivalError: dates out of order or the edition number taken.
    """
    _check_festival(values, festival)
    before = _festival_snapshot(festival)
    for name, value in values.items():
        setattr(festival, name, value)
    after = _festival_snapshot(festival)
    if before != after:
        audit.record("festival.updated", festival, by=by, before=before, after=after)


def make_current(festival: Festival, by: User) -> None:
    """Make `festival` the edition the site runs; the others become past editions."""
    previous = get_current_festival()
    if previous is festival:
        return
    if previous is not None:
        previous.is_current = False
        db.session.flush()
    festival.is_current = True
    audit.record("festival.made_current", festival, by=by, before={"edition": previous.edition if previous else None})


def add_programme_item(
    festival: Festival, starts_at: datetime, ends_at: datetime | None, title: str, location: str, by: User
) -> ProgrammeItem:
    """Add a line to the festival's programme.

    :raise FestivalError: it ends before it starts.
    """
    if ends_at is not None and ends_at <= starts_at:
        raise FestivalError(_l("Giờ kết thúc phải sau giờ bắt đầu."))
    item = ProgrammeItem(
        festival=festival, starts_at=starts_at, ends_at=ends_at, title=title.strip(), location=location.strip()
    )
    db.session.add(item)
    db.session.flush()
    audit.record("programme.added", item, by=by, after={"title": item.title, "starts_at": starts_at})
    return item


def delete_programme_item(item: ProgrammeItem, by: User) -> None:
    audit.record("programme.deleted", item, by=by, before={"title": item.title, "starts_at": item.starts_at})
    db.session.delete(item)


def normalise_code(code: str) -> str:
    return code.strip().upper()


def region_from_text(text: str) -> Region | None:
    """The region named by a value or a Vietnamese/English label, ignoring accents and case."""
    wanted = fold(text).replace(" ", "").replace(".", "")
    for region, names in REGION_NAMES.items():
        if wanted == region.value or wanted in {fold(name).replace(" ", "").replace(".", "") for name in names}:
            return region
    return None


REGION_NAMES = {
    Region.HANOI: ("Hà Nội", "Hanoi"),
    Region.HUE: ("Huế", "Thừa Thiên Huế"),
    Region.DANANG: ("Đà Nẵng",),
    Region.HCMC: (
        "TP.HCM",
        "TP. Hồ Chí Minh",
        "Thành phố Hồ Chí Minh",
        "Hồ Chí Minh",
        "Ho Chi Minh City",
        "HCMC",
        "Sài Gòn",
    ),
}


def _check_unit_code(code: str, unit: Unit | None) -> None:
    if not code or not code.replace("_", "").replace("-", "").isalnum() or not code.isascii():
        raise FestivalError(_l("Mã đơn vị chỉ gồm chữ không dấu, số, gạch ngang hoặc gạch dưới."))
    clash = db.session.execute(db.select(Unit).where(Unit.code == code)).scalar_one_or_none()
    if clash is not None and clash is not unit:
        raise FestivalError(_l("Mã đơn vị %(code)s đã được dùng.", code=code))


def _unit_snapshot(unit: Unit) -> dict:
    return {"code": unit.code, "name": unit.name, "short_name": unit.short_name, "region": unit.region}


def create_unit(code: str, name: str, short_name: str, region: Region, by: User | None) -> Unit:
    """Add a member unit.

    :raise FestivalError: the code is malformed or taken.
    """
    code = normalise_code(code)
    _check_unit_code(code, None)
    unit = Unit(code=code, name=name.strip(), short_name=short_name.strip() or name.strip(), region=region)
    db.session.add(unit)
    db.session.flush()
    audit.record("unit.created", unit, by=by, after=_unit_snapshot(unit))
    return unit


def update_unit(unit: Unit, code: str, name: str, short_name: str, region: Region, by: User) -> None:
    """Change a unit's code, names or region (audited).

    :raise FestivalError: the code is malformed or taken.
    """
    code = normalise_code(code)
    _check_unit_code(code, unit)
    before = _unit_snapshot(unit)
    unit.code, unit.name, unit.short_name, unit.region = code, name.strip(), short_name.strip() or name.strip(), region
    after = _unit_snapshot(unit)
    if before != after:
        audit.record("unit.updated", unit, by=by, before=before, after=after)


def delete_unit(unit: Unit, by: User) -> None:
    """Remove a unit that nothing refers to yet.

    :raise FestivalError: the unit still has accounts (or other records).
    """
    if unit.users:
        raise FestivalError(_l("Không thể xoá đơn vị %(code)s vì còn tài khoản thuộc đơn vị này.", code=unit.code))
    audit.record("unit.deleted", unit, by=by, before=_unit_snapshot(unit))
    db.session.delete(unit)


def list_units() -> list[Unit]:
    return list(db.session.execute(db.select(Unit).order_by(Unit.code)).scalars())


def search_units(region: Region | None, query: str):
    """The select for the units list, filtered by region and by code or name."""
    stmt = db.select(Unit).order_by(Unit.region, Unit.code)
    if region is not None:
        stmt = stmt.where(Unit.region == region)
    if query.strip():
        stmt = stmt.where(Unit.search_text.contains(fold(query), autoescape=True))
    return stmt


def console_counts() -> dict:
    """The figures on the console's home page."""
    by_role = dict(db.session.execute(db.select(User.role, sa.func.count()).group_by(User.role)).all())
    return {
        "units": db.session.scalar(db.select(sa.func.count()).select_from(Unit)),
        "users": sum(by_role.values()),
        "by_role": {role: by_role.get(role, 0) for role in Role},
        "pending_invitations": db.session.scalar(
            db.select(sa.func.count()).select_from(User).where(User.password_hash.is_(None))
        ),
    }


def audit_entries():
    """The select for the audit log, newest first."""
    return db.select(AuditLog).order_by(AuditLog.id.desc())
