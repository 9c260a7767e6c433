"""Judging rounds: a festival judges in one round or more, in order (a dossier round, then the finalists'
defence at the booths). Rubrics, panels and sheets carry their round's number; a later round judges only
the finalists confirmed from the round before it."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from festival.core import audit
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.exhibits import services as exhibit_services
from festival.judging.policy import policy_for
from festival.models import Exhibit, Festival, Finalist, JudgingRound, RoundKind, ScoreSheet, User

MAX_ROUNDS = 3


def rounds_of(festival: Festival) -> list[JudgingRound]:
    """The festival's rounds in order (every festival has round 1)."""
    return list(
        db.session.execute(
            db.select(JudgingRound).where(JudgingRound.festival_id == festival.id).order_by(JudgingRound.number)
        ).scalars()
    )


def round_of(festival: Festival, number: int) -> JudgingRound | None:
    return db.session.execute(
        db.select(JudgingRound).where(JudgingRound.festival_id == festival.id, JudgingRound.number == number)
    ).scalar_one_or_none()


def round_window(festival: Festival, judging_round: JudgingRound | None) -> tuple[datetime, datetime]:
    """When sheets of a round may be scored: the festival's judging window unless the round has its own
    (None: a round number the festival has no row for)."""
    if judging_round is None:
        return festival.judging_opens_at, festival.judging_closes_at
    return judging_round.window()


def last_round(festival: Festival) -> JudgingRound:
    return rounds_of(festival)[-1]


def current_round(festival: Festival, now: datetime) -> JudgingRound:
    """The round organizers are most likely working on: the last one whose window has opened, else round 1."""
    return current_of(rounds_of(festival), now)


def current_of(rounds: list[JudgingRound], now: datetime) -> JudgingRound:
    """current_round among a festival's rounds already read (in order)."""
    opened = [r for r in rounds if r.window()[0] <= now]
    return opened[-1] if opened else rounds[0]


def round_exhibits(festival: Festival, number: int = 1) -> sa.Select:
    """The select of the exhibits judged in a round: every accepted exhibit in round 1, the confirmed
    finalists in a later round (none until the list is confirmed)."""
    select = exhibit_services.accepted_exhibits(festival)
    if number == 1:
        return select
    judging_round = round_of(festival, number)
    if judging_round is None or not judging_round.finalists_confirmed:
        return select.where(sa.false())
    return select.where(Exhibit.id.in_(db.select(Finalist.exhibit_id).where(Finalist.round_id == judging_round.id)))


def add_round(festival: Festival, by: User) -> JudgingRound:
    """A further round after the last: the finalists' defence at the booths, half of the combined score.

    The round before it becomes the dossier round when it was the only one.

    :raise NotAllowed: the results are final.
    :raise FestivalError: the festival already has MAX_ROUNDS rounds.
    """
    if policy_for(festival).is_final:
        raise NotAllowed(_l("Kết quả đã chốt; hãy mở lại kết quả trước khi thêm vòng."))
    rounds = rounds_of(festival)
    if len(rounds) >= MAX_ROUNDS:
        raise FestivalError(_l("Một kỳ hội thi có tối đa %(n)d vòng chấm.", n=MAX_ROUNDS))
    previous = rounds[-1]
    if len(rounds) == 1 and previous.kind is RoundKind.BOOTH:
        previous.kind, previous.name_vi, previous.name_en = RoundKind.DOSSIER, "Sơ khảo", "Preliminary round"
    number = previous.number + 1
    judging_round = JudgingRound(
        festival=festival,
        number=number,
        name_vi="Chung khảo" if number == 2 else f"Vòng {number}",
        name_en="Final round" if number == 2 else f"Round {number}",
        kind=RoundKind.BOOTH,
        weight=70 if number == 2 else 100,
        finalist_quota=5,
    )
    if number == 2:
        previous.weight = 30
    db.session.add(judging_round)
    db.session.flush()
    audit.record("round.added", festival, by=by, after={"number": number})
    return judging_round


def remove_round(judging_round: JudgingRound, by: User) -> None:
    """Remove the last round while nothing has happened in it.

    :raise FestivalError: round 1, not the last round, or it has sheets or confirmed finalists.
    """
    festival = judging_round.festival
    if judging_round.number == 1 or judging_round.number != last_round(festival).number:
        raise FestivalError(_l("Chỉ xoá được vòng cuối cùng, và không xoá được vòng 1."))
    has_sheets = db.session.execute(
        db.select(ScoreSheet.id)
        .join(ScoreSheet.exhibit)
        .where(Exhibit.festival_id == festival.id, ScoreSheet.round_number == judging_round.number)
        .limit(1)
    ).first()
    if has_sheets is not None or judging_round.finalists_confirmed:
        raise FestivalError(_l("Vòng này đã có phân công chấm hoặc danh sách vào vòng; không xoá được."))
    audit.record("round.removed", festival, by=by, before={"number": judging_round.number})
    db.session.delete(judging_round)
    if judging_round.number == 2:
        first = round_of(festival, 1)
        first.weight = 100


def update_round(
    judging_round: JudgingRound,
    *,
    name_vi: str,
    name_en: str,
    kind: RoundKind,
    window: tuple[datetime | None, datetime | None],
    weight: int,
    finalist_rule: tuple[int | None, object],
    by: User,
) -> None:
    """Change a round's name, kind, window, weight and finalist rule (audited).

    :raise FestivalError: no name, a window that closes before it opens, a weight outside 0–100, or a
        finalist rule with neither or both of a quota and a threshold.
    :raise NotAllowed: the results are final.
    """
    if policy_for(judging_round.festival).is_final:
        raise NotAllowed(_l("Kết quả đã chốt; hãy mở lại kết quả trước khi đổi vòng chấm."))
    if not name_vi.strip():
        raise FestivalError(_l("Hãy đặt tên cho vòng chấm."))
    opens_at, closes_at = window
    if (opens_at is None) != (closes_at is None):
        raise FestivalError(_l("Hãy nhập cả giờ mở và giờ đóng, hoặc để trống cả hai."))
    if opens_at is not None and closes_at <= opens_at:
        raise FestivalError(_l("Giờ đóng phải sau giờ mở."))
    if not 0 <= weight <= 100:
        raise FestivalError(_l("Trọng số của vòng phải từ 0 đến 100 (%)."))
    quota, threshold = finalist_rule
    if judging_round.takes_finalists and (quota is None) == (threshold is None):
        raise FestivalError(_l("Hãy chọn một cách đề xuất vào vòng: số lượng mỗi lĩnh vực hoặc điểm tối thiểu."))
    before = _snapshot(judging_round)
    judging_round.name_vi, judging_round.name_en = name_vi.strip()[:120], name_en.strip()[:120]
    judging_round.kind = kind
    judging_round.opens_at, judging_round.closes_at = opens_at, closes_at
    judging_round.weight = weight
    if judging_round.takes_finalists:
        judging_round.finalist_quota, judging_round.finalist_threshold = quota, threshold
    audit.record("round.saved", judging_round.festival, by=by, before=before, after=_snapshot(judging_round))


def _snapshot(judging_round: JudgingRound) -> dict:
    return {
        "number": judging_round.number,
        "name": judging_round.name_vi,
        "kind": judging_round.kind,
        "window": [str(judging_round.opens_at), str(judging_round.closes_at)],
        "weight": judging_round.weight,
        "quota": judging_round.finalist_quota,
        "threshold": str(judging_round.finalist_threshold),
    }


def round_names(festival: Festival) -> dict[int, JudgingRound]:
    """number → round, to label sheets of a festival with several rounds."""
    return {r.number: r for r in rounds_of(festival)}
