"""Migrations apply, re-apply, roll back and match the models."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import alembic_config, make_engine, upgrade
from storage.models import metadata

ROOT = Path(__file__).resolve().parents[2]
HEAD = "0009"  # 0001–0003, 0007 (web access), 0004 (inbox), 0005 (plans and periods), 0006 (knowledge files),
# 0009 (anonymous progress reports)
TABLES = {
    "agency",
    "member",
    "invite_code",
    "inbox",
    "question_log",
    "occurrence",
    "progress_update",
    "task_date",
    "outbox",
    "outbox_message",
    "pending_input",
    "shown_choices",
    "web_login_token",
    "web_session",
    "web_login_attempt",
    "knowledge_file",
    "knowledge_revision",
    "alembic_version",
}


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def _revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.scalar(text("SELECT version_num FROM alembic_version"))


async def _assert_at_head(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert await _tables(engine) == TABLES
        assert await _revision(engine) == HEAD
    finally:
        await engine.dispose()


async def test_upgrade_creates_tables_and_is_idempotent(db_url: str) -> None:
    await upgrade(db_url)
    await upgrade(db_url)
    await _assert_at_head(db_url)


async def test_instances_starting_together_upgrade_once(db_url: str) -> None:
    # Several instances started at once on an empty database must not all create the tables.
    env = {**os.environ, "TCPL_DATABASE_URL": db_url}
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "db", "upgrade", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        for _ in range(3)
    ]
    for process in processes:
        output, _ = await process.communicate()
        assert process.returncode == 0, output.decode()
    await _assert_at_head(db_url)


async def test_migration_matches_models(engine: AsyncEngine) -> None:
    def diff(sync_connection):
        context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)

    async with engine.connect() as connection:
        assert await connection.run_sync(diff) == []


async def test_downgrade_to_base_and_back(db_url: str) -> None:
    await upgrade(db_url)
    await asyncio.to_thread(command.downgrade, alembic_config(db_url), "base")
    engine = make_engine(db_url)
    try:
        assert await _tables(engine) == {"alembic_version"}
        await upgrade(db_url)
        assert await _tables(engine) == TABLES
    finally:
        await engine.dispose()


async def test_alembic_command_line(db_url: str) -> None:
    env = {**os.environ, "TCPL_DATABASE_URL": db_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "alembic", "-c", "storage/alembic.ini", "upgrade", "head",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()
    engine = make_engine(db_url)
    try:
        assert await _revision(engine) == HEAD
    finally:
        await engine.dispose()


async def test_an_upgrade_of_a_sqlite_file_waits_for_the_lock_another_process_holds(tmp_path: Path) -> None:
    import filelock

    db = tmp_path / "bot.db"
    url = f"sqlite+aiosqlite:///{db}"
    env = {**os.environ, "TCPL_DATABASE_URL": url}
    with filelock.FileLock(f"{db}.migrate.lock"):
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "db", "upgrade", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        # However long we hold the lock, the other process must not touch the schema meanwhile.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(process.wait()), 3)
        assert process.returncode is None, "the upgrade went ahead while another process held the lock"
        assert not db.exists() or await _no_tables(url)
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()
    await _assert_at_head(url)


async def _no_tables(url: str) -> bool:
    engine = make_engine(url)
    try:
        return await _tables(engine) == set()
    finally:
        await engine.dispose()


async def test_deadlines_that_had_doubled_keep_one_row_per_period(db_url: str) -> None:
    """Rows from before plans and periods: a doubled deadline keeps one row, the other is withdrawn."""
    await upgrade(db_url, "0003")
    engine = make_engine(db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO agency (id, name, level, is_group, active) "
                                    "VALUES ('stp', 'Sở Tư pháp', 'province', false, true)"))
            for row_id, due, source, status in ((1, "2026-12-14", "local_default", None),
                                                (2, "2026-11-30", "admin", None),
                                                (3, "2025-12-14", "local_default", "done"),
                                                (4, "2026-02-14", "event", None)):
                await conn.execute(text(
                    "INSERT INTO occurrence (id, task_id, agency_id, due, source, status) "
                    f"VALUES ({row_id}, 'ii-1', 'stp', '{due}', '{source}', "
                    + ("NULL" if status is None else f"'{status}'") + ")"))
            for row_id, kind, day, at in ((1, "deadline", "2026-11-01", "2026-10-01 00:00:00"),
                                          (2, "deadline", "2026-11-30", "2026-10-02 00:00:00"),
                                          (3, "event", "2026-01-15", "2026-01-15 00:00:00")):
                await conn.execute(text(
                    "INSERT INTO task_date (id, task_id, kind, day, set_by, set_at) "
                    f"VALUES ({row_id}, 'ii-1', '{kind}', '{day}', 'cli', '{at}')"))
    finally:
        await engine.dispose()
    await upgrade(db_url)
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text(
                "SELECT id, plan_id, period, withdrawn_at IS NULL FROM occurrence ORDER BY id"))).all()
            dates = (await conn.execute(text(
                "SELECT plan_id, kind, period, day FROM task_date ORDER BY id"))).all()
    finally:
        await engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "kh-soc-trang-qd25", "2026~1", False),
                                        (2, "kh-soc-trang-qd25", "2026", True),  # the administrator's
                                        (3, "kh-soc-trang-qd25", "2025", True),
                                        (4, "kh-soc-trang-qd25", "event", True)]
    assert [(r[0], r[1], r[2], str(r[3])) for r in dates] == [
        ("kh-soc-trang-qd25", "deadline", "2026", "2026-11-30"),
        ("kh-soc-trang-qd25", "event", "event", "2026-01-15")]
