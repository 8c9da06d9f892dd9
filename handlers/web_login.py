"""/web: a one-time link into the dashboard for an administrator (10 minutes, usable once)."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from handlers.conversation import Audience, Command, Conversation
from handlers.membership import MSG_ADMIN_ONLY, Membership
from handlers.ports import Clock
from handlers.types import Incoming, Reply

LINK_TTL = dt.timedelta(minutes=10)
LOGIN_PATH = "/dang-nhap/"

MSG_NO_DASHBOARD = (
    "Trang theo dõi chưa được bật trên máy chủ này. Xin liên hệ người quản lý máy chủ "
    "(cần đặt TCPL_WEB_URL hoặc TCPL_WEB_PORT)."
)
MSG_PRIVATE_ONLY = "Để giữ an toàn, xin gõ /web trong cuộc trò chuyện riêng với bot, không gõ trong nhóm."
MSG_LINK = (
    "Mở đường dẫn sau để vào trang theo dõi tiến độ:\n{url}\n\n"
    "Đường dẫn chỉ dùng được một lần và hết hạn sau 10 phút. Xin không chuyển cho người khác."
)


class LoginLinks(Protocol):
    """Where one-time login tokens are kept (the dashboard's access store)."""

    async def create_link(self, member_id: int | None, created_by: str, now: dt.datetime,
                          ttl: dt.timedelta) -> str: ...


def login_url(base_url: str, token: str) -> str:
    """Return the address a login token opens, under the dashboard's public base URL."""
    return base_url.rstrip("/") + LOGIN_PATH + token


class WebLogin:
    """Give administrators a link into the dashboard."""

    def __init__(self, membership: Membership, links: LoginLinks, clock: Clock, base_url: str | None):
        self.membership = membership
        self.links = links
        self.clock = clock
        self.base_url = base_url

    def setup(self, conversation: Conversation) -> None:
        """Register /web."""
        conversation.register(Command("web", self.login_link, Audience.AGENCY_ADMIN,
                                      "nhận đường dẫn đăng nhập trang theo dõi (dùng một lần, 10 phút)"))

    async def login_link(self, msg: Incoming, args: str) -> list[Reply]:
        """Send an administrator a one-time login link to the dashboard."""
        # Any agency's administrator: the dashboard shows an agency's administrator its own agency only.
        me = await self.membership.agency_admin(msg)
        if me is None:
            return [Reply(text=MSG_ADMIN_ONLY)]
        if not self.base_url:
            return [Reply(text=MSG_NO_DASHBOARD)]
        # In a private chat the chat is the user on every platform; a link posted in a group is
        # readable, and usable once, by anyone in it.
        if msg.chat_id != msg.user_id:
            return [Reply(text=MSG_PRIVATE_ONLY)]
        by = f"{msg.platform}:{msg.user_id}"
        token = await self.links.create_link(me.id, by, self.clock.now(), LINK_TTL)
        return [Reply(text=MSG_LINK.format(url=login_url(self.base_url, token)),
                      title="Đăng nhập trang theo dõi")]
