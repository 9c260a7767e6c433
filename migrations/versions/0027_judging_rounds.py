"""judging: rounds (a dossier round, the final defence at the booths), finalists, the defence schedule and how
rounds combine; every existing rubric, panel and sheet belongs to round 1

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 02:23:19

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "judging_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("festival_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name_vi", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.Enum("dossier", "booth", name="roundkind", native_enum=False, length=20), nullable=False),
        sa.Column("opens_at", sa.DateTime(), nullable=True),
        sa.Column("closes_at", sa.DateTime(), nullable=True),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("finalist_quota", sa.Integer(), nullable=True),
        sa.Column("finalist_threshold", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("finalists_confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("finalists_confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("finalist_record", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["festival_id"], ["festivals.id"], name=op.f("fk_judging_rounds_festival_id_festivals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["finalists_confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_judging_rounds_finalists_confirmed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judging_rounds")),
        sa.UniqueConstraint("festival_id", "number", name=op.f("uq_judging_rounds_festival_id_number")),
    )
    with op.batch_alter_table("judging_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_judging_rounds_festival_id"), ["festival_id"], unique=False)

    op.create_table(
        "defences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("exhibit_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exhibit_id"], ["exhibits.id"], name=op.f("fk_defences_exhibit_id_exhibits"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["judging_rounds.id"], name=op.f("fk_defences_round_id_judging_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defences")),
        sa.UniqueConstraint("round_id", "exhibit_id", name=op.f("uq_defences_round_id_exhibit_id")),
    )
    with op.batch_alter_table("defences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_defences_exhibit_id"), ["exhibit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_defences_round_id"), ["round_id"], unique=False)

    op.create_table(
        "finalists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("exhibit_id", sa.Integer(), nullable=False),
        sa.Column("proposed", sa.Boolean(), nullable=False),
        sa.Column("included", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exhibit_id"], ["exhibits.id"], name=op.f("fk_finalists_exhibit_id_exhibits"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["judging_rounds.id"], name=op.f("fk_finalists_round_id_judging_rounds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_finalists_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finalists")),
        sa.UniqueConstraint("round_id", "exhibit_id", name=op.f("uq_finalists_round_id_exhibit_id")),
    )
    with op.batch_alter_table("finalists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_finalists_exhibit_id"), ["exhibit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_finalists_round_id"), ["round_id"], unique=False)

    with op.batch_alter_table("judging_policies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "combination",
                sa.Enum("last", "weighted", name="combination", native_enum=False, length=20),
                server_default="last",
                nullable=False,
            )
        )

    with op.batch_alter_table("panel_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round_number", sa.Integer(), server_default="1", nullable=False))
        batch_op.drop_constraint(batch_op.f("uq_panel_members_category_id_judge_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_panel_members_round_number_category_id_judge_id"),
            ["round_number", "category_id", "judge_id"],
        )

    with op.batch_alter_table("rubrics", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round_number", sa.Integer(), server_default="1", nullable=False))
        batch_op.drop_constraint(batch_op.f("uq_rubrics_festival_id_category_id_version"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_rubrics_festival_id_round_number_category_id_version"),
            ["festival_id", "round_number", "category_id", "version"],
        )

    with op.batch_alter_table("score_sheets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round_number", sa.Integer(), server_default="1", nullable=False))
        batch_op.drop_constraint(batch_op.f("uq_score_sheets_exhibit_id_judge_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_score_sheets_round_number_exhibit_id_judge_id"), ["round_number", "exhibit_id", "judge_id"]
        )

    # Every festival judged so far had one round: it becomes round 1, on the festival's own window.
    op.execute(
        "INSERT INTO judging_rounds (festival_id, number, name_vi, name_en, kind, weight) "
        "SELECT id, 1, 'Vòng 1', 'Round 1', 'booth', 100 FROM festivals"
    )


def downgrade():
    # Only round 1 fits the old one-round schema.
    op.execute("DELETE FROM score_sheets WHERE round_number <> 1")
    op.execute("DELETE FROM panel_members WHERE round_number <> 1")
    op.execute("DELETE FROM rubrics WHERE round_number <> 1")
    with op.batch_alter_table("score_sheets", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_score_sheets_round_number_exhibit_id_judge_id"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_score_sheets_exhibit_id_judge_id"), ["exhibit_id", "judge_id"])
        batch_op.drop_column("round_number")

    with op.batch_alter_table("rubrics", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_rubrics_festival_id_round_number_category_id_version"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_rubrics_festival_id_category_id_version"), ["festival_id", "category_id", "version"]
        )
        batch_op.drop_column("round_number")

    with op.batch_alter_table("panel_members", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_panel_members_round_number_category_id_judge_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_panel_members_category_id_judge_id"), ["category_id", "judge_id"]
        )
        batch_op.drop_column("round_number")

    with op.batch_alter_table("judging_policies", schema=None) as batch_op:
        batch_op.drop_column("combination")

    with op.batch_alter_table("finalists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finalists_round_id"))
        batch_op.drop_index(batch_op.f("ix_finalists_exhibit_id"))

    op.drop_table("finalists")
    with op.batch_alter_table("defences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_defences_round_id"))
        batch_op.drop_index(batch_op.f("ix_defences_exhibit_id"))

    op.drop_table("defences")
    with op.batch_alter_table("judging_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_judging_rounds_festival_id"))

    op.drop_table("judging_rounds")
