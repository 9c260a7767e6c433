"""attendees indexed for the check-in dashboard's counts: by arrival time, and by role, unit and outside
organisation with the arrival time (its counts read the indexes alone, never the rows)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-08 02:40:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_attendees_festival_id_checked_in_at", "attendees", ["festival_id", "checked_in_at"])
    op.create_index(
        "ix_attendees_festival_id_groups",
        "attendees",
        ["festival_id", "role_id", "unit_id", "organisation", "checked_in_at"],
    )


def downgrade():
    op.drop_index("ix_attendees_festival_id_groups", table_name="attendees")
    op.drop_index("ix_attendees_festival_id_checked_in_at", table_name="attendees")
