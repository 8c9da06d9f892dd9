"""Keep every instance's knowledge in step with the Department's files, without a restart.

The files live in each instance's data folder (reviewable, editable by hand) and in the shared
database (so instances on other machines get them). Every SYNC_EVERY seconds an instance
- takes the changes other instances or the command line published since the revision it last saw,
- notices files changed by hand in its own folder,
checks the resulting knowledge as a whole, and only if it is valid writes the files, swaps the answering
sources in, and publishes its own folder's changes. An invalid change is logged with file:line, once,
and the knowledge that was serving keeps serving.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence

from bot.config import Settings
from bot.knowledge_files import DEPARTMENT_KEY, Change, KnowledgeFiles
from handlers.ports import Clock
from knowledge.department import DepartmentEntry, DepartmentHandbook, dump_department
from knowledge.loader import InvalidKnowledge
from knowledge.sources import Sources
from storage.knowledge_files import KnowledgeFileStore

log = logging.getLogger(__name__)

SYNC_EVERY = 20.0  # seconds: a change reaches every instance well within a minute


def digest(content: bytes | str | None) -> str | None:
    if content is None:
        return None
    data = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(data).hexdigest()


async def publish_change(settings: Settings, change: Change, by: str) -> None:
    """Publish a change made outside a running bot (the command line) to the shared database."""
    from bot.clock import SystemClock
    from storage.db import make_engine, make_sessionmaker, upgrade

    url = settings.database_url.get_secret_value()
    await upgrade(url)
    engine = make_engine(url)
    try:
        await KnowledgeFileStore(make_sessionmaker(engine)).publish(change, by, SystemClock().now())
    finally:
        await engine.dispose()


class KnowledgeSync:
    """One instance's view of the Department's files: what it serves, and how changes reach it."""

    def __init__(self, files: KnowledgeFiles, store: KnowledgeFileStore, clock: Clock, sources: Sources,
                 use: Callable[[Sources], None]):
        self.files = files
        self.store = store
        self.clock = clock
        self.sources = sources
        self._use = use
        self._seen = 0  # the database revision whose files this instance has
        self._served: dict[str, str | None] = {}  # key → digest of the file that is serving
        self._refused: frozenset[tuple[str, str | None]] = frozenset()
        self._started = False
        self._lock = asyncio.Lock()

    # -- the port the handlers use

    def department(self) -> DepartmentHandbook:
        return self.sources.department

    async def save_department(self, entries: Sequence[DepartmentEntry], by: str) -> None:
        """Check and write the Department's handbook with these entries, serve it and publish it."""
        await self.change({DEPARTMENT_KEY: dump_department(entries)}, by)

    # -- changes

    async def change(self, change: Change, by: str) -> None:
        """Apply a change made on this instance; raise InvalidKnowledge (nothing changes) when invalid."""
        async with self._lock:
            await self._pull()  # build on the latest files, so another instance's answer is not lost
            sources = await asyncio.to_thread(self.files.apply, change)
            self._serve(sources)
            await self._publish(change, by)

    async def once(self) -> bool:
        """Take published and hand-made changes; return whether the knowledge changed."""
        async with self._lock:
            return await self._pull()

    async def _pull(self) -> bool:
        first = not self._started
        revision = await self.store.revision()
        published = ({row.key: row for row in await self.store.since(self._seen)}
                     if revision > self._seen else {})
        disk = await asyncio.to_thread(self.files.current)
        change: dict[str, str | None] = {}
        for key, row in published.items():
            if first and key in disk and self._newer_on_disk(key, row.updated_at):
                continue  # edited by hand while no instance ran here: the disk's copy wins (published below)
            if digest(row.content) != digest(disk.get(key)):
                change[key] = row.content
        local: dict[str, str | None] = {}
        for key in set(disk) | set(self._served):
            if key in change or (key in published and not first):
                continue
            mine = digest(disk.get(key))
            if first:
                if key in published and digest(published[key].content) == mine:
                    continue
            elif mine == self._served.get(key):
                continue
            local[key] = disk[key].decode("utf-8", errors="replace") if key in disk else None
        self._started = True
        if not change and not local:
            self._seen = max(self._seen, revision)
            self._remember(disk)
            return False
        everything = {**local, **change}
        attempt = frozenset((k, digest(v)) for k, v in everything.items())
        try:
            sources = await asyncio.to_thread(self.files.apply, everything)
        except InvalidKnowledge as exc:
            if attempt != self._refused:  # said once per faulty state, not every SYNC_EVERY seconds
                self._refused = attempt
                for p in exc.problems:
                    log.error("knowledge change refused, the previous knowledge keeps serving: %s", p)
            return False
        self._refused = frozenset()
        self._seen = max(self._seen, revision)
        self._serve(sources)
        if local:
            await self._publish(local, "sửa tay trong thư mục dữ liệu")
        log.info("knowledge reloaded: %s", ", ".join(sorted(everything)))
        return True

    def _newer_on_disk(self, key: str, published_at: dt.datetime) -> bool:
        try:
            modified = dt.datetime.fromtimestamp(self.files.path(key).stat().st_mtime, tz=dt.UTC)
        except (OSError, ValueError):
            return False
        return modified > published_at

    def _serve(self, sources: Sources) -> None:
        self.sources = sources
        self._use(sources)
        self._remember(self.files.current())

    def _remember(self, disk: Mapping[str, bytes]) -> None:
        self._served = {k: digest(v) for k, v in disk.items()}

    async def _publish(self, change: Change, by: str) -> None:
        revision = await self.store.publish(change, by, self.clock.now())
        if revision == self._seen + 1:
            self._seen = revision  # nobody else published in between: nothing to take back

    async def run(self, stop: asyncio.Event, every: float = SYNC_EVERY) -> None:
        """Sync every `every` seconds until stopped; a failure (database restart) is retried next time."""
        while not stop.is_set():
            try:
                await self.once()
            except Exception:
                log.exception("knowledge sync failed; retrying")
            try:
                await asyncio.wait_for(stop.wait(), timeout=every)
            except TimeoutError:
                pass
