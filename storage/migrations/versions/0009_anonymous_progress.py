"""Let a progress report outlive the member who made it (/xoadulieu): progress_update.member_id may be NULL.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("progress_update") as batch:
        batch.alter_column("member_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    """Revert this revision; refused while a report's author has deleted their data."""
    anonymous = op.get_bind().scalar(sa.text("SELECT count(*) FROM progress_update WHERE member_id IS NULL"))
    if anonymous:
        raise RuntimeError(f"{anonymous} progress reports have no member (their authors used /xoadulieu): "
                           "the previous schema cannot hold them")
    with op.batch_alter_table("progress_update") as batch:
        batch.alter_column("member_id", existing_type=sa.Integer(), nullable=False)
