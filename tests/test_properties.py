"""Property-based tests: random and hostile input to the import parsers, money and number parsing,
and the scoring arithmetic — always a clear error or a correct result, never a 500, never a
partial write."""

import io
import math
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from festival.core.extensions import db
from festival.judging import rubrics, scoring
from festival.models import Attendee, Category, Exhibit, ExhibitStatus, Festival, ScoreSheet, SheetStatus, Unit, User
from festival.util.formatting import MAX_VND, format_number, format_vnd, parse_vnd
from tests import factories
from tests.imports import steps

FIXTURES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# Cells that mix what organisers really type with what an attacker might.
HOSTILE = st.sampled_from(
    [
        "=1+1",
        "+SUM(A1)",
        "-2",
        "@cmd",
        "\t=x",
        "'",
        '"',
        '""',
        ";",
        ",",
        "\n",
        "\r\n",
        "\x00",
        "\ufeff",
        "𝕏",
        "Đ",
        "NULL",
        "{{ 7*7 }}",
        "<script>",
    ]
)
CELL = st.one_of(
    st.text(max_size=12),
    HOSTILE,
    st.sampled_from(
        [
            "UNITA",
            "UNITB",
            "unita",
            "KT",
            "kt",
            "XX",
            "Đại biểu",
            "Khách mời",
            "delegate",
            "guest",
            "a@b.vn",
            "A@B.VN",
            "0912345678",
            "+84912345678",
        ]
    ),
    st.integers(-(10**16), 10**16).map(str),
    st.sampled_from(
        [
            "1.500.000",
            "1,500,000",
            "1500000",
            "1.5",
            "2022",
            "1975",
            "3000",
            "Nguyễn Văn An (Tổ trưởng)",
            "A; B; C; D; E; F; G",
        ]
    ),
)


@given(st.integers(min_value=0, max_value=MAX_VND - 1))
def test_money_written_either_way_reads_back_the_same(amount):
    assert parse_vnd(format_vnd(amount)) == amount
    assert parse_vnd(format_number(amount)) == amount
    assert parse_vnd(str(amount)) == amount


@FIXTURES
@given(
    value=st.one_of(st.text(max_size=30), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.booleans())
)
def test_money_parsing_never_fails_any_other_way(app, value):
    with app.app_context():
        try:
            amount = parse_vnd(value)
        except ValueError as error:
            assert str(error.args[0])  # a readable message
        else:
            assert isinstance(amount, int) and 0 <= amount < MAX_VND


@given(
    st.one_of(
        st.text(max_size=20),
        st.integers(-(10**6), 10**6),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.none(),
    )
)
def test_points_parsing_gives_a_decimal_or_refuses(value):
    try:
        points = scoring.parse_points(value)
    except ValueError:
        return
    assert points is None or (
        isinstance(points, Decimal) and points.is_finite() and points == points.quantize(Decimal("0.01"))
    )


def _csv(header, rows, delimiter, bom):
    def quote(cell):
        cell = str(cell)
        return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in (delimiter, '"', "\n", "\r")) else cell

    text = "\n".join(delimiter.join(quote(c) for c in row) for row in [header] + rows) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", errors="surrogatepass")


def _import_steps(client, base: str, data: bytes):
    """Upload, then import what the preview offers: (the last answer, how many rows the preview offered)."""
    response = steps.upload(client, base, data, "x.csv")
    assert response.status_code in (302, 422)
    if response.status_code == 422:
        return response, 0
    url = steps.preview_url(response)
    page = client.get(url)
    assert page.status_code == 200
    offered = int(re.search(r"Nhập (\d+) dòng", page.get_data(as_text=True)).group(1))
    answer = steps.post_preview(client, url, "import")
    assert answer.status_code in (302, 422)
    return answer, offered


def _count(app, model):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


@FIXTURES
@given(
    rows=st.lists(st.lists(CELL, min_size=4, max_size=8), min_size=1, max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
    bom=st.booleans(),
)
def test_exhibit_import_is_all_or_nothing_and_never_a_500(app, client, login_as, people, rows, delimiter, bom):
    assume(all("\x00" not in str(c) for r in rows for c in r))
    header = [
        "unit_code",
        "category_code",
        "title",
        "authors",
        "benefit_vnd_per_year",
        "applied_since",
        "ref",
        "summary",
    ]
    data = _csv(header, [row + [""] * (len(header) - len(row)) for row in rows], delimiter, bom)
    before = _count(app, Exhibit)
    if before == 0:
        login_as("organizer")
    with app.app_context():
        db.session.get(Festival, people["ids"]["festival"]).exhibit_quota = 1000
        db.session.commit()
    response, offered = _import_steps(client, "/exhibits", data)
    after = _count(app, Exhibit)
    assert after - before in (0, offered) and offered <= len(rows)
    assert (after - before == offered > 0) == (response.status_code == 302)


@FIXTURES
@given(
    rows=st.lists(st.lists(CELL, min_size=2, max_size=6), min_size=1, max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
    bom=st.booleans(),
)
def test_attendee_import_is_all_or_nothing_and_never_a_500(app, client, login_as, people, rows, delimiter, bom):
    assume(all("\x00" not in str(c) for r in rows for c in r))
    header = ["full_name", "role", "unit_code", "email", "phone", "organisation"]
    data = _csv(header, [row + [""] * (len(header) - len(row)) for row in rows], delimiter, bom)
    before = _count(app, Attendee)
    if before == 0:
        login_as("organizer")
    response, offered = _import_steps(client, "/attendees", data)
    after = _count(app, Attendee)
    assert after - before in (0, offered) and offered <= len(rows)
    assert (after - before == offered > 0) == (response.status_code == 302)


@FIXTURES
@given(data=st.binary(max_size=400))
def test_any_uploaded_bytes_get_an_answer_not_a_500(app, client, login_as, people, data):
    if _count(app, User) and not client.get("/exhibits/import").status_code == 200:
        login_as("organizer")
    for url in ("/exhibits/import", "/attendees/import"):
        response = client.post(url, data={"file": (io.BytesIO(data), "x.xlsx")}, content_type="multipart/form-data")
        assert response.status_code in (200, 302, 422)


CRITERIA = st.lists(st.tuples(st.integers(1, 100), st.one_of(st.none(), st.integers(1, 1000))), min_size=1, max_size=6)


@FIXTURES
@given(criteria=CRITERIA, data=st.data())
def test_weighted_total_is_exact(app, people, criteria, data):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        rubric = rubrics.save_rubric(
            festival,
            None,
            [
                rubrics.CriterionInput(f"Tiêu chí {i}", max_points=m, weight=None if w is None else Decimal(w))
                for i, (m, w) in enumerate(criteria)
            ],
            by=None,
        )
        points = {c.id: Decimal(data.draw(st.integers(0, c.max_points * 100))) / 100 for c in rubric.scored_criteria}
        expected = sum(Fraction(points[c.id]) / c.max_points * Fraction(c.weight) for c in rubric.scored_criteria)
        total = scoring.weighted_total(rubric, points)
        assert abs(Fraction(total) - expected) <= Fraction(1, 200)
        assert total == Decimal(math.floor(expected * 100 + Fraction(1, 2))) / 100  # half up, two decimals
        assert Decimal(0) <= total <= rubric.total_weight
        db.session.rollback()


@pytest.fixture
def one_sheet(app, people):

    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        rubric = rubrics.save_rubric(
            festival,
            None,
            [
                rubrics.CriterionInput(
                    "Tính mới", max_points=30, levels=[rubrics.LevelInput(p, str(p)) for p in (0, 10, 20, 30)]
                ),
                rubrics.CriterionInput("Hiệu quả", max_points=25),
            ],
            by=None,
        )
        exhibit = factories.make_exhibit(
            festival,
            db.session.get(Unit, people["ids"]["unit_b"]),
            db.session.get(Category, people["ids"]["category"]),
            status=ExhibitStatus.ACCEPTED,
            code="KT-01",
        )
        sheet = ScoreSheet(exhibit=exhibit, judge=db.session.get(User, people["ids"]["judge_user"]))
        db.session.add(sheet)
        db.session.commit()
        return {"sheet": sheet.id, "criteria": [c.id for c in rubric.criteria], "rubric": rubric.id}


JSON_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-100, 100),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["10", "12,5", "25", "1e3", "NaN", "Infinity", "-0"]),
)


@FIXTURES
@given(
    novelty=JSON_VALUE,
    effect=JSON_VALUE,
    seq=st.integers(-5, 10**20),
    extra=st.dictionaries(st.text(max_size=6), JSON_VALUE, max_size=3),
)
def test_hostile_saves_are_refused_or_stored_exactly(app, client, auth, people, one_sheet, novelty, effect, seq, extra):
    if not client.get("/judging/").status_code == 200:
        auth.login(people["emails"]["judge"])
    first, second = one_sheet["criteria"]
    with app.app_context():
        sheet = db.session.get(ScoreSheet, one_sheet["sheet"])
        before = {s.criterion_id: s.points for s in sheet.scores}
        revision = sheet.revision
    body = {
        "client_id": "fuzz",
        "seq": seq,
        "base": revision,
        "points": {str(first): novelty, str(second): effect},
        "answers": {},
        **extra,
    }
    response = client.post(f"/judging/sheets/{one_sheet['sheet']}/save", json=body)
    assert response.status_code in (200, 400, 409)
    with app.app_context():
        sheet = db.session.get(ScoreSheet, one_sheet["sheet"])
        after = {s.criterion_id: s.points for s in sheet.scores}
        if response.status_code == 200 and response.get_json()["status"] == "saved":
            assert after.get(first) == scoring.parse_points(novelty) and after.get(second) == scoring.parse_points(
                effect
            )
            assert after.get(first) in (None, 0, 10, 20, 30) and (after.get(second) is None or 0 <= after[second] <= 25)
        else:
            assert after == before and sheet.revision == revision
        assert sheet.status is not SheetStatus.SUBMITTED
