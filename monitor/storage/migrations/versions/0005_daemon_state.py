"""daemon state: cycle runs, digest schedules, process locks

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 13:51:42.377725
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import monitor.storage.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cycle_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", monitor.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", monitor.storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_runs")),
    )
    with op.batch_alter_table("cycle_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cycle_runs_status"), ["status"], unique=False)

    op.create_table(
        "digest_schedules",
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column(
            "last_slot_at", monitor.storage.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("last_run_at", monitor.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("recipient", name=op.f("pk_digest_schedules")),
    )
    op.create_table(
        "process_locks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("acquired_at", monitor.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_process_locks")),
    )


def downgrade() -> None:
    op.drop_table("process_locks")
    op.drop_table("digest_schedules")
    with op.batch_alter_table("cycle_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cycle_runs_status"))

    op.drop_table("cycle_runs")
