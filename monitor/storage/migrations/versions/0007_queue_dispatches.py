"""queue mode: the batches sent to Celery workers (dispatches); articles by decision time

A worker's warm classifier checks, before each classify task, whether another process
decided articles since, and the Atom feeds' cache whether anything was decided or
corrected (``monitor.storage.articles.decision_mark``: a count and the newest
``deduped_at`` and ``feedback_at``): indexed, that stays cheap on a large database.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 18:54:11.725392
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import monitor.storage.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dispatches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_ids", sa.JSON(), nullable=False),
        sa.Column("hosts", sa.JSON(), nullable=False),
        sa.Column("created_at", monitor.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", monitor.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", monitor.storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatches")),
    )
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispatches_done_at"), ["done_at"], unique=False)
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_articles_deduped_at"), ["deduped_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_articles_feedback_at"), ["feedback_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_articles_feedback_at"))
        batch_op.drop_index(batch_op.f("ix_articles_deduped_at"))
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispatches_done_at"))

    op.drop_table("dispatches")
