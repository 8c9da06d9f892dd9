"""Agency sync: insert, update, deactivate, reactivate."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.records import AgencyRecord
from storage.repositories import AgencyStore


async def test_sync_inserts_all(
    sessionmaker: async_sessionmaker[AsyncSession], agencies: list[AgencyRecord]
) -> None:
    store = AgencyStore(sessionmaker)
    assert await store.all() == sorted(agencies, key=lambda a: a.name)
    assert await store.get("ubnd-cap-xa") == agencies[2]
    assert await store.get("missing") is None


async def test_sync_updates_and_deactivates_the_rest(
    sessionmaker: async_sessionmaker[AsyncSession], agencies: list[AgencyRecord]
) -> None:
    store = AgencyStore(sessionmaker)
    renamed = replace(agencies[0], name="Sở Tư pháp tỉnh")
    await store.sync([renamed, agencies[1]])

    assert await store.get("so-tu-phap") == renamed
    assert [a.id for a in await store.all()] == ["so-tu-phap", "ubnd-xa-a"]
    dropped = await store.get("ubnd-cap-xa")
    assert dropped is not None and dropped.active is False
    assert len(await store.all(active_only=False)) == 3

    await store.sync(agencies)
    assert len(await store.all()) == 3


async def test_sync_of_nothing_deactivates_everything(
    sessionmaker: async_sessionmaker[AsyncSession], agencies: list[AgencyRecord]
) -> None:
    store = AgencyStore(sessionmaker)
    await store.sync([])
    assert await store.all() == []
    assert all(not a.active for a in await store.all(active_only=False))


async def test_sync_tolerates_a_repeated_id(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    store = AgencyStore(sessionmaker)
    first = AgencyRecord(id="x", name="Old", level="commune")
    await store.sync([first, replace(first, name="New")])
    assert await store.all() == [replace(first, name="New")]


async def test_imported_units_survive_the_plan_sync_and_import_is_idempotent(
    sessionmaker: async_sessionmaker[AsyncSession], agencies: list[AgencyRecord]
) -> None:
    from datetime import date

    store = AgencyStore(sessionmaker)
    units = [AgencyRecord(id=f"ubnd-{n}", name=f"UBND xã {n}", level="commune", source="import", code=str(n),
                          area_code="92", started_on=date(2025, 7, 1)) for n in (31001, 31002)]
    assert await store.import_units(units) == (2, 0)
    assert await store.import_units(units) == (0, 0)
    assert await store.import_units([replace(units[0], name="UBND phường Mới")]) == (0, 1)
    await store.sync(agencies)  # the plans' agencies at start: imported ones stay active
    imported = await store.imported()
    assert [a.id for a in imported] == ["ubnd-31001", "ubnd-31002"]
    assert imported[0].name == "UBND phường Mới" and imported[0].started_on == date(2025, 7, 1)
    with pytest.raises(ValueError, match="so-tu-phap"):
        await store.import_units([replace(units[0], id="so-tu-phap")])
