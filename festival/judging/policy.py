"""How a festival's results are computed and prizes proposed: its judging policy."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from festival.core import audit
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.models import Combination, Festival, JudgingPolicy, User


def policy_for(festival: Festival) -> JudgingPolicy:
    """The festival's judging policy (every festival is created with one)."""
    return db.session.get_one(JudgingPolicy, festival.id)


def update_policy(
    policy: JudgingPolicy,
    *,
    method,
    shrinkage: Decimal,
    spread_flag: Decimal,
    tie_break: str,
    prizes: tuple[int, int, int],
    honourable_percent: int,
    timer: tuple[int, int],
    by: User,
) -> None:
    """Change how results are computed, prizes proposed and defences timed (audited).

    `timer` is the minutes to present and to answer questions at the booth; (0, 0) shows no timer.

    :raise FestivalError: a tie-break that is not a list of criterion numbers.
    :raise NotAllowed: the results are final.
    """
    if policy.is_final:
        raise NotAllowed(_l("Kết quả đã chốt; hãy mở lại kết quả trước khi đổi cách xếp hạng."))
    positions = []
    for part in [p.strip() for p in tie_break.replace(";", ",").split(",") if p.strip()]:
        if not part.isdigit() or not 1 <= int(part) <= 50 or int(part) - 1 in positions:
            raise FestivalError(_l("Thứ tự xét bằng điểm là các số thứ tự tiêu chí khác nhau, ví dụ 3, 1."))
        positions.append(int(part) - 1)
    before = {
        "method": policy.method,
        "tie_break": policy.tie_break,
        "prizes": [policy.first_prizes, policy.second_prizes, policy.third_prizes],
        "honourable": str(policy.honourable_share),
        "timer": [policy.presentation_minutes, policy.questions_minutes],
    }
    policy.method, policy.shrinkage, policy.spread_flag = method, shrinkage, spread_flag
    policy.tie_break = positions
    policy.first_prizes, policy.second_prizes, policy.third_prizes = prizes
    policy.honourable_share = (Decimal(honourable_percent) / 100).quantize(Decimal("0.001"))
    policy.presentation_minutes, policy.questions_minutes = timer
    after = {
        "method": policy.method,
        "tie_break": positions,
        "prizes": list(prizes),
        "honourable": str(policy.honourable_share),
        "timer": list(timer),
    }
    audit.record("judging.policy_saved", policy.festival, by=by, before=before, after=after)


def set_combination(policy: JudgingPolicy, combination: Combination, by: User) -> None:
    """Whether the last round alone decides or every round's score counts by its weight (audited).

    :raise NotAllowed: the results are final.
    """
    if policy.is_final:
        raise NotAllowed(_l("Kết quả đã chốt; hãy mở lại kết quả trước khi đổi cách xếp hạng."))
    before = policy.combination
    policy.combination = combination
    audit.record(
        "judging.combination_saved",
        policy.festival,
        by=by,
        before={"combination": before},
        after={"combination": combination},
    )
