"""Where things are and whether they work: `tcpl info` and `tcpl health`. Neither ever prints a secret."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import EXIT_FAILURE, settings_or_exit
from bot.config import Settings
from bot.wiring import load_all
from knowledge.loader import InvalidKnowledge

HEALTH_TIMEOUT = 10.0  # seconds for the database; a container's health check gives up soon after
LISTENER_TIMEOUT = 2.0
SET, NOT_SET = "đã đặt", "chưa đặt"
NO_ENV_FILE = "không có trong thư mục này (chỉ dùng biến môi trường)"


def info(as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False) -> None:
    """Show the version, where the data lives, the knowledge files and what is configured (no secret)."""
    settings = settings_or_exit()
    facts = describe(settings)
    if as_json:
        typer.echo(json.dumps(facts, ensure_ascii=False, indent=2))
        return
    platforms = facts["platforms"]
    lines = [
        f"tcpl-bot {facts['version']}",
        f"Thư mục dữ liệu:     {facts['data_dir']}  (TCPL_DATA_DIR)",
        f"Tệp .env:            {facts['env_file'] or NO_ENV_FILE}",
        f"Cơ sở dữ liệu:       {facts['database']}",
        f"Nhật ký:             {facts['log_file']}",
        f"Sổ tay:              {facts['knowledge']['handbook']}",
        f"Kế hoạch:            {facts['knowledge']['plan']}",
        f"Từ đồng nghĩa:       {facts['knowledge']['synonyms']}",
        f"Chính sách nhắc hạn: {facts['knowledge']['reminder_policy']}",
        f"Múi giờ:             {facts['timezone']}",
        "Nền tảng:            " + (", ".join(f"{p['name']} ({p['mode']})" for p in platforms)
                                   or "chưa có — tcpl run mở cửa sổ trò chuyện"),
    ]
    lines += [f"  Webhook {p['name']}: {p['webhook_url']} (cổng {p['port']}, khóa bí mật {p['secret']})"
              for p in platforms if p["webhook_url"]]
    lines.append(f"Bảng điều khiển:     {facts['dashboard_url'] or 'chưa cấu hình'}")
    typer.echo("\n".join(lines))


def describe(settings: Settings) -> dict:  # type: ignore[type-arg]
    """Collect what `tcpl info` shows; secrets only as set or not set."""
    from storage.db import redact

    url = settings.database_url.get_secret_value()
    database = redact(url)
    sqlite_file = _sqlite_file(url)
    if sqlite_file is not None:
        database += "  (đã có)" if sqlite_file.exists() else "  (chưa tạo: bot tạo khi chạy lần đầu)"
    platforms = []
    if settings.telegram_token is not None:
        platforms.append(_platform("Telegram", settings.webhook_url, settings.webhook_port,
                                   settings.webhook_secret is not None))
    if settings.zalo_token is not None:
        platforms.append(_platform("Zalo", settings.zalo_webhook_url, settings.zalo_webhook_port,
                                   settings.zalo_webhook_secret is not None))
    return {
        "version": _version(),
        "data_dir": str(settings.data_dir),
        # Settings also come from a .env file in the folder the command runs in: say whether one was.
        "env_file": str(Path(".env").resolve()) if Path(".env").is_file() else None,
        "database": database,
        "log_file": str(settings.log_file),
        "knowledge": {"handbook": str(settings.handbook_dir), "plan": str(settings.plan_path),
                      "synonyms": str(settings.synonyms_path),
                      "reminder_policy": str(settings.reminder_policy_path)},
        "timezone": settings.timezone,
        "platforms": platforms,
        "dashboard_url": settings.dashboard_url(),
    }


def _platform(name: str, webhook_url: str | None, port: int, has_secret: bool) -> dict:  # type: ignore[type-arg]
    return {"name": name, "mode": "webhook" if webhook_url else "polling", "webhook_url": webhook_url,
            "port": port if webhook_url else None, "secret": SET if has_secret else NOT_SET}


def _version() -> str:
    try:
        return version("tcpl-bot")
    except PackageNotFoundError:
        return "(không rõ phiên bản)"


def _sqlite_file(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


# -- health ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One thing an instance needs, and whether it has it."""

    ok: bool
    line: str


def health() -> None:
    """Check what a running instance needs: its knowledge files, its database, its webhook ports."""
    settings = settings_or_exit()
    checks = [check_knowledge(settings), asyncio.run(check_database(settings))]
    checks += check_listeners(settings)
    for c in checks:
        typer.echo(("ổn   " if c.ok else "LỖI  ") + c.line)
    if not all(c.ok for c in checks):
        raise typer.Exit(EXIT_FAILURE)


def check_knowledge(settings: Settings) -> Check:
    try:
        knowledge, _, _ = load_all(settings)
    except InvalidKnowledge as exc:
        first = exc.problems[0] if exc.problems else ""
        return Check(False, f"Kiến thức: {len(exc.problems)} lỗi (tcpl validate để xem), đầu tiên: {first}")
    today = dt.datetime.now(settings.tz).date()
    in_force = len(knowledge.plans.in_force(today))
    tasks = sum(len(p.tasks) for p in knowledge.plans)
    return Check(True, f"Kiến thức: {len(knowledge.handbook.entries)} mục sổ tay, "
                       f"{tasks} nhiệm vụ của kế hoạch ({len(knowledge.plans)} kế hoạch, "
                       f"{in_force} đang áp dụng)")


async def check_database(settings: Settings) -> Check:
    from storage.db import redact, schema_revisions

    url = settings.database_url.get_secret_value()
    shown = redact(url)
    sqlite_file = _sqlite_file(url)
    if sqlite_file is not None and not sqlite_file.exists():
        return Check(False, f"Cơ sở dữ liệu {shown}: chưa có tệp (bot tạo khi chạy lần đầu)")
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            current, head = await schema_revisions(url)
    except TimeoutError:
        return Check(False, f"Cơ sở dữ liệu {shown}: không trả lời sau {HEALTH_TIMEOUT:.0f} giây")
    except Exception as exc:  # any failure to reach it is the answer of a health check
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        detail = reason[0][:200] if reason else type(exc).__name__
        return Check(False, f"Cơ sở dữ liệu {shown}: không kết nối được ({detail})")
    if current != head:
        return Check(False, f"Cơ sở dữ liệu {shown}: lược đồ ở phiên bản {current or 'trống'}, "
                            f"mã nguồn cần {head} (bot cập nhật khi khởi động; hoặc tcpl db upgrade)")
    return Check(True, f"Cơ sở dữ liệu {shown}: kết nối được, lược đồ phiên bản {current}")


def check_listeners(settings: Settings) -> list[Check]:
    """Check that this instance's webhook servers and dashboard accept connections (when configured)."""
    wanted = []
    if settings.telegram_token is not None and settings.webhook_url:
        wanted.append(("webhook Telegram", settings.webhook_listen, settings.webhook_port))
    if settings.zalo_token is not None and settings.zalo_webhook_url:
        wanted.append(("webhook Zalo", settings.zalo_webhook_listen, settings.zalo_webhook_port))
    if settings.web_port:
        wanted.append(("trang theo dõi", settings.web_listen, settings.web_port))
    checks = []
    for name, listen, port in wanted:
        host = "127.0.0.1" if listen in ("", "0.0.0.0", "::") else listen
        try:
            with socket.create_connection((host, port), timeout=LISTENER_TIMEOUT):
                checks.append(Check(True, f"Cổng {name}: đang nghe ở {port}"))
        except OSError:
            checks.append(Check(False, f"Cổng {name}: không có gì nghe ở {host}:{port} (bot chưa chạy?)"))
    return checks
