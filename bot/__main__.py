"""The command table of `tcpl`; each group of commands lives in its own module of `bot/cli/`."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from bot.cli import agencies, answers, documents, members, serve, status, tracking, web
from bot.cli.common import run_cli

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="tcpl-bot: chuẩn tiếp cận pháp luật.")

app.command()(serve.run)
app.command()(status.info)
app.command()(status.health)
app.command()(answers.ask)
app.command()(answers.validate)
app.add_typer(answers.handbook_app, name="handbook")
answers.handbook_app.command("add")(documents.handbook_add)
answers.handbook_app.command("list")(documents.handbook_list)
answers.handbook_app.command("remove")(documents.handbook_remove)
app.add_typer(documents.documents_app, name="documents")
app.add_typer(members.db_app, name="db")
app.add_typer(members.invite_app, name="invite")
app.command()(members.questions)
app.command()(members.erase)
app.add_typer(tracking.reminders_app, name="reminders")
app.add_typer(tracking.task_app, name="task")
app.command()(tracking.report)
app.add_typer(tracking.plan_app, name="plan")
app.add_typer(agencies.agencies_app, name="agencies")
app.add_typer(web.web_app, name="web")


def main(args: Sequence[str] | None = None) -> None:
    """Run the command line; every error is one line on stderr and a non-zero exit code."""
    sys.exit(run_cli(app, args))


if __name__ == "__main__":
    main()
