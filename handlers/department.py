"""The Department answers what the bot could not: /chuatraloi, /traloi N, and its own entries in /sotay.

A short dialogue asks for the answer and its basis, shows a preview, and saves only on confirmation.
Its state lives in the pending input (one row per user, shared by every instance), as "traloi:<json>".
Only the Department's administrators may write.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from handlers.answers import provenance
from handlers.conversation import Audience, Command, Conversation
from handlers.membership import MSG_ADMIN_ONLY, Membership
from handlers.ports import Clock, MemberView, PendingInput, UnansweredQuestions
from handlers.types import Choice, Incoming, Reply
from knowledge.department import (
    MAX_ANSWER,
    MAX_CITATION,
    DepartmentEntry,
    DepartmentHandbook,
    document_named,
    invalid_fields,
    next_id,
)
from knowledge.loader import InvalidKnowledge

UNANSWERED_DAYS = 30
UNANSWERED_SHOWN = 20
DIALOGUE = "traloi"  # the pending-input kind of this dialogue
DIALOGUE_WAIT = dt.timedelta(minutes=30)
PREFIX = "t:"

MSG_NONE_DECLINED = f"Không có câu hỏi nào bị từ chối trong {UNANSWERED_DAYS} ngày qua."
MSG_ANSWER_HOW = "Gõ /traloi N để trả lời câu hỏi số N; câu trả lời được lưu vào sổ tay bổ sung của Sở."
MSG_TRALOI_HOW = "Cách dùng: /traloi N, với N là số thứ tự trong /chuatraloi (ví dụ: /traloi 1)."
MSG_NO_SUCH = "Không có câu hỏi số {n} trong danh sách. Gõ /chuatraloi để xem lại danh sách."
MSG_ASK_ANSWER = ("Câu hỏi: «{question}»\n\nXin gửi câu trả lời trong một tin nhắn (tối đa {limit} ký tự). "
                  "Gõ /traloi huy để thôi.")
MSG_ASK_CITATION = ("Xin gửi căn cứ của câu trả lời (văn bản, điều, khoản), ví dụ: «khoản 1 Điều 4 "
                    "Quyết định 27/2025/QĐ-TTg» (tối đa {limit} ký tự).")
MSG_TOO_LONG = "Nội dung dài {n} ký tự, quá giới hạn {limit} ký tự. Xin gửi lại ngắn gọn hơn."
MSG_CONFIRM = "Lưu mục này vào sổ tay bổ sung của Sở Tư pháp?"
MSG_CONFIRM_AGAIN = "Xin chọn «Lưu» hoặc «Hủy» (hoặc gõ «lưu» / «hủy»)."
MSG_SAVED = ("Đã lưu mục {id}. Bot dùng nội dung này để trả lời ngay; các máy chủ khác của bot cập nhật "
             "trong vòng một phút.")
MSG_CANCELLED = "Đã hủy, sổ tay không thay đổi."
MSG_NOTHING_PENDING = "Không có nội dung nào đang chờ lưu. Gõ /chuatraloi hoặc /sotay để bắt đầu."
MSG_INVALID = "Không lưu được vì nội dung chưa hợp lệ:\n{problems}\nSổ tay vẫn giữ nội dung cũ."
MSG_SOTAY_EMPTY = ("Sổ tay bổ sung của Sở chưa có mục nào. Gõ /chuatraloi để trả lời các câu hỏi bot chưa "
                   "trả lời được.")
MSG_SOTAY_PICK = "Các mục do Sở Tư pháp bổ sung. Chọn một mục để xem, sửa hoặc thu hồi:"
MSG_GONE = "Mục này không còn trong sổ tay bổ sung. Gõ /sotay để xem danh sách mới."
MSG_WITHDRAW_CONFIRM = "Thu hồi mục {id}? Bot sẽ không dùng nội dung này để trả lời nữa."
MSG_WITHDRAWN = "Đã thu hồi mục {id}."

YES = {"luu", "lưu", "co", "có", "dong y", "đồng ý", "ok", "1"}
NO = {"huy", "hủy", "khong", "không", "thoi", "thôi", "2"}


def refusal(exc: InvalidKnowledge) -> Reply:
    """Say why a change was not saved (the first few problems)."""
    return Reply(text=MSG_INVALID.format(problems="\n".join(f"• {p.message}" for p in exc.problems[:5])))


class DepartmentHandbookEditor(Protocol):
    """The Department's handbook as served now, and how a new version is checked, saved and served."""

    def department(self) -> DepartmentHandbook: ...

    async def save_department(self, entries: Sequence[DepartmentEntry], by: str) -> None:
        """Save the entries (raise InvalidKnowledge and change nothing when they do not validate)."""
        ...


class DepartmentAnswers:
    """The Department's administrators answer declined questions and keep their own entries."""

    def __init__(self, conversation: Conversation, membership: Membership, questions: UnansweredQuestions,
                 editor: DepartmentHandbookEditor, pending: PendingInput, clock: Clock, tz: ZoneInfo):
        self.conversation = conversation
        self.membership = membership
        self.questions = questions
        self.editor = editor
        self.pending = pending
        self.clock = clock
        self.tz = tz

    def setup(self) -> None:
        """Register /chuatraloi, /traloi, /sotay, their buttons and the dialogue's typed answers."""
        admin = Audience.ADMIN
        for command in (
            Command("chuatraloi", self.unanswered, admin,
                    f"xem các câu hỏi bot chưa trả lời được ({UNANSWERED_DAYS} ngày qua), có số thứ tự"),
            Command("traloi", self.answer, admin, "trả lời câu hỏi số N của /chuatraloi (lưu vào sổ tay Sở)",
                    "<số thứ tự>", "/traloi 1"),
            Command("sotay", self.entries, admin, "xem, sửa, thu hồi các câu trả lời Sở đã bổ sung"),
        ):
            self.conversation.register(command)
        self.conversation.choice_handlers.append(self.on_choice)
        self.conversation.awaiting[DIALOGUE] = self.on_text

    # -- the declined questions

    async def declined(self) -> Sequence[tuple[str, int]]:
        since = self.clock.now() - dt.timedelta(days=UNANSWERED_DAYS)
        return await self.questions.unanswered(since, UNANSWERED_SHOWN)

    async def unanswered(self, msg: Incoming, args: str) -> list[Reply]:
        """/chuatraloi: the questions declined most often in 30 days, numbered for /traloi."""
        if await self.membership.admin(msg) is None:
            return [Reply(text=MSG_ADMIN_ONLY)]
        rows = await self.declined()
        if not rows:
            return [Reply(text=MSG_NONE_DECLINED)]
        lines = [f"{i}. {q} ({n} lần)" for i, (q, n) in enumerate(rows, start=1)]
        return [Reply(text="\n".join(lines), title=f"Câu hỏi chưa trả lời được ({UNANSWERED_DAYS} ngày qua)",
                      note=MSG_ANSWER_HOW)]

    async def answer(self, msg: Incoming, args: str) -> list[Reply]:
        """/traloi N: start answering the N-th declined question."""
        if await self.membership.admin(msg) is None:
            return [Reply(text=MSG_ADMIN_ONLY)]
        arg = args.strip().lower()
        if arg in ("huy", "hủy"):
            await self.pending.take(msg.platform, msg.user_id, self.clock.now(), key=msg.key)
            return [Reply(text=MSG_CANCELLED)]
        if not arg.isdigit() or len(arg) > 4:
            return [Reply(text=MSG_TRALOI_HOW)]
        rows = await self.declined()
        n = int(arg)
        if not 1 <= n <= len(rows):
            return [Reply(text=MSG_NO_SUCH.format(n=n))]
        return await self._ask_answer(msg, {"question": rows[n - 1][0]})

    # -- the dialogue: answer → citation → preview → save

    async def _expect(self, msg: Incoming, draft: dict[str, Any]) -> None:
        state = f"{DIALOGUE}:{json.dumps(draft, ensure_ascii=False)}"
        await self.pending.expect(msg.platform, msg.user_id, state, self.clock.now() + DIALOGUE_WAIT)

    async def _ask_answer(self, msg: Incoming, draft: dict[str, Any]) -> list[Reply]:
        await self._expect(msg, draft | {"step": "answer"})
        return [Reply(text=MSG_ASK_ANSWER.format(question=draft["question"], limit=MAX_ANSWER))]

    async def _ask_citation(self, msg: Incoming, draft: dict[str, Any]) -> list[Reply]:
        await self._expect(msg, draft | {"step": "citation"})
        return [Reply(text=MSG_ASK_CITATION.format(limit=MAX_CITATION))]

    async def _preview(self, msg: Incoming, draft: dict[str, Any], again: bool = False) -> list[Reply]:
        await self._expect(msg, draft | {"step": "confirm"})
        today = self.clock.now().astimezone(self.tz).date()
        return [Reply(
            title=("Sửa mục " + draft["id"]) if draft.get("id") else "Xem trước mục sổ tay",
            text=f"Câu hỏi: {draft['question']}\n\nTrả lời: {draft['answer']}\n\n"
                 + (MSG_CONFIRM_AGAIN if again else MSG_CONFIRM),
            note=f"Căn cứ: {draft['citation']}\n{provenance(today)}",
            choices=(Choice("✅ Lưu", f"{PREFIX}ok"), Choice("✖ Hủy", f"{PREFIX}no")),
        )]

    async def on_text(self, msg: Incoming, data: str) -> list[Reply]:
        """Take the answer, the citation, or a typed yes/no, as the dialogue's step asks."""
        try:
            draft = json.loads(data)
            step = draft["step"]
        except (ValueError, KeyError, TypeError):
            return [Reply(text=MSG_NOTHING_PENDING)]
        admin = await self.membership.admin(msg)
        if admin is None:
            return [Reply(text=MSG_ADMIN_ONLY)]
        text = msg.text.strip()
        if step == "answer":
            if len(text) > MAX_ANSWER:
                await self._expect(msg, draft)
                return [Reply(text=MSG_TOO_LONG.format(n=len(text), limit=MAX_ANSWER))]
            draft["answer"] = text
            if draft.get("citation"):  # editing an entry: its basis stays
                return await self._preview(msg, draft)
            return await self._ask_citation(msg, draft)
        if step == "citation":
            if len(text) > MAX_CITATION:
                await self._expect(msg, draft)
                return [Reply(text=MSG_TOO_LONG.format(n=len(text), limit=MAX_CITATION))]
            draft["citation"] = text
            return await self._preview(msg, draft)
        if step == "confirm":
            said = text.lower().strip(" .!")
            if said in YES:
                return await self._save(msg, admin, draft)
            if said in NO:
                return [Reply(text=MSG_CANCELLED)]
            return await self._preview(msg, draft, again=True)
        return [Reply(text=MSG_NOTHING_PENDING)]

    async def _save(self, msg: Incoming, admin: MemberView, draft: dict[str, Any]) -> list[Reply]:
        handbook = self.editor.department()
        entries = list(handbook.entries)
        today = self.clock.now().astimezone(self.tz).date()
        by = f"{admin.display_name} ({msg.platform})"
        document = document_named(draft["citation"], self.conversation.library.validity)
        try:
            if draft.get("id"):
                old = handbook.get(draft["id"])
                if old is None:
                    return [Reply(text=MSG_GONE)]
                entry = old.model_copy(update={"answer": draft["answer"], "citation": draft["citation"],
                                               "document": document, "updated": today})
                DepartmentEntry.model_validate(entry.model_dump())
                entries = [entry if e.id == old.id else e for e in entries]
            else:
                same = next((e for e in entries if (e.question, e.answer, e.citation)
                             == (draft["question"], draft["answer"], draft["citation"])), None)
                if same is not None:  # the same confirmation handled again (a redelivered update)
                    return [Reply(text=MSG_SAVED.format(id=same.id))]
                entry = DepartmentEntry(id=next_id(entries), question=draft["question"],
                                        answer=draft["answer"], citation=draft["citation"], document=document,
                                        added=today, added_by=by)
                entries.append(entry)
            await self.editor.save_department(entries, by)
        except InvalidKnowledge as exc:
            return [refusal(exc)]
        except ValidationError as exc:
            return [Reply(text=MSG_INVALID.format(problems=f"• {invalid_fields(exc)}"))]
        return [Reply(text=MSG_SAVED.format(id=entry.id))]

    # -- buttons: save, cancel, and the /sotay entries

    async def on_choice(self, msg: Incoming) -> list[Reply] | None:
        """Handle the dialogue's and /sotay's buttons; None for other choices."""
        data = msg.choice or ""
        if not data.startswith(PREFIX):
            return None
        admin = await self.membership.admin(msg)
        if admin is None:
            return [Reply(text=MSG_ADMIN_ONLY)]
        action, _, entry_id = data[len(PREFIX):].partition(":")
        if action in ("ok", "no"):
            waiting = await self.pending.take(msg.platform, msg.user_id, self.clock.now(), key=msg.key)
            kind, _, payload = (waiting or "").partition(":")
            if kind != DIALOGUE:
                return [Reply(text=MSG_NOTHING_PENDING)]
            try:
                draft = json.loads(payload)
            except ValueError:
                return [Reply(text=MSG_NOTHING_PENDING)]
            if action == "no" or draft.get("step") != "confirm":
                return [Reply(text=MSG_CANCELLED)]
            return await self._save(msg, admin, draft)
        entry = self.editor.department().get(entry_id)
        if entry is None:
            return [Reply(text=MSG_GONE)]
        draft = {"id": entry.id, "question": entry.question, "answer": entry.answer,
                 "citation": entry.citation}
        if action == "e":
            return [self._entry_reply(entry)]
        if action == "ea":
            return await self._ask_answer(msg, draft)
        if action == "ec":
            return await self._ask_citation(msg, draft)
        if action == "w":
            return [Reply(text=MSG_WITHDRAW_CONFIRM.format(id=entry.id),
                          choices=(Choice("🗑 Thu hồi", f"{PREFIX}wy:{entry.id}"),
                                   Choice("✖ Giữ lại", f"{PREFIX}e:{entry.id}")))]
        if action == "wy":
            kept = [e for e in self.editor.department().entries if e.id != entry.id]
            try:
                await self.editor.save_department(kept, f"{admin.display_name} ({msg.platform})")
            except InvalidKnowledge as exc:
                return [refusal(exc)]
            return [Reply(text=MSG_WITHDRAWN.format(id=entry.id))]
        return [Reply(text=MSG_GONE)]

    async def entries(self, msg: Incoming, args: str) -> list[Reply]:
        """/sotay: the Department's own entries, to read, edit or withdraw."""
        if await self.membership.admin(msg) is None:
            return [Reply(text=MSG_ADMIN_ONLY)]
        entries = self.editor.department().entries
        if not entries:
            return [Reply(text=MSG_SOTAY_EMPTY)]
        return [Reply(text=MSG_SOTAY_PICK, title=f"Sổ tay bổ sung ({len(entries)} mục)",
                      choices=tuple(Choice(f"{e.id}: {e.question}", f"{PREFIX}e:{e.id}") for e in entries))]

    def _entry_reply(self, entry: DepartmentEntry) -> Reply:
        by = f" — {entry.added_by}" if entry.added_by else ""
        return Reply(
            title=f"{entry.id}: {entry.question}", text=entry.answer,
            note=f"Căn cứ: {entry.citation}\n{provenance(entry.updated or entry.added)}{by}",
            choices=(Choice("✏️ Sửa câu trả lời", f"{PREFIX}ea:{entry.id}"),
                     Choice("✏️ Sửa căn cứ", f"{PREFIX}ec:{entry.id}"),
                     Choice("🗑 Thu hồi", f"{PREFIX}w:{entry.id}")),
        )
