"""personal data: people's requests about their data (right, received when and how, acknowledged, extended,
completed or refused)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 23:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "privacy_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("festival_id", sa.Integer(), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("subject_contact", sa.String(length=200), nullable=False),
        sa.Column(
            "right",
            sa.Enum(
                "know",
                "withdraw",
                "access",
                "copy",
                "correct",
                "delete",
                "restrict",
                "object",
                name="requestright",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "web", "email", "letter", "phone", "in_person", name="requestchannel", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("processor_involved", sa.Boolean(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("extended_at", sa.DateTime(), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("refused", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_privacy_requests_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["festival_id"],
            ["festivals.id"],
            name=op.f("fk_privacy_requests_festival_id_festivals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
    )
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_requests_festival_id"), ["festival_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_privacy_requests_received_at"), ["received_at"], unique=False)


def downgrade():
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_requests_received_at"))
        batch_op.drop_index(batch_op.f("ix_privacy_requests_festival_id"))
    op.drop_table("privacy_requests")
