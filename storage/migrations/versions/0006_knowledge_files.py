"""Create the knowledge-file tables: the Department's documents and answers, shared by every instance.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "knowledge_file",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_knowledge_file")),
    )
    op.create_index(op.f("ix_knowledge_file_revision"), "knowledge_file", ["revision"], unique=False)
    revision_table = op.create_table(
        "knowledge_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_revision")),
    )
    op.bulk_insert(revision_table, [{"id": 1, "revision": 0}])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("knowledge_revision")
    op.drop_index(op.f("ix_knowledge_file_revision"), table_name="knowledge_file")
    op.drop_table("knowledge_file")
