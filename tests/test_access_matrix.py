"""Access matrix: every URL rule against every kind of visitor, object-level checks, CSRF, mass
assignment, and GETs that change nothing. CSRF stays on in this module, as in production.

A route nobody classified in EXPECTED (GET) and, when it takes POST, in POSTS makes the test fail.
"""

import hashlib
import io
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from festival.admin import services as admin_services
from festival.auth import services as accounts
from festival.badges import services as badges
from festival.badges.import_export import ATTENDEES
from festival.booths import scoring as booth_scoring
from festival.booths import services as booths
from festival.certificates import services as certificates
from festival.core import jobs, storage
from festival.core.extensions import db
from festival.exhibits import services as exhibits
from festival.initiatives import import_export as register_import
from festival.initiatives import recognition as initiative_steps
from festival.initiatives import services as initiatives
from festival.intake import services as intake
from festival.judging import control, panels, rubrics, scoring
from festival.judging.policy import policy_for
from festival.mail import notify
from festival.models import (
    Application,
    Attendee,
    AttendeeSource,
    Award,
    AwardTier,
    BoothSheet,
    Category,
    Certificate,
    CertificateKind,
    CertificateStatus,
    Exhibit,
    ExhibitStatus,
    Festival,
    HeldScan,
    HoldReason,
    Initiative,
    InitiativeAuthor,
    InitiativeBenefit,
    InitiativeField,
    InitiativeState,
    JobStatus,
    MailBatch,
    MailStatus,
    PaperBallots,
    RecognitionLevel,
    Role,
    ScanResult,
    ScoreSheet,
    SheetStatus,
    Unit,
    UnitTarget,
    User,
    VotePolicy,
    utcnow,
)
from festival.privacy import breaches, inventory
from festival.privacy import consent as consents
from festival.privacy import requests as data_requests
from festival.spreadsheets import preview, read_workbook, staging, write_xlsx
from festival.util.formatting import festival_today
from tests import factories
from tests.conftest import make_app
from tests.initiatives.test_nominations import make_initiative

VISITORS = ("anonymous", "unit_a", "unit_b", "judge", "checkin", "organizer", "support_a")
LOGIN = "→ sign-in"  # a 302 whose Location is the sign-in page


def answers(anonymous, unit_a, unit_b, judge, checkin, organizer, support_a=None):
    """The expected GET status for each visitor, in the order of VISITORS.

    Unit A's initiative support team has a role in the programme register only: unless said, it gets what gate
    staff get, and 403 where only gate staff are let in.
    """
    if support_a is None:
        support_a = checkin if checkin != 200 or judge == 200 else 403
    return dict(zip(VISITORS, (anonymous, unit_a, unit_b, judge, checkin, organizer, support_a)))


EVERYONE = answers(200, 200, 200, 200, 200, 200)
NOBODY = answers(404, 404, 404, 404, 404, 404)
POST_ONLY = answers(405, 405, 405, 405, 405, 405)
SIGNED_IN = answers(LOGIN, 200, 200, 200, 200, 200)
ORGANIZER_ONLY = answers(LOGIN, 403, 403, 403, 403, 200)
UNITS_ONLY = answers(LOGIN, 200, 200, 403, 403, 403)
JUDGES_ONLY = answers(LOGIN, 403, 403, 200, 403, 403)
GATE_STAFF = answers(LOGIN, 403, 403, 403, 200, 200)
# Unit A's draft (and its file): unit A and the organizers; hidden (404) from everyone else.
UNIT_A_DRAFT = answers(LOGIN, 200, 404, 404, 404, 200)
# Unit A's register (an initiative of unit A, its file): unit A, its support team and the organizers; hidden (404)
# from unit B, refused (403) to the other roles.
UNIT_A_REGISTER = answers(LOGIN, 200, 404, 403, 403, 200, support_a=200)
# Unit A's own action on its draft: other units do not see it, other roles are refused.
UNIT_A_ACTION = answers(LOGIN, 200, 404, 403, 403, 403)
# Unit A's production teams: the unit, its support team and the organizers.
UNIT_A_TEAMS = answers(LOGIN, 200, 403, 403, 403, 200, support_a=200)
# The judge's own score sheet: the judge and the organizers; 404 for everyone else.
JUDGES_SHEET = answers(LOGIN, 404, 404, 200, 404, 200)

# GET of every endpoint, with the URL arguments of ARGUMENTS (and ARGUMENT_OVERRIDES).
EXPECTED = {
    "static": EVERYONE,
    # Public pages
    "public.index": EVERYONE,
    "public.gallery": EVERYONE,
    "public.results": EVERYONE,
    "public.healthz": EVERYONE,
    "public.service_worker": EVERYONE,
    "public.offline": EVERYONE,
    "public.favicon": answers(301, 301, 301, 301, 301, 301),
    # The programme's register
    "initiatives.register": answers(LOGIN, 200, 200, 403, 403, 200, support_a=200),
    # Importing a register: organizers, a unit and its support team (each into its own unit); an upload is its
    # uploader's only (here the organizer's).
    "initiatives.import_file": answers(LOGIN, 200, 200, 403, 403, 200, support_a=200),
    "initiatives.import_preview": answers(LOGIN, 404, 404, 403, 403, 200, support_a=404),
    "initiatives.import_template": answers(LOGIN, 200, 200, 403, 403, 200, support_a=200),
    # The programme's targets, tallies and portal export: a unit and its support team see their own unit's
    "tallies.targets": answers(LOGIN, 200, 200, 403, 403, 200, support_a=200),
    "tallies.copy_targets": POST_ONLY,
    "tallies.index": answers(LOGIN, 200, 200, 403, 403, 200, support_a=200),
    "tallies.export": answers(LOGIN, 200, 200, 403, 403, 200, support_a=200),
    "tallies.portal_page": answers(LOGIN, 200, 200, 403, 403, 200, support_a=200),
    "tallies.portal_export": answers(LOGIN, 200, 200, 403, 403, 200, support_a=200),
    # Intake (unit_id: unit A; team_id: a team of unit A; key: its poster's key; member_id: unit A's support team)
    "intake.my_teams": answers(LOGIN, 302, 302, 403, 403, 200, support_a=302),  # a unit: off to its own teams
    "intake.teams": UNIT_A_TEAMS,
    "intake.team_new": UNIT_A_TEAMS,
    "intake.team_edit": UNIT_A_TEAMS,
    "intake.team_delete": UNIT_A_TEAMS,  # the confirmation page
    "intake.team_new_key": UNIT_A_TEAMS,  # the confirmation page
    "intake.team_poster": UNIT_A_TEAMS,
    "intake.unit_posters": UNIT_A_TEAMS,
    "intake.idea": EVERYONE,  # whoever holds the poster
    "intake.thanks": EVERYONE,
    "intake.support_team": answers(LOGIN, 200, 200, 403, 403, 403, support_a=403),
    "intake.support_deactivate": answers(LOGIN, 200, 404, 403, 403, 403, support_a=403),  # the confirmation page
    # Unit A's recognised initiative: its benefit and remuneration are its unit's and the organizers'.
    "initiatives.benefits": answers(LOGIN, 200, 404, 403, 403, 200, support_a=200),
    "initiatives.benefit_edit": answers(LOGIN, 200, 404, 403, 403, 200, support_a=200),
    "initiatives.reevaluations": answers(LOGIN, 200, 200, 403, 403, 200, support_a=200),
    "initiatives.authors": answers(LOGIN, 200, 200, 403, 403, 200, support_a=200),
    "initiatives.authors_export": answers(LOGIN, 200, 200, 403, 403, 200, support_a=200),
    # Nominations into the festival: units and organizers, not the support team; unit A's recognised initiative
    "initiatives.nominations_list": answers(LOGIN, 200, 200, 403, 403, 200, support_a=403),
    "initiatives.nominate": answers(LOGIN, 200, 404, 403, 403, 200, support_a=403),
    "initiatives.closing_tally": answers(LOGIN, 200, 200, 403, 403, 200, support_a=403),
    "public.exhibit": EVERYONE,  # an accepted exhibit
    "public.set_language": POST_ONLY,
    "certificates.verify": EVERYONE,  # a certificate's verification code
    "certificates.verify_form": EVERYONE,
    "checkin.badge": EVERYONE,
    # Accounts
    "auth.login": answers(200, 302, 302, 302, 302, 302),  # signed in: off to one's home page
    "auth.logout": POST_ONLY,
    "auth.invitation": EVERYONE,  # whoever holds the link
    "auth.account": SIGNED_IN,
    "auth.forgot_password": EVERYONE,
    "auth.reset_password": EVERYONE,  # whoever holds the link
    "auth.end_all_sessions": POST_ONLY,
    # Organizer console
    "admin.index": ORGANIZER_ONLY,
    "admin.festivals": ORGANIZER_ONLY,
    "admin.festival_new": ORGANIZER_ONLY,
    "admin.festival_edit": ORGANIZER_ONLY,
    "admin.festival_make_current": POST_ONLY,
    "admin.programme_add": POST_ONLY,
    "admin.programme_delete": ORGANIZER_ONLY,
    "admin.units": ORGANIZER_ONLY,
    "admin.unit_new": ORGANIZER_ONLY,
    "admin.unit_edit": ORGANIZER_ONLY,
    "admin.unit_delete": ORGANIZER_ONLY,
    "admin.users": ORGANIZER_ONLY,
    "admin.user_new": ORGANIZER_ONLY,
    "admin.user_edit": ORGANIZER_ONLY,
    "admin.user_invitation": POST_ONLY,
    "admin.user_unlock": POST_ONLY,
    "admin.audit_log": ORGANIZER_ONLY,
    "admin.job": ORGANIZER_ONLY,
    "admin.job_download": ORGANIZER_ONLY,
    "admin.job_retry": POST_ONLY,
    # Exhibits (exhibit_id: unit A's draft)
    "exhibits.mine": UNITS_ONLY,
    "exhibits.new": UNITS_ONLY,
    "exhibits.show": UNIT_A_DRAFT,
    "exhibits.edit": UNIT_A_DRAFT,
    "exhibits.submit": POST_ONLY,
    "exhibits.withdraw": UNIT_A_ACTION,
    "exhibits.file": answers(404, 200, 404, 404, 404, 200),  # no sign-in needed, but a draft's file is hidden
    "exhibits.remove_file": UNIT_A_DRAFT,
    "exhibits.index": ORGANIZER_ONLY,
    "exhibits.accept": POST_ONLY,
    "exhibits.place": POST_ONLY,
    "exhibits.decide": POST_ONLY,
    "exhibits.statistics": ORGANIZER_ONLY,
    "exhibits.categories": ORGANIZER_ONLY,
    "exhibits.category_edit": ORGANIZER_ONLY,
    "exhibits.category_delete": ORGANIZER_ONLY,
    "exhibits.poster": ORGANIZER_ONLY,  # an accepted exhibit
    "exhibits.posters": POST_ONLY,
    "exhibits.import_file": ORGANIZER_ONLY,
    "exhibits.import_preview": ORGANIZER_ONLY,  # the organizer's own upload
    "exhibits.import_template": ORGANIZER_ONLY,
    "exhibits.export": ORGANIZER_ONLY,
    # Judging (sheet_id: the judge's own unstarted sheet)
    "judging.home": JUDGES_ONLY,
    "judging.sheet": JUDGES_SHEET,
    "judging.save": POST_ONLY,
    "judging.submit": POST_ONLY,
    "judging.state": answers(401, 404, 404, 200, 404, 200),  # JSON
    "judging.sheet_pdf": JUDGES_SHEET,
    "judging.my_sheets_pdf": JUDGES_ONLY,
    "judging.my_conflicts": JUDGES_ONLY,
    "judging.rubric": ORGANIZER_ONLY,
    "judging.panels": ORGANIZER_ONLY,
    "judging.assignments": ORGANIZER_ONLY,
    "judging.assignment_add": POST_ONLY,
    "judging.assignment_remove": ORGANIZER_ONLY,
    "judging.conflicts": ORGANIZER_ONLY,
    "judging.conflict_delete": POST_ONLY,
    "judging.reopen": POST_ONLY,
    "judging.keep_sheet": POST_ONLY,
    "judging.unattended": POST_ONLY,
    "judging.device_report": POST_ONLY,
    "judging.control_room": ORGANIZER_ONLY,
    "judging.control_board": ORGANIZER_ONLY,
    "judging.control_board_index": ORGANIZER_ONLY,
    "judging.control_board_rows": ORGANIZER_ONLY,
    "judging.reassign": ORGANIZER_ONLY,
    "judging.resolve_report": POST_ONLY,
    "judging.progress": ORGANIZER_ONLY,
    "judging.results_page": ORGANIZER_ONLY,
    "judging.set_tier": POST_ONLY,
    "judging.finalise": ORGANIZER_ONLY,
    "judging.reopen_results": POST_ONLY,
    "judging.results_export": ORGANIZER_ONLY,
    "judging.settings": ORGANIZER_ONLY,
    "judging.rounds_page": ORGANIZER_ONLY,
    "judging.round_edit": ORGANIZER_ONLY,
    "judging.round_remove": ORGANIZER_ONLY,  # the confirmation page; removing round 1 is refused
    # This festival judges in one round: round 1 has no finalists and no defences (tests/judging/test_rounds.py
    # covers a second round).
    "judging.finalists_page": answers(LOGIN, 403, 403, 403, 403, 404),
    "judging.defences_page": answers(LOGIN, 404, 404, 404, 404, 404),
    # The booth award (booth_sheet_id: the judge's own unstarted booth sheet; unit_id: unit B's booth)
    "booths.home": JUDGES_ONLY,
    "booths.sheet": JUDGES_SHEET,
    "booths.rubric": ORGANIZER_ONLY,
    "booths.panel": ORGANIZER_ONLY,
    "booths.assignments": ORGANIZER_ONLY,
    "booths.assignment_add": POST_ONLY,
    "booths.assignment_remove": POST_ONLY,
    "booths.reopen": POST_ONLY,
    "booths.results_page": ORGANIZER_ONLY,
    "booths.prizes": POST_ONLY,
    "booths.set_tier": POST_ONLY,
    "booths.finalise": ORGANIZER_ONLY,
    "booths.reopen_results": POST_ONLY,
    "booths.results_export": ORGANIZER_ONLY,
    "booths.sheet_pdf": JUDGES_SHEET,
    "booths.my_sheets_pdf": JUDGES_ONLY,
    # Personal data
    "privacy.inventory_page": ORGANIZER_ONLY,
    "privacy.people": ORGANIZER_ONLY,
    "privacy.person": ORGANIZER_ONLY,
    "privacy.person_export": POST_ONLY,
    "privacy.inventory_xlsx": ORGANIZER_ONLY,
    "privacy.retention_settings": ORGANIZER_ONLY,
    "privacy.purge_page": ORGANIZER_ONLY,
    "privacy.breach_list": ORGANIZER_ONLY,
    "privacy.breach_new": ORGANIZER_ONLY,
    "privacy.breach_edit": ORGANIZER_ONLY,
    "privacy.person_correct": ORGANIZER_ONLY,  # no one chosen: the empty page
    "privacy.person_erase": ORGANIZER_ONLY,
    "privacy.request_list": ORGANIZER_ONLY,
    "privacy.request_new": ORGANIZER_ONLY,
    "privacy.request_page": ORGANIZER_ONLY,
    "privacy.request_acknowledge": POST_ONLY,
    "privacy.request_extend": POST_ONLY,
    "privacy.request_complete": POST_ONLY,
    "privacy.request_refuse": POST_ONLY,
    # Attendees and badges (attendee_id: a delegate unit A registered)
    "badges.index": ORGANIZER_ONLY,
    "badges.new": ORGANIZER_ONLY,
    "badges.edit": ORGANIZER_ONLY,
    "badges.delete": ORGANIZER_ONLY,
    "badges.reissue": POST_ONLY,
    "badges.badge_pdf": ORGANIZER_ONLY,
    "badges.sync": POST_ONLY,
    "badges.print_badges": ORGANIZER_ONLY,
    "badges.roles": ORGANIZER_ONLY,
    "badges.import_file": ORGANIZER_ONLY,
    "badges.import_preview": ORGANIZER_ONLY,  # the organizer's own upload
    "badges.import_template": ORGANIZER_ONLY,
    "badges.export": ORGANIZER_ONLY,
    "badges.mine": UNITS_ONLY,
    "badges.mine_delete": UNIT_A_ACTION,
    # Gate
    "checkin.scanner": GATE_STAFF,
    "checkin.scan": POST_ONLY,
    "checkin.check_in": POST_ONLY,
    "checkin.search": answers(401, 403, 403, 403, 200, 200),  # JSON
    "checkin.checkin_list": answers(401, 403, 403, 403, 200, 200),  # JSON
    "checkin.sync": POST_ONLY,
    "checkin.dashboard": GATE_STAFF,
    "checkin.dashboard_board": GATE_STAFF,
    "checkin.dashboard_index": GATE_STAFF,
    "checkin.dashboard_rows": GATE_STAFF,
    "checkin.held": ORGANIZER_ONLY,
    "checkin.accept_held": POST_ONLY,
    "checkin.dismiss_held": POST_ONLY,
    "checkin.dismiss_all_held": POST_ONLY,
    # Certificates
    "certificates.index": ORGANIZER_ONLY,
    "certificates.issue": POST_ONLY,
    "certificates.print_certificates": ORGANIZER_ONLY,
    "certificates.template": ORGANIZER_ONLY,
    "certificates.template_preview": POST_ONLY,
    "certificates.template_image_delete": POST_ONLY,
    "certificates.show": ORGANIZER_ONLY,
    "certificates.pdf": ORGANIZER_ONLY,
    "certificates.revoke": POST_ONLY,
    "certificates.correct": POST_ONLY,
    # The visitors' choice
    "voting.link": POST_ONLY,
    "voting.unlink": POST_ONLY,
    "voting.my_ballot": EVERYONE,
    "voting.cast": POST_ONLY,
    "voting.kiosk": GATE_STAFF,  # the same rule for the badge posts it takes
    "voting.kiosk_badge": GATE_STAFF,
    "voting.kiosk_vote": POST_ONLY,
    "voting.kiosk_done": POST_ONLY,
    "voting.settings": ORGANIZER_ONLY,
    "voting.tally_page": ORGANIZER_ONLY,
    "voting.unlock": POST_ONLY,
    "voting.award": POST_ONLY,
    "voting.cancel_award": POST_ONLY,
    "voting.paper": ORGANIZER_ONLY,
    "voting.paper_delete": POST_ONLY,
    # E-mail (message_id: a message sent to the file outbox)
    "mail.outbox": ORGANIZER_ONLY,
    "mail.message": ORGANIZER_ONLY,
    "mail.message_file": ORGANIZER_ONLY,
    "mail.retry": POST_ONLY,
    "mail.resend": POST_ONLY,
    "mail.send": ORGANIZER_ONLY,
    "mail.send_invitations": POST_ONLY,
    "mail.send_judge_lists": POST_ONLY,
    "mail.send_badges": POST_ONLY,
    "mail.send_certificates": POST_ONLY,
    "mail.confirm_certificates": ORGANIZER_ONLY,
    "mail.send_reminders": POST_ONLY,
    "mail.batch": ORGANIZER_ONLY,
    # Personal data (exhibit_id: unit A's draft; consent_id: an author of unit A's accepted exhibit)
    "privacy.notice": EVERYONE,
    "privacy.notice_in": EVERYONE,
    "privacy.notice_edit": ORGANIZER_ONLY,
    "privacy.consents_of_exhibit": UNIT_A_DRAFT,
    "privacy.consent_withdraw": UNIT_A_DRAFT,
    "privacy.consent_record": POST_ONLY,
    "mail.invite_user": POST_ONLY,
    "mail.user_email": POST_ONLY,
    "mail.templates": ORGANIZER_ONLY,
    "mail.template": ORGANIZER_ONLY,
    "mail.template_reset": POST_ONLY,
    # The programme register's initiatives (initiative_id: unit A's idea just received, with a photo, file_id)
    "initiatives.new": answers(LOGIN, 200, 200, 403, 403, 200, support_a=200),
    "initiatives.show": UNIT_A_REGISTER,
    "initiatives.edit": UNIT_A_REGISTER,
    "initiatives.delete": UNIT_A_REGISTER,  # the confirmation page
    "initiatives.add_files": POST_ONLY,
    "initiatives.file": UNIT_A_REGISTER,  # never public, not even a published initiative's
    "initiatives.remove_file": UNIT_A_REGISTER,
    "initiatives.propose": POST_ONLY,
    "initiatives.apply": POST_ONLY,
    "initiatives.request_recognition": POST_ONLY,
    "initiatives.decide": POST_ONLY,
    "initiatives.decision_pdf": UNIT_A_REGISTER,  # a recognised initiative of unit A
    "initiatives.public": EVERYONE,
}

# Endpoints that answer JSON: asked with Accept: application/json, so a visitor who is not
# signed in gets 401 instead of the redirect to the sign-in page.
JSON_ENDPOINTS = {
    "judging.state",
    "judging.save",
    "judging.submit",
    "judging.device_report",
    "checkin.search",
    "checkin.scan",
    "checkin.check_in",
    "checkin.checkin_list",
    "checkin.sync",
    "certificates.template_preview",
    "public.healthz",
}

# URL argument -> key of the `world` fixture (or a literal value).
ARGUMENTS = {
    "filename": "css/app.css",
    "festival_id": "festival",
    "item_id": "programme_item",
    "unit_id": "unit_b",
    "user_id": "judge_user",
    "job_id": "print_job",
    "token": "invitation_token",
    "exhibit_id": "draft",
    "attachment_id": "draft_file",
    "variant": "thumb",
    "decision": "return",
    "category_id": "category",
    "sheet_id": "sheet",
    "booth_sheet_id": "booth_sheet",
    "report_id": "stand_report",
    "conflict_id": "conflict",
    "fmt": "csv",
    "attendee_id": "delegate_a",
    "certificate_id": "certificate",
    "kind": "award",
    "which": "seal_image",
    "serial": "serial",
    "code": "en",
    "upload_id": "attendee_upload",
    "entry_id": "paper_entry",
    "message_id": "sent_mail",
    "consent_id": "consent",
    "author_id": "draft_author",
    "batch_id": "mail_batch",
    "held_id": "held_scan",
    "language": "vi",
    "breach_id": "breach",
    "request_id": "data_request",
    "number": 1,
    "initiative_id": "initiative_a",
    "file_id": "initiative_file",
    "team_id": "team_a",
    "key": "team_a_key",
    "member_id": "support_a_user",
    "year_index": 2,
}
ARGUMENT_OVERRIDES = {
    "privacy.person_export": {"fmt": "json"},
    "public.exhibit": {"exhibit_id": "accepted_a"},
    "exhibits.poster": {"exhibit_id": "accepted_a"},
    "checkin.badge": {"token": "delegate_token"},
    "certificates.verify": {"code": "certificate_code"},
    "exhibits.import_preview": {"upload_id": "exhibit_upload"},
    "initiatives.import_preview": {"upload_id": "register_upload"},
    "voting.link": {"token": "delegate_token"},
    "voting.cast": {"exhibit_id": "accepted_a"},
    "voting.kiosk_vote": {"exhibit_id": "accepted_a"},
    "auth.reset_password": {"token": "reset_token"},
    "mail.template": {"kind": "mail_kind"},
    "mail.template_reset": {"kind": "mail_kind"},
    "initiatives.decision_pdf": {"initiative_id": "recognised_initiative_a"},
    "intake.teams": {"unit_id": "unit_a"},
    "intake.team_new": {"unit_id": "unit_a"},
    "intake.unit_posters": {"unit_id": "unit_a"},
    "initiatives.benefits": {"initiative_id": "recognised_a"},
    "initiatives.nominate": {"initiative_id": "recognised_initiative"},
    "initiatives.benefit_edit": {"initiative_id": "recognised_a"},
}

# Other people's objects (and public ones), GET: (endpoint, argument overrides, expected).
OBJECT_GETS = [
    ("exhibits.show", {"exhibit_id": "submitted"}, UNIT_A_DRAFT),
    ("exhibits.show", {"exhibit_id": "accepted_a"}, SIGNED_IN),
    ("exhibits.edit", {"exhibit_id": "accepted_a"}, answers(LOGIN, 403, 403, 403, 403, 200)),
    ("exhibits.withdraw", {"exhibit_id": "submitted"}, UNIT_A_ACTION),
    ("exhibits.file", {"attachment_id": "accepted_file"}, EVERYONE),
    ("exhibits.remove_file", {"attachment_id": "accepted_file"}, answers(LOGIN, 403, 403, 403, 403, 200)),
    ("public.exhibit", {"exhibit_id": "draft"}, NOBODY),
    ("public.exhibit", {"exhibit_id": "submitted"}, NOBODY),
    ("judging.sheet", {"sheet_id": "other_sheet"}, answers(LOGIN, 404, 404, 404, 404, 200)),
    ("judging.state", {"sheet_id": "other_sheet"}, answers(401, 404, 404, 404, 404, 200)),
    ("judging.sheet", {"sheet_id": "submitted_sheet"}, JUDGES_SHEET),
    ("booths.sheet", {"booth_sheet_id": "other_booth_sheet"}, answers(LOGIN, 404, 404, 404, 404, 200)),
    ("booths.sheet_pdf", {"booth_sheet_id": "other_booth_sheet"}, answers(LOGIN, 404, 404, 404, 404, 200)),
    ("booths.sheet", {"booth_sheet_id": "submitted_booth_sheet"}, JUDGES_SHEET),
    ("badges.mine_delete", {"attendee_id": "guest"}, answers(LOGIN, 404, 404, 403, 403, 403)),
    ("badges.mine_delete", {"attendee_id": "delegate_b"}, answers(LOGIN, 404, 200, 403, 403, 403)),
    ("checkin.badge", {"token": "no-such-badge"}, NOBODY),
    ("certificates.verify", {"code": "NO-SUCH-CODE"}, NOBODY),
    ("certificates.verify", {"code": "serial"}, EVERYONE),  # a serial: only the certificate's state
    ("auth.invitation", {"token": "no-such-invitation"}, answers(400, 400, 400, 400, 400, 400)),
    ("auth.reset_password", {"token": "no-such-reset"}, answers(400, 400, 400, 400, 400, 400)),
    ("mail.template", {"kind": "no-such-kind"}, answers(LOGIN, 403, 403, 403, 403, 404)),
    # Uploads waiting to be imported: another organizer's, an unknown id, or another list's are not found.
    ("badges.import_preview", {"upload_id": "other_organizers_upload"}, answers(LOGIN, 403, 403, 403, 403, 404)),
    ("badges.import_preview", {"upload_id": "no-such-upload"}, answers(LOGIN, 403, 403, 403, 403, 404)),
    ("exhibits.import_preview", {"upload_id": "attendee_upload"}, answers(LOGIN, 403, 403, 403, 403, 404)),
    # Unit A's support team's own upload of its register: only the support team opens it.
    (
        "initiatives.import_preview",
        {"upload_id": "support_register_upload"},
        answers(LOGIN, 404, 404, 403, 403, 404, support_a=200),
    ),
    (
        "initiatives.import_preview",
        {"upload_id": "exhibit_upload"},
        answers(LOGIN, 404, 404, 403, 403, 404, support_a=404),
    ),
    # Unit B's initiative: unit A's support team never sees it.
    ("initiatives.show", {"initiative_id": "initiative_b"}, answers(LOGIN, 404, 200, 403, 403, 200, support_a=404)),
    ("initiatives.edit", {"initiative_id": "initiative_b"}, answers(LOGIN, 404, 200, 403, 403, 200, support_a=404)),
    # Not yet recognised: no decision to print.
    (
        "initiatives.decision_pdf",
        {"initiative_id": "initiative_a"},
        answers(LOGIN, 404, 404, 403, 403, 404, support_a=404),
    ),
]


@dataclass
class Post:
    """A POST and who may make it; everyone else must be refused and change nothing."""

    endpoint: str
    allowed: tuple = ()
    data: dict = field(default_factory=dict)  # values may name keys of `world` as "@key"
    args: dict = field(default_factory=dict)  # argument overrides, as ARGUMENT_OVERRIDES
    json: bool = False  # the body is JSON (the answer is JSON for JSON_ENDPOINTS)
    # Whether the allowed request changes the database (False: a form shown again, a preview, a
    # refused state change), or the visitors for whom it does.
    changes: bool | tuple = True

    def changes_for(self, name: str) -> bool:
        return self.changes if isinstance(self.changes, bool) else name in self.changes


RETENTION_DEFAULTS = {category.key: str(category.default_days) for category in inventory.PURGED}


class RewindingFile(io.BytesIO):
    """An upload's bytes that can be posted again and again: the test client reads it to the end and closes it
    after each post, which here only rewinds it."""

    def close(self):
        self.seek(0)


def initiative_form(**changes):
    data = {
        "unit_id": "@unit_a",  # chosen by organizers; a unit's accounts always enter their own unit's
        "title": "Cữ gá may túi",
        "field": "production",
        "authors-0-full_name": "Nguyễn Văn An",
        "authors-0-category": "worker",
        "authors-0-share_percent": "100",
    }
    return {**data, **changes}


def exhibit_form(**changes):
    data = {
        "title": "Cữ gá may túi tự động",
        "category_id": "@category",
        "authors-0-full_name": "Nguyễn Văn An",
        "summary": "Cữ gá giúp may túi nhanh và đều.",
        "benefit": "1.500.000.000",
        "applied_since": "2022",
        "scope": "own_unit",
    }
    return {**data, **changes}


def festival_form(**changes):
    today = date.today()
    data = {
        "edition": "@festival_edition",
        "name": "Ngày hội đổi tên",
        "venue": "Nơi khác",
        "address": "",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=1)).isoformat(),
        "registration_opens_at": f"{today - timedelta(days=9)}T08:00",
        "registration_closes_at": f"{today + timedelta(days=9)}T08:00",
        "judging_opens_at": f"{today - timedelta(days=1)}T08:00",
        "judging_closes_at": f"{today + timedelta(days=9)}T08:00",
        "exhibit_quota": "10",
    }
    return {**data, **changes}


def sheet_snapshot(seq, **extra):
    return {
        "client_id": "tablet-x",
        "seq": seq,
        "base": 0,
        "points": {"@criterion_0": 40, "@criterion_1": 30},
        "answers": {},
        "comment": "Đổi điểm",
        **extra,
    }


ORGANIZERS, UNITS, UNIT_A, JUDGE, STAFF = (
    ("organizer",),
    ("unit_a", "unit_b"),
    ("unit_a",),
    ("judge",),
    ("checkin", "organizer"),
)
SIGNED = ("unit_a", "unit_b", "judge", "checkin", "organizer", "support_a")
REGISTER_A = ("unit_a", "organizer", "support_a")
TEAM_KEEPERS = ("unit_a", "organizer", "support_a")  # of unit A's production teams

# Every endpoint that takes POST, with valid data for the visitors who may make it.
POSTS = [
    Post("public.set_language", VISITORS, changes=VISITORS[1:]),  # a signed-in person's language is kept
    Post("auth.login", VISITORS, changes=False),
    Post("auth.logout", VISITORS, changes=VISITORS[1:]),  # a signed-in browser's session row goes
    Post("auth.end_all_sessions", VISITORS[1:]),
    Post(
        "initiatives.nominate",
        ("unit_a", "organizer"),
        {"category": "@category"},
        args={"initiative_id": "recognised_initiative"},
    ),
    Post("auth.invitation", VISITORS, changes=False),
    Post(
        "auth.account",
        SIGNED,
        {"current": factories.PASSWORD, "password": "a-new-long-password-1", "confirm": "a-new-long-password-1"},
    ),
    Post("admin.festival_new", ORGANIZERS, festival_form(edition="77")),
    Post("admin.festival_edit", ORGANIZERS, festival_form()),
    Post("admin.festival_make_current", ORGANIZERS, args={"festival_id": "old_festival"}),
    Post("admin.programme_add", ORGANIZERS, {"starts_at": f"{date.today()}T09:00", "title": "Khai mạc"}),
    Post("admin.programme_delete", ORGANIZERS),
    Post("admin.unit_new", ORGANIZERS, {"code": "NEWU", "name": "Đơn vị mới", "region": "hanoi"}),
    Post("admin.unit_edit", ORGANIZERS, {"code": "UNITB", "name": "Đổi tên", "region": "hanoi"}),
    Post("admin.unit_delete", ORGANIZERS, args={"unit_id": "spare_unit"}),
    Post(
        "admin.user_new",
        ORGANIZERS,
        {"email": "new@example.vn", "full_name": "Mới", "role": "organizer", "unit_id": "0"},
    ),
    # A unit representative trying to make themself an organizer.
    Post(
        "admin.user_edit",
        ORGANIZERS,
        {"full_name": "Tự nâng quyền", "role": "organizer", "unit_id": "0", "is_active": "y"},
        args={"user_id": "unit_a_user"},
    ),
    Post("admin.user_invitation", ORGANIZERS),
    Post("admin.user_unlock", ORGANIZERS),
    Post("admin.job_retry", ORGANIZERS, changes=False),  # the job is done: "In lại" is refused
    Post("privacy.notice_edit", ORGANIZERS, {"body_vi": "Thông báo mới.", "publish": "y"}),
    Post("privacy.notice_edit", ORGANIZERS, {"body_vi": "Xem trước.", "preview": "y"}, changes=False),
    Post("privacy.consent_withdraw", ("unit_a", "organizer"), {"how": "paper"}),
    Post("privacy.consent_record", ("unit_a", "organizer"), {"how": "paper"}),
    Post(
        "initiatives.benefit_edit",
        ("unit_a", "organizer", "support_a"),
        {"computable": "yes", "benefit": "300.000.000", "evaluated_on": date.today().isoformat(), "note": ""},
    ),
    Post(
        "tallies.targets",
        ORGANIZERS,
        {"rows-0-unit_id": "@unit_a", "rows-0-members": "120", "rows-0-target": "", "rows-0-emulation_group": "Cụm 1"},
    ),
    Post("tallies.copy_targets", ORGANIZERS),  # last year's target of unit A (the world's) for this year
    Post("exhibits.new", UNITS, exhibit_form()),
    Post("exhibits.edit", ("unit_a", "organizer"), exhibit_form(title="Đã sửa")),
    Post("exhibits.submit", UNIT_A),
    Post("exhibits.withdraw", UNIT_A),
    Post("exhibits.remove_file", ("unit_a", "organizer")),
    Post("exhibits.accept", ORGANIZERS, {"code": "KT-09", "booth": "9"}, args={"exhibit_id": "submitted"}),
    Post("exhibits.place", ORGANIZERS, {"code": "KT-08", "booth": "8"}, args={"exhibit_id": "accepted_a"}),
    Post("exhibits.decide", ORGANIZERS, {"comment": "Bổ sung ảnh."}, args={"exhibit_id": "submitted"}),
    Post("exhibits.posters", ORGANIZERS),  # a print job
    Post("exhibits.categories", ORGANIZERS, {"code": "XH", "name_vi": "Xã hội"}),
    Post("exhibits.category_edit", ORGANIZERS, {"code": "KT", "name_vi": "Đổi tên"}),
    Post("exhibits.category_delete", ORGANIZERS, args={"category_id": "spare_category"}),
    Post("exhibits.import_file", ORGANIZERS, changes=False),
    # Refreshing the preview keeps the choices beside the upload, never in the database.
    Post("exhibits.import_preview", ORGANIZERS, {"action": "preview", "sheet": "Danh sách"}, changes=False),
    # An import needs the fingerprint of the preview it was shown: without one it is shown again.
    Post("exhibits.import_preview", ORGANIZERS, {"action": "import"}, changes=False),
    Post(
        "judging.sheet",
        JUDGE,
        {
            "points-@criterion_0": "40",
            "points-@criterion_1": "30",
            "comment": "Tốt",
            "client_id": "form-1",
            "base": "0",
        },
    ),
    Post("judging.save", JUDGE, sheet_snapshot(1), json=True),
    Post("judging.submit", JUDGE, sheet_snapshot(1), json=True),
    Post("judging.my_conflicts", JUDGE, {"exhibit_id": "@accepted_b", "reason": "Người quen"}),
    Post(
        "judging.rubric",
        ORGANIZERS,
        {
            "criteria-0-name_vi": "Tính mới",
            "criteria-0-max_points": "100",
            **{f"criteria-{i}-kind": "points" for i in range(10)},
        },
    ),
    Post("judging.panels", ORGANIZERS, {"member": "@panel_member"}),
    Post("judging.assignments", ORGANIZERS, {"per_exhibit": "2"}),
    Post("judging.assignment_add", ORGANIZERS, {"judge_id": "@third_judge"}, args={"exhibit_id": "accepted_a"}),
    Post("judging.assignment_remove", ORGANIZERS),
    Post(
        "judging.conflicts", ORGANIZERS, {"exhibit_id": "@accepted_b", "judge_id": "@third_judge", "reason": "Họ hàng"}
    ),
    Post("judging.conflict_delete", ORGANIZERS),
    Post("judging.reopen", ORGANIZERS, {"reason": "Nhầm điểm"}, args={"sheet_id": "submitted_sheet"}),
    # Not a conflicted sheet: refused (flashed on the results page), nothing kept.
    Post(
        "judging.keep_sheet",
        ORGANIZERS,
        {"reason": "Hội đồng đồng ý"},
        args={"sheet_id": "submitted_sheet"},
        changes=False,
    ),
    Post("judging.unattended", JUDGE),
    Post("judging.device_report", JUDGE, {"pending": 2}, json=True),
    Post("judging.reassign", ORGANIZERS, {"judge_id": "@third_judge"}),
    Post("judging.resolve_report", ORGANIZERS),
    Post(
        "judging.set_tier",
        ORGANIZERS,
        {"tier": "first", "reason": "Hội đồng quyết định"},
        args={"exhibit_id": "accepted_a"},
    ),
    Post("judging.finalise", ORGANIZERS, {"accept_missing": "yes"}),
    Post(
        "judging.reopen_results", ORGANIZERS, {"reason": "Điều chỉnh"}, changes=False
    ),  # results not yet final here: nothing to reopen
    Post(
        "judging.settings",
        ORGANIZERS,
        {
            "method": "mean",
            "shrinkage": "3",
            "spread_flag": "15",
            "first_prizes": "5",
            "second_prizes": "1",
            "third_prizes": "1",
            "honourable_percent": "10",
            "presentation_minutes": "7",
            "questions_minutes": "5",
        },
    ),
    Post("judging.rounds_page", ORGANIZERS, {"action": "add"}),
    Post(
        "judging.round_edit",
        ORGANIZERS,
        {"name_vi": "Vòng hồ sơ", "kind": "dossier", "weight": "100", "finalist_rule": "quota"},
    ),
    Post("judging.round_remove", ORGANIZERS, changes=False),  # round 1 cannot be removed
    Post("judging.finalists_page", (), {"action": "confirm"}),
    Post("judging.defences_page", (), {"changeover": "5"}),
    Post(
        "booths.sheet",
        JUDGE,
        {"points-@booth_criterion_0": "8", "points-@booth_criterion_1": "7,5", "comment": "Đẹp", "base": "0"},
    ),
    # A booth sheet has been submitted: the booth rubric is frozen and saving it is refused.
    Post(
        "booths.rubric", ORGANIZERS, {"criteria-0-name_vi": "Trang trí", "criteria-0-max_points": "10"}, changes=False
    ),
    Post("booths.panel", ORGANIZERS, {"judge": "@third_judge"}),
    Post("booths.assignments", ORGANIZERS),  # nothing to add, but the assignment is audited
    Post("booths.assignment_add", ORGANIZERS, {"judge_id": "@third_judge"}),
    Post("booths.assignment_remove", ORGANIZERS),
    Post("booths.reopen", ORGANIZERS, {"reason": "Nhầm điểm"}, args={"booth_sheet_id": "submitted_booth_sheet"}),
    Post(
        "booths.prizes",
        ORGANIZERS,
        {"first_prizes": "1", "second_prizes": "1", "third_prizes": "1", "honourable_prizes": "0"},
    ),
    Post("booths.set_tier", ORGANIZERS, {"tier": "first", "reason": "Hội đồng quyết định"}),
    Post("booths.finalise", ORGANIZERS, {"accept_missing": "yes"}),
    Post("booths.reopen_results", ORGANIZERS, {"reason": "Điều chỉnh"}, changes=False),  # not final: nothing to reopen
    Post(
        "badges.new",
        ORGANIZERS,
        {"full_name": "Khách mới", "role_id": "@guest_role", "unit_id": "0", "organisation": "Báo"},
    ),
    Post("badges.edit", ORGANIZERS, {"full_name": "Đổi tên", "role_id": "@delegate_role", "unit_id": "@unit_a"}),
    Post("badges.delete", ORGANIZERS),
    Post("badges.reissue", ORGANIZERS, {"reason": "Mất thẻ"}),
    Post("badges.sync", ORGANIZERS),
    Post("badges.print_badges", ORGANIZERS, {"layout": "a6", "unit_id": "0", "role_id": "0"}),
    Post("badges.roles", ORGANIZERS, {"role_id": "@guest_role", "name_vi": "Đổi tên", "colour": "#000000"}),
    Post("badges.import_file", ORGANIZERS, changes=False),
    Post("badges.import_preview", ORGANIZERS, {"action": "preview", "sheet": "Danh sách"}, changes=False),
    Post("badges.import_preview", ORGANIZERS, {"action": "import", "fingerprint": "@attendee_fingerprint"}),
    Post("badges.mine", UNITS, {"full_name": "Đại biểu mới", "phone": "0987 654 321"}),
    Post("badges.mine_delete", UNIT_A),
    Post("checkin.scan", STAFF, {"code": "@delegate_token", "gate": "Cổng chính", "nonce": "nonce-scan-1"}, json=True),
    Post("checkin.check_in", STAFF, {"gate": "Cổng chính", "nonce": "nonce-search-1"}, json=True),
    Post(
        "checkin.sync",
        STAFF,
        {
            "scans": [
                {
                    "code": "@delegate_token",
                    "gate": "Cổng phụ",
                    "nonce": "nonce-offline-1",
                    "scanned_at": "2026-12-02T08:00:00+07:00",
                    "shown": "checked_in",
                }
            ]
        },
        json=True,
    ),
    Post("checkin.accept_held", ORGANIZERS),
    Post("checkin.dismiss_held", ORGANIZERS, args={"held_id": "other_held_scan"}),
    Post("checkin.dismiss_all_held", ORGANIZERS),
    Post("certificates.issue", ORGANIZERS, {"kind": "participation"}),
    Post("certificates.print_certificates", ORGANIZERS, {"kind": "", "unit_id": "0"}),
    Post("certificates.template", ORGANIZERS, {"title": "GIẤY KHEN", "body": "{recipient}", "place": "Huế"}),
    Post(
        "certificates.template_preview",
        ORGANIZERS,
        {"title": "GIẤY KHEN", "body": "{recipient}", "place": "Huế"},
        changes=False,
    ),
    Post("certificates.template_image_delete", ORGANIZERS),
    Post("certificates.revoke", ORGANIZERS, {"reason": "Cấp nhầm"}),
    Post("certificates.correct", ORGANIZERS, {"recipient_name": "Tên khác", "reason": "Sai tên"}),
    # The visitors' choice: anyone holding a badge links it to their phone; a phone with no linked
    # badge is told to scan one first (nothing kept); the kiosk keeps the scanned badge in its session.
    Post("voting.link", VISITORS, {"consent": "y"}),
    Post("voting.unlink", VISITORS, changes=False),  # no phone linked in these browsers: nothing to remove
    Post("voting.cast", VISITORS, changes=False),
    Post("voting.kiosk_badge", STAFF, {"code": "@delegate_token"}, changes=False),
    Post("voting.kiosk_vote", STAFF, changes=False),  # no badge scanned: refused
    Post("voting.kiosk_done", STAFF, changes=False),
    Post("voting.settings", ORGANIZERS, {"is_enabled": "y", "winners": "2", "voter_roles": "guest"}),
    Post("voting.unlock", ORGANIZERS, {"reason": "Kiểm tra hệ thống"}),
    Post("voting.award", ORGANIZERS, changes=False),  # the window is still open: refused
    Post("voting.cancel_award", ORGANIZERS, {"reason": "Đếm lại"}, changes=False),  # nothing given
    Post("voting.paper", ORGANIZERS, {"exhibit_id": "@accepted_a", "count": "5", "note": "Thùng 1"}),
    Post("voting.paper_delete", ORGANIZERS),
    Post("auth.forgot_password", VISITORS, {"email": "judge@example.vn"}),
    Post("auth.reset_password", VISITORS, {"password": "Mật khẩu mới rất dài", "confirm": "Mật khẩu mới rất dài"}),
    Post("mail.retry", ORGANIZERS, args={"message_id": "failed_mail"}),
    Post("mail.resend", ORGANIZERS),
    Post("mail.send_invitations", ORGANIZERS, {"roles": "judge"}),
    Post("mail.send_judge_lists", ORGANIZERS),
    Post("mail.send_badges", ORGANIZERS),
    Post("mail.send_certificates", ORGANIZERS),
    Post("mail.send_reminders", ORGANIZERS, changes=False),
    Post("mail.invite_user", ORGANIZERS, args={"user_id": "invitee"}),
    Post("mail.user_email", ORGANIZERS, {"no_email": "1"}),
    Post("mail.template", ORGANIZERS, {"subject": "Mời {name}", "body": "Mời {name}: {link}"}),
    Post("mail.template_reset", ORGANIZERS, changes=False),
    Post("privacy.retention_settings", ORGANIZERS, {**RETENTION_DEFAULTS, "votes": "60"}),
    Post("privacy.purge_page", ORGANIZERS),  # a purge run is recorded
    Post("privacy.person_export", ORGANIZERS, {"user": "@unit_a_user"}),  # each export is audited
    Post("privacy.breach_new", ORGANIZERS, {"what_happened": "Mất sổ", "found_at": "2020-01-01T09:00"}),
    Post("privacy.breach_edit", ORGANIZERS, {"what_happened": "Mất sổ đăng ký", "found_at": "2020-01-01T09:00"}),
    Post(
        "privacy.person_correct",
        ORGANIZERS,
        {"kind": "author", "id": "@draft_author", "author@draft_author-full_name": "Nguyễn Văn Ân"},
    ),
    Post("privacy.person_erase", ORGANIZERS, {"author": "@draft_author", "reason": "Yêu cầu xoá", "confirm": "XOÁ"}),
    Post(
        "privacy.request_new",
        ORGANIZERS,
        {"subject_name": "Lê Thị Hoa", "right": "access", "channel": "email", "received_at": "2020-01-01T09:00"},
    ),
    Post("privacy.request_acknowledge", ORGANIZERS),
    Post("privacy.request_extend", ORGANIZERS, {"extension_reason": "Cần tra cứu hồ sơ giấy"}),
    Post("privacy.request_complete", ORGANIZERS, {"outcome": "Đã gửi bản sao dữ liệu qua e-mail"}),
    Post("privacy.request_refuse", ORGANIZERS, {"refusal_reason": "Không xác minh được người yêu cầu"}),
    Post("initiatives.new", ("unit_a", "unit_b", "organizer", "support_a"), initiative_form()),
    Post("initiatives.edit", REGISTER_A, initiative_form(title="Đã sửa")),
    Post("initiatives.delete", REGISTER_A),
    Post("initiatives.add_files", REGISTER_A, {"files": (RewindingFile(factories.pdf_bytes()), "ho-so.pdf")}),
    Post("initiatives.remove_file", REGISTER_A),
    Post("initiatives.propose", REGISTER_A),
    Post(
        "initiatives.apply",
        REGISTER_A,
        {"application": "full", "first_applied_on": date.today().isoformat()},
        args={"initiative_id": "proposed_initiative_a"},
    ),
    Post(
        "initiatives.request_recognition",
        REGISTER_A,
        {"requested_on": date.today().isoformat()},
        args={"initiative_id": "applied_initiative_a"},
    ),
    Post(
        "initiatives.decide",
        REGISTER_A,
        {
            "is_new_in_unit": "y",
            "is_applied_with_benefit": "y",
            "is_not_excluded": "y",
            "outcome": "recognised",
            "decision_number": "12/QĐ",
            "decided_on": date.today().isoformat(),
            "level": "base",
        },
        args={"initiative_id": "requested_initiative_a"},
    ),
    # Unit B's initiative: unit A's accounts never change it.
    Post(
        "initiatives.edit",
        ("unit_b", "organizer"),
        initiative_form(title="Sửa hộ"),
        args={"initiative_id": "initiative_b"},
    ),
    Post("initiatives.delete", ("unit_b", "organizer"), args={"initiative_id": "initiative_b"}),
    Post("initiatives.import_file", ("unit_a", "unit_b", "organizer", "support_a"), changes=False),  # no file: refused
    Post("initiatives.import_preview", ORGANIZERS, {"action": "preview", "sheet": "Danh sách"}, changes=False),
    Post("initiatives.import_preview", ORGANIZERS, {"action": "import", "fingerprint": "@register_fingerprint"}),
    Post(
        "initiatives.import_preview",
        ("support_a",),
        {"action": "preview"},
        args={"upload_id": "support_register_upload"},
        changes=False,
    ),
    Post("intake.team_new", TEAM_KEEPERS, {"name": "Tổ cắt 2", "department": "Xí nghiệp May 1"}),
    Post("intake.team_edit", TEAM_KEEPERS, {"name": "Tổ may số 3", "department": "Xí nghiệp May 1"}),
    Post("intake.team_delete", TEAM_KEEPERS),
    Post("intake.team_new_key", TEAM_KEEPERS),
    Post(
        "intake.idea",
        VISITORS,
        {"full_name": "Lò Thị Mai", "phone": "0912 345 678", "title": "Cữ gá may túi", "idea": "Dùng cữ gá mica."},
    ),
    Post("intake.support_team", UNITS, {"full_name": "Tổ viên mới", "email": "to-vien@example.vn"}),
    Post("intake.support_deactivate", UNIT_A),
    # Other people's objects.
    Post("exhibits.edit", ("unit_b", "organizer"), exhibit_form(title="Sửa hộ"), args={"exhibit_id": "submitted_b"}),
    Post("exhibits.submit", ("unit_b",), args={"exhibit_id": "draft_b"}),
    Post("exhibits.withdraw", ("unit_b",), args={"exhibit_id": "submitted_b"}),
    Post("exhibits.remove_file", ("unit_b", "organizer"), args={"attachment_id": "draft_b_file"}),
    # Unit B's accepted exhibit is public, so unit A can see it, but it is not unit A's to change.
    Post("exhibits.edit", ("organizer",), exhibit_form(title="Sửa hộ"), args={"exhibit_id": "accepted_b"}),
    Post("exhibits.submit", ("unit_b",), args={"exhibit_id": "accepted_b"}, changes=False),
    Post("exhibits.withdraw", ("unit_b",), args={"exhibit_id": "accepted_b"}, changes=False),
    Post(
        "judging.sheet",
        (),
        {"points-@criterion_0": "1", "points-@criterion_1": "1", "client_id": "form-2", "base": "0"},
        args={"sheet_id": "other_sheet"},
    ),
    Post("judging.save", (), sheet_snapshot(9), args={"sheet_id": "other_sheet"}, json=True),
    Post(
        "booths.sheet",
        (),
        {"points-@booth_criterion_0": "1", "base": "0"},
        args={"booth_sheet_id": "other_booth_sheet"},
    ),
    Post("judging.submit", (), sheet_snapshot(9), args={"sheet_id": "other_sheet"}, json=True),
    Post("badges.mine_delete", (), args={"attendee_id": "guest"}),
    Post("badges.mine_delete", ("unit_b",), args={"attendee_id": "delegate_b"}),
    Post(
        "checkin.check_in",
        (),
        {"gate": "Cổng chính", "nonce": "nonce-search-2"},
        args={"attendee_id": "old_attendee"},
        json=True,
    ),
]

# The festival ------------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path):
    """This module's app keeps CSRF protection on."""
    return make_app(tmp_path, WTF_CSRF_ENABLED=True)


def _rubric_inputs():
    return [
        rubrics.CriterionInput("Tính mới, tính sáng tạo", "Novelty", max_points=50),
        rubrics.CriterionInput("Hiệu quả", "Effect", max_points=50),
    ]


@pytest.fixture
def world(app, people):
    """One object for every URL argument: exhibits of units A and B in several states with files,
    a rubric and sheets, a conflict, attendees, a certificate, a print job, a programme line."""
    ids = people["ids"]
    with app.app_context():
        festival = db.session.get(Festival, ids["festival"])
        category = db.session.get(Category, ids["category"])
        unit_a, unit_b = db.session.get(Unit, ids["unit_a"]), db.session.get(Unit, ids["unit_b"])
        organizer, judge = db.session.get(User, ids["organizer_user"]), db.session.get(User, ids["judge_user"])
        unit_a_user, unit_b_user = db.session.get(User, ids["unit_a_user"]), db.session.get(User, ids["unit_b_user"])
        other_judge = factories.make_user(Role.JUDGE, email="judge-2@example.vn")
        third_judge = factories.make_user(Role.JUDGE, email="judge-3@example.vn")
        spare_unit = factories.make_unit("UNITC")
        spare_category = factories.make_category(festival, code="MT", name_vi="Môi trường")
        old_festival = factories.make_festival(is_current=False, registration_open=False, judging_open=False)

        # Judging is open today: past JUDGE_REMINDER_HOUR local time the reminders would fall due, and
        # "Gửi nhắc việc" would queue mail depending on the hour the suite runs.
        app.config["JUDGE_REMINDER_HOUR"] = 24
        now = utcnow()
        make = factories.make_exhibit
        draft = make(festival, unit_a, category, status=ExhibitStatus.DRAFT, title="Bản nháp của A")
        submitted = make(festival, unit_a, category, status=ExhibitStatus.SUBMITTED, title="Chờ duyệt của A")
        accepted_a = make(
            festival,
            unit_a,
            category,
            status=ExhibitStatus.ACCEPTED,
            code="KT-01",
            code_number=1,
            booth="1",
            title="Đã duyệt của A",
        )
        draft_b = make(festival, unit_b, category, status=ExhibitStatus.DRAFT, title="Bản nháp của B")
        submitted_b = make(festival, unit_b, category, status=ExhibitStatus.SUBMITTED, title="Chờ duyệt của B")
        accepted_b = make(
            festival,
            unit_b,
            category,
            status=ExhibitStatus.ACCEPTED,
            code="KT-02",
            code_number=2,
            booth="2",
            title="Đã duyệt của B",
        )
        # Through festival.core.uploads.store_upload, so the files really are in the store.
        (draft_file,) = exhibits.add_attachments(draft, [("anh.jpg", factories.jpeg_bytes())], by=unit_a_user, now=now)
        (accepted_file,) = exhibits.add_attachments(
            accepted_a, [("anh.jpg", factories.jpeg_bytes())], by=unit_a_user, now=now
        )
        # The author agreed to the public gallery: the accepted exhibit's photo is public.
        consent = consents.give_author_consent(accepted_a.authors[0], how="web", by=unit_a_user, now=now)
        (draft_b_file,) = exhibits.add_attachments(
            draft_b, [("tai-lieu.pdf", factories.pdf_bytes())], by=unit_b_user, now=now
        )

        rubric = rubrics.save_rubric(festival, None, _rubric_inputs(), by=organizer)
        criteria = [c.id for c in rubric.criteria]
        panels.declare_conflict(other_judge, accepted_a, "Cùng đơn vị cũ", by=organizer)
        conflict = panels.declare_conflict(third_judge, draft, "Người quen", by=organizer)
        sheet = panels.add_assignment(accepted_b, judge, by=organizer)
        submitted_sheet = panels.add_assignment(accepted_a, judge, by=organizer)
        other_sheet = panels.add_assignment(accepted_b, other_judge, by=organizer)
        scores = {criteria[0]: Decimal(40), criteria[1]: Decimal(35)}
        scoring.submit_sheet(submitted_sheet, judge, scoring.SheetInput("seed", 1, scores, {}, "Tốt"), now)
        scoring.save_sheet(other_sheet, other_judge, scoring.SheetInput("seed", 1, scores, {}, "Đang chấm"), now)
        stand_report = control.report_unattended(other_sheet, other_judge, now)
        booths.set_booth_panel(festival, {judge.id, other_judge.id}, by=organizer)
        booths.assign_booth_judges(festival, by=organizer)
        booth_sheets = {(s.unit_id, s.judge_id): s for s in db.session.execute(db.select(BoothSheet)).scalars()}
        booth_criteria = [c.id for c in booths.booth_criteria(festival)]
        submitted_booth_sheet = booth_sheets[(unit_a.id, judge.id)]
        booth_scoring.submit_booth_sheet(
            submitted_booth_sheet,
            judge,
            booth_scoring.BoothSheetInput({criterion: Decimal(8) for criterion in booth_criteria}, "Đẹp", 0),
            now,
        )

        delegate_role, guest_role = badges.role_by_code(festival, "delegate"), badges.role_by_code(festival, "guest")
        delegate_a = badges.register_delegate(
            festival,
            unit_a,
            badges.AttendeeInput("Nguyễn Thị Hằng", delegate_role, phone="0912 345 678"),
            by=unit_a_user,
        )
        delegate_b = badges.register_delegate(
            festival, unit_b, badges.AttendeeInput("Trần Văn Bình", delegate_role, phone="0913 111 222"), by=unit_b_user
        )
        guest = badges.add_attendee(
            festival, badges.AttendeeInput("Lê Văn Đức", guest_role, organisation="Báo Lao Động"), by=organizer
        )
        old_attendee = badges.add_attendee(
            old_festival,
            badges.AttendeeInput("Khách lần trước", badges.role_by_code(old_festival, "guest")),
            by=organizer,
        )

        # An award certificate needs final results; they are reopened afterwards so judges may still score.
        db.session.add(Award(festival=festival, exhibit=accepted_a, tier=AwardTier.FIRST, rank=1, score=Decimal("75")))
        policy = policy_for(festival)
        policy.finalised_at = now
        certificates.issue(festival, CertificateKind.AWARD, date.today(), by=organizer)
        policy.finalised_at = None
        certificate = db.session.execute(db.select(Certificate)).scalars().one()

        item = admin_services.add_programme_item(
            festival, now + timedelta(days=1), None, "Khai mạc", "Hội trường", by=organizer
        )
        _invitee, invitation_token = accounts.create_account(
            "invitee@example.vn", "Người được mời", Role.JUDGE, None, now, by=organizer
        )
        sent_mail = notify.exhibit_status(accepted_a, by=organizer)[0]  # sent to the file outbox at commit
        failed_mail = notify.exhibit_status(submitted, by=organizer)[0]
        db.session.flush()
        failed_mail.status, failed_mail.last_error = MailStatus.FAILED, "554 5.7.1 Rejected"
        mail_batch = MailBatch(kind="invitation", title="Lời mời", total=0)
        db.session.add(mail_batch)
        reset_token = "reset-token-for-the-judge"
        judge.reset_hash = hashlib.sha256(reset_token.encode()).hexdigest()
        judge.reset_expires_at = now + timedelta(hours=1)
        attendees_file = write_xlsx([("Danh sách", ["Họ và tên", "Vai trò"], [["Khách nhập từ tệp", "Khách mời"]])])
        attendee_upload = staging.stage(attendees_file, "khach.xlsx", "attendees", festival, organizer)
        attendee_fingerprint = preview(
            festival, ATTENDEES, read_workbook(attendees_file), attendee_upload.choices
        ).fingerprint(frozenset())
        exhibits_file = write_xlsx([("Danh sách", ["Mã đơn vị", "Tên sáng kiến"], [["UNITA", "Sáng kiến nhập"]])])
        exhibit_upload = staging.stage(exhibits_file, "sang-kien.xlsx", "exhibits", festival, organizer)
        register_file = write_xlsx(
            [("Danh sách", ["Mã đơn vị", "Tên sáng kiến", "Tác giả"], [["UNITA", "Sáng kiến nhập từ sổ", "Lê Văn An"]])]
        )
        register_upload = staging.stage(register_file, "so.xlsx", "initiatives", festival, organizer)
        register_fingerprint = preview(
            festival, register_import.register_list(None), read_workbook(register_file), register_upload.choices
        ).fingerprint(frozenset())
        support_register_upload = staging.stage(
            register_file, "so.xlsx", "initiatives", festival, db.session.get(User, ids["support_a_user"])
        )
        other_organizer = factories.make_user(Role.ORGANIZER, email="organizer-2@example.vn")
        other_upload = staging.stage(attendees_file, "khach.xlsx", "attendees", festival, other_organizer)
        db.session.add(VotePolicy(festival=festival, is_enabled=True, voter_roles=[], unlock_reason=""))
        paper_entry = PaperBallots(festival_id=festival.id, exhibit=accepted_a, count=3, entered_by=organizer)
        db.session.add(paper_entry)
        held_scans = [
            HeldScan(
                festival_id=festival.id,
                attendee=delegate_a,
                gate="Cổng phụ",
                badge=ScanResult.CHECKED_IN,
                nonce=f"nonce-held-{n}",
                reason=HoldReason.OUTSIDE_FESTIVAL,
                claimed_at=now - timedelta(days=2000),
            )
            for n in (1, 2)
        ]
        db.session.add_all(held_scans)
        breach = breaches.record_breach(
            festival, {"what_happened": "Lộ danh sách", "found_at": now - timedelta(days=1)}, by=organizer
        )
        data_request = data_requests.log_request(
            festival,
            {
                "subject_name": "Lê Thị Hoa",
                "subject_contact": "hoa@example.vn",
                "right": "access",
                "channel": "email",
                "received_at": now - timedelta(days=1),
            },
            by=organizer,
            now=now,
        )
        team_a = intake.add_team(unit_a, "Xí nghiệp May 1", "Tổ may 3", by=unit_a_user)
        recognised_initiative = make_initiative(unit_a.id)
        # Its three years evaluated: no re-evaluation reminder falls due in this world, whatever the day.
        recognised_initiative.benefits.append(InitiativeBenefit(year_index=3, benefit_vnd=0))
        for benefit in recognised_initiative.benefits:
            benefit.evaluated_on = date(2026, 9, 1)
        db.session.flush()
        recognised_a = Initiative(
            unit=unit_a,
            year=date.today().year,
            number=1,
            title="Cữ gá may túi",
            state=InitiativeState.RECOGNISED,
            first_applied_on=date.today() - timedelta(days=400),
        )
        recognised_a.authors.append(InitiativeAuthor(full_name="Nguyễn Thị Hoà", share_percent=100))
        recognised_a.benefits.append(
            InitiativeBenefit(year_index=1, benefit_vnd=200_000_000, evaluated_on=date.today() - timedelta(days=30))
        )
        db.session.add(recognised_a)
        # The programme register: unit A's initiatives at each step (the first with a photo), and one of unit B.
        support_a = db.session.get(User, ids["support_a_user"])

        def initiative_of(unit, user, title):
            author = initiatives.AuthorInput("Nguyễn Thị Hoà", phone="0912 000 111", share_percent=100)
            data = initiatives.InitiativeInput(title, InitiativeField.PRODUCTION, [author], effect_summary="Nhanh hơn.")
            return initiatives.create_initiative(unit, data, by=user, today=date.today())

        initiative_a = initiative_of(unit_a, support_a, "Ý tưởng của A")
        (initiative_file,) = initiatives.add_files(initiative_a, [("anh.jpg", factories.jpeg_bytes())], by=support_a)
        initiative_b = initiative_of(unit_b, unit_b_user, "Ý tưởng của B")
        proposed_initiative_a = initiative_of(unit_a, support_a, "Đã đề xuất của A")
        initiative_steps.propose(proposed_initiative_a, by=support_a)
        applied_initiative_a = initiative_of(unit_a, support_a, "Đã áp dụng của A")
        requested_initiative_a = initiative_of(unit_a, support_a, "Đã yêu cầu công nhận của A")
        recognised_initiative_a = initiative_of(unit_a, support_a, "Đã công nhận của A")
        for step in (applied_initiative_a, requested_initiative_a, recognised_initiative_a):
            initiative_steps.propose(step, by=support_a)
            initiative_steps.apply(
                step, Application.TRIAL, date.today() - timedelta(days=30), by=support_a, today=date.today()
            )
        for step in (requested_initiative_a, recognised_initiative_a):
            initiative_steps.request_recognition(
                step, date.today() - timedelta(days=10), by=support_a, today=date.today()
            )
        decision = initiative_steps.Decision(True, True, True, True, "11/QĐ", date.today(), RecognitionLevel.BASE)
        initiative_steps.decide(recognised_initiative_a, decision, by=support_a, today=date.today())
        db.session.add(
            UnitTarget(unit=unit_a, year=festival_today().year - 1, members=120, target=12, emulation_group="Cụm May")
        )
        job = jobs.create_job("badges", "In 1 thẻ", {}, by=organizer)
        job.filename, job.status, job.finished_at = f"{job.id}-0123456789abcdef-the.pdf", JobStatus.DONE, now
        storage.store("prints").put(job.filename, factories.pdf_bytes())
        db.session.commit()
        return {
            **ARGUMENTS,
            "festival": festival.id,
            "festival_edition": festival.edition,
            "old_festival": old_festival.id,
            "category": category.id,
            "spare_category": spare_category.id,
            "unit_a": unit_a.id,
            "unit_b": unit_b.id,
            "spare_unit": spare_unit.id,
            "judge_user": judge.id,
            "unit_a_user": unit_a_user.id,
            "third_judge": third_judge.id,
            "draft": draft.id,
            "submitted": submitted.id,
            "accepted_a": accepted_a.id,
            "draft_b": draft_b.id,
            "submitted_b": submitted_b.id,
            "accepted_b": accepted_b.id,
            "draft_file": draft_file.id,
            "accepted_file": accepted_file.id,
            "consent": consent.id,
            "draft_author": draft.authors[0].id,
            "draft_b_file": draft_b_file.id,
            "criterion_0": criteria[0],
            "criterion_1": criteria[1],
            "rubric": rubric.id,
            "sheet": sheet.id,
            "submitted_sheet": submitted_sheet.id,
            "other_sheet": other_sheet.id,
            "conflict": conflict.id,
            "panel_member": f"{category.id}:{third_judge.id}",
            "delegate_a": delegate_a.id,
            "delegate_b": delegate_b.id,
            "guest": guest.id,
            "old_attendee": old_attendee.id,
            "delegate_token": delegate_a.badge_token,
            "delegate_role": delegate_role.id,
            "guest_role": guest_role.id,
            "certificate": certificate.id,
            "serial": certificate.serial,
            "certificate_code": certificate.verification_code,
            "programme_item": item.id,
            "recognised_initiative": recognised_initiative.id,
            "stand_report": stand_report.id,
            "booth_sheet": booth_sheets[(unit_b.id, judge.id)].id,
            "other_booth_sheet": booth_sheets[(unit_b.id, other_judge.id)].id,
            "submitted_booth_sheet": submitted_booth_sheet.id,
            "booth_criterion_0": booth_criteria[0],
            "booth_criterion_1": booth_criteria[1],
            "print_job": job.id,
            "invitation_token": invitation_token,
            "invitee": _invitee.id,
            "sent_mail": sent_mail.id,
            "failed_mail": failed_mail.id,
            "mail_batch": mail_batch.id,
            "mail_kind": "invitation",
            "reset_token": reset_token,
            "attendee_upload": attendee_upload.id,
            "attendee_fingerprint": attendee_fingerprint,
            "exhibit_upload": exhibit_upload.id,
            "register_upload": register_upload.id,
            "register_fingerprint": register_fingerprint,
            "support_register_upload": support_register_upload.id,
            "other_organizers_upload": other_upload.id,
            "paper_entry": paper_entry.id,
            "held_scan": held_scans[0].id,
            "other_held_scan": held_scans[1].id,
            "breach": breach.id,
            "data_request": data_request.id,
            "initiative_a": initiative_a.id,
            "initiative_file": initiative_file.id,
            "initiative_b": initiative_b.id,
            "proposed_initiative_a": proposed_initiative_a.id,
            "applied_initiative_a": applied_initiative_a.id,
            "requested_initiative_a": requested_initiative_a.id,
            "recognised_initiative_a": recognised_initiative_a.id,
            "team_a": team_a.id,
            "team_a_key": team_a.intake_key,
            "support_a_user": ids["support_a_user"],
            "recognised_a": recognised_a.id,
        }


# Visitors ----------------------------------------------------------------------------------

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client) -> str:
    """The token of the client's session, read from a page as a browser would."""
    page = client.get("/").get_data(as_text=True)
    return CSRF_META.search(page).group(1)


@dataclass
class Visitor:
    name: str
    client: object
    token: str


def sign_in(app, email=None) -> Visitor:
    """A fresh client, signed in with a CSRF token when an e-mail is given."""
    client = app.test_client()
    if email is not None:
        response = client.post(
            "/auth/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": csrf_token(client)}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    return Visitor("", client, csrf_token(client))


@pytest.fixture
def visitors(app, people, world):
    """One signed-in client per kind of visitor (and one that is not signed in)."""
    made = {"anonymous": sign_in(app)}
    made.update({name: sign_in(app, people["emails"][name]) for name in VISITORS if name != "anonymous"})
    for name, visitor in made.items():
        visitor.name = name
    return made


# Helpers -----------------------------------------------------------------------------------


def resolve(value, world):
    """`world[key]` for "@key" (inside dict keys and values too), else the value itself."""
    if isinstance(value, dict):
        return {resolve_key(k, world): resolve(v, world) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("@"):
        return world[value[1:]]
    return value


def resolve_key(key, world):
    return re.sub(r"@(\w+)", lambda m: str(world[m.group(1)]), key) if isinstance(key, str) else key


def path_of(rule, world, overrides=None) -> str:
    """The rule's URL with every argument filled from the world."""
    names = {**ARGUMENT_OVERRIDES.get(rule.endpoint, {}), **(overrides or {})}
    values = {}
    for argument in rule.arguments - set(rule.defaults or {}):
        key = names.get(argument, ARGUMENTS[argument])
        values[argument] = world.get(key, key)
    return rule.build(values, append_unknown=False)[1]


def rules_of(app, endpoint):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]


def describe(response) -> str:
    if response.status_code in (301, 302, 303):
        return f"{response.status_code} → {urlsplit(response.headers['Location']).path}"
    # A form shown again says why: its field errors and flashed messages.
    problems = re.findall(r'class="(?:invalid-feedback|alert )[^"]*"[^>]*>\s*([^<]+)', response.get_data(as_text=True))
    return " ".join([str(response.status_code), *(p.strip() for p in problems)])


def matches(response, expected) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/auth/login"
    return response.status_code == expected


def headers_for(endpoint, visitor=None) -> dict:
    headers = {"Accept": "application/json"} if endpoint in JSON_ENDPOINTS else {}
    if visitor is not None:
        headers["X-CSRFToken"] = visitor.token
    return headers


def snapshot(app) -> dict:
    """Every row of every table, to compare before and after requests."""
    with app.app_context():
        state = {}
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            state[table.name] = [tuple(row) for row in rows]
        db.session.remove()
        return state


def changes(before: dict, after: dict) -> list[str]:
    """The tables whose rows differ, with the first differing row."""
    found = []
    for table, rows in before.items():
        if after[table] != rows:
            old, new = set(map(repr, rows)), set(map(repr, after[table]))  # JSON columns hold dicts
            found.append(
                f"{table}: {len(rows)} → {len(after[table])} rows; was {sorted(old - new)[:1]} now "
                f"{sorted(new - old)[:1]}"
            )
    return found


def get_all(app, world, visitors):
    """Every GET of EXPECTED and OBJECT_GETS by every visitor; returns the mismatches."""
    requests = [(rule, None, EXPECTED.get(rule.endpoint)) for rule in app.url_map.iter_rules() if "GET" in rule.methods]
    requests += [
        (rule, overrides, expected)
        for endpoint, overrides, expected in OBJECT_GETS
        for rule in rules_of(app, endpoint)[:1]
    ]
    mismatches = []
    for rule, overrides, expected in requests:
        if expected is None:
            continue  # reported by test_every_rule_is_classified
        path = path_of(rule, world, overrides)
        for name in VISITORS:
            response = visitors[name].client.get(path, headers=headers_for(rule.endpoint))
            if not matches(response, expected[name]):
                mismatches.append(
                    f"{name:>9} GET  {path} ({rule.endpoint}): expected {expected[name]}, got {describe(response)}"
                )
            response.close()
    return mismatches


# Tests -------------------------------------------------------------------------------------


def test_every_rule_is_classified(app):
    """A new route fails here until someone writes down who may GET and POST it."""
    rules = list(app.url_map.iter_rules())
    endpoints = {rule.endpoint for rule in rules}
    posted = {post.endpoint for post in POSTS}
    problems = [
        f"no EXPECTED entry for {rule.endpoint} ({rule.rule})" for rule in rules if rule.endpoint not in EXPECTED
    ]
    problems += [
        f"no POSTS entry for {rule.endpoint} ({rule.rule})"
        for rule in rules
        if "POST" in rule.methods and rule.endpoint not in posted
    ]
    problems += [f"EXPECTED names {endpoint}, which no rule has" for endpoint in EXPECTED.keys() - endpoints]
    problems += [f"POSTS names {endpoint}, which no rule has" for endpoint in posted - endpoints]
    problems += [
        f"POSTS has {post.endpoint}, which takes no POST"
        for post in POSTS
        if post.endpoint in endpoints and not any("POST" in r.methods for r in rules_of(app, post.endpoint))
    ]
    problems += [
        f"{endpoint} takes GET but EXPECTED says POST only"
        for endpoint, expected in EXPECTED.items()
        if expected is POST_ONLY and any("GET" in r.methods for r in rules_of(app, endpoint))
    ]
    assert not problems, "\n".join(problems)


def test_every_rule_answers_each_visitor_as_expected_and_no_get_changes_anything(app, world, visitors):
    """GET every URL rule (and other people's objects) as each visitor; nothing may change."""
    before = snapshot(app)
    mismatches = get_all(app, world, visitors)
    changed = changes(before, snapshot(app))
    assert not mismatches, f"{len(mismatches)} unexpected answers:\n" + "\n".join(mismatches)
    assert not changed, "GET requests changed the database:\n" + "\n".join(changed)


def post(visitor, path, endpoint, data, *, as_json=False, token="own"):
    """POST as `visitor` with its CSRF token (token=None: without one; or another token)."""
    token = visitor.token if token == "own" else token
    headers = headers_for(endpoint)
    if as_json:
        if token is not None:
            headers["X-CSRFToken"] = token
        return visitor.client.post(path, json=data, headers=headers)
    return visitor.client.post(
        path, data={**data, **({"csrf_token": token} if token is not None else {})}, headers=headers
    )


def refusal(endpoint, name):
    """What a visitor who may not make a request should get."""
    if name == "anonymous":
        return (401,) if endpoint in JSON_ENDPOINTS else (LOGIN,)
    return (403, 404)


def test_posts_by_visitors_who_may_not_make_them_are_refused_and_change_nothing(app, world, visitors):
    """Every POST route, with a valid CSRF token and valid data, by everyone not allowed."""
    failures = []
    for case in POSTS:
        rule = next(r for r in rules_of(app, case.endpoint) if "POST" in r.methods)
        path, data = path_of(rule, world, case.args), resolve(case.data, world)
        for name in VISITORS:
            if name in case.allowed:
                continue
            before = snapshot(app)
            response = post(visitors[name], path, case.endpoint, data, as_json=case.json)
            expected = refusal(case.endpoint, name)
            if not any(matches(response, e) for e in expected):
                failures.append(
                    f"{name:>9} POST {path} ({case.endpoint}): expected {' or '.join(map(str, expected))}, got "
                    f"{describe(response)}"
                )
            failures += [
                f"{name:>9} POST {path} ({case.endpoint}) changed {change}" for change in changes(before, snapshot(app))
            ]
    assert not failures, f"{len(failures)} refused POSTs misbehaved:\n" + "\n".join(failures)


# CSRF -------------------------------------------------------------------------------------


def is_csrf_refusal(response) -> bool:
    if response.status_code != 400:
        return False
    if response.is_json:
        return response.get_json()["code"] == "csrf"
    return "Phiên làm việc của biểu mẫu đã hết hạn" in response.get_data(as_text=True)


def assert_csrf_guarded(app, visitor, foreign_token, path, endpoint, data, *, as_json=False):
    """Without a token, and with another session's token: 400 and nothing changed."""
    before = snapshot(app)
    for label, token in (("no token", None), ("another session's token", foreign_token)):
        response = post(visitor, path, endpoint, data, as_json=as_json, token=token)
        assert is_csrf_refusal(response), f"{endpoint} with {label}: {describe(response)}"
        assert not changes(before, snapshot(app)), f"{endpoint} with {label} changed {changes(before, snapshot(app))}"
    return post(visitor, path, endpoint, data, as_json=as_json)  # with its own token: accepted


def rows(app, model, **where):
    with app.app_context():
        found = db.session.execute(db.select(model).filter_by(**where)).scalars().all()
        db.session.expunge_all()
        return found


def one(app, model, object_id):
    with app.app_context():
        found = db.session.get(model, object_id)
        db.session.expunge_all()
        return found


def test_sign_in_needs_the_sessions_own_csrf_token(app, people, visitors):
    client = app.test_client()
    stranger = Visitor("stranger", client, csrf_token(client))
    data = {"email": people["emails"]["unit_a"], "password": factories.PASSWORD}
    response = assert_csrf_guarded(app, stranger, visitors["anonymous"].token, "/auth/login", "auth.login", data)
    assert response.status_code == 302 and client.get("/auth/account").status_code == 200


def test_exhibit_submit_needs_the_sessions_own_csrf_token(app, world, visitors):
    path = f"/exhibits/{world['draft']}/submit"
    response = assert_csrf_guarded(app, visitors["unit_a"], visitors["unit_b"].token, path, "exhibits.submit", {})
    assert response.status_code == 302 and one(app, Exhibit, world["draft"]).status is ExhibitStatus.SUBMITTED


def test_json_sheet_save_needs_the_csrf_header(app, world, visitors):
    path, data = f"/judging/sheets/{world['sheet']}/save", resolve(sheet_snapshot(1), world)
    response = assert_csrf_guarded(
        app, visitors["judge"], visitors["organizer"].token, path, "judging.save", data, as_json=True
    )
    assert response.status_code == 200 and response.get_json()["status"] == "saved"
    assert one(app, ScoreSheet, world["sheet"]).status is SheetStatus.DRAFT


def test_check_in_scan_needs_the_csrf_header(app, world, visitors):
    data = {"code": world["delegate_token"], "gate": "Cổng chính", "nonce": uuid.uuid4().hex}
    response = assert_csrf_guarded(
        app, visitors["checkin"], visitors["judge"].token, "/checkin/scan", "checkin.scan", data, as_json=True
    )
    assert response.status_code == 200 and response.get_json()["result"] == "checked_in"
    assert one(app, Attendee, world["delegate_a"]).checked_in_at is not None


def test_certificate_revoke_needs_the_sessions_own_csrf_token(app, world, visitors):
    path = f"/certificates/{world['certificate']}/revoke"
    response = assert_csrf_guarded(
        app, visitors["organizer"], visitors["checkin"].token, path, "certificates.revoke", {"reason": "Cấp nhầm"}
    )
    assert (
        response.status_code == 302 and one(app, Certificate, world["certificate"]).status is CertificateStatus.REVOKED
    )


# Numbers too large to be ids ----------------------------------------------------------------


def test_ids_too_large_for_the_database_are_not_found_instead_of_a_500(app, world, visitors):
    """Past INTEGER's range PostgreSQL refuses the query; such a URL is simply not found."""
    failures = []
    for rule in app.url_map.iter_rules():
        huge = {name: 2**31 for name in re.findall(r"<int:(\w+)>", rule.rule)}
        if huge:
            path = path_of(rule, world, huge)
            if "GET" in rule.methods:
                method, response = "GET", visitors["organizer"].client.get(path, headers=headers_for(rule.endpoint))
            else:
                method, response = (
                    "POST",
                    post(visitors["organizer"], path, rule.endpoint, {}, as_json=rule.endpoint in JSON_ENDPOINTS),
                )
            if response.status_code != 404:
                failures.append(f"{method} {path}: {describe(response)}")
    for path in ("/gallery", "/exhibits/", "/attendees/", "/certificates/", "/admin/audit", "/exhibits/statistics"):
        response = visitors["organizer"].client.get(f"{path}?unit={2**31}&category={10**20}&role=-1&page={2**63}")
        if response.status_code != 200:
            failures.append(f"GET {path} with huge filters: {describe(response)}")
    assert not failures, "\n".join(failures)


# Mass assignment ---------------------------------------------------------------------------


def test_exhibit_edit_ignores_posted_unit_status_code_and_festival(app, world, visitors):
    extra = {
        "unit_id": world["unit_b"],
        "status": "accepted",
        "code": "KT-99",
        "code_number": "99",
        "booth": "99",
        "festival_id": world["old_festival"],
    }
    response = post(
        visitors["unit_a"],
        f"/exhibits/{world['draft']}/edit",
        "exhibits.edit",
        resolve(exhibit_form(title="Tên mới", **extra), world),
    )
    assert response.status_code == 302, describe(response)
    exhibit = one(app, Exhibit, world["draft"])
    assert exhibit.title == "Tên mới"  # the edit itself went through
    assert (exhibit.unit_id, exhibit.status, exhibit.code, exhibit.booth, exhibit.festival_id) == (
        world["unit_a"],
        ExhibitStatus.DRAFT,
        None,
        None,
        world["festival"],
    )


def test_sheet_save_ignores_posted_locked_status_judge_and_rubric(app, world, visitors):
    extra = {
        "locked": True,
        "is_locked": True,
        "status": "submitted",
        "judge_id": world["third_judge"],
        "rubric_id": world["rubric"] + 100,
        "submitted_at": "2020-01-01T00:00:00",
    }
    response = post(
        visitors["judge"],
        f"/judging/sheets/{world['sheet']}/save",
        "judging.save",
        resolve(sheet_snapshot(1, **extra), world),
        as_json=True,
    )
    assert response.status_code == 200 and response.get_json()["status"] == "saved", describe(response)
    sheet = one(app, ScoreSheet, world["sheet"])
    assert (sheet.status, sheet.judge_id, sheet.rubric_id, sheet.submitted_at) == (
        SheetStatus.DRAFT,
        one(app, User, world["judge_user"]).id,
        world["rubric"],
        None,
    )


PROTECTED_ATTENDEE_FIELDS = {
    "source": "manual",
    "badge_token": "chosen-by-the-client",
    "checked_in_at": "2020-01-01T08:00",
    "checked_in_gate": "Cổng giả",
    "printed_at": "2020-01-01T08:00",
    "user_id": "1",
}


def test_attendee_edit_ignores_posted_source_festival_token_and_arrival(app, world, visitors):
    before = one(app, Attendee, world["delegate_a"])
    data = {
        "full_name": "Nguyễn Thị Hằng Nga",
        "role_id": world["delegate_role"],
        "unit_id": world["unit_a"],
        "phone": "0912 345 678",
        "festival_id": world["old_festival"],
        **PROTECTED_ATTENDEE_FIELDS,
    }
    response = post(visitors["organizer"], f"/attendees/{world['delegate_a']}", "badges.edit", data)
    assert response.status_code == 302, describe(response)
    after = one(app, Attendee, world["delegate_a"])
    assert after.full_name == "Nguyễn Thị Hằng Nga"  # the edit itself went through
    protected = ("source", "festival_id", "badge_token", "checked_in_at", "checked_in_gate", "printed_at", "user_id")
    assert [getattr(after, name) for name in protected] == [getattr(before, name) for name in protected]


def test_delegate_registration_ignores_posted_source_festival_token_unit_and_role(app, world, visitors):
    data = {
        "full_name": "Phạm Văn Mới",
        "phone": "0987 000 111",
        "festival_id": world["old_festival"],
        "unit_id": world["unit_b"],
        "role_id": world["guest_role"],
        **PROTECTED_ATTENDEE_FIELDS,
    }
    response = post(visitors["unit_a"], "/attendees/mine", "badges.mine", data)
    assert response.status_code == 302, describe(response)
    (added,) = rows(app, Attendee, full_name="Phạm Văn Mới")
    assert (added.source, added.festival_id, added.unit_id, added.role_id, added.user_id) == (
        AttendeeSource.UNIT,
        world["festival"],
        world["unit_a"],
        world["delegate_role"],
        None,
    )
    assert added.badge_token != "chosen-by-the-client" and (
        added.checked_in_at,
        added.checked_in_gate,
        added.printed_at,
    ) == (None, None, None)


ALLOWED_POSTS = [(case, name) for case in POSTS for name in case.allowed]


@pytest.mark.parametrize(
    ("case", "name"), ALLOWED_POSTS, ids=[f"{case.endpoint}-{name}" for case, name in ALLOWED_POSTS]
)
def test_posts_by_visitors_who_may_make_them_are_accepted(app, world, visitors, case, name):
    """The other side of the refusals: the same request, by someone allowed, goes through."""
    rule = next(r for r in rules_of(app, case.endpoint) if "POST" in r.methods)
    path, data = path_of(rule, world, case.args), resolve(case.data, world)
    before = snapshot(app)
    response = post(visitors[name], path, case.endpoint, data, as_json=case.json)
    # A form shown again with its problems answers 422: allowed, and it changes nothing.
    changes_expected = case.changes_for(name)
    assert response.status_code in ((200, 302) if changes_expected else (200, 302, 422)), describe(response)
    assert bool(changes(before, snapshot(app))) is changes_expected, describe(response)


# Personal data is collected only beside the privacy notice --------------------------------------------------

# A form field that takes a person's data: their name, e-mail, phone, or a file (photos of people, dossiers).
PERSONAL_FIELD = re.compile(
    r'<(?:input|textarea)\b[^>]*(?:type="(?:email|tel|file)"|name="(?:[\w-]*-)?(?:full_name|email|phone|job_title)")'
)
POST_FORM = re.compile(r'<form\b[^>]*method="post"[^>]*>(.*?)</form>', re.S | re.I)
NOTICE_LINK = re.compile(r'<a href="/privacy" class="privacy-notice-link">')
# Staff pages where organizers and gate staff type in other people's data from their own records: the people
# themselves are told where they give it (the registration form, the unit's declaration).
STAFF_ONLY = (ORGANIZER_ONLY, GATE_STAFF)


def test_every_page_that_collects_personal_data_links_the_privacy_notice(app, world, visitors):
    """Crawl every GET of the matrix as each visitor it answers; a page whose POST form asks for a name, an e-mail,
    a phone or a file must link the privacy notice (not only in the footer: beside the form)."""
    requests = [(rule, None, EXPECTED.get(rule.endpoint)) for rule in app.url_map.iter_rules() if "GET" in rule.methods]
    requests += [
        (rule, overrides, expected)
        for endpoint, overrides, expected in OBJECT_GETS
        for rule in rules_of(app, endpoint)[:1]
    ]
    collecting, missing = set(), []
    for rule, overrides, expected in requests:
        if expected is None or any(expected is staff for staff in STAFF_ONLY):
            continue
        path = path_of(rule, world, overrides)
        for name in VISITORS:
            if expected[name] != 200:
                continue
            response = visitors[name].client.get(path, headers=headers_for(rule.endpoint))
            page = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            response.close()
            if any(PERSONAL_FIELD.search(form) for form in POST_FORM.findall(page)):
                collecting.add(rule.endpoint)
                if not NOTICE_LINK.search(page):
                    missing.append(f"{name:>9} GET {path} ({rule.endpoint})")
    assert not missing, "Pages that collect personal data without the notice beside the form:\n" + "\n".join(missing)
    # The crawl reaches the collecting pages (a change to the patterns above cannot make it pass by finding none).
    assert {"exhibits.new", "exhibits.edit", "badges.mine", "auth.login"} <= collecting, sorted(collecting)
