"""Migrations: `flask db upgrade` on an empty database gives exactly the models' schema."""

from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from festival.app import create_app
from festival.core.extensions import db
from festival.core.festivals import DEFAULT_BADGE_ROLES
from festival.judging.policy import policy_for
from festival.models import BadgeRole, Certificate, CertificateKind, CertificateTemplate, Festival
from tests import factories
from tests.conftest import TestConfig, empty_database_url


def test_upgrade_on_an_empty_database_matches_the_models(tmp_path):
    config = type("Fresh", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": empty_database_url(tmp_path, "migrations")})
    app = create_app(config)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        tables = set(db.inspect(db.engine).get_table_names())
        assert {table.name for table in db.metadata.sorted_tables} | {"alembic_version"} == tables
        db.session.remove()
        db.engine.dispose()  # on PostgreSQL, no connection may stay open to a database a later run drops


def test_migrations_have_a_single_head(app):
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        assert len(script.get_heads()) == 1


def test_certificate_search_text_is_filled_for_certificates_issued_before_it_existed(tmp_path):
    config = type("Fresh", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": empty_database_url(tmp_path, "backfill")})
    app = create_app(config)
    with app.app_context():
        upgrade()
        festival = factories.make_festival()
        unit = factories.make_unit()
        exhibit = factories.make_exhibit(festival, unit, factories.make_category(festival))
        db.session.add(
            Certificate(
                festival=festival,
                number=1,
                serial="LĐST3-2025-00001",
                kind=CertificateKind.PARTICIPATION,
                recipient_key="author:0",
                recipient_name="Nguyễn Văn An",
                exhibit=exhibit,
                unit=unit,
                issued_on=date(2025, 11, 21),
            )
        )
        db.session.commit()
        db.session.remove()
        downgrade(revision="0005")  # as if it had been issued before revision 0006
        upgrade()
        assert (
            db.session.execute(db.text("SELECT search_text FROM certificates")).scalar_one()
            == "ldst3-2025-00001 nguyen van an"
        )
        db.session.remove()
        db.engine.dispose()


def test_festivals_made_before_revision_0007_get_their_policy_roles_and_templates(tmp_path):
    config = type("Fresh", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": empty_database_url(tmp_path, "defaults")})
    app = create_app(config)
    with app.app_context():
        upgrade()
        festival_id = factories.make_festival().id
        db.session.commit()
        db.session.remove()
        downgrade(revision="0006")
        for table in ("judging_policies", "badge_roles", "certificate_templates"):
            db.session.execute(db.text(f"DELETE FROM {table}"))  # as a festival made by older code has none
        db.session.commit()
        upgrade()
        festival = db.session.get(Festival, festival_id)
        assert policy_for(festival).per_exhibit == 3
        codes = db.session.execute(db.select(BadgeRole.code).order_by(BadgeRole.position)).scalars().all()
        assert codes == [code for code, *_names in DEFAULT_BADGE_ROLES]
        kinds = set(db.session.execute(db.select(CertificateTemplate.kind)).scalars())
        assert kinds == set(CertificateKind)
        db.session.remove()
        db.engine.dispose()
