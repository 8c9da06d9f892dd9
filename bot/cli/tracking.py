"""The plans' deadlines: `tcpl reminders preview`, `tcpl task …`, `tcpl report`, `tcpl plan new`."""

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
from handlers.task_refs import TaskRef, no_plan_in_force, resolve_task
from knowledge.deadlines import check_day
from knowledge.loader import Plans
from knowledge.schema import ScheduleKind

PREVIEW_DAYS = (1, 366)  # a window longer than a year is a typing mistake
REPORT_YEARS = (2000, 2100)
FORMATS = ("xlsx", "csv")
MSG_FORMAT = "--format phải là xlsx hoặc csv (bạn nhập «{fmt}»)."
MSG_FORMAT_AND_NAME = (
    "Tệp {path} có đuôi .{suffix} nhưng định dạng là {fmt}: hãy đổi tên tệp (-o) hoặc định dạng (--format)."
)

reminders_app = typer.Typer(no_args_is_help=True, help="Deadline reminders.")
task_app = typer.Typer(no_args_is_help=True, help="Plan tasks: deadlines and events.")
plan_app = typer.Typer(no_args_is_help=True, help="Plan files.")

KIND_VN = {"before": "trước hạn", "on_the_day": "đúng hạn", "overdue": "quá hạn",
           "escalation": "báo quản trị viên"}


def _today(settings) -> object:  # type: ignore[no-untyped-def]
    return SystemClock().now().astimezone(settings.tz).date()


def _task_or_exit(plans: Plans, ref: str, settings) -> TaskRef:  # type: ignore[no-untyped-def]
    """Find the task a code names ("II.3.c", "ii-3c", "kh-2026/II.1"), or exit 2 with the closest codes."""
    found = resolve_task(plans, ref, _today(settings))  # type: ignore[arg-type]
    if isinstance(found, str) or found.rest:
        fail(found if isinstance(found, str) else f"Mã nhiệm vụ không hợp lệ: «{ref[:30]}».", EXIT_USAGE)
    return found


@reminders_app.command("preview")
def reminders_preview(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD or dd/mm/yyyy.")],
    days: Annotated[int, typer.Option("--days", help="How many days (1–366).")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array of reminders.")] = False,
) -> None:
    """List every reminder and escalation the policy would send in a window, without sending."""
    first = day_or_exit(start)
    number_in_range("--days", days, *PREVIEW_DAYS)
    settings = settings_or_exit()

    async def work(bot, knowledge):  # type: ignore[no-untyped-def]
        return knowledge, await bot.reminders.preview(first, days)

    knowledge, planned = with_bot(settings, work)
    tz = settings.tz
    agencies = knowledge.plans.agencies
    if as_json:
        typer.echo(json.dumps([{"send_at": r.send_at.astimezone(tz).isoformat(), "plan_id": r.plan_id,
                                "agency_id": r.agency_id, "task_id": r.task_id, "due": r.due.isoformat(),
                                "kind": r.kind.value} for r in planned], ensure_ascii=False, indent=1))
        return
    for r in planned:
        local = r.send_at.astimezone(tz)
        name = agencies[r.agency_id].name if r.agency_id in agencies else r.agency_id
        typer.echo(f"{local:%d/%m/%Y %H:%M}  {KIND_VN[r.kind.value]:<18} {r.task_id:<8} "
                   f"hạn {r.due:%d/%m/%Y}  {name}")
    typer.echo(f"{len(planned)} tin sẽ được gửi trong {days} ngày từ {first:%d/%m/%Y}.")
    # The window's own plans: a past window still shows what an ended plan sent then.
    notice = no_plan_in_force(knowledge.plans, first)
    if notice and not planned:
        typer.echo(notice)


def _set_date(task: str, day: str | None, clear: bool, year: int | None, kind: str) -> None:
    settings = settings_or_exit()
    if clear == (day is not None):
        fail("Ghi một ngày (dd/mm/yyyy hoặc yyyy-mm-dd), hoặc --clear để xóa.", EXIT_USAGE)
    when = day_or_exit(day) if day is not None else None

    async def work(bot, knowledge):  # type: ignore[no-untyped-def]
        ref = _task_or_exit(knowledge.plans, task, settings)
        is_event = ref.task.schedule.kind is ScheduleKind.AFTER_EVENT
        if is_event != (kind == "event"):
            return ("Nhiệm vụ này tính hạn từ một sự kiện: dùng `tcpl task trigger`." if is_event else
                    "Nhiệm vụ này không chờ sự kiện nào: dùng `tcpl task deadline`.")
        dates, now = bot.stores.task_dates, SystemClock().now()
        if when is None:
            removed = (await dates.clear_event(ref.plan.id, ref.task.id) if kind == "event" else
                       await dates.clear_deadline(ref.plan.id, ref.task.id,
                                                  str(year) if year is not None else None))
            if not removed:
                return "Không có ngày nào để xóa."
            await bot.reminders.plan_occurrences()
            return None, "Đã xóa " + ", ".join(f"{d:%d/%m/%Y}" for d in removed) + "."
        problem = check_day(ref.plan, when, _today(settings))  # type: ignore[arg-type]
        if problem:
            return problem
        if kind == "event":
            before = await dates.record_event(ref.plan.id, ref.task.id, when, "cli", now)
        else:
            before = await dates.set_deadline(ref.plan.id, ref.task.id, when, "cli", now)
        planned = await bot.reminders.plan_occurrences()
        replaced = f" (thay cho {before:%d/%m/%Y})" if before and before != when else ""
        return None, (f"Đã ghi nhận {when:%d/%m/%Y} cho nhiệm vụ {ref.task.code}{replaced}; "
                      f"{planned.added} hạn mới, {planned.changed} hạn đổi ngày.")

    result = with_bot(settings, work)
    if isinstance(result, str):
        fail(result, EXIT_USAGE)
    typer.echo(result[1])


@task_app.command("trigger")
def task_trigger(
    task: Annotated[str, typer.Argument(help="Task code as shown, e.g. II.6 or ii-6.")],
    day: Annotated[str | None, typer.Argument(help="The day the event happened.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the recorded event.")] = False,
) -> None:
    """Record (or correct, or with --clear remove) the event an "after an event" task waits for."""
    _set_date(task, day, clear, None, "event")


@task_app.command("deadline")
def task_deadline(
    task: Annotated[str, typer.Argument(help="Task code as shown, e.g. II.2.b or ii-2b.")],
    day: Annotated[str | None, typer.Argument(help="The deadline.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the administrator's deadline.")] = False,
    year: Annotated[int | None, typer.Option("--year", help="With --clear: only this year's.")] = None,
) -> None:
    """Set (or replace, or with --clear remove) a task's deadline for the year of the date."""
    _set_date(task, day, clear, year, "deadline")


def report(
    year: Annotated[int, typer.Option("--year", help="The year of the deadlines.")],
    fmt: Annotated[str | None, typer.Option("--format", help="xlsx or csv (default: from -o, else xlsx).")]
    = None,
    output: Annotated[Path | None, typer.Option("-o", "--output",
                                               help="File to write (default: bao-cao-tcpl-YEAR.FORMAT).")]
    = None,
    task: Annotated[str | None, typer.Option("--task", help="One task only, as shown: II.1, ii-1.")] = None,
) -> None:
    """Write the progress report of a year as an Excel workbook or a CSV file."""
    from bot.workbook import ExcelWorkbook, report_csv
    from handlers.reports import build_report

    number_in_range("--year", year, *REPORT_YEARS)
    output, fmt = report_file(output, fmt, year)
    settings = settings_or_exit()

    async def work(bot, knowledge):  # type: ignore[no-untyped-def]
        ref = _task_or_exit(knowledge.plans, task, settings) if task else None
        await bot.reminders.plan_occurrences()
        occs = await bot.stores.occurrences.for_year(year, ref.plan.id if ref else None,
                                                     ref.task.id if ref else None)
        return build_report(knowledge.plans, occs, year, SystemClock().now(), settings.tz)

    rep = with_bot(settings, work)
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


@plan_app.command("new")
def plan_new() -> None:
    """Print a commented skeleton of a plan file (in Vietnamese) to fill in from the signed plan."""
    from knowledge.loader import PLAN_SKELETON

    typer.echo(PLAN_SKELETON.read_text(encoding="utf-8"), nl=False)
