"""A unit's production teams: who keeps them, adding, editing, deleting, and a new poster key."""

from festival.core.extensions import db
from festival.models import AuditLog, Initiative, ProductionTeam


def _teams(app, unit_id):
    with app.app_context():
        query = db.select(ProductionTeam).where(ProductionTeam.unit_id == unit_id).order_by(ProductionTeam.name)
        return [(t.department, t.name) for t in db.session.execute(query).scalars()]


def test_unit_adds_edits_and_lists_its_teams(app, people, login_as):
    client = login_as("unit_a")
    unit_id = people["ids"]["unit_a"]
    assert client.get("/initiatives/teams").headers["Location"].endswith(f"/initiatives/units/{unit_id}/teams")
    assert "Đơn vị chưa có tổ nào" in client.get(f"/initiatives/units/{unit_id}/teams").get_data(as_text=True)
    response = client.post(
        f"/initiatives/units/{unit_id}/teams/new", data={"name": "Tổ cắt 2", "department": "Xí nghiệp May 1"}
    )
    assert response.status_code == 302
    assert _teams(app, unit_id) == [("Xí nghiệp May 1", "Tổ cắt 2")]
    page = client.get(f"/initiatives/units/{unit_id}/teams").get_data(as_text=True)
    assert "Tổ cắt 2" in page and "Xí nghiệp May 1" in page

    with app.app_context():
        team_id = db.session.execute(db.select(ProductionTeam.id)).scalar_one()
    client.post(f"/initiatives/teams/{team_id}/edit", data={"name": "Tổ cắt số 2", "department": "Xí nghiệp May 2"})
    assert _teams(app, unit_id) == [("Xí nghiệp May 2", "Tổ cắt số 2")]
    with app.app_context():
        actions = db.session.execute(db.select(AuditLog.action).order_by(AuditLog.id)).scalars().all()
    assert actions[-2:] == ["production_team.created", "production_team.updated"]


def test_a_team_name_twice_in_one_department_is_refused_with_the_input_kept(app, people, login_as, team):
    client = login_as("support_a")
    unit_id = people["ids"]["unit_a"]
    response = client.post(
        f"/initiatives/units/{unit_id}/teams/new", data={"name": "Tổ may 3", "department": "Xí nghiệp May 1"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Đơn vị đã có tổ “Tổ may 3” trong bộ phận này." in page and 'value="Xí nghiệp May 1"' in page
    response = client.post(f"/initiatives/units/{unit_id}/teams/new", data={"name": "", "department": "Kho"})
    assert response.status_code == 422 and "Trường này là bắt buộc." in response.get_data(as_text=True)
    assert len(_teams(app, unit_id)) == 1


def test_other_units_and_other_roles_cannot_keep_unit_as_teams(app, people, login_as, team):
    unit_id = people["ids"]["unit_a"]
    client = login_as("unit_b")
    assert client.get(f"/initiatives/units/{unit_id}/teams").status_code == 403
    assert client.post(f"/initiatives/teams/{team['id']}/edit", data={"name": "Đổi"}).status_code == 403
    assert client.post(f"/initiatives/teams/{team['id']}/delete").status_code == 403
    assert _teams(app, unit_id) == [("Xí nghiệp May 1", "Tổ may 3")]


def test_organizer_keeps_any_units_teams(app, people, login_as, team):
    client = login_as("organizer")
    page = client.get("/initiatives/teams").get_data(as_text=True)
    assert "UNITA" in page and f"/initiatives/units/{people['ids']['unit_a']}/teams" in page
    unit_b = people["ids"]["unit_b"]
    assert client.post(f"/initiatives/units/{unit_b}/teams/new", data={"name": "Tổ hoàn thiện"}).status_code == 302
    assert _teams(app, unit_b) == [("", "Tổ hoàn thiện")]


def test_deleting_a_team_asks_first_and_keeps_its_initiatives(app, people, login_as, team):
    client = login_as("unit_a")
    client.post(
        f"/y-tuong/{team['key']}",
        data={"full_name": "Lò Văn Páo", "phone": "0912345678", "title": "Giá để ống chỉ", "idea": "Gọn hơn."},
    )
    page = client.get(f"/initiatives/teams/{team['id']}/delete").get_data(as_text=True)
    assert "Xoá tổ Tổ may 3?" in page and "vẫn ở trong sổ sáng kiến" in page
    assert len(_teams(app, people["ids"]["unit_a"])) == 1  # asking changes nothing
    response = client.post(f"/initiatives/teams/{team['id']}/delete")
    assert response.status_code == 302
    assert _teams(app, people["ids"]["unit_a"]) == []
    with app.app_context():
        initiative = db.session.execute(db.select(Initiative)).scalar_one()
        assert (initiative.team_id, initiative.team_name, initiative.title) == (None, "Tổ may 3", "Giá để ống chỉ")
    assert client.get(f"/y-tuong/{team['key']}").status_code == 404


def test_a_new_poster_key_makes_the_old_poster_a_plain_404(app, people, login_as, client, team):
    assert client.get(f"/y-tuong/{team['key']}").status_code == 200
    login_as("support_a")
    page = client.get(f"/initiatives/teams/{team['id']}/new-key").get_data(as_text=True)
    assert "không mở được nữa" in page
    assert client.get(f"/y-tuong/{team['key']}").status_code == 200  # the confirmation page changed nothing
    assert client.post(f"/initiatives/teams/{team['id']}/new-key").status_code == 302
    with app.app_context():
        new_key = db.session.get(ProductionTeam, team["id"]).intake_key
        entry = db.session.execute(db.select(AuditLog).order_by(AuditLog.id.desc())).scalars().first()
        assert entry.action == "production_team.key_replaced" and new_key not in str(entry.after)
    assert new_key != team["key"]
    old = client.get(f"/y-tuong/{team['key']}")
    assert old.status_code == 404 and "Không tìm thấy trang" in old.get_data(as_text=True)
    assert client.get(f"/y-tuong/{new_key}").status_code == 200
    assert client.get("/y-tuong/khong-co-ma-nay").status_code == 404
