"""Exhibit pages: a unit's registrations, the organizers' table and review, files, imports,
exports, posters and statistics."""

import io

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from festival.admin.services import list_units
from festival.auth.permissions import can_edit_exhibit, can_view_exhibit, is_own_unit_exhibit, role_required
from festival.core import jobs, storage, uploads
from festival.core.errors import FestivalError, refusals_return_to
from festival.core.extensions import db
from festival.core.festivals import current_festival
from festival.core.transactions import form_status, on_commit
from festival.core.uploads import MAX_FILE_BYTES
from festival.exhibits import import_export, printing, services
from festival.exhibits.forms import AcceptForm, CategoryForm, CommentForm, ExhibitForm
from festival.judging import defences, finalists
from festival.models import MAX_ATTACHMENTS, Attachment, Category, Exhibit, ExhibitStatus, Region, Role, utcnow
from festival.privacy import consent as consents
from festival.spreadsheets import importing, staging
from festival.util import addresses
from festival.util.urls import record_id

bp = Blueprint("exhibits", __name__, url_prefix="/exhibits")

HISTORY_LABELS = {
    "exhibit.created": _l("Tạo sáng kiến"),
    "exhibit.updated": _l("Sửa nội dung"),
    "exhibit.files_added": _l("Thêm tệp"),
    "exhibit.file_removed": _l("Xoá tệp"),
    "exhibit.submitted": _l("Gửi ban tổ chức"),
    "exhibit.withdrawn": _l("Rút sáng kiến"),
    "exhibit.accepted": _l("Duyệt"),
    "exhibit.returned": _l("Trả lại để sửa"),
    "exhibit.rejected": _l("Không duyệt"),
    "exhibit.placed": _l("Đổi mã hoặc gian"),
    "exhibit.imported": _l("Nhập từ tệp"),
}


def _visible_exhibit(exhibit_id: int) -> Exhibit:
    """The exhibit, or 404 for anyone who may not see it (another unit's draft included)."""
    exhibit = db.get_or_404(Exhibit, exhibit_id)
    if not can_view_exhibit(current_user, exhibit):
        abort(404)
    return exhibit


def _own_exhibit(exhibit_id: int) -> Exhibit:
    """The exhibit of the signed-in unit: 404 if hidden from them, 403 if visible but another unit's."""
    exhibit = _visible_exhibit(exhibit_id)
    if not is_own_unit_exhibit(current_user, exhibit):
        abort(403)
    return exhibit


def _exhibit_form(festival, **kwargs) -> ExhibitForm:
    form = ExhibitForm(**kwargs)
    language = get_locale().language
    form.category_id.choices = [("", _("— Chọn lĩnh vực —"))] + [
        (c.id, f"{c.code} – {c.name(language)}") for c in services.list_categories(festival)
    ]
    return form


PENDING_KIND = "exhibit-file"


def _chosen_files(form: ExhibitForm) -> list[tuple[str, bytes]]:
    files = []
    for chosen in form.files.data or []:
        if chosen and chosen.filename:
            # Read one byte past the limit so the service can say the file is too big.
            files.append((chosen.filename, chosen.read(MAX_FILE_BYTES + 1)))
    return files


def _pending(festival) -> list[staging.Upload]:
    found = (staging.find(i, PENDING_KIND, festival, current_user) for i in request.form.getlist("pending"))
    return [upload for upload in found if upload is not None]


def _keep(files: list[tuple[str, bytes]], festival) -> list[staging.Upload]:
    """A refused form keeps the files it carried, so the unit does not have to choose them again; a file the
    service would refuse anyway (too big, not an image or PDF) is not kept, its refusal says why, nor are any
    once the store cannot be written (they are then chosen again)."""
    kept = []
    for name, data in files:
        if len(data) <= MAX_FILE_BYTES and uploads.sniff(data):
            try:
                kept.append(staging.stage(data, name, PENDING_KIND, festival, current_user))
            except OSError:
                break
    return kept


def _render_form(form: ExhibitForm, exhibit: Exhibit | None, festival, pending: list[staging.Upload]):
    page = render_template(
        "exhibits/form.html", form=form, exhibit=exhibit, festival=festival, max_files=MAX_ATTACHMENTS, pending=pending
    )
    return page, form_status(form)


def _forget(pending: list[staging.Upload]) -> None:
    for upload in pending:
        on_commit(lambda upload=upload: staging.discard(upload))


def _say_how_money_was_read(form: ExhibitForm) -> None:
    if form.benefit.note:
        flash(form.benefit.note, "info")


def _input_from(form: ExhibitForm, festival, files: list[tuple[str, bytes]]) -> services.ExhibitInput:
    category = db.session.get(Category, form.category_id.data)
    if category is None or category.festival_id != festival.id:
        abort(400)
    return services.ExhibitInput(
        title=form.title.data,
        category=category,
        authors=[
            services.AuthorInput(
                e.form.full_name.data.strip(), (e.form.job_title.data or ""), (e.form.department.data or "")
            )
            for e in form.authors.entries
            if (e.form.full_name.data or "").strip()
        ],
        summary=form.summary.data or "",
        problem=form.problem.data or "",
        solution=form.solution.data or "",
        results=form.results.data or "",
        benefit_vnd=form.benefit.data,
        applied_since=form.applied_since.data,
        scope=services.ApplicationScope(form.scope.data) if form.scope.data else None,
        files=files,
    )


def _consent_ticks(form: ExhibitForm) -> list[bool]:
    """The gallery consent ticks of the authors kept (the rows with a name), in order."""
    return [bool(e.form.gallery_consent.data) for e in form.authors.entries if (e.form.full_name.data or "").strip()]


# A unit's own exhibits -------------------------------------------------------------------


@bp.route("/mine")
@role_required(Role.UNIT)
def mine():
    """The unit's exhibits with their status and the organizers' comments."""
    festival = g.festival
    exhibits = services.unit_exhibits(festival, current_user.unit) if festival else []
    used = services.quota_used(festival, current_user.unit) if festival else 0
    is_open = festival is not None and festival.is_registration_open(utcnow())
    ids = [e.id for e in exhibits]
    return render_template(
        "exhibits/mine.html",
        festival=festival,
        exhibits=exhibits,
        used=used,
        is_open=is_open,
        finalist_news=finalists.unit_news(festival, ids) if festival else {},
        defence_times=defences.exhibit_defences(ids),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.UNIT)
def new():
    """Register a new exhibit as a draft."""
    festival = current_festival()
    form = _exhibit_form(festival)
    chosen, pending = (_chosen_files(form), _pending(festival)) if request.method == "POST" else ([], [])
    files = chosen + [(upload.filename, upload.read()) for upload in pending]
    if form.validate_on_submit():
        try:
            exhibit = services.create_exhibit(
                festival, current_user.unit, _input_from(form, festival, files), by=current_user, now=utcnow()
            )
            consents.record_author_choices(exhibit, _consent_ticks(form), by=current_user, now=utcnow())
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            _forget(pending)
            _say_how_money_was_read(form)
            flash(
                _("Đã lưu bản nháp “%(title)s”. Kiểm tra lại rồi bấm “Gửi ban tổ chức”.", title=exhibit.title),
                "success",
            )
            return redirect(url_for("exhibits.show", exhibit_id=exhibit.id))
    elif request.method == "GET":
        try:
            services.check_registration_open(festival, utcnow())
        except FestivalError as error:
            flash(error.message, "warning")
    return _render_form(form, None, festival, pending + _keep(chosen, festival))


@bp.route("/<int:exhibit_id>")
@login_required
def show(exhibit_id):
    """An exhibit with its authors, files, status, history and the actions open to you."""
    return _show_page(_visible_exhibit(exhibit_id))


def _show_page(exhibit: Exhibit, accept_form: AcceptForm | None = None):
    """The exhibit page; a refused code or booth is shown again in its form, as typed (422)."""
    sees_history = current_user.role is Role.ORGANIZER or is_own_unit_exhibit(current_user, exhibit)
    form = accept_form or AcceptForm(formdata=None, code=exhibit.code, booth=exhibit.booth, zone=exhibit.zone)
    page = render_template(
        "exhibits/show.html",
        exhibit=exhibit,
        history=services.history(exhibit) if sees_history else [],
        can_edit=can_edit_exhibit(current_user, exhibit),
        accept_form=form,
        comment_form=CommentForm(formdata=None),
        review_from=services.REVIEW_FROM,
        history_label=lambda action: HISTORY_LABELS.get(action, action),
        is_open=exhibit.festival.is_registration_open(utcnow()),
        # Finalists are told on their exhibit's page too (the unit and the organizers see it).
        finalist_news=finalists.unit_news(exhibit.festival, [exhibit.id]) if sees_history else {},
        defence=defences.exhibit_defences([exhibit.id]).get(exhibit.id) if sees_history else None,
    )
    return page, form_status(form)


@bp.route("/<int:exhibit_id>/edit", methods=["GET", "POST"])
@login_required
def edit(exhibit_id):
    """Change an exhibit (its unit while registration is open; organizers at any time)."""
    exhibit = _visible_exhibit(exhibit_id)
    if not can_edit_exhibit(current_user, exhibit):
        abort(403)
    form = _exhibit_form(exhibit.festival, obj=exhibit if request.method == "GET" else None)
    if request.method == "GET":
        form.category_id.data = exhibit.category_id
        form.benefit.data = exhibit.benefit_vnd
        form.scope.data = exhibit.scope.value if exhibit.scope else ""
        consenting = consents.consenting_author_ids(a.id for a in exhibit.authors)
        for entry, author in zip(form.authors.entries, exhibit.authors):
            entry.form.full_name.data, entry.form.job_title.data, entry.form.department.data = (
                author.full_name,
                author.job_title,
                author.department,
            )
            entry.form.gallery_consent.data = author.id in consenting  # the record, not a default
    chosen, pending = (_chosen_files(form), _pending(exhibit.festival)) if request.method == "POST" else ([], [])
    files = chosen + [(upload.filename, upload.read()) for upload in pending]
    if form.validate_on_submit():
        try:
            services.update_exhibit(exhibit, _input_from(form, exhibit.festival, files), by=current_user, now=utcnow())
            consents.record_author_choices(exhibit, _consent_ticks(form), by=current_user, now=utcnow())
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            _forget(pending)
            _say_how_money_was_read(form)
            flash(_("Đã lưu thay đổi."), "success")
            return redirect(url_for("exhibits.show", exhibit_id=exhibit.id))
    return _render_form(form, exhibit, exhibit.festival, pending + _keep(chosen, exhibit.festival))


@bp.route("/<int:exhibit_id>/submit", methods=["POST"])
@role_required(Role.UNIT)
@refusals_return_to("exhibits.show")
def submit(exhibit_id):
    """Send the exhibit to the organizers."""
    exhibit = _own_exhibit(exhibit_id)
    services.submit_exhibit(exhibit, by=current_user, now=utcnow())
    flash(_("Đã gửi “%(title)s” cho ban tổ chức.", title=exhibit.title), "success")
    return redirect(url_for("exhibits.show", exhibit_id=exhibit.id))


@bp.route("/<int:exhibit_id>/withdraw", methods=["GET", "POST"])
@role_required(Role.UNIT)
@refusals_return_to("exhibits.show")
def withdraw(exhibit_id):
    """Withdraw the exhibit from the festival, after confirmation."""
    exhibit = _own_exhibit(exhibit_id)
    if request.method == "POST":
        services.withdraw_exhibit(exhibit, by=current_user, now=utcnow())
        flash(_("Đã rút sáng kiến “%(title)s”.", title=exhibit.title), "success")
        return redirect(url_for("exhibits.mine"))
    return render_template(
        "confirm.html",
        title=_("Rút sáng kiến?"),
        message=_("“%(title)s” sẽ không tham gia ngày hội nữa và không thể gửi lại.", title=exhibit.title),
        confirm_label=_("Rút sáng kiến"),
        cancel_url=url_for("exhibits.show", exhibit_id=exhibit.id),
    )


@bp.route("/files/<int:attachment_id>/delete", methods=["GET", "POST"])
@login_required
def remove_file(attachment_id):
    """Remove an attachment, after confirmation."""
    attachment = db.get_or_404(Attachment, attachment_id)
    exhibit = _visible_exhibit(attachment.exhibit_id)
    if not can_edit_exhibit(current_user, exhibit):
        abort(403)
    if request.method == "POST":
        services.remove_attachment(attachment, by=current_user, now=utcnow())
        flash(_("Đã xoá tệp."), "success")
        return redirect(url_for("exhibits.edit", exhibit_id=exhibit.id))
    return render_template(
        "confirm.html",
        title=_("Xoá tệp đính kèm?"),
        message=_("Tệp “%(name)s” sẽ bị xoá khỏi sáng kiến.", name=attachment.original_name),
        confirm_label=_("Xoá tệp"),
        cancel_url=url_for("exhibits.edit", exhibit_id=exhibit.id),
    )


@bp.route("/files/<int:attachment_id>")
@bp.route("/files/<int:attachment_id>/<any(thumb):variant>")
def file(attachment_id, variant=None):
    """An attachment, only for those who may see its exhibit (the public: accepted ones).

    Files of an exhibit not yet public are never kept by a cache on the way; documents (PDFs) are
    downloaded, not opened in the page, so a script inside one never runs on this site.
    """
    attachment = db.get_or_404(Attachment, attachment_id)
    if not can_view_exhibit(current_user, attachment.exhibit):
        abort(404)
    # The public sees an exhibit's photos only while every author consents (privacy.consent); those who work on
    # the exhibit (organizers, judges, its unit) always do, and such a photo is never kept by a shared cache.
    is_public = attachment.exhibit.is_public and (not attachment.is_image or consents.shows_photos(attachment.exhibit))
    insider = current_user.is_authenticated and (
        current_user.role in (Role.ORGANIZER, Role.JUDGE) or is_own_unit_exhibit(current_user, attachment.exhibit)
    )
    if not is_public and not insider:
        abort(404)
    image = variant == "thumb" and attachment.thumbnail_name
    response = storage.send(
        "uploads",
        attachment.thumbnail_name if image else attachment.stored_name,
        mimetype="image/jpeg" if image else attachment.content_type,
        download_name=uploads.safe_download_name(attachment.original_name),
        as_attachment=not (image or attachment.is_image),
        public=is_public,
    )
    if response.status_code in (301, 302, 303, 307, 308):
        return response  # to the file store, which serves a public file itself
    response.cache_control.no_cache = None  # send_file's default; replaced by one of the two below
    if is_public:
        response.cache_control.public, response.cache_control.max_age = True, 3600
    else:
        response.cache_control.private, response.cache_control.no_store = True, True
    return response


# Organizers ------------------------------------------------------------------------------


def _filters() -> services.ExhibitFilters:
    args = request.args
    try:
        region = Region(args.get("region", ""))
    except ValueError:
        region = None
    try:
        status = ExhibitStatus(args.get("status", ""))
    except ValueError:
        status = None
    return services.ExhibitFilters(
        query=args.get("q", "")[:200],
        unit_id=args.get("unit", type=record_id),
        region=region,
        category_id=args.get("category", type=record_id),
        status=status,
        sort=args.get("sort", "updated") if args.get("sort") in services.SORTS else "updated",
    )


@bp.route("/")
@role_required(Role.ORGANIZER)
def index():
    """Every exhibit of the festival: filters, accent-insensitive search, sorting, pages."""
    festival = current_festival()
    filters = _filters()
    pagination = db.paginate(
        services.search_exhibits(festival, filters),
        page=request.args.get("page", 1, type=record_id),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "exhibits/index.html",
        festival=festival,
        pagination=pagination,
        filters=filters,
        units=list_units(),
        categories=services.list_categories(festival),
        statuses=list(ExhibitStatus),
        regions=list(Region),
        sorts=services.SORTS,
    )


@bp.route("/<int:exhibit_id>/accept", methods=["POST"])
@role_required(Role.ORGANIZER)
def accept(exhibit_id):
    """Accept an exhibit, giving it a code and a booth (in a hall zone)."""
    exhibit = db.get_or_404(Exhibit, exhibit_id)
    form = AcceptForm()
    if not form.validate():
        return _show_page(exhibit, form)
    try:
        services.accept_exhibit(
            exhibit, by=current_user, code=form.code.data, booth=form.booth.data, zone=form.zone.data
        )
    except FestivalError as error:
        form.form_errors.append(error.message)
        return _show_page(exhibit, form)
    message = _("Đã duyệt “%(title)s”: mã %(code)s, gian %(booth)s.")
    flash(message % {"title": exhibit.title, "code": exhibit.code, "booth": exhibit.booth}, "success")
    return redirect(url_for("exhibits.show", exhibit_id=exhibit.id))


@bp.route("/<int:exhibit_id>/place", methods=["POST"])
@role_required(Role.ORGANIZER)
def place(exhibit_id):
    """Correct an accepted exhibit's code, booth or hall zone."""
    exhibit = db.get_or_404(Exhibit, exhibit_id)
    form = AcceptForm()
    if not form.validate():
        return _show_page(exhibit, form)
    try:
        services.set_code_and_booth(
            exhibit, form.code.data or "", form.booth.data or "", by=current_user, zone=form.zone.data or ""
        )
    except FestivalError as error:
        form.form_errors.append(error.message)
        return _show_page(exhibit, form)
    flash(_("Đã lưu mã và gian trưng bày."), "success")
    return redirect(url_for("exhibits.show", exhibit_id=exhibit.id))


@bp.route("/<int:exhibit_id>/<any(return, reject):decision>", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("exhibits.show")
def decide(exhibit_id, decision):
    """Return an exhibit to its unit with a comment, or reject it with a reason."""
    exhibit = db.get_or_404(Exhibit, exhibit_id)
    form = CommentForm()
    if not form.validate():
        flash(_("Hãy ghi nhận xét hoặc lý do."), "danger")
        return redirect(url_for("exhibits.show", exhibit_id=exhibit.id))
    if decision == "return":
        services.return_exhibit(exhibit, form.comment.data, by=current_user)
        flash(_("Đã trả “%(title)s” về đơn vị để sửa.", title=exhibit.title), "success")
    else:
        services.reject_exhibit(exhibit, form.comment.data, by=current_user)
        flash(_("Đã không duyệt “%(title)s”.", title=exhibit.title), "success")
    return redirect(url_for("exhibits.show", exhibit_id=exhibit.id))


@bp.route("/statistics")
@role_required(Role.ORGANIZER)
def statistics():
    """Exhibits and benefit value by unit, region and category: charts and tables."""
    festival = current_festival()
    return render_template("exhibits/statistics.html", festival=festival, stats=services.statistics(festival))


# Categories ------------------------------------------------------------------------------


@bp.route("/categories", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def categories():
    """The festival's categories, and a form to add one."""
    festival = current_festival()
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            services.save_category(
                festival, None, form.code.data, form.name_vi.data, form.name_en.data or "", by=current_user
            )
        except FestivalError as error:
            form.code.errors.append(error.message)
        else:
            flash(_("Đã thêm lĩnh vực."), "success")
            return redirect(url_for("exhibits.categories"))
    return render_template(
        "exhibits/categories.html", festival=festival, categories=services.list_categories(festival), form=form
    ), form_status(form)


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def category_edit(category_id):
    """Rename a category or change its code."""
    category = db.get_or_404(Category, category_id)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        try:
            services.save_category(
                category.festival, category, form.code.data, form.name_vi.data, form.name_en.data or "", by=current_user
            )
        except FestivalError as error:
            form.code.errors.append(error.message)
        else:
            flash(_("Đã lưu lĩnh vực."), "success")
            return redirect(url_for("exhibits.categories"))
    return render_template("exhibits/category_form.html", form=form, category=category), form_status(form)


@bp.route("/categories/<int:category_id>/delete", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("exhibits.categories")
def category_delete(category_id):
    """Delete an unused category, after confirmation."""
    category = db.get_or_404(Category, category_id)
    if request.method == "POST":
        services.delete_category(category, by=current_user)
        flash(_("Đã xoá lĩnh vực."), "success")
        return redirect(url_for("exhibits.categories"))
    return render_template(
        "confirm.html",
        title=_("Xoá lĩnh vực?"),
        message=_("Lĩnh vực %(code)s – %(name)s sẽ bị xoá.", code=category.code, name=category.name_vi),
        confirm_label=_("Xoá lĩnh vực"),
        cancel_url=url_for("exhibits.categories"),
    )


# Posters ---------------------------------------------------------------------------------


def _pdf_response(data: bytes, filename: str):
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=filename, as_attachment=False)


@bp.route("/<int:exhibit_id>/poster.pdf")
@role_required(Role.ORGANIZER)
def poster(exhibit_id):
    """The A4 booth poster of one accepted exhibit."""
    exhibit = db.get_or_404(Exhibit, exhibit_id)
    if exhibit.status is not ExhibitStatus.ACCEPTED:
        abort(404)
    return _pdf_response(printing.render_posters([exhibit]), f"poster-{exhibit.code}.pdf")


@bp.route("/posters", methods=["POST"])
@role_required(Role.ORGANIZER)
def posters():
    """Booth posters of every accepted exhibit (optionally one category), by code: a print job."""
    festival = current_festival()
    category_id = request.form.get("category", type=record_id)
    selected = printing.selection(festival, category_id)
    count = len(selected)
    if not count:
        flash(_("Chưa có sáng kiến nào được duyệt để in áp phích."), "warning")
        return redirect(url_for("exhibits.index"))
    address = addresses.public_address()
    if not address.is_reachable and request.form.get("confirm_address") != "1":
        # Asked before every poster is printed with a QR code no phone can open; one poster is a trial.
        return render_template(
            "exhibits/posters_confirm.html", address=address, count=count, first=selected[0], category_id=category_id
        )
    params = {"festival_id": festival.id, "category_id": category_id}
    job = jobs.create_job("posters", _("In %(n)d áp phích gian trưng bày", n=count), params, by=current_user)
    jobs.start(job)
    return redirect(url_for("admin.job", job_id=job.id))


# Import and export -----------------------------------------------------------------------

importing.add_list_routes(
    bp,
    import_export.EXHIBITS,
    guard=role_required(Role.ORGANIZER),
    headings=(_l("Nhập sáng kiến từ Excel/CSV"), _l("Nhập sáng kiến: xem trước")),
    help_template="exhibits/_import_help.html",
    help_context=lambda festival: {"categories": services.list_categories(festival)},
    # Imported exhibits are submitted, waiting for review.
    done_url=lambda: url_for("exhibits.index", status="submitted"),
    template=(import_export.import_template, "mau-nhap-sang-kien.xlsx"),
    export=(import_export.export_exhibits, "sang-kien-lan-{edition}.xlsx"),
)
