"""The CLI contract other tools rely on, run as a real process."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TCPL = str(Path(sys.executable).with_name("tcpl"))
# The commands' own data folder, so no test writes into the user's real one.
DATA_DIR = tempfile.mkdtemp(prefix="tcpl-cli-")


def tcpl(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TCPL_")}
    full_env["TCPL_DATA_DIR"] = DATA_DIR
    full_env.update(env or {})
    return subprocess.run([TCPL, *args], input=stdin, capture_output=True, text=True, cwd=ROOT,
                          env=full_env, timeout=60)


KEYS = {"question", "found", "answer", "entry_id", "score", "citations", "suggestions"}


def test_ask_json_follows_the_contract():
    out = tcpl("ask", "--json", "Điều kiện để xã được công nhận đạt chuẩn tiếp cận pháp luật theo QĐ 25/2021")
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    assert set(obj) == KEYS
    assert obj["found"] is True
    assert obj["entry_id"].startswith("qd25-")
    assert obj["citations"] and "25/2021" in obj["citations"][0]
    assert "thay thế" in obj["answer"]  # a replaced document's answer says so


def test_batch_keeps_order_and_one_line_per_question():
    questions = ["thoi tiet ngay mai the nao", "tieu chi tiep can phap luat hien nay gom nhung gi", "",
                 "giá vàng hôm nay 🙂"]
    out = tcpl("ask", "--json", "--batch", "-", stdin="\n".join(questions) + "\n")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == len(questions)
    objs = [json.loads(line) for line in lines]
    assert [o["question"] for o in objs] == questions
    assert objs[0]["found"] is False and objs[0]["entry_id"] is None and objs[0]["answer"]
    assert objs[1]["found"] is True
    assert objs[2]["found"] is False
    assert objs[3]["found"] is False
    for o in objs:
        assert set(o) == KEYS


def test_ask_for_a_person_prints_answer_and_citation():
    out = tcpl("ask", "ai ky ke hoach thuc hien qd 25 cua tinh")
    assert out.returncode == 0, out.stderr
    assert "Lâm Hoàng Nghiệp" in out.stdout
    assert "Căn cứ:" in out.stdout


def test_handbook_dump_lists_every_entry():
    out = tcpl("handbook", "dump", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) >= 100
    for r in rows:
        assert {"id", "title", "questions", "answer", "citation"} <= set(r)
        assert r["answer"].strip()


def test_validate_passes_on_shipped_files():
    out = tcpl("validate")
    assert out.returncode == 0, out.stdout + out.stderr


def test_validate_reports_file_and_line_of_each_error(tmp_path):
    hb = tmp_path / "handbook"
    shutil.copytree(ROOT / "knowledge" / "handbook", hb)
    target = hb / "qd25.yaml"
    lines = target.read_text(encoding="utf-8").splitlines()
    # Break two entries: an empty answer in the first, a dangling related link in a later one.
    related_at = [i for i, line in enumerate(lines) if line.strip().startswith("related:")][3]
    lines.insert(related_at + 1, "      - khong-ton-tai")
    answer_at = next(i for i, line in enumerate(lines) if line.strip().startswith("answer:"))
    lines[answer_at] = lines[answer_at].split("answer:")[0] + 'answer: ""'
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tcpl("validate", str(hb))
    assert out.returncode == 1
    assert f"{target}:{answer_at + 1}:" in out.stdout
    assert "khong-ton-tai" in out.stdout and str(target) in out.stdout


def test_validate_reports_a_yaml_syntax_error_with_its_line(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("plan:\n  id: x\n  title: [unclosed\n", encoding="utf-8")
    out = tcpl("validate", str(plan))
    assert out.returncode == 1
    assert f"{plan}:" in out.stdout and "invalid YAML" in out.stdout


def test_bot_refuses_to_start_with_an_invalid_handbook(tmp_path):
    bad = tmp_path / "hb"
    bad.mkdir()
    (bad / "x.yaml").write_text("entries:\n  - id: a\n    title: t\n", encoding="utf-8")
    out = tcpl("run", stdin="", env={"TCPL_HANDBOOK_DIR": str(bad)})
    assert out.returncode == 1
    assert "x.yaml:" in out.stderr


def test_piped_questions_are_answered_and_the_chat_ends_with_the_input(tmp_path):
    out = tcpl("run", stdin="/help\ntiêu chí là gì\n",
               env={"TCPL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/t.db"})
    assert out.returncode == 0, out.stderr
    assert "Xin chào" in out.stdout and "/tieuchi" in out.stdout
    assert out.stdout.rstrip().endswith("Tạm biệt!")
    assert out.stderr == ""  # the library log lines went to the log file, not into the chat


def test_without_a_platform_or_anyone_typing_run_stops_and_says_what_to_set(tmp_path):
    """A container started without a token and without -i: no greeting to nobody, no restart loop."""
    out = tcpl("run", stdin="", env={"TCPL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/t.db"})
    assert out.returncode != 0
    assert out.stdout == ""
    [line] = out.stderr.splitlines()
    assert "TCPL_TELEGRAM_TOKEN" in line and "TCPL_ZALO_TOKEN" in line
