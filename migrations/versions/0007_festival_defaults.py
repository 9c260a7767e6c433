"""every festival has its judging policy, badge roles and certificate templates

Pages used to create them the first time they were shown (a GET that wrote); festivals are now
created with them, and this revision gives them to festivals made before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 14:00:00

"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from festival.core.festivals import CERTIFICATE_WORDING, CERTIFICATE_WORDING_BY_KIND, DEFAULT_BADGE_ROLES

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

festivals = sa.table("festivals", sa.column("id", sa.Integer))
policies = sa.table(
    "judging_policies",
    *(sa.column(name) for name in ("festival_id", "per_exhibit", "method", "shrinkage", "spread_flag")),
    sa.column("tie_break", sa.JSON),
    *(sa.column(name) for name in ("first_prizes", "second_prizes", "third_prizes", "honourable_share")),
)
roles = sa.table(
    "badge_roles", *(sa.column(name) for name in ("festival_id", "code", "name_vi", "name_en", "colour", "position"))
)
templates = sa.table(
    "certificate_templates",
    *(sa.column(name) for name in ("festival_id", "kind", "updated_at", *CERTIFICATE_WORDING, "lead", "body")),
)


def upgrade():
    connection = op.get_bind()
    festival_ids = list(connection.execute(sa.select(festivals.c.id)).scalars())
    with_policy = set(connection.execute(sa.select(policies.c.festival_id)).scalars())
    with_roles = set(connection.execute(sa.select(roles.c.festival_id)).scalars())
    with_templates = set(connection.execute(sa.select(templates.c.festival_id, templates.c.kind)).tuples())
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for festival_id in festival_ids:
        if festival_id not in with_policy:
            connection.execute(
                policies.insert().values(
                    festival_id=festival_id,
                    per_exhibit=3,
                    method="mean",
                    shrinkage=3,
                    spread_flag=15,
                    tie_break=[],
                    first_prizes=1,
                    second_prizes=2,
                    third_prizes=3,
                    honourable_share=0.3,
                )
            )
        if festival_id not in with_roles:
            for position, (code, name_vi, name_en, colour) in enumerate(DEFAULT_BADGE_ROLES):
                connection.execute(
                    roles.insert().values(
                        festival_id=festival_id,
                        code=code,
                        name_vi=name_vi,
                        name_en=name_en,
                        colour=colour,
                        position=position,
                    )
                )
        for kind, wording in CERTIFICATE_WORDING_BY_KIND.items():
            if (festival_id, kind.value) not in with_templates:
                connection.execute(
                    templates.insert().values(
                        festival_id=festival_id, kind=kind.value, updated_at=now, **CERTIFICATE_WORDING, **wording
                    )
                )


def downgrade():
    pass  # the rows are a festival's own settings from now on; older code reads them as it made them
