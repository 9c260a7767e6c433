"""Gate pages: the camera scanner, the scan and search endpoints, badge links, the dashboard."""

import re

from flask import abort, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from festival.auth.permissions import role_required
from festival.badges import services as badges
from festival.checkin import bp, services
from festival.errors import FestivalError
from festival.extensions import db
from festival.festivals import current_festival
from festival.models import Attendee, CheckIn, Role, ScanResult, utcnow

GATE_STAFF = (Role.CHECKIN, Role.ORGANIZER)


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


@bp.route("/checkin/dashboard")
@role_required(*GATE_STAFF)
def dashboard():
    """Live arrivals: by role, region and unit, and per 15 minutes (refreshes itself)."""
    festival = current_festival()
    return render_template("checkin/dashboard.html", festival=festival, board=services.dashboard(festival))


@bp.route("/c/<token>")
def badge(token):
    """Where a badge's QR code leads: the person's name and role (gate staff can check them in)."""
    attendee, revoked = badges.find_by_token(token)
    staff = current_user.is_authenticated and current_user.role in GATE_STAFF
    return render_template(
        "checkin/badge.html", attendee=attendee, revoked=revoked, staff=staff
    ), 200 if attendee else 404
