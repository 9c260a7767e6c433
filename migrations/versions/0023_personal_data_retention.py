"""personal data: retention periods per festival, purge runs, the breach register

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 21:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "retention_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("festival_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["festival_id"],
            ["festivals.id"],
            name=op.f("fk_retention_settings_festival_id_festivals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_retention_settings_updated_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_settings")),
        sa.UniqueConstraint("festival_id", "category", name=op.f("uq_retention_settings_festival_id_category")),
    )
    with op.batch_alter_table("retention_settings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retention_settings_festival_id"), ["festival_id"], unique=False)

    op.create_table(
        "purge_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("festival_id", sa.Integer(), nullable=False),
        sa.Column("ran_at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("scheduled", sa.Boolean(), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["users.id"], name=op.f("fk_purge_runs_by_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["festival_id"], ["festivals.id"], name=op.f("fk_purge_runs_festival_id_festivals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purge_runs")),
    )
    with op.batch_alter_table("purge_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_purge_runs_festival_id"), ["festival_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_purge_runs_ran_at"), ["ran_at"], unique=False)

    op.create_table(
        "breaches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("festival_id", sa.Integer(), nullable=False),
        sa.Column("what_happened", sa.Text(), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("people_affected", sa.Integer(), nullable=True),
        sa.Column("people_description", sa.Text(), nullable=False),
        sa.Column("data_affected", sa.Text(), nullable=False),
        sa.Column("actions_taken", sa.Text(), nullable=False),
        sa.Column("authority_notified_at", sa.DateTime(), nullable=True),
        sa.Column("authority_name", sa.String(length=200), nullable=False),
        sa.Column("people_notified_at", sa.DateTime(), nullable=True),
        sa.Column("people_notice", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_breaches_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["festival_id"], ["festivals.id"], name=op.f("fk_breaches_festival_id_festivals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breaches")),
    )
    with op.batch_alter_table("breaches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_breaches_festival_id"), ["festival_id"], unique=False)


def downgrade():
    with op.batch_alter_table("breaches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breaches_festival_id"))
    op.drop_table("breaches")
    with op.batch_alter_table("purge_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purge_runs_ran_at"))
        batch_op.drop_index(batch_op.f("ix_purge_runs_festival_id"))
    op.drop_table("purge_runs")
    with op.batch_alter_table("retention_settings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retention_settings_festival_id"))
    op.drop_table("retention_settings")
