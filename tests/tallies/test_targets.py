"""Targets: organizers set every unit's membership, target and emulation group for a year on one page (the
target defaults to members ÷ 10 rounded up), refused rows say why, every change is audited, last year's can be
copied; a unit sees its own and cannot change it."""

import sqlalchemy as sa

from festival.core.extensions import db
from festival.models import AuditLog, UnitTarget

YEAR = 2026


def _targets(app) -> dict[int, tuple]:
    with app.app_context():
        rows = db.session.execute(sa.select(UnitTarget).where(UnitTarget.year == YEAR)).scalars()
        return {t.unit_id: (t.members, t.target, t.emulation_group) for t in rows}


def _form(*rows):
    data = {}
    for n, (unit_id, members, target, group) in enumerate(rows):
        data.update(
            {
                f"rows-{n}-unit_id": str(unit_id),
                f"rows-{n}-members": members,
                f"rows-{n}-target": target,
                f"rows-{n}-emulation_group": group,
            }
        )
    return data


def test_organizers_set_every_units_target_on_one_page_with_the_default_from_members(app, people, login_as):
    a, b = people["ids"]["unit_a"], people["ids"]["unit_b"]
    client = login_as("organizer")
    page = client.get(f"/programme/targets?year={YEAR}").get_data(as_text=True)
    assert "Đức Giang" in page and "Việt Tiến" in page and "số quý đã qua ÷ 4" in page
    response = client.post(f"/programme/targets?year={YEAR}", data=_form((a, "101", "", "Cụm May"), (b, "", "", "")))
    assert response.status_code == 302
    assert _targets(app) == {a: (101, 11, "Cụm May")}  # unit B's empty row is left as it was: none
    client.post(f"/programme/targets?year={YEAR}", data=_form((a, "101", "15", "Cụm May"), (b, "80", "", "Cụm May")))
    assert _targets(app) == {a: (101, 15, "Cụm May"), b: (80, 8, "Cụm May")}
    with app.app_context():
        entries = db.session.execute(sa.select(AuditLog).where(AuditLog.action == "unit_target.save")).scalars().all()
        changes = [(e.before, e.after) for e in entries]
    assert len(changes) == 3
    assert changes[1] == (
        {"members": 101, "target": 11, "emulation_group": "Cụm May"},
        {"year": YEAR, "members": 101, "target": 15, "emulation_group": "Cụm May"},
    )
    page = client.get(f"/programme/targets?year={YEAR}").get_data(as_text=True)
    assert 'value="15"' in page and 'value="80"' in page


def test_a_refused_row_says_why_and_nothing_is_saved(app, people, login_as):
    a, b = people["ids"]["unit_a"], people["ids"]["unit_b"]
    client = login_as("organizer")
    response = client.post(f"/programme/targets?year={YEAR}", data=_form((a, "120", "", ""), (b, "", "9", "")))
    assert response.status_code == 422
    assert "Hãy nhập số đoàn viên trước khi đặt chỉ tiêu." in response.get_data(as_text=True)
    response = client.post(f"/programme/targets?year={YEAR}", data=_form((a, "-3", "", "")))
    assert response.status_code == 422 and "Số đoàn viên từ 0 đến 10.000.000." in response.get_data(as_text=True)
    response = client.post(f"/programme/targets?year={YEAR}", data=_form((a, "5", "", ""), (a, "6", "", "")))
    assert response.status_code == 422 and "Mỗi đơn vị chỉ có một dòng chỉ tiêu." in response.get_data(as_text=True)
    response = client.post(f"/programme/targets?year={YEAR}", data=_form((999999, "5", "", "")))
    assert response.status_code == 422 and "Hãy tải lại trang." in response.get_data(as_text=True)
    assert _targets(app) == {}


def test_last_years_targets_are_copied_to_units_without_one(app, people, login_as):
    a, b = people["ids"]["unit_a"], people["ids"]["unit_b"]
    with app.app_context():
        db.session.add_all(
            [
                UnitTarget(unit_id=a, year=YEAR - 1, members=200, target=20, emulation_group="Cụm May"),
                UnitTarget(unit_id=b, year=YEAR - 1, members=90, target=9, emulation_group="Cụm Sợi"),
                UnitTarget(unit_id=b, year=YEAR, members=95, target=10, emulation_group="Cụm Sợi"),
            ]
        )
        db.session.commit()
    client = login_as("organizer")
    page = client.post(f"/programme/targets/copy?year={YEAR}", follow_redirects=True).get_data(as_text=True)
    assert f"Đã chép chỉ tiêu năm {YEAR - 1} cho 1 đơn vị." in page
    assert _targets(app) == {a: (200, 20, "Cụm May"), b: (95, 10, "Cụm Sợi")}  # B keeps this year's
    page = client.post(f"/programme/targets/copy?year={YEAR}", follow_redirects=True).get_data(as_text=True)
    assert f"Mọi đơn vị đã có chỉ tiêu năm {YEAR}" in page
    page = client.post("/programme/targets/copy?year=2001", follow_redirects=True).get_data(as_text=True)
    assert "Năm 2000 chưa có chỉ tiêu nào để chép." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "unit_target.copy")) == 1


def test_a_unit_sees_its_own_target_and_cannot_change_any(app, people, client, login_as):
    a, b = people["ids"]["unit_a"], people["ids"]["unit_b"]
    with app.app_context():
        db.session.add(UnitTarget(unit_id=a, year=YEAR, members=130, target=13, emulation_group="Cụm May"))
        db.session.add(UnitTarget(unit_id=b, year=YEAR, members=70, target=7, emulation_group="Cụm Sợi"))
        db.session.commit()
    client = login_as("support_a")
    page = client.get(f"/programme/targets?year={YEAR}").get_data(as_text=True)
    assert "130" in page and "Cụm May" in page and "Việt Tiến" not in page and "Cụm Sợi" not in page
    assert 'action="/programme/targets' not in page
    assert client.post(f"/programme/targets?year={YEAR}", data=_form((a, "500", "", ""))).status_code == 403
    assert client.post(f"/programme/targets/copy?year={YEAR}").status_code == 403
    assert _targets(app)[a] == (130, 13, "Cụm May")
    client.post("/auth/logout")
    page = login_as("unit_b").get(f"/programme/targets?year={YEAR + 1}").get_data(as_text=True)
    assert f"Ban tổ chức chưa đặt chỉ tiêu năm {YEAR + 1} cho đơn vị." in page
