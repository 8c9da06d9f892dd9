"""Dashboard benchmark: the Tiến độ page for a year of 103 communes × 24 tasks, built on the server.

The page is requested through the ASGI application in this process (httpx's ASGI transport), so the
time is the server's own: the session check, the year's deadlines read from the database, the matrix
and the template. Goals: ≤ 300 ms and ≤ 300 KB.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import statistics
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import bindparam, insert, update

from bench.reminders import national_plan
from bot.workbook import ExcelWorkbook, report_csv
from handlers.membership import Membership
from handlers.reminders import Reminders
from knowledge.deadlines import load_policy, plan_deadlines
from knowledge.loader import Plans
from storage.dashboard import DashboardReads
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import ProgressUpdateRow, metadata
from storage.records import AgencyRecord
from storage.repositories import AgencyStore, InviteStore, MemberStore, QuestionLog, Sessions
from storage.tracking import OccurrenceStore, OutboxStore, TaskDateStore
from storage.web import WebAccessStore
from tests.integration.databases import DatabaseUnavailable, postgres_database
from web.access import COOKIE, SESSION_TTL
from web.app import Dashboard, create_app

COMMUNES, TASKS, YEAR = 103, 24, 2026
REQUESTS = 20
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LOOKED_AT = dt.datetime(YEAR, 11, 20, 2, tzinfo=dt.UTC)  # a Friday morning, late in the year
STATUSES = ("done", "in_progress", "blocked")
OCCURRENCE = metadata.tables["occurrence"]


class _Clock:
    def now(self) -> dt.datetime:
        return LOOKED_AT


async def _year_of_progress(sessions: Sessions) -> tuple[Dashboard, str, int, int]:
    """Fill a database with a year of deadlines and progress; return the dashboard, a session, counts."""
    plan = national_plan(COMMUNES, TASKS)
    plans = Plans([plan])
    policy = load_policy()
    await AgencyStore(sessions).sync(AgencyRecord(a.id, a.name, a.level.value, a.group)
                                     for a in plan.agencies.values())
    occurrences = OccurrenceStore(sessions)
    deadlines = plan_deadlines(plan, [YEAR], policy).deadlines
    await occurrences.reconcile(deadlines, {(plan.id, t) for t in plan.tasks}, [str(YEAR)],
                                {d.due: None for d in deadlines}, LOOKED_AT)
    members = MemberStore(sessions)
    member_of = {}
    for i, agency in enumerate(a for a in plan.agencies if not plan.agencies[a].group):
        m = await members.upsert("telegram", str(1000 + i), str(1000 + i), f"Cán bộ xã {i}", agency, "member",
                                 LOOKED_AT)
        member_of[agency] = m.id
    # A year of answers: most deadlines get one to three reports; one in five is never answered.
    reports, latest = [], []
    for n, occ in enumerate(await occurrences.for_year(YEAR)):
        if n % 5 == 4:
            continue
        for k in range(1 + n % 3):
            status = STATUSES[(n + k) % 3]
            at = dt.datetime(YEAR, 1 + (n + 4 * k) % 11, 1 + n % 27, 3, tzinfo=dt.UTC)
            reports.append({"occurrence_id": occ.id, "member_id": member_of[occ.agency_id], "status": status,
                            "percent": 40 + 10 * k if status == "in_progress" else None,
                            "note": "Chưa có kinh phí" if status == "blocked" else None, "at": at})
        latest.append({"oid": occ.id, "status": reports[-1]["status"], "percent": reports[-1]["percent"],
                       "note": reports[-1]["note"], "updated_at": reports[-1]["at"], "updated_by": "Cán bộ"})
    async with sessions() as session, session.begin():
        await session.execute(insert(ProgressUpdateRow), reports)
        await session.execute(
            update(OCCURRENCE).where(OCCURRENCE.c.id == bindparam("oid"))
            .values(status=bindparam("status"), percent=bindparam("percent"), note=bindparam("note"),
                    updated_at=bindparam("updated_at"), updated_by=bindparam("updated_by"))
            .execution_options(synchronize_session=False), latest)
    clock = _Clock()
    questions = QuestionLog(sessions)
    membership = Membership(plans, members, InviteStore(sessions), clock, TZ, dt.timedelta(hours=72))
    reminders = Reminders(plans, policy, occurrences, TaskDateStore(sessions), members, OutboxStore(sessions),
                          clock)
    access = WebAccessStore(sessions)
    dashboard = Dashboard(plans=plans, membership=membership, reminders=reminders, occurrences=occurrences,
                          members=members, questions=questions, access=access, reads=DashboardReads(sessions),
                          workbook=ExcelWorkbook(), report_csv=report_csv, clock=clock, tz=TZ)
    login = await access.login(await access.create_link(None, "bench", LOOKED_AT, dt.timedelta(minutes=10)),
                               LOOKED_AT, SESSION_TTL)
    assert login.session_token is not None
    return dashboard, login.session_token, len(deadlines), len(reports)


async def page_figures(url: str, requests: int = REQUESTS) -> tuple[list[float], int, int, int, int]:
    """Return (milliseconds per request, bytes, gzip bytes, deadlines, reports) for the Tiến độ page."""
    await upgrade(url)
    engine = make_engine(url)
    try:
        dashboard, session, deadlines, reports = await _year_of_progress(make_sessionmaker(engine))
        transport = httpx.ASGITransport(app=create_app(dashboard))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench",
                                     cookies={COOKIE: session}) as client:
            times, body = [], b""
            for _ in range(requests + 2):
                start = time.perf_counter()
                response = await client.get("/tien-do", params={"year": YEAR})
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.text[:500]
                body = response.content
        cells = body.count(b'href="/tien-do/')
        assert cells == deadlines, f"the page shows {cells} of {deadlines} deadlines"
        return times[2:], len(body), len(gzip.compress(body)), deadlines, reports  # 2 warm-up requests
    finally:
        await engine.dispose()


def _line(name: str, figures: tuple[list[float], int, int, int, int]) -> str:
    times, size, zipped, _, _ = figures
    return (f"  {name:<11} built in p50 {statistics.median(times):6.1f} ms, max {max(times):6.1f} ms "
            f"({len(times)} requests); {size / 1024:.0f} KB ({zipped / 1024:.0f} KB gzipped)")


async def run_all() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = await page_figures(f"sqlite+aiosqlite:///{Path(tmp) / 'dashboard.db'}")
    lines = [f"Dashboard: Tiến độ page, {COMMUNES} communes × {TASKS} tasks, year {YEAR} "
             f"({sqlite[3]:,} deadlines, {sqlite[4]:,} progress reports), served in-process (ASGI)",
             _line("SQLite", sqlite)]
    try:
        async with postgres_database() as url:
            lines.append(_line("PostgreSQL", await page_figures(url)))
    except DatabaseUnavailable as exc:
        lines.append(f"  PostgreSQL  skipped: {exc}")
    lines.append("  goals: ≤ 300 ms on the server, ≤ 300 KB")
    return "\n".join(lines)


def run() -> str:
    return asyncio.run(run_all())
