"""The inbox: updates stored before they are acknowledged, until handled; idempotent progress and notes.

The inbox replaces processed_update (the ids of the last two days are kept, as handled rows).
progress_update.update_key and pending_input.taken_by let an update handled again after a crash
record its report once and take its pending question again.

Revision ID: 0004
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "inbox",
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("update_id", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "update_id", name=op.f("pk_inbox")),
    )
    op.create_index(op.f("ix_inbox_handled_at"), "inbox", ["handled_at"], unique=False)
    op.execute(
        "INSERT INTO inbox (platform, update_id, received_at, handled_at, attempts) "
        "SELECT platform, update_id, processed_at, processed_at, 1 FROM processed_update"
    )
    op.drop_index(op.f("ix_processed_update_processed_at"), table_name="processed_update")
    op.drop_table("processed_update")
    with op.batch_alter_table("progress_update") as batch:
        batch.add_column(sa.Column("update_key", sa.String(), nullable=True))
        batch.create_unique_constraint(op.f("uq_progress_update_update_key"), ["update_key"])
    with op.batch_alter_table("pending_input") as batch:
        batch.add_column(sa.Column("taken_by", sa.String(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("pending_input") as batch:
        batch.drop_column("taken_by")
    with op.batch_alter_table("progress_update") as batch:
        batch.drop_constraint(op.f("uq_progress_update_update_key"), type_="unique")
        batch.drop_column("update_key")
    op.create_table(
        "processed_update",
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("update_id", sa.String(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "update_id", name=op.f("pk_processed_update")),
    )
    op.create_index(
        op.f("ix_processed_update_processed_at"), "processed_update", ["processed_at"], unique=False
    )
    op.execute(
        "INSERT INTO processed_update (platform, update_id, processed_at) "
        "SELECT platform, update_id, received_at FROM inbox"
    )
    op.drop_index(op.f("ix_inbox_handled_at"), table_name="inbox")
    op.drop_table("inbox")
