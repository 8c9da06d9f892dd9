"""Plans that end, several plans, every commune on its own — through the real command line and console."""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from bot.__main__ import app
from bot.config import Settings
from bot.wiring import load_all
from tests.plans import in_force_plan, write_plan, yearly

TCPL = Path(sys.executable).with_name("tcpl")
TIMEOUT = 60
COMMUNE_PLAN = "kh-xa-kiem-thu"


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def environment(tmp_path: Path, plans: str | None) -> dict[str, str]:
    env = {"TCPL_DATA_DIR": str(tmp_path / "data"),
           "TCPL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    if plans is not None:
        env["TCPL_PLAN_PATH"] = plans
    return env


def tcpl_process(tmp_path: Path, *args: str, plans: str | None = None, stdin: str | None = None) -> Ran:
    """Run tcpl as a process, as an operator does (for `tcpl run`, which reads its standard input)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TCPL_")} | environment(tmp_path, plans)
    out = subprocess.run([str(TCPL), *args], env=env, cwd=tmp_path, input=stdin, capture_output=True,
                         text=True, encoding="utf-8", timeout=TIMEOUT, check=False)
    return Ran(out.returncode, out.stdout, out.stderr)


@functools.cache
def _loaded(plan_path: str):  # type: ignore[no-untyped-def]
    return load_all(Settings(plan_path=plan_path, _env_file=None))


@pytest.fixture
def tcpl(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run the tcpl command line in this process, loading each set of plans (and the handbook) once."""
    for name in [n for n in os.environ if n.startswith("TCPL_")]:
        monkeypatch.delenv(name)
    monkeypatch.setattr("bot.cli.common.load_all", lambda settings: _loaded(settings.plan_path))
    runner = CliRunner()

    def run(tmp_path: Path, *args: str, plans: str | None = None) -> Ran:
        result = runner.invoke(app, list(args), env=environment(tmp_path, plans))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Ran(result.exit_code, result.stdout, result.stderr)

    return run


def test_with_the_shipped_plan_only_nothing_is_reminded_after_it_ended(tmp_path, tcpl):
    after = tcpl(tmp_path, "reminders", "preview", "--from", "2026-12-01", "--days", "31", "--json")
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout) == []
    plain = tcpl(tmp_path, "reminders", "preview", "--from", "2026-12-01", "--days", "31")
    assert "đã hết hiệu lực từ 01/07/2025" in plain.stdout and "TCPL_PLAN_PATH" in plain.stdout
    # Its past years still remind as they did then.
    before = json.loads(tcpl(tmp_path, "reminders", "preview", "--from", "2024-11-15", "--days", "45",
                             "--json").stdout)
    assert before and {r["due"] for r in before} == {"2024-12-14"}
    assert {r["plan_id"] for r in before} == {"kh-soc-trang-qd25"}


def test_with_the_shipped_plan_only_the_departments_first_administrator_is_still_invited(tmp_path, tcpl):
    invite = tcpl(tmp_path, "invite", "create", "--agency", "stp", "--role", "admin")
    assert invite.returncode == 0, invite.stderr
    code = invite.stdout.strip().splitlines()[-1]
    listed = {a["id"]: a for a in json.loads(tcpl(tmp_path, "agencies", "list", "--json").stdout)}
    assert listed["stp"]["ended_on"] is None and listed["stc"]["ended_on"] == "2025-07-01"
    out = tcpl_process(tmp_path, "run", stdin=f"/dangky {code}\n/moi stc\n/chuatraloi\n/nhiemvu\n")
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Đăng ký thành công. Bạn là quản trị viên của Sở Tư pháp." in out.stdout
    assert "«Sở Tài chính» đã kết thúc hoạt động từ 01/07/2025" in out.stdout  # the others stay ended
    assert "Chỉ quản trị viên của Sở Tư pháp" not in out.stdout
    # The Department did not end with its plan: /nhiemvu says what is missing, the plan in force.
    assert "Sở Tư pháp đã kết thúc" not in out.stdout
    tasks = out.stdout[out.stdout.index("Nhiệm vụ của Sở Tư pháp"):]
    assert "Hiện chưa có kế hoạch nào đang có hiệu lực" in tasks
    assert "/capnhat" not in tasks  # nothing to report on: no hint to report


@pytest.fixture
def commune_plans(tmp_path: Path) -> str:
    """The test plan in force, and a second plan whose tasks the commune-level group leads."""
    write_plan(tmp_path / "plans", COMMUNE_PLAN, [yearly("ii-1", "II.1", ["ubnd-cap-xa"]),
                                                  yearly("ii-2", "II.2", ["stp"])], area_code="92")
    return f"{in_force_plan()}{os.pathsep}{tmp_path / 'plans'}"


def test_every_commune_of_can_tho_is_an_agency_with_its_own_deadlines(tmp_path, commune_plans, tcpl):
    first = tcpl(tmp_path, "agencies", "import", "--province", "Can Tho", plans=commune_plans)
    assert first.returncode == 0, first.stderr
    assert "103 đơn vị cấp xã; 103 mới" in first.stdout
    again = tcpl(tmp_path, "agencies", "import", "--province", "92", plans=commune_plans)
    assert "0 mới, 0 cập nhật, 103 không đổi" in again.stdout  # idempotent

    listed = json.loads(tcpl(tmp_path, "agencies", "list", "--json", plans=commune_plans).stdout)
    communes = [a for a in listed if a["source"] == "import"]
    assert len(communes) == 103 and {a["level"] for a in communes} == {"commune"}
    assert sum(a["name"].startswith("UBND phường") for a in communes) == 31
    assert sum(a["name"].startswith("UBND xã") for a in communes) == 72
    assert all(a["id"] == f"ubnd-{a['code']}" and "ubnd-cap-xa" in a["groups"] for a in communes)
    assert any(a["id"] == "stp" and a["source"] == "plan" for a in listed)

    # The command line plans this year and the next by the real clock.
    year = str(dt.date.today().year)
    preview = json.loads(tcpl(tmp_path, "reminders", "preview", "--from", f"{year}-11-25", "--days", "10",
                              "--json", plans=commune_plans).stdout)
    mine = [r for r in preview if r["plan_id"] == COMMUNE_PLAN and r["task_id"] == "ii-1"]
    assert sorted(r["agency_id"] for r in mine) == sorted(a["id"] for a in communes)  # one per commune

    out = tcpl(tmp_path, "report", "--year", year, "--task", f"{COMMUNE_PLAN}/II.1",
               "-o", str(tmp_path / "r.xlsx"), plans=commune_plans)
    assert out.returncode == 0, out.stderr
    book = openpyxl.load_workbook(io.BytesIO((tmp_path / "r.xlsx").read_bytes()))
    rows = list(book["Chi tiết"].iter_rows(values_only=True))[1:]
    assert len(rows) == 103 and {r[0] for r in rows} == {COMMUNE_PLAN}  # one row per commune
    summary = [r for r in book["Tổng hợp"].iter_rows(values_only=True) if r[0] == "II.1 [kh-xa-kiem-thu]"]
    assert summary and summary[-1][2:5] == (103, 0, 0)  # communes, done, overdue

    unknown = tcpl(tmp_path, "report", "--year", year, "--task", "zz-9", "-o", str(tmp_path / "x.xlsx"),
                   plans=commune_plans)
    assert unknown.returncode != 0 and "zz-9" in unknown.stderr and not (tmp_path / "x.xlsx").exists()


def test_a_bad_csv_is_refused_with_every_mistake_and_a_good_one_imported(tmp_path, commune_plans, tcpl):
    bad = tmp_path / "bad.csv"
    bad.write_text("ma,ten,den_ngay,mau\n1,Xã A,31/02/2024,x\n,Xã B,,\n", encoding="utf-8")
    out = tcpl(tmp_path, "agencies", "import", "--csv", str(bad), plans=commune_plans)
    assert out.returncode == 1
    assert "mau" in out.stderr and "31/02/2024" in out.stderr and "bad.csv:3" in out.stderr
    good = tmp_path / "good.csv"
    good.write_text("code,name,ended_on\n99001,UBND xã Cũ,01/07/2025\n", encoding="utf-8")
    out = tcpl(tmp_path, "agencies", "import", "--csv", str(good), plans=commune_plans)
    assert out.returncode == 0 and "1 mới" in out.stdout
    listed = json.loads(tcpl(tmp_path, "agencies", "list", "--json", plans=commune_plans).stdout)
    [old] = [a for a in listed if a["id"] == "ubnd-99001"]
    assert old["ended_on"] == "2025-07-01"


def test_a_deadline_set_twice_is_one_deadline_and_can_be_removed(tmp_path, tcpl):
    plans = str(in_force_plan())
    year = dt.date.today().year  # the command line plans this year and the next by the real clock
    first = tcpl(tmp_path, "task", "deadline", "II.2.b", f"{year}-12-20", plans=plans)
    assert first.returncode == 0, first.stderr
    second = tcpl(tmp_path, "task", "deadline", "ii 2 b", f"{year}-12-22", plans=plans)
    assert f"(thay cho 20/12/{year})" in second.stdout and "0 hạn mới, 1 hạn đổi ngày" in second.stdout
    absurd = tcpl(tmp_path, "task", "deadline", "ii-2b", "0001-01-01", plans=plans)
    assert absurd.returncode == 2 and "không hợp lý" in absurd.stderr

    def planned() -> set[str]:
        preview = json.loads(tcpl(tmp_path, "reminders", "preview", "--from", f"{year}-12-01", "--days", "60",
                                  "--json", plans=plans).stdout)
        return {r["due"] for r in preview if r["task_id"] == "ii-2b"}

    assert planned() == {f"{year}-12-22"}
    cleared = tcpl(tmp_path, "task", "deadline", "ii-2b", "--clear", plans=plans)
    assert cleared.returncode == 0 and f"22/12/{year}" in cleared.stdout
    assert planned() == set()


def test_the_console_has_its_deadlines_from_the_start(tmp_path, tcpl):
    plans = str(in_force_plan())
    invite = tcpl(tmp_path, "invite", "create", "--agency", "stp", plans=plans)
    assert invite.returncode == 0, invite.stderr
    code = invite.stdout.strip().splitlines()[-1]
    said = f"/dangky {code}\n/nhiemvu\n/capnhat II.3.b đang làm 30%\n"
    out = tcpl_process(tmp_path, "run", plans=plans, stdin=said)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Nhiệm vụ của Sở Tư pháp" in out.stdout and "Hạn 14/12/" in out.stdout
    assert "Đã ghi nhận: nhiệm vụ II.3.b" in out.stdout and "đang thực hiện 30%" in out.stdout


def test_run_with_only_an_ended_plan_says_how_to_load_the_plan_in_force(tmp_path):
    out = tcpl_process(tmp_path, "run", stdin="/kehoach\n")
    assert out.returncode == 0, out.stderr[-2000:]
    # The greeting says it, and so does the log (the console's log is its file in the data folder).
    assert "Hiện chưa có kế hoạch nào đang có hiệu lực" in out.stdout and "TCPL_PLAN_PATH" in out.stdout
    log = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "data").rglob("*.log"))
    assert "Hiện chưa có kế hoạch nào đang có hiệu lực" in log
    assert "Đã hết hiệu lực từ ngày 01/07/2025" in out.stdout  # /kehoach still shows it, ended


def test_plan_new_prints_a_skeleton_that_validates(tmp_path, tcpl):
    skeleton = tcpl(tmp_path, "plan", "new")
    assert skeleton.returncode == 0 and "MẪU TỆP KẾ HOẠCH" in skeleton.stdout
    path = tmp_path / "ke-hoach.yaml"
    path.write_text(skeleton.stdout, encoding="utf-8")
    assert tcpl(tmp_path, "validate", str(path)).returncode == 0
    path.write_text(skeleton.stdout.replace("kind: yearly", "kind: hang-nam"), encoding="utf-8")
    broken = tcpl(tmp_path, "validate", str(path))
    assert broken.returncode == 1 and f"{path}:" in broken.stdout and "kind" in broken.stdout
