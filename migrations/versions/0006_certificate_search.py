"""certificate search ignores accents

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 22:30:00

"""

import sqlalchemy as sa
from alembic import op

from festival.util.formatting import fold

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

certificates = sa.table(
    "certificates",
    sa.column("id", sa.Integer),
    sa.column("serial", sa.String),
    sa.column("recipient_name", sa.String),
    sa.column("search_text", sa.String),
)


def upgrade():
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.String(length=400), nullable=False, server_default=""))
    # Fill it for certificates issued before this revision, as the model does for new ones.
    connection = op.get_bind()
    for id_, serial, name in connection.execute(
        sa.select(certificates.c.id, certificates.c.serial, certificates.c.recipient_name)
    ).all():
        connection.execute(
            certificates.update().where(certificates.c.id == id_).values(search_text=fold(f"{serial} {name}"))
        )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.alter_column("search_text", server_default=None)


def downgrade():
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_column("search_text")
