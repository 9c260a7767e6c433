"""The export for the Confederation's initiative portal (Cổng sáng kiến, sangkien.congdoanvietnam.org): a period's
recognised initiatives, one row each, laid out as organizers type them in; no portal API is documented, so this
is a file they upload. A trade secret keeps only its name, the summary of its effect and its award."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from festival.core.extensions import db
from festival.models import Award, Exhibit, Initiative, InitiativeBenefit, InitiativeState
from festival.spreadsheets import write_xlsx

COLUMNS = (
    _l("Đơn vị"),
    _l("Tên sáng kiến"),
    _l("Lĩnh vực"),
    _l("Tác giả"),
    _l("Đối tượng tác giả"),
    _l("Ngày áp dụng lần đầu"),
    _l("Cấp công nhận"),
    _l("Số quyết định công nhận"),
    _l("Ngày quyết định"),
    _l("Giá trị làm lợi năm đầu (đồng)"),
    _l("Tóm tắt hiệu quả"),
    _l("Giải thưởng"),
)
# The columns a trade secret keeps (by position in COLUMNS): its name, the summary of its effect, its award.
TRADE_SECRET_KEEPS = (1, 10, 11)


@dataclass(frozen=True)
class PortalPeriod:
    """Recognition decisions from `starts_on` to `ends_on`, both included, of the given units (None: all)."""

    starts_on: date
    ends_on: date
    unit_ids: list[int] | None = None


def recognised_initiatives(period: PortalPeriod) -> list[Initiative]:
    """The period's recognised initiatives by unit and decision date, with what the export shows, in a fixed
    number of statements."""
    query = (
        sa.select(Initiative)
        .where(
            Initiative.state == InitiativeState.RECOGNISED,
            Initiative.decided_on >= period.starts_on,
            Initiative.decided_on <= period.ends_on,
        )
        .options(
            joinedload(Initiative.unit),
            selectinload(Initiative.authors),
            selectinload(Initiative.benefits),
            joinedload(Initiative.exhibit).joinedload(Exhibit.festival),
        )
        .order_by(Initiative.unit_id, Initiative.decided_on, Initiative.year, Initiative.number)
    )
    if period.unit_ids is not None:
        query = query.where(Initiative.unit_id.in_(period.unit_ids))
    return list(db.session.execute(query).unique().scalars())


def _awards(initiatives: list[Initiative]) -> dict[int, Award]:
    """The festival prize of each nominated initiative's exhibit, by exhibit id (one statement)."""
    exhibit_ids = [i.exhibit_id for i in initiatives if i.exhibit_id is not None]
    if not exhibit_ids:
        return {}
    found = db.session.execute(sa.select(Award).where(Award.exhibit_id.in_(exhibit_ids))).scalars()
    return {award.exhibit_id: award for award in found}


def first_year_benefit(initiative: Initiative) -> int | str | None:
    """The benefit of the first year of application, "Không tính được" when it cannot be computed."""
    first: InitiativeBenefit | None = next((b for b in initiative.benefits if b.year_index == 1), None)
    if first is not None and first.benefit_vnd is not None:
        return first.benefit_vnd
    if not initiative.benefit_computable or first is not None:
        return _("Không tính được")
    return None


def award_text(initiative: Initiative, award: Award | None) -> str:
    """The award the unit recorded, and the festival prize its exhibit won."""
    parts = [initiative.award.strip()] if initiative.award.strip() else []
    if award is not None:
        parts.append(
            _("%(tier)s – Ngày hội lần %(edition)s", tier=award.tier.label, edition=initiative.exhibit.festival.edition)
        )
    return "; ".join(parts)


def portal_row(initiative: Initiative, award: Award | None) -> list:
    """One initiative's row in the order of COLUMNS; a trade secret's other columns are left empty."""
    categories = list(dict.fromkeys(author.category for author in initiative.authors))
    row = [
        initiative.unit.name,
        initiative.title,
        str(initiative.field.label),
        ", ".join(author.full_name for author in initiative.authors),
        ", ".join(str(category.label) for category in categories),
        initiative.first_applied_on,
        str(initiative.level.label) if initiative.level else "",
        initiative.decision_number,
        initiative.decided_on,
        first_year_benefit(initiative),
        initiative.effect_summary,
        award_text(initiative, award),
    ]
    if initiative.is_trade_secret:
        row = [value if position in TRADE_SECRET_KEEPS else None for position, value in enumerate(row)]
    return row


def portal_rows(period: PortalPeriod) -> list[list]:
    """The export's rows for the period."""
    initiatives = recognised_initiatives(period)
    awards = _awards(initiatives)
    return [portal_row(i, awards.get(i.exhibit_id)) for i in initiatives]


def portal_xlsx(period: PortalPeriod) -> bytes:
    """The period's recognised initiatives as an XLSX for the portal, headers in Vietnamese."""
    # The portal is in Vietnamese whatever language the organizer reads the site in.
    with force_locale("vi"):
        return write_xlsx([(_("Sáng kiến được công nhận"), [str(c) for c in COLUMNS], portal_rows(period))])
