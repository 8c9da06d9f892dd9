"""Commands about the plan's deadlines: `tcpl reminders preview`, `tcpl task …`, `tcpl report`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import day_or_exit, settings_or_exit, with_bot
from bot.clock import SystemClock

reminders_app = typer.Typer(no_args_is_help=True, help="Deadline reminders.")
task_app = typer.Typer(no_args_is_help=True, help="Plan tasks: deadlines and events.")


@reminders_app.command("preview")
def reminders_preview(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    days: Annotated[int, typer.Option("--days", help="How many days.")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List every reminder and escalation the policy would send in a window, without sending."""
    settings = settings_or_exit()
    first = day_or_exit(start)

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
        typer.echo(f"Không có nhiệm vụ mã {task!r}.", err=True)
        raise typer.Exit(2)
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
    year: Annotated[int, typer.Option("--year")],
    fmt: Annotated[str, typer.Option("--format", help="xlsx or csv")] = "xlsx",
    output: Annotated[Path, typer.Option("-o", "--output")] = Path("bao-cao.xlsx"),
    task: Annotated[str | None, typer.Option("--task")] = None,
) -> None:
    """Write the progress report of a year as an Excel workbook or a CSV file."""
    from bot.workbook import ExcelWorkbook, report_csv
    from handlers.reports import build_report

    if fmt not in ("xlsx", "csv"):
        typer.echo("--format phải là xlsx hoặc csv.", err=True)
        raise typer.Exit(2)
    settings = settings_or_exit()

    async def work(bot, knowledge):  # type: ignore[no-untyped-def]
        occs = await bot.stores.occurrences.for_year(year, task)
        return build_report(knowledge.plan, occs, year, SystemClock().now(), settings.tz)

    rep = with_bot(settings, work)
    data = ExcelWorkbook().workbook(rep, settings.tz) if fmt == "xlsx" else report_csv(rep, settings.tz)
    output.write_bytes(data)
    typer.echo(f"Đã ghi {len(rep.details)} dòng vào {output}.")
