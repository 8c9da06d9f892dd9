"""Commands about people and the database: `tcpl db upgrade`, `tcpl invite create`, `tcpl questions`,
`tcpl erase`."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated

import typer

from bot.cli.common import EXIT_USAGE, fail, knowledge_or_exit, number_in_range, settings_or_exit
from bot.clock import SystemClock
from handlers.membership import ROLE_NAMES, Membership, local_time

# Where an operator finds the agency ids at the command line (chat has /coquan).
HINT_AGENCY_IDS = "Xem mã các cơ quan: tcpl agencies list."
QUESTION_DAYS = (1, 3650)
QUESTION_LIMIT = (1, 1000)
PLATFORMS = ("telegram", "zalo", "console")

db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
invite_app = typer.Typer(no_args_is_help=True, help="Invite codes for officials.")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema to the latest version."""
    settings = settings_or_exit()
    from storage.db import redact, upgrade

    url = settings.database_url.get_secret_value()
    asyncio.run(upgrade(url))
    typer.echo(f"Cơ sở dữ liệu đã ở phiên bản mới nhất: {redact(url)}")


@invite_app.command("create")
def invite_create(
    agency: Annotated[str, typer.Option("--agency", help="Agency id, e.g. stp.")],
    role: Annotated[str, typer.Option("--role", help="member or admin.")] = "member",
) -> None:
    """Create a one-time invite code; the code alone is printed on the last line."""
    settings = settings_or_exit()
    knowledge = knowledge_or_exit(settings)
    agency, role = agency.strip().lower(), role.strip().lower()
    if role not in ROLE_NAMES:
        fail(f"Vai trò phải là member hoặc admin (bạn nhập «{role[:20]}»).", EXIT_USAGE)
    from bot.services import open_stores

    async def create():  # type: ignore[no-untyped-def]
        async with open_stores(settings, knowledge.plans) as stores:
            # Checked once the stores are open: imported communes are agencies too.
            today = SystemClock().now().astimezone(settings.tz).date()
            problem = Membership.invitable(knowledge.plans, agency, today)
            if problem:
                return problem
            return await stores.invites.create(agency, role, "cli", SystemClock().now(),
                                               dt.timedelta(hours=settings.invite_ttl_hours))

    inv = asyncio.run(create())
    if isinstance(inv, str):
        fail(f"{inv} {HINT_AGENCY_IDS}", EXIT_USAGE)
    typer.echo(f"Mã mời cho {knowledge.plans.agencies[agency].name} ({ROLE_NAMES[role]}), "
               f"hết hạn lúc {local_time(inv.expires_at, settings.tz)}. Người được mời gõ /dangky <mã>:")
    typer.echo(inv.code)


def questions(
    unanswered: Annotated[bool, typer.Option("--unanswered", help="Declined questions only.")] = True,
    days: Annotated[int, typer.Option("--days", help="How many days back (1–3650).")] = 30,
    limit: Annotated[int, typer.Option("--limit", help="At most this many questions (1–1000).")] = 50,
) -> None:
    """List the questions the bot declined most often, to grow the handbook where it is needed."""
    number_in_range("--days", days, *QUESTION_DAYS)
    number_in_range("--limit", limit, *QUESTION_LIMIT)
    settings = settings_or_exit()
    knowledge = knowledge_or_exit(settings)

    from bot.services import open_stores

    async def fetch():  # type: ignore[no-untyped-def]
        async with open_stores(settings, knowledge.plans) as stores:
            since = SystemClock().now() - dt.timedelta(days=days)
            return await stores.questions.unanswered(since, limit)

    rows = asyncio.run(fetch())
    if not rows:
        typer.echo(f"Không có câu hỏi nào bị từ chối trong {days} ngày qua.")
    for q, n in rows:
        typer.echo(f"{n}\t{q}")


def erase(
    platform: Annotated[str, typer.Argument(help="telegram, zalo or console.")],
    user_id: Annotated[str, typer.Argument(help="The person's user id on that platform.")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: the deletion cannot be undone.")] = False,
) -> None:
    """Delete what the bot keeps about a person, as /xoadulieu does, for someone who cannot use the chat."""
    if platform not in PLATFORMS:
        choices = f"{', '.join(PLATFORMS[:-1])} hoặc {PLATFORMS[-1]}"
        fail(f"Nền tảng phải là {choices}, không phải «{platform[:30]}».", EXIT_USAGE)
    if not yes:
        fail(f"Thêm --yes để xác nhận xóa dữ liệu của {platform}:{user_id[:40]} (không hoàn tác được).",
             EXIT_USAGE)
    settings = settings_or_exit()
    knowledge = knowledge_or_exit(settings)

    from bot.services import open_stores

    async def run():  # type: ignore[no-untyped-def]
        async with open_stores(settings, knowledge.plans) as stores:
            return await stores.personal_data.erase(platform, user_id)

    erased = asyncio.run(run())
    typer.echo(f"Đã xóa {erased.questions} câu hỏi"
               + (" và thông tin đăng ký" if erased.registered else " (người này chưa đăng ký)")
               + f" của {platform}:{user_id}."
               + (f" {erased.reports_kept} báo cáo tiến độ vẫn được giữ cho cơ quan, không kèm tên."
                  if erased.reports_kept else ""))
