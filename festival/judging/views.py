"""Judging pages: the judge's tablet (home, sheet, autosave JSON, PDFs) and the organizers'
set-up (rubrics, panels, assignment, conflicts) and results."""

import io
import uuid
from functools import partial

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from festival.auth import services as auth_services
from festival.auth.permissions import board_poll, role_required
from festival.booths import services as booth_services
from festival.core.errors import FestivalError, refusals_return_to
from festival.core.extensions import db, writes_late
from festival.core.festivals import current_festival
from festival.core.transactions import form_status
from festival.exhibits.services import list_categories
from festival.judging import (
    control,
    control_rows,
    defences,
    finalists,
    panels,
    policy,
    printing,
    results,
    rounds,
    rubrics,
    scoring,
)
from festival.judging.forms import (
    AddJudgeForm,
    AssignForm,
    CombinationForm,
    ConflictForm,
    PolicyForm,
    ReasonForm,
    RoundForm,
    RubricForm,
    ScheduleForm,
    TierForm,
)
from festival.models import (
    JUDGED_TIERS,
    AwardTier,
    Category,
    Combination,
    Conflict,
    CriterionKind,
    Exhibit,
    ExhibitStatus,
    JudgingRound,
    ResultsMethod,
    Role,
    RoundKind,
    ScoreSheet,
    SheetStatus,
    StandReport,
    User,
    utcnow,
)
from festival.util import boards
from festival.util.formatting import local_to_utc, utc_to_local
from festival.util.urls import MAX_ID, record_id

bp = Blueprint("judging", __name__, url_prefix="/judging")


def _visible_sheet(sheet_id: int) -> ScoreSheet:
    """The judge's own sheet, or any sheet for organizers; 404 for everyone else."""
    sheet = db.get_or_404(ScoreSheet, sheet_id)
    if current_user.role is Role.ORGANIZER or sheet.judge_id == current_user.id:
        return sheet
    abort(404)


def _rounds(festival) -> list[JudgingRound]:
    # Read once a request: the selected round and the round tabs come from the same rows.
    if "judging_rounds" not in g:
        g.judging_rounds = rounds.rounds_of(festival)
    return g.judging_rounds


def _selected_round(festival) -> JudgingRound:
    """The round an organizer's page shows: `?round=N`, else the round under way."""
    number = request.args.get("round", type=int)
    if number is None:
        return rounds.current_of(_rounds(festival), utcnow())
    return next((r for r in _rounds(festival) if r.number == number), None) or abort(404)


def _round_context(festival, judging_round: JudgingRound) -> dict:
    return {"judging_round": judging_round, "judging_rounds": _rounds(festival)}


# The judge's tablet ----------------------------------------------------------------------


@bp.route("/")
@role_required(Role.JUDGE)
def home():
    """The judge's exhibits in walking order (zone, then booth, serpentine), the next one suggested."""
    festival = g.festival
    sheets = control.walking_route(scoring.judge_sheets(current_user, festival)) if festival else []
    done = sum(1 for s in sheets if s.status is SheetStatus.SUBMITTED)
    results_final = festival is not None and policy.policy_for(festival).is_final
    judging_rounds = rounds.round_names(festival) if festival else {}
    now = utcnow()
    # The next stand to walk to is one whose round is open now, not a draft left in a closed round.
    open_now = [
        s
        for s in sheets
        if judging_rounds[s.round_number].window()[0] <= now < judging_rounds[s.round_number].window()[1]
    ]
    return render_template(
        "judging/home.html",
        festival=festival,
        sheets=sheets,
        results_final=results_final,
        # Nothing is left to walk to once the results are final.
        next_sheet=None if results_final else control.next_on_route(open_now),
        done=done,
        totals={s.id: scoring.sheet_total(s) for s in sheets},
        judging_rounds=judging_rounds,
        defence_times=defences.exhibit_defences([s.exhibit_id for s in sheets if s.round_number > 1]),
        # Opened online, the list has the tablet keep every one of these sheets for offline use.
        offline_pages=[url_for("judging.home")] + [url_for("judging.sheet", sheet_id=s.id) for s in sheets],
    )


@bp.route("/sheets/<int:sheet_id>", methods=["GET", "POST"])
@login_required
def sheet(sheet_id):
    """The scoring page: exhibit, one touch control per criterion, live total, comment.

    The form also works without JavaScript (a POST saves, and a refusal shows the page again with
    everything typed); with it every change is saved at once, offline changes included.
    """
    sheet = _visible_sheet(sheet_id)
    typed, refusal, conflicts, field_errors = None, None, [], {}
    if request.method == "POST":
        if sheet.judge_id != current_user.id:
            abort(403)
        try:
            data = scoring.form_input(sheet, request.form.to_dict())
            _stamp_session(data, None)
            if request.form.get("action") == "submit":
                result = scoring.submit_sheet(sheet, current_user, data, utcnow())
            else:
                result = scoring.save_sheet(sheet, current_user, data, utcnow())
        except FestivalError as error:
            typed, refusal = request.form, error.message
            field_errors = scoring.point_problems(sheet, request.form)
        else:
            if result.status == "changed":
                flash(_unseen_message(sheet, result.changes), "warning")
                return redirect(url_for("judging.sheet", sheet_id=sheet.id))
            if not result.conflicts:
                done = _("Đã nộp phiếu chấm %(code)s.", code=sheet.exhibit.code)
                flash(done if result.status == "submitted" else _("Đã lưu."), "success")
                return redirect(url_for("judging.sheet", sheet_id=sheet.id))
            typed, conflicts = request.form, result.conflicts
    kind = rounds.round_of(sheet.exhibit.festival, sheet.round_number).kind
    return render_template(
        "judging/sheet.html",
        sheet=sheet,
        rubric=rubrics.sheet_rubric(sheet),
        state=scoring.sheet_state(sheet),
        typed=typed,
        refusal=refusal,
        conflicts=conflicts,
        field_errors=field_errors,
        read_only=scoring.edit_refusal(sheet, current_user, utcnow()),
        judging_policy=policy.policy_for(sheet.exhibit.festival),
        # The defence is timed at the booth; a dossier round has nobody presenting, and its sheet opens on the dossier.
        timed=policy.policy_for(sheet.exhibit.festival).has_timer and kind is RoundKind.BOOTH,
        dossier=kind is RoundKind.DOSSIER,
        form_client=uuid.uuid4().hex,
        reason_form=ReasonForm(formdata=None),
    ), 422 if refusal else 200


def _unseen_message(sheet: ScoreSheet, changes: list[scoring.UnseenChange]) -> str:
    """What changed on the sheet since the page was opened, said before the judge submits again."""
    names = {c.id: c.name_vi for c in sheet.rubric.criteria} if sheet.rubric else {}
    shown = {"yes": _("Có"), "no": _("Không"), None: "—"}
    lines = [
        _(
            "%(field)s: %(before)s → %(now)s (%(device)s)",
            field=names.get(change.criterion_id, "") if change.criterion_id else _("Nhận xét"),
            before=shown.get(change.before, change.before),
            now=shown.get(change.now, change.now),
            device=change.device or _("thiết bị hoặc thẻ khác"),
        )
        for change in changes
    ]
    return _(
        "Phiếu chưa nộp: đã có thay đổi từ nơi khác mà trang chưa hiện. %(changes)s. Hãy xem lại rồi nộp lần nữa.",
        changes="; ".join(lines),
    )


def _json_input() -> scoring.SheetInput:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400)
    try:
        client_id = str(body["client_id"])[:64]
        seq = int(body["seq"])
        base = int(body["base"])
        points = {int(k): scoring.parse_points(v) for k, v in (body.get("points") or {}).items()}
        answers = {}
        for key, value in (body.get("answers") or {}).items():
            if value not in (True, False, None):
                raise ValueError("answer")
            answers[int(key)] = value
        comment = body.get("comment")
        if comment is not None and not isinstance(comment, str):
            raise ValueError("comment")
    except (KeyError, TypeError, ValueError):
        raise FestivalError(_("Dữ liệu lưu không hợp lệ.")) from None
    if not client_id or not 0 < seq <= MAX_ID or not 0 <= base <= MAX_ID:  # INTEGER columns on every database
        raise FestivalError(_("Dữ liệu lưu không hợp lệ."))
    data = scoring.SheetInput(client_id, seq, points, answers, comment, base=base)
    _stamp_session(data, body.get("session"))
    return data


class SessionChanged(FestivalError):
    """A change made in another signed-in session than the one sending it."""

    status_code = 409
    code = "session_changed"


def _stamp_session(data: scoring.SheetInput, claimed) -> None:
    """Mark a save with the session that sends it; one that says it was made in another session
    (queued on a tablet before a sign-out, sent after the next sign-in) is refused: the device
    offers it to the judge instead of sending it silently.

    :raise SessionChanged: the save names another session.
    """
    row = auth_services.current_session(current_user)
    if claimed is not None and (row is None or str(claimed) != row.public_id):
        raise SessionChanged(_("Thay đổi này được nhập trong một phiên đăng nhập khác; hãy xem lại trước khi gửi."))
    if row is not None:
        data.session_key = row.public_id
        data.device = auth_services.describe_device(row.user_agent)


def _save_answer(result: scoring.SaveResult):
    return jsonify(
        status=result.status,
        state=scoring.sheet_state(result.sheet),
        conflicts=[conflict.as_json() for conflict in result.conflicts],
        changes=[change.as_json() for change in result.changes],
    )


def _own_locked_sheet(sheet_id: int) -> ScoreSheet:
    """The signed-in judge's sheet, row-locked for this save; 404 for anyone else's."""
    sheet = scoring.lock_sheet(sheet_id)
    if sheet is None or sheet.judge_id != current_user.id:
        abort(404)
    return sheet


@bp.route("/sheets/<int:sheet_id>/save", methods=["POST"])
@writes_late
@role_required(Role.JUDGE)
def save(sheet_id):
    """Autosave (JSON): the sheet as one client sees it, merged by revision (see judging/scoring.py)."""
    data = _json_input()
    sheet = _own_locked_sheet(sheet_id)
    return _save_answer(scoring.save_sheet(sheet, current_user, data, utcnow()))


@bp.route("/sheets/<int:sheet_id>/submit", methods=["POST"])
@writes_late
@role_required(Role.JUDGE)
def submit(sheet_id):
    """Submit (JSON): the final values, then the sheet is locked (unless they meet a conflict)."""
    data = _json_input()
    sheet = _own_locked_sheet(sheet_id)
    return _save_answer(scoring.submit_sheet(sheet, current_user, data, utcnow()))


@bp.route("/device-report", methods=["POST"])
@role_required(Role.JUDGE)
def device_report():
    """A judge's device says it is alive and how many changes wait on it (the control room shows it)."""
    body = request.get_json(silent=True)
    pending = body.get("pending") if isinstance(body, dict) else None
    if not isinstance(pending, int) or isinstance(pending, bool):
        raise FestivalError(_("Dữ liệu lưu không hợp lệ."))
    row = auth_services.current_session(current_user)
    if row is not None:
        auth_services.report_device(row, pending, utcnow())
    return jsonify(status="ok")


@bp.route("/sheets/<int:sheet_id>/state")
@login_required
def state(sheet_id):
    """The sheet as the server has it, with a fresh CSRF token (after signing in again)."""
    sheet = _visible_sheet(sheet_id)
    return jsonify(state=scoring.sheet_state(sheet), csrf_token=generate_csrf())


def _pdf(data: bytes, filename: str):
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=filename)


@bp.route("/sheets/<int:sheet_id>.pdf", endpoint="sheet_pdf")
@login_required
def sheet_pdf_view(sheet_id):
    """One score sheet (phiếu chấm điểm) as a PDF to sign."""
    sheet = _visible_sheet(sheet_id)
    return _pdf(printing.render_sheet_pdf([sheet]), f"phieu-cham-{sheet.exhibit.code}.pdf")


@bp.route("/my-sheets.pdf")
@role_required(Role.JUDGE)
def my_sheets_pdf():
    """All of the judge's submitted sheets, one page each, to sign."""
    festival = current_festival()
    sheets = [s for s in scoring.judge_sheets(current_user, festival) if s.status is SheetStatus.SUBMITTED]
    if not sheets:
        flash(_("Bạn chưa nộp phiếu nào."), "warning")
        return redirect(url_for("judging.home"))
    return _pdf(printing.render_sheet_pdf(sheets), "phieu-cham-diem.pdf")


def _accepted_exhibit(festival, exhibit_id: int) -> Exhibit:
    """An accepted exhibit of this festival chosen in a form, or 404."""
    exhibit = db.get_or_404(Exhibit, exhibit_id)
    if exhibit.festival_id != festival.id or exhibit.status is not ExhibitStatus.ACCEPTED:
        abort(404)
    return exhibit


@bp.route("/conflicts", methods=["GET", "POST"])
@role_required(Role.JUDGE)
def my_conflicts():
    """A judge declares the exhibits they must not judge."""
    festival = current_festival()
    form = ConflictForm()
    exhibits = panels.accepted_exhibits(festival)
    form.exhibit_id.choices = [("", _("— Chọn sáng kiến —"))] + [
        (e.id, f"{e.code} – {e.title} ({e.unit.short_name})") for e in exhibits
    ]
    del form.judge_id
    if form.validate_on_submit():
        exhibit = _accepted_exhibit(festival, form.exhibit_id.data)
        try:
            panels.declare_conflict(current_user, exhibit, form.reason.data or "", by=current_user)
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã ghi nhận: bạn sẽ không chấm %(code)s.", code=exhibit.code), "success")
            return redirect(url_for("judging.my_conflicts"))
    conflicts = [c for c in panels.judge_conflicts(current_user) if c.exhibit.festival_id == festival.id]
    return render_template("judging/my_conflicts.html", form=form, conflicts=conflicts), form_status(form)


# Organizers: rubrics, panels, assignment ---------------------------------------------------


def _criteria_from(form: RubricForm) -> list[rubrics.CriterionInput]:
    criteria = []
    for entry in form.criteria.entries:
        row = entry.form
        if not (row.name_vi.data or "").strip():
            continue
        kind = CriterionKind(row.kind.data)
        criteria.append(
            rubrics.CriterionInput(
                id=row.id.data,
                name_vi=row.name_vi.data,
                name_en=row.name_en.data or "",
                guidance=row.guidance.data or "",
                guidance_en=row.guidance_en.data or "",
                max_points=row.max_points.data or 10,
                weight=row.weight.data,
                kind=kind,
                levels=rubrics.parse_levels(row.levels.data or "") if kind is CriterionKind.POINTS else [],
            )
        )
    return criteria


@bp.route("/rubric", methods=["GET", "POST"], defaults={"category_id": None})
@bp.route("/rubric/<int:category_id>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def rubric(category_id):
    """Edit the default rubric or a category's own (a frozen one gets a new version)."""
    festival = current_festival()
    category = db.get_or_404(Category, category_id) if category_id else None
    judging_round = _selected_round(festival)
    number = judging_round.number
    current = rubrics.own_rubric(festival, category, number)
    form = RubricForm()
    if request.method == "GET" and current is not None:
        for entry, criterion in zip(form.criteria.entries, current.criteria):
            row = entry.form
            row.id.data, row.name_vi.data = criterion.id, criterion.name_vi
            row.name_en.data, row.guidance.data = criterion.name_en, criterion.guidance
            row.guidance_en.data = criterion.guidance_en
            row.kind.data, row.max_points.data, row.weight.data = (
                criterion.kind.value,
                criterion.max_points,
                criterion.weight,
            )
            row.levels.data = rubrics.format_levels(criterion.levels)
    if form.validate_on_submit():
        try:
            saved = rubrics.save_rubric(festival, category, _criteria_from(form), by=current_user, number=number)
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            if current is not None and saved.id != current.id:
                flash(
                    _(
                        "Thang điểm đã được dùng để chấm nên đã tạo phiên bản %(v)d; phiếu đã chấm giữ phiên bản cũ.",
                        v=saved.version,
                    ),
                    "warning",
                )
            else:
                flash(_("Đã lưu thang điểm."), "success")
            return redirect(url_for("judging.rubric", category_id=category_id, round=number))
    return render_template(
        "judging/rubric.html",
        form=form,
        festival=festival,
        category=category,
        rubric=current,
        frozen=current is not None and rubrics.is_frozen(current),
        effective=rubrics.current_rubric(festival, category, number),
        categories=list_categories(festival),
        **_round_context(festival, judging_round),
    ), form_status(form)


@bp.route("/panels", methods=["GET", "POST"], endpoint="panels")
@role_required(Role.ORGANIZER)
def panels_page():
    """Which judges sit on which category's panel."""
    festival = current_festival()
    judging_round = _selected_round(festival)
    categories = list_categories(festival)
    if request.method == "POST":
        chosen = set()
        for value in request.form.getlist("member"):
            category_id, _sep, judge_id = value.partition(":")
            if category_id.isdigit() and judge_id.isdigit():
                chosen.add((int(category_id), int(judge_id)))
        panels.set_panels(festival, chosen, by=current_user, number=judging_round.number)
        flash(_("Đã lưu hội đồng chấm theo lĩnh vực."), "success")
        return redirect(url_for("judging.panels", round=judging_round.number))
    return render_template(
        "judging/panels.html",
        categories=categories,
        judges=panels.judges(),
        panels=panels.panel_map(festival, judging_round.number),
        **_round_context(festival, judging_round),
    )


@bp.route("/assignments", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def assignments():
    """Who judges which exhibit: run the automatic assignment, see why a rule could not be met."""
    festival = current_festival()
    judging_round = _selected_round(festival)
    form = AssignForm(per_exhibit=policy.policy_for(festival).per_exhibit)
    problems = []
    if form.validate_on_submit():
        try:
            plan = panels.assign_judges(festival, form.per_exhibit.data, by=current_user, number=judging_round.number)
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            problems = panels.describe_problems(plan)
            flash(_("Đã phân công: %(n)d lượt chấm.", n=len(plan.pairs)), "success" if not problems else "warning")
    return render_template(
        "judging/assignments.html",
        form=form,
        problems=problems,
        overview=panels.assignment_overview(festival, judging_round.number),
        add_form=AddJudgeForm(formdata=None),
        judges=panels.judges(),
        policy=policy.policy_for(festival),
        **_round_context(festival, judging_round),
    ), form_status(form)


@bp.route("/assignments/<int:exhibit_id>/add", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("judging.assignments", anchor="exhibit-{exhibit_id}")
def assignment_add(exhibit_id):
    """Give one more judge an exhibit by hand (conflict rules apply)."""
    exhibit = db.get_or_404(Exhibit, exhibit_id)
    judge = db.session.get(User, request.form.get("judge_id", type=record_id) or 0)
    if judge is None:
        abort(400)
    number = request.args.get("round", 1, type=int)
    panels.add_assignment(exhibit, judge, by=current_user, number=number)
    flash(_("Đã giao %(code)s cho %(name)s.", code=exhibit.code, name=judge.full_name), "success")
    return redirect(url_for("judging.assignments", round=number, _anchor=f"exhibit-{exhibit.id}"))


@bp.route("/sheets/<int:sheet_id>/unassign", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("judging.assignments")
def assignment_remove(sheet_id):
    """Take an exhibit away from a judge who has not started, after confirmation."""
    sheet = db.get_or_404(ScoreSheet, sheet_id)
    back = url_for("judging.assignments", round=sheet.round_number, _anchor=f"exhibit-{sheet.exhibit_id}")
    if request.method == "POST":
        panels.remove_assignment(sheet, by=current_user)
        flash(_("Đã bỏ phân công."), "success")
        return redirect(back)
    return render_template(
        "confirm.html",
        title=_("Bỏ phân công?"),
        message=_("%(name)s sẽ không chấm %(code)s nữa.", name=sheet.judge.full_name, code=sheet.exhibit.code),
        confirm_label=_("Bỏ phân công"),
        cancel_url=back,
    )


@bp.route("/conflicts/all", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def conflicts():
    """Declared conflicts of interest; organizers add or remove them for any judge."""
    festival = current_festival()
    form = ConflictForm()
    form.exhibit_id.choices = [("", _("— Chọn sáng kiến —"))] + [
        (e.id, f"{e.code} – {e.title}") for e in panels.accepted_exhibits(festival)
    ]
    form.judge_id.choices = [(j.id, j.full_name) for j in panels.judges()]
    if form.validate_on_submit():
        judge = db.get_or_404(User, form.judge_id.data)
        exhibit = _accepted_exhibit(festival, form.exhibit_id.data)
        try:
            panels.declare_conflict(judge, exhibit, form.reason.data or "", by=current_user)
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã ghi xung đột lợi ích."), "success")
            return redirect(url_for("judging.conflicts"))
    page = render_template("judging/conflicts.html", form=form, conflicts=panels.festival_conflicts(festival))
    return page, form_status(form)


@bp.route("/conflicts/<int:conflict_id>/delete", methods=["POST"])
@role_required(Role.ORGANIZER)
def conflict_delete(conflict_id):
    """Remove a declared conflict."""
    conflict = db.get_or_404(Conflict, conflict_id)
    panels.remove_conflict(conflict, by=current_user)
    flash(_("Đã xoá xung đột lợi ích."), "success")
    return redirect(url_for("judging.conflicts"))


@bp.route("/sheets/<int:sheet_id>/reopen", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("judging.sheet")
def reopen(sheet_id):
    """Unlock a submitted sheet for its judge, with a reason (audited)."""
    sheet = db.get_or_404(ScoreSheet, sheet_id)
    form = ReasonForm()
    if not form.validate():
        raise FestivalError(_("Hãy ghi lý do mở lại phiếu."))
    scoring.reopen_sheet(sheet, form.reason.data, by=current_user)
    flash(_("Đã mở lại phiếu của %(name)s.", name=sheet.judge.full_name), "success")
    return redirect(url_for("judging.sheet", sheet_id=sheet.id))


@bp.route("/sheets/<int:sheet_id>/unattended", methods=["POST"])
@role_required(Role.JUDGE)
@refusals_return_to("judging.sheet")
def unattended(sheet_id):
    """The judge tells the organizers nobody is at the stand."""
    sheet = db.get_or_404(ScoreSheet, sheet_id)
    if sheet.judge_id != current_user.id:
        abort(404)
    control.report_unattended(sheet, current_user, utcnow())
    flash(_("Đã báo ban tổ chức: gian %(booth)s không có người.", booth=sheet.exhibit.booth or "—"), "info")
    return redirect(url_for("judging.home"))


# Organizers: the control room --------------------------------------------------------------


def _board(festival, judging_round) -> dict:
    judges, exhibits = control.control_room(festival, judging_round.number)
    booth_rows = booth_services.booth_progress(festival)
    rows = control.board_rows(judges, exhibits, booth_rows)
    return {
        "judge_rows": judges,
        "exhibit_rows": exhibits,
        "booth_rows": booth_rows,
        "rows": rows,
        "digests": boards.digests(rows),
        **_round_context(festival, judging_round),
    }


_BOARD_ROWS = {"judges": "judge_rows", "exhibits": "exhibit_rows", "booths": "booth_rows"}


def _rendered_rows(board: dict, wanted: set[str] | None = None) -> dict[str, list[tuple[str, str]]]:
    """Each group's rows as HTML (only the `wanted` keys when given): a row the process rendered before for
    what it shows now is not rendered again (util/boards.py), except one with a form, which carries this
    session's CSRF token."""
    language = str(get_locale())
    renderers = {
        "judges": get_template_attribute("judging/_control_rows.html", "judge_row"),
        "exhibits": partial(control_rows.exhibit_row, words=control_rows.words()),
        "booths": get_template_attribute("judging/_control_rows.html", "booth_row"),
    }
    digests = board["digests"]
    found = {}
    for group, members in board["rows"].items():
        render = renderers[group]
        found[group] = [
            (
                key,
                render(row, digests[key])
                if getattr(row, "reports", None)
                else boards.rendered(key, digests[key], language, partial(render, row, digests[key])),
            )
            for (key, _shown), row in zip(members, board[_BOARD_ROWS[group]])
            if wanted is None or key in wanted
        ]
    return found


def _board_stamp(festival, judging_round) -> str:
    return control.board_stamp(festival, judging_round.number, utcnow())


@bp.route("/control")
@role_required(Role.ORGANIZER)
def control_room():
    """Judging live: each judge's progress and whereabouts, exhibits lacking sheets, empty stands."""
    festival = current_festival()
    judging_round = _selected_round(festival)
    stamp = _board_stamp(festival, judging_round)
    board = _board(festival, judging_round)
    return render_template("judging/control.html", stamp=stamp, rendered=_rendered_rows(board), **board)


@bp.route("/control/board")
@role_required(Role.ORGANIZER)
def control_board():
    """The control room's tables alone (the open page takes them whole when a table empties or fills)."""
    festival = current_festival()
    judging_round = _selected_round(festival)
    stamp = _board_stamp(festival, judging_round)
    if unchanged := boards.not_modified(stamp):
        return unchanged
    board = _board(festival, judging_round)
    return boards.stamped(
        render_template("judging/_control_board.html", rendered=_rendered_rows(board), **board), stamp
    )


def _polled_round() -> tuple[int] | None:
    # An open control room polls with its round in the address; without it the round under way is found by
    # the whole request.
    number = request.args.get("round", type=record_id)
    return None if number is None else (number,)


@bp.route("/control/board/index")
@board_poll(control.BOARD, Role.ORGANIZER, keyed_by=_polled_round)
@role_required(Role.ORGANIZER)
def control_board_index():
    """What the open control room polls: 304 while its stamp is current, else each row's key and digest."""
    festival = current_festival()
    judging_round = _selected_round(festival)
    stamp = _board_stamp(festival, judging_round)
    return boards.not_modified(stamp) or boards.stamped(
        jsonify(stamp=stamp, groups=boards.index(_board(festival, judging_round)["rows"])), stamp
    )


@bp.route("/control/board/rows")
@role_required(Role.ORGANIZER)
def control_board_rows():
    """The rows an open control room found changed (`?keys=j3,e12`), rendered."""
    festival = current_festival()
    board = _board(festival, _selected_round(festival))
    found = _rendered_rows(board, boards.wanted_keys())
    return jsonify(rows={key: str(html) for members in found.values() for key, html in members})


@bp.route("/sheets/<int:sheet_id>/reassign", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("judging.control_room")
def reassign(sheet_id):
    """Give an unstarted sheet to another judge: the judges the rules accept, one to choose."""
    sheet = db.get_or_404(ScoreSheet, sheet_id)
    if request.method == "GET":
        return render_template("judging/reassign.html", sheet=sheet, candidates=control.reassign_candidates(sheet))
    judge = db.session.get(User, request.form.get("judge_id", type=record_id) or 0)
    if judge is None:
        raise FestivalError(_("Hãy chọn giám khảo."))
    moved = control.reassign_sheet(sheet, judge, utcnow(), by=current_user)
    flash(_("Đã giao %(code)s cho %(name)s.", code=moved.exhibit.code, name=judge.full_name), "success")
    return redirect(url_for("judging.control_room", round=moved.round_number))


@bp.route("/reports/<int:report_id>/resolve", methods=["POST"])
@role_required(Role.ORGANIZER)
def resolve_report(report_id):
    """The stand is attended again."""
    report = db.get_or_404(StandReport, report_id)
    control.resolve_report(report, utcnow(), by=current_user)
    flash(_("Đã ghi nhận gian %(booth)s có người trở lại.", booth=report.sheet.exhibit.booth or "—"), "success")
    return redirect(url_for("judging.control_room"))


# Organizers: progress, results, awards -----------------------------------------------------

AGREEMENT_LABELS = {"poor": _l("kém"), "moderate": _l("trung bình"), "good": _l("tốt"), "excellent": _l("rất tốt")}
# Why each ranking method, said where the organizers read the ranking.
METHOD_REASONS = {
    "mean": _l("Điểm của sáng kiến là trung bình các phiếu, không hiệu chỉnh giám khảo chấm khắt khe hay rộng tay."),
    "normalised": _l(
        "Điểm của mỗi giám khảo được đổi thành z-score theo chính giám khảo đó rồi lấy trung bình, để giám khảo "
        "chấm khắt khe hay rộng tay không làm lệch thứ hạng."
    ),
    "effects": _l(
        "Điểm của sáng kiến là chất lượng ước lượng từ mô hình cộng: điểm phiếu = chất lượng sáng kiến + độ khắt "
        "khe của giám khảo; đúng cả khi giám khảo được giao những nhóm sáng kiến mạnh yếu khác nhau."
    ),
}


@bp.route("/progress")
@role_required(Role.ORGANIZER)
def progress():
    """Judge × exhibit matrix per category, with missing sheets."""
    festival = current_festival()
    judging_round = _selected_round(festival)
    return render_template(
        "judging/progress.html",
        festival=festival,
        blocks=results.progress(festival, judging_round.number),
        policy=policy.policy_for(festival),
        **_round_context(festival, judging_round),
    )


@bp.route("/results")
@role_required(Role.ORGANIZER)
def results_page():
    """Calibrated results per category: means, spreads, normalised scores, agreement, tiers."""
    festival = current_festival()
    all_rounds = rounds.rounds_of(festival)
    number = request.args.get("round", type=int)
    earlier = number is not None and number != all_rounds[-1].number
    if earlier and rounds.round_of(festival, number) is None:
        abort(404)
    return render_template(
        "judging/results.html",
        festival=festival,
        blocks=results.round_results(festival, number) if earlier else results.festival_results(festival),
        judging_round=rounds.round_of(festival, number) if earlier else all_rounds[-1],
        judging_rounds=all_rounds,
        earlier_round=earlier,
        policy=policy.policy_for(festival),
        tier_form=TierForm(formdata=None),
        record=results.latest_record(festival),
        tiers=JUDGED_TIERS,
        tier_names={t.value: t.label for t in AwardTier},
        tie_label=results.tie_label,
        agreement_label=lambda reading: AGREEMENT_LABELS.get(reading, reading),
        method_reasons=METHOD_REASONS,
        flag_rule=results.FLAG_RULE,
    )


@bp.route("/sheets/<int:sheet_id>/keep", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("judging.results_page")
def keep_sheet(sheet_id):
    """Count a sheet whose judge has a conflict of interest with the exhibit, with a reason (audited)."""
    sheet = db.get_or_404(ScoreSheet, sheet_id)
    form = ReasonForm()
    if not form.validate():
        raise FestivalError(_("Hãy ghi lý do giữ lại phiếu."))
    results.keep_conflicted_sheet(sheet, form.reason.data, by=current_user)
    flash(
        _("Phiếu của %(name)s cho %(code)s được tính.", name=sheet.judge.full_name, code=sheet.exhibit.code), "success"
    )
    return redirect(url_for("judging.results_page"))


@bp.route("/results/<int:exhibit_id>/tier", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("judging.results_page", anchor="exhibit-{exhibit_id}")
def set_tier(exhibit_id):
    """Change an exhibit's proposed tier, with a reason (logged; also after finalising)."""
    exhibit = db.get_or_404(Exhibit, exhibit_id)
    form = TierForm()
    if not form.validate():
        raise FestivalError(_("Hãy ghi lý do điều chỉnh giải."))
    results.set_tier(exhibit, AwardTier(form.tier.data) if form.tier.data else None, form.reason.data, by=current_user)
    flash(_("Đã điều chỉnh giải của %(code)s.", code=exhibit.code), "success")
    return redirect(url_for("judging.results_page", _anchor=f"exhibit-{exhibit.id}"))


@bp.route("/finalise", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("judging.finalise")
def finalise():
    """Finalise the results after confirmation (lists the sheets that will not count)."""
    festival = current_festival()
    if request.method == "POST":
        record = results.finalise(festival, by=current_user, accept_missing=request.form.get("accept_missing") == "yes")
        flash(_("Đã chốt kết quả. Mã kiểm tra dữ liệu điểm: %(hash)s", hash=record.scores_hash[:16]), "success")
        return redirect(url_for("judging.results_page"))
    return render_template(
        "judging/finalise.html",
        festival=festival,
        missing=results.unsubmitted_sheets(festival),
        incomplete=results.incomplete_exhibits(results.festival_results(festival)),
        policy=policy.policy_for(festival),
    )


@bp.route("/results/reopen", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("judging.results_page")
def reopen_results():
    """Unlock finalised results, with a reason (logged)."""
    festival = current_festival()
    form = ReasonForm()
    if not form.validate():
        raise FestivalError(_("Hãy ghi lý do mở lại kết quả."))
    results.reopen_results(festival, form.reason.data, by=current_user)
    flash(_("Đã mở lại kết quả để điều chỉnh."), "warning")
    return redirect(url_for("judging.results_page"))


@bp.route("/results.<any(xlsx, csv):fmt>")
@role_required(Role.ORGANIZER)
def results_export(fmt):
    """The results as an Excel workbook (a sheet per category) or CSV."""
    festival = current_festival()
    mimetype = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return send_file(
        io.BytesIO(results.export_results(festival, fmt, request.args.get("round", type=int))),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"ket-qua-lan-{festival.edition}.{fmt}",
    )


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def settings():
    """How results are computed and prizes proposed (method, tie-breaks, quotas) and defences timed."""
    festival = current_festival()
    current = policy.policy_for(festival)
    form = PolicyForm(obj=current)
    if request.method == "GET":
        form.method.data = current.method.value
        form.tie_break.data = ", ".join(str(i + 1) for i in current.tie_break or [])
        form.honourable_percent.data = int(current.honourable_share * 100)
    if form.validate_on_submit():
        try:
            policy.update_policy(
                current,
                method=ResultsMethod(form.method.data),
                shrinkage=form.shrinkage.data,
                spread_flag=form.spread_flag.data,
                tie_break=form.tie_break.data or "",
                prizes=(form.first_prizes.data, form.second_prizes.data, form.third_prizes.data),
                honourable_percent=form.honourable_percent.data,
                timer=(form.presentation_minutes.data, form.questions_minutes.data),
                by=current_user,
            )
        except FestivalError as error:
            form.tie_break.errors.append(error.message)
        else:
            flash(_("Đã lưu cách xếp hạng."), "success")
            return redirect(url_for("judging.settings"))
    page = render_template(
        "judging/settings.html", form=form, policy=current, rubric=rubrics.current_rubric(festival, None)
    )
    return page, form_status(form)


# Rounds, finalists and defences ------------------------------------------------------------


def _round_or_404(festival, number: int) -> JudgingRound:
    return rounds.round_of(festival, number) or abort(404)


@bp.route("/rounds", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("judging.rounds_page")
def rounds_page():
    """The festival's rounds in order, how they combine, and adding or removing the last one."""
    festival = current_festival()
    current = policy.policy_for(festival)
    form = CombinationForm(combination=current.combination.value)
    if request.method == "POST":
        action = request.form.get("action")
        if action == "add":
            added = rounds.add_round(festival, by=current_user)
            flash(_("Đã thêm %(name)s.", name=added.name_vi), "success")
        elif action == "combination" and form.validate_on_submit():
            policy.set_combination(current, Combination(form.combination.data), by=current_user)
            flash(_("Đã lưu cách tính điểm cuối cùng."), "success")
        return redirect(url_for("judging.rounds_page"))
    return render_template("judging/rounds.html", judging_rounds=rounds.rounds_of(festival), policy=current, form=form)


@bp.route("/rounds/<int:number>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def round_edit(number):
    """One round's name, kind, window, weight and finalist rule."""
    festival = current_festival()
    judging_round = _round_or_404(festival, number)
    form = RoundForm(obj=judging_round if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data = judging_round.kind.value
        form.opens_at.data = utc_to_local(judging_round.opens_at) if judging_round.opens_at else None
        form.closes_at.data = utc_to_local(judging_round.closes_at) if judging_round.closes_at else None
        form.finalist_rule.data = "threshold" if judging_round.finalist_threshold is not None else "quota"
    if form.validate_on_submit():
        by_threshold = form.finalist_rule.data == "threshold"
        try:
            rounds.update_round(
                judging_round,
                name_vi=form.name_vi.data,
                name_en=form.name_en.data or "",
                kind=RoundKind(form.kind.data),
                window=(
                    local_to_utc(form.opens_at.data) if form.opens_at.data else None,
                    local_to_utc(form.closes_at.data) if form.closes_at.data else None,
                ),
                weight=form.weight.data,
                finalist_rule=(
                    None if by_threshold else form.finalist_quota.data,
                    form.finalist_threshold.data if by_threshold else None,
                ),
                by=current_user,
            )
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã lưu %(name)s.", name=judging_round.name_vi), "success")
            return redirect(url_for("judging.rounds_page"))
    return render_template("judging/round.html", form=form, judging_round=judging_round), form_status(form)


@bp.route("/rounds/<int:number>/remove", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("judging.rounds_page")
def round_remove(number):
    """Remove the last round while nothing has happened in it, after confirmation."""
    judging_round = _round_or_404(current_festival(), number)
    if request.method == "POST":
        rounds.remove_round(judging_round, by=current_user)
        flash(_("Đã xoá vòng chấm."), "success")
        return redirect(url_for("judging.rounds_page"))
    return render_template(
        "confirm.html",
        title=_("Xoá vòng chấm?"),
        message=_("%(name)s sẽ bị xoá khỏi kỳ hội thi.", name=judging_round.name_vi),
        confirm_label=_("Xoá vòng"),
        cancel_url=url_for("judging.rounds_page"),
    )


@bp.route("/rounds/<int:number>/finalists", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("judging.finalists_page")
def finalists_page(number):
    """The previous round's ranking per category, the proposed finalists, changes with reasons, confirmation."""
    festival = current_festival()
    judging_round = _round_or_404(festival, number)
    if not judging_round.takes_finalists:
        abort(404)
    if request.method == "POST":
        action = request.form.get("action")
        if action == "confirm":
            chosen = finalists.confirm(judging_round, by=current_user)
            flash(_("Đã xác nhận %(n)d sáng kiến vào vòng; các đơn vị đã được báo.", n=len(chosen)), "success")
        elif action == "reopen":
            finalists.reopen(judging_round, request.form.get("reason", ""), by=current_user)
            flash(_("Đã mở lại danh sách vào vòng."), "success")
        else:
            exhibit = db.get_or_404(Exhibit, request.form.get("exhibit_id", type=record_id) or 0)
            finalists.choose(
                judging_round,
                exhibit,
                request.form.get("included") == "1",
                request.form.get("reason", ""),
                current_user,
            )
            flash(_("Đã cập nhật %(code)s.", code=exhibit.code), "success")
        return redirect(url_for("judging.finalists_page", number=number))
    return render_template(
        "judging/finalists.html",
        judging_round=judging_round,
        previous=rounds.round_of(festival, number - 1),
        overview=finalists.finalist_overview(judging_round),
        policy=policy.policy_for(festival),
    )


@bp.route("/rounds/<int:number>/defences", methods=["GET", "POST"])
@login_required
def defences_page(number):
    """The schedule of defences at the booths: organizers build it; judges and units read (and print) it."""
    festival = current_festival()
    judging_round = _round_or_404(festival, number)
    if not judging_round.takes_finalists:
        abort(404)
    form = ScheduleForm()
    if request.method == "POST":
        if current_user.role is not Role.ORGANIZER:
            abort(403)
        if form.validate_on_submit():
            try:
                built = defences.build_schedule(judging_round, form.changeover.data, by=current_user)
            except FestivalError as error:
                form.form_errors.append(error.message)
            else:
                if built.unplaced:
                    flash(
                        _(
                            "Không đủ thời gian trong vòng cho %(n)d lượt bảo vệ: %(codes)s. Hãy kéo dài thời gian "
                            "của vòng hoặc rút ngắn thời gian chuyển.",
                            n=len(built.unplaced),
                            codes=", ".join(e.code or "" for e in built.unplaced),
                        ),
                        "warning",
                    )
                else:
                    flash(_("Đã xếp lịch %(n)d lượt bảo vệ.", n=built.placed), "success")
                return redirect(url_for("judging.defences_page", number=number))
    schedule = defences.round_defences(judging_round)
    if current_user.role is Role.UNIT:
        schedule = [(d, judges) for d, judges in schedule if d.exhibit.unit_id == current_user.unit_id]
    elif current_user.role is Role.JUDGE:
        schedule = [(d, judges) for d, judges in schedule if any(j.id == current_user.id for j in judges)]
    elif current_user.role is not Role.ORGANIZER:
        abort(404)
    return render_template(
        "judging/defences.html",
        judging_round=judging_round,
        schedule=schedule,
        clashes=defences.clashes(judging_round) if current_user.role is Role.ORGANIZER else [],
        form=form,
        minutes=defences.defence_minutes(festival),
    ), form_status(form)
