"""Judging pages: the judge's tablet (home, sheet, autosave JSON, PDFs) and the organizers'
set-up (rubrics, panels, assignment, conflicts) and results."""

import io

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from festival.admin.services import get_current_festival
from festival.auth.permissions import role_required
from festival.errors import FestivalError
from festival.exhibits.services import list_categories
from festival.extensions import db
from festival.judging import bp, results, scoresheets, services
from festival.judging.forms import AddJudgeForm, AssignForm, ConflictForm, PolicyForm, ReasonForm, RubricForm, TierForm
from festival.models import (
    AwardTier,
    Category,
    Conflict,
    CriterionKind,
    Exhibit,
    ResultsMethod,
    Role,
    ScoreSheet,
    SheetStatus,
    User,
    utcnow,
)
from festival.urls import MAX_ID, record_id


def _festival():
    festival = get_current_festival()
    if festival is None:
        abort(404)
    return festival


def _visible_sheet(sheet_id: int) -> ScoreSheet:
    """The judge's own sheet, or any sheet for organizers; 404 for everyone else."""
    sheet = db.get_or_404(ScoreSheet, sheet_id)
    if current_user.role is Role.ORGANIZER or sheet.judge_id == current_user.id:
        return sheet
    abort(404)


# The judge's tablet ----------------------------------------------------------------------


@bp.route("/")
@role_required(Role.JUDGE)
def home():
    """The judge's exhibits with booth, state and progress."""
    festival = get_current_festival()
    sheets = services.judge_sheets(current_user, festival) if festival else []
    done = sum(1 for s in sheets if s.status is SheetStatus.SUBMITTED)
    return render_template(
        "judging/home.html",
        festival=festival,
        sheets=sheets,
        done=done,
        totals={s.id: services.sheet_total(s) for s in sheets},
    )


@bp.route("/sheets/<int:sheet_id>", methods=["GET", "POST"])
@login_required
def sheet(sheet_id):
    """The scoring page: exhibit, one touch control per criterion, live total, comment.

    The form also works without JavaScript (a POST saves); with it every change is saved at once.
    """
    sheet = _visible_sheet(sheet_id)
    if request.method == "POST":
        if sheet.judge_id != current_user.id:
            abort(403)
        try:
            data = _form_input(sheet)
            if request.form.get("action") == "submit":
                services.submit_sheet(sheet, current_user, data, utcnow())
                flash(_("Đã nộp phiếu chấm %(code)s.", code=sheet.exhibit.code), "success")
            else:
                services.save_sheet(sheet, current_user, data, utcnow())
                flash(_("Đã lưu."), "success")
        except FestivalError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
        return redirect(url_for("judging.sheet", sheet_id=sheet.id))
    rubric = sheet.rubric or services.current_rubric(sheet.exhibit.festival, sheet.exhibit.category)
    return render_template(
        "judging/sheet.html",
        sheet=sheet,
        rubric=rubric,
        state=services.sheet_state(sheet),
        can_edit=sheet.judge_id == current_user.id and not sheet.is_locked,
        reason_form=ReasonForm(formdata=None),
    )


def _form_input(sheet: ScoreSheet) -> services.SheetInput:
    """A save from the plain HTML form (no JavaScript): one save per submission."""
    rubric = sheet.rubric or services.current_rubric(sheet.exhibit.festival, sheet.exhibit.category)
    if rubric is None:
        raise FestivalError(_("Ban tổ chức chưa thiết lập thang điểm."))
    points, answers = {}, {}
    for criterion in rubric.criteria:
        if criterion.kind.value == "points":
            try:
                points[criterion.id] = services.parse_points(request.form.get(f"points-{criterion.id}"))
            except ValueError:
                raise FestivalError(_("Điểm “%(name)s” không hợp lệ.", name=criterion.name_vi)) from None
        else:
            value = request.form.get(f"answer-{criterion.id}")
            answers[criterion.id] = {"yes": True, "no": False}.get(value)
    client = request.form.get("client_id", "")[:64] or "form"
    seq = sheet.last_seq + 1 if sheet.last_client_id == client else 1
    return services.SheetInput(
        client_id=client, seq=seq, points=points, answers=answers, comment=request.form.get("comment", "")
    )


def _json_input() -> services.SheetInput:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400)
    try:
        client_id = str(body["client_id"])[:64]
        seq = int(body["seq"])
        points = {int(k): services.parse_points(v) for k, v in (body.get("points") or {}).items()}
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
    if not client_id or not 0 < seq <= MAX_ID:  # the INTEGER column on every database
        raise FestivalError(_("Dữ liệu lưu không hợp lệ."))
    return services.SheetInput(client_id=client_id, seq=seq, points=points, answers=answers, comment=comment)


def _own_locked_sheet(sheet_id: int) -> ScoreSheet:
    """The signed-in judge's sheet, row-locked for this save; 404 for anyone else's."""
    sheet = services.lock_sheet(sheet_id)
    if sheet is None or sheet.judge_id != current_user.id:
        abort(404)
    return sheet


@bp.route("/sheets/<int:sheet_id>/save", methods=["POST"])
@role_required(Role.JUDGE)
def save(sheet_id):
    """Autosave (JSON): one snapshot of the sheet with the device's id and sequence number."""
    data = _json_input()
    sheet = _own_locked_sheet(sheet_id)
    result = services.save_sheet(sheet, current_user, data, utcnow())
    answer = jsonify(status="saved" if result.applied else "duplicate", state=services.sheet_state(sheet))
    # Answered from this transaction: reading after the commit would begin another one, which on
    # SQLite takes the write lock again for as long as the request lasts, and could show a newer save.
    db.session.commit()
    return answer


@bp.route("/sheets/<int:sheet_id>/submit", methods=["POST"])
@role_required(Role.JUDGE)
def submit(sheet_id):
    """Submit (JSON): the final snapshot, then the sheet is locked."""
    data = _json_input()
    sheet = _own_locked_sheet(sheet_id)
    services.submit_sheet(sheet, current_user, data, utcnow())
    answer = jsonify(status="submitted", state=services.sheet_state(sheet))  # from this transaction, as in save()
    db.session.commit()
    return answer


@bp.route("/sheets/<int:sheet_id>/state")
@login_required
def state(sheet_id):
    """The sheet as the server has it, with a fresh CSRF token (after signing in again)."""
    sheet = _visible_sheet(sheet_id)
    return jsonify(state=services.sheet_state(sheet), csrf_token=generate_csrf())


@bp.route("/sheets/<int:sheet_id>.pdf")
@login_required
def sheet_pdf(sheet_id):
    """One score sheet (phiếu chấm điểm) as a PDF to sign."""
    sheet = _visible_sheet(sheet_id)
    data = scoresheets.render_score_sheets([sheet])
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=f"phieu-cham-{sheet.exhibit.code}.pdf")


@bp.route("/my-sheets.pdf")
@role_required(Role.JUDGE)
def my_sheets_pdf():
    """All of the judge's submitted sheets, one page each, to sign."""
    festival = _festival()
    sheets = [s for s in services.judge_sheets(current_user, festival) if s.status is SheetStatus.SUBMITTED]
    if not sheets:
        flash(_("Bạn chưa nộp phiếu nào."), "warning")
        return redirect(url_for("judging.home"))
    return send_file(
        io.BytesIO(scoresheets.render_score_sheets(sheets)),
        mimetype="application/pdf",
        download_name="phieu-cham-diem.pdf",
    )


@bp.route("/conflicts", methods=["GET", "POST"])
@role_required(Role.JUDGE)
def my_conflicts():
    """A judge declares the exhibits they must not judge."""
    festival = _festival()
    form = ConflictForm()
    exhibits = services.accepted_exhibits(festival)
    form.exhibit_id.choices = [(e.id, f"{e.code} – {e.title} ({e.unit.short_name})") for e in exhibits]
    del form.judge_id
    if form.validate_on_submit():
        exhibit = db.get_or_404(Exhibit, form.exhibit_id.data)
        try:
            services.declare_conflict(current_user, exhibit, form.reason.data or "", by=current_user)
        except FestivalError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(_("Đã ghi nhận: bạn sẽ không chấm %(code)s.", code=exhibit.code), "success")
            return redirect(url_for("judging.my_conflicts"))
    conflicts = [c for c in services.judge_conflicts(current_user) if c.exhibit.festival_id == festival.id]
    return render_template("judging/my_conflicts.html", form=form, conflicts=conflicts)


# Organizers: rubrics, panels, assignment ---------------------------------------------------


def _criteria_from(form: RubricForm) -> list[services.CriterionInput]:
    criteria = []
    for entry in form.criteria.entries:
        row = entry.form
        if not (row.name_vi.data or "").strip():
            continue
        kind = CriterionKind(row.kind.data)
        criteria.append(
            services.CriterionInput(
                id=row.id.data,
                name_vi=row.name_vi.data,
                name_en=row.name_en.data or "",
                guidance=row.guidance.data or "",
                max_points=row.max_points.data or 10,
                weight=row.weight.data,
                kind=kind,
                levels=services.parse_levels(row.levels.data or "") if kind is CriterionKind.POINTS else [],
            )
        )
    return criteria


@bp.route("/rubric", methods=["GET", "POST"], defaults={"category_id": None})
@bp.route("/rubric/<int:category_id>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def rubric(category_id):
    """Edit the default rubric or a category's own (a frozen one gets a new version)."""
    festival = _festival()
    category = db.get_or_404(Category, category_id) if category_id else None
    current = services.own_rubric(festival, category)
    form = RubricForm()
    if request.method == "GET" and current is not None:
        for entry, criterion in zip(form.criteria.entries, current.criteria):
            row = entry.form
            row.id.data, row.name_vi.data, row.name_en.data, row.guidance.data = (
                criterion.id,
                criterion.name_vi,
                criterion.name_en,
                criterion.guidance,
            )
            row.kind.data, row.max_points.data, row.weight.data = (
                criterion.kind.value,
                criterion.max_points,
                criterion.weight,
            )
            row.levels.data = "; ".join(f"{lv.points} – {lv.label_vi}" for lv in criterion.levels)
    if form.validate_on_submit():
        try:
            saved = services.save_rubric(festival, category, _criteria_from(form), by=current_user)
        except FestivalError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
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
            return redirect(url_for("judging.rubric", category_id=category_id))
    return render_template(
        "judging/rubric.html",
        form=form,
        festival=festival,
        category=category,
        rubric=current,
        frozen=current is not None and services.is_frozen(current),
        effective=services.current_rubric(festival, category),
        categories=list_categories(festival),
    )


@bp.route("/panels", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def panels():
    """Which judges sit on which category's panel."""
    festival = _festival()
    categories = list_categories(festival)
    if request.method == "POST":
        chosen = set()
        for value in request.form.getlist("member"):
            category_id, _sep, judge_id = value.partition(":")
            if category_id.isdigit() and judge_id.isdigit():
                chosen.add((int(category_id), int(judge_id)))
        services.set_panels(festival, chosen, by=current_user)
        db.session.commit()
        flash(_("Đã lưu hội đồng chấm theo lĩnh vực."), "success")
        return redirect(url_for("judging.panels"))
    return render_template(
        "judging/panels.html", categories=categories, judges=services.judges(), panels=services.panel_map(festival)
    )


@bp.route("/assignments", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def assignments():
    """Who judges which exhibit: run the automatic assignment, see why a rule could not be met."""
    festival = _festival()
    policy = services.policy_for(festival)
    form = AssignForm(per_exhibit=policy.per_exhibit)
    problems = []
    if form.validate_on_submit():
        try:
            plan = services.assign_judges(festival, form.per_exhibit.data, by=current_user)
        except FestivalError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            problems = services.describe_problems(plan)
            flash(_("Đã phân công: %(n)d lượt chấm.", n=len(plan.pairs)), "success" if not problems else "warning")
    db.session.commit()  # the policy row may have just been created
    return render_template(
        "judging/assignments.html",
        form=form,
        problems=problems,
        overview=services.assignment_overview(festival),
        add_form=AddJudgeForm(formdata=None),
        judges=services.judges(),
        policy=policy,
    )


@bp.route("/assignments/<int:exhibit_id>/add", methods=["POST"])
@role_required(Role.ORGANIZER)
def assignment_add(exhibit_id):
    """Give one more judge an exhibit by hand (conflict rules apply)."""
    exhibit = db.get_or_404(Exhibit, exhibit_id)
    judge = db.session.get(User, request.form.get("judge_id", type=record_id) or 0)
    if judge is None:
        abort(400)
    try:
        services.add_assignment(exhibit, judge, by=current_user)
    except FestivalError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("Đã giao %(code)s cho %(name)s.", code=exhibit.code, name=judge.full_name), "success")
    return redirect(url_for("judging.assignments") + f"#exhibit-{exhibit.id}")


@bp.route("/sheets/<int:sheet_id>/unassign", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def assignment_remove(sheet_id):
    """Take an exhibit away from a judge who has not started, after confirmation."""
    sheet = db.get_or_404(ScoreSheet, sheet_id)
    back = url_for("judging.assignments") + f"#exhibit-{sheet.exhibit_id}"
    if request.method == "POST":
        try:
            services.remove_assignment(sheet, by=current_user)
        except FestivalError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
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
    festival = _festival()
    form = ConflictForm()
    form.exhibit_id.choices = [(e.id, f"{e.code} – {e.title}") for e in services.accepted_exhibits(festival)]
    form.judge_id.choices = [(j.id, j.full_name) for j in services.judges()]
    if form.validate_on_submit():
        judge = db.get_or_404(User, form.judge_id.data)
        exhibit = db.get_or_404(Exhibit, form.exhibit_id.data)
        try:
            services.declare_conflict(judge, exhibit, form.reason.data or "", by=current_user)
        except FestivalError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(_("Đã ghi xung đột lợi ích."), "success")
            return redirect(url_for("judging.conflicts"))
    return render_template("judging/conflicts.html", form=form, conflicts=services.festival_conflicts(festival))


@bp.route("/conflicts/<int:conflict_id>/delete", methods=["POST"])
@role_required(Role.ORGANIZER)
def conflict_delete(conflict_id):
    """Remove a declared conflict."""
    conflict = db.get_or_404(Conflict, conflict_id)
    services.remove_conflict(conflict, by=current_user)
    db.session.commit()
    flash(_("Đã xoá xung đột lợi ích."), "success")
    return redirect(url_for("judging.conflicts"))


@bp.route("/sheets/<int:sheet_id>/reopen", methods=["POST"])
@role_required(Role.ORGANIZER)
def reopen(sheet_id):
    """Unlock a submitted sheet for its judge, with a reason (audited)."""
    sheet = db.get_or_404(ScoreSheet, sheet_id)
    form = ReasonForm()
    if not form.validate():
        flash(_("Hãy ghi lý do mở lại phiếu."), "danger")
        return redirect(url_for("judging.sheet", sheet_id=sheet.id))
    try:
        services.reopen_sheet(sheet, form.reason.data, by=current_user)
    except FestivalError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("Đã mở lại phiếu của %(name)s.", name=sheet.judge.full_name), "success")
    return redirect(url_for("judging.sheet", sheet_id=sheet.id))


# Organizers: progress, results, awards -----------------------------------------------------

TIE_LABELS = {"criterion": _l("tiêu chí {n}"), "benefit": _l("giá trị làm lợi"), "code": _l("mã")}
AGREEMENT_LABELS = {"poor": _l("kém"), "moderate": _l("trung bình"), "good": _l("tốt"), "excellent": _l("rất tốt")}


@bp.route("/progress")
@role_required(Role.ORGANIZER)
def progress():
    """Judge × exhibit matrix per category, with missing sheets."""
    festival = _festival()
    return render_template(
        "judging/progress.html",
        festival=festival,
        blocks=results.progress(festival),
        policy=services.policy_for(festival),
    )


@bp.route("/results")
@role_required(Role.ORGANIZER)
def results_page():
    """Calibrated results per category: means, spreads, normalised scores, agreement, tiers."""
    festival = _festival()
    policy = services.policy_for(festival)
    db.session.commit()  # the policy row may have just been created; before the results, which a commit would expire
    blocks = results.festival_results(festival)
    return render_template(
        "judging/results.html",
        festival=festival,
        blocks=blocks,
        policy=policy,
        tier_form=TierForm(formdata=None),
        record=results.latest_record(festival),
        tiers=list(AwardTier),
        tier_names={t.value: t.label for t in AwardTier},
        tie_label=lambda decided: TIE_LABELS.get(decided.split(":")[0], decided).format(
            n=int(decided.split(":")[1]) + 1 if ":" in decided else ""
        ),
        agreement_label=lambda reading: AGREEMENT_LABELS.get(reading, reading),
    )


@bp.route("/results/<int:exhibit_id>/tier", methods=["POST"])
@role_required(Role.ORGANIZER)
def set_tier(exhibit_id):
    """Change an exhibit's proposed tier, with a reason (logged; also after finalising)."""
    exhibit = db.get_or_404(Exhibit, exhibit_id)
    form = TierForm()
    if not form.validate():
        flash(_("Hãy ghi lý do điều chỉnh giải."), "danger")
        return redirect(url_for("judging.results_page") + f"#exhibit-{exhibit.id}")
    try:
        results.set_tier(
            exhibit, AwardTier(form.tier.data) if form.tier.data else None, form.reason.data, by=current_user
        )
    except FestivalError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("Đã điều chỉnh giải của %(code)s.", code=exhibit.code), "success")
    return redirect(url_for("judging.results_page") + f"#exhibit-{exhibit.id}")


@bp.route("/finalise", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def finalise():
    """Finalise the results after confirmation (lists the sheets that will not count)."""
    festival = _festival()
    missing = results.unsubmitted_sheets(festival)
    if request.method == "POST":
        if missing and request.form.get("accept_missing") != "yes":
            flash(_("Hãy xác nhận rằng các phiếu chưa nộp sẽ không được tính."), "danger")
            return redirect(url_for("judging.finalise"))
        try:
            record = results.finalise(festival, by=current_user)
        except FestivalError as error:
            db.session.rollback()
            flash(error.message, "danger")
            return redirect(url_for("judging.results_page"))
        db.session.commit()
        flash(_("Đã chốt kết quả. Mã kiểm tra dữ liệu điểm: %(hash)s", hash=record.scores_hash[:16]), "success")
        return redirect(url_for("judging.results_page"))
    return render_template(
        "judging/finalise.html", festival=festival, missing=missing, policy=services.policy_for(festival)
    )


@bp.route("/results/reopen", methods=["POST"])
@role_required(Role.ORGANIZER)
def reopen_results():
    """Unlock finalised results, with a reason (logged)."""
    festival = _festival()
    form = ReasonForm()
    try:
        if not form.validate():
            raise FestivalError(_("Hãy ghi lý do mở lại kết quả."))
        results.reopen_results(festival, form.reason.data, by=current_user)
    except FestivalError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("Đã mở lại kết quả để điều chỉnh."), "warning")
    return redirect(url_for("judging.results_page"))


@bp.route("/results.<any(xlsx, csv):fmt>")
@role_required(Role.ORGANIZER)
def results_export(fmt):
    """The results as an Excel workbook (a sheet per category) or CSV."""
    festival = _festival()
    mimetype = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return send_file(
        io.BytesIO(results.export_results(festival, fmt)),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"ket-qua-lan-{festival.edition}.{fmt}",
    )


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def settings():
    """How results are computed and prizes proposed: method, tie-breaks, quotas."""
    festival = _festival()
    policy = services.policy_for(festival)
    form = PolicyForm(obj=policy)
    if request.method == "GET":
        form.method.data = policy.method.value
        form.tie_break.data = ", ".join(str(i + 1) for i in policy.tie_break or [])
        form.honourable_percent.data = int(policy.honourable_share * 100)
    if form.validate_on_submit():
        try:
            services.update_policy(
                policy,
                method=ResultsMethod(form.method.data),
                shrinkage=form.shrinkage.data,
                spread_flag=form.spread_flag.data,
                tie_break=form.tie_break.data or "",
                prizes=(form.first_prizes.data, form.second_prizes.data, form.third_prizes.data),
                honourable_percent=form.honourable_percent.data,
                by=current_user,
            )
        except FestivalError as error:
            db.session.rollback()
            form.tie_break.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Đã lưu cách xếp hạng."), "success")
            return redirect(url_for("judging.settings"))
    db.session.commit()
    rubric = services.current_rubric(festival, None)
    return render_template("judging/settings.html", form=form, policy=policy, rubric=rubric)
