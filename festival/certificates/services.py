"""Certificates: templates and their placeholders, issuing (once per recipient), serial numbers,
revoking and correcting, and the ceremony order."""

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from festival.booths.results import final_awards
from festival.booths.services import booth_policy_for
from festival.core import audit, events, uploads
from festival.core.errors import FestivalError, NotAllowed
from festival.core.extensions import db
from festival.core.transactions import on_commit
from festival.exhibits.services import accepted_exhibits
from festival.initiatives.nominations import recognition_line
from festival.judging.policy import policy_for
from festival.models import (
    Award,
    AwardTier,
    BoothAward,
    Certificate,
    CertificateKind,
    CertificateStatus,
    CertificateTemplate,
    Exhibit,
    Festival,
    Unit,
    User,
    VisitorAward,
)
from festival.models.certificate import CODE_ALPHABET, CODE_LENGTH
from festival.util.formatting import fold
from festival.util.placeholders import unknown_placeholders

PLACEHOLDERS = {
    "recipient": _l("tên người (đơn vị) nhận"),
    "exhibit": _l("tên sáng kiến"),
    "code": _l("mã sáng kiến"),
    "award": _l("giải, ví dụ Giải Nhất"),
    "unit": _l("tên đơn vị"),
    "category": _l("lĩnh vực"),
    "festival": _l("tên ngày hội"),
    "edition": _l("lần thứ"),
    "serial": _l("số hiệu giấy chứng nhận"),
    "recognition": _l("quyết định công nhận của sáng kiến đề cử từ sổ sáng kiến (trống nếu không có)"),
}
TEMPLATE_FIELDS = ("header", "motto", "title", "lead", "body", "place", "signatory_title", "signatory_name")
UNIT_KINDS = (CertificateKind.UNIT_AWARD, CertificateKind.BOOTH_AWARD)  # issued to the unit, not to people
BOOTH_KEY = "booth"  # the recipient key of a booth prize's certificate (its unit; it has no exhibit)


def template_for(festival: Festival, kind: CertificateKind) -> CertificateTemplate:
    """The festival's template for a kind (every festival is created with one of each)."""
    return db.session.execute(
        db.select(CertificateTemplate).where(
            CertificateTemplate.festival_id == festival.id, CertificateTemplate.kind == kind
        )
    ).scalar_one()


def check_wording(values: dict) -> None:
    """Refuse wording that saving would refuse (the live preview says so as it is typed).

    :raise FestivalError: the title or body is empty, or a placeholder is misspelt.
    """
    if not (values.get("title") or "").strip() or not (values.get("body") or "").strip():
        raise FestivalError(_l("Tiêu đề và nội dung không được để trống."))
    unknown = unknown_placeholders(" ".join(values.get(field) or "" for field in TEMPLATE_FIELDS), PLACEHOLDERS)
    if unknown:
        raise FestivalError(
            _l(
                "Không có mục điền sẵn {%(names)s}. Dùng: %(known)s.",
                names="}, {".join(unknown),
                known=", ".join("{%s}" % p for p in PLACEHOLDERS),
            )
        )


def save_template(
    template: CertificateTemplate, values: dict, by: User, images: dict[str, tuple[str, bytes]] | None = None
) -> None:
    """Change a template's wording and, given `images` ({"signature_image"|"seal_image": (file name,
    bytes)}), its pictures (audited); a replaced picture's file goes once the change is committed.

    :raise FestivalError: the title or body is empty, a placeholder is misspelt, or a picture is
        not an image.
    """
    check_wording(values)
    # A refused second picture leaves no first one behind: stored files go with a rollback.
    stored = {
        which: uploads.store_upload(data, name, folder="certificates").stored_name
        for which, (name, data) in (images or {}).items()
    }
    before = {field: getattr(template, field) for field in TEMPLATE_FIELDS}
    for field in TEMPLATE_FIELDS:
        setattr(template, field, (values.get(field) or "").strip())
    audit.record(
        "certificate_template.saved",
        template,
        by=by,
        before=before,
        after={field: getattr(template, field) for field in TEMPLATE_FIELDS},
    )
    for which, stored_name in stored.items():
        set_template_image(template, which, stored_name, by=by)


def set_template_image(template: CertificateTemplate, which: str, stored_name: str | None, by: User) -> None:
    """Set (or clear) the signature or seal image; the previous file goes once this is committed."""
    previous = getattr(template, which)
    setattr(template, which, stored_name)
    audit.record("certificate_template.image", template, by=by, after={which: stored_name})
    if previous:
        on_commit(lambda: uploads.delete_stored(previous))


def preview_sample(festival: Festival, kind: CertificateKind, today: date) -> Certificate | None:
    """A certificate to preview the wording with: a real one, or an unsaved example (None when
    there is no accepted exhibit yet)."""
    real = db.session.execute(
        db.select(Certificate).where(Certificate.festival_id == festival.id, Certificate.kind == kind).limit(1)
    ).scalar_one_or_none()
    if real is not None:
        return real
    exhibit = db.session.execute(accepted_exhibits(festival).limit(1)).scalar_one_or_none()
    if exhibit is None:
        return None
    is_unit = kind in UNIT_KINDS or not exhibit.authors
    # Never added to the session: it only feeds the preview.
    return Certificate(
        festival=festival,
        number=0,
        serial=serial_for(festival, 0),
        kind=kind,
        recipient_key="example",
        recipient_name=exhibit.unit.name if is_unit else exhibit.authors[0].full_name,
        exhibit=None if kind is CertificateKind.BOOTH_AWARD else exhibit,
        unit=exhibit.unit,
        issued_on=today,
        verification_code="X" * CODE_LENGTH,
        tier=None if kind is CertificateKind.PARTICIPATION else AwardTier.FIRST,
    )


# Values for placeholders ---------------------------------------------------------------------


def values_for(certificate: Certificate) -> dict:
    """The placeholders' values; a booth prize's certificate has no exhibit, so no title, code or category."""
    exhibit = certificate.exhibit
    festival = certificate.festival
    return {
        "recipient": certificate.recipient_name,
        "exhibit": exhibit.title if exhibit else "",
        "code": (exhibit.code or "") if exhibit else "",
        "award": str(certificate.tier.label) if certificate.tier else "",
        "unit": certificate.unit.name,
        "category": exhibit.category.name_vi if exhibit else "",
        "festival": festival.name,
        "edition": str(festival.edition),
        "serial": certificate.serial,
        "recognition": recognition_line(exhibit.initiative) if exhibit else "",
    }


# Issuing -------------------------------------------------------------------------------------


def serial_for(festival: Festival, number: int) -> str:
    """e.g. LĐST3-2022-00017: festival edition, year, running number."""
    return f"LĐST{festival.edition}-{festival.starts_on.year}-{number:05d}"


def _next_number(festival: Festival) -> int:
    return (
        db.session.scalar(db.select(sa.func.max(Certificate.number)).where(Certificate.festival_id == festival.id)) or 0
    ) + 1


def _new(
    festival: Festival,
    kind: CertificateKind,
    key: str,
    name: str,
    exhibit: Exhibit | None,
    unit: Unit,
    tier: AwardTier | None,
    today: date,
) -> Certificate:
    number = _next_number(festival)
    certificate = Certificate(
        festival=festival,
        number=number,
        serial=serial_for(festival, number),
        kind=kind,
        recipient_key=key,
        recipient_name=name,
        exhibit=exhibit,
        unit=unit,
        tier=tier,
        issued_on=today,
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def current(
    festival: Festival, kind: CertificateKind, exhibit_id: int | None, key: str, unit_id: int | None = None
) -> Certificate | None:
    """The certificate in force for a recipient (revoked counts: it is not issued again by itself): of an
    exhibit, or with no exhibit (a booth prize) of the unit `unit_id`."""
    of = (
        (Certificate.exhibit_id.is_(None), Certificate.unit_id == unit_id)
        if exhibit_id is None
        else (Certificate.exhibit_id == exhibit_id,)
    )
    return db.session.execute(
        db.select(Certificate).where(
            Certificate.festival_id == festival.id,
            Certificate.kind == kind,
            *of,
            Certificate.recipient_key == key,
            Certificate.status != CertificateStatus.SUPERSEDED,
        )
    ).scalar_one_or_none()


@dataclass
class Issued:
    added: int = 0
    corrected: int = 0


def issue(festival: Festival, kind: CertificateKind, today: date, by: User | None) -> Issued:
    """Issue the certificates of a kind that are missing; an award whose tier changed since its
    certificates were issued gets corrected ones (the old serials are superseded). None is mailed.

    :raise NotAllowed: award certificates before the results are final (the booth track's for booth prizes).
    """
    if kind is CertificateKind.BOOTH_AWARD:
        return _issue_booth_awards(festival, today, by)
    sources = _recipients_source(festival, kind)
    if kind is not CertificateKind.PARTICIPATION and not policy_for(festival).is_final:
        # The visitors' choice prize does not wait for the judges' results.
        sources = [source for source in sources if source[1] is AwardTier.VISITORS]
        if not sources:
            raise NotAllowed(_l("Chỉ cấp giấy chứng nhận đạt giải sau khi kết quả đã chốt."))
    result = Issued()
    # An author whose data was erased on request is no one to certify.
    erased = current_app.config["ERASED_AUTHOR_NAME"]
    for exhibit, tier in sources:
        # A visitors' choice winner may also hold a judges' prize: its certificates are apart.
        prefix = "visitors:" if tier is AwardTier.VISITORS else ""
        recipients = (
            [(f"{prefix}unit", exhibit.unit.name)]
            if kind is CertificateKind.UNIT_AWARD
            else [(f"{prefix}author:{a.position}", a.full_name) for a in exhibit.authors if a.full_name != erased]
        )
        for key, name in recipients:
            existing = current(festival, kind, exhibit.id, key)
            if existing is None:
                _new(festival, kind, key, name, exhibit, exhibit.unit, tier, today)
                result.added += 1
            elif existing.status is CertificateStatus.VALID and existing.tier != tier:
                correct(
                    existing, existing.recipient_name, str(_l("Giải đã được điều chỉnh.")), today, by, during_issue=True
                )
                result.corrected += 1
    if result.added or result.corrected:
        # Nothing is mailed here: the organizer sees who would get what, then sends (the mail pages).
        audit.record(
            "certificates.issued",
            festival,
            by=by,
            after={"kind": kind, "added": result.added, "corrected": result.corrected},
        )
    return result


def _issue_booth_awards(festival: Festival, today: date, by: User | None) -> Issued:
    """A certificate for each unit whose booth won a booth prize; a prize changed since gets a correction.

    :raise NotAllowed: the booth results are not final.
    """
    if not booth_policy_for(festival).is_final:
        raise NotAllowed(_l("Chỉ cấp giấy chứng nhận giải gian hàng sau khi kết quả giải gian hàng đã chốt."))
    kind, result = CertificateKind.BOOTH_AWARD, Issued()
    for award in final_awards(festival):
        existing = current(festival, kind, None, BOOTH_KEY, unit_id=award.unit_id)
        if existing is None:
            _new(festival, kind, BOOTH_KEY, award.unit.name, None, award.unit, award.tier, today)
            result.added += 1
        elif existing.status is CertificateStatus.VALID and existing.tier != award.tier:
            correct(
                existing, existing.recipient_name, str(_l("Giải đã được điều chỉnh.")), today, by, during_issue=True
            )
            result.corrected += 1
    if result.added or result.corrected:
        audit.record(
            "certificates.issued",
            festival,
            by=by,
            after={"kind": kind, "added": result.added, "corrected": result.corrected},
        )
    return result


def _award_tier(certificate: Certificate) -> AwardTier | None:
    """The prize a certificate should name now: its award's (a booth prize's for a booth certificate),
    else the tier it was issued with (participation, the visitors' choice, an award since withdrawn)."""
    if certificate.kind is CertificateKind.BOOTH_AWARD:
        award = db.session.execute(
            db.select(BoothAward).where(
                BoothAward.festival_id == certificate.festival_id, BoothAward.unit_id == certificate.unit_id
            )
        ).scalar_one_or_none()
        return award.tier if award is not None else certificate.tier
    if certificate.kind is CertificateKind.PARTICIPATION or certificate.tier is AwardTier.VISITORS:
        return certificate.tier
    award = db.session.execute(db.select(Award).where(Award.exhibit_id == certificate.exhibit_id)).scalar_one_or_none()
    return award.tier if award is not None else certificate.tier


def _recipients_source(festival: Festival, kind: CertificateKind) -> list[tuple[Exhibit, AwardTier | None]]:
    if kind is CertificateKind.PARTICIPATION:
        exhibits = db.session.execute(accepted_exhibits(festival).order_by(Exhibit.code)).scalars()
        return [(exhibit, None) for exhibit in exhibits]
    awards = db.session.execute(db.select(Award).where(Award.festival_id == festival.id)).scalars()
    visitors = db.session.execute(db.select(VisitorAward).where(VisitorAward.festival_id == festival.id)).scalars()
    return [(award.exhibit, award.tier) for award in awards] + [
        (award.exhibit, AwardTier.VISITORS) for award in visitors
    ]


def revoke(certificate: Certificate, reason: str, by: User) -> None:
    """Withdraw a certificate; its verify page says so, with the reason.

    :raise FestivalError: no reason, or not valid.
    """
    if certificate.status is not CertificateStatus.VALID:
        raise FestivalError(_l("Giấy chứng nhận này không còn hiệu lực."))
    if not reason.strip():
        raise FestivalError(_l("Hãy ghi lý do thu hồi."))
    certificate.status, certificate.reason = CertificateStatus.REVOKED, reason.strip()
    audit.record(
        "certificate.revoked", certificate, by=by, after={"serial": certificate.serial, "reason": certificate.reason}
    )


def correct(
    certificate: Certificate,
    recipient_name: str,
    reason: str,
    today: date,
    by: User | None,
    *,
    during_issue: bool = False,
) -> Certificate:
    """Issue a corrected certificate under a new serial; the old one is marked superseded. Announced with
    `during_issue` (part of issuing a kind again): one correction is mailed at once, those of a whole issue
    wait, like new certificates, for the organizer to send.

    :raise FestivalError: no name or no reason, or the certificate is not valid.
    """
    if certificate.status is not CertificateStatus.VALID:
        raise FestivalError(_l("Giấy chứng nhận này không còn hiệu lực."))
    name = " ".join((recipient_name or "").split())
    if not name or not reason.strip():
        raise FestivalError(_l("Hãy ghi tên người nhận và lý do đính chính."))
    replacement = _new(
        certificate.festival,
        certificate.kind,
        certificate.recipient_key,
        name,
        certificate.exhibit,
        certificate.unit,
        _award_tier(certificate),
        today,
    )
    certificate.status, certificate.reason, certificate.superseded_by = (
        CertificateStatus.SUPERSEDED,
        reason.strip(),
        replacement,
    )
    db.session.flush()
    audit.record(
        "certificate.corrected",
        certificate,
        by=by,
        after={"old": certificate.serial, "new": replacement.serial, "reason": reason.strip()},
    )
    events.certificate_corrected.send(replacement, by=by, superseded=certificate, during_issue=during_issue)
    return replacement


# Finding and ordering ------------------------------------------------------------------------


def ceremony_key(certificate: Certificate):
    """The award ceremony's order: tier (Nhất first), then unit, then name."""
    tier = certificate.tier.rank if certificate.tier else len(AwardTier)
    return (tier, certificate.unit.code, fold(certificate.recipient_name), certificate.number)


def for_printing(
    festival: Festival, kind: CertificateKind | None = None, unit: Unit | None = None
) -> list[Certificate]:
    """The valid certificates a print covers, in ceremony order."""
    stmt = db.select(Certificate).where(
        Certificate.festival_id == festival.id, Certificate.status == CertificateStatus.VALID
    )
    if kind is not None:
        stmt = stmt.where(Certificate.kind == kind)
    if unit is not None:
        stmt = stmt.where(Certificate.unit_id == unit.id)
    return sorted(db.session.execute(stmt).scalars(), key=ceremony_key)


# Typed by hand: case, spaces and dashes (of any width) do not matter, and a plain D stands for Đ.
_IGNORED = re.compile(r"[\s\-‐‑‒–—―_.]+")


def normalise_lookup(text: str) -> str:
    """What a person typed from a certificate, reduced to letters and digits in capitals (Đ as D)."""
    return _IGNORED.sub("", (text or "").upper().replace("Đ", "D"))[:60]


def _serial_key(column):
    """The serial as normalise_lookup reduces it, in SQL (serials are stored in capitals)."""
    return sa.func.replace(sa.func.replace(sa.func.replace(column, "-", ""), " ", ""), "Đ", "D")


def find_by_code(text: str) -> Certificate | None:
    """The certificate with this verification code (as typed or read from the QR code)."""
    code = normalise_lookup(text)
    if len(code) != CODE_LENGTH or set(code) - set(CODE_ALPHABET):
        return None
    return db.session.execute(db.select(Certificate).where(Certificate.verification_code == code)).scalar_one_or_none()


def find_by_serial(text: str) -> Certificate | None:
    """The certificate with this serial, typed in any case, with or without dashes, D for Đ."""
    key = normalise_lookup(text)
    if not key:
        return None
    return db.session.execute(db.select(Certificate).where(_serial_key(Certificate.serial) == key)).scalar_one_or_none()


@dataclass
class Lookup:
    """What the public verify page may show for what was typed: the whole certificate for its
    verification code, only its state for a serial (serials run in order, so anyone could list them)."""

    certificate: Certificate | None
    by_code: bool = False

    @property
    def shows_details(self) -> bool:
        """Whom and what the certificate names: for its verification code, unless it was revoked (a revoked
        certificate vouches for no one, and one revoked because its holder's data was erased must not name them)."""
        return self.by_code and self.certificate.status is not CertificateStatus.REVOKED

    @property
    def state(self) -> str:
        """The certificate's status as the page says it; "suspended" for a judges' award while the festival's
        results are reopened (it is valid again once they are final again, unless revoked meanwhile)."""
        certificate = self.certificate
        if certificate.kind is CertificateKind.BOOTH_AWARD:
            is_final = booth_policy_for(certificate.festival).is_final
        else:
            is_final = policy_for(certificate.festival).is_final
        if (
            certificate.status is CertificateStatus.VALID
            and certificate.tier not in (None, AwardTier.VISITORS)
            and not is_final
        ):
            return "suspended"
        return certificate.status.value


def look_up(text: str) -> Lookup:
    """Find a certificate by its verification code, else by its serial."""
    by_code = find_by_code(text)
    if by_code is not None:
        return Lookup(by_code, by_code=True)
    return Lookup(find_by_serial(text))


def search(festival: Festival, kind: CertificateKind | None, status: CertificateStatus | None, query: str):
    """The select for the organizers' list."""
    stmt = db.select(Certificate).where(Certificate.festival_id == festival.id).order_by(Certificate.number)
    if kind is not None:
        stmt = stmt.where(Certificate.kind == kind)
    if status is not None:
        stmt = stmt.where(Certificate.status == status)
    if query.strip():
        stmt = stmt.where(Certificate.search_text.contains(fold(query), autoescape=True))
    return stmt
