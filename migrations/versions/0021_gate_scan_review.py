"""gates: offline scans held for review (held_scans), and when the server received each scan

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 07:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "held_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("festival_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("attendee_id", sa.Integer(), nullable=True),
        sa.Column("gate", sa.String(length=60), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column(
            "badge",
            sa.Enum("checked_in", "already", "unknown", "revoked", name="scanresult", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "outside_festival", "future", "before_list", "no_list", name="holdreason", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attendee_id"], ["attendees.id"], name=op.f("fk_held_scans_attendee_id_attendees"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_held_scans_decided_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["festival_id"], ["festivals.id"], name=op.f("fk_held_scans_festival_id_festivals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["users.id"], name=op.f("fk_held_scans_staff_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_scans")),
        sa.UniqueConstraint("nonce", name=op.f("uq_held_scans_nonce")),
    )
    with op.batch_alter_table("held_scans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_held_scans_festival_id"), ["festival_id"], unique=False)

    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_at", sa.DateTime(), nullable=True))
    # Rows from before: received when they were made, as far as anyone can tell now.
    op.execute("UPDATE check_ins SET received_at = scanned_at")


def downgrade():
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_column("received_at")

    with op.batch_alter_table("held_scans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_held_scans_festival_id"))

    op.drop_table("held_scans")
