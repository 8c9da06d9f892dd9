"""Create the occurrence, progress, task-date, outbox and pending-input tables.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
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
    """Apply this revision."""
    op.create_table(
        "occurrence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(), nullable=False),
        sa.Column("agency_id", sa.String(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=True),
        sa.Column("percent", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.Column("next_step_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_occurrence_agency_id_agency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_occurrence")),
        sa.UniqueConstraint("task_id", "agency_id", "due", name=op.f("uq_occurrence_task_id_agency_id_due")),
    )
    op.create_index(op.f("ix_occurrence_agency_id"), "occurrence", ["agency_id"], unique=False)
    op.create_index(op.f("ix_occurrence_due"), "occurrence", ["due"], unique=False)
    op.create_index(op.f("ix_occurrence_next_step_at"), "occurrence", ["next_step_at"], unique=False)
    op.create_table(
        "progress_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_progress_update_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"], ["occurrence.id"], name=op.f("fk_progress_update_occurrence_id_occurrence")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_update")),
    )
    op.create_index(
        op.f("ix_progress_update_occurrence_id"), "progress_update", ["occurrence_id"], unique=False
    )
    op.create_table(
        "task_date",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("set_by", sa.String(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_date")),
        sa.UniqueConstraint("task_id", "kind", "day", name=op.f("uq_task_date_task_id_kind_day")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedup_key", sa.String(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("chat_id", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"], ["occurrence.id"], name=op.f("fk_outbox_occurrence_id_occurrence")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_outbox_dedup_key")),
    )
    op.create_index("ix_outbox_status_not_before", "outbox", ["status", "not_before"], unique=False)
    op.create_table(
        "outbox_message",
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("chat_id", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["occurrence_id"], ["occurrence.id"], name=op.f("fk_outbox_message_occurrence_id_occurrence")
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name=op.f("fk_outbox_message_outbox_id_outbox")
        ),
        sa.PrimaryKeyConstraint("platform", "chat_id", "message_id", name=op.f("pk_outbox_message")),
    )
    op.create_table(
        "pending_input",
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("what", sa.String(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "user_id", name=op.f("pk_pending_input")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("pending_input")
    op.drop_table("outbox_message")
    op.drop_index("ix_outbox_status_not_before", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("task_date")
    op.drop_index(op.f("ix_progress_update_occurrence_id"), table_name="progress_update")
    op.drop_table("progress_update")
    op.drop_index(op.f("ix_occurrence_next_step_at"), table_name="occurrence")
    op.drop_index(op.f("ix_occurrence_due"), table_name="occurrence")
    op.drop_index(op.f("ix_occurrence_agency_id"), table_name="occurrence")
    op.drop_table("occurrence")
