"""stats summary

What `stats` counts, kept on write per Swedish month, year and all time
(storage/summary.py), counted once here from the ideas and events already stored; and the
index of the unanswered ideas by promised answer.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_summary",
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("figure", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "figure", "label", "detail"),
    )
    op.create_index(
        "ix_ideas_unanswered",
        "ideas",
        ["response_due_at", "submitted_at"],
        unique=False,
        sqlite_where=sa.text("first_response_at IS NULL"),
        postgresql_where=sa.text("first_response_at IS NULL"),
    )
    # (The counting rules live in one place: a migration that counted by rules of its own
    # could disagree with the sessions that keep the summary afterwards.)
    from storage.summary import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_ideas_unanswered", table_name="ideas")
    op.drop_table("stats_summary")
