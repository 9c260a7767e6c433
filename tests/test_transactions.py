"""One transaction per request: a write request is committed after its view unless it answered an
error; a refusal flashes on the page it came from (or answers JSON); GET never commits."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import flash, jsonify, redirect, request
from sqlalchemy.exc import OperationalError

from festival.core.errors import FestivalError, refusals_return_to
from festival.core.extensions import db
from festival.core.transactions import on_commit
from festival.models import Region, Unit
from tests.conftest import make_app

ran = []


def _add_unit(code: str) -> None:
    db.session.add(Unit(code=code, name=f"Công ty {code}", short_name=code, region=Region.HUE))
    db.session.flush()


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)

    @app.route("/t/ok", methods=["GET", "POST"])
    def ok():
        _add_unit(request.args["code"])
        on_commit(lambda: ran.append(request.args["code"]))
        return "ok"

    @app.route("/t/refused/<int:unit_id>", methods=["POST"])
    @refusals_return_to("admin.unit_edit")
    def refused(unit_id):
        _add_unit("HALFWAY")
        on_commit(lambda: ran.append("HALFWAY"))
        raise FestivalError("Không được.")

    @app.route("/t/shown-again", methods=["POST"])
    def shown_again():
        _add_unit("HALFWAY")
        return "form with its problems", 422

    @app.route("/t/commit-fails", methods=["POST"])
    def commit_fails():
        _add_unit("LOCKED")

        @sa.event.listens_for(db.session(), "before_commit", once=True)
        def busy(session):
            raise OperationalError("COMMIT", {}, Exception("database is locked"))

        flash("Đã lưu.")
        return redirect("/")

    @app.route("/t/savepoint-then-refused", methods=["POST"])
    def savepoint_then_refused():
        _add_unit("HALFWAY")
        on_commit(lambda: ran.append("HALFWAY"))
        with db.session.begin_nested():  # as a gate scan writes its row: a savepoint, released
            _add_unit("INNER")
        assert ran == []  # the outer transaction has not committed: nothing after it may run yet
        raise FestivalError("Không được.")

    @app.route("/t/json", methods=["POST"])
    def json_refusal():
        _add_unit("HALFWAY")
        if request.is_json:
            raise FestivalError("Dữ liệu lưu không hợp lệ.")
        return jsonify(status="saved")

    ran.clear()
    return app


def _codes(app) -> set[str]:
    with app.app_context():
        return set(db.session.execute(sa.select(Unit.code)).scalars())


def test_a_write_that_answers_normally_is_committed_and_its_after_commit_work_runs(app, client):
    assert client.post("/t/ok?code=KEPT").status_code == 200
    assert "KEPT" in _codes(app)
    assert ran == ["KEPT"]


def test_work_after_commit_waits_for_the_outer_transaction_not_a_released_savepoint(app, client):
    assert client.post("/t/savepoint-then-refused").status_code == 400
    assert ran == [] and not {"HALFWAY", "INNER"} & _codes(app)
    with app.app_context():
        _add_unit("OUTER")
        on_commit(lambda: ran.append("OUTER"))
        with db.session.begin_nested():
            _add_unit("NESTED")
        assert ran == []
        db.session.commit()
    assert ran == ["OUTER"] and {"OUTER", "NESTED"} <= _codes(app)


def test_a_get_never_commits_what_it_wrote(app, client):
    assert client.get("/t/ok?code=NOTKEPT").status_code == 200
    assert "NOTKEPT" not in _codes(app)
    assert ran == []


def test_a_refused_form_post_writes_nothing_and_flashes_on_its_page(app, client):
    response = client.post("/t/refused/7")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/units/7"
    assert "HALFWAY" not in _codes(app)
    assert ran == []  # the work promised on commit is forgotten with the rollback
    with client.session_transaction() as session:
        assert session["_flashes"] == [("danger", "Không được.")]


def test_a_form_shown_again_with_422_writes_nothing(app, client):
    assert client.post("/t/shown-again").status_code == 422
    assert "HALFWAY" not in _codes(app)


def test_a_json_refusal_answers_json_and_writes_nothing(app, client):
    response = client.post("/t/json", json={"x": 1})
    assert response.status_code == 400
    assert response.get_json()["message"] == "Dữ liệu lưu không hợp lệ."
    assert "HALFWAY" not in _codes(app)


def test_a_commit_that_fails_answers_503_not_success(app, client):
    response = client.post("/t/commit-fails", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert "LOCKED" not in _codes(app)
    with client.session_transaction() as session:
        assert "_flashes" not in session  # nothing claims "saved"


def test_no_view_commits_or_rolls_back_itself():

    views = Path(__file__).resolve().parents[1] / "festival"
    offenders = [
        str(path)
        for path in views.glob("*/views.py")
        if "session.commit(" in path.read_text() or "session.rollback(" in path.read_text()
    ]
    assert offenders == []
