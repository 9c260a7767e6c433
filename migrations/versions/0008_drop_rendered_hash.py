"""certificates.rendered_hash goes: written, never read (the page cache's file name has the digest)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 14:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_column("rendered_hash")


def downgrade():
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rendered_hash", sa.String(length=64), nullable=True))
