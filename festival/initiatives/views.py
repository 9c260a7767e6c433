"""The register's pages: a unit's (or, for organizers, every unit's) initiatives by year; entering, editing
and recognising an initiative, its files and printed decision; the public list of published ones."""

import io

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from festival.auth.permissions import role_required
from festival.core import storage, uploads
from festival.core.errors import FestivalError, refusals_return_to
from festival.core.extensions import db
from festival.core.festivals import current_festival
from festival.core.transactions import form_status
from festival.core.uploads import MAX_FILE_BYTES
from festival.exhibits import services as exhibit_services
from festival.initiatives import benefits, import_export, nominations, printing, recognition, services
from festival.initiatives.benefit_forms import BenefitYearForm
from festival.initiatives.forms import ApplyForm, DecisionForm, FilesForm, InitiativeForm, RequestForm
from festival.initiatives.nomination_forms import NominationForm
from festival.models import (
    Application,
    AuthorCategory,
    Category,
    Initiative,
    InitiativeField,
    InitiativeFile,
    InitiativeState,
    ProductionTeam,
    RecognitionLevel,
    Role,
    Unit,
    utcnow,
)
from festival.privacy.requests import page_of
from festival.spreadsheets import importing
from festival.util.formatting import festival_today, format_number
from festival.util.urls import record_id

bp = Blueprint("initiatives", __name__, url_prefix="/initiatives")

REGISTER_KEEPERS = (Role.ORGANIZER, Role.UNIT, Role.SUPPORT)


def _page() -> int:
    return request.args.get("page", 1, type=record_id)


@bp.route("/")
@role_required(*REGISTER_KEEPERS)
def register():
    """The register (sổ sáng kiến): filter by year, unit, state and words; newest first, a page at a time."""
    year = request.args.get("year", type=int)
    unit_id = request.args.get("unit", type=record_id)
    state = InitiativeState._value2member_map_.get(request.args.get("state", ""))
    query = request.args.get("q", "")[:100]
    pagination = db.paginate(
        services.register_query(current_user, year=year, unit_id=unit_id, state=state, q=query),
        page=_page(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    units = services.register_units(current_user)
    return render_template(
        "initiatives/register.html",
        pagination=pagination,
        years=services.register_years(current_user),
        units=db.session.execute(db.select(Unit).order_by(Unit.code)).scalars().all() if units is None else units,
        states=list(InitiativeState),
        filters={"year": year, "unit": unit_id, "state": state, "q": query},
    )


# Entering, editing and recognising an initiative; its files; the public page ---------------------------------

HISTORY_LABELS = {
    "initiative.created": _l("Nhập sáng kiến"),
    "initiative.imported": _l("Nhập từ bảng tính"),
    "initiative.updated": _l("Sửa nội dung"),
    "initiative.files_added": _l("Thêm tệp"),
    "initiative.file_removed": _l("Xoá tệp"),
    "initiative.proposed": _l("Đề xuất với lãnh đạo đơn vị"),
    "initiative.applied": _l("Ghi nhận áp dụng"),
    "initiative.recognition_requested": _l("Yêu cầu công nhận"),
    "initiative.recognised": _l("Hội đồng công nhận"),
    "initiative.not_recognised": _l("Hội đồng không công nhận"),
}


def _kept_initiative(initiative_id: int) -> Initiative:
    """The initiative, or 404 for anyone who does not keep its unit's register."""
    initiative = db.get_or_404(Initiative, initiative_id)
    if not services.may_keep(current_user, initiative.unit_id):
        abort(404)
    return initiative


def _initiative_form(initiative: Initiative | None = None) -> InitiativeForm:
    """The form, filled from the initiative on GET (or from what was posted), its units and teams offered."""
    data = None
    if initiative is not None and request.method == "GET":
        data = {
            "title": initiative.title,
            "field": initiative.field.value,
            "team_id": initiative.team_id,
            "team_name": initiative.team_name,
            "department": initiative.department,
            "problem": initiative.problem,
            "solution": initiative.solution,
            "effect_summary": initiative.effect_summary,
            "first_applied_on": initiative.first_applied_on,
            "application": initiative.application.value if initiative.application else "",
            "is_trade_secret": initiative.is_trade_secret,
            "is_published": initiative.is_published,
            "authors": [
                {
                    "full_name": a.full_name,
                    "job_title": a.job_title,
                    "department": a.department,
                    "phone": a.phone,
                    "category": a.category.value,
                    "is_graduate": a.is_graduate,
                    "share_percent": a.share_percent,
                }
                for a in initiative.authors
            ],
        }
    elif request.method == "GET":
        data = {"year": festival_today().year}
    form = InitiativeForm(data=data)
    units = services.register_units(current_user)
    if units is None:
        units = db.session.execute(db.select(Unit).order_by(Unit.code)).scalars().all()
        form.unit_id.choices = [("", _("— Chọn đơn vị —"))] + [
            (u.id, f"{u.code} – {u.short_name or u.name}") for u in units
        ]
    unit_ids = [initiative.unit_id] if initiative is not None else [u.id for u in units]
    teams = services.unit_teams(unit_ids)
    many = len({team.unit_id for team in teams}) > 1
    form.team_id.choices = [("", _("— Không chọn (ghi tên tổ bên dưới) —"))] + [
        (team.id, f"{team.unit.code}: {team.label}" if many else team.label) for team in teams
    ]
    return form


def _input_from(form: InitiativeForm) -> services.InitiativeInput:
    team = db.session.get(ProductionTeam, form.team_id.data) if form.team_id.data else None
    authors = [
        services.AuthorInput(
            full_name=(row.full_name.data or "").strip(),
            job_title=row.job_title.data or "",
            department=row.department.data or "",
            phone=row.phone.data or "",
            category=AuthorCategory(row.category.data),
            is_graduate=bool(row.is_graduate.data),
            share_percent=row.share_percent.data,
        )
        for row in (entry.form for entry in form.authors.entries)
        if not row.is_blank()
    ]
    if len(authors) == 1 and authors[0].share_percent is None:
        authors[0].share_percent = 100  # a sole author has it all
    return services.InitiativeInput(
        title=form.title.data or "",
        field=InitiativeField(form.field.data),
        authors=authors,
        team=team,
        team_name=form.team_name.data or "",
        department=form.department.data or "",
        problem=form.problem.data or "",
        solution=form.solution.data or "",
        effect_summary=form.effect_summary.data or "",
        first_applied_on=form.first_applied_on.data,
        application=Application(form.application.data) if form.application.data else None,
        is_trade_secret=bool(form.is_trade_secret.data),
        is_published=bool(form.is_published.data),
    )


def _render_form(form: InitiativeForm, initiative: Initiative | None):
    page = render_template(
        "initiatives/form.html", form=form, initiative=initiative, chooses_unit=bool(form.unit_id.choices)
    )
    return page, form_status(form)


@bp.route("/new", methods=["GET", "POST"])
@role_required(*REGISTER_KEEPERS)
def new():
    """Enter an initiative in the register: organizers choose the unit, a unit's accounts enter their own."""
    form = _initiative_form()
    if form.validate_on_submit():
        unit = current_user.unit if current_user.role is not Role.ORGANIZER else None
        if current_user.role is Role.ORGANIZER and form.unit_id.data:
            unit = db.session.get(Unit, form.unit_id.data)
        if unit is None:
            form.unit_id.errors.append(_("Hãy chọn đơn vị."))
        else:
            try:
                initiative = services.create_initiative(
                    unit, _input_from(form), by=current_user, today=festival_today(), year=form.year.data
                )
            except FestivalError as error:
                form.form_errors.append(error.message)
            else:
                flash(
                    _("Đã ghi “%(title)s” vào sổ, số %(ref)s.", title=initiative.title, ref=initiative.reference),
                    "success",
                )
                return redirect(url_for("initiatives.show", initiative_id=initiative.id))
    return _render_form(form, None)


@bp.route("/<int:initiative_id>/edit", methods=["GET", "POST"])
@role_required(*REGISTER_KEEPERS)
def edit(initiative_id):
    """Change an initiative's content (its number, unit and state stay)."""
    initiative = _kept_initiative(initiative_id)
    form = _initiative_form(initiative)
    if form.validate_on_submit():
        try:
            services.update_initiative(initiative, _input_from(form), by=current_user, today=festival_today())
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã lưu thay đổi."), "success")
            return redirect(url_for("initiatives.show", initiative_id=initiative.id))
    return _render_form(form, initiative)


def _show_page(initiative: Initiative, **posted):
    """The initiative's page; a refused step is shown again in its form, as typed (422)."""
    today = festival_today()
    forms = {
        "files_form": FilesForm(formdata=None),
        "apply_form": ApplyForm(
            formdata=None,
            application=initiative.application.value if initiative.application else None,
            first_applied_on=initiative.first_applied_on,
        ),
        "request_form": RequestForm(formdata=None, requested_on=today),
        "decision_form": DecisionForm(formdata=None, decided_on=today, level=RecognitionLevel.BASE.value),
        **posted,
    }
    page = render_template(
        "initiatives/show.html",
        initiative=initiative,
        stage=recognition.stage_label(initiative),
        is_requested=recognition.is_requested(initiative),
        limit=recognition.request_limit(initiative),
        deadline=recognition.deadline(initiative, today),
        deletion_refusal=services.deletion_refusal(initiative),
        history=services.history(initiative),
        history_label=lambda action: HISTORY_LABELS.get(action, action),
        max_files=services.MAX_FILES,
        **forms,
    )
    return page, 422 if any(form.errors for form in posted.values()) else 200


@bp.route("/<int:initiative_id>")
@role_required(*REGISTER_KEEPERS)
def show(initiative_id):
    """An initiative with everything recorded: authors, files, its state and the limit date, its history."""
    return _show_page(_kept_initiative(initiative_id))


@bp.route("/<int:initiative_id>/delete", methods=["GET", "POST"])
@role_required(*REGISTER_KEEPERS)
@refusals_return_to("initiatives.show")
def delete(initiative_id):
    """Delete an idea received or proposed (never one nominated to a festival), after confirmation."""
    initiative = _kept_initiative(initiative_id)
    if request.method == "POST":
        services.delete_initiative(initiative, by=current_user)
        flash(_("Đã xoá “%(title)s” khỏi sổ sáng kiến.", title=initiative.title), "success")
        return redirect(url_for("initiatives.register"))
    refusal = services.deletion_refusal(initiative)
    if refusal is not None:
        flash(refusal, "warning")
        return redirect(url_for("initiatives.show", initiative_id=initiative.id))
    return render_template(
        "confirm.html",
        title=_("Xoá sáng kiến khỏi sổ?"),
        message=_(
            "%(ref)s “%(title)s” sẽ bị xoá cùng tác giả và các tệp đính kèm.",
            ref=initiative.reference,
            title=initiative.title,
        ),
        confirm_label=_("Xoá sáng kiến"),
        cancel_url=url_for("initiatives.show", initiative_id=initiative.id),
    )


@bp.route("/<int:initiative_id>/files", methods=["POST"])
@role_required(*REGISTER_KEEPERS)
def add_files(initiative_id):
    """Add photos and documents to an initiative."""
    initiative = _kept_initiative(initiative_id)
    form = FilesForm()
    if form.validate():
        chosen = [
            # One byte past the limit, so the service can say the file is too big.
            (item.filename, item.read(MAX_FILE_BYTES + 1))
            for item in form.files.data or []
            if item and item.filename
        ]
        try:
            added = services.add_files(initiative, chosen, by=current_user)
        except FestivalError as error:
            form.files.errors = [error.message]
        else:
            flash(_("Đã thêm %(n)d tệp.", n=len(added)), "success")
            return redirect(url_for("initiatives.show", initiative_id=initiative.id, _anchor="initiative-files"))
    return _show_page(initiative, files_form=form)


@bp.route("/files/<int:file_id>")
@bp.route("/files/<int:file_id>/<any(thumb):variant>")
@role_required(*REGISTER_KEEPERS)
def file(file_id, variant=None):
    """A photo or document of an initiative, only for those who keep its unit's register; never cached on the way,
    and documents are downloaded, not opened in the page."""
    item = db.get_or_404(InitiativeFile, file_id)
    _kept_initiative(item.initiative_id)
    image = variant == "thumb" and item.thumbnail_name
    response = storage.send(
        "uploads",
        item.thumbnail_name if image else item.stored_name,
        mimetype="image/jpeg" if image else item.content_type,
        download_name=uploads.safe_download_name(item.original_name),
        as_attachment=not (image or item.is_image),
    )
    response.cache_control.no_cache = None
    response.cache_control.private, response.cache_control.no_store = True, True
    return response


@bp.route("/files/<int:file_id>/delete", methods=["GET", "POST"])
@role_required(*REGISTER_KEEPERS)
def remove_file(file_id):
    """Remove a file of an initiative, after confirmation."""
    item = db.get_or_404(InitiativeFile, file_id)
    initiative = _kept_initiative(item.initiative_id)
    if request.method == "POST":
        services.remove_file(item, by=current_user)
        flash(_("Đã xoá tệp."), "success")
        return redirect(url_for("initiatives.show", initiative_id=initiative.id, _anchor="initiative-files"))
    return render_template(
        "confirm.html",
        title=_("Xoá tệp đính kèm?"),
        message=_(
            "Tệp “%(name)s” sẽ bị xoá khỏi sáng kiến %(ref)s.", name=item.original_name, ref=initiative.reference
        ),
        confirm_label=_("Xoá tệp"),
        cancel_url=url_for("initiatives.show", initiative_id=initiative.id, _anchor="initiative-files"),
    )


@bp.route("/<int:initiative_id>/propose", methods=["POST"])
@role_required(*REGISTER_KEEPERS)
@refusals_return_to("initiatives.show")
def propose(initiative_id):
    """Record that the idea was proposed to the unit's management."""
    initiative = _kept_initiative(initiative_id)
    recognition.propose(initiative, by=current_user)
    flash(_("Đã ghi nhận: đã đề xuất với lãnh đạo đơn vị."), "success")
    return redirect(url_for("initiatives.show", initiative_id=initiative.id))


@bp.route("/<int:initiative_id>/apply", methods=["POST"])
@role_required(*REGISTER_KEEPERS)
def apply(initiative_id):
    """Record that the initiative is applied, on trial or in full, since a date."""
    initiative = _kept_initiative(initiative_id)
    form = ApplyForm()
    if form.validate():
        try:
            recognition.apply(
                initiative,
                Application(form.application.data),
                form.first_applied_on.data,
                by=current_user,
                today=festival_today(),
            )
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã ghi nhận việc áp dụng sáng kiến."), "success")
            return redirect(url_for("initiatives.show", initiative_id=initiative.id))
    return _show_page(initiative, apply_form=form)


@bp.route("/<int:initiative_id>/request", methods=["POST"])
@role_required(*REGISTER_KEEPERS)
def request_recognition(initiative_id):
    """Record the authors' request for recognition (refused once the one-year limit has passed)."""
    initiative = _kept_initiative(initiative_id)
    form = RequestForm()
    if form.validate():
        try:
            recognition.request_recognition(initiative, form.requested_on.data, by=current_user, today=festival_today())
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã ghi nhận đơn yêu cầu công nhận."), "success")
            return redirect(url_for("initiatives.show", initiative_id=initiative.id))
    return _show_page(initiative, request_form=form)


@bp.route("/<int:initiative_id>/decide", methods=["POST"])
@role_required(*REGISTER_KEEPERS)
def decide(initiative_id):
    """Record the council's three findings and its decision."""
    initiative = _kept_initiative(initiative_id)
    form = DecisionForm()
    if form.validate():
        decision = recognition.Decision(
            is_new_in_unit=form.is_new_in_unit.data,
            is_applied_with_benefit=form.is_applied_with_benefit.data,
            is_not_excluded=form.is_not_excluded.data,
            recognised=form.outcome.data == "recognised",
            decision_number=form.decision_number.data or "",
            decided_on=form.decided_on.data,
            level=RecognitionLevel(form.level.data) if form.level.data else None,
            refusal_reason=form.refusal_reason.data or "",
        )
        try:
            recognition.decide(initiative, decision, by=current_user, today=festival_today())
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã ghi quyết định của hội đồng sáng kiến."), "success")
            return redirect(url_for("initiatives.show", initiative_id=initiative.id))
    return _show_page(initiative, decision_form=form)


@bp.route("/<int:initiative_id>/decision.pdf")
@role_required(*REGISTER_KEEPERS)
def decision_pdf(initiative_id):
    """The decision recognising the initiative, to print and sign (only a recognised initiative has one)."""
    initiative = _kept_initiative(initiative_id)
    if not initiative.is_recognised:
        abort(404)
    return send_file(
        io.BytesIO(printing.render_decision(initiative)),
        mimetype="application/pdf",
        download_name=f"quyet-dinh-{initiative.reference}.pdf",
        as_attachment=False,
    )


@bp.route("/public")
def public():
    """Recognised initiatives their units published (never a trade secret, never a phone): open to everyone."""
    pagination = db.paginate(
        services.public_query(), page=_page(), per_page=current_app.config["PER_PAGE"], error_out=False
    )
    return render_template("initiatives/public.html", pagination=pagination)


# Benefit and remuneration ---------------------------------------------------------------------


def _kept_initiative(initiative_id: int) -> Initiative:
    """The initiative, if the visitor keeps its unit's register (another unit's is not found)."""
    initiative = db.get_or_404(Initiative, initiative_id)
    if not benefits.may_keep(current_user, initiative):
        abort(404)
    return initiative


def _units_shown():
    """The units a due list or author history shows, and every unit for an organizer's filter (else None)."""
    unit_id = request.args.get("unit", type=record_id)
    units = benefits.unit_of(current_user, unit_id)
    choices = None
    if services.register_units(current_user) is None:
        choices = db.session.execute(db.select(Unit).order_by(Unit.code)).scalars().all()
    return units, choices, unit_id


@bp.route("/<int:initiative_id>/benefits", endpoint="benefits")
@role_required(*REGISTER_KEEPERS)
def benefits_page(initiative_id):
    """An initiative's three years of application: benefit, the rule's remuneration beside the unit's, payment,
    and each author's part."""
    initiative = _kept_initiative(initiative_id)
    years = benefits.benefit_years(initiative) if benefits.has_benefit(initiative) else []
    transfer = benefits.transfer_proposal(initiative)
    return render_template(
        "initiatives/benefits.html",
        initiative=initiative,
        years=years,
        next_due=benefits.next_evaluation(initiative),
        transfer=transfer,
        transfer_parts=benefits.split(initiative, transfer.amount) if transfer else [],
        minimum_wage=benefits.minimum_wage(),
        today=festival_today(),
    )


@bp.route("/<int:initiative_id>/benefits/<int:year_index>", methods=["GET", "POST"])
@role_required(*REGISTER_KEEPERS)
def benefit_edit(initiative_id, year_index):
    """Record one year's benefit, the remuneration the unit decided and its payment."""
    initiative = _kept_initiative(initiative_id)
    if year_index not in benefits.YEARS:
        abort(404)
    if not benefits.has_benefit(initiative):
        flash(_("Chỉ sáng kiến đã áp dụng hoặc đã được công nhận, có ngày áp dụng lần đầu, mới tính tiền làm lợi."))
        return redirect(url_for("initiatives.benefits", initiative_id=initiative.id))
    record = next((r for r in initiative.benefits if r.year_index == year_index), None)
    form = BenefitYearForm(obj=None)
    if request.method == "GET" and record is not None:
        form.computable.data = "yes" if record.benefit_vnd is not None or record.evaluated_on is None else "no"
        form.benefit.data, form.remuneration.data = record.benefit_vnd, record.remuneration_vnd
        form.evaluated_on.data, form.paid_on.data, form.note.data = record.evaluated_on, record.paid_on, record.note
    if form.validate_on_submit():
        data = benefits.YearInput(
            computable=form.computable.data != "no",
            benefit_vnd=form.benefit.data,
            evaluated_on=form.evaluated_on.data,
            remuneration_vnd=form.remuneration.data,
            paid_on=form.paid_on.data,
            note=form.note.data or "",
        )
        try:
            benefits.save_year(initiative, year_index, data, by=current_user, today=festival_today())
        except FestivalError as error:
            # Shown above the form with what was typed kept (the service refuses before it writes anything).
            form.form_errors.append(error.message)
        else:
            flash(_("Đã lưu tiền làm lợi và thù lao năm thứ %(n)d.", n=year_index), "success")
            return redirect(url_for("initiatives.benefits", initiative_id=initiative.id))
    return render_template(
        "initiatives/benefit_edit.html",
        initiative=initiative,
        year_index=year_index,
        due_on=benefits.due_on(initiative.first_applied_on, year_index),
        form=form,
        least_by_benefit=benefits.remuneration.BENEFIT_RATE_PERCENT,
        least_without=benefits.remuneration.propose_for_year(None, benefits.minimum_wage()).amount,
    ), form_status(form)


@bp.route("/reevaluations")
@role_required(*REGISTER_KEEPERS)
def reevaluations():
    """Initiatives whose next yearly evaluation of benefit is overdue or falls due soon."""
    units, choices, unit_id = _units_shown()
    today = festival_today()
    rows = benefits.due_evaluations(units, today)
    return render_template(
        "initiatives/benefit_due.html",
        pagination=page_of(rows, request.args.get("page", 1, type=record_id), current_app.config["PER_PAGE"]),
        today=today,
        days=current_app.config["INITIATIVE_REEVALUATION_NOTICE_DAYS"],
        units=choices,
        unit_id=unit_id,
    )


@bp.route("/authors")
@role_required(*REGISTER_KEEPERS)
def authors():
    """Each author's initiatives, shares and benefits by year; the Labour Creativity Certificate's candidates."""
    units, choices, unit_id = _units_shown()
    query = request.args.get("q", "")[:100]
    only_candidates = request.args.get("candidates") == "1"
    people = benefits.author_histories(units, query)
    if only_candidates:
        people = [person for person in people if person.reason]
    bars = benefits.bars()
    return render_template(
        "initiatives/authors.html",
        pagination=page_of(people, request.args.get("page", 1, type=record_id), current_app.config["PER_PAGE"]),
        units=choices,
        filters={"unit": unit_id, "q": query, "candidates": only_candidates},
        bars={key: format_number(value) for key, value in vars(bars).items()},
        years=benefits.YEARS,
    )


@bp.route("/authors.xlsx")
@role_required(*REGISTER_KEEPERS)
def authors_export():
    """The author histories and candidates as XLSX."""
    units, _choices, _unit_id = _units_shown()
    data = benefits.authors_xlsx(benefits.author_histories(units, request.args.get("q", "")[:100]))
    return send_file(
        io.BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"tac-gia-sang-kien-{festival_today().isoformat()}.xlsx",
    )


# Nominations ---------------------------------------------------------------------------------------------------


def _nominable_initiative(initiative_id: int) -> Initiative:
    """A recognised-or-not initiative the signed-in nominator may see: 404 for another unit's."""
    initiative = db.get_or_404(Initiative, initiative_id)
    if not nominations.may_nominate(current_user, initiative):
        abort(404)
    return initiative


@bp.route("/nominations")
@role_required(*nominations.NOMINATORS)
def nominations_list():
    """The unit's recognised initiatives (every unit's for organizers): nominated ones with their exhibit, the
    others with the way into the current festival or why not."""
    unit_id = request.args.get("unit", type=record_id) if current_user.role is Role.ORGANIZER else None
    units = services.register_units(current_user)
    pagination = db.paginate(
        nominations.nomination_query(units, unit_id),
        page=_page(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    festival = g.festival
    return render_template(
        "initiatives/nominate_list.html",
        pagination=pagination,
        festival=festival,
        is_open=festival is not None and festival.is_registration_open(utcnow()),
        refusal=nominations.nomination_refusal,
        units=db.session.execute(db.select(Unit).order_by(Unit.code)).scalars().all() if units is None else [],
        unit_id=unit_id,
    )


@bp.route("/<int:initiative_id>/nominate", methods=["GET", "POST"])
@role_required(*nominations.NOMINATORS)
def nominate(initiative_id):
    """Nominate a recognised initiative as an exhibit of the current festival: choose its category; the texts,
    authors, benefit and files are carried over."""
    initiative = _nominable_initiative(initiative_id)
    festival = current_festival()
    form = NominationForm()
    form.category.choices = [("", _("— Chọn lĩnh vực —"))] + [
        (c.id, f"{c.code} – {c.name(get_locale().language)}") for c in exhibit_services.list_categories(festival)
    ]
    if form.validate_on_submit():
        category = db.get_or_404(Category, form.category.data)
        try:
            exhibit = nominations.nominate(initiative, festival, category, by=current_user, now=utcnow())
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(
                _(
                    "Đã tạo bản nháp “%(title)s” từ sáng kiến %(reference)s. Kiểm tra, ghi sự đồng ý công khai tên "
                    "của tác giả rồi gửi ban tổ chức.",
                    title=exhibit.title,
                    reference=initiative.reference,
                ),
                "success",
            )
            return redirect(url_for("exhibits.show", exhibit_id=exhibit.id))
    page = render_template(
        "initiatives/nominate.html",
        initiative=initiative,
        festival=festival,
        form=form,
        refusal=nominations.nomination_refusal(initiative),
        is_open=festival.is_registration_open(utcnow()),
        first_benefit=nominations.first_benefit(initiative),
    )
    return page, form_status(form)


@bp.route("/closing-tally")
@role_required(Role.ORGANIZER, Role.UNIT)
def closing_tally():
    """The festival's results joined to the register: per unit, initiatives recognised in the festival's year,
    nominated, accepted as exhibits, and prizes won (a unit sees its own line)."""
    festival = current_festival()
    units = services.register_units(current_user)
    return render_template(
        "initiatives/nominate_tally.html",
        festival=festival,
        tally=nominations.closing_tally(festival, units),
    )


# Importing an existing register from a spreadsheet --------------------------------------------------------------


def _own_unit() -> Unit | None:
    """The unit whose register the signed-in account imports into: None for organizers (the file names each row's
    unit); a unit's account or support team without a unit may not import."""
    units = services.register_units(current_user)
    if units is None:
        return None
    if not units:
        abort(403)
    return units[0]


importing.add_list_routes(
    bp,
    lambda: import_export.register_list(_own_unit()),
    guard=role_required(*REGISTER_KEEPERS),
    headings=(_l("Nhập sổ sáng kiến từ Excel/CSV"), _l("Nhập sổ sáng kiến: xem trước")),
    help_template="initiatives/_import_help.html",
    help_context=lambda festival: {"own_unit": _own_unit(), "fields": list(InitiativeField)},
    done_url=lambda: url_for("initiatives.register"),
    template=(lambda festival: import_export.import_template(_own_unit()), "mau-nhap-so-sang-kien.xlsx"),
    export=None,  # the register has its own exports (the portal's, the tallies')
)
