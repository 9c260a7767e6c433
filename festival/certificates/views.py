"""Certificate pages: list and issue, wording with live preview, print (PDF or ZIP), revoke,
correct; and the public verify page the QR code leads to."""

import base64
import io

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from festival.admin.services import list_units
from festival.auth.permissions import role_required
from festival.certificates import printing, services
from festival.certificates.forms import CorrectForm, IssueForm, PrintForm, RevokeForm, TemplateForm
from festival.core import jobs, uploads
from festival.core.errors import FestivalError, refusals_return_to
from festival.core.extensions import db, limiter
from festival.core.festivals import current_festival
from festival.core.transactions import form_status
from festival.models import (
    Certificate,
    CertificateKind,
    CertificateStatus,
    CertificateTemplate,
    Role,
)
from festival.util import addresses
from festival.util.formatting import festival_today
from festival.util.urls import record_id

bp = Blueprint("certificates", __name__)


def _kind(value: str) -> CertificateKind:
    try:
        return CertificateKind(value)
    except ValueError:
        abort(404)


@bp.route("/certificates/")
@role_required(Role.ORGANIZER)
def index():
    """Issued certificates with their state; issue, print, edit the wording."""
    festival = current_festival()
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
@refusals_return_to("certificates.index")
def issue():
    """Issue the missing certificates of a kind (award ones once the results are final)."""
    festival = current_festival()
    form = IssueForm()
    if not form.validate():
        abort(400)
    result = services.issue(festival, CertificateKind(form.kind.data), festival_today(), by=current_user)
    message = _("Đã cấp %(added)d giấy chứng nhận mới, đính chính %(corrected)d.")
    done = message % {"added": result.added, "corrected": result.corrected}
    flash(done, "success")
    return redirect(url_for("certificates.index"))


@bp.route("/certificates/print", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def print_certificates():
    """Print in the ceremony order (tier, unit, name) as one PDF, or a ZIP per unit, with progress."""
    festival = current_festival()
    form = PrintForm()
    form.unit_id.choices = [(0, _("Tất cả"))] + [(u.id, f"{u.code} – {u.short_name}") for u in list_units()]
    if form.validate_on_submit():
        params = {"kind": form.kind.data or None, "unit_id": form.unit_id.data or None, "as_zip": form.as_zip.data}
        params["festival_id"] = festival.id
        selected = printing.selection(festival, params)
        if not selected:
            flash(_("Chưa có giấy chứng nhận nào với lựa chọn này. Hãy cấp giấy chứng nhận trước."), "warning")
        elif request.form.get("trial"):
            # The first certificate of the selection, to check the paper, the layout and the QR code.
            data = printing.render_certificates(selected[:1])
            return send_file(io.BytesIO(data), mimetype="application/pdf", download_name="giay-chung-nhan-in-thu.pdf")
        elif not addresses.print_refused(form.confirm_address):
            title = _("In %(n)d giấy chứng nhận", n=len(selected))
            job = jobs.create_job("certificates", title, params, by=current_user)
            jobs.start(job)
            return redirect(url_for("admin.job", job_id=job.id))
    page = render_template(
        "certificates/print.html",
        form=form,
        count=len(services.for_printing(festival)),
        address=addresses.public_address(),
    )
    return page, form_status(form)


def _template_values(form: TemplateForm) -> dict:
    return {field: getattr(form, field).data or "" for field in services.TEMPLATE_FIELDS}


@bp.route("/certificates/templates/<kind>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def template(kind):
    """Edit a kind's wording (placeholders, never markup), images, and see a preview."""
    festival = current_festival()
    template = services.template_for(festival, _kind(kind))
    form = TemplateForm(obj=template)
    if form.validate_on_submit():
        images = {
            which: (field.data.filename, field.data.read(uploads.MAX_FILE_BYTES + 1))
            for which, field in (("signature_image", form.signature), ("seal_image", form.seal))
            if field.data and field.data.filename
        }
        try:
            services.save_template(template, _template_values(form), by=current_user, images=images)
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã lưu mẫu giấy chứng nhận."), "success")
            return redirect(url_for("certificates.template", kind=kind))
    try:
        preview, refusal = _preview_uri(template, festival), ""
    except printing.MissingImage as error:  # the page stays usable, to upload the image again
        preview, refusal = None, error.message
    page = render_template(
        "certificates/template.html",
        form=form,
        template=template,
        placeholders=services.PLACEHOLDERS,
        preview=preview,
        preview_refusal=refusal,
        kinds=list(CertificateKind),
    )
    return page, form_status(form)


def _preview_uri(template: CertificateTemplate, festival) -> str | None:
    sample = services.preview_sample(festival, template.kind, festival_today())
    if sample is None:
        return None
    return "data:image/png;base64," + base64.b64encode(printing.preview_png(template, sample)).decode()


@bp.route("/certificates/templates/<kind>/preview", methods=["POST"])
@role_required(Role.ORGANIZER)
def template_preview(kind):
    """The preview of unsaved wording (JSON with a PNG data URI) for the live preview."""
    festival = current_festival()
    saved = services.template_for(festival, _kind(kind))
    form = TemplateForm()
    services.check_wording(_template_values(form))  # refused as saving would refuse it: JSON 422 with the reason
    draft = CertificateTemplate(
        kind=saved.kind, signature_image=saved.signature_image, seal_image=saved.seal_image, **_template_values(form)
    )
    return jsonify(image=_preview_uri(draft, festival))


@bp.route("/certificates/templates/<kind>/image/<any(signature_image, seal_image):which>/delete", methods=["POST"])
@role_required(Role.ORGANIZER)
def template_image_delete(kind, which):
    """Remove the signature or seal image."""
    template = services.template_for(current_festival(), _kind(kind))
    services.set_template_image(template, which, None, by=current_user)
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
    data = printing.render_certificates([certificate])
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=f"{certificate.serial}.pdf")


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("certificates.show")
def revoke(certificate_id):
    """Revoke a certificate with a reason."""
    certificate = db.get_or_404(Certificate, certificate_id)
    form = RevokeForm()
    if not form.validate():
        raise FestivalError(_("Hãy ghi lý do thu hồi."))
    services.revoke(certificate, form.reason.data, by=current_user)
    flash(_("Đã thu hồi %(serial)s.", serial=certificate.serial), "success")
    return redirect(url_for("certificates.show", certificate_id=certificate.id))


@bp.route("/certificates/<int:certificate_id>/correct", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("certificates.show")
def correct(certificate_id):
    """Issue a corrected certificate under a new serial; the old one is marked superseded."""
    certificate = db.get_or_404(Certificate, certificate_id)
    form = CorrectForm()
    if not form.validate():
        raise FestivalError(_("Hãy ghi tên người nhận và lý do đính chính."))
    replacement = services.correct(
        certificate, form.recipient_name.data, form.reason.data, festival_today(), by=current_user
    )
    flash(_("Đã cấp bản đính chính %(serial)s.", serial=replacement.serial), "success")
    return redirect(url_for("certificates.show", certificate_id=replacement.id))


def _public_lookup_limit():
    return current_app.config["PUBLIC_LOOKUP_LIMIT"]


# One budget for both verify pages: a guesser gains nothing by switching between them.
verify_limit = limiter.shared_limit(_public_lookup_limit, scope="verify", exempt_when=lambda: _typed() is None)


def _typed() -> str | None:
    """What the visitor asks about: the code in the URL, or what was typed into the form."""
    if request.view_args and "code" in request.view_args:
        return request.view_args["code"]
    text = request.args.get("q", "").strip()
    return text[:100] or None


def _verify_page(text: str | None):
    lookup = services.look_up(text) if text else None
    found = lookup is not None and lookup.certificate is not None
    page = render_template("certificates/verify.html", lookup=lookup, typed=text or "")
    return page, 404 if text and not found else 200


@bp.route("/verify/")
@verify_limit
def verify_form():
    """Public: type a certificate's verification code (or its serial) to check it."""
    return _verify_page(_typed())


@bp.route("/verify/<code>")
@verify_limit
def verify(code):
    """Public: the page a certificate's QR code leads to — is it genuine, is it still valid?"""
    return _verify_page(_typed())
