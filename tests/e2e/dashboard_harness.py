"""A running dashboard (real uvicorn on 127.0.0.1, real SQLite file) over a bot with some history.

The history is made through the same stores the bot writes with: members registered, progress
reported on Telegram and Zalo, reminders sent and refused, an escalation, declined questions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from bot.app import Bot, build_bot
from bot.config import Settings
from bot.services import Stores, open_stores
from bot.web_server import build_dashboard, serve_web
from handlers.reminders import escalation_key_prefix
from handlers.web_login import LINK_TTL, login_url
from knowledge.deadlines import ReminderPolicy
from knowledge.engine import Engine
from knowledge.loader import Knowledge
from storage.records import MemberRecord, OccurrenceRecord
from tests.e2e.conftest import FakeClock
from tests.plans import in_force_plan

Loaded = tuple[Knowledge, Engine, ReminderPolicy]

# Planned on 02/11/2026; the dashboard is looked at on Tuesday 05/01/2027 at 08:30, when the 2026
# deadlines (14/12/2026) that are not done are overdue.
LOOKED_AT = dt.datetime(2027, 1, 5, 1, 30, tzinfo=dt.UTC)
HOA = "Trần Văn Hòa"  # administrator of the Department of Justice
BINH = "Lê Thị Bình"  # administrator of the Department of Finance (stc)
AN = "Phạm Văn An"  # member of the Department of Justice
LAN = "Nguyễn Thị Lan"  # member of the provincial police, on Zalo
BLOCKED_NOTE = "Chưa có kinh phí in tài liệu"
REFUSAL = "Forbidden: bot was blocked by the user"
DECLINED = "Giá vàng hôm nay bao nhiêu?"
_FORM = re.compile(r'name="(?:form|csrf)" value="([^"]+)"')


@dataclass
class DashboardHarness:
    base_url: str
    knowledge: Knowledge
    stores: Stores
    bot: Bot
    clock: FakeClock
    people: dict[str, MemberRecord]
    blocked: OccurrenceRecord  # Department of Justice, blocked, its reminder refused
    police: OccurrenceRecord  # police, in progress on Zalo, reminded and escalated

    async def link(self, who: str | None = None) -> str:
        """Return a fresh login link for a person of the harness (None: the server's operator)."""
        member_id = self.people[who].id if who else None
        token = await self.stores.web.create_link(member_id, "test", self.clock.now(), LINK_TTL)
        return login_url(self.base_url, token)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base_url, follow_redirects=False, timeout=30)


def form_token(html: str) -> str:
    """Return the hidden token of the first form on a page (the login form's or a CSRF token)."""
    found = _FORM.search(html)
    assert found, html[:2000]
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, link: str) -> httpx.Response:
    """Open a login link and press its button; return the answer to the press."""
    page = await client.get(link)
    assert page.status_code == 200, page.text[:2000]
    return await client.post(link, data={"form": form_token(page.text)})


async def _history(stores: Stores, bot: Bot, clock: FakeClock, people: dict[str, MemberRecord]
                   ) -> tuple[OccurrenceRecord, OccurrenceRecord]:
    occurrences = stores.occurrences
    stp = [o for o in await occurrences.for_year(2026) if o.agency_id == "stp"]
    [police] = [o for o in await occurrences.for_year(2026) if o.agency_id == "cong-an-tinh"]
    at = dt.datetime(2026, 11, 10, 3, 0, tzinfo=dt.UTC)
    await occurrences.record_progress(stp[0].id, people[AN].id, "done", None, None, at)
    await occurrences.record_progress(stp[1].id, people[AN].id, "in_progress", 60, "Đang tổng hợp", at)
    await occurrences.record_progress(stp[2].id, people[AN].id, "blocked", None, BLOCKED_NOTE, at)
    await occurrences.record_progress(police.id, people[LAN].id, "in_progress", 10, None, at)
    await occurrences.record_progress(police.id, people[LAN].id, "in_progress", 30, "Đã giao phòng PC",
                                      at + dt.timedelta(days=7))

    outbox, lease = stores.outbox, dt.timedelta(minutes=5)

    async def send(key: str, who: str, occurrence_id: int | None, kind: str, when: dt.datetime,
                   refused: bool = False) -> None:
        m = people[who]
        await outbox.enqueue(dedup_key=key, platform=m.platform, chat_id=m.chat_id, payload={},
                             not_before=when, kind=kind, occurrence_id=occurrence_id)
        [row] = await outbox.claim(when, 1, lease, "test")
        if refused:
            await outbox.reschedule(row.id, when + dt.timedelta(days=1), REFUSAL, True)
        else:
            await outbox.mark_sent(row.id, [f"m-{row.id}"], when)

    # The refused reminder last: claimed again, it would be taken before any later row.
    await send(f"rem:{police.id}:a", LAN, police.id, "reminder", dt.datetime(2026, 11, 30, 1, tzinfo=dt.UTC))
    await send(escalation_key_prefix(police.plan_id, police.task_id, police.due) + "telegram:500", HOA, None,
               "escalation", dt.datetime(2026, 12, 22, 2, tzinfo=dt.UTC))
    await send(f"rem:{stp[2].id}:a", AN, stp[2].id, "reminder", dt.datetime(2026, 12, 1, 1, tzinfo=dt.UTC),
               refused=True)
    for i, question in enumerate((DECLINED, DECLINED.upper(), "Thủ tục ly hôn thế nào?")):
        await stores.questions.record("telegram", "900", question, False, None, 0.1,
                                      LOOKED_AT - dt.timedelta(days=2, hours=i))
    blocked = await occurrences.get(stp[2].id)
    police_now = await occurrences.get(police.id)
    assert blocked is not None and police_now is not None
    return blocked, police_now


@contextlib.asynccontextmanager
async def running_dashboard(database: Path, loaded: Loaded, clock: FakeClock | None = None,
                            **settings: object) -> AsyncIterator[DashboardHarness]:
    """Open a fresh SQLite file with a bot's history and serve the dashboard on a free port."""
    knowledge, engine, policy = loaded
    clock = clock or FakeClock()
    config = Settings(database_url=f"sqlite+aiosqlite:///{database}", web_listen="127.0.0.1", _env_file=None,
                      plan_path=str(in_force_plan()), **settings)  # type: ignore[arg-type]
    async with open_stores(config, knowledge.plans) as stores:
        bot = build_bot(config, knowledge, engine, policy, stores, clock)
        await bot.reminders.plan_occurrences()
        people = {
            HOA: await stores.members.upsert("telegram", "500", "500", HOA, "stp", "admin", clock.now()),
            BINH: await stores.members.upsert("telegram", "501", "501", BINH, "stc", "admin", clock.now()),
            AN: await stores.members.upsert("telegram", "502", "502", AN, "stp", "member", clock.now()),
            LAN: await stores.members.upsert("zalo", "z-lan", "z-lan", LAN, "cong-an-tinh", "member",
                                             clock.now()),
        }
        blocked, police = await _history(stores, bot, clock, people)
        clock.set(LOOKED_AT)
        async with serve_web(config, build_dashboard(config, knowledge, bot, clock), port=0) as port:
            yield DashboardHarness(f"http://127.0.0.1:{port}", knowledge, stores, bot, clock, people, blocked,
                                   police)
