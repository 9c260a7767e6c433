"""Gate pages: the camera scanner, the scan and search endpoints, badge links, the dashboard."""

import hashlib
import json
import re
from datetime import datetime, timezone
from functools import partial

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from festival.auth.permissions import board_poll, role_required
from festival.badges import services as badges
from festival.checkin import offline, services
from festival.core.errors import FestivalError, refusals_return_to
from festival.core.extensions import db, limiter, writes_late
from festival.core.festivals import current_festival
from festival.core.transactions import in_short_transactions
from festival.models import Attendee, CheckIn, HeldScan, Role, ScanResult, utcnow
from festival.util import boards
from festival.util.urls import record_id
from festival.voting import services as voting_services

bp = Blueprint("checkin", __name__)

GATE_STAFF = (Role.CHECKIN, Role.ORGANIZER)
MAX_UPLOAD = 5000  # scans in one upload: an hour of one gate offline, with room to spare


def _scan_input() -> tuple[str, str]:
    body = request.get_json(silent=True) if request.is_json else request.form
    if not body:
        abort(400)
    gate = " ".join(str(body.get("gate") or "").split())[:60]
    nonce = str(body.get("nonce") or "")
    if not gate:
        raise FestivalError(_("Hãy nhập tên cổng trước khi quét."))
    if not re.fullmatch(r"[A-Za-z0-9_.:-]{8,64}", nonce):
        raise FestivalError(_("Lượt quét không hợp lệ; hãy tải lại trang."))
    return gate, nonce


def _answer(entry: CheckIn):
    attendee = entry.attendee
    language = get_locale().language
    payload = {
        "result": entry.result.value,
        "message": str(services.MESSAGES[entry.result]),
        "gate": entry.gate,
        "scanned_at": entry.scanned_at.isoformat(),
    }
    if attendee is not None and entry.result is not ScanResult.UNKNOWN:
        payload["attendee"] = {
            "name": attendee.full_name,
            "affiliation": attendee.affiliation,
            "role": attendee.role.name(language),
            "colour": attendee.role.colour,
            "checked_in_at": attendee.checked_in_at.isoformat() if attendee.checked_in_at else None,
            "checked_in_gate": attendee.checked_in_gate,
        }
    return jsonify(payload)


@bp.route("/checkin/")
@role_required(*GATE_STAFF)
def scanner():
    """The scanner for phones and tablets: camera, full-screen result, search by name or phone."""
    return render_template("checkin/scanner.html", festival=current_festival())


@bp.route("/checkin/scan", methods=["POST"])
@writes_late
@role_required(*GATE_STAFF)
def scan():
    """Check in the badge the camera read (JSON: scanned text, gate, nonce)."""
    festival = current_festival()
    gate, nonce = _scan_input()
    body = request.get_json(silent=True) or {}
    entry = services.record_scan(festival, str(body.get("code") or ""), current_user, gate, nonce, utcnow())
    return _answer(entry)


@bp.route("/checkin/attendees/<int:attendee_id>", methods=["POST"])
@role_required(*GATE_STAFF)
def check_in(attendee_id):
    """Check in someone found by search (JSON or a plain form)."""
    festival = current_festival()
    attendee = db.get_or_404(Attendee, attendee_id)
    if attendee.festival_id != festival.id:
        abort(404)
    gate, nonce = _scan_input()
    entry = services.check_in_person(festival, attendee, current_user, gate, nonce, utcnow())
    return _answer(entry) if request.is_json else render_template("checkin/result.html", entry=entry)


@bp.route("/checkin/list.json")
@role_required(*GATE_STAFF)
def checkin_list():
    """The festival's check-in list for a gate to go on without the server (JSON; unchanged: 304)."""
    data = offline.checkin_list(current_festival(), utcnow())
    body = {key: value for key, value in data.items() if key not in ("generated_at", "token")}
    response = jsonify(data)
    # Weak: the same list compressed (br, gzip) or not. Flask-Compress leaves a weak tag as it is, where it
    # would add ":br" to a strong one, which the next request's If-None-Match would then never match.
    response.set_etag(hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32], weak=True)
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


def _queued_scans(festival) -> list[offline.QueuedScan]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("scans"), list) or len(body["scans"]) > MAX_UPLOAD:
        abort(400)
    scans = []
    issued: dict[str, datetime | None] = {}  # a queue's scans mostly share one list
    try:
        for item in body["scans"]:
            gate = " ".join(str(item.get("gate") or "").split())[:60]
            nonce = str(item.get("nonce") or "")
            if not gate or not re.fullmatch(r"[A-Za-z0-9_.:-]{8,64}", nonce):
                raise ValueError("gate or nonce")
            attendee_id = item.get("attendee_id")
            token = str(item.get("list") or "")[:200]
            if token not in issued:
                issued[token] = offline.list_issued_at(festival, token) if token else None
            scans.append(
                offline.QueuedScan(
                    nonce=nonce,
                    scanned_at=datetime.fromisoformat(str(item["scanned_at"])).astimezone(timezone.utc),
                    gate=gate,
                    list_issued_at=issued[token],
                    code=str(item.get("code") or "")[:500],
                    attendee_id=record_id(str(attendee_id)) if attendee_id is not None else None,
                )
            )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise FestivalError(_("Dữ liệu quét gửi lên không hợp lệ.")) from None
    return scans


@bp.route("/checkin/sync", methods=["POST"])
@role_required(*GATE_STAFF)
def sync():
    """Upload the scans a gate decided without the server (JSON), recorded in the order they were made;
    those dated where the server cannot believe them are held for review (JSON answer: both lists)."""
    festival = current_festival()
    scans = offline.in_scan_order(_queued_scans(festival))
    recorded, held = [], []
    for part in in_short_transactions(scans, current_app.config["CHECKIN_UPLOAD_CHUNK"]):
        # Read each part's answers before it commits: afterwards its rows would be loaded again one by one.
        for entry in offline.record_offline_scans(festival, current_user, part, utcnow()):
            if isinstance(entry, HeldScan):
                held.append({"nonce": entry.nonce, "reason": entry.reason.value})
            else:
                recorded.append({"nonce": entry.nonce, "result": entry.result.value})
    answer = {"recorded": recorded, "held": held}
    if held:
        answer["message"] = _(
            "%(n)d lượt quét có giờ không tin được (ngoài ngày hội, hoặc trước khi máy tải danh sách): "
            "chưa ghi nhận, đã chuyển ban tổ chức xem xét.",
            n=len(held),
        )
    return jsonify(answer)


@bp.route("/checkin/held")
@role_required(Role.ORGANIZER)
def held():
    """Offline scans held for review: their device's time could not be believed."""
    festival = current_festival()
    held, waiting = offline.held_scans(festival)
    return render_template("checkin/held.html", festival=festival, held=held, waiting=waiting)


@bp.route("/checkin/held/dismiss-all", methods=["POST"])
@role_required(Role.ORGANIZER)
def dismiss_all_held():
    """Set aside every held scan still waiting: nothing is recorded."""
    count = offline.dismiss_all_held(current_festival(), current_user, utcnow())
    flash(_("Đã bỏ qua %(n)d lượt quét.", n=count), "success")
    return redirect(url_for("checkin.held"))


def _held_scan(held_id: int) -> HeldScan:
    held = db.get_or_404(HeldScan, held_id)
    if held.festival_id != current_festival().id:
        abort(404)
    return held


@bp.route("/checkin/held/<int:held_id>/accept", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("checkin.held")
def accept_held(held_id):
    """Record a held scan as an arrival at the time the server received it."""
    entry = offline.accept_held(_held_scan(held_id), current_user, utcnow())
    flash(str(services.MESSAGES[entry.result]) + " " + _("Đã ghi nhận lượt quét."), "success")
    return redirect(url_for("checkin.held"))


@bp.route("/checkin/held/<int:held_id>/dismiss", methods=["POST"])
@role_required(Role.ORGANIZER)
@refusals_return_to("checkin.held")
def dismiss_held(held_id):
    """Set a held scan aside: nothing is recorded."""
    offline.dismiss_held(_held_scan(held_id), current_user, utcnow())
    flash(_("Đã bỏ qua lượt quét."), "success")
    return redirect(url_for("checkin.held"))


@bp.route("/checkin/search")
@role_required(*GATE_STAFF)
def search():
    """People by name or phone, for those without their badge (JSON)."""
    festival = current_festival()
    query = request.args.get("q", "")[:100]
    if len(query.strip()) < 2:
        return jsonify(people=[])
    stmt = badges.search_attendees(festival, badges.AttendeeFilters(query=query)).limit(20)
    language = get_locale().language
    people = [
        {
            "id": a.id,
            "name": a.full_name,
            "affiliation": a.affiliation,
            "role": a.role.name(language),
            "colour": a.role.colour,
            "phone_tail": a.phone[-3:] if a.phone else "",
            "checked_in_at": a.checked_in_at.isoformat() if a.checked_in_at else None,
        }
        for a in db.session.execute(stmt).scalars()
    ]
    return jsonify(people=people)


def _dashboard(festival) -> dict:
    board = services.dashboard(festival, get_locale().language)
    doubles = services.double_entries(festival)
    rows = services.dashboard_rows(board, doubles)
    organizer = current_user.role is Role.ORGANIZER
    return {"festival": festival, "organizer": organizer, "digests": boards.digests(rows), "rows": rows}


def _rendered_parts(context: dict, wanted: set[str] | None = None) -> dict[str, Markup]:
    """Each part's HTML (only the `wanted` keys when given): a part this process rendered before for what it
    shows now is not rendered again (util/boards.py). The held scans' part links to their review for an
    organizer only, so parts are remembered per kind of viewer."""
    language = str(get_locale())
    render = get_template_attribute("checkin/_dashboard_parts.html", "part")
    organizer, digests = context["organizer"], context["digests"]
    return {
        key: Markup(
            boards.rendered(
                f"checkin/{organizer:d}/{key}",
                digests[key],
                language,
                partial(render, key, shown, digests[key], organizer),
            )
        )
        for members in context["rows"].values()
        for key, shown in members
        if wanted is None or key in wanted
    }


@bp.route("/checkin/dashboard")
@role_required(*GATE_STAFF)
def dashboard():
    """Live arrivals: by role, region and unit, and per 15 minutes (keeps itself current)."""
    festival = current_festival()
    stamp = services.dashboard_stamp(festival, utcnow())
    context = _dashboard(festival)
    return render_template("checkin/dashboard.html", stamp=stamp, rendered=_rendered_parts(context), **context)


@bp.route("/checkin/dashboard/board")
@role_required(*GATE_STAFF)
def dashboard_board():
    """The dashboard's figures alone (an open dashboard takes them whole when a table empties or fills)."""
    festival = current_festival()
    stamp = services.dashboard_stamp(festival, utcnow())
    if unchanged := boards.not_modified(stamp):
        return unchanged
    context = _dashboard(festival)
    return boards.stamped(
        render_template("checkin/_dashboard_board.html", rendered=_rendered_parts(context), **context), stamp
    )


@bp.route("/checkin/dashboard/index")
@board_poll(services.BOARD, *GATE_STAFF)
@role_required(*GATE_STAFF)
def dashboard_index():
    """What an open dashboard polls: 304 while its stamp is current, else each part's key and digest."""
    festival = current_festival()
    stamp = services.dashboard_stamp(festival, utcnow())
    return boards.not_modified(stamp) or boards.stamped(
        jsonify(stamp=stamp, groups=boards.index(_dashboard(festival)["rows"])), stamp
    )


@bp.route("/checkin/dashboard/rows")
@role_required(*GATE_STAFF)
def dashboard_rows():
    """The parts an open dashboard found changed (`?keys=stats,r3`), rendered."""
    found = _rendered_parts(_dashboard(current_festival()), boards.wanted_keys())
    return jsonify(rows={key: str(html) for key, html in found.items()})


@bp.route("/c/<token>")
@limiter.limit(lambda: current_app.config["PUBLIC_LOOKUP_LIMIT"])
def badge(token):
    """Where a badge's QR code leads: the person's name and role (gate staff can check them in)."""
    attendee, revoked = badges.find_by_token(token)
    staff = current_user.is_authenticated and current_user.role in GATE_STAFF
    voting = attendee is not None and not staff and voting_services.policy_for(attendee.festival).is_enabled
    return render_template(
        "checkin/badge.html", attendee=attendee, revoked=revoked, staff=staff, voting=voting
    ), 200 if attendee else 404
