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

from bot.app import build_bot
from bot.services import open_stores
from bot.workbook import ExcelWorkbook
from handlers.membership import MSG_ADMIN_ONLY
from handlers.reports import build_report
from storage.records import OccurrenceRecord
from tests.e2e.conftest import FakeClock, settings_for
from tests.e2e.reminder_harness import ALICE, BOB, CAROL, LOCAL, loaded, local, reminder_bot

DETAIL_HEADERS = ("Mã mục", "Mã nhiệm vụ", "Nhiệm vụ", "Cơ quan", "Hạn", "Tình trạng", "Tỷ lệ (%)",
                  "Cập nhật lần cuối", "Ghi chú", "Người cập nhật", "Quá hạn")
SUMMARY_HEADERS = ("Tổng số hạn", "Hoàn thành", "Đang thực hiện", "Vướng mắc", "Chưa trả lời", "Quá hạn")
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
    return {(row[1], row[3]): row for row in rows}


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
        assert "• II.1 Quán triệt" in text and ": 1/2 xong, 0 đang làm, 1 vướng, 0 chưa trả lời, 1 quá hạn" in text
        assert "• II.3.a" in text and "0/1 xong, 1 đang làm, 0 vướng, 0 chưa trả lời, 1 quá hạn" in text

        _, rows = detail_rows(document["content"])
        assert len(rows) == OCCURRENCES_2026  # one detail row per occurrence of the year
        rows_by = by_task_and_agency(rows)
        done = rows_by["ii-1", STP]
        assert done[0] == "II.1" and str(done[2]).startswith("Quán triệt, phổ biến")
        assert done[4] == dt.datetime(2026, 12, 14)
        assert done[5:7] == ("Hoàn thành", 100) and done[9] == "Alice" and done[10] in (None, "")
        assert isinstance(done[7], dt.datetime) and done[7].date() == dt.date(2026, 12, 20)
        blocked = rows_by["ii-1", XA]
        assert blocked[5:7] == ("Gặp vướng mắc", None)
        assert (blocked[8], blocked[9], blocked[10]) == ("chưa có kinh phí", "Carol", "Có")
        assert rows_by["ii-3a", STP][5:7] == ("Đang thực hiện", 60)
        silent = rows_by["ii-3b", STP]
        assert (silent[5], silent[6], silent[7], silent[9], silent[10]) == ("Chưa trả lời", None, None,
                                                                            None, "Có")
        summary_sheet = summary_rows(document["content"])
        assert summary_sheet[0][0] == "Báo cáo tiến độ thực hiện Kế hoạch — năm 2026"
        assert summary_sheet[4][:7] == ("Nhiệm vụ", *SUMMARY_HEADERS)
        [ii1] = [r for r in summary_sheet if str(r[0]).startswith("II.1 ")]
        assert ii1[1:7] == (2, 1, 0, 1, 0, 1)
        [stp] = [r for r in summary_sheet if r[0] == STP]
        assert stp[1:7] == (6, 1, 1, 0, 4, 5)

        # One task: the agencies' lines in the text, and a workbook of that task only.
        document, one = await bot.say(BOB, "/baocao ii-1")
        assert document["filename"] == "bao-cao-tcpl-2026-ii-1.xlsx"
        assert f"– {STP}, hạn 14/12/2026: Hoàn thành\n" in one["plain_text"]
        assert f"– {XA}, hạn 14/12/2026: Gặp vướng mắc (quá hạn) — chưa có kinh phí" in one["plain_text"]
        _, rows = detail_rows(document["content"])
        assert {(r[1], r[3]) for r in rows} == {("ii-1", STP), ("ii-1", XA)}
        [how] = await bot.say(BOB, "/baocao khong-co")
        assert how["plain_text"].startswith("Cách dùng: /baocao")


async def prepare_database(path: Path) -> None:
    """Plan the deadlines of 2026–2027 and record progress, as the running bot would."""
    settings = settings_for(f"sqlite+aiosqlite:///{path}")
    knowledge, engine, policy = loaded()
    clock = FakeClock(local(2026, 11, 20, 9, 0))
    async with open_stores(settings, knowledge.plan) as stores:
        bot = build_bot(settings, knowledge, engine, policy, stores, clock)
        assert await bot.reminders.plan_occurrences() == 2 * OCCURRENCES_2026
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
    process = await asyncio.create_subprocess_exec(
        *command, *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_command_line_reports_preview_and_trigger(tmp_path: Path) -> None:
    db = tmp_path / "tcpl.db"
    await prepare_database(db)
    triggered = tmp_path / "triggered.db"
    shutil.copyfile(db, triggered)
    event_year = dt.date.today().year + 1  # the CLI plans this year and the next, by the real clock
    xlsx, csv_file = tmp_path / "bao-cao.xlsx", tmp_path / "bao-cao.csv"

    # Four processes at once: each loads the handbook, which takes most of its time.
    results = await asyncio.gather(
        tcpl("report", "--year", "2026", "--format", "xlsx", "-o", str(xlsx), db=db, cwd=tmp_path),
        tcpl("report", "--year", "2026", "--format", "csv", "-o", str(csv_file), db=db, cwd=tmp_path),
        tcpl("reminders", "preview", "--from", "2026-11-25", "--days", "40", "--json", db=db, cwd=tmp_path),
        tcpl("task", "trigger", "ii-6", f"{event_year}-01-15", db=triggered, cwd=tmp_path),
    )
    for code, out, err in results:
        assert code == 0, err
    (_, report_out, _), _, (_, preview_out, _), (_, trigger_out, _) = results

    # The workbook: both sheets, Vietnamese headers, one detail row per occurrence of 2026.
    assert report_out.strip() == f"Đã ghi {OCCURRENCES_2026} dòng vào {xlsx}."
    _, rows = detail_rows(xlsx.read_bytes())
    rows_by = by_task_and_agency(rows)
    assert len(rows) == OCCURRENCES_2026
    assert rows_by["ii-1", STP][5:7] == ("Hoàn thành", 100) and rows_by["ii-1", STP][9] == "Alice"
    assert rows_by["ii-1", XA][5] == "Gặp vướng mắc" and rows_by["ii-1", XA][8] == "chưa có kinh phí"

    # The CSV: UTF-8 with a BOM (Excel shows the diacritics), the same headers and rows.
    raw = csv_file.read_bytes()
    assert raw.startswith("\ufeff".encode())
    header, *lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(header) == DETAIL_HEADERS
    assert len(lines) == OCCURRENCES_2026
    [stp_ii1] = [line for line in lines if line[1] == "ii-1" and line[3] == STP]
    assert stp_ii1[4:8] == ["14/12/2026", "Hoàn thành", "100", "20/11/2026 09:00"]
    assert stp_ii1[9] == "Alice"

    # The preview: one JSON object per line, local times with their offset, nothing queued or sent.
    planned = [json.loads(line) for line in preview_out.splitlines()]
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
    assert all(dt.datetime.fromisoformat(p["send_at"]).astimezone(LOCAL).strftime("%H:%M") == "08:00"
               for p in planned)
    # Sở Tư pháp reported II.1 done: no reminder of it is planned; the communes' II.1 still is.
    assert not [p for p in planned if p["task_id"] == "ii-1" and p["agency_id"] == "stp"]
    assert [p for p in planned if p["task_id"] == "ii-1" and p["agency_id"] == "ubnd-cap-xa"]

    settings = settings_for(f"sqlite+aiosqlite:///{db}")
    async with open_stores(settings, loaded()[0].plan) as stores:
        assert await stores.outbox.counts() == {"pending": 0, "sending": 0, "sent": 0, "failed": 0}

    # The event of an "after an event" task: its deadline comes 30 days later.
    assert trigger_out.strip() == "Đã ghi nhận; 1 hạn mới được tạo."
    async with open_stores(settings_for(f"sqlite+aiosqlite:///{triggered}"), loaded()[0].plan) as stores:
        ii6 = [o for o in await stores.occurrences.in_window(dt.date(2026, 1, 1), dt.date(2030, 12, 31))
               if o.task_id == "ii-6"]
        assert [(o.agency_id, o.due, o.source) for o in ii6] == [
            ("stp", dt.date(event_year, 2, 14), "event")
        ]
        assert await stores.task_dates.events() == [("ii-6", dt.date(event_year, 1, 15))]


async def test_the_workbook_opens_in_libreoffice(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: the workbook was not opened in it")
    knowledge, _, _ = loaded()
    now = local(2026, 12, 20, 9, 0).astimezone(dt.UTC)
    occurrences = [
        OccurrenceRecord(1, "ii-1", "stp", dt.date(2026, 12, 14), "local_default", "done", 100, None, now,
                         "Alice", None),
        OccurrenceRecord(2, "ii-1", "ubnd-cap-xa", dt.date(2026, 12, 14), "local_default", "blocked", None,
                         "chưa có kinh phí", now, "Carol", None),
        OccurrenceRecord(3, "ii-3b", "stp", dt.date(2026, 12, 14), "local_default", None, None, None, None,
                         None, None),
    ]
    report = build_report(knowledge.plan, occurrences, 2026, now, LOCAL)
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
