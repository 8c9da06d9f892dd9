"""The console chat in a real terminal (a pseudo-terminal), typed into as a person would.

Also: one database wherever a command runs — an invite made from another folder works in the bot
started from the repository, with nothing but the defaults.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from bot.console import MSG_GOODBYE, MSG_HOW_TO_LEAVE, PROMPT
from bot.render import MSG_NO_SUCH_CHOICE
from tests.plans import in_force_plan

ROOT = Path(__file__).resolve().parents[2]
TCPL = str(Path(sys.executable).with_name("tcpl"))
STARTUP = 60  # seconds: loading the handbook and creating the database on a busy machine
LOG_MARKS = ("INFO", "WARNING", "alembic", "Running upgrade", "Traceback", "database:")


def environment(tmp_path: Path) -> dict[str, str]:
    """No TCPL_ setting at all: the platform's data folder, moved under tmp_path by XDG_DATA_HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TCPL_")}
    env.update(XDG_DATA_HOME=str(tmp_path / "xdg"), LC_ALL="C.UTF-8", TERM="dumb")
    # The plan in force goes where a Department puts its own: the data folder's plans/ (the shipped
    # plan ended on 01/07/2025, and so did its agencies).
    plans = tmp_path / "xdg" / "tcpl-bot" / "plans"
    plans.mkdir(parents=True)
    shutil.copy(in_force_plan(), plans)
    return env


def invite_code(env: dict[str, str], cwd: Path, agency: str = "stp", role: str = "admin") -> str:
    out = subprocess.run([TCPL, "invite", "create", "--agency", agency, "--role", role], env=env, cwd=cwd,
                         capture_output=True, text=True, encoding="utf-8", timeout=STARTUP, check=True)
    return out.stdout.strip().splitlines()[-1]


@pytest.fixture
def no_env_file_in_the_repository() -> None:
    if (ROOT / ".env").exists():
        pytest.skip("the repository holds a .env file, which tcpl run started there would read")


class Terminal:
    """A person at a terminal running `tcpl run`: types lines, reads the screen up to the next prompt."""

    def __init__(self, env: dict[str, str], cwd: Path):
        self.screen = io.StringIO()
        self.child = pexpect.spawn(TCPL, ["run"], env=env, cwd=str(cwd), encoding="utf-8",
                                   timeout=STARTUP, dimensions=(60, 200))
        self.child.logfile_read = self.screen

    def until_prompt(self) -> str:
        self.child.expect_exact("\r\n" + PROMPT)  # at the start of a line ("<câu hỏi> —" is no prompt)
        return str(self.child.before)

    def type(self, line: str) -> str:
        """Type a line and Enter; return what the bot printed before its next prompt."""
        self.child.sendline(line)
        self.child.expect_exact(line)  # the terminal's echo of what was typed
        return self.until_prompt()

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)


@pytest.fixture
def terminal(tmp_path: Path, no_env_file_in_the_repository: None):
    env = environment(tmp_path)
    started = Terminal(env, ROOT)
    try:
        yield started, env
    finally:
        started.close()


def test_help_follows_the_role_no_log_line_shows_and_ctrl_c_leaves(terminal, tmp_path):
    term, env = terminal
    greeting = term.until_prompt()
    assert "Xin chào" in greeting and "/hoi" in greeting and MSG_HOW_TO_LEAVE in greeting

    for_anyone = term.type("/help")
    assert "/dangky" in for_anyone and "/tieuchi" in for_anyone
    assert "/nhiemvu" not in for_anyone and "/baocao" not in for_anyone and "/moi " not in for_anyone
    assert MSG_HOW_TO_LEAVE in for_anyone

    # The administrator's code is made from another folder, as an IT administrator would.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    registered = term.type(f"/dangky {invite_code(env, elsewhere)}")
    assert "Đăng ký thành công" in registered and "quản trị viên" in registered

    for_admin = term.type("/help")
    for command in ("/baocao", "/moi", "/hanchot", "/nhiemvu", "/capnhat", "/tieuchi"):
        assert command in for_admin, command

    menu = term.type("/tieuchi")
    count = sum(1 for line in menu.splitlines() if line[:1].isdigit() and ". " in line)
    assert count >= 2
    assert MSG_NO_SUCH_CHOICE.format(n=99, count=count) in term.type("99")

    term.child.sendcontrol("c")
    term.child.expect_exact(MSG_GOODBYE)
    term.child.expect(pexpect.EOF)
    term.child.close()
    assert term.child.exitstatus == 0, term.screen.getvalue()[-2000:]

    screen = term.screen.getvalue()
    for mark in LOG_MARKS:
        assert mark not in screen, mark
    log_file = tmp_path / "xdg" / "tcpl-bot" / "logs" / "tcpl.log"
    assert "alembic" in log_file.read_text(encoding="utf-8")  # the library's lines went here instead
    assert list(elsewhere.iterdir()) == []  # the invite did not create a database where it ran


def test_ctrl_d_leaves_too(terminal):
    term, _ = terminal
    term.until_prompt()
    term.child.sendeof()
    term.child.expect_exact(MSG_GOODBYE)
    term.child.expect(pexpect.EOF)
    term.child.close()
    assert term.child.exitstatus == 0


def test_an_invite_made_in_another_folder_works_in_the_bot_started_from_the_repository(
        tmp_path, no_env_file_in_the_repository):
    env = environment(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = invite_code(env, elsewhere, "cong-an-tinh", "member")
    out = subprocess.run([TCPL, "run"], env=env, cwd=ROOT, input=f"/dangky {code}\n/toi\n",
                         capture_output=True, text=True, encoding="utf-8", timeout=STARTUP, check=False)
    assert out.returncode == 0, out.stderr
    assert "Đăng ký thành công" in out.stdout and "cong-an-tinh" in out.stdout
    assert list(elsewhere.iterdir()) == []
    assert (tmp_path / "xdg" / "tcpl-bot" / "tcpl.db").exists()
    assert not (ROOT / "tcpl.db").exists() and not (ROOT / "data").exists()
