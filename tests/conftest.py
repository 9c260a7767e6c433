"""App-factory fixtures: a fresh app and database per test, a client, and sign-in helpers."""
import pytest

from config import TestConfig
from festival import create_app
from festival.extensions import db
from festival.models import Region, Role
from tests import factories


def make_app(tmp_path, **overrides):
    """An app on its own SQLite file under tmp_path (or TEST_DATABASE_URL), tables created."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'festival.db'}",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "JOBS_DIR": str(tmp_path / "jobs"),
        "CERTIFICATE_CACHE_DIR": str(tmp_path / "certificates"),
        **overrides,
    }
    config = type("Config", (TestConfig,), settings)
    app = create_app(config)
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An app context for tests that work with models directly."""
    with app.app_context():
        yield


class AuthActions:
    """Sign a test client in and out (flaskr's AuthActions)."""

    def __init__(self, client):
        self._client = client

    def login(self, email, password=factories.PASSWORD, **kwargs):
        return self._client.post("/auth/login", data={"email": email, "password": password}, **kwargs)

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def people(app):
    """A festival, two units, and one account of each role (unit A and B reps)."""
    with app.app_context():
        festival = factories.make_festival()
        unit_a = factories.make_unit("UNITA", name="Tổng Công ty May Đức Giang", short_name="Đức Giang")
        unit_b = factories.make_unit("UNITB", region=Region.HCMC, name="Tổng Công ty May Việt Tiến", short_name="Việt Tiến")
        category = factories.make_category(festival)
        accounts = {
            "organizer": factories.make_user(Role.ORGANIZER, email="organizer@example.vn"),
            "unit_a": factories.make_user(Role.UNIT, unit=unit_a, email="unit-a@example.vn"),
            "unit_b": factories.make_user(Role.UNIT, unit=unit_b, email="unit-b@example.vn"),
            "judge": factories.make_user(Role.JUDGE, email="judge@example.vn"),
            "checkin": factories.make_user(Role.CHECKIN, email="checkin@example.vn"),
        }
        db.session.commit()
        ids = {"festival": festival.id, "unit_a": unit_a.id, "unit_b": unit_b.id, "category": category.id}
        ids.update({f"{name}_user": user.id for name, user in accounts.items()})
        return {"emails": {name: user.email for name, user in accounts.items()}, "ids": ids}


@pytest.fixture
def login_as(client, auth, people):
    """Sign the client in as one of the `people` fixture's accounts by role name."""

    def login(name):
        response = auth.login(people["emails"][name])
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return login
