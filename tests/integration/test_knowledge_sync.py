"""Every instance serves the Department's changes within a sync round; invalid changes never serve."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.knowledge_files import DEPARTMENT_KEY, KnowledgeFiles, document_key
from bot.knowledge_sync import KnowledgeSync
from knowledge.department import DepartmentEntry, dump_department
from knowledge.documents.library import Corrections, adopt, build_library
from knowledge.documents.reading import read_source
from knowledge.documents.store import dump_document
from knowledge.documents.structure import read_document
from knowledge.lexicon import load_lexicon
from knowledge.loader import load_handbook
from knowledge.recognition import load_recognition
from knowledge.sources import Sources
from storage.knowledge_files import KnowledgeFileStore
from tests.fakes.documents import decision_lines, write_txt

NOW = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
SHIPPED = load_handbook()
LEXICON = load_lexicon()


class Clock:
    def now(self) -> dt.datetime:
        return NOW


class Instance:
    """One instance's data folder, sync and what its conversation serves."""

    def __init__(self, folder: Path, store: KnowledgeFileStore):
        folder.mkdir(parents=True, exist_ok=True)
        self.files = KnowledgeFiles(folder / "documents", folder / "so-tay-bo-sung.yaml", SHIPPED, LEXICON,
                                    load_recognition())
        self.served: list[Sources] = []
        self.sync = KnowledgeSync(self.files, store, Clock(), self.files.load(), self.served.append)

    def entries(self) -> list[str]:
        return [e.id for e in self.sync.sources.department.entries]


def entry(n: int) -> DepartmentEntry:
    return DepartmentEntry(id=f"stp-{n}", question=f"Câu hỏi thử số {n} về bể cá?", answer="Trả lời thử.",
                           citation="Thông báo thử", added=dt.date(2026, 11, 2))


@pytest.fixture
def store(sessionmaker: async_sessionmaker[AsyncSession]) -> KnowledgeFileStore:
    return KnowledgeFileStore(sessionmaker)


async def test_a_hand_edit_reaches_the_other_instance(store, tmp_path):
    a, b = Instance(tmp_path / "a", store), Instance(tmp_path / "b", store)
    assert not await a.sync.once() and not await b.sync.once()
    a.files.department_path.write_text(dump_department([entry(1)]), encoding="utf-8")
    assert await a.sync.once() and a.entries() == ["stp-1"]
    assert await b.sync.once() and b.entries() == ["stp-1"] and b.served[-1].engine.handbook.entries["stp-1"]
    assert b.files.department_path.read_bytes() == a.files.department_path.read_bytes()
    assert not await b.sync.once()  # nothing new


async def test_an_invalid_change_is_refused_with_its_line_and_the_old_knowledge_keeps_serving(
        store, tmp_path, caplog):
    a, b = Instance(tmp_path / "a", store), Instance(tmp_path / "b", store)
    await a.sync.save_department([entry(1)], "test")
    assert await b.sync.once() and b.entries() == ["stp-1"]
    broken = dump_department([entry(1), entry(2)]).replace("\n  citation: Thông báo thử", "", 1)
    b.files.department_path.write_text(broken, encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="bot.knowledge_sync"):
        assert not await b.sync.once()
        assert not await b.sync.once()
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1, "said once, not at every round"
    assert f"{b.files.department_path}:" in errors[0] and "citation" in errors[0]
    assert b.entries() == ["stp-1"] and b.served[-1].department.get("stp-1") is not None
    assert not await a.sync.once() and a.entries() == ["stp-1"], "an invalid file is never published"
    b.files.department_path.write_text(dump_department([entry(1), entry(2)]), encoding="utf-8")
    assert await b.sync.once() and b.entries() == ["stp-1", "stp-2"]
    assert await a.sync.once() and a.entries() == ["stp-1", "stp-2"]


async def test_a_document_published_by_the_command_line_and_removed(store, tmp_path):
    a = Instance(tmp_path / "a", store)
    parsed = read_document(read_source(write_txt(tmp_path / "qd.txt", decision_lines())), "qd.txt")
    file = adopt(parsed, build_library([], SHIPPED.documents), Corrections(), dt.date(2026, 11, 2))
    key = document_key(file.document.id)
    await store.publish({key: dump_document(file)}, "cli", NOW)  # what `tcpl documents add` does
    assert await a.sync.once()
    assert "qd-99-2099" in a.sync.sources.library.documents
    assert (a.files.documents_dir / "qd-99-2099.yaml").is_file()
    await store.publish({key: None}, "cli", NOW)  # `tcpl documents remove`
    assert await a.sync.once()
    assert "qd-99-2099" not in a.sync.sources.library.documents
    assert not (a.files.documents_dir / "qd-99-2099.yaml").exists()


async def test_an_invalid_save_from_chat_changes_nothing(store, tmp_path):
    from knowledge.loader import InvalidKnowledge

    a = Instance(tmp_path / "a", store)
    bad = entry(1).model_copy(update={"document": "khong-co-van-ban-nay"})
    with pytest.raises(InvalidKnowledge, match="unknown document"):
        await a.sync.save_department([bad], "test")
    assert not a.files.department_path.exists() and a.entries() == []
    assert await store.revision() == 0


async def test_files_present_at_start_are_published(store, tmp_path):
    a = Instance(tmp_path / "a", store)
    a.files.department_path.parent.mkdir(parents=True, exist_ok=True)
    a.files.department_path.write_text(dump_department([entry(1)]), encoding="utf-8")
    a = Instance(tmp_path / "a", store)  # started with the file already there
    await a.sync.once()
    b = Instance(tmp_path / "b", store)
    assert await b.sync.once() and b.entries() == ["stp-1"]
    assert [r.key for r in await store.since(0)] == [DEPARTMENT_KEY]
