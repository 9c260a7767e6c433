"""A second app server beside a test's app, for what must work whichever machine answers."""

from tests.conftest import make_app


def another_server(app, tmp_path, storage_settings: dict):
    """A second app on the same database: with S3 another machine (its own folders, the same bucket); with
    files kept locally another worker of the same machine (the same folders), the most such a store shares."""
    folder = tmp_path / "another-server" if storage_settings else tmp_path
    return make_app(folder, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], **storage_settings)
