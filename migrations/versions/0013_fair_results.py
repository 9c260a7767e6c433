"""fair results: hall zones, conflicted sheets kept with a reason, stands reported unattended

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 15:39:15.655353

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stand_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sheet_id"], ["score_sheets.id"], name=op.f("fk_stand_reports_sheet_id_score_sheets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stand_reports")),
    )
    with op.batch_alter_table("stand_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stand_reports_sheet_id"), ["sheet_id"], unique=False)

    with op.batch_alter_table("exhibits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("zone", sa.String(length=40), server_default="", nullable=False))

    with op.batch_alter_table("score_sheets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conflict_kept_reason", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("score_sheets", schema=None) as batch_op:
        batch_op.drop_column("conflict_kept_reason")

    with op.batch_alter_table("exhibits", schema=None) as batch_op:
        batch_op.drop_column("zone")

    with op.batch_alter_table("stand_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stand_reports_sheet_id"))

    op.drop_table("stand_reports")
