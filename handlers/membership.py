"""Who is who: registration with an invite code, roles, and the administrators' member tools."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from handlers.conversation import Audience, Command, Conversation
from handlers.ports import Clock, Invites, Members, MemberView
from handlers.types import Incoming, Reply
from knowledge.loader import Plans
from knowledge.schema import AgencyLevel

ADMIN = "admin"
MEMBER = "member"
# The Department of Justice's agency id in the plan files: its administrators run the bot for the
# province; an administrator of another agency manages only that agency's people (see README).
DEPARTMENT = "stp"
ROLE_NAMES = {ADMIN: "quản trị viên", MEMBER: "thành viên"}

MSG_REGISTER_HOW = "Bạn hãy gõ /dangky kèm mã mời do Sở Tư pháp cấp, ví dụ: /dangky K7MX2QPA"
MSG_BAD_CODE = (
    "Mã mời không đúng, đã được dùng hoặc đã hết hạn. Bạn hãy xin mã mới từ quản trị viên của Sở Tư pháp."
)
MSG_REGISTERED = "Đăng ký thành công. Bạn là {role} của {agency}."
MSG_NOT_REGISTERED = "Bạn chưa đăng ký. " + MSG_REGISTER_HOW
MSG_ADMIN_ONLY = "Chỉ quản trị viên của Sở Tư pháp mới dùng được lệnh này."
MSG_OWN_AGENCY_ONLY = (
    "Quản trị viên của {agency} chỉ mời được thành viên cho cơ quan mình, ví dụ: /moi {agency_id}. "
    "Mời cho cơ quan khác hoặc cấp quyền quản trị do quản trị viên của Sở Tư pháp thực hiện."
)
MSG_INVITE_HOW = (
    "Cách dùng: /moi <mã cơ quan> [admin|member], ví dụ: /moi stp admin. "
    "Gõ /coquan để xem mã các cơ quan."
)
# Why an agency cannot receive invites; the caller adds where to find the ids (chat or command line).
MSG_UNKNOWN_AGENCY = "Không có cơ quan mã «{agency}»."
MSG_GROUP_AGENCY = "«{name}» là một nhóm cơ quan; hãy mời cho từng cơ quan trong nhóm."
MSG_UNNAMED_AGENCIES = (
    "«{name}» không phải là một cơ quan cụ thể (Kế hoạch không nêu tên); hãy mời cho cơ quan cụ thể."
)
MSG_ENDED_AGENCY = "«{name}» đã kết thúc hoạt động từ {day}; không thể mời thành viên cho cơ quan này."
HINT_AGENCY_IDS = "Gõ /coquan để xem mã các cơ quan."

_CODE = re.compile(r"^[A-Za-z0-9 -]{4,40}$")  # people add spaces or dashes


def local_time(moment: dt.datetime, tz: ZoneInfo) -> str:
    """Format a UTC moment as Vietnamese officials read it: 14:30 ngày 26/11/2026."""
    return moment.astimezone(tz).strftime("%H:%M ngày %d/%m/%Y")


def is_department_admin(member: MemberView | None) -> bool:
    """Tell whether a member administers the bot for the whole province (the Department's admins):
    they follow every agency; another agency's administrator follows only their own."""
    return member is not None and member.role == ADMIN and member.agency_id == DEPARTMENT


def ended_on(plan: Plans, agency_id: str) -> dt.date | None:
    """Return the day an agency ceased to act, or None while it acts.

    The Department runs the bot whatever its plans say: when the only plan loaded has ended (with the
    former province's agencies), its administrators are still invited, to load the plan in force.
    """
    agency = plan.agencies.get(agency_id)
    return None if agency is None or agency_id == DEPARTMENT else agency.ended_on


class Membership:
    """Registration, identity and the administrators' tools."""

    def __init__(self, plan: Plans, members: Members, invites: Invites, clock: Clock, tz: ZoneInfo,
                 invite_ttl: dt.timedelta):
        self.plan = plan
        self.members = members
        self.invites = invites
        self.clock = clock
        self.tz = tz
        self.invite_ttl = invite_ttl

    def setup(self, conversation: Conversation) -> None:
        """Register this use case's commands, and tell the conversation who a sender is."""
        anyone, admin, agency_admin = Audience.ANYONE, Audience.ADMIN, Audience.AGENCY_ADMIN
        for command in (
            Command("dangky", self.register, anyone, "đăng ký bằng mã mời do Sở Tư pháp cấp", "<mã mời>",
                    "/dangky K7MX2QPA"),
            Command("toi", self.whoami, anyone, "xem bạn đã đăng ký cho cơ quan nào, với vai trò gì"),
            Command("moi", self.invite, agency_admin, "tạo mã mời cho cán bộ của một cơ quan",
                    "<mã cơ quan> [admin|member]", "/moi cong-an-tinh"),
            Command("coquan", self.agencies, admin, "xem mã các cơ quan (dùng khi tạo mã mời)"),
            Command("thanhvien", self.list_members, agency_admin,
                    "xem các thành viên đã đăng ký (quản trị viên của một cơ quan: cơ quan mình)"),
        ):
            conversation.register(command)
        conversation.audience_of = self.audience

    async def audience(self, msg: Incoming) -> Audience:
        """Say which commands the sender may use: anyone's, a member's, an agency administrator's
        (their own people: /moi, /thanhvien, /web) or the Department administrator's (all)."""
        m = await self.member(msg)
        if m is None:
            return Audience.ANYONE
        if is_department_admin(m):
            return Audience.ADMIN
        return Audience.AGENCY_ADMIN if m.role == ADMIN else Audience.MEMBER

    def agency_name(self, agency_id: str) -> str:
        agency = self.plan.agencies.get(agency_id)
        return agency.name if agency else agency_id

    async def member(self, msg: Incoming) -> MemberView | None:
        return await self.members.get(msg.platform, msg.user_id)

    async def admin(self, msg: Incoming) -> MemberView | None:
        """Return the sender when an administrator of the Department of Justice, else None."""
        m = await self.member(msg)
        return m if is_department_admin(m) else None

    async def agency_admin(self, msg: Incoming) -> MemberView | None:
        """Return the sender when an administrator of any agency (the Department's included), else None."""
        m = await self.member(msg)
        return m if m is not None and m.role == ADMIN else None

    async def register(self, msg: Incoming, args: str) -> list[Reply]:
        """Register the sender for an agency with a one-time invite code."""
        code = args.strip()
        if not code:
            return [Reply(text=MSG_REGISTER_HOW)]
        if not _CODE.match(code):
            return [Reply(text=MSG_BAD_CODE)]
        member = await self.invites.redeem_and_register(
            code, self.clock.now(), msg.platform, msg.chat_id, msg.user_id,
            (msg.display_name or msg.user_id)[:100],
        )
        if member is None:
            return [Reply(text=MSG_BAD_CODE)]
        return [Reply(text=MSG_REGISTERED.format(role=ROLE_NAMES.get(member.role, member.role),
                                                 agency=self.agency_name(member.agency_id)))]

    async def whoami(self, msg: Incoming, args: str) -> list[Reply]:
        """Tell the sender who the bot thinks they are."""
        m = await self.member(msg)
        if m is None:
            return [Reply(text=MSG_NOT_REGISTERED)]
        text = (f"Họ tên: {m.display_name}\nCơ quan: {self.agency_name(m.agency_id)} ({m.agency_id})\n"
                f"Vai trò: {ROLE_NAMES.get(m.role, m.role)}\n"
                f"Đăng ký lúc: {local_time(m.joined_at, self.tz)}")
        return [Reply(text=text, title="Thông tin của bạn")]

    async def agencies(self, msg: Incoming, args: str) -> list[Reply]:
        """List agency ids, for administrators who write invites."""
        if await self.admin(msg) is None:
            return [Reply(text=MSG_ADMIN_ONLY)]
        today = self.clock.now().astimezone(self.tz).date()
        lines = [f"{a.id} — {a.name}" for a in self.plan.agencies.values()
                 if self.invitable(self.plan, a.id, today) is None]
        return [Reply(text="\n".join(lines), title="Mã các cơ quan")]

    async def invite(self, msg: Incoming, args: str) -> list[Reply]:
        """Create a one-time invite code: the Department's administrators for any agency and role,
        another agency's administrators for members of their own agency."""
        me = await self.agency_admin(msg)
        if me is None:
            return [Reply(text=MSG_ADMIN_ONLY)]
        # An agency's administrator is shown its own usage: /coquan and other agencies are not theirs.
        own_only = [Reply(text=MSG_OWN_AGENCY_ONLY.format(agency=self.agency_name(me.agency_id),
                                                          agency_id=me.agency_id))]
        parts = args.split()
        if not parts or len(parts) > 2 or (len(parts) == 2 and parts[1].lower() not in ROLE_NAMES):
            return [Reply(text=MSG_INVITE_HOW)] if is_department_admin(me) else own_only
        agency_id = parts[0].lower()
        role = parts[1].lower() if len(parts) == 2 else MEMBER
        if not is_department_admin(me) and (agency_id != me.agency_id or role != MEMBER):
            return own_only
        problem = self.invitable(self.plan, agency_id, self.clock.now().astimezone(self.tz).date())
        if problem:
            return [Reply(text=f"{problem} {HINT_AGENCY_IDS}")]
        inv = await self.invites.create(agency_id, role, f"{msg.platform}:{msg.user_id}",
                                        self.clock.now(), self.invite_ttl)
        text = (f"Mã mời: {inv.code}\nCơ quan: {self.agency_name(agency_id)}\n"
                f"Vai trò: {ROLE_NAMES[role]}\nHết hạn: {local_time(inv.expires_at, self.tz)}\n\n"
                f"Người được mời gõ: /dangky {inv.code}\nMã chỉ dùng được một lần.")
        return [Reply(text=text, title="Đã tạo mã mời")]

    @staticmethod
    def invitable(plan: Plans, agency_id: str, today: dt.date) -> str | None:
        """Return why an agency cannot receive invites, or None when it can.

        Invites go to agencies people work for. A group that names its members is invited member by
        member; a group without members stands for real agencies only at the commune level (each
        commune's committee, until the communes are listed one by one); "the relevant agencies" of a
        plan name nobody.
        """
        agency = plan.agencies.get(agency_id)
        if agency is None:
            return MSG_UNKNOWN_AGENCY.format(agency=agency_id[:40])
        if agency.group and (agency.members or (agency.commune_group and plan.imported)):
            # Once the communes are imported (tcpl agencies import), each commune is invited itself.
            return MSG_GROUP_AGENCY.format(name=agency.name)
        if agency.group and agency.level != AgencyLevel.COMMUNE:
            return MSG_UNNAMED_AGENCIES.format(name=agency.name)
        ended = ended_on(plan, agency_id)
        if ended is not None and ended <= today:
            return MSG_ENDED_AGENCY.format(name=agency.name, day=ended.strftime("%d/%m/%Y"))
        return None

    async def list_members(self, msg: Incoming, args: str) -> list[Reply]:
        """List registered members by agency: all for the Department's administrators, their own
        agency's for another agency's administrators."""
        me = await self.agency_admin(msg)
        if me is None:
            return [Reply(text=MSG_ADMIN_ONLY)]
        members = await (self.members.all() if is_department_admin(me)
                         else self.members.by_agency(me.agency_id))
        if not members:
            return [Reply(text="Chưa có thành viên nào.")]
        by_agency: dict[str, list[MemberView]] = {}
        for m in members:
            by_agency.setdefault(m.agency_id, []).append(m)
        blocks = []
        for agency_id, ms in sorted(by_agency.items(), key=lambda kv: self.agency_name(kv[0])):
            lines = [f"• {m.display_name} ({ROLE_NAMES.get(m.role, m.role)}, {m.platform})" for m in ms]
            blocks.append(f"{self.agency_name(agency_id)}:\n" + "\n".join(lines))
        return [Reply(text="\n\n".join(blocks), title=f"Thành viên ({len(members)})")]
