"""feed fetch state: origin URL (for permanent redirects), feed title, TTL, warnings

Existing feeds get ``origin_url = url`` so the config file keeps finding them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:41:32.213584
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("extraction_error", sa.Text(), nullable=True))

    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin_url", sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column("title", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("site_url", sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column("ttl_s", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_warning", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_feeds_origin_url"), ["origin_url"], unique=False)

    op.execute("UPDATE feeds SET origin_url = url WHERE origin_url IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feeds_origin_url"))
        batch_op.drop_column("last_warning")
        batch_op.drop_column("ttl_s")
        batch_op.drop_column("site_url")
        batch_op.drop_column("title")
        batch_op.drop_column("origin_url")

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("extraction_error")
        batch_op.drop_column("author")
