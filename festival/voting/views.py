"""Pages of the visitors' choice: linking a badge to a phone, voting from a booth's page, the kiosk,
and the organizers' settings, tally, paper ballots and prize."""

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from festival.auth.permissions import role_required
from festival.badges import services as badges
from festival.core.errors import FestivalError, refusals_return_to
from festival.core.extensions import db, limiter
from festival.core.festivals import current_festival
from festival.core.transactions import form_status
from festival.exhibits.services import accepted_exhibits
from festival.models import Attendee, Exhibit, PaperBallots, Role, VoteSource, utcnow
from festival.models.consent import VOTE_PHONE
from festival.privacy import consent as consents
from festival.util.formatting import local_to_utc, utc_to_local
from festival.voting import devices, services, tally
from festival.voting.forms import KioskBadgeForm, PaperBallotsForm, ReasonForm, VoteSettingsForm

bp = Blueprint("voting", __name__)

KIOSK_STAFF = (Role.ORGANIZER, Role.CHECKIN)


def _address_limit():
    return current_app.config["VOTE_ADDRESS_LIMIT"]


def _badge_limit():
    return current_app.config["VOTE_BADGE_LIMIT"]


# Visitors ------------------------------------------------------------------------------------


@bp.route("/vote/link/<token>", methods=["POST"])
@limiter.limit(lambda: current_app.config["PUBLIC_LOOKUP_LIMIT"])
def link(token):
    """Link this phone to the badge whose page it opened (one phone per badge; re-linking moves it)."""
    attendee, revoked = badges.find_by_token(token)
    if attendee is None:
        if revoked is not None:
            raise FestivalError(services.REFUSALS["revoked"])
        abort(404)
    if not services.policy_for(attendee.festival).is_enabled:
        raise FestivalError(services.REFUSALS["off"])
    if not request.form.get("consent"):  # consent is the basis: asked on the badge's page, never ticked for them
        raise FestivalError(_("Hãy đánh dấu ô đồng ý để liên kết điện thoại này với thẻ."))
    secret = services.link_device(attendee, devices.client_address(), utcnow())
    consents.give_attendee_consent(attendee, VOTE_PHONE, how="web", by=None, now=utcnow())
    flash(
        _(
            "Đã liên kết thẻ của %(name)s với điện thoại này. Hãy quét mã QR ở gian trưng bày để bình chọn.",
            name=attendee.full_name,
        ),
        "success",
    )
    response = redirect(url_for("voting.my_ballot"))
    devices.set_cookie(response, attendee.id, secret)
    return response


@bp.route("/vote/unlink", methods=["POST"])
def unlink():
    """The visitor withdraws their consent: this phone is no longer linked to the badge (votes cast stay)."""
    voter, _lost = devices.current_voter()
    if voter is not None:
        services.unlink_device(voter)
        standing = consents.active_attendee_consent(voter, VOTE_PHONE)
        if standing is not None:
            consents.withdraw_consent(standing, how="web", by=None, now=utcnow())
        flash(_("Đã bỏ liên kết thẻ với điện thoại này và rút lại sự đồng ý."), "success")
    response = redirect(url_for("voting.my_ballot"))
    devices.clear_cookie(response)
    return response


@bp.route("/vote/")
def my_ballot():
    """The visitor's own ballot: whose badge, the votes cast, how many remain, and why not if refused."""
    festival = current_festival()
    policy = services.policy_for(festival)
    voter, lost = devices.current_voter()
    if voter is not None and voter.festival_id != festival.id:
        voter = None
    opens, closes = services.window(policy, festival)
    return render_template(
        "voting/ballot.html",
        festival=festival,
        policy=policy,
        opens=opens,
        closes=closes,
        voter=voter,
        lost=lost,
        ballot=services.ballot(festival, voter, utcnow()) if voter else None,
        refusal_message=services.refusal_message,
        categories={c.id: c for c in services.voting_categories(festival)},
    )


@bp.route("/vote/exhibits/<int:exhibit_id>", methods=["POST"])
@limiter.limit(_address_limit)
@limiter.limit(_badge_limit, key_func=devices.badge_key)
@refusals_return_to("public.exhibit")
def cast(exhibit_id):
    """Vote for this exhibit with the badge linked to this phone (or move the vote here)."""
    festival = current_festival()
    exhibit = db.get_or_404(Exhibit, exhibit_id)
    if exhibit.festival_id != festival.id or not exhibit.is_public:
        abort(404)
    voter, lost = devices.current_voter()
    if voter is None:
        if lost == "revoked":
            raise FestivalError(services.REFUSALS["revoked"])
        if lost == "moved":
            raise FestivalError(
                _("Thẻ của bạn đã được liên kết với một điện thoại khác. Hãy quét lại thẻ để dùng điện thoại này.")
            )
        raise FestivalError(_("Hãy quét mã QR trên thẻ tham dự của bạn trước, rồi chọn “Dùng thẻ này để bình chọn”."))
    _vote, outcome = services.cast_vote(
        festival,
        voter,
        voter.badge_token,
        exhibit,
        source=VoteSource.PHONE,
        address=devices.client_address(),
        now=utcnow(),
    )
    flash(_OUTCOMES[outcome](), "success")
    return redirect(url_for("public.exhibit", exhibit_id=exhibit.id))


_OUTCOMES = {
    "cast": lambda: _("Đã ghi nhận phiếu bình chọn của bạn."),
    "changed": lambda: _("Đã chuyển phiếu của bạn sang sáng kiến này."),
    "same": lambda: _("Bạn đã bình chọn cho sáng kiến này rồi."),
}


def vote_box(exhibit: Exhibit) -> dict | None:
    """What an exhibit's public page shows about voting for it (None: the festival has no vote)."""
    festival = exhibit.festival
    policy = services.policy_for(festival)
    if not policy.is_enabled:
        return None
    voter, lost = devices.current_voter()
    if voter is not None and voter.festival_id != festival.id:
        voter = None
    box = {"voter": voter, "lost": lost, "ballot": None, "refusal": None, "current": None}
    if voter is not None:
        ballot = services.ballot(festival, voter, utcnow())
        code = ballot.refusal or services.refusal_for_exhibit(policy, voter, exhibit)
        box["ballot"], box["current"] = ballot, ballot.vote_in(services.slot_of(policy, exhibit))
        box["refusal"] = services.refusal_message(code, voter) if code else None
    return box


# The kiosk at the exit -----------------------------------------------------------------------

KIOSK_MINUTES = 3  # a scanned badge's ballot stays open this long without a tap


def _kiosk_voter(festival):
    data = session.get(devices.KIOSK_KEY)
    if not data or data.get("until", 0) < utcnow().timestamp():
        return None, None
    attendee = db.session.get(Attendee, data["a"])
    if attendee is None or attendee.festival_id != festival.id:
        return None, None
    return attendee, data["t"]


@bp.route("/vote/kiosk")
@role_required(*KIOSK_STAFF)
def kiosk():
    """A tablet at the exit: scan a badge, show its ballot of every exhibit, the same one-badge rule."""
    festival = current_festival()
    attendee, token = _kiosk_voter(festival)
    exhibits = (
        db.session.execute(accepted_exhibits(festival).order_by(Exhibit.code)).scalars().all() if attendee else []
    )
    policy = services.policy_for(festival)
    ballot = services.ballot(festival, attendee, utcnow()) if attendee else None
    return render_template(
        "voting/kiosk.html",
        festival=festival,
        form=KioskBadgeForm(formdata=None),
        attendee=attendee,
        revoked=attendee is not None and token != attendee.badge_token,
        ballot=ballot,
        policy=policy,
        exhibits=exhibits,
        slot_of=lambda e: services.slot_of(policy, e),
        exhibit_refusal=lambda e: services.refusal_for_exhibit(policy, attendee, e),
        refusal_message=services.refusal_message,
    )


@bp.route("/vote/kiosk", methods=["POST"])
@role_required(*KIOSK_STAFF)
@refusals_return_to("voting.kiosk")
def kiosk_badge():
    """The kiosk read a badge: open its ballot for a few minutes."""
    festival = current_festival()
    form = KioskBadgeForm()
    if not form.validate():
        raise FestivalError(_("Hãy quét mã QR trên thẻ tham dự."))
    attendee = services.badge_from_code(festival, form.code.data)
    session[devices.KIOSK_KEY] = {
        "a": attendee.id,
        "t": attendee.badge_token,
        "until": (utcnow() + timedelta(minutes=KIOSK_MINUTES)).timestamp(),
    }
    return redirect(url_for("voting.kiosk"))


@bp.route("/vote/kiosk/exhibits/<int:exhibit_id>", methods=["POST"])
@role_required(*KIOSK_STAFF)
@limiter.limit(_badge_limit, key_func=devices.badge_key)
@refusals_return_to("voting.kiosk")
def kiosk_vote(exhibit_id):
    """The badge at the kiosk votes for an exhibit (or moves its vote there)."""
    festival = current_festival()
    exhibit = db.get_or_404(Exhibit, exhibit_id)
    if exhibit.festival_id != festival.id:
        abort(404)
    attendee, token = _kiosk_voter(festival)
    if attendee is None:
        raise FestivalError(_("Hết thời gian: hãy quét lại thẻ."))
    _vote, outcome = services.cast_vote(
        festival,
        attendee,
        token,
        exhibit,
        source=VoteSource.KIOSK,
        address=devices.client_address(),
        now=utcnow(),
        by=current_user,
    )
    flash(_OUTCOMES[outcome](), "success")
    return redirect(url_for("voting.kiosk"))


@bp.route("/vote/kiosk/done", methods=["POST"])
@role_required(*KIOSK_STAFF)
def kiosk_done():
    """Close the ballot on screen, ready for the next badge."""
    session.pop(devices.KIOSK_KEY, None)
    return redirect(url_for("voting.kiosk"))


# Organizers ----------------------------------------------------------------------------------


def _role_choices(festival):
    return [(role.code, role.name_vi) for role in badges.badge_roles(festival)]


@bp.route("/vote/settings", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def settings():
    """Turn the visitors' choice on or off, its window, who may vote, how many votes, own-unit rule."""
    festival = current_festival()
    policy = services.policy_for(festival)
    form = VoteSettingsForm(
        obj=policy,
        data=None
        if request.method == "POST"
        else {"opens_at": utc_to_local(policy.opens_at), "closes_at": utc_to_local(policy.closes_at)},
    )
    form.voter_roles.choices = _role_choices(festival)
    if request.method == "GET":
        form.voter_roles.data = list(policy.voter_roles or [])
    if form.validate_on_submit():
        try:
            services.save_policy(
                festival,
                services.PolicyInput(
                    is_enabled=form.is_enabled.data,
                    opens_at=local_to_utc(form.opens_at.data),
                    closes_at=local_to_utc(form.closes_at.data),
                    voter_roles=list(form.voter_roles.data or []),
                    per_category=form.per_category.data,
                    own_unit_allowed=form.own_unit_allowed.data,
                    winners=form.winners.data,
                    reason=form.reason.data or "",
                ),
                by=current_user,
                now=utcnow(),
            )
        except FestivalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Đã lưu cài đặt bình chọn."), "success")
            return redirect(url_for("voting.settings"))
    opens, closes = services.window(policy, festival)
    return render_template(
        "voting/settings.html", festival=festival, form=form, policy=policy, opens=opens, closes=closes
    ), form_status(form)


@bp.route("/vote/tally")
@role_required(Role.ORGANIZER)
def tally_page():
    """Totals by source (hidden until the window closes unless unlocked), votes per hour, anomalies."""
    festival = current_festival()
    policy = services.policy_for(festival)
    now = utcnow()
    visible = services.results_visible(policy, festival, now)
    opens, closes = services.window(policy, festival)
    return render_template(
        "voting/tally.html",
        festival=festival,
        policy=policy,
        opens=opens,
        closes=closes,
        closed=services.is_closed(policy, festival, now),
        visible=visible,
        blocks=tally.tally(festival) if visible else [],
        hours=tally.votes_per_hour(festival),
        anomalies=tally.anomalies(festival),
        voters=tally.voters(festival),
        awards=tally.awarded(festival),
        reason_form=ReasonForm(formdata=None),
    )


@bp.route("/vote/unlock", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("voting.tally_page")
def unlock():
    """See the counts before the window closes, with a reason (audited)."""
    services.unlock_results(current_festival(), request.form.get("reason", ""), by=current_user)
    flash(_("Đã mở kết quả bình chọn. Lý do đã được ghi vào nhật ký."), "warning")
    return redirect(url_for("voting.tally_page"))


@bp.route("/vote/award", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("voting.tally_page")
def award():
    """Give the visitors' choice prize to the exhibits with most votes (after the window closed)."""
    given = tally.give_awards(current_festival(), current_user, utcnow())
    flash(_("Đã trao Giải do khán giả bình chọn cho %(n)d sáng kiến.", n=len(given)), "success")
    return redirect(url_for("voting.tally_page"))


@bp.route("/vote/award/cancel", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("voting.tally_page")
def cancel_award():
    """Take the prize back, with a reason (to correct a paper count, say)."""
    tally.cancel_awards(current_festival(), request.form.get("reason", ""), by=current_user)
    flash(_("Đã huỷ Giải do khán giả bình chọn."), "warning")
    return redirect(url_for("voting.tally_page"))


@bp.route("/vote/paper", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("voting.paper")
def paper():
    """Counted paper ballots per exhibit, with who entered them; they add to the tally."""
    festival = current_festival()
    form = PaperBallotsForm()
    exhibits = db.session.execute(accepted_exhibits(festival).order_by(Exhibit.code)).scalars().all()
    if form.validate_on_submit():
        exhibit = db.session.get(Exhibit, form.exhibit_id.data) if form.exhibit_id.data < 2**31 else None
        if exhibit is None:
            raise FestivalError(_("Hãy chọn một sáng kiến."))
        tally.add_paper_ballots(festival, exhibit, form.count.data, form.note.data or "", by=current_user)
        flash(_("Đã ghi %(n)d phiếu giấy cho %(code)s.", n=form.count.data, code=exhibit.code), "success")
        return redirect(url_for("voting.paper"))
    return render_template(
        "voting/paper.html",
        festival=festival,
        form=form,
        exhibits=exhibits,
        entries=tally.paper_entries(festival),
        awarded=bool(tally.awarded(festival)),
    ), form_status(form)


@bp.route("/vote/paper/<int:entry_id>/delete", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("voting.paper")
def paper_delete(entry_id):
    """Remove a paper count typed by mistake (the page asks first)."""
    entry = db.get_or_404(PaperBallots, entry_id)
    if entry.festival_id != current_festival().id:
        abort(404)
    tally.delete_paper_ballots(entry, by=current_user)
    flash(_("Đã xoá dòng phiếu giấy."), "success")
    return redirect(url_for("voting.paper"))
