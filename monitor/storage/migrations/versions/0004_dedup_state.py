"""dedup state: stored signatures, and the layer and evidence behind each decision

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:30:24.158444
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import monitor.storage.models

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "article_signatures",
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", monitor.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_signatures_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_article_signatures")),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dedup_layer", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("dedup_evidence", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "deduped_at", monitor.storage.models.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("deduped_at")
        batch_op.drop_column("dedup_evidence")
        batch_op.drop_column("dedup_layer")

    op.drop_table("article_signatures")
