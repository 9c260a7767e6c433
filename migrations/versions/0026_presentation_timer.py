"""judging: the presentation timer on the judge's sheet (minutes to present, then to answer questions)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 00:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("judging_policies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("presentation_minutes", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("questions_minutes", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("judging_policies", schema=None) as batch_op:
        batch_op.drop_column("questions_minutes")
        batch_op.drop_column("presentation_minutes")
