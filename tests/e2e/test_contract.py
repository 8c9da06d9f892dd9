"""The conversation contract: the same conversations on the console, Telegram and Zalo.

Each platform runs through its real adapter (Telegram and Zalo against their fake servers over
loopback HTTP, the console over real text streams) with a real SQLite file; see contract.py.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.wiring import load_all
from handlers.answers import SCOPE
from handlers.conversation import Audience
from handlers.membership import MSG_ADMIN_ONLY
from storage.records import AgencyRecord, OccurrenceRecord
from tests.e2e.conftest import FakeClock
from tests.e2e.contract import PLATFORMS, Harness, Loaded, position, running_harness, shows
from tests.plans import in_force_plan

LAN = "Nguyễn Thị Lan"  # a member of a lead agency
HOA = "Trần Văn Hòa"  # an administrator of the Department of Justice
REMINDED_AGENCY = "cong-an-tinh"  # leads one dated task: one reminder at a time
UNREACHABLE_NOTICE = "Không gửi được tin nhắc"


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    # Loading the handbook takes seconds; knowledge, engine and policy are pure, so share them.
    return load_all(Settings(plan_path=str(in_force_plan()), _env_file=None))


@pytest.fixture(params=PLATFORMS)
async def harness(request, tmp_path: Path, clock: FakeClock, loaded: Loaded) -> AsyncIterator[Harness]:
    async with running_harness(tmp_path / "bot.db", clock, loaded, [request.param]) as running:
        yield running


@pytest.fixture
async def both(tmp_path: Path, clock: FakeClock, loaded: Loaded) -> AsyncIterator[Harness]:
    async with running_harness(tmp_path / "bot.db", clock, loaded, ["telegram", "zalo"]) as running:
        yield running


def joined(replies: list[str]) -> str:
    return "\n".join(replies)


async def register(harness: Harness, platform: str, user: str, agency_id: str, role: str = "member") -> None:
    code = await harness.invite(agency_id, role)
    reply = joined(await harness.drivers[platform].say(user, f"/dangky {code}"))
    assert "Đăng ký thành công" in reply, reply


# -- the contract, on every platform ---------------------------------------------------------------


async def test_a_question_with_and_without_diacritics_gets_the_same_answer(harness):
    chat = harness.driver
    accented = await chat.say(LAN, "Cơ quan nào chủ trì biên soạn sổ tay hướng dẫn đánh giá?")
    folded = await chat.say(LAN, "co quan nao chu tri bien soan so tay huong dan danh gia")
    assert accented == folded
    assert "Sở Tư pháp" in joined(accented) and "Căn cứ:" in joined(accented)
    assert "<b>" not in joined(accented)  # every platform shows text, not markup


async def test_a_question_with_close_alternatives_is_settled_by_choice(harness):
    chat = harness.driver
    await chat.say(LAN, "chuẩn")
    alternatives = chat.choices(LAN)
    assert len(alternatives) >= 2, "a vague question offers the entries it is close to"
    opened = await chat.choose(LAN, 2)
    assert shows(opened, alternatives[1]), (alternatives[1], opened[:1])
    assert "Căn cứ:" in joined(opened)


async def test_criteria_and_their_indicators_are_browsed_by_choice(harness):
    chat = harness.driver
    await chat.say(LAN, "/tieuchi")
    sets = chat.choices(LAN)
    assert sets, "/tieuchi offers the sets of criteria"
    criteria_set = await chat.choose(LAN, 1)
    assert shows(criteria_set, sets[0])
    criteria = chat.choices(LAN)
    n = position(criteria, "Tiêu chí")
    criterion = await chat.choose(LAN, n)
    assert shows(criterion, criteria[n - 1])
    indicators = chat.choices(LAN)
    m = position(indicators, "Chỉ tiêu")
    indicator = await chat.choose(LAN, m)
    assert shows(indicator, indicators[m - 1])
    assert "Căn cứ:" in joined(indicator)


async def test_registration_with_an_invite_code_then_whoami(harness):
    chat = harness.driver
    agency = harness.knowledge.plans.agencies["ubnd-h-ke-sach"].name
    code = await harness.invite("ubnd-h-ke-sach")
    registered = joined(await chat.say(LAN, f"/dangky {code}"))
    assert "Đăng ký thành công" in registered and agency in registered
    me = joined(await chat.say(LAN, "/toi"))
    assert LAN in me and agency in me and "(ubnd-h-ke-sach)" in me
    member = await harness.stores.members.get(chat.platform, chat.chat_id(LAN))
    assert member is not None and member.agency_id == "ubnd-h-ke-sach"
    assert member.chat_id == chat.chat_id(LAN)
    again = joined(await chat.say(HOA, f"/dangky {code}"))
    assert "Đăng ký thành công" not in again  # one code, one person


async def test_a_progress_reply_is_recorded_once(harness):
    """Answer a reminder with the platform's choice; on the console, which gets no reminders, /capnhat."""
    chat = harness.driver
    await register(harness, chat.platform, LAN, REMINDED_AGENCY)
    occurrence = await harness.first_reminder_of(REMINDED_AGENCY)
    task = harness.knowledge.plans.by_id[occurrence.plan_id].tasks[occurrence.task_id]
    assert await harness.tick() == (0 if chat.messenger is None else 1)
    await harness.dispatch()
    if chat.messenger is None:
        counts = await harness.stores.outbox.counts()
        assert counts["sent"] == 0 and counts["pending"] == 0  # a console cannot be written to first
        recorded = await chat.say(LAN, f"/capnhat {occurrence.task_id} xong")
    else:
        [reminder] = chat.received(LAN)[-1:]
        assert f"Nhắc hạn: nhiệm vụ {task.code}" in reminder
        recorded = await chat.choose(LAN, position(chat.choices(LAN), "Hoàn thành"))
    assert len(recorded) == 1 and "Đã ghi nhận" in recorded[0] and "hoàn thành" in recorded[0], recorded
    after = await harness.stores.occurrences.get(occurrence.id)
    assert after is not None and after.status == "done" and after.updated_by == LAN
    history = await harness.stores.occurrences.history(occurrence.id)
    assert [(h.who, h.status) for h in history] == [(LAN, "done")]
    # Done means done: the next reminder moment queues nothing.
    harness.clock.advance(days=14)
    assert await harness.tick() == 0


async def test_a_report_for_an_administrator(harness):
    chat = harness.driver
    await register(harness, chat.platform, HOA, "stp", "admin")
    year = harness.clock.now().astimezone(harness.bot.reminders.calendar.tz).year
    report = joined(await chat.say(HOA, "/baocao"))
    assert f"Báo cáo tiến độ năm {year}" in report
    if chat.sends_files:
        [(filename, content)] = chat.documents(HOA)
        assert filename == f"bao-cao-tcpl-{year}.xlsx" and content.startswith(b"PK")  # a zip: xlsx
    else:
        assert chat.documents(HOA) == []
        assert f"tcpl report --year {year} --format xlsx" in report  # how to get the workbook
    assert joined(await chat.say(LAN, "/baocao")) == MSG_ADMIN_ONLY


async def test_an_out_of_scope_question_is_declined(harness):
    chat = harness.driver
    declined = joined(await chat.say(LAN, "Thủ tục đăng ký kết hôn ở xã cần giấy tờ gì?"))
    assert SCOPE in declined and "Căn cứ:" not in declined


async def test_an_unknown_command_gets_help(harness):
    chat = harness.driver
    [reply] = await chat.say(LAN, "/lenhla")
    assert "/lenhla" in reply and "/help" in reply
    assert "/tieuchi" in joined(await chat.say(LAN, "/help"))


async def test_help_lists_what_the_sender_may_use_with_an_example_each(harness):
    chat = harness.driver
    commands = harness.bot.conversation.commands.values()
    for_anyone = joined(await chat.say(LAN, "/help"))
    assert "/hoi <câu hỏi>" in for_anyone and "Ví dụ: /hoi " in for_anyone
    assert "/dangky" in for_anyone  # how to become a member
    assert "/nhiemvu" not in for_anyone and "/baocao" not in for_anyone

    await register(harness, chat.platform, LAN, REMINDED_AGENCY)
    for_member = joined(await chat.say(LAN, "/help"))
    assert "/nhiemvu" in for_member and "Ví dụ: /capnhat " in for_member
    assert "/baocao" not in for_member and "/moi " not in for_member

    await register(harness, chat.platform, HOA, "stp", "admin")
    for_admin = joined(await chat.say(HOA, "/start"))
    assert "Xin chào" in for_admin
    for command in commands:
        if command.listed:
            assert f"/{command.name}" in for_admin, command.name
        if command.example:
            assert command.example.startswith(f"/{command.name} ")
            assert f"Ví dụ: {command.example}" in for_admin, command.name


async def test_an_agencys_administrator_is_listed_exactly_what_they_may_use(harness):
    chat = harness.driver
    await register(harness, chat.platform, LAN, REMINDED_AGENCY, "admin")
    listed = joined(await chat.say(LAN, "/help"))
    department_only = [c.name for c in harness.bot.conversation.commands.values()
                       if c.audience == Audience.ADMIN]
    for name in department_only:  # /baocao, /coquan, /chuatraloi, /hanchot…: refused to them
        assert f"/{name} " not in listed and f"/{name}\n" not in listed, name
        assert "Chỉ quản trị viên của Sở Tư pháp" in joined(await chat.say(LAN, f"/{name}")), name
    for name in ("moi", "thanhvien", "web", "nhiemvu", "capnhat"):  # their own people and work
        assert f"/{name}" in listed, name
    usage = joined(await chat.say(LAN, "/moi"))  # their own usage, not /coquan's
    assert f"/moi {REMINDED_AGENCY}" in usage and "/coquan" not in usage
    assert "Mã mời:" in joined(await chat.say(LAN, f"/moi {REMINDED_AGENCY}"))
    assert "Thành viên (1)" in joined(await chat.say(LAN, "/thanhvien"))


async def test_an_administrators_mistakes_are_named(harness):
    chat = harness.driver
    await register(harness, chat.platform, HOA, "stp", "admin")
    no_such_day = joined(await chat.say(HOA, "/hanchot ii-4a 31/02/2026"))
    assert no_such_day.startswith("Ngày không hợp lệ: 31/02/2026")
    assert joined(await chat.say(HOA, "/sukien ii-6 mai")).startswith("Ngày không hợp lệ: «mai»")
    pseudo = joined(await chat.say(HOA, "/moi co-quan-lien-quan"))
    assert "không phải là một cơ quan cụ thể" in pseudo and "/coquan" in pseudo
    assert "Mã mời" not in pseudo
    ids = joined(await chat.say(HOA, "/coquan"))
    assert "cong-an-tinh" in ids and "co-quan-lien-quan" not in ids and "so-nganh-tinh" not in ids


# -- across platforms ------------------------------------------------------------------------------


async def test_a_member_on_both_platforms_is_reminded_on_both_and_each_reply_counts_once(both):
    telegram, zalo = both.drivers["telegram"], both.drivers["zalo"]
    await register(both, "telegram", LAN, REMINDED_AGENCY)
    await register(both, "zalo", LAN, REMINDED_AGENCY)
    occurrence = await both.first_reminder_of(REMINDED_AGENCY)
    code = both.knowledge.plans.by_id[occurrence.plan_id].tasks[occurrence.task_id].code
    assert await both.tick() == 2
    assert await both.dispatch() == 2
    for chat in (telegram, zalo):
        [reminder] = chat.received(LAN)[-1:]
        assert f"Nhắc hạn: nhiệm vụ {code}" in reminder

    await telegram.choose(LAN, position(telegram.choices(LAN), "Đang thực hiện"))
    [recorded] = await telegram.choose(LAN, position(telegram.choices(LAN), "50%"))
    assert "đang thực hiện 50%" in recorded
    state = await both.stores.occurrences.get(occurrence.id)
    assert state is not None and (state.status, state.percent) == ("in_progress", 50)

    [recorded] = await zalo.choose(LAN, position(zalo.choices(LAN), "Hoàn thành"))
    assert "hoàn thành" in recorded
    state = await both.stores.occurrences.get(occurrence.id)
    assert state is not None and (state.status, state.percent) == ("done", 100)
    history = await both.stores.occurrences.history(occurrence.id)
    assert [(h.status, h.percent) for h in history] == [("in_progress", 50), ("done", 100)]
    same = [o for o in await both.stores.occurrences.for_agency(REMINDED_AGENCY)
            if (o.task_id, o.due) == (occurrence.task_id, occurrence.due)]
    assert [o.id for o in same] == [occurrence.id]  # one deadline, one status, whoever answered
    both.clock.advance(days=14)
    assert await both.tick() == 0


# -- issue 15: Zalo's errors as its documentation reads them ----------------------------------------

MAI = "Lê Thị Mai"  # another member of the reminded agency, on Zalo
QUOTA_NOTICE = "hết hạn mức gửi tin"
TOKEN_NOTICE = "mã truy cập (token)"


async def remind_on_zalo(harness: Harness, *zalo_users: str) -> OccurrenceRecord:
    """Register the administrator (Telegram) and members on Zalo, and queue their first reminder."""
    await register(harness, "telegram", HOA, "stp", "admin")
    for user in zalo_users:
        await register(harness, "zalo", user, REMINDED_AGENCY)
    occurrence = await harness.first_reminder_of(REMINDED_AGENCY)
    assert await harness.tick() >= len(zalo_users)
    return occurrence


def send_statuses(harness: Harness, user: str) -> list[int | None]:
    zalo = harness.drivers["zalo"]
    chat = zalo.chat_id(user)
    return [e.status for e in zalo.api.exchanges  # type: ignore[attr-defined]
            if e.method == "sendMessage" and e.params.get("chat_id") == chat]


def reminders_to(harness: Harness, user: str) -> list[str]:
    return [t for t in harness.drivers["zalo"].received(user) if "Nhắc hạn" in t]


async def nobody_is_blocked(harness: Harness) -> bool:
    return all(m.blocked_at is None for m in await harness.stores.members.all())


async def test_a_zalo_reminder_that_meets_one_403_is_delivered(both):
    await remind_on_zalo(both, LAN)
    both.drivers["zalo"].api.fail_next("sendMessage", 403)  # "Internal server error"
    await both.dispatch()
    assert reminders_to(both, LAN) == [] and (await both.stores.outbox.counts())["pending"] == 1
    both.clock.advance(minutes=1)  # the back-off after one failure is under half a minute
    await both.dispatch()
    assert len(reminders_to(both, LAN)) == 1
    assert send_statuses(both, LAN)[-2:] == [403, 200]
    assert await nobody_is_blocked(both)
    assert not [t for t in both.drivers["telegram"].received(HOA) if UNREACHABLE_NOTICE in t]


async def test_a_zalo_429_backs_off_and_the_administrators_hear_once_if_it_lasts(both):
    await remind_on_zalo(both, LAN, MAI)
    zalo, telegram = both.drivers["zalo"], both.drivers["telegram"]
    zalo.api.fail_next("sendMessage", 429, times=1000)  # "Quota exceeded", no retry_after documented
    tries: list[dt.datetime] = []
    start = both.clock.now()
    while both.clock.now() - start < dt.timedelta(hours=1):
        before = len(zalo.api.calls)
        await both.dispatch()
        tries += [both.clock.now()] * sum(1 for c in zalo.api.calls[before:] if c.method == "sendMessage")
        both.clock.advance(seconds=10)
    # Two members, one quota: no more than a few tries a minute, fewer and fewer as it lasts.
    for t in tries:
        assert sum(1 for u in tries if t <= u < t + dt.timedelta(minutes=1)) <= 3, tries
    # After the first 429, one send at a time tests the quota, each after a longer pause.
    moments = sorted(set(tries))
    assert all(tries.count(m) == 1 for m in moments[1:]), tries
    gaps = [b - a for a, b in itertools.pairwise(moments)]
    assert len(tries) <= 12 and gaps[-1] > gaps[0] >= dt.timedelta(seconds=20), tries
    assert reminders_to(both, LAN) == reminders_to(both, MAI) == []
    notices = [t for t in telegram.received(HOA) if QUOTA_NOTICE in t]
    assert len(notices) == 1, telegram.received(HOA)

    zalo.api.clear()  # the quota is back
    for _ in range(3):  # beyond the longest pause; then the send that found it back, and the others
        both.clock.advance(minutes=31)
        await both.dispatch()
    assert len(reminders_to(both, LAN)) == len(reminders_to(both, MAI)) == 1
    assert await nobody_is_blocked(both)
    assert not [t for t in telegram.received(HOA) if UNREACHABLE_NOTICE in t]


async def test_an_answer_that_meets_a_429_is_kept_and_delivered_when_the_quota_is_back(both):
    zalo = both.drivers["zalo"]
    zalo.api.fail_next("sendMessage", 429)
    assert await zalo.say(LAN, "/help") == []  # not lost: kept in the outbox
    assert (await both.stores.outbox.counts())["pending"] == 1
    both.clock.advance(minutes=2)
    await both.dispatch()
    [later] = zalo.received(LAN)
    assert "/tieuchi" in later
    assert await nobody_is_blocked(both)


async def test_a_refused_zalo_token_raises_one_alarm_and_the_reminder_waits_for_a_working_token(both):
    await remind_on_zalo(both, LAN)
    zalo, telegram = both.drivers["zalo"], both.drivers["telegram"]
    before = len(send_statuses(both, LAN))  # the answer to /dangky
    zalo.api.revoke_token()  # every call answers 401, polling included
    for _ in range(12):  # an hour
        await both.dispatch()
        both.clock.advance(minutes=5)
    refused = send_statuses(both, LAN)[before:]
    assert 1 <= len(refused) <= 13 and set(refused) == {401}  # the first send, one probe per 5 minutes
    notices = [t for t in telegram.received(HOA) if TOKEN_NOTICE in t]
    assert len(notices) == 1, telegram.received(HOA)
    assert (await both.stores.outbox.counts())["pending"] == 1  # kept

    zalo.api.restore_token()
    for _ in range(3):
        both.clock.advance(minutes=5)
        await both.dispatch()
        if reminders_to(both, LAN):
            break
    assert len(reminders_to(both, LAN)) == 1
    assert await nobody_is_blocked(both)
    assert len([t for t in telegram.received(HOA) if TOKEN_NOTICE in t]) == 1


async def test_a_zalo_chat_is_judged_unreachable_only_after_days_of_failures_while_others_receive(both):
    zalo, telegram = both.drivers["zalo"], both.drivers["telegram"]
    occurrence = await remind_on_zalo(both, LAN, MAI)
    zalo.api.fail_chat(zalo.chat_id(LAN), 403)  # Zalo documents no "blocked" code: only evidence counts
    await both.dispatch()
    assert len(reminders_to(both, MAI)) == 1 and reminders_to(both, LAN) == []
    assert await nobody_is_blocked(both)  # not from one code

    for _ in range(10):  # a week or so, weekends included
        if (await both.stores.outbox.counts())["pending"] == 0:
            break
        both.clock.advance(days=1)
        await both.dispatch()
        if both.clock.now() - occurrence_start(occurrence) < dt.timedelta(days=3):
            assert await nobody_is_blocked(both)
    [failed] = await both.stores.outbox.failed_rows()
    assert (failed.platform, failed.chat_id) == ("zalo", zalo.chat_id(LAN))
    assert failed.occurrence_id == occurrence.id and failed.kind == "reminder"
    assert failed.last_error is not None and "while other chats received theirs" in failed.last_error
    lan = await both.stores.members.get("zalo", zalo.chat_id(LAN))
    assert lan is not None and lan.blocked_at is not None
    notices = [t for t in telegram.received(HOA) if UNREACHABLE_NOTICE in t]
    assert len(notices) == 1, telegram.received(HOA)
    assert LAN in notices[0] and "zalo" in notices[0]
    assert (await both.stores.outbox.counts())["pending"] == 0  # nothing left unsent or unreported


def occurrence_start(occurrence: OccurrenceRecord) -> dt.datetime:
    assert occurrence.next_step_at is not None
    return occurrence.next_step_at


# -- issue 11: progress as officials write it, codes as shown, plans, communes, dates ----------------

# Every phrase of the progress replies officials write, with what must be recorded (status, percent).
PHRASES = [
    *[(p, "done", 100) for p in ("xong", "xong rồi", "đã xong", "làm rồi", "đã làm", "hoàn thành",
                                 "đã hoàn thành", "ok xong", "da hoan thanh", "lam roi")],
    *[(p, "not_started", None) for p in ("chưa làm", "chưa bắt đầu", "chưa triển khai", "chua trien khai")],
    *[(p, "in_progress", pct) for p, pct in (("đang làm", None), ("đang triển khai 60 %", 60),
                                             ("được khoảng 60%", 60), ("duoc khoang 45%", 45))],
    *[(p, "blocked", None) for p in ("vướng", "khó khăn", "chưa có kinh phí", "vuong mac")],
]


async def _state(harness: Harness, agency_id: str, task_id: str, period: str):  # type: ignore[no-untyped-def]
    [occ] = [o for o in await harness.stores.occurrences.for_agency(agency_id)
             if (o.task_id, o.period) == (task_id, period)]
    return occ


async def test_every_progress_phrase_is_read_on_every_platform(harness):
    chat = harness.driver
    await register(harness, chat.platform, LAN, "stp")
    for phrase, status, percent in PHRASES:
        reply = joined(await chat.say(LAN, f"/capnhat II.3.b 2026 {phrase}"))
        assert "Đã ghi nhận: nhiệm vụ II.3.b" in reply and "hạn 14/12/2026" in reply, (phrase, reply)
        occ = await _state(harness, "stp", "ii-3b", "2026")
        assert (occ.status, occ.percent) == (status, percent), phrase
    before = await harness.stores.occurrences.history(occ.id)
    # Percentages outside 0–100 are asked back, never recorded.
    for wrong in ("dang 1100%", "1000%", "-50%"):
        reply = joined(await chat.say(LAN, f"/capnhat ii-3b 2026 {wrong}"))
        assert "từ 0 đến 100" in reply, (wrong, reply)
    assert await harness.stores.occurrences.history(occ.id) == before
    # 100% asks to confirm that the task is done.
    reply = joined(await chat.say(LAN, "/capnhat II 3 b 2026 đang làm 100%"))
    assert "100%" in reply and "hoàn thành phải không" in reply
    confirmed = joined(await chat.choose(LAN, position(chat.choices(LAN), "Đã hoàn thành")))
    assert "Đã ghi nhận" in confirmed
    assert (await _state(harness, "stp", "ii-3b", "2026")).status == "done"


async def test_a_repeated_done_never_closes_next_years_deadline(harness):
    chat = harness.driver
    await register(harness, chat.platform, LAN, "stp")
    first = joined(await chat.say(LAN, "/capnhat II.3.c đã hoàn thành"))
    assert "Áp dụng cho hạn 14/12/2026" in first and "Đã ghi nhận" in first
    again = joined(await chat.say(LAN, "/capnhat II.3.c đã hoàn thành"))
    assert "đã được báo hoàn thành" in again and "/capnhat II.3.c 2027" in again
    assert (await _state(harness, "stp", "ii-3c", "2027")).status is None
    unknown = joined(await chat.say(LAN, "/capnhat II.3.k xong"))
    assert "Không có nhiệm vụ mã «II.3.k»" in unknown and "II.3.c" in unknown


async def test_deadlines_are_set_once_corrected_and_removed_and_absurd_dates_refused(harness):
    chat = harness.driver
    await register(harness, chat.platform, HOA, "stp", "admin")
    set_once = joined(await chat.say(HOA, "/hanchot II.2.b 15/12/2026"))
    assert "Đã đặt hạn 15/12/2026" in set_once and "1 cơ quan chủ trì" in set_once
    moved = joined(await chat.say(HOA, "/hanchot ii-2b 20/12/2026"))
    assert "(thay cho hạn 15/12/2026" in moved
    mine = [o for o in await harness.stores.occurrences.for_agency("stp") if o.task_id == "ii-2b"]
    assert [(o.due, o.source) for o in mine] == [(dt.date(2026, 12, 20), "admin")]  # one, not two
    # A yearly task: the administrator's date replaces the plan's default one of that year.
    joined(await chat.say(HOA, "/hanchot II.1 10/12/2026"))
    ii1 = [o for o in await harness.stores.occurrences.for_agency("stp") if o.task_id == "ii-1"
           and o.period == "2026"]
    assert [(o.due, o.source) for o in ii1] == [(dt.date(2026, 12, 10), "admin")]
    removed = joined(await chat.say(HOA, "/hanchot II.1 xoa"))
    assert "Đã xóa hạn 10/12/2026" in removed
    assert (await _state(harness, "stp", "ii-1", "2026")).due == dt.date(2026, 12, 14)

    for absurd in ("/sukien II.6 31/12/9999", "/hanchot II.2.b 01/01/0001"):
        refused = joined(await chat.say(HOA, absurd))
        assert "không hợp lý" in refused, (absurd, refused)
    assert "không chờ sự kiện" in joined(await chat.say(HOA, "/sukien II.1 15/01/2027"))
    recorded = joined(await chat.say(HOA, "/sukien II.6 15/01/2027"))
    assert "Đã ghi nhận sự kiện" in recorded
    corrected = joined(await chat.say(HOA, "/sukien II.6 20/01/2027"))
    assert "(thay cho ngày 15/01/2027" in corrected
    assert (await _state(harness, "stp", "ii-6", "event")).due == dt.date(2027, 2, 19)
    assert "Đã xóa sự kiện" in joined(await chat.say(HOA, "/sukien II.6 xoa"))
    assert not [o for o in await harness.stores.occurrences.for_agency("stp") if o.task_id == "ii-6"]
    planned = await harness.bot.reminders.plan_occurrences()  # planning keeps working
    assert planned.added == planned.changed == planned.withdrawn == 0


async def test_each_commune_reports_for_itself_and_the_report_counts_them(harness):
    chat = harness.driver
    units = [AgencyRecord(id=f"ubnd-9900{n}", name=f"UBND xã Kiểm Thử {n}", level="commune", source="import",
                          code=f"9900{n}", started_on=dt.date(2025, 7, 1)) for n in (1, 2, 3)]
    await harness.stores.agencies.import_units(units)
    await harness.bot.reminders.plan_occurrences()
    assert not [o for o in await harness.stores.occurrences.for_agency("ubnd-cap-xa") if o.due.year >= 2026]
    await register(harness, chat.platform, LAN, "ubnd-99001")
    await register(harness, chat.platform, HOA, "stp", "admin")
    assert "Đã ghi nhận" in joined(await chat.say(LAN, "/capnhat II.1 xong"))
    states = {o.agency_id: o.status for o in await harness.stores.occurrences.for_year(2026, task_id="ii-1")}
    assert {k: v for k, v in states.items() if k.startswith("ubnd-9900")} == {
        "ubnd-99001": "done", "ubnd-99002": None, "ubnd-99003": None}  # the others are untouched
    mine = joined(await chat.say(LAN, "/nhiemvu"))
    assert "Nhiệm vụ của UBND xã Kiểm Thử 1" in mine and "nhiệm vụ II.5" in mine
    harness.clock.set(dt.datetime(2026, 12, 20, 2, 0, tzinfo=dt.UTC))
    report = joined(await chat.say(HOA, "/baocao II.1"))
    assert "1/3 xã, phường đã hoàn thành; 2 quá hạn: UBND xã Kiểm Thử 2, UBND xã Kiểm Thử 3" in report
    assert "– UBND xã Kiểm Thử 2, hạn 14/12/2026: Chưa trả lời (quá hạn)" in report
    if chat.messenger is not None:
        # The escalation names the communes that have not reported done, counted by status.
        harness.clock.set(dt.datetime(2026, 12, 30, 1, 0, tzinfo=dt.UTC))  # 08:00 in Hà Nội
        await harness.tick()
        await harness.dispatch()
        [escalation] = [t for t in chat.received(HOA) if "Cần đôn đốc: nhiệm vụ II.1 " in t]
        assert "2 xã, phường chưa báo cáo hoàn thành" in escalation
        assert "chưa trả lời (2): UBND xã Kiểm Thử 2, UBND xã Kiểm Thử 3" in escalation
        assert "UBND xã Kiểm Thử 1" not in escalation


async def test_plans_are_browsed_with_their_life(harness):
    chat = harness.driver
    plan = joined(await chat.say(LAN, "/kehoach"))
    assert "Kế hoạch kiểm thử" in plan and "Đang áp dụng." in plan
    labels = chat.choices(LAN)
    section = joined(await chat.choose(LAN, position(labels, "Mục II ")))
    assert "Chọn một nhiệm vụ" in section
    task = joined(await chat.choose(LAN, position(chat.choices(LAN), "II.3.b")))
    assert "Cơ quan chủ trì: Sở Tư pháp" in task and "Thời hạn: Hàng năm" in task
