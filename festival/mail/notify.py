"""What each step of the festival mails, and to whom: invitations and password resets, a unit's
exhibit reviewed, registration closing, a judge's list, its changes and reminders, badges and
certificates. Each function queues messages (committed by its caller) and returns them.

Features never call this module: they announce what happened (festival.core.events) and the receivers
at the end of this file decide what is mailed then. They run in the sender's transaction, so what they
queue commits or rolls back with the action."""

from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from festival.auth import services as accounts
from festival.booths import services as booth_services
from festival.certificates import printing as certificate_printing
from festival.core import events
from festival.core.errors import FestivalError
from festival.core.extensions import db
from festival.core.festivals import get_current_festival
from festival.judging import control, defences, scoring
from festival.judging.rounds import round_exhibits, rounds_of
from festival.mail import services
from festival.mail.services import Queued, Recipient
from festival.models import (
    Attendee,
    BoothSheet,
    Certificate,
    CertificateStatus,
    Exhibit,
    ExhibitStatus,
    Festival,
    Finalist,
    JudgingRound,
    MailMessage,
    MailStatus,
    Role,
    ScoreSheet,
    SheetStatus,
    User,
    utcnow,
)
from festival.util.formatting import fold, format_date, format_datetime, utc_to_local
from festival.util.urls import public_url

# Messages already in the outbox that count as "this was mailed" (a failed one may be sent again).
LIVE = (MailStatus.QUEUED, MailStatus.SENDING, MailStatus.SENT)


# Accounts -----------------------------------------------------------------------------------


def invite(user: User, by: User | None, batch=None, audit_entry=None) -> MailMessage | None:
    """Mail `user` an invitation (audited under `by`); None if they take no e-mail.

    The link is made by the worker as it sends the message (an older link stops working then): it is
    in no queue payload and in no copy of the message kept here.
    """
    recipient = Recipient.of_user(user)
    if not recipient.may_receive:
        return None
    accounts.record_invitation_mailed(user, by)
    values = {
        "role": str(user.role.label),
        "unit": user.unit.name if user.unit else "",
        "days": str(current_app.config["INVITATION_DAYS"]),
    }
    return services.queue(
        get_current_festival(), "invitation", recipient, values, by=by, secret_link=True, about=user, batch=batch,
        audit_entry=audit_entry,
    )  # fmt: skip


def pending_invitees(roles=(Role.UNIT, Role.JUDGE)) -> list[User]:
    """Active accounts of these roles whose owner has not set a password yet."""
    return list(
        db.session.execute(
            db.select(User)
            .where(User.role.in_(roles), User.password_hash.is_(None), User.is_active.is_(True))
            .order_by(User.role, User.full_name)
        ).scalars()
    )


def invite_all(roles, by: User, title: str):
    """Invitations in bulk to every pending account of `roles`, as one batch with its progress."""
    batch, entry = services.start_batch(get_current_festival(), "invitation", title, by)
    queued = Queued()
    for user in pending_invitees(roles):
        message = invite(user, by, batch=batch, audit_entry=entry)
        if message is None:
            queued.skipped += 1
        else:
            queued.messages.append(message)
    services.finish_batch(batch, entry, queued)
    return batch


def password_reset(user: User) -> MailMessage | None:
    """Queue a reset message to `user`; the worker makes its single-use link when it sends it."""
    values = {"minutes": str(current_app.config["PASSWORD_RESET_MINUTES"])}
    return services.queue(
        get_current_festival(), "password_reset", Recipient.of_user(user), values, by=None, secret_link=True, about=user
    )


# Units --------------------------------------------------------------------------------------


def unit_accounts(unit) -> list[User]:
    return list(
        db.session.execute(
            db.select(User)
            .where(User.unit_id == unit.id, User.role == Role.UNIT, User.is_active.is_(True))
            .order_by(User.id)
        ).scalars()
    )


EXHIBIT_KINDS = {
    ExhibitStatus.SUBMITTED: "exhibit_received",
    ExhibitStatus.ACCEPTED: "exhibit_accepted",
    ExhibitStatus.RETURNED: "exhibit_returned",
    ExhibitStatus.REJECTED: "exhibit_rejected",
}


def exhibit_status(exhibit: Exhibit, by: User | None) -> list[MailMessage]:
    """Tell the unit's accounts what became of their exhibit (received, accepted, returned, rejected)."""
    kind = EXHIBIT_KINDS.get(exhibit.status)
    if kind is None:
        return []
    values = {
        "unit": exhibit.unit.name,
        "exhibit": exhibit.title,
        "code": exhibit.code or "",
        "booth": " ".join(part for part in (exhibit.zone, exhibit.booth) if part) or "—",
        "comment": exhibit.review_comment or "",
        "reason": exhibit.review_comment or "",
        "link": public_url("exhibits.show", exhibit_id=exhibit.id),
    }
    sent = []
    for user in unit_accounts(exhibit.unit):
        message = services.queue(exhibit.festival, kind, Recipient.of_user(user), values, by=by, about=exhibit)
        if message is not None:
            sent.append(message)
    return sent


def finalists(judging_round: JudgingRound, by: User | None) -> list[MailMessage]:
    """Tell each unit with an exhibit in the round before which of them go on to `judging_round`, and when
    each defends (once the schedule is saved)."""
    festival = judging_round.festival
    previous = list(
        db.session.execute(round_exhibits(festival, judging_round.number - 1).order_by(Exhibit.code)).scalars()
    )
    going_on = set(
        db.session.execute(
            db.select(Finalist.exhibit_id).where(Finalist.round_id == judging_round.id, Finalist.included.is_(True))
        ).scalars()
    )
    times = defences.exhibit_defences([e.id for e in previous if e.id in going_on])
    by_unit: dict = {}
    for exhibit in previous:
        by_unit.setdefault(exhibit.unit, []).append(exhibit)
    sent = []
    for unit, exhibits in by_unit.items():
        lines = []
        for exhibit in exhibits:
            if exhibit.id not in going_on:
                lines.append(f"- {exhibit.code} {exhibit.title}: " + str(_l("không vào vòng")))
                continue
            defence = times.get(exhibit.id)
            when = (
                str(_l("bảo vệ lúc %(at)s", at=format_datetime(defence.starts_at)))
                if defence
                else str(_l("lịch bảo vệ sẽ được thông báo"))
            )
            lines.append(f"- {exhibit.code} {exhibit.title}: " + str(_l("vào vòng")) + f", {when}")
        values = {
            "unit": unit.name,
            "round": judging_round.name_vi,
            "list": "\n".join(lines),
            "link": public_url("exhibits.mine"),
        }
        for user in unit_accounts(unit):
            message = services.queue(festival, "finalists", Recipient.of_user(user), values, by=by, about=judging_round)
            if message is not None:
                sent.append(message)
    return sent


def registration_closing(festival: Festival, now: datetime, by: User | None = None) -> list[MailMessage]:
    """Three days before registration closes: each unit with drafts not submitted, once per festival."""
    if not (now < festival.registration_closes_at <= now + timedelta(days=3)):
        return []
    drafts = db.session.execute(
        db.select(Exhibit)
        .where(Exhibit.festival_id == festival.id, Exhibit.status.in_((ExhibitStatus.DRAFT, ExhibitStatus.RETURNED)))
        .order_by(Exhibit.unit_id, Exhibit.id)
    ).scalars()
    by_unit: dict = {}
    for exhibit in drafts:
        by_unit.setdefault(exhibit.unit, []).append(exhibit)
    sent = []
    for unit, exhibits in by_unit.items():
        values = {
            "unit": unit.name,
            "closes_at": format_datetime(festival.registration_closes_at),
            "drafts": "\n".join(f"- {e.title}" for e in exhibits),
            "link": public_url("exhibits.mine"),
        }
        for user in unit_accounts(unit):
            if _already(festival, "registration_closing", user_id=user.id):
                continue
            message = services.queue(festival, "registration_closing", Recipient.of_user(user), values, by=by)
            if message is not None:
                sent.append(message)
    return sent


def _already(festival: Festival | None, kind: str, **where) -> bool:
    stmt = db.select(MailMessage.id).where(MailMessage.kind == kind, MailMessage.status.in_(LIVE))
    if festival is not None:
        stmt = stmt.where(MailMessage.festival_id == festival.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(MailMessage, name) == value)
    return db.session.execute(stmt.limit(1)).first() is not None


# Judges -------------------------------------------------------------------------------------


def _route(judge: User, festival: Festival) -> list[ScoreSheet]:
    return control.walking_route(scoring.judge_sheets(judge, festival))


def _line(position: int, exhibit: Exhibit) -> str:
    booth = " ".join(part for part in (exhibit.zone, exhibit.booth) if part) or "—"
    return f"{position}. {exhibit.code or '—'} – gian {booth} – {exhibit.title}"


def _list_text(sheets: list[ScoreSheet]) -> str:
    return "\n".join(_line(i, s.exhibit) for i, s in enumerate(sheets, 1)) or "—"


def judges_with_sheets(festival: Festival) -> list[User]:
    return list(
        db.session.execute(
            db.select(User)
            .where(
                User.id.in_(
                    db.select(ScoreSheet.judge_id).join(ScoreSheet.exhibit).where(Exhibit.festival_id == festival.id)
                )
            )
            .order_by(User.full_name)
        ).scalars()
    )


def _last_list(festival: Festival, judge: User) -> MailMessage | None:
    return db.session.execute(
        db.select(MailMessage)
        .where(
            MailMessage.festival_id == festival.id,
            MailMessage.user_id == judge.id,
            MailMessage.kind.in_(("judge_assignments", "judge_assignments_changed")),
            MailMessage.status.in_(LIVE),
        )
        .order_by(MailMessage.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def judge_lists(festival: Festival, by: User, title: str):
    """Each judge's list (exhibits, booths, in walking order), as one batch."""
    batch, entry = services.start_batch(festival, "judge_assignments", title, by)
    queued = Queued()
    for judge in judges_with_sheets(festival):
        route = _route(judge, festival)
        values = {"count": str(len(route)), "list": _list_text(route), "link": public_url("judging.home")}
        facts = {"exhibits": [s.exhibit_id for s in route]}
        message = services.queue(
            festival, "judge_assignments", Recipient.of_user(judge), values, by=by, facts=facts, batch=batch,
            audit_entry=entry,
        )  # fmt: skip
        if message is None:
            queued.skipped += 1
        else:
            queued.messages.append(message)
    services.finish_batch(batch, entry, queued)
    return batch


def judge_list_changed(festival: Festival, judge: User, by: User | None) -> MailMessage | None:
    """After a judge's list was mailed, tell them what changed (nothing if it did not, or was never sent)."""
    last = _last_list(festival, judge)
    if last is None:
        return None
    route = _route(judge, festival)
    now_ids = [s.exhibit_id for s in route]
    before = list(last.facts.get("exhibits", []))
    if set(before) == set(now_ids):
        return None
    added = [s.exhibit for s in route if s.exhibit_id not in before]
    removed = [db.session.get(Exhibit, i) for i in before if i not in now_ids]
    values = {
        "count": str(len(route)),
        "list": _list_text(route),
        "added": "\n".join(f"- {e.code or '—'} – {e.title}" for e in added) or "—",
        "removed": "\n".join(f"- {e.code or '—'} – {e.title}" for e in removed if e is not None) or "—",
        "link": public_url("judging.home"),
    }
    return services.queue(
        festival, "judge_assignments_changed", Recipient.of_user(judge), values, by=by, facts={"exhibits": now_ids}
    )


def judge_reminders(festival: Festival, day: date, by: User | None = None) -> list[MailMessage]:
    """End of a judging day: each judge with sheets not submitted in a round open that day, and booth sheets
    not submitted while the festival's judging is open, once a day."""
    sent = []
    day_text = format_date(day)
    days = {r.number: _local_days(r.window()) for r in rounds_of(festival)}
    booth_days = _local_days((festival.judging_opens_at, festival.judging_closes_at))
    booth_sheets: dict[int, list[BoothSheet]] = {}
    if booth_days[0] <= day <= booth_days[1]:
        for booth_sheet in booth_services.festival_booth_sheets(festival):
            if booth_sheet.status is not SheetStatus.SUBMITTED:
                booth_sheets.setdefault(booth_sheet.judge_id, []).append(booth_sheet)
    locations = {b.unit.id: b.location for b in booth_services.booths(festival)} if booth_sheets else {}
    judges = {j.id: j for j in judges_with_sheets(festival)}
    judges.update({s.judge_id: s.judge for sheets in booth_sheets.values() for s in sheets})
    for judge in sorted(judges.values(), key=lambda j: (j.full_name, j.id)):
        open_sheets = [
            s
            for s in _route(judge, festival)
            if s.status is not SheetStatus.SUBMITTED and days[s.round_number][0] <= day <= days[s.round_number][1]
        ]
        open_booths = booth_sheets.get(judge.id, [])
        if not open_sheets and not open_booths:
            continue
        if _already(festival, "judge_reminder", user_id=judge.id, subject_id=int(day.strftime("%Y%m%d"))):
            continue
        booth_lines = [
            f"{position}. "
            + str(_l("Gian hàng %(unit)s – gian %(booth)s", unit=s.unit.name, booth=locations.get(s.unit_id, "—")))
            for position, s in enumerate(open_booths, len(open_sheets) + 1)
        ]
        values = {
            "day": day_text,
            "count": str(len(open_sheets) + len(open_booths)),
            "list": "\n".join(([_list_text(open_sheets)] if open_sheets else []) + booth_lines),
            "link": public_url("judging.home"),
        }
        message = services.queue(festival, "judge_reminder", Recipient.of_user(judge), values, by=by)
        if message is not None:
            message.subject_type, message.subject_id = "day", int(day.strftime("%Y%m%d"))
            sent.append(message)
    return sent


def _local_days(window: tuple[datetime, datetime]) -> tuple[date, date]:
    return utc_to_local(window[0]).date(), utc_to_local(window[1]).date()


def judging_day_ended(festival: Festival, now: datetime) -> bool:
    """Whether it is evening (JUDGE_REMINDER_HOUR local time or later) on a day a judging round was open."""
    local = utc_to_local(now)
    for judging_round in rounds_of(festival):
        opens, closes = judging_round.window()
        first, last = _local_days((opens, closes))
        if first <= local.date() <= last and (local.hour >= current_app.config["JUDGE_REMINDER_HOUR"] or now >= closes):
            return True
    return False


# Attendees and authors ----------------------------------------------------------------------


def badge(attendee: Attendee, by: User | None, batch=None, audit_entry=None) -> MailMessage | None:
    """An attendee's badge as a PDF, with the link a phone shows at the gate."""
    values = {"role": attendee.role.name_vi, "unit": attendee.affiliation or ""}
    return services.queue(
        attendee.festival, "badge", Recipient.of_attendee(attendee), values, by=by, secret_link=True,
        attachments=[{"type": "badge", "id": attendee.id}], about=attendee, batch=batch, audit_entry=audit_entry,
    )  # fmt: skip


def badges_not_sent(festival: Festival) -> list[Attendee]:
    """Attendees with an address whose badge was never mailed (or whose badge is newer than the mail)."""
    sent = db.select(MailMessage.attendee_id).where(
        MailMessage.kind == "badge", MailMessage.status.in_(LIVE), MailMessage.attendee_id.is_not(None)
    )
    return list(
        db.session.execute(
            db.select(Attendee)
            .where(Attendee.festival_id == festival.id, Attendee.email.is_not(None), Attendee.id.not_in(sent))
            .order_by(Attendee.full_name)
        ).scalars()
    )


def badges(festival: Festival, by: User, title: str):
    batch, entry = services.start_batch(festival, "badge", title, by)
    queued = Queued()
    for attendee in badges_not_sent(festival):
        message = badge(attendee, by, batch=batch, audit_entry=entry)
        if message is None:
            queued.skipped += 1
        else:
            queued.messages.append(message)
    services.finish_batch(batch, entry, queued)
    return batch


def _certificate_recipients(certificate: Certificate) -> list[Recipient]:
    """The author themself when they are an attendee with an address, else the unit's accounts."""
    if certificate.recipient_key.startswith("author:"):
        key = f"author:{fold(certificate.recipient_name)}:{certificate.unit_id}"
        attendee = db.session.execute(
            db.select(Attendee).where(
                Attendee.festival_id == certificate.festival_id, Attendee.person_key == key, Attendee.email.is_not(None)
            )
        ).scalar_one_or_none()
        if attendee is not None:
            return [Recipient.of_attendee(attendee)]
    return [Recipient.of_user(user) for user in unit_accounts(certificate.unit)]


def certificates_not_sent(festival: Festival) -> list[Certificate]:
    sent = db.select(MailMessage.subject_id).where(
        MailMessage.kind == "certificate", MailMessage.subject_type == "certificates", MailMessage.status.in_(LIVE)
    )
    return list(
        db.session.execute(
            db.select(Certificate)
            .where(
                Certificate.festival_id == festival.id,
                Certificate.status == CertificateStatus.VALID,
                Certificate.id.not_in(sent),
            )
            .order_by(Certificate.id)
        ).scalars()
    )


def certificate_mailing(festival: Festival) -> list[tuple[Certificate, list[Recipient]]]:
    """Who would get each certificate not mailed yet, for the organizer to see before sending."""
    return [(item, _certificate_recipients(item)) for item in certificates_not_sent(festival)]


def certificate(certificate: Certificate, by: User | None, batch=None, audit_entry=None) -> list[MailMessage]:
    """A certificate as a PDF with its verify link, to its author (or the author's unit)."""
    values = {
        # A booth prize is the unit's, with no exhibit: the message names the booth instead.
        "exhibit": certificate.exhibit.title if certificate.exhibit else str(_l("Gian hàng của đơn vị")),
        "award": str(certificate.tier.label) if certificate.tier else str(certificate.kind.label),
        "serial": certificate.serial,
        "verify": certificate_printing.verify_url(certificate),
    }
    sent = []
    for recipient in _certificate_recipients(certificate):
        recipient_values = {**values, "name": certificate.recipient_name if recipient.attendee else recipient.name}
        message = services.queue(
            certificate.festival, "certificate", recipient, recipient_values, by=by,
            attachments=[{"type": "certificate", "id": certificate.id}], about=certificate, batch=batch,
            audit_entry=audit_entry,
        )  # fmt: skip
        if message is not None:
            sent.append(message)
    return sent


def certificates(festival: Festival, by: User | None, title: str):
    """Every valid certificate not mailed yet (newly issued or corrected ones), as one batch."""
    pending = certificates_not_sent(festival)
    if not pending:
        return None
    batch, entry = services.start_batch(festival, "certificate", title, by)
    queued = Queued()
    for item in pending:
        sent = certificate(item, by, batch=batch, audit_entry=entry)
        queued.messages.extend(sent)
        queued.skipped += 0 if sent else 1
    services.finish_batch(batch, entry, queued)
    return batch


def scheduled_reminders(now: datetime | None = None) -> int:
    """The reminders due now (registration closing, the end of a judging day); how many were queued."""
    now = now or utcnow()
    festival = get_current_festival()
    if festival is None:
        return 0
    count = len(registration_closing(festival, now))
    if judging_day_ended(festival, now):
        count += len(judge_reminders(festival, utc_to_local(now).date()))
    return count


# Sending again ------------------------------------------------------------------------------


def resend(message: MailMessage, by: User) -> MailMessage:
    """Send a sent message again, as a new message in the outbox (an invitation as a new invitation).

    :raise FestivalError: the person may not receive e-mail, the message is still waiting, or it is a
        password reset.
    """
    services.check_may_resend(message)
    if message.kind == "invitation":
        return _invite_again(message, by)
    return services.send_copy(message, by)


def _invite_again(message: MailMessage, by: User) -> MailMessage:
    user = db.session.get(User, message.user_id) if message.user_id else None
    if user is None:
        raise FestivalError(_l("Liên kết trong thư này không gửi lại được; người nhận hãy yêu cầu lại."))
    if user.has_password:
        raise FestivalError(_l("%(name)s đã đặt mật khẩu, không cần lời mời nữa.", name=user.full_name))
    sent = invite(user, by=by)
    if sent is None:
        raise FestivalError(_l("%(name)s không nhận e-mail (đã đánh dấu hoặc địa chỉ bị lỗi).", name=user.full_name))
    return sent


# What is mailed when a feature announces something --------------------------------------------

# A unit's exhibit received, accepted, returned or rejected (a withdrawal is not mailed).
events.exhibit_status_changed.connect(exhibit_status)
# An active account asked for a reset (in the worker): the message, its link made when it is sent.
events.password_reset_requested.connect(password_reset)
# The finalists of a round confirmed, then their defences scheduled: each unit is told what concerns it.
events.finalists_confirmed.connect(finalists)
events.defences_scheduled.connect(finalists)


@events.account_invited.connect
def account_invited(user: User, *, by: User | None):
    """A unit's new support-team member gets the invitation by e-mail (the unit never sees the link)."""
    invite(user, by)


@events.certificate_corrected.connect
def certificate_corrected(replacement: Certificate, *, by: User | None, superseded: Certificate, during_issue: bool):
    """One correction is mailed at once; those of a whole issue wait, like new certificates, for the
    organizer to send them (the mail pages)."""
    if not during_issue:
        certificate(replacement, by)


@events.judge_lists_changed.connect
def judge_lists_changed(festival: Festival, *, judges: list[User], by: User | None):
    """Judges whose list was already mailed are told what changed (the others get it with the lists)."""
    for judge in judges:
        judge_list_changed(festival, judge, by)
