"""Progress replies from lead agencies: buttons, free-text replies to a reminder, and /capnhat."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from handlers.conversation import Audience, Command, Conversation
from handlers.membership import MSG_NOT_REGISTERED, Membership, ended_on
from handlers.ports import Clock, Occurrences, OccurrenceView, Outbox, PendingInput
from handlers.progress_text import BLOCKED, DONE, IN_PROGRESS, NOT_STARTED, parse_progress
from handlers.task_refs import TaskRef, no_plan_in_force, resolve_task, shown_code
from handlers.types import Choice, Incoming, Reply
from knowledge.loader import Plans

PREFIX = "p:"
# Ids and percents in callback data: ASCII digits, short enough for the database's integers.
_ID = re.compile(r"^[0-9]{1,9}$")
_PERCENT = re.compile(r"^[0-9]{1,3}$")
_YEAR = re.compile(r"^[0-9]{4}$")  # "/capnhat II.1 2027 xong": the deadline of that year
STATUS_LABEL = {DONE: "hoàn thành", IN_PROGRESS: "đang thực hiện", BLOCKED: "gặp vướng mắc",
                NOT_STARTED: "chưa bắt đầu"}
PERCENT_CHOICES = (25, 50, 75, 90)
NOTE_WAIT = dt.timedelta(minutes=30)
MAX_NOTE = 500

MSG_FORBIDDEN = "Bạn không thuộc cơ quan được giao nhiệm vụ này nên không thể cập nhật tiến độ."
MSG_UNKNOWN = "Không tìm thấy nhiệm vụ này. Gõ /nhiemvu để xem nhiệm vụ của cơ quan bạn."
MSG_UPDATE_HOW = "Cập nhật: /capnhat <mã> xong | đang làm 60% | chưa làm | vướng <ghi chú>"
MSG_ASK_NOTE = "Xin nhắn nội dung vướng mắc trong một tin nhắn (ví dụ: chưa có kinh phí)."
MSG_ASK_PERCENT = "Đã thực hiện được khoảng bao nhiêu phần trăm?"
MSG_UNSURE = (
    "Tôi chưa chắc bạn muốn báo tiến độ thế nào. Xin chọn một nút dưới đây, hoặc nhắn rõ hơn, "
    "ví dụ: «đã xong», «đang làm 60%», «vướng: chưa có kinh phí»."
)
MSG_CAPNHAT_HOW = (
    "Cách dùng: /capnhat <mã nhiệm vụ> [năm] <xong|đang làm 60%|chưa làm|vướng> [ghi chú], ví dụ: "
    "/capnhat II.1 đang làm 60% hoặc /capnhat II.1 vướng chưa có kinh phí. "
    "Gõ /nhiemvu để xem mã nhiệm vụ."
)
MSG_CONFIRM_DONE = "Bạn báo 100%: nhiệm vụ đã hoàn thành phải không? Xin chọn để xác nhận."


def progress_choices(occurrence_id: int) -> tuple[Choice, ...]:
    """The answers a reminder offers as buttons (ids only in the callback data)."""
    return (Choice("✅ Hoàn thành", f"{PREFIX}{occurrence_id}:d"),
            Choice("⏳ Đang thực hiện", f"{PREFIX}{occurrence_id}:i"),
            Choice("⚠️ Gặp vướng mắc", f"{PREFIX}{occurrence_id}:b"),
            Choice("🕘 Chưa bắt đầu", f"{PREFIX}{occurrence_id}:n"))


def describe(occ: OccurrenceView) -> str:
    if occ.status is None:
        return "chưa báo cáo"
    text = STATUS_LABEL.get(occ.status, occ.status)
    if occ.status == IN_PROGRESS and occ.percent is not None:
        text += f" {occ.percent}%"
    if occ.note:
        text += f" — {occ.note}"
    return text


class Progress:
    """Record what lead agencies report on their deadlines."""

    def __init__(self, plans: Plans, membership: Membership, occurrences: Occurrences,
                 outbox: Outbox, pending: PendingInput, clock: Clock, tz: ZoneInfo):
        self.plans = plans
        self.membership = membership
        self.occurrences = occurrences
        self.outbox = outbox
        self.pending = pending
        self.clock = clock
        self.tz = tz

    def setup(self, conversation: Conversation) -> None:
        conversation.register(Command("nhiemvu", self.my_tasks, Audience.MEMBER,
                                      "xem nhiệm vụ, hạn và tình trạng của cơ quan bạn"))
        conversation.register(Command("capnhat", self.command, Audience.MEMBER,
                                      "báo cáo tiến độ một nhiệm vụ (xong, đang làm bao nhiêu %, "
                                      "chưa làm, vướng)",
                                      "<mã nhiệm vụ> [năm] <xong|đang làm 60%|chưa làm|vướng ghi chú>",
                                      "/capnhat II.1 đang làm 60%"))
        conversation.choice_handlers.append(self.on_choice)
        conversation.text_handlers.append(self.on_text)
        conversation.awaiting["note"] = self.on_note

    # -- who may update

    async def _authorised(self, msg: Incoming, occurrence_id: int
                          ) -> tuple[OccurrenceView | None, int | None, Reply | None]:
        member = await self.membership.member(msg)
        if member is None:
            return None, None, Reply(text=MSG_NOT_REGISTERED)
        occ = await self.occurrences.get(occurrence_id)
        if occ is None:
            return None, None, Reply(text=MSG_UNKNOWN)
        if occ.agency_id != member.agency_id:
            return None, None, Reply(text=MSG_FORBIDDEN)
        return occ, member.id, None

    def today(self) -> dt.date:
        return self.clock.now().astimezone(self.tz).date()

    def _task_line(self, occ: OccurrenceView) -> str:
        plan = self.plans.by_id.get(occ.plan_id)
        task = plan.tasks.get(occ.task_id) if plan else None
        if task is None:  # its plan is no longer loaded
            return f"nhiệm vụ {occ.task_id}"
        return f"nhiệm vụ {shown_code(self.plans, occ.plan_id, task)} ({task.title})"

    async def _record(self, msg: Incoming, occ: OccurrenceView, member_id: int, status: str,
                      percent: int | None, note: str | None) -> Reply:
        if status == DONE:
            percent = 100
        note = note[:MAX_NOTE] if note else None
        await self.occurrences.record_progress(occ.id, member_id, status, percent, note, self.clock.now(),
                                               key=msg.key)
        shown_percent = f" {percent}%" if status == IN_PROGRESS and percent is not None else ""
        said = STATUS_LABEL[status] + shown_percent
        text = (f"Đã ghi nhận: {self._task_line(occ)}, hạn {occ.due.strftime('%d/%m/%Y')}"
                f" — {said}" + (f"; ghi chú: {note}" if note else "") + ".")
        if status == DONE:
            text += " Bot sẽ không nhắc nhiệm vụ này nữa. Cảm ơn bạn!"
        return Reply(text=text)

    # -- buttons

    async def on_choice(self, msg: Incoming) -> list[Reply] | None:
        """Handle a progress button; None when the data is not a progress choice."""
        data = msg.choice or ""
        if not data.startswith(PREFIX):
            return None
        parts = data[len(PREFIX):].split(":")
        if len(parts) not in (2, 3) or not _ID.match(parts[0]):
            return [Reply(text=MSG_UNKNOWN)]
        occ, member_id, refusal = await self._authorised(msg, int(parts[0]))
        if refusal is not None:
            return [refusal]
        assert occ is not None and member_id is not None
        action = parts[1]
        if action == "d" and len(parts) == 2:
            return [await self._record(msg, occ, member_id, DONE, 100, None)]
        if action == "i" and len(parts) == 2:
            choices = tuple(Choice(f"{p}%", f"{PREFIX}{occ.id}:i:{p}") for p in PERCENT_CHOICES)
            return [Reply(text=MSG_ASK_PERCENT, choices=choices)]
        if action == "i" and _PERCENT.match(parts[2]) and int(parts[2]) <= 100:
            return [await self._record(msg, occ, member_id, IN_PROGRESS, int(parts[2]), None)]
        if action == "b" and len(parts) == 2:
            await self.pending.expect(msg.platform, msg.user_id, f"note:{occ.id}",
                                      self.clock.now() + NOTE_WAIT)
            return [Reply(text=MSG_ASK_NOTE)]
        if action == "n" and len(parts) == 2:
            return [await self._record(msg, occ, member_id, NOT_STARTED, None, None)]
        return [Reply(text=MSG_UNKNOWN)]

    # -- free text: the note the bot asked for, or a reply to a reminder

    async def on_note(self, msg: Incoming, occurrence_id: str) -> list[Reply]:
        """Record the note the bot asked for after a "blocked" button."""
        if not occurrence_id.isdigit():
            return [Reply(text=MSG_UNKNOWN)]
        occ, member_id, refusal = await self._authorised(msg, int(occurrence_id))
        if refusal is not None:
            return [refusal]
        assert occ is not None and member_id is not None
        return [await self._record(msg, occ, member_id, BLOCKED, None, msg.text.strip())]

    async def on_text(self, msg: Incoming) -> list[Reply] | None:
        """Read a reply to a reminder; None to let the text be answered as a question."""
        if msg.reply_to is None:
            return None
        occurrence_id = await self.outbox.occurrence_of_message(msg.platform, msg.chat_id, msg.reply_to)
        if occurrence_id is None:
            return None
        occ, member_id, refusal = await self._authorised(msg, occurrence_id)
        if refusal is not None:
            return [refusal]
        assert occ is not None and member_id is not None
        return [await self._apply_text(msg, occ, member_id, msg.text)]

    async def _apply_text(self, msg: Incoming, occ: OccurrenceView, member_id: int, text: str,
                          said: str = "") -> Reply:
        """Record what the text says about one occurrence, or ask back; never guess."""
        parsed = parse_progress(text)
        if parsed.confirm_done:
            return Reply(text=said + MSG_CONFIRM_DONE,
                         choices=(Choice("✅ Đã hoàn thành", f"{PREFIX}{occ.id}:d"),
                                  Choice("⏳ Chưa xong", f"{PREFIX}{occ.id}:i")))
        if not parsed.sure or parsed.status is None:
            return Reply(text=said + (parsed.question or MSG_UNSURE), choices=progress_choices(occ.id))
        reply = await self._record(msg, occ, member_id, parsed.status, parsed.percent, parsed.note)
        return Reply(text=said + reply.text) if said else reply

    # -- commands

    async def command(self, msg: Incoming, args: str) -> list[Reply]:
        """/capnhat <task> [year] <status> [note]: update one of the agency's deadlines of a task."""
        member = await self.membership.member(msg)
        if member is None:
            return [Reply(text=MSG_NOT_REGISTERED)]
        if not args.strip():
            return [Reply(text=MSG_CAPNHAT_HOW)]
        mine = list(await self.occurrences.for_agency(member.agency_id))
        found = resolve_task(self.plans, args, self.today(), {(o.plan_id, o.task_id) for o in mine})
        if isinstance(found, str):
            anywhere = resolve_task(self.plans, args, self.today())
            return [Reply(text=found if isinstance(anywhere, str) else MSG_FORBIDDEN)]
        ofs = sorted((o for o in mine if (o.plan_id, o.task_id) == (found.plan.id, found.task.id)),
                     key=lambda o: o.due)
        words = found.rest.split()
        if words and _YEAR.match(words[0]):
            period, text = words[0], " ".join(words[1:])
            chosen = [o for o in ofs if o.period == period or str(o.due.year) == period]
            if not chosen:
                return [Reply(text=f"Cơ quan bạn không có hạn nào của nhiệm vụ {found.task.code} "
                                   f"trong năm {period}.")]
            occ, said = chosen[0], ""
        else:
            text = found.rest
            picked = self._nearest(found, ofs)
            if isinstance(picked, Reply):
                return [picked]
            occ, said = picked, f"(Áp dụng cho hạn {occ_day(picked)}.) "
        if not text.strip():
            return [Reply(text=MSG_CAPNHAT_HOW)]
        return [await self._apply_text(msg, occ, member.id, text, said)]

    def _nearest(self, found: TaskRef, ofs: list[OccurrenceView]) -> OccurrenceView | Reply:
        """Pick the nearest open deadline; a later year's only when this year's is not already done."""
        open_ = [o for o in ofs if o.status != DONE]
        year = self.today().year
        done_now = [o for o in ofs if o.status == DONE and o.due.year == year]
        if open_ and open_[0].due.year > year and done_now:
            # A repeated "đã hoàn thành" must not close next year's deadline silently.
            nxt = open_[0]
            return Reply(text=(f"Hạn {occ_day(done_now[0])} của nhiệm vụ {found.task.code} đã được báo "
                               f"hoàn thành. Nếu bạn muốn báo cho hạn {occ_day(nxt)}, xin gõ: "
                               f"/capnhat {found.task.code} {nxt.due.year} <tiến độ>."))
        return open_[0] if open_ else ofs[-1]

    async def my_tasks(self, msg: Incoming, args: str) -> list[Reply]:
        """/nhiemvu: the sender's agency's deadlines with their status; tasks without a date listed apart."""
        member = await self.membership.member(msg)
        if member is None:
            return [Reply(text=MSG_NOT_REGISTERED)]
        name = self.membership.agency_name(member.agency_id)
        today = self.today()
        none_in_force = no_plan_in_force(self.plans, today)
        ended = ended_on(self.plans, member.agency_id)
        if ended is not None and ended <= today:
            return [Reply(text=f"{name} đã kết thúc hoạt động từ {ended.strftime('%d/%m/%Y')} "
                               "(sắp xếp đơn vị hành chính), nên không còn nhiệm vụ được nhắc hạn."
                               + (f"\n\n{none_in_force}" if none_in_force else ""))]
        occs = sorted(await self.occurrences.for_agency(member.agency_id),
                      key=lambda o: (o.due, o.plan_id, o.task_id))
        lines = []
        for o in occs:
            if o.status == DONE and o.due < today:
                continue
            late = " — QUÁ HẠN" if o.due < today and o.status != DONE else ""
            lines.append(f"• {self._task_line(o)}\n  Hạn {o.due.strftime('%d/%m/%Y')}: {describe(o)}{late}")
        reportable = bool(lines)  # /capnhat applies to a deadline: its hint only when one is listed
        dated = {(o.plan_id, o.task_id) for o in occs}
        agency = self.plans.agencies.get(member.agency_id)
        level = agency.level.value if agency is not None else None
        undated = [(p, t) for p in self.plans.in_force(today)
                   for t, role in p.tasks_for(member.agency_id, level)
                   if role == "lead" and (p.id, t.id) not in dated]
        if undated:
            lines.append("\nNhiệm vụ chủ trì chưa có hạn cụ thể (Kế hoạch không nêu ngày):")
            lines += [f"• {shown_code(self.plans, p.id, t)} {t.title}" for p, t in undated]
        if none_in_force:
            lines.append("\n" + none_in_force)
        if not lines:
            return [Reply(text=f"{name} không có nhiệm vụ nào đang mở.")]
        return [Reply(text="\n".join(lines).strip(), title=f"Nhiệm vụ của {name}",
                      note=MSG_UPDATE_HOW if reportable else None)]


def occ_day(occ: OccurrenceView) -> str:
    return occ.due.strftime("%d/%m/%Y")
