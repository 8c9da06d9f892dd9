"""What every command shares: settings, knowledge loading, the database, dates and error lines.

Every failure of a command reaches the operator as one Vietnamese line on stderr and a non-zero exit
code, never a traceback: a command calls `fail()` for what it checks itself, and `run_cli()` turns
what it did not foresee (a wrong option, a file that cannot be written, a database out of reach)
into such a line, keeping the traceback in the log file of the data folder.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import typer

from bot.clock import SystemClock
from bot.config import Settings, settings_problems
from bot.wiring import load_all, load_checked
from knowledge.loader import InvalidKnowledge, Knowledge

EXIT_FAILURE = 1  # the command could not do its work
EXIT_USAGE = 2  # the command was asked wrongly (options, values, settings)
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells count it

MSG_NO_SUCH_COMMAND = "Không có lệnh «{name}»."
MSG_NO_SUCH_OPTION = "Không có tùy chọn {name}."
MSG_DID_YOU_MEAN = " Có phải ý bạn là {names}?"
MSG_MISSING = "Thiếu {name}."
MSG_NEEDS_VALUE = "Tùy chọn {name} cần một giá trị."
MSG_BAD_VALUE = "Giá trị của {name} không hợp lệ."
MSG_EXTRA_ARGUMENTS = "Thừa tham số: {args}."
MSG_USAGE = "Cách dùng không đúng: {detail}"
MSG_SEE_HELP = " Gõ «{command} --help» để xem cách dùng."
MSG_OUT_OF_RANGE = "{option} phải từ {low} đến {high} (bạn nhập {value})."
MSG_INTERRUPTED = "Đã dừng."
MSG_CANNOT_WRITE = "Không ghi được tệp {path}: {why}."
MSG_CANNOT_USE = "Không dùng được {path}: {why}."
MSG_NO_FOLDER = "thư mục {folder} không tồn tại"
MSG_IS_FOLDER = "đó là một thư mục"
MSG_DATABASE = "Không mở được cơ sở dữ liệu {url}: {why}."
MSG_UNEXPECTED = "Lỗi không mong đợi ({kind}): {detail}."
MSG_DETAILS_IN = " Chi tiết ghi trong {log}."

log = logging.getLogger(__name__)


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    """Print one line for the operator on stderr and end the command with a non-zero code."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def settings_or_exit() -> Settings:
    try:
        return Settings()
    except Exception as exc:
        # Each line names the variable and the reason; a value (perhaps a secret) is never printed.
        for problem in settings_problems(exc):
            typer.echo(f"Cấu hình không hợp lệ: {problem}", err=True)
        raise typer.Exit(2) from None


def fail_invalid(exc: InvalidKnowledge) -> None:
    for p in exc.problems:
        typer.echo(str(p), err=True)
    typer.echo(f"{len(exc.problems)} lỗi: sổ tay hoặc kế hoạch không hợp lệ, bot không khởi động.", err=True)
    raise typer.Exit(1)


def knowledge_or_exit(settings: Settings) -> Knowledge:
    try:
        return load_checked(settings)[0]
    except InvalidKnowledge as exc:
        fail_invalid(exc)
        raise


def with_bot(settings: Settings, work):  # type: ignore[no-untyped-def]
    """Open the database, wire the use cases, and run `work(bot, knowledge)`."""
    from bot.app import build_bot
    from bot.services import open_stores

    try:
        knowledge, engine, policy = load_all(settings)
    except InvalidKnowledge as exc:
        fail_invalid(exc)
        raise

    async def go():  # type: ignore[no-untyped-def]
        async with open_stores(settings, knowledge.plans) as stores:
            bot = build_bot(settings, knowledge, engine, policy, stores, SystemClock())
            return await work(bot, knowledge)

    return asyncio.run(go())


def day_or_exit(text: str) -> dt.date:
    """Read a day as officials write it (15/03/2027) or as ISO (2027-03-15), or fail saying why."""
    from handlers.reports import day_problem, parse_day

    day = parse_day(text)
    if day is None:
        fail(day_problem(text), EXIT_USAGE)
    return day


def number_in_range(option: str, value: int, low: int, high: int) -> int:
    """Fail unless a number given on the command line lies between low and high (both included)."""
    if not low <= value <= high:
        fail(MSG_OUT_OF_RANGE.format(option=option, low=low, high=high, value=value), EXIT_USAGE)
    return value


def writable_file_or_exit(path: Path) -> Path:
    """Fail before any work when a file cannot be written there (no such folder, a folder, no right)."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        fail(MSG_CANNOT_WRITE.format(path=path, why=MSG_IS_FOLDER), EXIT_USAGE)
    if not folder.is_dir():
        fail(MSG_CANNOT_WRITE.format(path=path, why=MSG_NO_FOLDER.format(folder=folder)), EXIT_USAGE)
    return path


# -- turning what a command did not foresee into one line ------------------------------------------


def run_cli(app: typer.Typer, args: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code; every error becomes one line on stderr."""
    try:
        result = app(args=list(args) if args is not None else None, standalone_mode=False,
                     prog_name="tcpl")
    except Exception as exc:
        # Typer raises click's exceptions, or those of its own copy of click (typer ≥ 0.22):
        # recognised by name, which both share.
        kinds = {cls.__name__ for cls in type(exc).__mro__}
        if "NoArgsIsHelpError" in kinds:  # a group without its subcommand: show what it offers
            typer.echo(exc.format_message())  # type: ignore[attr-defined]
            return 0
        if "UsageError" in kinds:
            typer.echo(usage_line(exc), err=True)
            return EXIT_USAGE
        if "Abort" in kinds:
            typer.echo(MSG_INTERRUPTED, err=True)
            return EXIT_INTERRUPTED
        if "ClickException" in kinds:  # e.g. FileError, with its own message
            typer.echo(exc.format_message(), err=True)  # type: ignore[attr-defined]
            return int(getattr(exc, "exit_code", EXIT_FAILURE))
        typer.echo(failure_line(exc), err=True)
        return EXIT_FAILURE
    return result if isinstance(result, int) else 0


def usage_line(exc: Exception) -> str:
    """Say in Vietnamese, on one line, what was wrong with how a command was asked."""
    kinds = {cls.__name__ for cls in type(exc).__mro__}
    ctx = getattr(exc, "ctx", None)
    see = MSG_SEE_HELP.format(command=ctx.command_path) if ctx is not None else ""
    message = str(getattr(exc, "message", "") or "")
    if "NoSuchOption" in kinds:
        line = MSG_NO_SUCH_OPTION.format(name=str(getattr(exc, "option_name", ""))[:40])
        possibilities = getattr(exc, "possibilities", None)
        if possibilities:
            line += MSG_DID_YOU_MEAN.format(names=", ".join(sorted(possibilities)))
        return line + see
    if "MissingParameter" in kinds:
        return MSG_MISSING.format(name=_param_name(getattr(exc, "param", None))) + see
    if "BadParameter" in kinds:
        return MSG_BAD_VALUE.format(name=_param_name(getattr(exc, "param", None))) + see
    if "BadOptionUsage" in kinds and "requires an argument" in message:
        return MSG_NEEDS_VALUE.format(name=str(getattr(exc, "option_name", ""))[:40]) + see
    if match := re.search(r"No such command '(.*)'", message):
        return MSG_NO_SUCH_COMMAND.format(name=match.group(1)[:40]) + see
    if match := re.search(r"unexpected extra arguments? ?(?:\(s\))? \((.*)\)", message):
        return MSG_EXTRA_ARGUMENTS.format(args=match.group(1)[:80]) + see
    return MSG_USAGE.format(detail=message.splitlines()[0][:200] if message else type(exc).__name__) + see


def _param_name(param: object) -> str:
    """Name an option by its long form (--output rather than -o), an argument in capitals."""
    opts = getattr(param, "opts", None)
    if getattr(param, "param_type_name", "") == "option" and opts:
        return max(opts, key=len)
    name = getattr(param, "name", None)
    return name.upper() if name else "một tham số"


def failure_line(exc: BaseException) -> str:
    """Say in one line why a command failed where it did not expect to; log the traceback."""
    settings = _settings_quietly()
    secrets = settings.secrets() if settings is not None else []
    line = _known_failure(exc, settings) or MSG_UNEXPECTED.format(
        kind=type(exc).__name__, detail=_first_line(exc) or "không có mô tả")
    for s in secrets:
        if len(s) >= 6:
            line = line.replace(s, "***")
    written = _log_traceback(exc, settings)
    return line + (MSG_DETAILS_IN.format(log=written) if written else "")


def _known_failure(exc: BaseException, settings: Settings | None) -> str | None:
    from sqlalchemy.exc import DBAPIError, OperationalError

    from storage.db import DatabaseUnavailable

    if isinstance(exc, DatabaseUnavailable):  # missing, read-only, refused: named by storage.db
        return MSG_DATABASE.format(url=exc.url, why=exc.reason)
    if isinstance(exc, (DBAPIError, OperationalError)) or _is_connection_error(exc):
        from storage.db import redact

        url = redact(settings.database_url.get_secret_value()) if settings else "(không đọc được cấu hình)"
        why = _first_line(getattr(exc, "orig", None) or exc) or type(exc).__name__
        return MSG_DATABASE.format(url=url, why=why[:200])
    if isinstance(exc, OSError) and exc.filename:
        return MSG_CANNOT_USE.format(path=exc.filename, why=os_reason(exc))
    return None


def os_reason(exc: OSError) -> str:
    """Say in Vietnamese why a file could not be used."""
    reasons: dict[type[OSError], str] = {
        FileNotFoundError: "không tìm thấy tệp hoặc thư mục", PermissionError: "không có quyền",
        IsADirectoryError: MSG_IS_FOLDER, NotADirectoryError: "một phần của đường dẫn không phải thư mục",
    }
    return reasons.get(type(exc), exc.strerror or type(exc).__name__)


def _is_connection_error(exc: BaseException) -> bool:
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    # asyncpg's errors (a refused password, a missing database) come from its own module.
    return type(exc).__module__.startswith("asyncpg")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else ""


def _settings_quietly() -> Settings | None:
    try:
        return Settings()
    except Exception:
        return None


def _log_traceback(exc: BaseException, settings: Settings | None) -> Path | None:
    """Write the traceback to the data folder's log file (secrets masked); return the file, or None."""
    if settings is None:
        return None
    from bot.logs import configure_logging

    root = logging.getLogger()
    if not any(isinstance(h, logging.FileHandler) for h in root.handlers):
        if configure_logging(settings.log_level, settings.secrets(), log_file=settings.log_file,
                             to_stderr=False) is None:
            return None
    log.error("command failed", exc_info=exc)
    for handler in root.handlers:
        handler.flush()
    return next((Path(h.baseFilename) for h in root.handlers if isinstance(h, logging.FileHandler)), None)
