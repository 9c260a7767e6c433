"""Entering and editing an initiative: the form, its rules, numbering, files, deletion and who may do it."""

import io
import threading
import time
from datetime import date

import pytest

from festival.core import storage, uploads
from festival.core.extensions import db
from festival.initiatives import services
from festival.models import (
    AuditLog,
    AuthorCategory,
    Category,
    Festival,
    Initiative,
    InitiativeField,
    InitiativeFile,
    InitiativeSource,
    InitiativeState,
    ProductionTeam,
    Unit,
    User,
)
from festival.util.formatting import festival_today
from tests import factories


def form(**changes):
    """A valid initiative form with two authors sharing 60/40."""
    data = {
        "title": "Cữ gá may túi tự động",
        "field": "production",
        "team_name": "Tổ may 3",
        "department": "Xí nghiệp may 1",
        "problem": "May túi chậm, lệch.",
        "solution": "Cữ gá định vị túi.",
        "effect_summary": "Tăng năng suất 20%.",
        "authors-0-full_name": "Nguyễn Thị Hoà",
        "authors-0-job_title": "Công nhân may",
        "authors-0-phone": "0912 345 678",
        "authors-0-category": "worker",
        "authors-0-share_percent": "60",
        "authors-1-full_name": "Trần Văn Đức",
        "authors-1-category": "manager",
        "authors-1-is_graduate": "y",
        "authors-1-share_percent": "40",
    }
    return {**data, **changes}


def one_initiative(app, **where):
    with app.app_context():
        found = db.session.execute(db.select(Initiative).filter_by(**where)).scalars().one()
        _loaded = (found.authors, found.files)  # before the session goes
        db.session.expunge_all()
        return found


def test_support_team_enters_an_initiative_for_its_unit_with_the_next_number(app, people, login_as):
    client = login_as("support_a")
    with app.app_context():
        year = festival_today().year
        db.session.add(Initiative(unit_id=people["ids"]["unit_a"], year=year, number=7, title="Cũ"))
        db.session.commit()
    # A unit id posted by a support account is ignored: it always enters its own unit's initiatives.
    response = client.post("/initiatives/new", data=form(unit_id=people["ids"]["unit_b"]))
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = one_initiative(app, title="Cữ gá may túi tự động")
    assert (saved.unit_id, saved.year, saved.number, saved.reference) == (
        people["ids"]["unit_a"],
        year,
        8,
        f"SK-{year}-008",
    )
    assert saved.source is InitiativeSource.ENTERED and saved.entered_by_id == people["ids"]["support_a_user"]
    assert saved.state is InitiativeState.RECEIVED and saved.field is InitiativeField.PRODUCTION
    assert [(a.full_name, a.share_percent, a.category, a.is_graduate, a.phone) for a in saved.authors] == [
        ("Nguyễn Thị Hoà", 60, AuthorCategory.WORKER, False, "0912 345 678"),
        ("Trần Văn Đức", 40, AuthorCategory.MANAGER, True, ""),
    ]
    with app.app_context():
        entry = db.session.execute(db.select(AuditLog).where(AuditLog.action == "initiative.created")).scalar_one()
        assert entry.object_id == saved.id and entry.user_id == people["ids"]["support_a_user"]
        assert "0912 345 678" not in str(entry.after)  # phones stay out of the audit log
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    for text in ("Cữ gá may túi tự động", f"SK-{year}-008", "Nguyễn Thị Hoà", "60%", "Trần Văn Đức", "40%", "Tổ may 3"):
        assert text in page
    assert "Đã tiếp nhận ý tưởng" in page and "Nhập sáng kiến" in page  # the state and the history


def test_shares_must_total_100_and_a_refused_form_keeps_what_was_typed(app, people, login_as):
    client = login_as("unit_a")
    response = client.post("/initiatives/new", data=form(**{"authors-1-share_percent": "30"}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tổng tỷ lệ đóng góp của các tác giả phải bằng 100% (các tỷ lệ đã ghi cộng lại là 90%)." in page
    for typed in ("Cữ gá may túi tự động", "Nguyễn Thị Hoà", "Trần Văn Đức", "0912 345 678", "Cữ gá định vị túi."):
        assert typed in page
    assert 'value="30"' in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Initiative)) == 0


def test_a_sole_author_has_the_whole_share(app, people, login_as):
    client = login_as("unit_a")
    data = {k: v for k, v in form().items() if not k.startswith("authors-1")}
    del data["authors-0-share_percent"]
    assert client.post("/initiatives/new", data=data).status_code == 302
    assert [a.share_percent for a in one_initiative(app).authors] == [100]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"is_trade_secret": "y", "is_published": "y"},
            "Sáng kiến là bí mật kinh doanh thì không được công bố công khai.",
        ),
        ({"authors-0-full_name": "", "authors-0-job_title": "Thợ"}, "Mỗi dòng tác giả cần có họ và tên."),
        ({"authors-1-share_percent": ""}, "Hãy ghi tỷ lệ đóng góp của tác giả Trần Văn Đức."),
        ({"title": ""}, "Trường này là bắt buộc."),
    ],
)
def test_refusals_say_why(app, people, login_as, changes, message):
    response = login_as("unit_a").post("/initiatives/new", data=form(**changes))
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_at_most_ten_authors(app, people):
    with app.app_context():
        unit = db.session.get(Unit, people["ids"]["unit_a"])
        user = db.session.get(User, people["ids"]["unit_a_user"])
        authors = [services.AuthorInput(f"Tác giả {n}", share_percent=10) for n in range(10)]
        data = services.InitiativeInput("Mười người", InitiativeField.SAFETY, authors)
        assert services.create_initiative(unit, data, by=user, today=date.today()).number == 1
        data.authors.append(services.AuthorInput("Người thứ mười một", share_percent=1))
        with pytest.raises(services.FestivalError, match="tối đa 10 tác giả"):
            services.create_initiative(unit, data, by=user, today=date.today())


def test_organizer_chooses_the_unit_and_a_team_of_that_unit(app, people, login_as):
    with app.app_context():
        team = ProductionTeam(unit_id=people["ids"]["unit_b"], department="Xí nghiệp 2", name="Tổ cắt")
        other = ProductionTeam(unit_id=people["ids"]["unit_a"], department="", name="Tổ của A")
        db.session.add_all([team, other])
        db.session.commit()
        team_id, other_id = team.id, other.id
    client = login_as("organizer")
    page = client.get("/initiatives/new").get_data(as_text=True)
    assert "Tổ cắt – Xí nghiệp 2" in page and "— Chọn đơn vị —" in page
    refused = client.post("/initiatives/new", data=form(unit_id=people["ids"]["unit_b"], team_id=other_id))
    assert refused.status_code == 422 and "Tổ sản xuất đã chọn không thuộc đơn vị Việt Tiến." in refused.get_data(
        as_text=True
    )
    assert client.post("/initiatives/new", data=form(team_id=team_id)).status_code == 422  # no unit chosen
    response = client.post(
        "/initiatives/new", data=form(unit_id=people["ids"]["unit_b"], team_id=team_id, department="")
    )
    assert response.status_code == 302
    saved = one_initiative(app)
    assert (saved.unit_id, saved.team_id, saved.team_name, saved.department, saved.number) == (
        people["ids"]["unit_b"],
        team_id,
        "",
        "Xí nghiệp 2",
        1,
    )


def test_editing_keeps_number_and_state_and_is_audited(app, people, login_as):
    client = login_as("unit_a")
    client.post("/initiatives/new", data=form())
    saved = one_initiative(app)
    page = client.get(f"/initiatives/{saved.id}/edit").get_data(as_text=True)
    assert 'value="Nguyễn Thị Hoà"' in page and 'value="60"' in page and "0912 345 678" in page
    changed = form(title="Cữ gá may túi có nắp", **{"authors-0-share_percent": "50", "authors-1-share_percent": "50"})
    assert client.post(f"/initiatives/{saved.id}/edit", data=changed).status_code == 302
    after = one_initiative(app)
    assert (after.title, after.number, [a.share_percent for a in after.authors]) == (
        "Cữ gá may túi có nắp",
        1,
        [50, 50],
    )
    with app.app_context():
        entry = db.session.execute(db.select(AuditLog).where(AuditLog.action == "initiative.updated")).scalar_one()
        assert entry.before["title"] == "Cữ gá may túi tự động" and entry.after["title"] == "Cữ gá may túi có nắp"


def test_two_saves_at_once_take_the_next_number_instead_of_failing(app, people, monkeypatch):
    """The number read before another save's insert is taken when it is written: the second try takes the next."""
    with app.app_context():
        unit = db.session.get(Unit, people["ids"]["unit_a"])
        user = db.session.get(User, people["ids"]["unit_a_user"])
        year = date.today().year
        db.session.add(Initiative(unit=unit, year=year, number=1, title="Ghi trước"))
        db.session.commit()
        stale = iter([1])  # the first read is stale: it says number 1 is free
        real = services.next_number
        monkeypatch.setattr(services, "next_number", lambda u, y: next(stale, None) or real(u, y))
        data = services.InitiativeInput(
            "Ghi cùng lúc", InitiativeField.PRODUCTION, [services.AuthorInput("An", share_percent=100)]
        )
        made = services.create_initiative(unit, data, by=user, today=date.today())
        db.session.commit()
        assert made.number == 2
        numbers = db.session.execute(db.select(Initiative.number).order_by(Initiative.number)).scalars().all()
        assert numbers == [1, 2]


def status(client, path) -> int:
    """The status of a GET, its body (maybe a file) closed."""
    with client.get(path) as response:
        return response.status_code


def make_initiative(app, people, unit="unit_a", state=InitiativeState.RECEIVED, files=(), **values) -> int:
    """An initiative of `unit` entered through the service, optionally with files; its id."""
    with app.app_context():
        unit_row = db.session.get(Unit, people["ids"][unit])
        user = db.session.get(User, people["ids"][f"{unit}_user"])
        data = services.InitiativeInput(
            values.pop("title", "Bàn là hơi tiết kiệm điện"),
            InitiativeField.PRODUCTION,
            [services.AuthorInput("Lê Thị Mai", phone="0987 111 222", share_percent=100)],
            **values,
        )
        initiative = services.create_initiative(unit_row, data, by=user, today=date.today())
        if files:
            services.add_files(initiative, list(files), by=user)
        initiative.state = state
        db.session.commit()
        return initiative.id


def test_support_team_of_another_unit_is_refused_and_the_organizer_allowed(app, people, client, auth):
    initiative_id = make_initiative(app, people, unit="unit_b", files=[("anh.jpg", factories.jpeg_bytes())])
    with app.app_context():
        file_id = db.session.execute(db.select(InitiativeFile.id)).scalar_one()
    paths = [
        f"/initiatives/{initiative_id}",
        f"/initiatives/{initiative_id}/edit",
        f"/initiatives/{initiative_id}/delete",
        f"/initiatives/files/{file_id}",
        f"/initiatives/files/{file_id}/thumb",
        f"/initiatives/files/{file_id}/delete",
    ]
    auth.login(people["emails"]["support_a"])
    assert [status(client, path) for path in paths] == [404] * len(paths)
    assert client.post(f"/initiatives/{initiative_id}/edit", data=form(title="Sửa trộm")).status_code == 404
    assert client.post(f"/initiatives/{initiative_id}/delete").status_code == 404
    assert client.post(f"/initiatives/{initiative_id}/propose").status_code == 404
    assert one_initiative(app).title == "Bàn là hơi tiết kiệm điện"
    assert "Bàn là hơi tiết kiệm điện" not in client.get("/initiatives/").get_data(as_text=True)
    auth.logout()
    auth.login(people["emails"]["judge"])
    assert client.get(paths[0]).status_code == 403
    auth.logout()
    auth.login(people["emails"]["organizer"])
    assert [status(client, path) for path in paths] == [200] * len(paths)
    assert client.post(f"/initiatives/{initiative_id}/edit", data=form(title="Sửa hộ")).status_code == 302
    assert one_initiative(app).title == "Sửa hộ"


def test_files_are_stored_as_exhibits_attachments_served_to_keepers_and_deleted_after_confirmation(
    app, people, login_as
):
    initiative_id = make_initiative(app, people)
    client = login_as("support_a")
    response = client.post(
        f"/initiatives/{initiative_id}/files",
        data={
            "files": [
                (io.BytesIO(factories.jpeg_bytes(gps=True)), "anh.jpg"),
                (io.BytesIO(factories.pdf_bytes()), "ho-so.pdf"),
            ]
        },
    )
    assert response.status_code == 302
    with app.app_context():
        photo, document = db.session.execute(db.select(InitiativeFile).order_by(InitiativeFile.id)).scalars().all()
        assert (
            photo.stored_name.startswith("initiatives/") and photo.thumbnail_name and photo.content_type == "image/jpeg"
        )
        assert document.content_type == "application/pdf" and document.thumbnail_name is None
        stored = uploads.read_stored(photo.stored_name)
        photo_id, document_id, names = photo.id, document.id, (photo.stored_name, photo.thumbnail_name)
    assert b"SecretCam" not in stored  # re-encoded without EXIF, as exhibits' photos are
    with client.get(f"/initiatives/files/{photo_id}") as served:
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
        assert "no-store" in served.headers["Cache-Control"]
    with client.get(f"/initiatives/files/{document_id}") as served:
        assert served.headers["Content-Disposition"].startswith("attachment") and served.get_data().startswith(b"%PDF")
    page = client.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    assert "anh.jpg" in page and "ho-so.pdf" in page
    confirm = client.get(f"/initiatives/files/{photo_id}/delete").get_data(as_text=True)
    assert "Tệp “anh.jpg” sẽ bị xoá khỏi sáng kiến" in confirm
    assert client.post(f"/initiatives/files/{photo_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.execute(db.select(InitiativeFile.id)).scalars().all() == [document_id]
        assert not any(storage.store("uploads").exists(name) for name in names)
        assert db.session.execute(
            db.select(AuditLog.action).where(AuditLog.action.like("initiative.file%")).order_by(AuditLog.id)
        ).scalars().all() == ["initiative.files_added", "initiative.file_removed"]


def test_a_file_of_the_wrong_type_is_refused_with_a_message_and_nothing_stored(app, people, login_as):
    initiative_id = make_initiative(app, people)
    response = login_as("unit_a").post(
        f"/initiatives/{initiative_id}/files", data={"files": [(io.BytesIO(b"MZ\x90 not a picture"), "virus.exe")]}
    )
    assert response.status_code == 422
    assert "Tệp “virus.exe” không phải ảnh JPEG, PNG, WebP hay tài liệu PDF." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(InitiativeFile)).first() is None


def test_deleting_asks_first_and_only_while_received_or_proposed_and_not_nominated(app, people, login_as):
    initiative_id = make_initiative(app, people, files=[("anh.jpg", factories.jpeg_bytes())])
    applied_id = make_initiative(app, people, title="Đã áp dụng", state=InitiativeState.APPLIED)
    client = login_as("unit_a")
    confirm = client.get(f"/initiatives/{initiative_id}/delete")
    assert confirm.status_code == 200 and "Xoá sáng kiến khỏi sổ?" in confirm.get_data(as_text=True)
    refused = client.post(f"/initiatives/{applied_id}/delete", follow_redirects=True)
    assert "Sáng kiến ở trạng thái “Đã áp dụng” không xoá được." in refused.get_data(as_text=True)
    with app.app_context():
        stored = db.session.execute(db.select(InitiativeFile.stored_name)).scalar_one()
    assert client.post(f"/initiatives/{initiative_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.execute(db.select(Initiative.title)).scalars().all() == ["Đã áp dụng"]
        assert not storage.store("uploads").exists(stored)
        assert db.session.execute(
            db.select(AuditLog).where(AuditLog.action == "initiative.deleted", AuditLog.object_id == initiative_id)
        ).scalar_one()


def test_a_nominated_initiative_cannot_be_deleted(app, people, login_as):
    initiative_id = make_initiative(app, people)
    with app.app_context():
        festival = db.session.get(Festival, people["ids"]["festival"])
        exhibit = factories.make_exhibit(
            festival, db.session.get(Unit, people["ids"]["unit_a"]), db.session.get(Category, people["ids"]["category"])
        )
        db.session.get(Initiative, initiative_id).exhibit = exhibit
        db.session.commit()
    client = login_as("unit_a")
    page = client.get(f"/initiatives/{initiative_id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "Sáng kiến đã được đề cử tham gia ngày hội nên không xoá được." in page
    client.post(f"/initiatives/{initiative_id}/delete")
    with app.app_context():
        assert db.session.get(Initiative, initiative_id) is not None


def test_trade_secret_is_marked_on_the_register_and_its_page(app, people, login_as):
    initiative_id = make_initiative(app, people, is_trade_secret=True)
    client = login_as("unit_a")
    assert "Bí mật kinh doanh" in client.get("/initiatives/").get_data(as_text=True)
    assert "Sáng kiến là bí mật kinh doanh: không công bố" in client.get(f"/initiatives/{initiative_id}").get_data(
        as_text=True
    )


def test_two_saves_really_at_once_get_two_numbers(app, people):
    """Two requests save at the same moment: the second waits for the first (SQLite's write lock), or picks the
    same number and is refused by the unique constraint, then takes the next (PostgreSQL); neither fails."""
    first_saved, numbers, errors = threading.Event(), [], []

    def save(title, hold):
        try:
            with app.app_context():
                unit = db.session.get(Unit, people["ids"]["unit_a"])
                user = db.session.get(User, people["ids"]["unit_a_user"])
                author = services.AuthorInput("An", share_percent=100)
                data = services.InitiativeInput(title, InitiativeField.PRODUCTION, [author])
                made = services.create_initiative(unit, data, by=user, today=date.today())
                if hold:
                    first_saved.set()
                    time.sleep(0.5)  # the other save starts meanwhile and meets this one's uncommitted row
                numbers.append(made.number)
                db.session.commit()
        except Exception as error:  # reported by the assertion below
            errors.append(error)
            first_saved.set()

    first = threading.Thread(target=save, args=("Thứ nhất", True))
    first.start()
    first_saved.wait(10)
    second = threading.Thread(target=save, args=("Thứ hai", False))
    second.start()
    first.join(20)
    second.join(20)
    assert not errors
    with app.app_context():
        saved = db.session.execute(db.select(Initiative.title, Initiative.number).order_by(Initiative.number)).all()
    assert [tuple(row) for row in saved] == [("Thứ nhất", 1), ("Thứ hai", 2)]
