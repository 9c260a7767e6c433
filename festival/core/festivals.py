"""The festival a request works on, and the defaults every festival is created with.

Every blueprint reads the current festival from `g.festival`, resolved once per request (as
pretix sets `request.event`). A festival's judging policy, badge roles and certificate
templates are made with it, so pages only ever read them: a GET never writes.
"""

from flask import abort, current_app, g, request

from festival.core.extensions import db
from festival.models import (
    BadgeRole,
    BoothCriterion,
    BoothPolicy,
    CertificateKind,
    CertificateTemplate,
    Festival,
    JudgingPolicy,
    JudgingRound,
)

# The badge roles of a new festival, with the colour of each band (organizers may change them); any two differ
# by at least festival.badges.colours.MIN_DIFFERENCE.
DEFAULT_BADGE_ROLES = [
    ("delegate", "Đại biểu", "Delegate", "#0d4c92"),
    ("judge", "Giám khảo", "Judge", "#b42318"),
    ("author", "Tác giả", "Author", "#1a7f37"),
    ("guest", "Khách mời", "Guest", "#7a3fb8"),
    ("organizer", "Ban tổ chức", "Organiser", "#52525b"),
    ("press", "Phóng viên", "Press", "#0e7490"),
    ("volunteer", "Tình nguyện viên", "Volunteer", "#a16207"),
]

# The trade union's wording for each kind of certificate; {placeholders} are filled when printing.
CERTIFICATE_WORDING = {
    "header": "TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM\nCÔNG ĐOÀN DỆT MAY VIỆT NAM",
    "motto": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập – Tự do – Hạnh phúc",
    "title": "GIẤY CHỨNG NHẬN",
    "place": "Hà Nội",
    "signatory_title": "TM. BAN THƯỜNG VỤ\nCHỦ TỊCH",
    "signatory_name": "",
}
CERTIFICATE_WORDING_BY_KIND = {
    CertificateKind.AWARD: {
        "lead": "Chứng nhận",
        "body": "Tác giả sáng kiến “{exhibit}”\ncủa {unit}\nđã đạt {award}, lĩnh vực {category}\ntại {festival}.",
    },
    CertificateKind.UNIT_AWARD: {
        "lead": "Chứng nhận đơn vị",
        "body": "Có sáng kiến “{exhibit}”\nđạt {award}, lĩnh vực {category}\ntại {festival}.",
    },
    CertificateKind.PARTICIPATION: {
        "lead": "Chứng nhận",
        "body": (
            "Tác giả sáng kiến “{exhibit}”\ncủa {unit}\nđã tham gia trưng bày và giới thiệu sáng kiến\ntại {festival}."
        ),
    },
    CertificateKind.BOOTH_AWARD: {
        "lead": "Chứng nhận đơn vị",
        "body": "Đạt {award} gian hàng tiêu biểu\ntại {festival}.",
    },
}

# The booth rubric a new festival starts with: (name, English name, max points, weight); a booth's
# total is Σ points/max × weight, out of 100 here.
DEFAULT_BOOTH_CRITERIA = [
    ("Trang trí gian hàng", "Booth decoration", 10, 30),
    ("Thể hiện chủ đề", "Theme", 10, 25),
    ("Sản phẩm trưng bày", "Products shown", 10, 25),
    ("Hướng dẫn, giới thiệu cho khách tham quan", "Guidance for visitors", 10, 20),
]


def get_current_festival() -> Festival | None:
    """The edition the site is running now (None before any is created)."""
    return db.session.execute(db.select(Festival).where(Festival.is_current.is_(True))).scalar_one_or_none()


def list_festivals() -> list[Festival]:
    """Every edition, the newest first."""
    return list(db.session.execute(db.select(Festival).order_by(Festival.edition.desc())).scalars())


def festival_by_edition(edition: int) -> Festival | None:
    return db.session.execute(db.select(Festival).where(Festival.edition == edition)).scalar_one_or_none()


# Static files need no festival, and the health check must answer even when the database does not.
WITHOUT_FESTIVAL = frozenset({"static", "public.healthz"})


def current_festival_id():
    """The current festival's id as a scalar subquery, to read beside other things in one statement."""
    return db.select(Festival.id).where(Festival.is_current.is_(True)).scalar_subquery()


def finds_own_festival(view):
    """Mark a view that puts the festival on `g` itself, after a first statement that may answer alone (a live
    board's unchanged poll: festival.auth.permissions.board_poll)."""
    view.finds_own_festival = True
    return view


def load_current_festival() -> None:
    """`before_request`: put the current festival on `g` (views marked finds_own_festival do it themselves)."""
    if request.endpoint in WITHOUT_FESTIVAL:
        g.festival = None
    elif not getattr(current_app.view_functions.get(request.endpoint), "finds_own_festival", False):
        g.festival = get_current_festival()


def current_festival() -> Festival:
    """The request's festival; 404 before any festival exists."""
    if g.get("festival") is None:
        abort(404)
    return g.festival


def add_defaults(festival: Festival) -> None:
    """Give a new festival its judging policy and first round, booth rubric and prizes, badge roles and certificate
    templates."""
    db.session.add(JudgingPolicy(festival=festival, tie_break=[]))
    db.session.add(JudgingRound(festival=festival, number=1, name_vi="Vòng 1", name_en="Round 1"))
    db.session.add(BoothPolicy(festival=festival))
    db.session.add_all(
        BoothCriterion(
            festival=festival, position=position, name_vi=name_vi, name_en=name_en, max_points=most, weight=weight
        )
        for position, (name_vi, name_en, most, weight) in enumerate(DEFAULT_BOOTH_CRITERIA)
    )
    db.session.add_all(
        BadgeRole(festival=festival, code=code, name_vi=name_vi, name_en=name_en, colour=colour, position=position)
        for position, (code, name_vi, name_en, colour) in enumerate(DEFAULT_BADGE_ROLES)
    )
    db.session.add_all(
        CertificateTemplate(festival=festival, kind=kind, **CERTIFICATE_WORDING, **wording)
        for kind, wording in CERTIFICATE_WORDING_BY_KIND.items()
    )
    db.session.flush()
