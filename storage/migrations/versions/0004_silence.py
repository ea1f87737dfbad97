"""no silence: when the idea giver last heard from us, promises, absences, coordinators' news

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("giver_heard_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("giver_waiting_since", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_ideas_waiting", ["giver_waiting_since"], unique=False)
        batch_op.add_column(sa.Column("promise_due_at", sa.DateTime(timezone=True), nullable=True))
    # Until now the giver heard from us at least when the idea moved (or was submitted).
    op.execute("UPDATE ideas SET giver_heard_at = stage_changed_at")
    op.create_table(
        "promises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("warned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("kept_by", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.create_index("ix_promises_due", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_promises_idea_id"), ["idea_id"], unique=False)
    op.create_table(
        "absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stand_in_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"]),
        sa.ForeignKeyConstraint(["stand_in_id"], ["persons.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("absences", schema=None) as batch_op:
        batch_op.create_index("ix_absences_person", ["person_id", "ends_at"], unique=False)
    op.create_table(
        "coordinator_news",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=255), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digested_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"]),
        sa.ForeignKeyConstraint(["recipient_id"], ["persons.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key", name="uq_coordinator_news_dedupe"),
    )
    with op.batch_alter_table("coordinator_news", schema=None) as batch_op:
        batch_op.create_index(
            "ix_coordinator_news_pending", ["digested_at", "recipient_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_coordinator_news_idea_id"), ["idea_id"], unique=False)


def downgrade() -> None:
    op.drop_table("coordinator_news")
    op.drop_table("absences")
    op.drop_table("promises")
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_ideas_waiting")
        batch_op.drop_column("promise_due_at")
        batch_op.drop_column("giver_waiting_since")
        batch_op.drop_column("giver_heard_at")
