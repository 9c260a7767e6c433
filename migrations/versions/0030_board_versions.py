"""board versions: a counter per live board (the control room, the check-in dashboard), moved in the same
transaction as any write to a table the board shows, so an unchanged board's poll reads one row; score changes
indexed by sheet and time (the control room's last change of each sheet)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 14:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "board_versions",
        sa.Column("board", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("board", name=op.f("pk_board_versions")),
    )
    op.create_index("ix_score_changes_sheet_id_created_at", "score_changes", ["sheet_id", "created_at"])


def downgrade():
    op.drop_index("ix_score_changes_sheet_id_created_at", table_name="score_changes")
    op.drop_table("board_versions")
