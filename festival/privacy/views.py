"""Personal data: the public privacy notice, the organizers' notice editor, and consent evidence and withdrawal."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from festival.auth.permissions import can_view_exhibit, is_own_unit_exhibit, role_required
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.core.festivals import current_festival
from festival.core.transactions import form_status
from festival.models import Author, Consent, Exhibit, Role, utcnow
from festival.privacy import consent as consents
from festival.privacy import notice as notices
from festival.privacy.notice_forms import NoticeForm

bp = Blueprint("privacy", __name__)

# The privacy notice and consent ----------------------------------------------------------


@bp.route("/privacy")
@bp.route("/privacy/<any(vi, en):language>", endpoint="notice_in")
def notice(language=None):
    """The current festival's privacy notice (its current version), for anyone, signed in or not."""
    language = language or get_locale().language
    current = notices.current_notice(g.festival)
    return render_template("privacy/notice.html", notice=current, language=language, festival=g.festival)


@bp.route("/admin/privacy/notice", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def notice_edit():
    """Organizers edit the notice, preview it and publish it as a new version."""
    festival = current_festival()
    current = notices.current_notice(festival)
    form = NoticeForm(data={"body_vi": current.body_vi, "body_en": current.body_en, "contact": current.contact})
    preview = None
    if form.validate_on_submit():
        if form.publish.data:
            try:
                saved = notices.publish_notice(
                    festival,
                    body_vi=form.body_vi.data,
                    body_en=form.body_en.data or "",
                    contact=form.contact.data or "",
                    by=current_user,
                    now=utcnow(),
                )
            except FestivalError as error:
                form.form_errors.append(error.message)
            else:
                flash(_("Đã công bố thông báo phiên bản %(n)d.", n=saved.version), "success")
                return redirect(url_for("privacy.notice_edit"))
        else:
            preview = {"vi": form.body_vi.data, "en": form.body_en.data or ""}
    page = render_template(
        "privacy/notice_edit.html",
        form=form,
        current=current,
        preview=preview,
        versions=notices.versions(festival),
    )
    return page, form_status(form)


def _consent_viewer(exhibit: Exhibit) -> None:
    """Consents are the organizers' and the exhibit's own unit's to see and withdraw."""
    if not (current_user.role is Role.ORGANIZER or is_own_unit_exhibit(current_user, exhibit)):
        abort(404)
    if not can_view_exhibit(current_user, exhibit):
        abort(404)


@bp.route("/privacy/exhibits/<int:exhibit_id>/consents")
@login_required
def consents_of_exhibit(exhibit_id):
    """The authors of an exhibit, whether each consents to the public gallery, and the evidence."""
    exhibit = db.get_or_404(Exhibit, exhibit_id)
    _consent_viewer(exhibit)
    standing = consents.consenting_author_ids(a.id for a in exhibit.authors)
    active = {c.author_id: c for c in consents.author_consents(exhibit) if c.is_active}
    return render_template(
        "privacy/consents.html",
        exhibit=exhibit,
        standing=standing,
        active=active,
        history=consents.author_consents(exhibit),
        purpose_labels=consents.PURPOSE_LABELS,
        how_labels=consents.HOW_LABELS,
    )


@bp.route("/privacy/authors/<int:author_id>/consent", methods=["POST"])
@login_required
def consent_record(author_id):
    """Record an author's consent given on paper (or on the website) after the exhibit was registered."""
    author = db.get_or_404(Author, author_id)
    _consent_viewer(author.exhibit)
    back = url_for("privacy.consents_of_exhibit", exhibit_id=author.exhibit_id)
    try:  # refused before anything is written (an unknown way): said on the list
        consents.give_author_consent(author, how=request.form.get("how", "paper"), by=current_user, now=utcnow())
    except FestivalError as error:
        flash(error.message, "warning")
    else:
        flash(_("Đã ghi nhận sự đồng ý của %(name)s.", name=author.full_name), "success")
    return redirect(back)


@bp.route("/privacy/consents/<int:consent_id>/withdraw", methods=["GET", "POST"])
@login_required
def consent_withdraw(consent_id):
    """Withdraw an author's consent (an organizer, or the unit for its own authors), after confirmation."""
    consent = db.get_or_404(Consent, consent_id)
    if consent.author is None:
        abort(404)
    exhibit = consent.author.exhibit
    _consent_viewer(exhibit)
    back = url_for("privacy.consents_of_exhibit", exhibit_id=exhibit.id)
    if request.method == "POST":
        try:  # refused before anything is written (already withdrawn, an unknown way): said on the list
            consents.withdraw_consent(consent, how=request.form.get("how", "web"), by=current_user, now=utcnow())
        except FestivalError as error:
            flash(error.message, "warning")
        else:
            flash(_("Đã rút lại sự đồng ý của %(name)s.", name=consent.author.full_name), "success")
        return redirect(back)
    return render_template(
        "privacy/consent_withdraw.html",
        title=_("Rút lại sự đồng ý?"),
        message=_(
            "Tên của %(name)s sẽ không còn hiện trong thư viện công khai và áp phích; ảnh của sáng kiến “%(title)s” "
            "cũng không còn hiện công khai.",
            name=consent.author.full_name,
            title=exhibit.title,
        ),
        confirm_label=_("Rút lại"),
        cancel_url=back,
        how_labels=consents.HOW_LABELS,
    )


# (the data inventory, retention and breach register follow)
