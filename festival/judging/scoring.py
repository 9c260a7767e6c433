"""Scoring on the tablet: the judge's sheets, saves from several tabs and devices merged by
revision, submit, reopen, totals.

The sheet revision protocol
---------------------------
A sheet has a revision that grows by one with every save that changes something. A save is
the whole sheet as one editing client sees it — a page opened on a tablet or a phone (each page
load is a client of its own, so two tabs are two clients), or one plain HTML form — with:

- ``client_id`` and ``seq``: the client and the number of this save (1, 2, 3…). The same
  number again is a retry: it is recognised and answered from what is stored, nothing is
  written twice. A smaller number is a late save overtaken by the client's own newer one; it is
  refused (409), since the newer save holds everything the older one did.
- ``base``: the sheet revision the client's values were edited from.

When ``base`` is the sheet's revision, the values are applied as they are. When it is older,
the sheet changed since (by other clients, or by this client's own saves whose answers it never
got), and each field (a criterion's points, a yes/no answer, the comment) is merged three ways
against the value it had at ``base``, read from the sheet's history:

- changed by this client, and by no one else since ``base`` → applied;
- changed by others since ``base``, not by this client → kept (never an older value over a
  newer one);
- changed by both, to different values → a conflict: nothing is written for that field, and
  the answer names it with both values so the judge chooses (choosing is one more save, based
  on the revision the answer gave).

The answer's ``status`` is "saved" (applied as sent), "merged" (applied, with others' newer
fields kept), "conflict" (applied but for the fields listed in ``conflicts``) or "duplicate" (a
retry). No answer says "saved" for a value that was not stored. Every applied change writes a
history row (ScoreChange) with the client, the save number and the revision it made.

A submit is a save that then locks the sheet, and it seals only what the judge saw: when another
client changed a field after the submit's ``base`` and the submitting page does not show that
field's value as it is now, the save is stored but nothing is locked; the answer ("changed") lists
each such field with its value then and now and the device it came from, and the page asks again.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from festival.core import audit
from festival.core.errors import FestivalError, NotAllowed, StaleSave
from festival.core.extensions import db, take_write_lock
from festival.judging.policy import policy_for
from festival.judging.rounds import round_window
from festival.judging.rubrics import current_rubric, sheet_rubric
from festival.models import (
    Conflict,
    Criterion,
    CriterionKind,
    Exhibit,
    Festival,
    JudgingPolicy,
    JudgingRound,
    Rubric,
    Score,
    ScoreChange,
    ScoreSheet,
    SheetClient,
    SheetStatus,
    User,
)

COMMENT_LENGTH = 5000


@dataclass
class SheetInput:
    """One save: the whole sheet as one client sees it, with the client, its save number and the
    revision its values were edited from."""

    client_id: str
    seq: int
    points: dict[int, Decimal | None]
    answers: dict[int, bool | None]
    comment: str | None = None
    base: int | None = None  # None: edited from what is stored now (the demo, commands, tests)
    session_key: str | None = None  # the signed-in session it was made in (its public id)
    device: str = ""  # that session's device, as a person would name it ("iPad · Safari")


@dataclass(frozen=True)
class FieldConflict:
    """A field changed both by this save and, since its base, by another client."""

    field: str  # "points", "answer" or "comment"
    criterion_id: int | None
    yours: str | None
    theirs: str | None

    def as_json(self) -> dict:
        return {"field": self.field, "criterion": self.criterion_id, "yours": self.yours, "theirs": self.theirs}


@dataclass(frozen=True)
class UnseenChange:
    """A field another client changed after the revision a submitting page showed."""

    field: str  # "points", "answer" or "comment"
    criterion_id: int | None
    before: str | None  # at the page's revision
    now: str | None
    device: str  # where the change came from: "" another device or tab of unknown kind
    same_session: bool  # made in the submitting page's own session (another tab of this device)

    def as_json(self) -> dict:
        return {
            "field": self.field,
            "criterion": self.criterion_id,
            "before": self.before,
            "now": self.now,
            "device": self.device,
            "same_session": self.same_session,
        }


@dataclass
class SaveResult:
    status: str  # saved | merged | conflict | duplicate | submitted | changed
    sheet: ScoreSheet
    conflicts: list[FieldConflict] = field(default_factory=list)
    changes: list[UnseenChange] = field(default_factory=list)  # "changed": what the submitting page did not show


def judge_sheets(judge: User, festival: Festival) -> list[ScoreSheet]:
    """The judge's sheets, round by round, in booth order."""
    return list(
        db.session.execute(
            db.select(ScoreSheet)
            .join(ScoreSheet.exhibit)
            .where(ScoreSheet.judge_id == judge.id, Exhibit.festival_id == festival.id)
            .order_by(ScoreSheet.round_number, Exhibit.booth, Exhibit.code)
        ).scalars()
    )


# The statements of a save, each built once: a save only binds its values (building and fingerprinting a
# statement cost about as much as running it).


@cache
def _sheet_statement() -> sa.Select:
    return (
        db.select(ScoreSheet)
        .options(joinedload(ScoreSheet.exhibit))
        .where(ScoreSheet.id == sa.bindparam("sheet_id"))
        .with_for_update(of=ScoreSheet)
    )


@cache
def _rubric_statement() -> sa.Select:
    return (
        db.select(Rubric)
        .options(joinedload(Rubric.criteria).joinedload(Criterion.levels))
        .where(Rubric.id == sa.bindparam("rubric_id"))
    )


@cache
def _declared_conflict() -> sa.Exists:
    return sa.exists().where(
        Conflict.judge_id == sa.bindparam("judge_id"), Conflict.exhibit_id == sa.bindparam("exhibit_id")
    )


@cache
def _checks_statement() -> sa.Select:
    # The policy, the round and a declared conflict in one statement: a save is the busiest request of the day.
    return (
        sa.select(JudgingPolicy, JudgingRound, _declared_conflict())
        .outerjoin(
            JudgingRound,
            sa.and_(
                JudgingRound.festival_id == JudgingPolicy.festival_id,
                JudgingRound.number == sa.bindparam("round_number"),
            ),
        )
        .where(JudgingPolicy.festival_id == sa.bindparam("festival_id"))
    )


def lock_sheet(sheet_id: int) -> ScoreSheet | None:
    """Load a sheet for writing, with its exhibit, and its rubric's criteria and levels when it has one.

    PostgreSQL locks the sheet's row so concurrent saves take turns. The scores are read after the lock
    (when first used), never in the locking statement: a save that waited for the lock must see the
    scores the save before it committed, and a join read at the lock would give their older version.
    On SQLite a save's write lock is taken here (the save is `writes_late`)."""
    take_write_lock()
    sheet = db.session.execute(_sheet_statement(), {"sheet_id": sheet_id}).scalar_one_or_none()
    if sheet is not None and sheet.rubric_id is not None:
        # One statement, not three (the rubric, its criteria, their levels).
        rubric = db.session.execute(_rubric_statement(), {"rubric_id": sheet.rubric_id}).unique().scalar_one()
        set_committed_value(sheet, "rubric", rubric)
    return sheet


def check_may_score(sheet: ScoreSheet, judge: User, now: datetime) -> None:
    """:raise NotAllowed: not the judge's sheet, outside the judging window, submitted, or results final."""
    if sheet.judge_id != judge.id:
        raise NotAllowed(_l("Đây không phải phiếu của bạn."))
    festival = sheet.exhibit.festival
    policy, judging_round, declared = db.session.execute(
        _checks_statement(),
        {"round_number": sheet.round_number, "festival_id": festival.id, **_judge_and_exhibit(sheet)},
    ).one()
    if policy.is_final:
        raise NotAllowed(_l("Kết quả đã chốt; phiếu chấm không sửa được nữa."))
    if sheet.is_locked:
        raise NotAllowed(_l("Phiếu đã nộp nên không sửa được. Hãy liên hệ ban tổ chức nếu cần mở lại."))
    if _same_unit(sheet) or declared:
        raise NotAllowed(
            _l("Bạn có xung đột lợi ích với sáng kiến này (cùng đơn vị hoặc đã khai báo) nên không chấm được.")
        )
    opens_at, closes_at = round_window(festival, judging_round)
    if now < opens_at:
        raise NotAllowed(_l("Chưa đến thời gian chấm."))
    if now >= closes_at:
        raise NotAllowed(_l("Đã hết thời gian chấm."))


def has_conflict(sheet: ScoreSheet) -> bool:
    """Whether the sheet's judge may not judge its exhibit: of its unit, or a declared conflict.

    Checked at every save and submit and when results are computed, not only at assignment: a
    judge's unit can change after the sheet was given."""
    if _same_unit(sheet):
        return True
    return db.session.execute(sa.select(_declared_conflict()), _judge_and_exhibit(sheet)).scalar_one()


def _same_unit(sheet: ScoreSheet) -> bool:
    judge, exhibit = sheet.judge, sheet.exhibit
    return judge.unit_id is not None and judge.unit_id == exhibit.unit_id


def _judge_and_exhibit(sheet: ScoreSheet) -> dict:
    return {"judge_id": sheet.judge_id, "exhibit_id": sheet.exhibit_id}


def edit_refusal(sheet: ScoreSheet, user: User, now: datetime) -> str | None:
    """Why `user` may not change the sheet now (shown on a read-only page), or None."""
    try:
        check_may_score(sheet, user, now)
    except NotAllowed as refusal:
        return str(refusal.message)
    return None


def parse_points(value) -> Decimal | None:
    """A score as typed or sent: a number with at most two decimals, or empty.

    :raise ValueError: anything else.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("not a number")
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError("not a number") from None
    # No rubric gives more than 1000 points; bounding first keeps quantize() within its precision.
    if not number.is_finite() or abs(number) > 10_000 or number != number.quantize(Decimal("0.01")):
        raise ValueError("not a score with at most two decimals")
    return number


def form_input(sheet: ScoreSheet, form: dict[str, str]) -> SheetInput:
    """A save from the plain HTML form (no JavaScript): `points-<id>`, `answer-<id>`, `comment`,
    and the hidden `client_id` and `base` the page was rendered with. A form is sent once, so it
    is save number 1 of its own client: sent twice (a double tap), the second is a retry.

    :raise FestivalError: no rubric yet, or a value that is not a score.
    """
    rubric = sheet_rubric(sheet)
    if rubric is None:
        raise FestivalError(_l("Ban tổ chức chưa thiết lập thang điểm."))
    points, answers = {}, {}
    for criterion in rubric.criteria:
        if criterion.kind is CriterionKind.POINTS:
            try:
                points[criterion.id] = parse_points(form.get(f"points-{criterion.id}"))
            except ValueError:
                raise FestivalError(_l("Điểm “%(name)s” không hợp lệ.", name=criterion.name_vi)) from None
        else:
            answers[criterion.id] = {"yes": True, "no": False}.get(form.get(f"answer-{criterion.id}") or "")
    client = (form.get("client_id") or "")[:64]
    base = form.get("base") or ""
    if not client or not base.isdigit():
        raise FestivalError(_l("Trang đã cũ. Hãy tải lại trang rồi nhập lại."))
    return SheetInput(client, 1, points, answers, form.get("comment", ""), base=int(base))


def _points_problem(criterion: Criterion, points: Decimal) -> str | None:
    if not Decimal(0) <= points <= criterion.max_points:
        return _l("Điểm “%(name)s” phải từ 0 đến %(max)d.", name=criterion.name_vi, max=criterion.max_points)
    if criterion.levels and points not in {Decimal(level.points) for level in criterion.levels}:
        return _l("Điểm “%(name)s” phải là một trong các mức đã mô tả.", name=criterion.name_vi)
    return None


def point_problems(sheet: ScoreSheet, form: dict[str, str]) -> dict[int, str]:
    """What is wrong with each criterion's points typed in the plain form, to mark at its field."""
    rubric = sheet_rubric(sheet)
    problems = {}
    for criterion in rubric.scored_criteria if rubric else []:
        try:
            points = parse_points(form.get(f"points-{criterion.id}"))
        except ValueError:
            problems[criterion.id] = str(_l("Điểm “%(name)s” không hợp lệ.", name=criterion.name_vi))
            continue
        problem = _points_problem(criterion, points) if points is not None else None
        if problem:
            problems[criterion.id] = str(problem)
    return problems


def _validate(rubric: Rubric, data: SheetInput) -> None:
    criteria = {c.id: c for c in rubric.criteria}
    for criterion_id, points in data.points.items():
        criterion = criteria.get(criterion_id)
        if criterion is None or criterion.kind is not CriterionKind.POINTS:
            raise FestivalError(_l("Tiêu chí không thuộc thang điểm của phiếu."))
        problem = _points_problem(criterion, points) if points is not None else None
        if problem:
            raise FestivalError(problem)
    for criterion_id in data.answers:
        criterion = criteria.get(criterion_id)
        if criterion is None or criterion.kind is not CriterionKind.YES_NO:
            raise FestivalError(_l("Câu hỏi không thuộc thang điểm của phiếu."))


Key = tuple[str, int | None]  # ("points" | "answer", criterion id) or ("comment", None)


def _values(sheet: ScoreSheet) -> dict[Key, str | None]:
    """The sheet's fields as the history writes them."""
    values: dict[Key, str | None] = {("comment", None): sheet.comment}
    for score in sheet.scores:
        values[("points", score.criterion_id)] = ScoreChange.text_of(score.points)
        values[("answer", score.criterion_id)] = ScoreChange.text_of(score.answer)
    return values


def _values_at(sheet: ScoreSheet, revision: int) -> dict[Key, str | None]:
    """The sheet's fields as they were at `revision`, replayed from its history."""
    rows = db.session.execute(
        sa.select(ScoreChange.field, ScoreChange.criterion_id, ScoreChange.new_value)
        .where(
            ScoreChange.sheet_id == sheet.id,
            ScoreChange.field.in_(("points", "answer", "comment")),
            sa.func.coalesce(ScoreChange.revision, 0) <= revision,
        )
        .order_by(ScoreChange.id)
    ).all()
    values: dict[Key, str | None] = {("comment", None): ""}
    for name, criterion_id, value in rows:
        if name == "comment" or criterion_id is not None:  # a score of a since-removed criterion has none
            values[(name, criterion_id)] = value
    return values


def _changed_by_others(sheet: ScoreSheet, revision: int, client_id: str) -> set[Key]:
    """The fields another client (or an organizer's change) wrote after `revision`."""
    rows = db.session.execute(
        sa.select(ScoreChange.field, ScoreChange.criterion_id).where(
            ScoreChange.sheet_id == sheet.id,
            ScoreChange.field.in_(("points", "answer", "comment")),
            ScoreChange.revision > revision,
            sa.or_(ScoreChange.client_id.is_(None), ScoreChange.client_id != client_id),
        )
    ).all()
    return {(name, criterion_id) for name, criterion_id in rows}


def _sent(data: SheetInput) -> dict[Key, object]:
    sent: dict[Key, object] = {("points", c): v for c, v in data.points.items()}
    sent.update({("answer", c): v for c, v in data.answers.items()})
    if data.comment is not None:
        sent[("comment", None)] = data.comment[:COMMENT_LENGTH]
    return sent


def _client(sheet: ScoreSheet, client_id: str) -> SheetClient | None:
    return db.session.get(SheetClient, (sheet.id, client_id))


def save_sheet(sheet: ScoreSheet, judge: User, data: SheetInput, now: datetime) -> SaveResult:
    """Apply one save by the sheet revision protocol (see the module's docstring).

    :raise NotAllowed: see check_may_score.
    :raise StaleSave: the client already sent a newer save.
    :raise FestivalError: a value outside the rubric, or a base revision the sheet never had.
    """
    check_may_score(sheet, judge, now)
    client = _client(sheet, data.client_id)
    if client is not None and data.seq == client.last_seq:
        return SaveResult("duplicate", sheet, [FieldConflict(**c) for c in client.conflicts])
    if client is not None and data.seq < client.last_seq:
        raise StaleSave(_l("Đã có bản lưu mới hơn từ trang này."))
    base = sheet.revision if data.base is None else data.base
    if not 0 <= base <= sheet.revision:
        raise FestivalError(_l("Dữ liệu lưu không hợp lệ."))
    if sheet.rubric is None:
        sheet.rubric = current_rubric(sheet.exhibit.festival, sheet.exhibit.category, sheet.round_number)
        if sheet.rubric is None:
            raise FestivalError(_l("Ban tổ chức chưa thiết lập thang điểm."))
    _validate(sheet.rubric, data)
    current = _values(sheet)
    if base == sheet.revision:
        before_values, others = current, set()
    else:
        before_values, others = _values_at(sheet, base), _changed_by_others(sheet, base, data.client_id)
    changes, conflicts = [], []
    for key, value in _sent(data).items():
        mine, theirs, before = ScoreChange.text_of(value), current.get(key), before_values.get(key)
        if mine == theirs:
            continue
        if key not in others:
            changes.append((key, value))  # nobody else touched it since `base` (this client's own saves may have)
        elif mine != before:
            conflicts.append(FieldConflict(key[0], key[1], yours=mine, theirs=theirs))
        # else: others changed it and this client did not: their newer value stays
    if changes:
        sheet.revision += 1
        _apply(sheet, judge, data, changes, current)
        if sheet.status is SheetStatus.NOT_STARTED:
            sheet.status = SheetStatus.DRAFT
        sheet.updated_at = now
    if client is None:
        client = SheetClient(sheet_id=sheet.id, client_id=data.client_id)
        db.session.add(client)
    client.last_seq, client.revision = data.seq, sheet.revision
    if data.session_key is not None:
        client.session_key, client.device = data.session_key, data.device[:80]
    client.conflicts = [vars(c) for c in conflicts]
    db.session.flush()
    if conflicts:
        return SaveResult("conflict", sheet, conflicts)
    return SaveResult("merged" if others else "saved", sheet)


def _apply(sheet: ScoreSheet, judge: User, data: SheetInput, changes: list, current: dict) -> None:
    scores = {score.criterion_id: score for score in sheet.scores}
    for (name, criterion_id), value in changes:
        db.session.add(
            ScoreChange(
                sheet_id=sheet.id,
                criterion_id=criterion_id,
                field=name,
                old_value=current.get((name, criterion_id)),
                new_value=ScoreChange.text_of(value),
                client_id=data.client_id,
                seq=data.seq,
                user_id=judge.id,
                revision=sheet.revision,
            )
        )
        if name == "comment":
            sheet.comment = value
            continue
        score = scores.get(criterion_id)
        if score is None:
            score = scores[criterion_id] = Score(criterion_id=criterion_id)
            sheet.scores.append(score)
        setattr(score, name, value)


def missing_scores(sheet: ScoreSheet) -> list[Criterion]:
    """The scored criteria of the sheet's rubric that have no points yet."""
    if sheet.rubric is None:
        return []
    given = {s.criterion_id for s in sheet.scores if s.points is not None}
    return [c for c in sheet.rubric.scored_criteria if c.id not in given]


def submit_sheet(sheet: ScoreSheet, judge: User, data: SheetInput | None, now: datetime) -> SaveResult:
    """Save the last values (if given) and lock the sheet; submitting twice is harmless. A save
    that meets a conflict is stored but the sheet is not locked: the judge chooses first.

    :raise NotAllowed / StaleSave: as save_sheet.
    :raise FestivalError: a criterion has no score.
    """
    if sheet.is_locked and sheet.judge_id == judge.id and data is not None:
        client = _client(sheet, data.client_id)
        if client is not None and data.seq <= client.last_seq:
            return SaveResult("duplicate", sheet)  # the same submission again (a double tap or a retry)
    if data is not None:
        unseen = _unseen_changes(sheet, data)
        result = save_sheet(sheet, judge, data, now)
        if result.conflicts:
            return result
        if unseen and result.status != "duplicate":
            # The judge would seal values they never saw: store the save, lock nothing, show what changed.
            result.status, result.changes = "changed", unseen
            return result
    else:
        check_may_score(sheet, judge, now)
        result = SaveResult("saved", sheet)
    if sheet.rubric is None or missing_scores(sheet):
        names = ", ".join(c.name_vi for c in missing_scores(sheet)) if sheet.rubric else ""
        raise FestivalError(_l("Chưa chấm đủ các tiêu chí: %(names)s.", names=names or "—"))
    sheet.status = SheetStatus.SUBMITTED
    sheet.submitted_at = now
    db.session.add(
        ScoreChange(
            sheet_id=sheet.id,
            field="status",
            old_value="draft",
            new_value="submitted",
            user_id=judge.id,
            client_id=data.client_id if data else None,
            seq=data.seq if data else None,
            revision=sheet.revision,
        )
    )
    audit.record(
        "sheet.submitted",
        sheet,
        by=judge,
        after={"exhibit": sheet.exhibit.code, "total": ScoreChange.text_of(sheet_total(sheet))},
    )
    result.status = "submitted"
    return result


def _unseen_changes(sheet: ScoreSheet, data: SheetInput) -> list[UnseenChange]:
    """The fields other clients changed after `data.base` (the revision the page showed) that the
    page does not show as they are now: a submit must not seal them unseen."""
    if data.base is None or data.base >= sheet.revision:
        return []
    sent, current = _sent(data), _values(sheet)
    before = _values_at(sheet, data.base)
    rows = db.session.execute(
        sa.select(ScoreChange.field, ScoreChange.criterion_id, ScoreChange.client_id)
        .where(
            ScoreChange.sheet_id == sheet.id,
            ScoreChange.field.in_(("points", "answer", "comment")),
            ScoreChange.revision > data.base,
            sa.or_(ScoreChange.client_id.is_(None), ScoreChange.client_id != data.client_id),
        )
        .order_by(ScoreChange.id)
    ).all()
    last_client: dict[Key, str | None] = {(name, criterion): client for name, criterion, client in rows}
    changes = []
    for key, client_id in last_client.items():
        if key in sent and ScoreChange.text_of(sent[key]) == current.get(key):
            continue  # the page shows the value as it is now
        client = _client(sheet, client_id) if client_id else None
        changes.append(
            UnseenChange(
                key[0],
                key[1],
                before=before.get(key),
                now=current.get(key),
                device=client.device if client else "",
                same_session=bool(client and client.session_key and client.session_key == data.session_key),
            )
        )
    return changes


def reopen_sheet(sheet: ScoreSheet, reason: str, by: User) -> None:
    """Unlock a submitted sheet so its judge can change it (organizers, with a reason).

    :raise FestivalError: not submitted, or no reason.
    :raise NotAllowed: the results are final (reopen them first).
    """
    if policy_for(sheet.exhibit.festival).is_final:
        raise NotAllowed(_l("Kết quả đã chốt; hãy mở lại kết quả trước."))
    if not sheet.is_locked:
        raise FestivalError(_l("Phiếu chưa nộp."))
    if not reason.strip():
        raise FestivalError(_l("Hãy ghi lý do mở lại phiếu."))
    sheet.status = SheetStatus.DRAFT
    sheet.submitted_at = None
    db.session.add(
        ScoreChange(sheet_id=sheet.id, field="status", old_value="submitted", new_value="draft", user_id=by.id)
    )
    audit.record(
        "sheet.reopened",
        sheet,
        by=by,
        after={"exhibit": sheet.exhibit.code, "judge": sheet.judge.email, "reason": reason.strip()},
    )


def sheet_total(sheet: ScoreSheet) -> Decimal | None:
    """The sheet's weighted total out of the rubric's total weight (None before any score)."""
    if sheet.rubric is None or not any(s.points is not None for s in sheet.scores):
        return None
    points = {s.criterion_id: s.points for s in sheet.scores}
    return weighted_total(sheet.rubric, points)


def weighted_total(rubric: Rubric, points: dict[int, Decimal | None]) -> Decimal:
    """Σ points/max × weight over the rubric's scored criteria (missing points count as 0),
    computed exactly and rounded half up to two decimals.

    This is the one rounding rule for a sheet's total: static/js/sheet-total.js applies the same
    exact arithmetic on the tablet, so the page shows what the server will.
    """
    total = sum(
        (
            Fraction(points[c.id]) / c.max_points * Fraction(c.weight)
            for c in rubric.scored_criteria
            if points.get(c.id) is not None
        ),
        Fraction(0),
    )
    return Decimal(math.floor(total * 100 + Fraction(1, 2))) / 100


def sheet_state(sheet: ScoreSheet) -> dict:
    """What the tablet needs to show a sheet: values, total, lock and the revision they are at."""
    return {
        "id": sheet.id,
        "status": sheet.status.value,
        "locked": sheet.is_locked,
        "points": {str(s.criterion_id): ScoreChange.text_of(s.points) for s in sheet.scores if s.points is not None},
        "answers": {str(s.criterion_id): s.answer for s in sheet.scores if s.answer is not None},
        "comment": sheet.comment,
        "total": ScoreChange.text_of(sheet_total(sheet)),
        "revision": sheet.revision,
    }
