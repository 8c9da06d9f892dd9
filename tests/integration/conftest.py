"""Fixtures that run each integration test on a SQLite file and on a fresh PostgreSQL database.

Other test folders reuse them with `from tests.integration.conftest import db_url, engine, sessionmaker`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import make_sessionmaker
from storage.records import AgencyRecord
from storage.repositories import AgencyStore
from tests.integration.databases import (
    DatabaseUnavailable,
    migrated_engine,
    postgres_database,
    postgres_required,
    sqlite_database,
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Yield the URL of an empty database of each kind."""
    if request.param == "sqlite":
        async with sqlite_database(tmp_path) as url:
            yield url
        return
    async with AsyncExitStack() as stack:
        try:
            url = await stack.enter_async_context(postgres_database())
        except DatabaseUnavailable as exc:
            if postgres_required():
                pytest.fail(str(exc))
            pytest.skip(str(exc))
        yield url


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """Yield an engine on the upgraded test database."""
    async with migrated_engine(db_url) as engine:
        yield engine


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return a session factory on the upgraded test database."""
    return make_sessionmaker(engine)


@pytest.fixture
async def agencies(sessionmaker: async_sessionmaker[AsyncSession]) -> list[AgencyRecord]:
    """Store three agencies of the plan and return them."""
    records = [
        AgencyRecord(id="so-tu-phap", name="Sở Tư pháp", level="province"),
        AgencyRecord(id="ubnd-xa-a", name="UBND xã A", level="commune"),
        AgencyRecord(id="ubnd-cap-xa", name="UBND các xã", level="commune", is_group=True),
    ]
    await AgencyStore(sessionmaker).sync(records)
    return records
