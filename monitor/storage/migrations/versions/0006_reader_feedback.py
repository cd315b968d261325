"""reader feedback: corrections, story mutes, unsubscriptions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 18:08:21.043557
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import monitor.storage.models

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unsubscriptions",
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("created_at", monitor.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("recipient", name=op.f("pk_unsubscriptions")),
    )
    op.create_table(
        "story_mutes",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("created_at", monitor.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_story_mutes_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("story_id", "recipient", name=op.f("pk_story_mutes")),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", monitor.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("article_id", sa.String(length=64), nullable=True),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column("target_story_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=320), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_feedback_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_feedback_story_id_stories"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["target_story_id"],
            ["stories.id"],
            name=op.f("fk_feedback_target_story_id_stories"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_created_at"), ["created_at"], unique=False)

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "feedback_at", monitor.storage.models.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("feedback_at")

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_created_at"))
        batch_op.drop_index(batch_op.f("ix_feedback_article_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_action"))

    op.drop_table("feedback")
    op.drop_table("story_mutes")
    op.drop_table("unsubscriptions")
