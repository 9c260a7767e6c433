"""Booth award pages: the judge's booth list and sheet on the tablet, and the organizers' rubric, panel,
assignment, results, prizes and finalisation."""

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from festival.auth.permissions import role_required
from festival.booths import printing, results, scoring, services
from festival.booths.forms import BoothQuotaForm, BoothRubricForm
from festival.core.errors import FestivalError, StaleSave, refusals_return_to
from festival.core.extensions import db
from festival.core.festivals import current_festival
from festival.core.transactions import form_status
from festival.judging.forms import ReasonForm, TierForm
from festival.judging.panels import judges
from festival.models import JUDGED_TIERS, AwardTier, BoothSheet, Role, SheetStatus, Unit, User, utcnow
from festival.util.urls import record_id

bp = Blueprint("booths", __name__, url_prefix="/booths")


def _visible_sheet(booth_sheet_id: int) -> BoothSheet:
    """The judge's own booth sheet, or any for organizers (of the current festival); 404 otherwise."""
    sheet = db.get_or_404(BoothSheet, booth_sheet_id)
    if sheet.festival_id != current_festival().id:
        abort(404)
    if current_user.role is Role.ORGANIZER or sheet.judge_id == current_user.id:
        return sheet
    abort(404)


def _booth_unit(unit_id: int) -> Unit:
    return db.get_or_404(Unit, unit_id)


# The judge's tablet ------------------------------------------------------------------------


@bp.route("/")
@role_required(Role.JUDGE)
def home():
    """The booths the judge scores, with each one's state and total."""
    festival = current_festival()
    sheets = scoring.judge_booth_sheets(current_user, festival)
    locations = {booth.unit.id: booth.location for booth in services.booths(festival)}
    return render_template(
        "booths/home.html",
        sheets=sheets,
        locations=locations,
        done=sum(1 for s in sheets if s.status is SheetStatus.SUBMITTED),
        totals={s.id: scoring.sheet_total(s) for s in sheets},
        results_final=services.booth_policy_for(festival).is_final,
        # Opened online, the list has the tablet keep every one of these sheets for offline use (the booths are
        # scored walking the hall, where the network drops).
        offline_pages=[url_for("booths.home")] + [url_for("booths.sheet", booth_sheet_id=s.id) for s in sheets],
    )


@bp.route("/sheets/<int:booth_sheet_id>", methods=["GET", "POST"])
@login_required
def sheet(booth_sheet_id):
    """Score a booth: one field per criterion, the comment; save as a draft or submit (then locked).

    A refused save shows the page again with everything typed; a save from a page opened before the sheet
    was last saved is refused (409) and the page shows the typed values beside the saved ones."""
    sheet = _visible_sheet(booth_sheet_id)
    typed, refusal, field_errors, status = None, None, {}, 200
    if request.method == "POST":
        if sheet.judge_id != current_user.id:
            abort(403)
        try:
            data = scoring.form_input(sheet, request.form.to_dict())
            if request.form.get("action") == "submit":
                scoring.submit_booth_sheet(sheet, current_user, data, utcnow())
            else:
                scoring.save_booth_sheet(sheet, current_user, data, utcnow())
        except FestivalError as error:
            typed, refusal, status = request.form, error.message, 409 if isinstance(error, StaleSave) else 422
            field_errors = scoring.point_problems(sheet, request.form)
        else:
            if sheet.is_locked:
                flash(_("Đã nộp phiếu chấm gian hàng %(unit)s.", unit=sheet.unit.short_name), "success")
                return redirect(url_for("booths.home"))
            flash(_("Đã lưu."), "success")
            return redirect(url_for("booths.sheet", booth_sheet_id=sheet.id))
    booth = services.booth_of(sheet.festival, sheet.unit)
    return render_template(
        "booths/sheet.html",
        sheet=sheet,
        booth=booth,
        criteria=services.booth_criteria(sheet.festival),
        saved=scoring.sheet_points(sheet),
        total=scoring.sheet_total(sheet),
        typed=typed,
        refusal=refusal,
        stale=status == 409,
        field_errors=field_errors,
        read_only=scoring.edit_refusal(sheet, current_user, utcnow()),
        history=scoring.sheet_history(sheet) if current_user.role is Role.ORGANIZER else [],
        reason_form=ReasonForm(formdata=None),
    ), status


# Organizers: rubric, panel, assignment -----------------------------------------------------


def _pdf(data: bytes, filename: str):
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=filename)


@bp.route("/sheets/<int:booth_sheet_id>.pdf", endpoint="sheet_pdf")
@login_required
def sheet_pdf_view(booth_sheet_id):
    """One booth sheet as a printable page (its judge, or an organizer)."""
    sheet = _visible_sheet(booth_sheet_id)
    return _pdf(printing.render_booth_sheets_pdf([sheet]), f"phieu-cham-gian-hang-{sheet.unit.code}.pdf")


@bp.route("/my-sheets.pdf")
@role_required(Role.JUDGE)
def my_sheets_pdf():
    """All of the judge's submitted booth sheets, one page each, to sign."""
    sheets = [
        s for s in scoring.judge_booth_sheets(current_user, current_festival()) if s.status is SheetStatus.SUBMITTED
    ]
    if not sheets:
        flash(_("Bạn chưa nộp phiếu chấm gian hàng nào."), "warning")
        return redirect(url_for("booths.home"))
    return _pdf(printing.render_booth_sheets_pdf(sheets), "phieu-cham-gian-hang.pdf")


def _criteria_from(form: BoothRubricForm) -> list[services.CriterionInput]:
    return [
        services.CriterionInput(
            id=row.id.data,
            name_vi=row.name_vi.data,
            name_en=row.name_en.data or "",
            guidance=row.guidance.data or "",
            max_points=row.max_points.data or 10,
            weight=row.weight.data,
        )
        for row in (entry.form for entry in form.criteria.entries)
        if (row.name_vi.data or "").strip()
    ]


@bp.route("/rubric", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def rubric():
    """The booth rubric: criteria with maximum points and weights, editable until a sheet is submitted."""
    festival = current_festival()
    criteria = services.booth_criteria(festival)
    form = BoothRubricForm()
    if request.method == "GET":
        for entry, criterion in zip(form.criteria.entries, criteria):
            row = entry.form
            row.id.data, row.name_vi.data, row.name_en.data = criterion.id, criterion.name_vi, criterion.name_en
            row.guidance.data, row.max_points.data, row.weight.data = (
                criterion.guidance,
                criterion.max_points,
                criterion.weight,
            )
    if form.validate_on_submit():
        try:
            services.save_booth_rubric(festival, _criteria_from(form), by=current_user)
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã lưu thang điểm gian hàng."), "success")
            return redirect(url_for("booths.rubric"))
    page = render_template(
        "booths/rubric.html", form=form, criteria=criteria, frozen=services.is_rubric_frozen(festival)
    )
    return page, form_status(form)


@bp.route("/panel", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def panel():
    """Which judges sit on the booth panel."""
    festival = current_festival()
    if request.method == "POST":
        chosen = {int(value) for value in request.form.getlist("judge") if value.isdigit()}
        services.set_booth_panel(festival, chosen, by=current_user)
        flash(_("Đã lưu hội đồng chấm gian hàng."), "success")
        return redirect(url_for("booths.panel"))
    members = {j.id for j in services.booth_panel(festival)}
    return render_template("booths/panel.html", judges=judges(), members=members)


@bp.route("/assignments", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("booths.assignments")
def assignments():
    """Who scores which booth: give every panel judge every booth but their own unit's, or add one by hand."""
    festival = current_festival()
    if request.method == "POST":
        added = services.assign_booth_judges(festival, by=current_user)
        flash(_("Đã phân công: thêm %(n)d phiếu chấm gian hàng.", n=added), "success")
        return redirect(url_for("booths.assignments"))
    return render_template(
        "booths/assignments.html",
        overview=services.assignment_overview(festival),
        panel=services.booth_panel(festival),
        judges=judges(),
        final=services.booth_policy_for(festival).is_final,
    )


@bp.route("/assignments/<int:unit_id>/add", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("booths.assignments", anchor="booth-{unit_id}")
def assignment_add(unit_id):
    """Give one more judge a booth by hand (never a judge of the booth's own unit)."""
    unit = _booth_unit(unit_id)
    judge = db.session.get(User, request.form.get("judge_id", type=record_id) or 0)
    if judge is None:
        raise FestivalError(_("Hãy chọn giám khảo."))
    services.add_booth_assignment(current_festival(), unit, judge, by=current_user)
    flash(_("Đã giao gian hàng %(unit)s cho %(name)s.", unit=unit.short_name, name=judge.full_name), "success")
    return redirect(url_for("booths.assignments", _anchor=f"booth-{unit.id}"))


@bp.route("/sheets/<int:booth_sheet_id>/unassign", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("booths.assignments")
def assignment_remove(booth_sheet_id):
    """Take a booth away from a judge who has not started scoring it."""
    sheet = _visible_sheet(booth_sheet_id)
    unit_id = sheet.unit_id
    services.remove_booth_assignment(sheet, by=current_user)
    flash(_("Đã bỏ phân công."), "success")
    return redirect(url_for("booths.assignments", _anchor=f"booth-{unit_id}"))


@bp.route("/sheets/<int:booth_sheet_id>/reopen", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("booths.sheet")
def reopen(booth_sheet_id):
    """Unlock a submitted booth sheet for its judge, with a reason (audited)."""
    sheet = _visible_sheet(booth_sheet_id)
    form = ReasonForm()
    if not form.validate():
        raise FestivalError(_("Hãy ghi lý do mở lại phiếu."))
    scoring.reopen_booth_sheet(sheet, form.reason.data, by=current_user)
    flash(_("Đã mở lại phiếu của %(name)s.", name=sheet.judge.full_name), "success")
    return redirect(url_for("booths.sheet", booth_sheet_id=sheet.id))


# Organizers: results and prizes ------------------------------------------------------------


@bp.route("/results")
@role_required(Role.ORGANIZER)
def results_page():
    """The booth ranking with proposed and adjusted prizes, the quotas, and finalising."""
    festival = current_festival()
    policy = services.booth_policy_for(festival)
    return render_template(
        "booths/results.html",
        rows=results.booth_results(festival),
        policy=policy,
        quota_form=BoothQuotaForm(formdata=None, obj=policy),
        tiers=JUDGED_TIERS,
        tier_form=TierForm(formdata=None),
    )


@bp.route("/results.<any(xlsx, csv):fmt>")
@role_required(Role.ORGANIZER)
def results_export(fmt):
    """The booth ranking as an Excel workbook or CSV."""
    festival = current_festival()
    mimetype = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return send_file(
        io.BytesIO(results.export_booth_results(festival, fmt)),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"giai-gian-hang-lan-{festival.edition}.{fmt}",
    )


@bp.route("/prizes", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("booths.results_page")
def prizes():
    """How many booth prizes of each tier are proposed."""
    form = BoothQuotaForm()
    if not form.validate():
        raise FestivalError(_("Số giải mỗi loại phải từ 0 đến %(n)d.", n=results.MAX_PRIZES))
    prizes = (form.first_prizes.data, form.second_prizes.data, form.third_prizes.data, form.honourable_prizes.data)
    results.set_booth_quotas(current_festival(), prizes, by=current_user)
    flash(_("Đã lưu số giải gian hàng."), "success")
    return redirect(url_for("booths.results_page"))


@bp.route("/results/<int:unit_id>/tier", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("booths.results_page", anchor="booth-{unit_id}")
def set_tier(unit_id):
    """Change a booth's proposed prize, with a reason (audited)."""
    unit = _booth_unit(unit_id)
    form = TierForm()
    if not form.validate():
        raise FestivalError(_("Hãy ghi lý do điều chỉnh giải."))
    tier = AwardTier(form.tier.data) if form.tier.data else None
    results.set_booth_tier(current_festival(), unit, tier, form.reason.data, by=current_user)
    flash(_("Đã điều chỉnh giải gian hàng của %(unit)s.", unit=unit.short_name), "success")
    return redirect(url_for("booths.results_page", _anchor=f"booth-{unit.id}"))


@bp.route("/finalise", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("booths.finalise")
def finalise():
    """Finalise the booth prizes after confirmation (lists the sheets that will not count)."""
    festival = current_festival()
    if request.method == "POST":
        awarded = results.finalise_booths(
            festival, by=current_user, accept_missing=request.form.get("accept_missing") == "yes"
        )
        flash(_("Đã chốt giải gian hàng: %(n)d đơn vị đạt giải.", n=awarded), "success")
        return redirect(url_for("booths.results_page"))
    return render_template(
        "booths/finalise.html",
        missing=results.unsubmitted_booth_sheets(festival),
        policy=services.booth_policy_for(festival),
    )


@bp.route("/results/reopen", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("booths.results_page")
def reopen_results():
    """Unlock finalised booth results, with a reason (audited)."""
    form = ReasonForm()
    if not form.validate():
        raise FestivalError(_("Hãy ghi lý do mở lại kết quả."))
    results.reopen_booth_results(current_festival(), form.reason.data, by=current_user)
    flash(_("Đã mở lại kết quả giải gian hàng để điều chỉnh."), "warning")
    return redirect(url_for("booths.results_page"))
