"""Command line: `tcpl run`, `tcpl ask`, `tcpl validate`, `tcpl handbook dump` and the admin tools."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.clock import SystemClock
from bot.config import Settings
from bot.logs import configure_logging
from bot.wiring import load_all, load_checked
from handlers.answers import answer
from handlers.membership import ROLE_NAMES, Membership, local_time
from knowledge.loader import InvalidKnowledge, validate_paths

app = typer.Typer(add_completion=False, no_args_is_help=True, help="tcpl-bot: chuẩn tiếp cận pháp luật.")
handbook_app = typer.Typer(no_args_is_help=True, help="Inspect the handbook.")
app.add_typer(handbook_app, name="handbook")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
app.add_typer(db_app, name="db")
invite_app = typer.Typer(no_args_is_help=True, help="Invite codes for officials.")
app.add_typer(invite_app, name="invite")


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic's message names the bad variable, never a secret's value
        typer.echo(f"Cấu hình không hợp lệ: {exc}", err=True)
        raise typer.Exit(2) from exc


def _fail_invalid(exc: InvalidKnowledge) -> None:
    for p in exc.problems:
        typer.echo(str(p), err=True)
    typer.echo(f"{len(exc.problems)} lỗi: sổ tay hoặc kế hoạch không hợp lệ, bot không khởi động.", err=True)
    raise typer.Exit(1)


@app.command()
def run() -> None:
    """Start the bot: Telegram when a token is set, otherwise the console chat."""
    settings = _settings()
    configure_logging(settings.log_level, settings.secrets())
    try:
        knowledge, engine, policy = load_all(settings)
    except InvalidKnowledge as exc:
        _fail_invalid(exc)
        return
    from bot.app import serve  # imports the database and platform libraries only when serving

    asyncio.run(serve(settings, knowledge, engine, policy))


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question, in Vietnamese.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per question.")] = False,
    batch: Annotated[str | None, typer.Option("--batch", help="File with one question per line; - = stdin.")]
    = None,
) -> None:
    """Answer a question from the handbook."""
    settings = _settings()
    try:
        _, engine = load_checked(settings)
    except InvalidKnowledge as exc:
        _fail_invalid(exc)
        return
    if batch is not None:
        stream = sys.stdin if batch == "-" else open(batch, encoding="utf-8")  # noqa: SIM115
        with stream:
            for line in stream:
                q = line.rstrip("\n")
                typer.echo(_render(engine, q, as_json))
        return
    if question is None:
        typer.echo("Hãy nêu câu hỏi, ví dụ: tcpl ask \"điều kiện công nhận là gì\"", err=True)
        raise typer.Exit(2)
    typer.echo(_render(engine, question, as_json))


def _render(engine, question: str, as_json: bool) -> str:  # type: ignore[no-untyped-def]
    result = answer(engine, question)
    if not as_json:
        return result.text
    return json.dumps(
        {
            "question": question,
            "found": result.found,
            "answer": result.text,
            "entry_id": result.entry_id,
            "score": round(result.score, 4),
            "citations": list(result.citations),
            "suggestions": [{"entry_id": e.id, "title": e.title} for e in result.suggestions],
        },
        ensure_ascii=False,
    )


@app.command()
def validate(paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders.")] = None) -> None:
    """Validate the handbook and plan files; print every error with file and line."""
    settings = _settings()
    targets = paths or [settings.handbook_dir, settings.plan_path]
    problems = validate_paths(targets)
    if not paths:
        try:
            load_all(settings)
        except InvalidKnowledge as exc:
            problems += [p for p in exc.problems if p not in problems]
    for p in problems:
        typer.echo(str(p))
    if problems:
        typer.echo(f"{len(problems)} lỗi.", err=True)
        raise typer.Exit(1)
    typer.echo("Hợp lệ.")


@handbook_app.command("dump")
def handbook_dump(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Print every handbook entry (id, title, question phrasings, answer, citation)."""
    settings = _settings()
    try:
        knowledge, _ = load_checked(settings)
    except InvalidKnowledge as exc:
        _fail_invalid(exc)
        return
    hb = knowledge.handbook
    rows = []
    for e in hb.entries.values():
        doc = hb.documents[e.document]
        rows.append({
            "id": e.id, "title": e.title, "questions": e.questions, "answer": e.answer,
            "citation": e.citation, "document": doc.name, "confidence": e.confidence.value,
            "regime": doc.regime.value, "replaced_by": doc.replaced_by,
        })
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            typer.echo(f"{r['id']}: {r['title']}")


def _knowledge(settings: Settings):  # type: ignore[no-untyped-def]
    try:
        return load_checked(settings)[0]
    except InvalidKnowledge as exc:
        _fail_invalid(exc)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema to the latest version."""
    settings = _settings()
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
    settings = _settings()
    knowledge = _knowledge(settings)
    role = role.lower()
    if role not in ROLE_NAMES:
        typer.echo("Vai trò phải là member hoặc admin.", err=True)
        raise typer.Exit(2)
    problem = Membership.invitable(knowledge.plan, agency, SystemClock().now().astimezone(settings.tz).date())
    if problem:
        typer.echo(problem, err=True)
        raise typer.Exit(2)

    from bot.services import open_stores

    async def create():  # type: ignore[no-untyped-def]
        async with open_stores(settings, knowledge.plan) as stores:
            return await stores.invites.create(agency, role, "cli", SystemClock().now(),
                                               dt.timedelta(hours=settings.invite_ttl_hours))

    inv = asyncio.run(create())
    typer.echo(f"Mã mời cho {knowledge.plan.agencies[agency].name} ({ROLE_NAMES[role]}), "
               f"hết hạn lúc {local_time(inv.expires_at, settings.tz)}. Người được mời gõ /dangky <mã>:")
    typer.echo(inv.code)


@app.command()
def questions(
    unanswered: Annotated[bool, typer.Option("--unanswered", help="Declined questions only.")] = True,
    days: Annotated[int, typer.Option("--days")] = 30,
    limit: Annotated[int, typer.Option("--limit")] = 50,
) -> None:
    """List the questions the bot declined most often, to grow the handbook where it is needed."""
    settings = _settings()
    knowledge = _knowledge(settings)

    from bot.services import open_stores

    async def fetch():  # type: ignore[no-untyped-def]
        async with open_stores(settings, knowledge.plan) as stores:
            since = SystemClock().now() - dt.timedelta(days=days)
            return await stores.questions.unanswered(since, limit)

    rows = asyncio.run(fetch())
    if not rows:
        typer.echo(f"Không có câu hỏi nào bị từ chối trong {days} ngày qua.")
    for q, n in rows:
        typer.echo(f"{n}\t{q}")


reminders_app = typer.Typer(no_args_is_help=True, help="Deadline reminders.")
app.add_typer(reminders_app, name="reminders")
task_app = typer.Typer(no_args_is_help=True, help="Plan tasks: deadlines and events.")
app.add_typer(task_app, name="task")


def _with_bot(settings: Settings, work):  # type: ignore[no-untyped-def]
    """Open the database, wire the use cases, and run `work(bot, knowledge)`."""
    from bot.app import build_bot
    from bot.services import open_stores

    try:
        knowledge, engine, policy = load_all(settings)
    except InvalidKnowledge as exc:
        _fail_invalid(exc)
        raise

    async def go():  # type: ignore[no-untyped-def]
        async with open_stores(settings, knowledge.plan) as stores:
            bot = build_bot(settings, knowledge, engine, policy, stores, SystemClock())
            return await work(bot, knowledge)

    return asyncio.run(go())


def _day(text: str) -> dt.date:
    from handlers.reports import parse_day

    day = parse_day(text)
    if day is None:
        typer.echo(f"Ngày không hợp lệ: {text!r} (dùng dd/mm/yyyy hoặc yyyy-mm-dd).", err=True)
        raise typer.Exit(2)
    return day


@reminders_app.command("preview")
def reminders_preview(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    days: Annotated[int, typer.Option("--days", help="How many days.")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List every reminder and escalation the policy would send in a window, without sending."""
    settings = _settings()
    first = _day(start)

    async def work(bot, knowledge):  # type: ignore[no-untyped-def]
        return knowledge, await bot.reminders.preview(first, days)

    knowledge, planned = _with_bot(settings, work)
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
    settings = _settings()
    when = _day(day)

    async def work(bot, knowledge):  # type: ignore[no-untyped-def]
        if task not in knowledge.plan.tasks:
            return None
        dates = bot.stores.task_dates
        if kind == "event":
            await dates.record_event(task, when, "cli", SystemClock().now())
        else:
            await dates.set_deadline(task, when, "cli", SystemClock().now())
        return await bot.reminders.plan_occurrences()

    added = _with_bot(settings, work)
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


@app.command()
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
    settings = _settings()

    async def work(bot, knowledge):  # type: ignore[no-untyped-def]
        occs = await bot.stores.occurrences.for_year(year, task)
        return build_report(knowledge.plan, occs, year, SystemClock().now(), settings.tz)

    rep = _with_bot(settings, work)
    data = ExcelWorkbook().workbook(rep, settings.tz) if fmt == "xlsx" else report_csv(rep, settings.tz)
    output.write_bytes(data)
    typer.echo(f"Đã ghi {len(rep.details)} dòng vào {output}.")


def main() -> None:
    """Run the command line."""
    app()


if __name__ == "__main__":
    main()
