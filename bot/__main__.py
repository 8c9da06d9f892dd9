"""The command table of `tcpl`; each group of commands lives in its own module of `bot/cli/`."""

from __future__ import annotations

import typer

from bot.cli import answers, members, serve, tracking

app = typer.Typer(add_completion=False, no_args_is_help=True, help="tcpl-bot: chuẩn tiếp cận pháp luật.")

app.command()(serve.run)
app.command()(answers.ask)
app.command()(answers.validate)
app.add_typer(answers.handbook_app, name="handbook")
app.add_typer(members.db_app, name="db")
app.add_typer(members.invite_app, name="invite")
app.command()(members.questions)
app.add_typer(tracking.reminders_app, name="reminders")
app.add_typer(tracking.task_app, name="task")
app.command()(tracking.report)


MSG_NO_DATABASE = "Không mở được cơ sở dữ liệu {problem}"


def main() -> None:
    """Run the command line; a database that cannot be opened or written is one clear line."""
    from storage.db import DatabaseUnavailable

    try:
        app()
    except DatabaseUnavailable as exc:
        typer.echo(MSG_NO_DATABASE.format(problem=exc), err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
