import datetime as dt
from pathlib import Path

import pytest

from knowledge.deadlines import (
    AdminDeadline,
    Source,
    StepKind,
    TaskEvent,
    load_policy,
    plan_deadlines,
    reminder_steps,
)
from knowledge.loader import InvalidKnowledge, load_plan


@pytest.fixture(scope="module")
def policy():
    return load_policy()


@pytest.fixture(scope="module")
def plan():
    return load_plan()


def local(policy, moment):
    return moment.astimezone(policy.tz)


def test_working_days_skip_weekends_and_vietnamese_holidays(policy):
    cal = policy.calendar()
    assert not cal.is_working_day(dt.date(2026, 12, 12))  # Saturday
    assert not cal.is_working_day(dt.date(2026, 9, 2))  # National Day
    assert not cal.is_working_day(dt.date(2027, 2, 8))  # Tết
    assert cal.is_working_day(dt.date(2026, 12, 14))
    assert cal.next_working_day(dt.date(2027, 2, 5)) == dt.date(2027, 2, 11)  # after Tết 2027


def test_sends_only_in_office_hours(policy):
    cal = policy.calendar()
    tz = policy.tz
    assert cal.is_open(dt.datetime(2026, 12, 14, 8, 0, tzinfo=tz))
    assert not cal.is_open(dt.datetime(2026, 12, 14, 17, 0, tzinfo=tz))
    friday_evening = dt.datetime(2026, 12, 11, 18, 30, tzinfo=tz)
    assert local(policy, cal.next_open(friday_evening)) == dt.datetime(2026, 12, 14, 8, 0, tzinfo=tz)
    early = dt.datetime(2026, 12, 14, 6, 0, tzinfo=tz)
    assert local(policy, cal.next_open(early)) == dt.datetime(2026, 12, 14, 8, 0, tzinfo=tz)


def test_reminder_steps_of_the_yearly_deadline(policy):
    cal = policy.calendar()
    steps = reminder_steps(dt.date(2026, 12, 14), policy, cal)
    got = [(s.kind, s.number, local(policy, s.send_at).strftime("%a %d/%m %H:%M")) for s in steps]
    assert got == [
        (StepKind.BEFORE, 14, "Mon 30/11 08:00"),
        (StepKind.BEFORE, 3, "Fri 11/12 08:00"),
        # 1 day before is Sunday 13/12: it would move onto the deadline itself, so it is dropped.
        (StepKind.ON_THE_DAY, 0, "Mon 14/12 08:00"),
        (StepKind.OVERDUE, 1, "Thu 17/12 08:00"),
        (StepKind.OVERDUE, 2, "Tue 22/12 08:00"),
        (StepKind.OVERDUE, 3, "Fri 25/12 08:00"),
        (StepKind.ESCALATION, 1, "Wed 30/12 08:00"),
    ]


def test_a_deadline_in_tet_moves_to_the_next_working_morning(policy):
    cal = policy.calendar()
    steps = reminder_steps(dt.date(2027, 2, 8), policy, cal)
    on_day = next(s for s in steps if s.kind is StepKind.ON_THE_DAY)
    assert local(policy, on_day.send_at).date() == dt.date(2027, 2, 11)
    assert all(cal.is_working_day(local(policy, s.send_at).date()) for s in steps)
    assert len({s.send_at for s in steps}) == len(steps)


def test_deadlines_follow_the_plan_words(plan, policy):
    deadlines = plan_deadlines(plan, [2026, 2027], policy)
    by_task = {}
    for d in deadlines:
        by_task.setdefault(d.task_id, set()).add((d.agency_id, d.due, d.source))
    # Yearly tasks: the local default day, recorded as such.
    assert ("stp", dt.date(2026, 12, 14), Source.LOCAL_DEFAULT) in by_task["ii-3b"]
    # Districts ended on 01/07/2025: no reminders to them.
    assert not any(a.startswith("ubnd-h-") or a.startswith("ubnd-t") for ds in by_task.values()
                   for a, _, _ in ds if a != "ubnd-tinh")
    # No time in the plan, or waiting for an event: nothing until an administrator acts.
    assert "ii-2b" not in by_task and "ii-6" not in by_task
    # Every-2-years without a first year in the plan: no guess.
    assert "ii-7b" not in by_task
    # Sơ kết 2023 / tổng kết 2025 are past.
    assert "ii-8" not in by_task


def test_admin_deadlines_and_events_create_deadlines(plan, policy):
    deadlines = plan_deadlines(plan, [2027], policy, [AdminDeadline("ii-2b", dt.date(2027, 3, 31))],
                               [TaskEvent("ii-6", dt.date(2027, 1, 15))])
    ii2b = {(d.agency_id, d.due, d.source) for d in deadlines if d.task_id == "ii-2b"}
    assert ii2b == {("stp", dt.date(2027, 3, 31), Source.ADMIN)}
    ii6 = {(d.due, d.source) for d in deadlines if d.task_id == "ii-6"}
    assert ii6 == {(dt.date(2027, 2, 14), Source.EVENT)}


def test_planning_is_deterministic(plan, policy):
    assert plan_deadlines(plan, [2026], policy) == plan_deadlines(plan, [2026], policy)


def test_a_malformed_policy_file_is_reported_with_its_line(tmp_path: Path):
    bad = tmp_path / "policy.yaml"
    text = "send_window:\n  start: '08:00'\n  end: '17:00'\nbefore_days: [14, -3]\n"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidKnowledge) as err:
        load_policy(bad)
    assert any(p.line == 4 and "before_days" in p.message for p in err.value.problems)


POLICY = """timezone: Asia/Ho_Chi_Minh
send_window:
  start: "08:00"
  end: "17:00"
overdue: {every_working_days: 3, times: 3}
escalate_after_working_days: 3
extra_holidays: []
rates: {global_per_second: 30, per_chat_per_second: 1}
"""


@pytest.mark.parametrize(("change", "line", "words"), [
    (("timezone: Asia/Ho_Chi_Minh", "timezone: Mars/Olympus_Mons"), 1, "unknown time zone"),
    (("extra_holidays: []", "extra_holidays: [2026-02-31]"), 7, "invalid date"),
    (("extra_holidays: []", "extra_holidays: ['31/02/2026']"), 7, "extra_holidays"),
    (('end: "17:00"', 'end: "07:00"'), 2, "must end after it starts"),
])
def test_policy_file_errors_are_reported_with_file_and_line(tmp_path, change, line, words):
    bad = tmp_path / "reminders.yaml"
    bad.write_text(POLICY.replace(*change), encoding="utf-8")
    with pytest.raises(InvalidKnowledge) as err:
        load_policy(bad)
    [problem] = err.value.problems
    assert (problem.path, problem.line) == (bad, line) and words in problem.message, str(problem)
