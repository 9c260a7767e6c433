"""booth award: the units' booths judged on their own rubric, panel, sheets and prizes; a certificate kind
for booth prizes, issued to the unit (so a certificate's exhibit may be empty)

Festivals made before get the booth track's defaults (the rubric, the prize quotas and the certificate
wording) as festivals are now created with them.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 02:24:51

"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from festival.core.festivals import CERTIFICATE_WORDING, CERTIFICATE_WORDING_BY_KIND, DEFAULT_BOOTH_CRITERIA
from festival.models import CertificateKind

# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


festivals = sa.table("festivals", sa.column("id", sa.Integer))
policies = sa.table(
    "booth_policies",
    *(
        sa.column(name)
        for name in ("festival_id", "first_prizes", "second_prizes", "third_prizes", "honourable_prizes")
    ),
)
criteria = sa.table(
    "booth_criteria",
    *(
        sa.column(name)
        for name in ("festival_id", "position", "name_vi", "name_en", "guidance", "max_points", "weight")
    ),
)
templates = sa.table(
    "certificate_templates",
    *(sa.column(name) for name in ("festival_id", "kind", "updated_at", *CERTIFICATE_WORDING, "lead", "body")),
)
certificates = sa.table("certificates", sa.column("kind", sa.String))
BOOTH_AWARD = CertificateKind.BOOTH_AWARD.value


def upgrade():
    op.create_table(
        "booth_awards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("festival_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "tier",
            sa.Enum(
                "first", "second", "third", "honourable", "visitors", name="awardtier", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Numeric(precision=7, scale=3), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["festival_id"], ["festivals.id"], name=op.f("fk_booth_awards_festival_id_festivals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_booth_awards_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booth_awards")),
        sa.UniqueConstraint("festival_id", "unit_id", name=op.f("uq_booth_awards_festival_id_unit_id")),
    )
    with op.batch_alter_table("booth_awards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booth_awards_festival_id"), ["festival_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_booth_awards_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "booth_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("festival_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_vi", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("guidance", sa.Text(), nullable=False),
        sa.Column("max_points", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Numeric(precision=7, scale=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["festival_id"], ["festivals.id"], name=op.f("fk_booth_criteria_festival_id_festivals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booth_criteria")),
    )
    with op.batch_alter_table("booth_criteria", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booth_criteria_festival_id"), ["festival_id"], unique=False)

    op.create_table(
        "booth_award_overrides",
        sa.Column("festival_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "tier",
            sa.Enum(
                "first", "second", "third", "honourable", "visitors", name="awardtier", native_enum=False, length=20
            ),
            nullable=True,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["festival_id"],
            ["festivals.id"],
            name=op.f("fk_booth_award_overrides_festival_id_festivals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_booth_award_overrides_unit_id_units"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_booth_award_overrides_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("festival_id", "unit_id", name=op.f("pk_booth_award_overrides")),
    )
    op.create_table(
        "booth_judges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("festival_id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["festival_id"], ["festivals.id"], name=op.f("fk_booth_judges_festival_id_festivals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["judge_id"], ["users.id"], name=op.f("fk_booth_judges_judge_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booth_judges")),
        sa.UniqueConstraint("festival_id", "judge_id", name=op.f("uq_booth_judges_festival_id_judge_id")),
    )
    with op.batch_alter_table("booth_judges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booth_judges_festival_id"), ["festival_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_booth_judges_judge_id"), ["judge_id"], unique=False)

    op.create_table(
        "booth_policies",
        sa.Column("festival_id", sa.Integer(), nullable=False),
        sa.Column("first_prizes", sa.Integer(), nullable=False),
        sa.Column("second_prizes", sa.Integer(), nullable=False),
        sa.Column("third_prizes", sa.Integer(), nullable=False),
        sa.Column("honourable_prizes", sa.Integer(), nullable=False),
        sa.Column("finalised_at", sa.DateTime(), nullable=True),
        sa.Column("finalised_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["festival_id"], ["festivals.id"], name=op.f("fk_booth_policies_festival_id_festivals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["finalised_by_id"], ["users.id"], name=op.f("fk_booth_policies_finalised_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("festival_id", name=op.f("pk_booth_policies")),
    )
    op.create_table(
        "booth_sheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("festival_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("not_started", "draft", "submitted", name="sheetstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("is_manual", sa.Boolean(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["festival_id"], ["festivals.id"], name=op.f("fk_booth_sheets_festival_id_festivals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["judge_id"], ["users.id"], name=op.f("fk_booth_sheets_judge_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_booth_sheets_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booth_sheets")),
        sa.UniqueConstraint(
            "festival_id", "unit_id", "judge_id", name=op.f("uq_booth_sheets_festival_id_unit_id_judge_id")
        ),
    )
    with op.batch_alter_table("booth_sheets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booth_sheets_festival_id"), ["festival_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_booth_sheets_judge_id"), ["judge_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_booth_sheets_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "booth_score_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["booth_criteria.id"],
            name=op.f("fk_booth_score_changes_criterion_id_booth_criteria"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sheet_id"],
            ["booth_sheets.id"],
            name=op.f("fk_booth_score_changes_sheet_id_booth_sheets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_booth_score_changes_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booth_score_changes")),
    )
    with op.batch_alter_table("booth_score_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booth_score_changes_sheet_id"), ["sheet_id"], unique=False)

    op.create_table(
        "booth_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Numeric(precision=7, scale=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["booth_criteria.id"],
            name=op.f("fk_booth_scores_criterion_id_booth_criteria"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sheet_id"], ["booth_sheets.id"], name=op.f("fk_booth_scores_sheet_id_booth_sheets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booth_scores")),
        sa.UniqueConstraint("sheet_id", "criterion_id", name=op.f("uq_booth_scores_sheet_id_criterion_id")),
    )
    with op.batch_alter_table("booth_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booth_scores_criterion_id"), ["criterion_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_booth_scores_sheet_id"), ["sheet_id"], unique=False)

    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.alter_column("exhibit_id", existing_type=sa.INTEGER(), nullable=True)

    _give_defaults()


def _give_defaults():
    connection = op.get_bind()
    festival_ids = list(connection.execute(sa.select(festivals.c.id)).scalars())
    with_template = set(
        connection.execute(sa.select(templates.c.festival_id).where(templates.c.kind == BOOTH_AWARD)).scalars()
    )
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for festival_id in festival_ids:
        connection.execute(
            policies.insert().values(
                festival_id=festival_id, first_prizes=1, second_prizes=2, third_prizes=3, honourable_prizes=3
            )
        )
        for position, (name_vi, name_en, most, weight) in enumerate(DEFAULT_BOOTH_CRITERIA):
            connection.execute(
                criteria.insert().values(
                    festival_id=festival_id,
                    position=position,
                    name_vi=name_vi,
                    name_en=name_en,
                    guidance="",
                    max_points=most,
                    weight=weight,
                )
            )
        # Revision 0007 gives older festivals every kind's wording it knows, this one's included.
        if festival_id not in with_template:
            connection.execute(
                templates.insert().values(
                    festival_id=festival_id,
                    kind=BOOTH_AWARD,
                    updated_at=now,
                    **CERTIFICATE_WORDING,
                    **CERTIFICATE_WORDING_BY_KIND[CertificateKind.BOOTH_AWARD],
                )
            )


def downgrade():
    # Older code knows no booth prize: its certificates (which have no exhibit) and wording go.
    op.execute(certificates.delete().where(certificates.c.kind == BOOTH_AWARD))
    op.execute(templates.delete().where(templates.c.kind == BOOTH_AWARD))
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.alter_column("exhibit_id", existing_type=sa.INTEGER(), nullable=False)

    with op.batch_alter_table("booth_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booth_scores_sheet_id"))
        batch_op.drop_index(batch_op.f("ix_booth_scores_criterion_id"))

    op.drop_table("booth_scores")
    with op.batch_alter_table("booth_score_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booth_score_changes_sheet_id"))

    op.drop_table("booth_score_changes")
    with op.batch_alter_table("booth_sheets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booth_sheets_unit_id"))
        batch_op.drop_index(batch_op.f("ix_booth_sheets_judge_id"))
        batch_op.drop_index(batch_op.f("ix_booth_sheets_festival_id"))

    op.drop_table("booth_sheets")
    op.drop_table("booth_policies")
    with op.batch_alter_table("booth_judges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booth_judges_judge_id"))
        batch_op.drop_index(batch_op.f("ix_booth_judges_festival_id"))

    op.drop_table("booth_judges")
    op.drop_table("booth_award_overrides")
    with op.batch_alter_table("booth_criteria", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booth_criteria_festival_id"))

    op.drop_table("booth_criteria")
    with op.batch_alter_table("booth_awards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booth_awards_unit_id"))
        batch_op.drop_index(batch_op.f("ix_booth_awards_festival_id"))

    op.drop_table("booth_awards")
