"""initiative register: a unit's register of workers' initiatives (authors with shares, files, yearly
benefit and remuneration), its production teams with their intake posters' keys, and its yearly targets;
the support-team role needs no schema change (roles are stored as strings)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 10:09:46.727689

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "production_teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("intake_key", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_production_teams_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_production_teams")),
        sa.UniqueConstraint("intake_key", name=op.f("uq_production_teams_intake_key")),
        sa.UniqueConstraint("unit_id", "department", "name", name=op.f("uq_production_teams_unit_id_department_name")),
    )
    with op.batch_alter_table("production_teams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_production_teams_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "unit_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("emulation_group", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_unit_targets_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_targets")),
        sa.UniqueConstraint("unit_id", "year", name=op.f("uq_unit_targets_unit_id_year")),
    )
    with op.batch_alter_table("unit_targets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_targets_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "initiatives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "field",
            sa.Enum(
                "production",
                "safety",
                "administration",
                "community",
                name="initiativefield",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("team_name", sa.String(length=200), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("solution", sa.Text(), nullable=False),
        sa.Column("effect_summary", sa.Text(), nullable=False),
        sa.Column("first_applied_on", sa.Date(), nullable=True),
        sa.Column(
            "application", sa.Enum("trial", "full", name="application", native_enum=False, length=20), nullable=True
        ),
        sa.Column("is_trade_secret", sa.Boolean(), nullable=False),
        sa.Column("is_published", sa.Boolean(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "received",
                "proposed",
                "applied",
                "recognised",
                "not_recognised",
                name="initiativestate",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("state_changed_at", sa.DateTime(), nullable=False),
        sa.Column(
            "source",
            sa.Enum("intake", "entered", "import", name="initiativesource", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("submitter_name", sa.String(length=200), nullable=False),
        sa.Column("submitter_phone", sa.String(length=30), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_on", sa.Date(), nullable=True),
        sa.Column("is_new_in_unit", sa.Boolean(), nullable=True),
        sa.Column("is_applied_with_benefit", sa.Boolean(), nullable=True),
        sa.Column("is_not_excluded", sa.Boolean(), nullable=True),
        sa.Column("decision_number", sa.String(length=60), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column(
            "level",
            sa.Enum("base", "sector", "higher", name="recognitionlevel", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("refusal_reason", sa.Text(), nullable=False),
        sa.Column("benefit_computable", sa.Boolean(), nullable=False),
        sa.Column("transfer_price_vnd", sa.BigInteger(), nullable=True),
        sa.Column("award", sa.String(length=300), nullable=False),
        sa.Column("exhibit_id", sa.Integer(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_initiatives_entered_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["exhibit_id"], ["exhibits.id"], name=op.f("fk_initiatives_exhibit_id_exhibits"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["production_teams.id"],
            name=op.f("fk_initiatives_team_id_production_teams"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_initiatives_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiatives")),
        sa.UniqueConstraint("exhibit_id", name=op.f("uq_initiatives_exhibit_id")),
        sa.UniqueConstraint("unit_id", "year", "number", name=op.f("uq_initiatives_unit_id_year_number")),
    )
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_initiatives_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_initiatives_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_initiatives_year"), ["year"], unique=False)

    op.create_table(
        "initiative_authors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column(
            "category",
            sa.Enum("worker", "union_officer", "manager", name="authorcategory", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("is_graduate", sa.Boolean(), nullable=False),
        sa.Column("share_percent", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_initiative_authors_initiative_id_initiatives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_authors")),
    )
    with op.batch_alter_table("initiative_authors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_initiative_authors_initiative_id"), ["initiative_id"], unique=False)

    op.create_table(
        "initiative_benefits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("year_index", sa.Integer(), nullable=False),
        sa.Column("benefit_vnd", sa.BigInteger(), nullable=True),
        sa.Column("remuneration_vnd", sa.BigInteger(), nullable=True),
        sa.Column("evaluated_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_initiative_benefits_initiative_id_initiatives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_benefits")),
        sa.UniqueConstraint(
            "initiative_id", "year_index", name=op.f("uq_initiative_benefits_initiative_id_year_index")
        ),
    )
    with op.batch_alter_table("initiative_benefits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_initiative_benefits_initiative_id"), ["initiative_id"], unique=False)

    op.create_table(
        "initiative_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("thumbnail_name", sa.String(length=80), nullable=True),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_initiative_files_initiative_id_initiatives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_files")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_initiative_files_stored_name")),
    )
    with op.batch_alter_table("initiative_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_initiative_files_initiative_id"), ["initiative_id"], unique=False)


def downgrade():
    with op.batch_alter_table("initiative_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_files_initiative_id"))

    op.drop_table("initiative_files")
    with op.batch_alter_table("initiative_benefits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_benefits_initiative_id"))

    op.drop_table("initiative_benefits")
    with op.batch_alter_table("initiative_authors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_authors_initiative_id"))

    op.drop_table("initiative_authors")
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiatives_year"))
        batch_op.drop_index(batch_op.f("ix_initiatives_unit_id"))
        batch_op.drop_index(batch_op.f("ix_initiatives_state"))

    op.drop_table("initiatives")
    with op.batch_alter_table("unit_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_targets_unit_id"))

    op.drop_table("unit_targets")
    with op.batch_alter_table("production_teams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_production_teams_unit_id"))

    op.drop_table("production_teams")
