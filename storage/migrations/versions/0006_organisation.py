"""workplaces the stats can count

The administration (förvaltning) and unit of an idea and of a person, from the
organisation file.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("administration", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("unit", sa.String(length=120), nullable=True))
        batch_op.create_index(
            "ix_ideas_administration", ["administration", "submitted_at"], unique=False
        )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("administration", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("unit", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_column("unit")
        batch_op.drop_column("administration")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_ideas_administration")
        batch_op.drop_column("unit")
        batch_op.drop_column("administration")
