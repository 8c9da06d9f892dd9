import datetime as dt
from pathlib import Path

import pytest

from knowledge.deadlines import (
    EVENT_PERIOD,
    AdminDeadline,
    Source,
    StepKind,
    TaskEvent,
    check_day,
    load_policy,
    plan_deadlines,
    reminder_steps,
)
from knowledge.loader import InvalidKnowledge, load_plan
from knowledge.schema import Agency, AgencyLevel
from tests.plans import SHIPPED, TEST_PLAN_ID, in_force_plan, write_plan, yearly


@pytest.fixture(scope="module")
def policy():
    return load_policy()


@pytest.fixture(scope="module")
def plan():
    return load_plan(in_force_plan())


@pytest.fixture(scope="module")
def shipped():
    return load_plan(SHIPPED)


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
    deadlines = plan_deadlines(plan, [2026, 2027], policy).deadlines
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
    deadlines = plan_deadlines(plan, [2027], policy,
                               [AdminDeadline(TEST_PLAN_ID, "ii-2b", dt.date(2027, 3, 31))],
                               [TaskEvent(TEST_PLAN_ID, "ii-6", dt.date(2027, 1, 15))]).deadlines
    ii2b = {(d.agency_id, d.due, d.source, d.period) for d in deadlines if d.task_id == "ii-2b"}
    assert ii2b == {("stp", dt.date(2027, 3, 31), Source.ADMIN, "2027")}
    ii6 = {(d.due, d.source, d.period) for d in deadlines if d.task_id == "ii-6"}
    assert ii6 == {(dt.date(2027, 2, 14), Source.EVENT, EVENT_PERIOD)}


def test_an_administrators_date_replaces_the_default_of_its_year(plan, policy):
    deadlines = plan_deadlines(plan, [2026], policy,
                               [AdminDeadline(TEST_PLAN_ID, "ii-3b", dt.date(2026, 11, 30))]).deadlines
    assert {(d.due, d.source) for d in deadlines if d.task_id == "ii-3b"} == {
        (dt.date(2026, 11, 30), Source.ADMIN)}  # one deadline for 2026, never two


def test_the_shipped_plan_ended_with_its_province(shipped, policy):
    assert shipped.plan.ended_on == dt.date(2025, 7, 1) and "27/2025/QĐ-TTg" in shipped.plan.end_reason
    assert not plan_deadlines(shipped, [2026, 2027], policy).deadlines
    before = plan_deadlines(shipped, [2024], policy).deadlines
    assert {d.task_id for d in before} >= {"ii-1", "ii-3b", "iii-3"}  # its past years still count
    # Every agency of the former province ends with it.
    assert all(shipped.agency_ended_on(a) == dt.date(2025, 7, 1) for a in shipped.agencies.values()
               if a.level is not AgencyLevel.NATIONAL)


def test_the_commune_group_stands_for_each_imported_commune(tmp_path, policy):
    plan = load_plan(write_plan(tmp_path, "kh-xa", [yearly("ii-1", "II.1", ["stp", "ubnd-cap-xa"])],
                                area_code="92"))
    communes = [Agency(id=f"ubnd-{n}", name=f"UBND xã {n}", level=AgencyLevel.COMMUNE, area_code="92",
                       started_on=dt.date(2025, 7, 1)) for n in range(3)]
    elsewhere = Agency(id="ubnd-x", name="UBND xã khác", level=AgencyLevel.COMMUNE, area_code="01")
    gone = Agency(id="ubnd-old", name="UBND xã cũ", level=AgencyLevel.COMMUNE, ended_on=dt.date(2026, 1, 1))
    deadlines = plan_deadlines(plan, [2026], policy, communes=[*communes, elsewhere, gone]).deadlines
    assert sorted(d.agency_id for d in deadlines) == ["stp", "ubnd-0", "ubnd-1", "ubnd-2"]
    # Before the reform the new communes did not exist; without any commune the group is itself.
    def agencies(years, **kw):
        return sorted(d.agency_id for d in plan_deadlines(plan, years, policy, **kw).deadlines)

    assert agencies([2024], communes=communes) == ["stp"]
    assert agencies([2026]) == ["stp", "ubnd-cap-xa"]


def test_a_task_that_fails_to_plan_is_skipped_and_named(plan, policy):
    # A date stored by an older version without checks: its deadline overflows the calendar.
    event = TaskEvent(TEST_PLAN_ID, "ii-6", dt.date(9999, 12, 31))
    planned = plan_deadlines(plan, [9999], policy, [], [event])
    assert [(f.plan_id, f.task_id) for f in planned.failures] == [(TEST_PLAN_ID, "ii-6")]
    assert (TEST_PLAN_ID, "ii-6") not in planned.tasks and (TEST_PLAN_ID, "ii-1") in planned.tasks
    assert any(d.task_id == "ii-1" for d in planned.deadlines)


def test_absurd_days_and_days_outside_the_plan_are_refused(plan, shipped):
    today = dt.date(2026, 11, 2)
    assert check_day(plan, dt.date(2027, 3, 15), today) is None
    for absurd in (dt.date(9999, 12, 31), dt.date(1, 1, 1), dt.date(2030, 1, 1)):
        problem = check_day(plan, absurd, today)
        assert problem is not None and "không hợp lý" in problem
    assert "Ngày 01/01/0001 " in (check_day(plan, dt.date(1, 1, 1), today) or "")  # as the official typed it
    ended = check_day(shipped, dt.date(2026, 3, 1), today)
    assert ended is not None and "hết hiệu lực từ ngày 01/07/2025" in ended


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
