"""Reports for the Department of Justice: /baocao in chat, the workbook, and the administrators' CLI."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import os
import shutil
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from bot.__main__ import app
from bot.app import build_bot
from bot.services import open_stores
from bot.workbook import ExcelWorkbook
from handlers.membership import MSG_ADMIN_ONLY
from handlers.reports import build_report
from storage.records import OccurrenceRecord
from tests.e2e.conftest import FakeClock, settings_for
from tests.e2e.reminder_harness import ALICE, BOB, CAROL, LOCAL, loaded, local, reminder_bot
from tests.plans import TEST_PLAN_ID, in_force_plan

DETAIL_HEADERS = ("Kế hoạch", "Mã mục", "Mã nhiệm vụ", "Nhiệm vụ", "Cơ quan", "Hạn", "Tình trạng",
                  "Tỷ lệ (%)", "Cập nhật lần cuối", "Ghi chú", "Người cập nhật", "Quá hạn")
SUMMARY_HEADERS = ("Tổng số hạn", "Hoàn thành", "Đang thực hiện", "Vướng mắc", "Chưa bắt đầu", "Chưa trả lời",
                   "Quá hạn")
STP = "Sở Tư pháp"
XA = "Ủy ban nhân dân cấp xã (xã, phường, thị trấn)"
OCCURRENCES_2026 = 13  # 6 yearly tasks of Sở Tư pháp, II.1 and II.5 of the communes, III.3 × 5 agencies


def detail_rows(content: bytes) -> tuple[list[str], list[tuple[object, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Tổng hợp", "Chi tiết"]
    header, *rows = book["Chi tiết"].iter_rows(values_only=True)
    assert header == DETAIL_HEADERS
    return book.sheetnames, rows


def summary_rows(content: bytes) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return list(book["Tổng hợp"].iter_rows(values_only=True))


def by_task_and_agency(rows: list[tuple[object, ...]]) -> dict[tuple[object, object], tuple[object, ...]]:
    return {(row[2], row[4]): row for row in rows}


async def test_baocao_sends_a_summary_and_a_workbook_to_administrators_only(tmp_path: Path) -> None:
    async with reminder_bot(tmp_path / "bot.db", FakeClock()) as bot:
        await bot.register(ALICE, "stp", name="Alice")
        await bot.register(BOB, "stp", "admin", name="Bob")
        await bot.register(CAROL, "ubnd-cap-xa", name="Carol")
        bot.clock.set(local(2026, 12, 20, 9, 0))  # after the yearly deadline of 14/12
        await bot.say(ALICE, "/capnhat ii-1 xong")
        await bot.say(ALICE, "/capnhat ii-3a dang 60%")
        await bot.say(CAROL, "/capnhat ii-1 vuong chưa có kinh phí")

        [refused] = await bot.say(ALICE, "/baocao")
        assert refused["plain_text"] == MSG_ADMIN_ONLY
        assert not [r for r in bot.api.sent_messages(ALICE) if r["method"] == "sendDocument"]

        document, summary = await bot.say(BOB, "/baocao")
        assert document["method"] == "sendDocument" and document["filename"] == "bao-cao-tcpl-2026.xlsx"
        assert summary["method"] == "sendMessage"
        text = summary["plain_text"]
        assert text.startswith("Báo cáo tiến độ năm 2026")
        lines = {line.split(" ", 2)[1]: line for line in text.splitlines() if line.startswith("• ")}
        assert lines["II.1"].startswith("• II.1 Quán triệt, phổ biến")
        assert lines["II.1"].endswith(": 1/2 xong, 0 đang làm, 1 vướng, 0 chưa bắt đầu, 0 chưa trả lời, "
                                      "1 quá hạn")
        assert lines["II.3.a"].endswith(": 0/1 xong, 1 đang làm, 0 vướng, 0 chưa bắt đầu, 0 chưa trả lời, "
                                        "1 quá hạn")
        assert lines["II.3.b"].endswith(": 0/1 xong, 0 đang làm, 0 vướng, 0 chưa bắt đầu, 1 chưa trả lời, "
                                        "1 quá hạn")

        _, rows = detail_rows(document["content"])
        assert len(rows) == OCCURRENCES_2026  # one detail row per occurrence of the year
        rows_by = by_task_and_agency(rows)
        done = rows_by["ii-1", STP]
        assert done[0] == TEST_PLAN_ID and done[1] == "II.1"
        assert str(done[3]).startswith("Quán triệt, phổ biến")
        assert done[5] == dt.datetime(2026, 12, 14)
        assert done[6:8] == ("Hoàn thành", 100) and done[10] == "Alice" and done[11] in (None, "")
        assert isinstance(done[8], dt.datetime) and done[8].date() == dt.date(2026, 12, 20)
        blocked = rows_by["ii-1", XA]
        assert blocked[6:8] == ("Gặp vướng mắc", None)
        assert (blocked[9], blocked[10], blocked[11]) == ("chưa có kinh phí", "Carol", "Có")
        assert rows_by["ii-3a", STP][6:8] == ("Đang thực hiện", 60)
        silent = rows_by["ii-3b", STP]
        assert (silent[6], silent[7], silent[8], silent[10], silent[11]) == ("Chưa trả lời", None, None,
                                                                             None, "Có")
        summary_sheet = summary_rows(document["content"])
        assert summary_sheet[0][0] == "Báo cáo tiến độ thực hiện Kế hoạch — năm 2026"
        assert summary_sheet[4][:8] == ("Nhiệm vụ", *SUMMARY_HEADERS)
        [ii1] = [r for r in summary_sheet if str(r[0]).startswith("II.1 ")]
        assert ii1[1:8] == (2, 1, 0, 1, 0, 0, 1)
        [stp] = [r for r in summary_sheet if r[0] == STP]
        assert stp[1:8] == (6, 1, 1, 0, 0, 4, 5)

        # One task: the agencies' lines in the text, and a workbook of that task only.
        document, one = await bot.say(BOB, "/baocao ii-1")
        assert document["filename"] == "bao-cao-tcpl-2026-ii-1.xlsx"
        assert f"– {STP}, hạn 14/12/2026: Hoàn thành\n" in one["plain_text"]
        assert f"– {XA}, hạn 14/12/2026: Gặp vướng mắc (quá hạn) — chưa có kinh phí" in one["plain_text"]
        _, rows = detail_rows(document["content"])
        assert {(r[2], r[4]) for r in rows} == {("ii-1", STP), ("ii-1", XA)}
        # The code as shown on screen works too; an unknown one gets the closest codes.
        document, shown = await bot.say(BOB, "/baocao II 1")
        assert document["filename"] == "bao-cao-tcpl-2026-ii-1.xlsx"
        assert shown["plain_text"] == one["plain_text"]
        [unknown] = await bot.say(BOB, "/baocao II.3.k")
        assert "Không có nhiệm vụ mã «II.3.k»" in unknown["plain_text"] and "II.3.a" in unknown["plain_text"]
        [how] = await bot.say(BOB, "/baocao ii-1 xong")
        assert how["plain_text"].startswith("Cách dùng: /baocao")


async def prepare_database(path: Path) -> None:
    """Plan the deadlines of 2026–2027 and record progress, as the running bot would."""
    settings = settings_for(f"sqlite+aiosqlite:///{path}")
    knowledge, engine, policy = loaded()
    clock = FakeClock(local(2026, 11, 20, 9, 0))
    async with open_stores(settings, knowledge.plans) as stores:
        bot = build_bot(settings, knowledge, engine, policy, stores, clock)
        assert (await bot.reminders.plan_occurrences()).added == 2 * OCCURRENCES_2026
        alice = await stores.members.upsert("telegram", "2001", "2001", "Alice", "stp", "member", clock.now())
        carol = await stores.members.upsert("telegram", "2003", "2003", "Carol", "ubnd-cap-xa", "member",
                                            clock.now())
        occs = {(o.task_id, o.agency_id): o.id for o in await stores.occurrences.for_year(2026)}
        record = stores.occurrences.record_progress
        await record(occs["ii-1", "stp"], alice.id, "done", 100, None, clock.now())
        await record(occs["ii-1", "ubnd-cap-xa"], carol.id, "blocked", None, "chưa có kinh phí", clock.now())
        await record(occs["ii-3a", "stp"], alice.id, "in_progress", 60, None, clock.now())


async def tcpl(*args: str, db: Path, cwd: Path) -> tuple[int, str, str]:
    """Run the tcpl command line as a separate process on a database file."""
    script = Path(sys.executable).parent / "tcpl"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TCPL_")}
    env["TCPL_DATABASE_URL"] = f"sqlite+aiosqlite:///{db}"
    env["TCPL_PLAN_PATH"] = str(in_force_plan())
    process = await asyncio.create_subprocess_exec(
        *command, *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_command_line_writes_the_workbook_and_the_csv(tmp_path: Path) -> None:
    db = tmp_path / "tcpl.db"
    await prepare_database(db)
    xlsx, csv_file = tmp_path / "bao-cao.xlsx", tmp_path / "bao-cao.csv"
    # Both at once: each process spends most of its time loading the handbook.
    results = await asyncio.gather(
        tcpl("report", "--year", "2026", "--format", "xlsx", "-o", str(xlsx), db=db, cwd=tmp_path),
        tcpl("report", "--year", "2026", "--format", "csv", "-o", str(csv_file), db=db, cwd=tmp_path),
    )
    for code, _, err in results:
        assert code == 0, err
    assert results[0][1].strip() == f"Đã ghi {OCCURRENCES_2026} dòng vào {xlsx}."

    # The workbook: both sheets, Vietnamese headers, one detail row per occurrence of 2026.
    _, rows = detail_rows(xlsx.read_bytes())
    rows_by = by_task_and_agency(rows)
    assert len(rows) == OCCURRENCES_2026
    assert rows_by["ii-1", STP][6:8] == ("Hoàn thành", 100) and rows_by["ii-1", STP][10] == "Alice"
    assert rows_by["ii-1", XA][6] == "Gặp vướng mắc" and rows_by["ii-1", XA][9] == "chưa có kinh phí"

    # The CSV: UTF-8 with a BOM (Excel shows the diacritics), the same headers and rows.
    raw = csv_file.read_bytes()
    assert raw.startswith("\ufeff".encode())
    header, *lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(header) == DETAIL_HEADERS
    assert len(lines) == OCCURRENCES_2026
    [stp_ii1] = [line for line in lines if line[2] == "ii-1" and line[4] == STP]
    assert stp_ii1[5:9] == ["14/12/2026", "Hoàn thành", "100", "20/11/2026 09:00"]
    assert stp_ii1[10] == "Alice"
    [xa_ii1] = [line for line in lines if line[2] == "ii-1" and line[4] == XA]
    assert xa_ii1[6:11] == ["Gặp vướng mắc", "", "20/11/2026 09:00", "chưa có kinh phí", "Carol"]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """Run the tcpl command line in this process, with the knowledge this session loaded already."""
    for name in [n for n in os.environ if n.startswith("TCPL_")]:
        monkeypatch.delenv(name)
    monkeypatch.setattr("bot.cli.common.load_all", lambda settings: loaded())
    return CliRunner()


def test_reminders_preview_lists_what_would_be_sent_and_sends_nothing(tmp_path: Path, cli: CliRunner) -> None:
    db = tmp_path / "tcpl.db"
    asyncio.run(prepare_database(db))
    env = {"TCPL_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    result = cli.invoke(app, ["reminders", "preview", "--from", "2026-11-25", "--days", "40", "--json"],
                        env=env)
    assert result.exit_code == 0, result.output

    # A JSON array, local times with their offset.
    planned = json.loads(result.stdout)
    assert planned and all(set(p) >= {"send_at", "agency_id", "task_id", "due", "kind"} for p in planned)
    assert all(p["send_at"].endswith("+07:00") for p in planned)
    ii3b = [(p["send_at"], p["kind"]) for p in planned if p["task_id"] == "ii-3b" and p["agency_id"] == "stp"]
    assert ii3b == [
        ("2026-11-30T08:00:00+07:00", "before"),
        ("2026-12-11T08:00:00+07:00", "before"),
        ("2026-12-14T08:00:00+07:00", "on_the_day"),
        ("2026-12-17T08:00:00+07:00", "overdue"),
        ("2026-12-22T08:00:00+07:00", "overdue"),
        ("2026-12-25T08:00:00+07:00", "overdue"),
        ("2026-12-30T08:00:00+07:00", "escalation"),
    ]
    assert {p["due"] for p in planned} == {"2026-12-14"}
    assert {dt.datetime.fromisoformat(p["send_at"]).strftime("%H:%M") for p in planned} == {"08:00"}
    # Sở Tư pháp reported II.1 done: no reminder of it is planned; the communes' II.1 still is.
    assert not [p for p in planned if p["task_id"] == "ii-1" and p["agency_id"] == "stp"]
    assert [p for p in planned if p["task_id"] == "ii-1" and p["agency_id"] == "ubnd-cap-xa"]

    # The readable form says the same in Vietnamese, and nothing was queued.
    text = cli.invoke(app, ["reminders", "preview", "--from", "2026-11-25", "--days", "40"], env=env)
    assert text.exit_code == 0, text.output
    assert "30/11/2026 08:00  trước hạn" in text.stdout and "báo quản trị viên" in text.stdout
    assert text.stdout.strip().endswith(f"{len(planned)} tin sẽ được gửi trong 40 ngày từ 25/11/2026.")
    assert asyncio.run(outbox_counts(db)) == {"pending": 0, "sending": 0, "sent": 0, "failed": 0}


async def outbox_counts(db: Path) -> dict[str, int]:
    async with open_stores(settings_for(f"sqlite+aiosqlite:///{db}"), loaded()[0].plans) as stores:
        return await stores.outbox.counts()


async def ii6_deadlines(db: Path) -> tuple[list[tuple[str, dt.date, str]], list[tuple[str, dt.date]]]:
    async with open_stores(settings_for(f"sqlite+aiosqlite:///{db}"), loaded()[0].plans) as stores:
        occs = await stores.occurrences.in_window(dt.date(2026, 1, 1), dt.date(2030, 12, 31))
        return ([(o.agency_id, o.due, o.source) for o in occs if o.task_id == "ii-6"],
                [(e.task_id, e.day) for e in await stores.task_dates.events()])


def test_task_trigger_creates_the_deadline_of_an_after_event_task(tmp_path: Path, cli: CliRunner) -> None:
    db = tmp_path / "tcpl.db"
    asyncio.run(prepare_database(db))
    env = {"TCPL_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    event_year = dt.date.today().year + 1  # the CLI plans this year and the next, by the real clock
    result = cli.invoke(app, ["task", "trigger", "II.6", f"{event_year}-01-15"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (f"Đã ghi nhận 15/01/{event_year} cho nhiệm vụ II.6; "
                                     "1 hạn mới, 0 hạn đổi ngày.")
    # Due 30 days after the event (after_event_days), for the lead agency, marked as event-based.
    assert asyncio.run(ii6_deadlines(db)) == (
        [("stp", dt.date(event_year, 2, 14), "event")], [("ii-6", dt.date(event_year, 1, 15))]
    )
    again = cli.invoke(app, ["task", "trigger", "ii-6", f"{event_year}-01-15"], env=env)
    assert again.stdout.strip().endswith("0 hạn mới, 0 hạn đổi ngày.")  # idempotent
    # A second, different day corrects the event: still one deadline, moved.
    moved = cli.invoke(app, ["task", "trigger", "ii 6", f"{event_year}-01-20"], env=env)
    assert moved.exit_code == 0 and f"(thay cho 15/01/{event_year})" in moved.stdout
    assert asyncio.run(ii6_deadlines(db))[0] == [("stp", dt.date(event_year, 2, 19), "event")]
    unknown = cli.invoke(app, ["task", "trigger", "ii-99", f"{event_year}-01-15"], env=env)
    assert unknown.exit_code == 2
    # A task that waits for no event, and an absurd day, are refused; nothing changes.
    assert cli.invoke(app, ["task", "trigger", "ii-1", f"{event_year}-01-15"], env=env).exit_code == 2
    absurd = cli.invoke(app, ["task", "trigger", "ii-6", "9999-12-31"], env=env)
    assert absurd.exit_code == 2 and "không hợp lý" in absurd.output
    removed = cli.invoke(app, ["task", "trigger", "ii-6", "--clear"], env=env)
    assert removed.exit_code == 0 and asyncio.run(ii6_deadlines(db)) == ([], [])


async def test_the_workbook_opens_in_libreoffice(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: the workbook was not opened in it")
    knowledge, _, _ = loaded()
    now = local(2026, 12, 20, 9, 0).astimezone(dt.UTC)
    due = dt.date(2026, 12, 14)
    occurrences = [
        OccurrenceRecord(1, TEST_PLAN_ID, "ii-1", "stp", "2026", due, "local_default", "done", 100, None, now,
                         "Alice", None),
        OccurrenceRecord(2, TEST_PLAN_ID, "ii-1", "ubnd-cap-xa", "2026", due, "local_default", "blocked",
                         None, "chưa có kinh phí", now, "Carol", None),
        OccurrenceRecord(3, TEST_PLAN_ID, "ii-3b", "stp", "2026", due, "local_default", None, None, None,
                         None, None, None),
    ]
    report = build_report(knowledge.plans, occurrences, 2026, now, LOCAL)
    workbook = tmp_path / "bao-cao.xlsx"
    workbook.write_bytes(ExcelWorkbook().workbook(report, LOCAL))
    process = await asyncio.create_subprocess_exec(
        soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--convert-to", "pdf",
        "--outdir", str(tmp_path), str(workbook),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    pdf = tmp_path / "bao-cao.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
