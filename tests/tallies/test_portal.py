"""The portal export: one row per initiative recognised in the period, the portal's columns in Vietnamese, a
trade secret reduced to its name, effect summary and award; units export their own only."""

import io
from datetime import date, datetime, timezone

from openpyxl import load_workbook

from festival.core.extensions import db
from festival.models import (
    AuthorCategory,
    Award,
    AwardTier,
    Category,
    ExhibitStatus,
    Festival,
    InitiativeAuthor,
    InitiativeBenefit,
    InitiativeField,
    RecognitionLevel,
    Unit,
)
from tests import factories
from tests.tallies.conftest import initiative

HEADERS = [
    "Đơn vị",
    "Tên sáng kiến",
    "Lĩnh vực",
    "Tác giả",
    "Đối tượng tác giả",
    "Ngày áp dụng lần đầu",
    "Cấp công nhận",
    "Số quyết định công nhận",
    "Ngày quyết định",
    "Giá trị làm lợi năm đầu (đồng)",
    "Tóm tắt hiệu quả",
    "Giải thưởng",
]
CREATED = datetime(2026, 1, 5, 3, tzinfo=timezone.utc)


def _register(app, people):
    ids = people["ids"]
    with app.app_context():
        unit_a, unit_b = db.session.get(Unit, ids["unit_a"]), db.session.get(Unit, ids["unit_b"])
        festival = db.session.get(Festival, ids["festival"])
        exhibit = factories.make_exhibit(
            festival, unit_a, db.session.get(Category, ids["category"]), status=ExhibitStatus.ACCEPTED, code="KT-01"
        )
        db.session.add(Award(festival=festival, exhibit=exhibit, tier=AwardTier.SECOND, rank=2, score=88))
        jig = initiative(
            unit_a,
            1,
            created=CREATED,
            decided=date(2026, 3, 20),
            title="Cữ gá may túi",
            field=InitiativeField.PRODUCTION,
            first_applied_on=date(2025, 11, 1),
            effect_summary="Tăng năng suất 20 %.",
            award="Bằng khen Công đoàn Dệt May",
            exhibit=exhibit,
        )
        jig.authors += [
            InitiativeAuthor(full_name="Nguyễn Thị Hoà", category=AuthorCategory.WORKER, share_percent=70),
            InitiativeAuthor(full_name="Lê Văn Quản", category=AuthorCategory.MANAGER, share_percent=30),
        ]
        jig.benefits += [
            InitiativeBenefit(year_index=1, benefit_vnd=350_000_000),
            InitiativeBenefit(year_index=2, benefit_vnd=1),
        ]
        secret = initiative(
            unit_a,
            2,
            created=CREATED,
            decided=date(2026, 4, 2),
            title="Công thức hồ sợi",
            field=InitiativeField.SAFETY,
            is_trade_secret=True,
            first_applied_on=date(2026, 1, 1),
            effect_summary="Giảm đứt sợi một nửa.",
            award="Giải Ba Hội thi",
        )
        secret.authors.append(InitiativeAuthor(full_name="Trần Bí Mật", category=AuthorCategory.UNION_OFFICER))
        secret.benefits.append(InitiativeBenefit(year_index=1, benefit_vnd=900_000_000))
        uncountable = initiative(
            unit_b, 1, created=CREATED, decided=date(2026, 2, 1), title="Sắp xếp kho", benefit_computable=False
        )
        uncountable.level = RecognitionLevel.SECTOR
        initiative(unit_b, 2, created=CREATED, decided=date(2026, 6, 1), title="Ngoài kỳ")
        initiative(unit_a, 3, created=CREATED, title="Chưa công nhận")
        db.session.commit()


def _rows(response):
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def test_the_export_has_the_portals_columns_and_one_row_per_recognised_initiative(app, people, login_as):
    _register(app, people)
    client = login_as("organizer")
    response = client.get("/programme/portal.xlsx?date_from=2026-01-01&date_to=2026-05-31")
    assert response.headers["Content-Disposition"].endswith("cong-sang-kien-20260101-20260531.xlsx")
    headers, rows = _rows(response)
    assert headers == HEADERS
    assert [row[1] for row in rows] == ["Cữ gá may túi", "Công thức hồ sợi", "Sắp xếp kho"]
    jig, secret, uncountable = rows
    assert jig == [
        "Tổng Công ty May Đức Giang",
        "Cữ gá may túi",
        "Sản xuất, kinh doanh",
        "Nguyễn Thị Hoà, Lê Văn Quản",
        "Công nhân, người lao động, Cán bộ quản lý",
        datetime(2025, 11, 1),
        "Cấp cơ sở",
        "1/QĐ-UNITA",
        datetime(2026, 3, 20),
        350_000_000,
        "Tăng năng suất 20 %.",
        f"Bằng khen Công đoàn Dệt May; Giải Nhì – Ngày hội lần {people_edition(app, people)}",
    ]
    # A trade secret: only its name, the summary of its effect and its award.
    assert secret == [None, "Công thức hồ sợi"] + [None] * 8 + ["Giảm đứt sợi một nửa.", "Giải Ba Hội thi"]
    assert uncountable[9] == "Không tính được" and uncountable[6] == "Cấp ngành"


def people_edition(app, people):
    with app.app_context():
        return db.session.get(Festival, people["ids"]["festival"]).edition


def test_the_headers_stay_vietnamese_for_an_organizer_reading_in_english(app, people, login_as):
    _register(app, people)
    client = login_as("organizer")
    client.post("/lang/en")
    headers, rows = _rows(client.get("/programme/portal.xlsx?date_from=2026-01-01&date_to=2026-12-31"))
    assert headers == HEADERS and rows[0][2] == "Sản xuất, kinh doanh"


def test_organizers_may_export_one_unit_and_a_unit_only_its_own(app, people, client, login_as):
    _register(app, people)
    unit_b = people["ids"]["unit_b"]
    url = f"/programme/portal.xlsx?date_from=2026-01-01&date_to=2026-12-31&unit={unit_b}"
    _headers, rows = _rows(login_as("organizer").get(url))
    assert [row[1] for row in rows] == ["Sắp xếp kho", "Ngoài kỳ"]
    client.post("/auth/logout")
    _headers, rows = _rows(login_as("support_a").get(url))  # asking for unit B gives unit A's own
    assert [row[1] for row in rows] == ["Cữ gá may túi", "Công thức hồ sợi"]
    client.post("/auth/logout")
    page = login_as("unit_b").get("/programme/portal?date_from=2026-01-01&date_to=2026-12-31").get_data(as_text=True)
    assert "Sắp xếp kho" in page and "Cữ gá may túi" not in page and "Tải bảng tính (XLSX) – 2 sáng kiến" in page


def test_a_period_that_ends_before_it_starts_is_refused(app, people, login_as):
    client = login_as("organizer")
    response = client.get("/programme/portal?date_from=2026-05-01&date_to=2026-04-01")
    assert response.status_code == 422 and "Ngày kết thúc phải sau ngày bắt đầu." in response.get_data(as_text=True)
    response = client.get("/programme/portal.xlsx?date_from=2026-05-01&date_to=2026-04-01")
    assert response.status_code == 302 and "/programme/portal?" in response.headers["Location"]
    page = client.get("/programme/portal?date_from=2020-01-01&date_to=2020-12-31").get_data(as_text=True)
    assert "Không có sáng kiến nào được công nhận trong kỳ này." in page
