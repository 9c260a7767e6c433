"""judges' devices: a session's public id and last device report, where a sheet's change came from,
and when a person last signed out of every device

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 07:00:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("last_report_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("pending_changes", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_unique_constraint(batch_op.f("uq_user_sessions_public_id"), ["public_id"])
    # Sessions signed in before this revision get a public id too.
    sessions = sa.table("user_sessions", sa.column("id", sa.Integer), sa.column("public_id", sa.String))
    connection = op.get_bind()
    for (session_id,) in connection.execute(sa.select(sessions.c.id)).all():
        connection.execute(
            sa.update(sessions).where(sessions.c.id == session_id).values(public_id=secrets.token_hex(8))
        )
    with op.batch_alter_table("sheet_clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_key", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("device", sa.String(length=80), server_default="", nullable=False))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sessions_ended_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("sessions_ended_at")
    with op.batch_alter_table("sheet_clients", schema=None) as batch_op:
        batch_op.drop_column("device")
        batch_op.drop_column("session_key")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_sessions_public_id"), type_="unique")
        batch_op.drop_column("pending_changes")
        batch_op.drop_column("last_report_at")
        batch_op.drop_column("public_id")
