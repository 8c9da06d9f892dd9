"""Engine settings, URL redaction, aware timestamps and surviving a killed connection."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import make_engine, redact
from storage.inbox import Inbox
from storage.models import InboxRow
from storage.repositories import AgencyStore
from tests.integration.databases import asyncpg_dsn
from tests.integration.test_inbox import first_time

HANOI = timezone(timedelta(hours=7))


def test_redact_hides_the_password() -> None:
    url = "postgresql+asyncpg://bot:s3cr%40t@db.example:5432/tcpl"
    shown = redact(url)
    assert "s3cr" not in shown
    assert shown == "postgresql+asyncpg://bot:***@db.example:5432/tcpl"
    assert redact("sqlite+aiosqlite:///data/tcpl.db") == "sqlite+aiosqlite:///data/tcpl.db"
    assert redact("not a url :// with secret") == "<unparseable database URL>"


def test_unsupported_url_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        make_engine("mysql+aiomysql://root:pw@localhost/db")


async def test_sqlite_engine_creates_directory_and_sets_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'dir' / 'bot.db'}")
    try:
        async with engine.connect() as connection:
            values = [
                (await connection.execute(text(f"PRAGMA {name}"))).scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            ]
    finally:
        await engine.dispose()
    assert values == ["wal", 1, 30000, 1]  # synchronous=NORMAL reads back as 1
    assert (tmp_path / "nested" / "dir" / "bot.db").exists()


async def test_timestamps_come_back_aware_utc(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    local = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=HANOI)
    await first_time(Inbox(sessionmaker), "telegram", "1", local)
    async with sessionmaker() as session:
        stored = await session.scalar(select(InboxRow.received_at))
    assert stored == local
    assert stored.tzinfo is UTC
    assert stored.hour == 1  # 08:30 in Hanoi is 01:30 UTC


async def test_comparisons_respect_time_zones(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    inbox = Inbox(sessionmaker)
    early = datetime(2026, 3, 1, 6, 0, tzinfo=HANOI)  # 23:00 UTC the day before
    late = datetime(2026, 3, 1, 0, 30, tzinfo=UTC)
    for update_id, at in (("early", early), ("late", late)):
        await first_time(inbox, "zalo", update_id, at)
        await inbox.handled("zalo", update_id, at)
    assert await inbox.prune(datetime(2026, 3, 1, 0, 0, tzinfo=UTC)) == 1
    assert await first_time(inbox, "zalo", "late", datetime(2026, 3, 1, 1, 0, tzinfo=UTC)) is False


async def test_naive_datetime_is_refused(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        await first_time(Inbox(sessionmaker), "telegram", "1", datetime(2026, 3, 1, 8, 0))


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_engine_survives_killed_connections(
    sessionmaker: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    agencies = AgencyStore(sessionmaker)
    assert await agencies.all() == []  # leaves a live connection in the pool

    killer = await asyncpg.connect(asyncpg_dsn(db_url))
    try:
        killed = await killer.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await killer.close()
    assert killed and all(row[0] for row in killed)

    assert await agencies.all() == []


def _tcpl(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TCPL_")}
    env["TCPL_DATABASE_URL"] = url
    return subprocess.run([str(Path(sys.executable).with_name("tcpl")), *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False)


async def test_a_read_only_database_is_one_clear_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    assert _tcpl(url, "db", "upgrade", cwd=tmp_path).returncode == 0
    read_only = f"sqlite+aiosqlite:///file:{tmp_path / 'bot.db'}?mode=ro&uri=true"
    for command in (["questions", "--unanswered"], ["invite", "create", "--agency", "stp"], ["run"]):
        out = _tcpl(read_only, *command, cwd=tmp_path)
        assert out.returncode == 1, out.stderr
        [line] = [line for line in out.stderr.splitlines() if "INFO" not in line]
        reason = "attempt to write a readonly database"
        assert line.startswith(f"Không mở được cơ sở dữ liệu {redact(read_only)}: {reason}."), line
        assert "Traceback" not in out.stderr


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_a_missing_database_is_one_clear_line_without_the_password(db_url: str, tmp_path: Path) -> None:
    missing = make_url(db_url).set(database="tcpl_no_such_database", password="hunter2-secret")
    url = missing.render_as_string(hide_password=False)
    out = _tcpl(url, "db", "upgrade", cwd=tmp_path)
    assert out.returncode == 1
    [line] = out.stderr.strip().splitlines()
    assert line.startswith(
        f'Không mở được cơ sở dữ liệu {redact(url)}: database "tcpl_no_such_database" does not exist.'), line
    assert "hunter2" not in out.stderr and "Traceback" not in out.stderr
