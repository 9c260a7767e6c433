"""wrong passwords counted per e-mail address (delays, not a lock that refuses the right password)

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-02 16:13:58.938692

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_in_failures",
        sa.Column("account_key", sa.String(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(), nullable=False),
        sa.Column("delayed_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("account_key", name=op.f("pk_sign_in_failures")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("locked_until")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))

    op.drop_table("sign_in_failures")
