"""The command line as an administrator meets it: one clear Vietnamese line for every mistake.

Each command is run with bad arguments; each must answer with exactly one line on stderr and a
non-zero exit code, never a traceback. Most run in this process (through the same entry point as
the `tcpl` script); the failures a command cannot foresee run as real processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.__main__ import app
from bot.cli.common import run_cli

ROOT = Path(__file__).resolve().parents[2]
TCPL = str(Path(sys.executable).with_name("tcpl"))
UNKNOWN_OPTION = "--khong-co-tuy-chon"


def leaf_commands() -> list[list[str]]:
    """Return the path of every command of the `tcpl` table (e.g. ["invite", "create"])."""
    import typer.main

    paths: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, [*path, name])
        else:
            paths.append(path)

    walk(typer.main.get_command(app), [])
    return paths


# (arguments, a fragment the one line must hold)
MISTAKES = [
    (["nope"], "Không có lệnh «nope»"),
    (["ask"], "Hãy nêu câu hỏi"),
    (["ask", "--batch", "/khong/co/cau-hoi.txt"], "Không đọc được tệp câu hỏi"),
    (["handbook", "dump", "--jsn"], "Không có tùy chọn --jsn"),
    (["validate", "/khong/co"], "1 lỗi"),
    (["db", "upgrade", "thua"], "Thừa tham số: thua"),
    (["invite", "create"], "Thiếu --agency"),
    (["invite", "create", "--agency"], "Tùy chọn --agency cần một giá trị"),
    (["invite", "create", "--agency", "xyz"], "tcpl agencies list"),
    (["invite", "create", "--agency", "co-quan-lien-quan"], "không phải là một cơ quan cụ thể"),
    (["invite", "create", "--agency", "so-nganh-tinh"], "là một nhóm cơ quan"),
    (["invite", "create", "--agency", "ubnd-h-my-tu"], "đã kết thúc hoạt động"),
    (["invite", "create", "--agency", "stp", "--role", "boss"], "Vai trò phải là member hoặc admin"),
    (["questions", "--days", "-1"], "--days phải từ 1 đến"),
    (["erase", "fax", "12345", "--yes"], "Nền tảng phải là telegram, zalo hoặc console"),
    (["erase", "telegram", "12345"], "Thêm --yes để xác nhận"),
    (["questions", "--limit", "nhieu"], "Giá trị của --limit không hợp lệ"),
    (["reminders", "preview"], "Thiếu --from"),
    (["reminders", "preview", "--from", "31/02/2026"], "Ngày không hợp lệ: 31/02/2026 không có trên lịch"),
    (["reminders", "preview", "--from", "mai"], "Ngày không hợp lệ: «mai»"),
    (["reminders", "preview", "--from", "2026-12-01", "--days", "-5"], "--days phải từ 1 đến 366"),
    (["reminders", "preview", "--from", "2026-12-01", "--days", "100000"], "--days phải từ 1 đến 366"),
    (["task", "deadline", "ii-4a"], "Ghi một ngày"),
    (["plan", "new", "thua"], "Thừa tham số: thua"),
    (["agencies", "import"], "--province"),
    (["agencies", "import", "--province", "Atlantis"], "Không tìm thấy tỉnh, thành phố «Atlantis»"),
    (["agencies", "list", "--jsn"], "Không có tùy chọn --jsn"),
    (["task", "deadline", "ii-4a", "31/02/2026"], "Ngày không hợp lệ"),
    (["task", "trigger", "ii-6", "2026-02-30"], "Ngày không hợp lệ"),
    (["task", "deadline", "zz-9", "01/03/2027"], "Không có nhiệm vụ mã «zz-9»"),
    (["report"], "Thiếu --year"),
    (["web", "--port", "70000"], "--port phải từ 0 đến 65535"),
    (["report", "--year", "26"], "--year phải từ 2000 đến 2100"),
    (["report", "--year", "2026", "--format", "pdf"], "--format phải là xlsx hoặc csv"),
    (["report", "--year", "2026", "--format", "csv", "-o", "r.xlsx"], "có đuôi .xlsx nhưng định dạng là csv"),
    (["report", "--year", "2026", "-o", "/khong/co/r.xlsx"], "thư mục /khong/co không tồn tại"),
    (["report", "--year", "2026", "--task", "zz-9"], "Không có nhiệm vụ mã «zz-9»"),
    (["run", "thua"], "Thừa tham số: thua"),
    (["info", "--jsn"], "Không có tùy chọn --jsn"),
    (["health", "thua"], "Thừa tham số: thua"),
    (["web", "--port", "cong"], "Giá trị của --port không hợp lệ"),
    (["web", "link", "thua"], "Thừa tham số: thua"),
    (["documents", "add", "/khong/co/qd.docx"], "Không dùng được /khong/co/qd.docx: không tìm thấy tệp"),
    (["documents", "list", "thua"], "Thừa tham số: thua"),
    (["documents", "add", __file__], "chỉ nhận .docx, .pdf, .html hoặc .txt"),
    (["documents", "show", "khong-co"], "Không có văn bản mã «khong-co»"),
    (["documents", "remove", "khong-co"], "Không có văn bản mã «khong-co»"),
    (["handbook", "add", "--question", "Câu hỏi?"], "Thiếu --answer"),
    (["handbook", "list"], "--local"),
    (["handbook", "remove", "stp-9"], "Không có mục «stp-9»"),
]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder of the test's own, no other TCPL_ setting, and a working folder without .env."""
    for name in [n for n in os.environ if n.startswith("TCPL_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TCPL_DATA_DIR", str(tmp_path / "data"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    yield tmp_path / "data"


def tcpl_here(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command line in this process, as the `tcpl` script does; return code, stdout, stderr."""
    capsys.readouterr()
    code = run_cli(app, list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line(code: int, err: str, fragment: str = "") -> None:
    assert code != 0
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "Error" not in err, err
    assert fragment in lines[0], lines[0]


@pytest.mark.parametrize("path", leaf_commands(), ids=" ".join)
def test_every_command_refuses_an_unknown_option_in_one_line(path, data_dir, capsys):
    code, _, err = tcpl_here(capsys, *path, UNKNOWN_OPTION)
    assert_one_line(code, err, f"Không có tùy chọn {UNKNOWN_OPTION}.")
    assert f"«tcpl {' '.join(path)} --help»" in err  # and says where the usage is


@pytest.mark.parametrize(("args", "fragment"), MISTAKES, ids=[" ".join(args) for args, _ in MISTAKES])
def test_each_mistake_is_named_in_one_line(args, fragment, data_dir, capsys):
    code, _, err = tcpl_here(capsys, *args)
    assert_one_line(code, err, fragment)


def test_the_mistakes_cover_every_command():
    tried = {" ".join(args[:2]) for args, _ in MISTAKES} | {" ".join(args[:1]) for args, _ in MISTAKES}
    for path in leaf_commands():
        assert " ".join(path) in tried, f"no bad-argument case for tcpl {' '.join(path)}"


def test_the_report_format_follows_format_and_the_name_follows_o(data_dir, capsys):
    code, out, err = tcpl_here(capsys, "report", "--year", "2026", "--format", "csv")
    assert code == 0, err
    written = Path("bao-cao-tcpl-2026.csv")
    assert written.read_bytes().startswith("\ufeff".encode())  # a CSV, named as one
    assert f"vào {written}" in out
    code, _, err = tcpl_here(capsys, "report", "--year", "2026", "-o", "tong-hop.csv")
    assert code == 0, err
    assert Path("tong-hop.csv").read_bytes().startswith("\ufeff".encode())  # the name chose the format
    code, _, err = tcpl_here(capsys, "report", "--year", "2026")
    assert code == 0, err
    assert Path("bao-cao-tcpl-2026.xlsx").read_bytes().startswith(b"PK")  # a workbook by default


def test_a_group_without_its_subcommand_shows_what_it_offers(data_dir, capsys):
    code, out, _ = tcpl_here(capsys, "invite")
    assert code == 0 and "create" in out


# -- as real processes -----------------------------------------------------------------------------


def tcpl(*args: str, data_dir: Path, cwd: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TCPL_")}
    env.update(TCPL_DATA_DIR=str(data_dir), **settings)
    return subprocess.run([TCPL, *args], env=env, cwd=cwd, capture_output=True, text=True, encoding="utf-8",
                          timeout=60, check=False)


def test_a_database_out_of_reach_is_one_line_and_its_password_is_never_shown(tmp_path):
    password = "mat-khau-rat-bi-mat"
    out = tcpl("invite", "create", "--agency", "stp", data_dir=tmp_path / "data", cwd=tmp_path,
               TCPL_DATABASE_URL=f"postgresql+asyncpg://tcpl:{password}@127.0.0.1:1/tcpl")
    assert_one_line(out.returncode, out.stderr, "Không mở được cơ sở dữ liệu postgresql+asyncpg://tcpl:***@")
    assert password not in out.stderr + out.stdout
    log_file = tmp_path / "data" / "logs" / "tcpl.log"
    assert str(log_file) in out.stderr  # the details are kept, where the line says
    logged = log_file.read_text(encoding="utf-8")
    assert "Traceback" in logged and password not in logged


def test_an_unwritable_report_file_is_one_line(tmp_path):
    out = tcpl("report", "--year", "2026", "-o", "/khong/co/r.xlsx", data_dir=tmp_path / "data", cwd=tmp_path)
    assert_one_line(out.returncode, out.stderr, "Không ghi được tệp /khong/co/r.xlsx")


def test_info_says_where_the_data_lives_and_never_a_secret(tmp_path):
    secrets = {"TCPL_TELEGRAM_TOKEN": "123456:telegram-token-secret", "TCPL_WEBHOOK_SECRET": "webhook-secret",
               "TCPL_ZALO_TOKEN": "zalo-token-secret", "TCPL_ZALO_WEBHOOK_SECRET": "zalo-webhook-secret",
               "TCPL_DATABASE_URL": "postgresql+asyncpg://tcpl:db-password-secret@db:5432/tcpl"}
    out = tcpl("info", data_dir=tmp_path / "data", cwd=tmp_path, TCPL_WEBHOOK_URL="https://bot.example/telegram",
               TCPL_ZALO_WEBHOOK_URL="https://bot.example/zalo", TCPL_WEBHOOK_PORT="8443",
               TCPL_ZALO_WEBHOOK_PORT="8444", **secrets)
    assert out.returncode == 0, out.stderr
    assert str(tmp_path / "data") in out.stdout and "tcpl:***@db:5432/tcpl" in out.stdout
    assert "https://bot.example/telegram" in out.stdout and "https://bot.example/zalo" in out.stdout
    assert str(ROOT / "knowledge" / "handbook") in out.stdout
    for secret in ("telegram-token-secret", "webhook-secret", "zalo-token-secret", "db-password-secret"):
        assert secret not in out.stdout + out.stderr
    default = tcpl("info", data_dir=tmp_path / "data", cwd=tmp_path)
    assert f"sqlite+aiosqlite:///{tmp_path / 'data' / 'tcpl.db'}" in default.stdout
    assert "chưa có" in default.stdout  # no platform: the console chat


def test_erase_deletes_a_persons_questions_for_the_department(data_dir, capsys):
    import asyncio
    import datetime as dt

    from bot.config import Settings
    from bot.services import open_stores
    from bot.wiring import load_checked

    settings = Settings(_env_file=None)
    knowledge, _ = load_checked(settings)

    async def ask() -> None:
        async with open_stores(settings, knowledge.plans) as stores:
            now = dt.datetime.now(dt.UTC)
            await stores.questions.record("zalo", "777", "Giá vàng hôm nay?", False, None, 0.0, now)
            await stores.questions.record("zalo", "778", "Giá lúa hôm nay?", False, None, 0.0, now)

    asyncio.run(ask())
    code, out, err = tcpl_here(capsys, "erase", "zalo", "777", "--yes")
    assert code == 0, err
    assert out.strip() == "Đã xóa 1 câu hỏi (người này chưa đăng ký) của zalo:777."
    code, out, _ = tcpl_here(capsys, "questions")
    assert "giá lúa hôm nay?" in out and "giá vàng" not in out
