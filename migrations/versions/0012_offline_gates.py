"""check-ins decided by a gate without the server: what it showed, uploaded later

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-02 15:32:19.427040

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offline", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(
            sa.Column(
                "shown",
                sa.Enum("checked_in", "already", "unknown", "revoked", name="scanresult", native_enum=False, length=20),
                nullable=True,
            )
        )


def downgrade():
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_column("shown")
        batch_op.drop_column("offline")
