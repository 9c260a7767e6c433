"""certificates carry a random verification code (the QR leads to /verify/<code>, not the serial)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 17:20:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# As festival.models.certificate (kept here so the revision does not change with the model).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CODE_LENGTH = 10

certificates = sa.table("certificates", sa.column("id", sa.Integer), sa.column("verification_code", sa.String))


def upgrade():
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verification_code", sa.String(length=16), nullable=True))
    # Certificates issued before this revision get a code now; their old QR codes (/verify/<serial>)
    # still answer, with the certificate's state only.
    connection = op.get_bind()
    used = set()
    for (id_,) in connection.execute(sa.select(certificates.c.id)).all():
        code = None
        while code is None or code in used:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        used.add(code)
        connection.execute(certificates.update().where(certificates.c.id == id_).values(verification_code=code))
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.alter_column("verification_code", existing_type=sa.String(length=16), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_certificates_verification_code"), ["verification_code"])


def downgrade():
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_certificates_verification_code"), type_="unique")
        batch_op.drop_column("verification_code")
