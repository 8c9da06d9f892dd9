"""Commands about the plan's deadlines: `tcpl reminders preview`, `tcpl task …`, `tcpl report`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import (
    EXIT_USAGE,
    day_or_exit,
    fail,
    number_in_range,
    settings_or_exit,
    with_bot,
    writable_file_or_exit,
)
from bot.clock import SystemClock

PREVIEW_DAYS = (1, 366)  # a window longer than a year is a typing mistake
REPORT_YEARS = (2000, 2100)
FORMATS = ("xlsx", "csv")
MSG_UNKNOWN_TASK = "Không có nhiệm vụ mã «{task}». Gõ /kehoach trong trò chuyện để xem các nhiệm vụ."
MSG_FORMAT = "--format phải là xlsx hoặc csv (bạn nhập «{fmt}»)."
MSG_FORMAT_AND_NAME = (
    "Tệp {path} có đuôi .{suffix} nhưng định dạng là {fmt}: hãy đổi tên tệp (-o) hoặc định dạng (--format)."
)

reminders_app = typer.Typer(no_args_is_help=True, help="Deadline reminders.")
task_app = typer.Typer(no_args_is_help=True, help="Plan tasks: deadlines and events.")


@reminders_app.command("preview")
def reminders_preview(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    days: Annotated[int, typer.Option("--days", help="How many days (1–366).")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List every reminder and escalation the policy would send in a window, without sending."""
    first = day_or_exit(start)
    number_in_range("--days", days, *PREVIEW_DAYS)
    settings = settings_or_exit()

    async def work(bot, knowledge):  # type: ignore[no-untyped-def]
        return knowledge, await bot.reminders.preview(first, days)

    knowledge, planned = with_bot(settings, work)
    tz = settings.tz
    kind_vn = {"before": "trước hạn", "on_the_day": "đúng hạn", "overdue": "quá hạn",
               "escalation": "báo quản trị viên"}
    for r in planned:
        local = r.send_at.astimezone(tz)
        if as_json:
            typer.echo(json.dumps({"send_at": local.isoformat(), "agency_id": r.agency_id,
                                   "task_id": r.task_id, "due": r.due.isoformat(), "kind": r.kind.value},
                                  ensure_ascii=False))
        else:
            typer.echo(f"{local:%d/%m/%Y %H:%M}  {kind_vn[r.kind.value]:<18} {r.task_id:<8} "
                       f"hạn {r.due:%d/%m/%Y}  {knowledge.plan.agencies[r.agency_id].name}")
    if not as_json:
        typer.echo(f"{len(planned)} tin sẽ được gửi trong {days} ngày từ {first:%d/%m/%Y}.")


def _task_date(task: str, day: str, kind: str) -> None:
    settings = settings_or_exit()
    when = day_or_exit(day)

    async def work(bot, knowledge):  # type: ignore[no-untyped-def]
        if task not in knowledge.plan.tasks:
            return None
        dates = bot.stores.task_dates
        if kind == "event":
            await dates.record_event(task, when, "cli", SystemClock().now())
        else:
            await dates.set_deadline(task, when, "cli", SystemClock().now())
        return await bot.reminders.plan_occurrences()

    added = with_bot(settings, work)
    if added is None:
        fail(MSG_UNKNOWN_TASK.format(task=task[:20]), EXIT_USAGE)
    typer.echo(f"Đã ghi nhận; {added} hạn mới được tạo.")


@task_app.command("trigger")
def task_trigger(task: str, day: str) -> None:
    """Record the event an "after an event" task waits for (e.g. the Ministry's guidance)."""
    _task_date(task, day, "event")


@task_app.command("deadline")
def task_deadline(task: str, day: str) -> None:
    """Set a deadline for a task the plan gives no time."""
    _task_date(task, day, "deadline")


def report(
    year: Annotated[int, typer.Option("--year", help="The year of the deadlines.")],
    fmt: Annotated[str | None, typer.Option("--format", help="xlsx or csv (default: from -o, else xlsx).")]
    = None,
    output: Annotated[Path | None, typer.Option("-o", "--output",
                                               help="File to write (default: bao-cao-tcpl-YEAR.FORMAT).")]
    = None,
    task: Annotated[str | None, typer.Option("--task", help="One task only, e.g. ii-1.")] = None,
) -> None:
    """Write the progress report of a year as an Excel workbook or a CSV file."""
    from bot.workbook import ExcelWorkbook, report_csv
    from handlers.reports import build_report

    number_in_range("--year", year, *REPORT_YEARS)
    output, fmt = report_file(output, fmt, year)
    settings = settings_or_exit()

    async def work(bot, knowledge):  # type: ignore[no-untyped-def]
        if task is not None and task not in knowledge.plan.tasks:
            return None
        occs = await bot.stores.occurrences.for_year(year, task)
        return build_report(knowledge.plan, occs, year, SystemClock().now(), settings.tz)

    rep = with_bot(settings, work)
    if rep is None:
        fail(MSG_UNKNOWN_TASK.format(task=(task or "")[:20]), EXIT_USAGE)
    data = ExcelWorkbook().workbook(rep, settings.tz) if fmt == "xlsx" else report_csv(rep, settings.tz)
    output.write_bytes(data)
    typer.echo(f"Đã ghi {len(rep.details)} dòng vào {output}.")


def report_file(output: Path | None, fmt: str | None, year: int) -> tuple[Path, str]:
    """Settle the report's file and format: --format decides the content, -o the name, each from the other."""
    if fmt is not None:
        fmt = fmt.strip().lower()
        if fmt not in FORMATS:
            fail(MSG_FORMAT.format(fmt=fmt[:20]), EXIT_USAGE)
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    if fmt is None:
        fmt = suffix if suffix in FORMATS else "xlsx"
    elif suffix in FORMATS and suffix != fmt:
        fail(MSG_FORMAT_AND_NAME.format(path=output, suffix=suffix, fmt=fmt), EXIT_USAGE)
    return writable_file_or_exit(output or Path(f"bao-cao-tcpl-{year}.{fmt}")), fmt
