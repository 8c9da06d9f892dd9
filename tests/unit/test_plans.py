"""Plan files: their life, several at once, the skeleton, and mistakes explained."""

import datetime as dt
import os

import pytest

from knowledge.loader import (
    PLAN_SKELETON,
    InvalidKnowledge,
    load_handbook,
    load_plan,
    load_plans,
)
from knowledge.validate import validate_files
from tests.plans import SHIPPED, write_plan, yearly


@pytest.fixture(scope="module")
def handbook():
    return load_handbook()


def test_the_shipped_plan_states_its_issuer_area_and_end(handbook):
    plan = load_plan(SHIPPED, handbook).plan
    assert plan.issuer == "Ủy ban nhân dân tỉnh Sóc Trăng" and plan.area == "tỉnh Sóc Trăng"
    assert plan.issued is None  # the seed text shows no date: none is invented
    assert plan.ended_on == dt.date(2025, 7, 1)
    assert "Nghị quyết 202/2025/QH15" in plan.end_reason and "thay thế" in plan.end_reason
    assert not plan.in_force_on(dt.date(2026, 1, 1)) and plan.in_force_on(dt.date(2024, 12, 14))


def test_the_skeleton_is_a_valid_plan_file(handbook):
    plan = load_plan(PLAN_SKELETON, handbook)
    assert plan.plan.implements == "qd-27-2025" and "ii-1" in plan.tasks


def test_a_folder_or_several_files_load_several_plans(tmp_path):
    a = write_plan(tmp_path / "folder", "kh-a", [yearly("ii-1", "II.1", ["stp"])])
    write_plan(tmp_path / "folder", "kh-b", [yearly("ii-1", "II.1", ["stp"])])
    c = write_plan(tmp_path / "other", "kh-c", [yearly("ii-1", "II.1", ["stp"])])
    assert [p.id for p in load_plans(a.parent)] == ["kh-a", "kh-b"]
    assert [p.id for p in load_plans(f"{a}{os.pathsep}{c}")] == ["kh-a", "kh-c"]
    with pytest.raises(InvalidKnowledge) as err:
        load_plans(f"{a}{os.pathsep}{a.parent}{os.pathsep}{tmp_path / 'missing'}")
    assert any("missing" in str(p.path) for p in err.value.problems)


def test_two_plans_with_one_id_are_refused(tmp_path):
    write_plan(tmp_path / "x", "kh-a", [yearly("ii-1", "II.1", ["stp"])])
    write_plan(tmp_path / "y", "kh-a", [yearly("ii-1", "II.1", ["stp"])])
    with pytest.raises(InvalidKnowledge) as err:
        load_plans(f"{tmp_path / 'x'}{os.pathsep}{tmp_path / 'y'}")
    assert "already used" in str(err.value)


def test_mistakes_are_explained_with_their_line(tmp_path, handbook):
    path = write_plan(tmp_path, "kh-sai", [yearly("ii-1", "II.1", ["stp", "khong-co"])],
                      ended_on="2026-01-01")
    text = path.read_text(encoding="utf-8").replace("  area:", "  araa:")
    path.write_text(text, encoding="utf-8")
    problems = validate_files([path])
    messages = "\n".join(str(p) for p in problems)
    assert "araa" in messages and "gõ sai tên mục" in messages  # an unknown key, explained
    assert "area" in messages and "thiếu mục bắt buộc" in messages
    [typo] = [p for p in problems if "araa" in p.message]
    assert typo.line == path.read_text(encoding="utf-8").splitlines().index("  araa: địa bàn kiểm thử") + 1


def test_an_ended_plan_must_say_why_and_its_dates_must_fit_its_life(tmp_path):
    path = write_plan(tmp_path, "kh-het", [yearly("ii-1", "II.1", ["khong-co"])], ended_on="2026-01-01")
    problems = "\n".join(str(p) for p in validate_files([path]))
    assert "end_reason" in problems
