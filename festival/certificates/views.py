"""Certificate pages: list and issue, wording with live preview, print (PDF or ZIP), revoke,
correct; and the public verify page the QR code leads to."""

import base64
import io

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from festival import jobs, uploads
from festival.admin.services import get_current_festival, list_units
from festival.auth.permissions import role_required
from festival.certificates import bp, printing, render, services
from festival.certificates.forms import CorrectForm, IssueForm, PrintForm, RevokeForm, TemplateForm
from festival.errors import FestivalError
from festival.extensions import db
from festival.formatting import festival_today
from festival.models import (
    AwardTier,
    Certificate,
    CertificateKind,
    CertificateStatus,
    CertificateTemplate,
    Exhibit,
    ExhibitStatus,
    Role,
)
from festival.urls import record_id


def _festival():
    festival = get_current_festival()
    if festival is None:
        abort(404)
    return festival


def _kind(value: str) -> CertificateKind:
    try:
        return CertificateKind(value)
    except ValueError:
        abort(404)


@bp.route("/certificates/")
@role_required(Role.ORGANIZER)
def index():
    """Issued certificates with their state; issue, print, edit the wording."""
    festival = _festival()
    args = request.args
    kind = CertificateKind(args["kind"]) if args.get("kind") in {k.value for k in CertificateKind} else None
    status = CertificateStatus(args["status"]) if args.get("status") in {s.value for s in CertificateStatus} else None
    pagination = db.paginate(
        services.search(festival, kind, status, args.get("q", "")[:100]),
        page=args.get("page", 1, type=record_id),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    is_final = services.policy_for(festival).is_final
    db.session.commit()
    return render_template(
        "certificates/index.html",
        festival=festival,
        pagination=pagination,
        kinds=list(CertificateKind),
        statuses=list(CertificateStatus),
        kind=kind,
        status=status,
        is_final=is_final,
        issue_form=IssueForm(formdata=None),
    )


@bp.route("/certificates/issue", methods=["POST"])
@role_required(Role.ORGANIZER)
def issue():
    """Issue the missing certificates of a kind (award ones once the results are final)."""
    festival = _festival()
    form = IssueForm()
    if not form.validate():
        abort(400)
    try:
        result = services.issue(festival, CertificateKind(form.kind.data), festival_today(), by=current_user)
    except FestivalError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(
            _(
                "Đã cấp %(added)d giấy chứng nhận mới, đính chính %(corrected)d.",
                added=result.added,
                corrected=result.corrected,
            ),
            "success",
        )
    return redirect(url_for("certificates.index"))


@bp.route("/certificates/print", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def print_certificates():
    """Print in the ceremony order (tier, unit, name) as one PDF, or a ZIP per unit, with progress."""
    festival = _festival()
    form = PrintForm()
    form.unit_id.choices = [(0, _("Tất cả"))] + [(u.id, f"{u.code} – {u.short_name}") for u in list_units()]
    if form.validate_on_submit():
        params = {"kind": form.kind.data or None, "unit_id": form.unit_id.data or None, "as_zip": form.as_zip.data}
        count = len(printing.selection(festival, params))
        if not count:
            flash(_("Chưa có giấy chứng nhận nào với lựa chọn này. Hãy cấp giấy chứng nhận trước."), "warning")
        else:
            job = jobs.create_job("certificates", _("In %(n)d giấy chứng nhận", n=count), params, by=current_user)
            db.session.commit()
            jobs.start(job, printing.job_work(festival.id, params))
            return redirect(url_for("admin.job", job_id=job.id))
    return render_template("certificates/print.html", form=form, count=len(services.for_printing(festival)))


def _sample(festival, kind: CertificateKind) -> Certificate | None:
    """A certificate to preview the wording with: a real one, or an unsaved example (None when
    there is no accepted exhibit yet)."""
    real = db.session.execute(
        db.select(Certificate).where(Certificate.festival_id == festival.id, Certificate.kind == kind).limit(1)
    ).scalar_one_or_none()
    if real is not None:
        return real
    exhibit = db.session.execute(
        db.select(Exhibit).where(Exhibit.festival_id == festival.id, Exhibit.status == ExhibitStatus.ACCEPTED).limit(1)
    ).scalar_one_or_none()
    if exhibit is None:
        return None
    # Never added to the session: it only feeds the preview.
    return Certificate(
        festival=festival,
        number=0,
        serial=services.serial_for(festival, 0),
        kind=kind,
        recipient_key="example",
        recipient_name=exhibit.authors[0].full_name if exhibit.authors else exhibit.unit.name,
        exhibit=exhibit,
        unit=exhibit.unit,
        issued_on=festival_today(),
        tier=None if kind is CertificateKind.PARTICIPATION else AwardTier.FIRST,
    )


def _template_values(form: TemplateForm) -> dict:
    return {field: getattr(form, field).data or "" for field in services.TEMPLATE_FIELDS}


@bp.route("/certificates/templates/<kind>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def template(kind):
    """Edit a kind's wording (placeholders, never markup), images, and see a preview."""
    festival = _festival()
    template = services.template_for(festival, _kind(kind))
    form = TemplateForm(obj=template)
    preview = None
    if form.validate_on_submit():
        try:
            services.save_template(template, _template_values(form), by=current_user)
            for which, field in (("signature_image", form.signature), ("seal_image", form.seal)):
                if field.data and field.data.filename:
                    stored = uploads.store_upload(
                        field.data.read(uploads.MAX_FILE_BYTES + 1), field.data.filename, folder="certificates"
                    )
                    uploads.delete_stored(
                        services.set_template_image(template, which, stored.stored_name, by=current_user)
                    )
        except FestivalError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(_("Đã lưu mẫu giấy chứng nhận."), "success")
            return redirect(url_for("certificates.template", kind=kind))
    db.session.commit()
    preview = _preview_uri(template, festival)
    return render_template(
        "certificates/template.html",
        form=form,
        template=template,
        placeholders=services.PLACEHOLDERS,
        preview=preview,
        kinds=list(CertificateKind),
    )


def _preview_uri(template: CertificateTemplate, festival) -> str | None:
    sample = _sample(festival, template.kind)
    if sample is None:
        return None
    return "data:image/png;base64," + base64.b64encode(render.preview_png(template, sample)).decode()


@bp.route("/certificates/templates/<kind>/preview", methods=["POST"])
@role_required(Role.ORGANIZER)
def template_preview(kind):
    """The preview of unsaved wording (JSON with a PNG data URI) for the live preview."""
    festival = _festival()
    saved = services.template_for(festival, _kind(kind))
    form = TemplateForm()
    draft = CertificateTemplate(
        kind=saved.kind, signature_image=saved.signature_image, seal_image=saved.seal_image, **_template_values(form)
    )
    db.session.commit()
    return jsonify(image=_preview_uri(draft, festival))


@bp.route("/certificates/templates/<kind>/image/<any(signature_image, seal_image):which>/delete", methods=["POST"])
@role_required(Role.ORGANIZER)
def template_image_delete(kind, which):
    """Remove the signature or seal image."""
    template = services.template_for(_festival(), _kind(kind))
    previous = services.set_template_image(template, which, None, by=current_user)
    db.session.commit()
    uploads.delete_stored(previous)
    flash(_("Đã xoá ảnh."), "success")
    return redirect(url_for("certificates.template", kind=kind))


@bp.route("/certificates/<int:certificate_id>")
@role_required(Role.ORGANIZER)
def show(certificate_id):
    """One certificate: its data, state, PDF, and the revoke and correct forms."""
    certificate = db.get_or_404(Certificate, certificate_id)
    return render_template(
        "certificates/show.html",
        certificate=certificate,
        revoke_form=RevokeForm(formdata=None),
        correct_form=CorrectForm(formdata=None, recipient_name=certificate.recipient_name),
    )


@bp.route("/certificates/<int:certificate_id>.pdf")
@role_required(Role.ORGANIZER)
def pdf(certificate_id):
    """One certificate's PDF."""
    certificate = db.get_or_404(Certificate, certificate_id)
    data = render.render_certificates([certificate])
    db.session.commit()
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=f"{certificate.serial}.pdf")


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["POST"])
@role_required(Role.ORGANIZER)
def revoke(certificate_id):
    """Revoke a certificate with a reason."""
    certificate = db.get_or_404(Certificate, certificate_id)
    form = RevokeForm()
    try:
        if not form.validate():
            raise FestivalError(_("Hãy ghi lý do thu hồi."))
        services.revoke(certificate, form.reason.data, by=current_user)
    except FestivalError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("Đã thu hồi %(serial)s.", serial=certificate.serial), "success")
    return redirect(url_for("certificates.show", certificate_id=certificate.id))


@bp.route("/certificates/<int:certificate_id>/correct", methods=["POST"])
@role_required(Role.ORGANIZER)
def correct(certificate_id):
    """Issue a corrected certificate under a new serial; the old one is marked superseded."""
    certificate = db.get_or_404(Certificate, certificate_id)
    form = CorrectForm()
    try:
        if not form.validate():
            raise FestivalError(_("Hãy ghi tên người nhận và lý do đính chính."))
        replacement = services.correct(
            certificate, form.recipient_name.data, form.reason.data, festival_today(), by=current_user
        )
    except FestivalError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("certificates.show", certificate_id=certificate.id))
    db.session.commit()
    flash(_("Đã cấp bản đính chính %(serial)s.", serial=replacement.serial), "success")
    return redirect(url_for("certificates.show", certificate_id=replacement.id))


@bp.route("/verify/<serial>")
def verify(serial):
    """Public: is this certificate genuine, and is it still valid?"""
    certificate = services.find_by_serial(serial)
    return render_template(
        "certificates/verify.html", certificate=certificate, serial=serial
    ), 200 if certificate else 404
