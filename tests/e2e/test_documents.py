"""/vanban on every platform: documents → chapters → articles → clauses, verbatim, by choice."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.wiring import load_sources
from knowledge.documents.library import Corrections, adopt, load_library
from knowledge.documents.reading import read_source
from knowledge.documents.store import dump_document
from knowledge.documents.structure import read_document
from knowledge.loader import load_handbook
from knowledge.sources import Sources
from tests.e2e.conftest import FakeClock
from tests.e2e.contract import PLATFORMS, Harness, Loaded, position, running_harness
from tests.fakes.documents import DECISION_BODY, decision_lines, write_txt

LAN = "Nguyễn Thị Lan"


def write_documents(data_dir: Path, *texts: list[str]) -> Settings:
    """Store made-up documents in a data folder as `tcpl documents add` would; return its settings."""
    (data_dir / "documents").mkdir(parents=True, exist_ok=True)
    for n, lines in enumerate(texts):
        name = f"source-{n}.txt"
        parsed = read_document(read_source(write_txt(data_dir / name, lines)), name)
        library = load_library(data_dir / "documents", load_handbook().documents)  # what is there already
        file = adopt(parsed, library, Corrections(), dt.date(2026, 11, 2))
        target = data_dir / "documents" / f"{file.document.id}.yaml"
        target.write_text(dump_document(file), encoding="utf-8")
    return Settings(data_dir=data_dir, _env_file=None)


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> tuple[Loaded, Sources]:
    settings = write_documents(tmp_path_factory.mktemp("data"), decision_lines())
    knowledge, sources, policy = load_sources(settings)
    return (knowledge, sources.engine, policy), sources


@pytest.fixture(params=PLATFORMS)
async def harness(request, tmp_path: Path, clock: FakeClock, sources) -> AsyncIterator[Harness]:
    loaded, current = sources
    async with running_harness(tmp_path / "bot.db", clock, loaded, [request.param]) as running:
        running.bot.conversation.use(current)
        yield running


def joined(replies: list[str]) -> str:
    return "\n".join(replies)


async def test_a_clause_is_reached_by_choice_and_shown_verbatim_with_its_citation(harness):
    chat = harness.driver
    await chat.say(LAN, "/vanban")
    opened = joined(await chat.choose(LAN, position(chat.choices(LAN), "Quyết định 99/2099/QĐ-BTN")))
    assert "Quy định thí điểm về việc nuôi cá cảnh" in opened
    assert "có hiệu lực từ ngày 01/01/2100" in opened  # not in force yet on the test's day
    await chat.choose(LAN, position(chat.choices(LAN), "Chương I"))
    article = joined(await chat.choose(LAN, position(chat.choices(LAN), "Điều 2")))
    assert "Điều 2. Điều kiện nuôi cá cảnh" in article and "b) Có kinh phí mua thức ăn" in article
    clause = joined(await chat.choose(LAN, position(chat.choices(LAN), "2. Cơ quan được nuôi")))
    for line in DECISION_BODY[10:14]:
        assert line in clause
    assert "Trích nguyên văn: khoản 2 Điều 2 Quyết định 99/2099/QĐ-BTN." in clause
    back = joined(await chat.choose(LAN, position(chat.choices(LAN), "Điều 2")))
    assert "Điều 2. Điều kiện nuôi cá cảnh" in back


async def test_without_documents_vanban_says_so(tmp_path, clock):
    knowledge, sources, policy = load_sources(Settings(data_dir=tmp_path, _env_file=None))
    async with running_harness(tmp_path / "bot.db", clock, (knowledge, sources.engine, policy),
                               ["console"]) as running:
        reply = joined(await running.driver.say(LAN, "/vanban"))
    assert "chưa nạp văn bản" in reply


@pytest.mark.parametrize("data", ["v:qd-99-2099:000000:3", "v:qd-99-2099", "v:khong-co:abc:1", "v:x:y:z:w:v",
                                  "v:qd-99-2099:{digest}:99999", "v:qd-99-2099:{digest}:-1"])
async def test_forged_or_stale_choices_get_a_polite_answer(sources, clock, data):
    from handlers.conversation import Conversation
    from handlers.documents import MSG_STALE, Documents
    from handlers.types import Incoming

    _, current = sources
    conversation = Conversation(current.engine, clock, library=current.library)
    Documents(conversation).setup()
    digest = current.library.documents["qd-99-2099"].digest
    [reply] = await conversation.handle(Incoming("telegram", "1", "1", choice=data.format(digest=digest)))
    assert reply.text == MSG_STALE
