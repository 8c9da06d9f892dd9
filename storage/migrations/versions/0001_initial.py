"""Create the agency, member, invite, processed-update and question-log tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "agency",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("is_group", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency")),
    )
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("chat_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("agency_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_member_agency_id_agency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
        sa.UniqueConstraint("platform", "user_id", name=op.f("uq_member_platform_user_id")),
    )
    op.create_index(op.f("ix_member_agency_id"), "member", ["agency_id"], unique=False)
    op.create_table(
        "invite_code",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("agency_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by_member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_invite_code_agency_id_agency")),
        sa.ForeignKeyConstraint(
            ["used_by_member_id"],
            ["member.id"],
            name=op.f("fk_invite_code_used_by_member_id_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_invite_code")),
    )
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
    op.create_table(
        "question_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.Column("entry_id", sa.String(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_log")),
    )
    op.create_index(op.f("ix_question_log_asked_at"), "question_log", ["asked_at"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_question_log_asked_at"), table_name="question_log")
    op.drop_table("question_log")
    op.drop_index(op.f("ix_processed_update_processed_at"), table_name="processed_update")
    op.drop_table("processed_update")
    op.drop_table("invite_code")
    op.drop_index(op.f("ix_member_agency_id"), table_name="member")
    op.drop_table("member")
    op.drop_table("agency")
