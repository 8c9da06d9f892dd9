"""Who is looking: one-time login links, sessions in the database, CSRF tokens and rate limiting."""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

from handlers.membership import ADMIN, is_department_admin
from handlers.ports import Clock
from storage.records import MemberRecord
from storage.web import LINK_VALID, LOGIN_OK, RATE_LIMITED, Login, WebAccessStore, WebSession, new_token

log = logging.getLogger(__name__)

COOKIE = "tcpl_session"
PRE_LOGIN_COOKIE = "tcpl_login"  # double-submit token of the login form, before there is a session
# A working day (08:00–17:00 and a little): a session opened in the morning lasts until the evening.
SESSION_TTL = dt.timedelta(hours=10)
# Failed uses of login links allowed per client address in a window, before it must wait.
ATTEMPT_WINDOW = dt.timedelta(minutes=15)
MAX_FAILED_ATTEMPTS = 10
LOGIN_LOG_KEPT = dt.timedelta(days=90)
MAX_FORM_BYTES = 16_384


class FormTooLarge(Exception):
    """A form body larger than any form of the dashboard."""


async def read_form(request: Request) -> dict[str, str]:
    """Read a small URL-encoded form (first value of each field); refuse large bodies before reading them."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise FormTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormTooLarge
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=50)
    return {k: v[0] for k, v in fields.items()}


@dataclass(frozen=True)
class Viewer:
    """A signed-in administrator and what they may see (the chat's rule: handlers.membership)."""

    session: WebSession
    token: str

    @property
    def member(self) -> MemberRecord | None:
        return self.session.member

    @property
    def agencies(self) -> frozenset[str] | None:
        """The agencies this viewer follows; None means every agency."""
        member = self.session.member
        if member is None or is_department_admin(member):
            return None
        return frozenset({member.agency_id})

    def sees(self, agency_id: str) -> bool:
        agencies = self.agencies
        return agencies is None or agency_id in agencies

    def csrf_ok(self, submitted: str | None) -> bool:
        return submitted is not None and hmac.compare_digest(submitted, self.session.csrf_token)

    @property
    def name(self) -> str:
        member = self.session.member
        return member.display_name if member is not None else "Người quản lý máy chủ"


class Access:
    """Sign administrators in and out, and tell each request who is looking."""

    def __init__(self, store: WebAccessStore, clock: Clock, secure_cookies: bool):
        self.store = store
        self.clock = clock
        self.secure = secure_cookies

    async def viewer(self, request: Request) -> Viewer | None:
        """Return the signed-in administrator of this request, or None."""
        token = request.cookies.get(COOKIE)
        if not token or len(token) > 200:
            return None
        session = await self.store.session(token, self.clock.now())
        if session is None:
            return None
        # A member who is no longer an administrator loses the dashboard at once.
        if session.member is not None and session.member.role != ADMIN:
            return None
        return Viewer(session, token)

    async def link_state(self, token: str) -> str:
        return await self.store.link_state(token, self.clock.now())

    async def login(self, token: str, client: str) -> Login:
        """Use a login link from a client address, rate-limited and logged."""
        now = self.clock.now()
        if await self.store.failed_attempts(client, now - ATTEMPT_WINDOW) >= MAX_FAILED_ATTEMPTS:
            await self.store.record_attempt(client, RATE_LIMITED, None, now)
            log.warning("dashboard login refused: too many failed attempts from %s", client)
            return Login(RATE_LIMITED)
        result = await self.store.login(token, now, SESSION_TTL)
        await self.store.record_attempt(client, result.outcome, result.member_id, now)
        if result.outcome == LOGIN_OK:
            who = f"member {result.member_id}" if result.member_id is not None else "the operator"
            log.info("dashboard login: %s from %s", who, client)
            await self.store.prune(now, LOGIN_LOG_KEPT)
        else:
            log.warning("dashboard login refused (%s link) from %s", result.outcome, client)
        return result

    async def logout(self, viewer: Viewer) -> None:
        await self.store.logout(viewer.token)
        who = f"member {viewer.member.id}" if viewer.member is not None else "the operator"
        log.info("dashboard logout: %s", who)

    def set_session_cookie(self, response: Response, token: str) -> None:
        response.set_cookie(COOKIE, token, max_age=int(SESSION_TTL.total_seconds()), httponly=True,
                            samesite="lax", secure=self.secure, path="/")

    def clear_session_cookie(self, response: Response) -> None:
        response.delete_cookie(COOKIE, httponly=True, samesite="lax", secure=self.secure, path="/")

    def pre_login_token(self, request: Request) -> str:
        """Return the login form's double-submit token (kept in a short-lived cookie)."""
        existing = request.cookies.get(PRE_LOGIN_COOKIE, "")
        return existing if 20 <= len(existing) <= 100 else new_token()

    def set_pre_login_cookie(self, response: Response, value: str) -> None:
        response.set_cookie(PRE_LOGIN_COOKIE, value, max_age=900, httponly=True, samesite="strict",
                            secure=self.secure, path="/dang-nhap/")

    @staticmethod
    def pre_login_ok(request: Request, submitted: str | None) -> bool:
        expected = request.cookies.get(PRE_LOGIN_COOKIE)
        return bool(expected and submitted and hmac.compare_digest(expected, submitted))


__all__ = ["Access", "FormTooLarge", "LINK_VALID", "Viewer", "read_form"]
