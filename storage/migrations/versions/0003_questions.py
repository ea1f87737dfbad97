"""open questions outside a dialogue, when a person was introduced, a coordinator's moves

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "open_questions",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"]),
        sa.PrimaryKeyConstraint("person_id"),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("introduced_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("idea_events", schema=None) as batch_op:
        batch_op.create_index("ix_idea_events_actor", ["actor_id", "id"], unique=False)
    # Everyone who has told an idea or started telling one has met the introduction.
    op.execute(
        "UPDATE persons SET introduced_at = created_at WHERE id IN "
        "(SELECT person_id FROM ideas UNION SELECT person_id FROM dialogues)"
    )


def downgrade() -> None:
    with op.batch_alter_table("idea_events", schema=None) as batch_op:
        batch_op.drop_index("ix_idea_events_actor")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_column("introduced_at")
    op.drop_table("open_questions")
