"""Organizers review exhibits: accept with code and booth, return, reject; the table and history."""

import re

import pytest

from festival.core.extensions import db
from festival.exhibits import services
from festival.models import AuditLog, Category, Exhibit, ExhibitStatus, Festival, Unit
from tests import factories
from tests.exhibits.conftest import exhibit_form


@pytest.fixture
def submitted(app, people):
    """Three submitted exhibits: two in KT (unit A, unit B), one in QL (unit A)."""
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        kt = db.session.get(Category, people["ids"]["category"])
        ql = factories.make_category(festival, "QL", "Quản lý, tổ chức sản xuất", "Production management")
        unit_a, unit_b = db.session.get(Unit, people["ids"]["unit_a"]), db.session.get(Unit, people["ids"]["unit_b"])
        exhibits = [
            factories.make_exhibit(
                festival, unit_a, kt, title="Cữ gá may túi tự động", authors=("Nguyễn Thị Hằng", "Lê Văn Nam")
            ),
            factories.make_exhibit(
                festival,
                unit_b,
                kt,
                title="Bàn cắt vải hút chân không",
                authors=("Trần Đức Minh",),
                benefit_vnd=40_000_000,
            ),
            factories.make_exhibit(
                festival, unit_a, ql, title="Bảng điều hành sản xuất điện tử", authors=("Phạm Thu Hà",), benefit_vnd=0
            ),
        ]
        db.session.commit()
        return [e.id for e in exhibits]


def test_accept_gives_per_category_codes_and_booths(client, login_as, submitted, get_exhibit):
    login_as("organizer")
    for exhibit_id in submitted:
        assert client.post(f"/exhibits/{exhibit_id}/accept", data={"code": "", "booth": ""}).status_code == 302
    placed = [(get_exhibit(i)["code"], get_exhibit(i)["booth"], get_exhibit(i)["status"]) for i in submitted]
    assert placed == [
        ("KT-01", "01", ExhibitStatus.ACCEPTED),
        ("KT-02", "02", ExhibitStatus.ACCEPTED),
        ("QL-01", "03", ExhibitStatus.ACCEPTED),
    ]


def test_accept_with_a_chosen_code_and_booth_then_edit_them(client, login_as, submitted, get_exhibit):
    login_as("organizer")
    client.post(f"/exhibits/{submitted[0]}/accept", data={"code": "kt-07", "booth": "A12"})
    assert (get_exhibit(submitted[0])["code"], get_exhibit(submitted[0])["booth"]) == ("KT-07", "A12")
    page = client.post(
        f"/exhibits/{submitted[1]}/accept", data={"code": "KT-07", "booth": ""}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Mã KT-07 đã được dùng cho sáng kiến khác." in page
    assert get_exhibit(submitted[1])["status"] is ExhibitStatus.SUBMITTED
    client.post(f"/exhibits/{submitted[0]}/place", data={"code": "KT-08", "booth": "B3"})
    assert (get_exhibit(submitted[0])["code"], get_exhibit(submitted[0])["booth"]) == ("KT-08", "B3")
    # the next automatic code continues after the highest number given
    client.post(f"/exhibits/{submitted[1]}/accept", data={"code": "", "booth": ""})
    assert get_exhibit(submitted[1])["code"] == "KT-09"


def test_return_needs_a_comment_and_the_unit_sees_it(client, login_as, submitted, get_exhibit):
    login_as("organizer")
    page = client.post(f"/exhibits/{submitted[0]}/return", data={"comment": ""}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Hãy ghi nhận xét hoặc lý do." in page
    assert get_exhibit(submitted[0])["status"] is ExhibitStatus.SUBMITTED
    client.post(f"/exhibits/{submitted[0]}/return", data={"comment": "Bổ sung số liệu giá trị làm lợi."})
    exhibit = get_exhibit(submitted[0])
    assert (
        exhibit["status"] is ExhibitStatus.RETURNED and exhibit["review_comment"] == "Bổ sung số liệu giá trị làm lợi."
    )
    client.post("/auth/logout")
    login_as("unit_a")
    assert "Bổ sung số liệu giá trị làm lợi." in client.get("/exhibits/mine").get_data(as_text=True)


def test_reject_with_a_reason(client, login_as, submitted, get_exhibit):
    login_as("organizer")
    client.post(f"/exhibits/{submitted[1]}/reject", data={"comment": "Trùng với sáng kiến kỳ trước."})
    assert get_exhibit(submitted[1])["status"] is ExhibitStatus.REJECTED


def test_a_draft_cannot_be_accepted(app, client, login_as, people, get_exhibit):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        draft = factories.make_exhibit(
            festival,
            db.session.get(Unit, people["ids"]["unit_a"]),
            db.session.get(Category, people["ids"]["category"]),
            status=ExhibitStatus.DRAFT,
        )
        db.session.commit()
        draft_id = draft.id
    login_as("organizer")
    response = client.post(f"/exhibits/{draft_id}/accept", data={})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Sáng kiến đang ở trạng thái “Bản nháp”." in page
    assert get_exhibit(draft_id)["status"] is ExhibitStatus.DRAFT


def test_every_status_change_is_in_the_audit_log_and_the_history(app, client, login_as, submitted):
    login_as("organizer")
    client.post(f"/exhibits/{submitted[0]}/return", data={"comment": "Thiếu ảnh."})
    with app.app_context():
        exhibit = db.session.get(Exhibit, submitted[0])
        exhibit.status = ExhibitStatus.SUBMITTED
        db.session.commit()
    client.post(f"/exhibits/{submitted[0]}/accept", data={})
    with app.app_context():
        actions = db.session.execute(
            db.select(AuditLog.action, AuditLog.before, AuditLog.after)
            .where(AuditLog.object_type == "exhibits", AuditLog.object_id == submitted[0])
            .order_by(AuditLog.id)
        ).all()
    assert [a for a, _, _ in actions] == ["exhibit.returned", "exhibit.accepted"]
    assert actions[0].before["status"] == "submitted" and actions[0].after == {
        "status": "returned",
        "code": None,
        "booth": None,
        "comment": "Thiếu ảnh.",
    }
    page = client.get(f"/exhibits/{submitted[0]}").get_data(as_text=True)
    assert "Lịch sử" in page and "Trả lại để sửa" in page and "Thiếu ảnh." in page


def test_table_filters_by_unit_region_category_and_status(app, client, login_as, people, submitted):
    login_as("organizer")
    client.post(f"/exhibits/{submitted[0]}/accept", data={})

    def titles(**args):
        page = client.get("/exhibits/", query_string=args).get_data(as_text=True)
        return {
            t
            for t in ("Cữ gá may túi tự động", "Bàn cắt vải hút chân không", "Bảng điều hành sản xuất điện tử")
            if t in page
        }

    assert len(titles()) == 3
    assert titles(unit=people["ids"]["unit_b"]) == {"Bàn cắt vải hút chân không"}
    assert titles(region="hcmc") == {"Bàn cắt vải hút chân không"}
    assert titles(category=people["ids"]["category"]) == {"Cữ gá may túi tự động", "Bàn cắt vải hút chân không"}
    assert titles(status="accepted") == {"Cữ gá may túi tự động"}


@pytest.mark.parametrize("query", ["nguyen thi", "NGUYỄN THỊ", "hang", "cu ga", "Đức Minh", "KT-01"])
def test_search_ignores_accents_and_case(client, login_as, submitted, query):
    login_as("organizer")
    client.post(f"/exhibits/{submitted[0]}/accept", data={})
    client.post(f"/exhibits/{submitted[1]}/accept", data={})
    page = client.get("/exhibits/", query_string={"q": query}).get_data(as_text=True)
    expected = "Bàn cắt vải hút chân không" if query == "Đức Minh" else "Cữ gá may túi tự động"
    assert expected in page
    assert "Bảng điều hành sản xuất điện tử" not in page


def test_table_sorts_and_paginates(app, client, login_as, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        unit, category = (
            db.session.get(Unit, people["ids"]["unit_a"]),
            db.session.get(Category, people["ids"]["category"]),
        )
        festival.exhibit_quota = 100
        for n in range(30):
            factories.make_exhibit(festival, unit, category, title=f"Sáng kiến {n:02d}", benefit_vnd=n * 1000)
        db.session.commit()
    login_as("organizer")
    page = client.get("/exhibits/", query_string={"sort": "benefit"}).get_data(as_text=True)
    assert page.index("Sáng kiến 29") < page.index("Sáng kiến 28")
    assert "Trang 1 / 2" in page
    page = client.get("/exhibits/", query_string={"sort": "title", "page": 2}).get_data(as_text=True)
    assert "Sáng kiến 29" in page and "Sáng kiến 00" not in page
    assert client.get("/exhibits/", query_string={"sort": "id; drop table"}).status_code == 200


def test_empty_table_says_so(client, login_as, people):
    login_as("organizer")
    assert "Chưa có sáng kiến nào." in client.get("/exhibits/").get_data(as_text=True)


def test_statistics_show_totals_by_unit_region_and_category(client, login_as, submitted):
    login_as("organizer")
    for exhibit_id in submitted[:2]:
        client.post(f"/exhibits/{exhibit_id}/accept", data={})
    page = client.get("/exhibits/statistics").get_data(as_text=True)
    assert "190.000.000 ₫" in page  # 150 M + 40 M accepted; the submitted QL one does not count
    assert "<svg" in page and "<rect" in page
    assert "Đức Giang (UNITA)" in page and "Việt Tiến (UNITB)" in page
    assert "TP.HCM" in page and "Cải tiến kỹ thuật, thiết bị (KT)" in page


def test_categories_are_managed_and_a_used_one_is_kept(app, client, login_as, people, submitted):
    login_as("organizer")
    client.post("/exhibits/categories", data={"code": "at", "name_vi": "An toàn lao động", "name_en": "Safety"})
    with app.app_context():
        assert db.session.execute(db.select(Category).where(Category.code == "AT")).scalar_one()
    page = client.post("/exhibits/categories", data={"code": "AT", "name_vi": "Trùng"}).get_data(as_text=True)
    assert "Mã lĩnh vực AT đã được dùng." in page
    page = client.post(f"/exhibits/categories/{people['ids']['category']}/delete", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Không thể xoá lĩnh vực KT" in page


def test_a_refused_code_keeps_the_typed_code_booth_and_zone(client, login_as, submitted, get_exhibit):
    login_as("organizer")
    client.post(f"/exhibits/{submitted[0]}/accept", data={"code": "KT-07", "booth": "A12"})
    response = client.post(f"/exhibits/{submitted[1]}/accept", data={"code": "kt-07", "booth": "B5", "zone": "Sảnh B"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mã KT-07 đã được dùng cho sáng kiến khác." in page
    assert 'value="kt-07"' in page and 'value="B5"' in page and 'value="Sảnh B"' in page
    assert get_exhibit(submitted[1])["booth"] is None


def test_submitting_asks_for_confirmation(client, login_as, people):
    login_as("unit_a")
    client.post("/exhibits/new", data=exhibit_form(people["ids"]["category"]))
    page = client.get("/exhibits/mine", follow_redirects=True).get_data(as_text=True)
    exhibit_link = re.search(r'href="(/exhibits/\d+)"', page).group(1)
    page = client.get(exhibit_link).get_data(as_text=True)
    form = re.search(r'<form method="post" action="/exhibits/\d+/submit"[^>]*>', page).group(0)
    assert 'data-confirm="Gửi sáng kiến này cho ban tổ chức?' in form
    # It says what the editing rules are: a submitted exhibit stays editable until it is reviewed.
    assert "vẫn sửa được cho đến khi ban tổ chức xét duyệt hoặc hết hạn đăng ký" in form
    assert "không sửa được nữa trừ khi ban tổ chức trả lại" not in page
    assert client.post(f"{exhibit_link}/submit").status_code == 302
    page = client.get(exhibit_link).get_data(as_text=True)
    assert f'href="{exhibit_link}/edit"' in page
    assert client.get(f"{exhibit_link}/edit").status_code == 200


def test_in_english_the_review_buttons_are_verbs_and_the_status_a_state(client, login_as, submitted):
    login_as("organizer")
    client.post("/lang/en")
    page = client.get(f"/exhibits/{submitted[0]}").get_data(as_text=True)
    assert ">Return for changes</button>" in page and ">Reject</button>" in page
    client.post(f"/exhibits/{submitted[1]}/reject", data={"comment": "Trùng với sáng kiến đã có."})
    page = client.get(f"/exhibits/{submitted[1]}").get_data(as_text=True)
    assert ">Rejected<" in page


def test_accepted_exhibits_are_the_festivals_accepted_ones_only(app, people):
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        unit = db.session.get(Unit, people["ids"]["unit_a"])
        category = db.session.get(Category, people["ids"]["category"])
        made = {status: factories.make_exhibit(festival, unit, category, status=status) for status in ExhibitStatus}
        other = factories.make_festival(is_current=False)
        other_category = factories.make_category(other, "KT", "Kỹ thuật", "Engineering")
        factories.make_exhibit(other, unit, other_category, status=ExhibitStatus.ACCEPTED)
        db.session.commit()
        found = db.session.execute(services.accepted_exhibits(festival)).scalars().all()
        assert [e.id for e in found] == [made[ExhibitStatus.ACCEPTED].id]
