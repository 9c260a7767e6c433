"""rubrics in English too: a criterion's guidance in English (level labels already had theirs)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 07:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("criteria", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guidance_en", sa.Text(), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("criteria", schema=None) as batch_op:
        batch_op.drop_column("guidance_en")
