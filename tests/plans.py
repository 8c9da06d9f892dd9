"""Plans the tests build for themselves (the shipped plan ended on 01/07/2025 and is never edited here).

`in_force_plan()` is the plan most conversation tests run on: the shipped plan's agencies and tasks,
rebuilt under a test id and title, without the plan's end and without the end of the province-level
and commune-level agencies (the district level keeps its real end, 01/07/2025). It is a test
fixture, not a plan of any province. `write_plan()` builds small plans from scratch.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Any

import yaml

from knowledge.loader import DEFAULT_PLAN_PATH

SHIPPED = DEFAULT_PLAN_PATH / "soc-trang-qd25-2021.yaml"
TEST_PLAN_ID = "kh-kiem-thu"


@functools.cache
def in_force_plan() -> Path:
    """Return the path of the test plan in force (written once per test session)."""
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    plan = data["plan"]
    for key in ("ended_on", "end_reason", "note"):
        plan.pop(key, None)
    plan.update(id=TEST_PLAN_ID, title="Kế hoạch kiểm thử (dựng cho kiểm thử, không phải văn bản thật)",
                area="địa bàn kiểm thử")
    for agency in data["agencies"]:
        if agency["level"] != "district":
            agency.pop("ended_on", None)
    folder = Path(tempfile.mkdtemp(prefix="tcpl-test-plan-"))
    return write_yaml(folder / f"{TEST_PLAN_ID}.yaml", data)


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def write_plan(folder: Path, plan_id: str, tasks: list[dict[str, Any]],
               agencies: list[dict[str, Any]] | None = None, **plan: Any) -> Path:
    """Write a small test plan; agencies default to a Department (stp) and the commune-level group."""
    header = {"id": plan_id, "title": f"Kế hoạch kiểm thử {plan_id}", "implements": "qd-27-2025",
              "issuer": "Cơ quan kiểm thử", "issued": None, "signed_by": "Người ký kiểm thử",
              "area": "địa bàn kiểm thử", **plan}
    agencies = agencies if agencies is not None else [
        {"id": "stp", "name": "Sở Tư pháp (kiểm thử)", "level": "province"},
        {"id": "ubnd-cap-xa", "name": "UBND các xã, phường (kiểm thử)", "level": "commune", "group": True},
    ]
    folder.mkdir(parents=True, exist_ok=True)
    return write_yaml(folder / f"{plan_id}.yaml", {"plan": header, "agencies": agencies, "tasks": tasks})


def yearly(task_id: str, code: str, lead: list[str], **extra: Any) -> dict[str, Any]:
    """A yearly task ("Hàng năm") of a test plan."""
    return {"id": task_id, "code": code, "title": f"Nhiệm vụ kiểm thử {code}", "lead": lead,
            "schedule": {"kind": "yearly", "plan_text": "Hàng năm"}, **extra}
