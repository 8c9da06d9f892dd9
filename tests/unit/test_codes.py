"""Task codes as shown on screen are accepted everywhere a code is taken."""

import datetime as dt

import pytest

from handlers.task_refs import TaskRef, resolve_task
from knowledge.codes import split_task_ref, task_id_of
from knowledge.loader import Plans, load_plan
from tests.plans import in_force_plan, write_plan, yearly

TODAY = dt.date(2026, 11, 2)


@pytest.mark.parametrize("typed", ["II.3.c", "ii-3c", "II 3 c", "II.3c", "ii.3.c", " II-3-C ", "ii3c"])
def test_every_way_of_writing_a_code_names_the_task(typed):
    assert task_id_of(typed) == "ii-3c"


def test_the_letter_d_with_stroke_and_section_codes():
    assert task_id_of("III.1.đ") == "iii-1dd" and task_id_of("iii-1dd") == "iii-1dd"
    assert task_id_of("II.1") == "ii-1" and task_id_of("II") == "ii"
    assert task_id_of("xong") is None and task_id_of("2026") is None


def test_a_code_of_several_words_is_split_from_the_rest():
    ref = split_task_ref("II 3 c đang làm 60%", {"ii-3c"})
    assert (ref.task_id, ref.typed, ref.rest) == ("ii-3c", "II 3 c", "đang làm 60%")
    # "ok" could be read as letters of a code; a known task wins, the words after it stay words.
    ref = split_task_ref("ii-1 ok xong", {"ii-1"})
    assert (ref.task_id, ref.rest) == ("ii-1", "ok xong")
    assert split_task_ref("kh-2026/II.1 xong", {"ii-1"}).plan_id == "kh-2026"


@pytest.fixture(scope="module")
def plans():
    return Plans([load_plan(in_force_plan())])


def test_resolve_finds_the_task_or_names_the_closest_codes(plans):
    found = resolve_task(plans, "II.3.c xong", TODAY)
    assert isinstance(found, TaskRef) and found.task.id == "ii-3c" and found.rest == "xong"
    unknown = resolve_task(plans, "II.3.k", TODAY)
    assert isinstance(unknown, str) and "II.3.k" in unknown and "II.3." in unknown  # e.g. II.3.a
    assert isinstance(resolve_task(plans, "zz-9", TODAY), str)


def test_a_code_in_two_plans_is_taken_from_the_plan_in_force(tmp_path):
    old = load_plan(write_plan(tmp_path / "a", "kh-cu", [yearly("ii-1", "II.1", ["stp"])],
                               ended_on=dt.date(2025, 7, 1), end_reason="Được thay thế (kiểm thử)."))
    new = load_plan(write_plan(tmp_path / "b", "kh-moi", [yearly("ii-1", "II.1", ["stp"])]))
    other = load_plan(write_plan(tmp_path / "c", "kh-khac", [yearly("ii-1", "II.1", ["stp"])]))
    found = resolve_task(Plans([old, new]), "II.1", TODAY)
    assert isinstance(found, TaskRef) and found.plan.id == "kh-moi"
    both = resolve_task(Plans([new, other]), "II.1", TODAY)
    assert isinstance(both, str) and "kh-moi" in both and "kh-khac" in both
    named = resolve_task(Plans([new, other]), "kh-khac/II.1", TODAY)
    assert isinstance(named, TaskRef) and named.plan.id == "kh-khac"
