"""Plans, periods and imported agencies: a deadline is one per plan, task, agency and period.

Occurrences and task dates gain the plan they belong to and their period (the year, or "event"); the
unique keys move from the due date to the period, so setting a deadline again replaces it instead of
adding a second one. Occurrences gain `withdrawn_at` (a deadline removed, a plan ended: the row and
its progress history stay). Agencies gain where they come from (a plan file, or an import of
communes) with the official code, province and life of an imported unit.

Rows written before this revision belong to the one plan the bot then loaded, normally the shipped
one, whose id they get. Deadlines that had doubled (two dates in one period: the bug this revision
fixes) keep one row per period — the one with progress, else the administrator's, else the first —
and the others are withdrawn under a period of their own, with their history.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEGACY_PLAN_ID = "kh-soc-trang-qd25"
EVENT = "event"

occurrence = sa.table(
    "occurrence",
    sa.column("id", sa.Integer),
    sa.column("task_id", sa.String),
    sa.column("agency_id", sa.String),
    sa.column("due", sa.Date),
    sa.column("source", sa.String),
    sa.column("status", sa.String),
    sa.column("updated_at", sa.DateTime),
    sa.column("plan_id", sa.String),
    sa.column("period", sa.String),
    sa.column("next_step_at", sa.DateTime),
    sa.column("withdrawn_at", sa.DateTime),
)
task_date = sa.table(
    "task_date",
    sa.column("id", sa.Integer),
    sa.column("task_id", sa.String),
    sa.column("kind", sa.String),
    sa.column("day", sa.Date),
    sa.column("set_at", sa.DateTime),
    sa.column("plan_id", sa.String),
    sa.column("period", sa.String),
)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _fill_occurrences(conn: sa.Connection) -> None:
    rows = conn.execute(sa.select(occurrence.c.id, occurrence.c.task_id, occurrence.c.agency_id,
                                  occurrence.c.due, occurrence.c.source, occurrence.c.status)).all()
    groups: dict[tuple[str, str, str], list[Any]] = {}
    for row in rows:
        period = EVENT if row.source == EVENT else str(_as_date(row.due).year)
        groups.setdefault((row.task_id, row.agency_id, period), []).append(row)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for (_, _, period), members in groups.items():
        keeper = min(members, key=lambda r: (r.status is None, r.source != "admin", r.id))
        for row in members:
            values: dict[str, Any] = {"plan_id": LEGACY_PLAN_ID, "period": period}
            if row.id != keeper.id:
                values.update(period=f"{period}~{row.id}", withdrawn_at=now, next_step_at=None)
            conn.execute(sa.update(occurrence).where(occurrence.c.id == row.id).values(**values))


def _fill_task_dates(conn: sa.Connection) -> None:
    rows = conn.execute(sa.select(task_date.c.id, task_date.c.task_id, task_date.c.kind, task_date.c.day,
                                  task_date.c.set_at)).all()
    latest: dict[tuple[str, str, str], Any] = {}
    for row in sorted(rows, key=lambda r: (str(r.set_at), r.id)):
        period = EVENT if row.kind == EVENT else str(_as_date(row.day).year)
        latest[(row.task_id, row.kind, period)] = (row, period)
    kept = {row.id: period for row, period in latest.values()}
    for row in rows:
        if row.id in kept:
            conn.execute(sa.update(task_date).where(task_date.c.id == row.id)
                         .values(plan_id=LEGACY_PLAN_ID, period=kept[row.id]))
        else:  # an older date of the same period: the newer one replaced it
            conn.execute(sa.delete(task_date).where(task_date.c.id == row.id))


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("agency") as batch:
        batch.add_column(sa.Column("source", sa.String(), server_default="plan", nullable=False))
        batch.add_column(sa.Column("code", sa.String(), nullable=True))
        batch.add_column(sa.Column("area_code", sa.String(), nullable=True))
        batch.add_column(sa.Column("started_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("ended_on", sa.Date(), nullable=True))
    with op.batch_alter_table("occurrence") as batch:
        batch.add_column(sa.Column("plan_id", sa.String(), nullable=True))
        batch.add_column(sa.Column("period", sa.String(), nullable=True))
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("task_date") as batch:
        batch.add_column(sa.Column("plan_id", sa.String(), nullable=True))
        batch.add_column(sa.Column("period", sa.String(), nullable=True))
    conn = op.get_bind()
    _fill_occurrences(conn)
    _fill_task_dates(conn)
    with op.batch_alter_table("occurrence") as batch:
        batch.alter_column("plan_id", existing_type=sa.String(), nullable=False)
        batch.alter_column("period", existing_type=sa.String(), nullable=False)
        batch.drop_constraint("uq_occurrence_task_id_agency_id_due", type_="unique")
        batch.create_unique_constraint("uq_occurrence_plan_id_task_id_agency_id_period",
                                       ["plan_id", "task_id", "agency_id", "period"])
    with op.batch_alter_table("task_date") as batch:
        batch.alter_column("plan_id", existing_type=sa.String(), nullable=False)
        batch.alter_column("period", existing_type=sa.String(), nullable=False)
        batch.drop_constraint("uq_task_date_task_id_kind_day", type_="unique")
        batch.create_unique_constraint("uq_task_date_plan_id_task_id_kind_period",
                                       ["plan_id", "task_id", "kind", "period"])


def downgrade() -> None:
    """Revert this revision (withdrawn rows and replaced dates stay as they are)."""
    with op.batch_alter_table("task_date") as batch:
        batch.drop_constraint("uq_task_date_plan_id_task_id_kind_period", type_="unique")
        batch.create_unique_constraint("uq_task_date_task_id_kind_day", ["task_id", "kind", "day"])
        batch.drop_column("period")
        batch.drop_column("plan_id")
    with op.batch_alter_table("occurrence") as batch:
        batch.drop_constraint("uq_occurrence_plan_id_task_id_agency_id_period", type_="unique")
        batch.create_unique_constraint("uq_occurrence_task_id_agency_id_due", ["task_id", "agency_id", "due"])
        batch.drop_column("withdrawn_at")
        batch.drop_column("period")
        batch.drop_column("plan_id")
    with op.batch_alter_table("agency") as batch:
        for name in ("ended_on", "started_on", "area_code", "code", "source"):
            batch.drop_column(name)
