"""The dashboard's ASGI application (Starlette): routes, pages and the headers every response carries."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from handlers.department import UNANSWERED_DAYS, UNANSWERED_SHOWN
from handlers.membership import ROLE_NAMES, Membership
from handlers.ports import Clock, OccurrenceView
from handlers.reminders import PROACTIVE_PLATFORMS, Reminders, escalation_key_prefix
from handlers.reports import COLUMNS, OVERDUE, ProgressReport, WorkbookWriter, build_report, status_buckets
from handlers.types import Incoming
from knowledge.loader import PlanData, Plans
from knowledge.schema import Task
from storage.dashboard import DashboardReads
from storage.records import DeliveryRecord, MemberRecord
from storage.repositories import MemberStore, QuestionLog
from storage.tracking import OccurrenceStore
from storage.web import LINK_EXPIRED, LINK_USED, LINK_VALID, LOGIN_OK, RATE_LIMITED, WebAccessStore
from web import charts
from web.access import Access, FormTooLarge, Viewer, read_form
from web.views import (
    Filters,
    column_label,
    groups,
    progress_matrix,
    read_filters,
    status_class,
    status_text,
    week_label,
    weekly_counts,
    year_choices,
)

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
QUESTION_DAYS = UNANSWERED_DAYS  # the window of /chuatraloi, so the page's numbers are /traloi's
UPCOMING_DAYS = 30
TREND_WEEKS = 12

# (path, label, for the Department only): what chat keeps to the Department stays so here.
NAV = (
    ("/", "Tổng quan", False),
    ("/tien-do", "Tiến độ", False),
    ("/qua-han", "Quá hạn", False),
    ("/nhac-han", "Nhắc hạn", False),
    ("/cau-hoi", "Câu hỏi", True),
    ("/thanh-vien", "Thành viên", False),
    ("/tai-ve", "Tải về", False),
)
DELIVERY_TEXT = {"sent": "Đã gửi", "failed": "Không gửi được", "sending": "Đang gửi", "pending": "Chờ gửi"}
KIND_TEXT = {"before": "Trước hạn", "on_the_day": "Đúng hạn", "overdue": "Quá hạn",
             "escalation": "Báo quản trị viên", "reminder": "Nhắc hạn"}
LOGIN_REFUSED = {
    LINK_USED: "Đường dẫn này đã được dùng. Mỗi đường dẫn chỉ dùng được một lần.",
    LINK_EXPIRED: "Đường dẫn này đã hết hạn (sau 10 phút).",
    RATE_LIMITED: "Có quá nhiều lần đăng nhập không thành công từ máy này. Xin thử lại sau 15 phút.",
}
MSG_LOGIN_UNKNOWN = "Đường dẫn đăng nhập không đúng."
MSG_LOGIN_HOW = "Gõ /web trong cuộc trò chuyện với bot (quản trị viên) để nhận đường dẫn đăng nhập mới."
MSG_FORM_EXPIRED = "Biểu mẫu đã hết hạn hoặc không hợp lệ. Xin tải lại trang rồi thử lại."
MSG_NOT_FOUND = "Không tìm thấy trang này."
MSG_OWN_AGENCY_ONLY = "Bạn chỉ mời được thành viên cho cơ quan của mình."
MSG_QUESTIONS_DEPARTMENT_ONLY = (
    "Chỉ quản trị viên của Sở Tư pháp xem được các câu hỏi bot chưa trả lời được "
    "(như lệnh /chuatraloi trong chat)."
)


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard reads, and the use cases it calls, wired once by bot/."""

    plans: Plans
    membership: Membership
    reminders: Reminders
    occurrences: OccurrenceStore
    members: MemberStore
    questions: QuestionLog
    access: WebAccessStore
    reads: DashboardReads
    workbook: WorkbookWriter
    report_csv: Callable[[ProgressReport, ZoneInfo], bytes]
    clock: Clock
    tz: ZoneInfo
    secure_cookies: bool = False


def delivery_text(d: DeliveryRecord) -> str:
    """Say what became of a message: sent, refused (with the platform's reason), or waiting."""
    if d.status == "pending" and d.last_error:
        return "Bị từ chối, sẽ gửi lại"
    return DELIVERY_TEXT.get(d.status, d.status)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(status_text=status_text, column_label=column_label, status_class=status_class,
                       delivery_text=delivery_text, kind_text=lambda k: KIND_TEXT.get(k, k), nav=NAV,
                       role_name=lambda r: ROLE_NAMES.get(r, r))
    env.filters["day"] = lambda d: d.strftime("%d/%m/%Y") if d else ""
    return env


class SecurityHeaders:
    """Every response: no framing, no sniffing, no referrer (login links never leak), only our own files."""

    CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
           "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", self.CSP.encode()),
                            (b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                            (b"referrer-policy", b"no-referrer")]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


Page = Callable[["Pages", Request, Viewer], Awaitable[Response]]


def signed_in(page: Page) -> Callable[[Pages, Request], Awaitable[Response]]:
    """Serve a page only to a signed-in administrator; send anyone else to the login page."""

    async def endpoint(self: Pages, request: Request) -> Response:
        viewer = await self.access.viewer(request)
        if viewer is None:
            if request.method == "GET":
                return RedirectResponse("/dang-nhap", status_code=303)
            return self.message(request, None, "Phiên đăng nhập đã hết hạn", MSG_LOGIN_HOW, 401)
        return await page(self, request, viewer)

    endpoint.__name__ = page.__name__
    return endpoint


class Pages:
    """The dashboard's pages; each reads through the stores and the handlers' rules."""

    def __init__(self, dashboard: Dashboard):
        self.d = dashboard
        self.access = Access(dashboard.access, dashboard.clock, dashboard.secure_cookies)
        self.env = _environment()

    # ------------------------------------------------------------------------------------ helpers

    def render(self, request: Request, template: str, viewer: Viewer | None, status: int = 200,
               **context: Any) -> HTMLResponse:
        html = self.env.get_template(template).render(viewer=viewer, active=request.url.path,
                                                       plan=self.shown_plan(request).plan, **context)
        return HTMLResponse(html, status_code=status)

    def message(self, request: Request, viewer: Viewer | None, title: str, text: str, status: int
                ) -> HTMLResponse:
        return self.render(request, "message.html", viewer, status=status, title=title, text=text)

    def now_local(self) -> dt.datetime:
        return self.d.clock.now().astimezone(self.d.tz)

    def local(self, moment: dt.datetime | None) -> str:
        return moment.astimezone(self.d.tz).strftime("%H:%M %d/%m/%Y") if moment else ""

    def filters(self, request: Request) -> Filters:
        return read_filters(dict(request.query_params), self.d.plans, self.now_local().date())

    def shown_plan(self, request: Request) -> PlanData:
        return self.d.plans.by_id[self.filters(request).plan]

    async def year_occurrences(self, viewer: Viewer, f: Filters) -> list[OccurrenceView]:
        """Return the year's deadlines of the chosen plan that the viewer may see."""
        return [o for o in await self.d.occurrences.for_year(f.year, f.plan) if viewer.sees(o.agency_id)]

    def filter_context(self, f: Filters) -> dict[str, Any]:
        return {"filters": f, "years": year_choices(self.now_local().year),
                "groups": groups(self.d.plans.by_id[f.plan]), "statuses": COLUMNS,
                "plans": [(p.id, p.plan.title) for p in self.d.plans]}

    def task_of(self, plan_id: str, task_id: str) -> Task | None:
        """Return a task of a loaded plan, or None (its plan is no longer loaded)."""
        plan = self.d.plans.by_id.get(plan_id)
        return plan.tasks.get(task_id) if plan is not None else None

    # ------------------------------------------------------------------------------------ sign in

    async def login_page(self, request: Request) -> Response:
        """Explain how to get a login link."""
        return self.message(request, await self.access.viewer(request), "Đăng nhập", MSG_LOGIN_HOW, 200)

    async def login_link(self, request: Request) -> Response:
        """GET: ask to confirm (a link preview must not use the link up); POST: use it and open a session."""
        token = request.path_params["token"]
        if len(token) > 100:
            return self.message(request, None, "Không đăng nhập được", MSG_LOGIN_UNKNOWN, 404)
        if request.method == "GET":
            state = await self.access.link_state(token)
            if state != LINK_VALID:
                return self.refused(request, state)
            form_token = self.access.pre_login_token(request)
            response = self.render(request, "login.html", None, title="Đăng nhập", form_token=form_token,
                                   action=request.url.path)
            self.access.set_pre_login_cookie(response, form_token)
            return response
        try:
            form = await read_form(request)
        except FormTooLarge:
            return self.message(request, None, "Không đăng nhập được", MSG_FORM_EXPIRED, 413)
        if not self.access.pre_login_ok(request, form.get("form")):
            return self.message(request, None, "Không đăng nhập được", MSG_FORM_EXPIRED, 403)
        client = request.client.host if request.client else "unknown"
        result = await self.access.login(token, client)
        if result.outcome != LOGIN_OK or result.session_token is None:
            return self.refused(request, result.outcome)
        signed_in = RedirectResponse("/", status_code=303)
        self.access.set_session_cookie(signed_in, result.session_token)
        return signed_in

    def refused(self, request: Request, outcome: str) -> Response:
        text = LOGIN_REFUSED.get(outcome, MSG_LOGIN_UNKNOWN) + " " + MSG_LOGIN_HOW
        status = 429 if outcome == RATE_LIMITED else 410 if outcome in LOGIN_REFUSED else 404
        return self.message(request, None, "Không đăng nhập được", text, status)

    @signed_in
    async def logout(self, request: Request, viewer: Viewer) -> Response:
        """End the session (a form with the CSRF token, so another site cannot sign anyone out)."""
        form = await self.form(request)
        if form is None or not viewer.csrf_ok(form.get("csrf")):
            return self.message(request, viewer, "Không thực hiện được", MSG_FORM_EXPIRED, 403)
        await self.access.logout(viewer)
        response = self.message(request, None, "Đã đăng xuất", "Bạn đã đăng xuất. " + MSG_LOGIN_HOW, 200)
        self.access.clear_session_cookie(response)
        return response

    async def form(self, request: Request) -> dict[str, str] | None:
        try:
            return await read_form(request)
        except FormTooLarge:
            return None

    # ------------------------------------------------------------------------------------ Tổng quan

    @signed_in
    async def overview(self, request: Request, viewer: Viewer) -> Response:
        """Counts per status, a bar per task, and progress reports per week."""
        f = self.filters(request)
        now = self.d.clock.now()
        occurrences = await self.year_occurrences(viewer, f)
        report = build_report(self.d.plans, occurrences, f.year, now, self.d.tz)
        totals: Counter[str] = Counter()
        for row in report.by_task:
            totals.update(row.counts)
            totals["total"] += row.total
        parts = [c for c in COLUMNS if c != OVERDUE]  # overdue overlaps the others: shown in the table
        task_chart = charts.stacked_bars(
            f"Tình trạng các nhiệm vụ năm {f.year}",
            [(r.label.split(" ", 1)[0], [(status_class(c), r.counts[c]) for c in parts])
             for r in report.by_task])
        since = now - dt.timedelta(weeks=TREND_WEEKS)
        moments = [at for at, agency in await self.d.reads.progress_times(since) if viewer.sees(agency)]
        weeks = weekly_counts(moments, self.now_local().date(), self.d.tz, TREND_WEEKS)
        trend = charts.column_bars("Số báo cáo tiến độ mỗi tuần",
                                   [(week_label(w.start), w.count) for w in weeks])
        return self.render(request, "overview.html", viewer, title="Tổng quan", report=report, totals=totals,
                           parts=parts, task_chart=task_chart, trend=trend, weeks=weeks,
                           **self.filter_context(f))

    # ------------------------------------------------------------------------------------ Tiến độ

    @signed_in
    async def progress(self, request: Request, viewer: Viewer) -> Response:
        """The task × agency matrix of a year, with its filters."""
        f = self.filters(request)
        occurrences = await self.year_occurrences(viewer, f)
        matrix = progress_matrix(self.d.plans.by_id[f.plan], self.d.plans.agencies, occurrences,
                                 self.now_local().date(), f)
        return self.render(request, "progress.html", viewer, title="Tiến độ", matrix=matrix,
                           **self.filter_context(f))

    @signed_in
    async def occurrence(self, request: Request, viewer: Viewer) -> Response:
        """One deadline's history: every progress report, and every reminder with its delivery."""
        occurrence_id = request.path_params["occurrence_id"]
        # Ids are 32-bit integers in both databases: a larger number names no deadline.
        occ = await self.d.occurrences.get(occurrence_id) if occurrence_id < 2**31 else None
        task = self.task_of(occ.plan_id, occ.task_id) if occ is not None else None
        if occ is None or task is None or not viewer.sees(occ.agency_id):
            return self.message(request, viewer, "Không tìm thấy", MSG_NOT_FOUND, 404)
        buckets = status_buckets(occ, self.now_local().date())
        return self.render(
            request, "occurrence.html", viewer, title=f"Nhiệm vụ {task.code}",
            occ=occ, task=task, agency=self.agency_name(occ.agency_id),
            overdue=OVERDUE in buckets, history=await self.d.occurrences.history(occ.id),
            deliveries=await self.d.reads.deliveries(occ.id), local=self.local)

    def agency_name(self, agency_id: str) -> str:
        agency = self.d.plans.agencies.get(agency_id)
        return agency.name if agency else agency_id

    # ------------------------------------------------------------------------------------ Quá hạn

    @signed_in
    async def overdue(self, request: Request, viewer: Viewer) -> Response:
        """What is overdue, since when, who could act on it, and the last reminder and escalation."""
        today = self.now_local().date()
        window = await self.d.occurrences.in_window(today - dt.timedelta(days=3 * 366), today)
        tasks = {(o.plan_id, o.task_id): self.task_of(o.plan_id, o.task_id) for o in window}
        late = [o for o in window if viewer.sees(o.agency_id) and tasks[(o.plan_id, o.task_id)] is not None
                and OVERDUE in status_buckets(o, today)]
        late.sort(key=lambda o: (o.due, tasks[(o.plan_id, o.task_id)].code,  # type: ignore[union-attr]
                                 self.agency_name(o.agency_id)))
        members: dict[str, list[MemberRecord]] = defaultdict(list)
        for m in await self.d.members.all():
            members[m.agency_id].append(m)
        last_reminder = await self.d.reads.latest_deliveries(o.id for o in late)
        escalations: dict[tuple[str, str, dt.date], DeliveryRecord | None] = {}
        for o in late:
            key = (o.plan_id, o.task_id, o.due)
            if key not in escalations:
                escalations[key] = await self.d.reads.latest_by_key_prefix(escalation_key_prefix(*key))
        rows = [{
            "occ": o, "task": tasks[(o.plan_id, o.task_id)], "agency": self.agency_name(o.agency_id),
            "days": (today - o.due).days, "members": members.get(o.agency_id, []),
            "reminder": last_reminder.get(o.id), "escalation": escalations[(o.plan_id, o.task_id, o.due)],
        } for o in late]
        return self.render(request, "overdue.html", viewer, title="Quá hạn", rows=rows, local=self.local,
                           reachable=lambda m: m.blocked_at is None and m.platform in PROACTIVE_PLATFORMS)

    # ------------------------------------------------------------------------------------ Nhắc hạn

    @signed_in
    async def upcoming(self, request: Request, viewer: Viewer) -> Response:
        """The reminders and escalations of the next 30 days (what `tcpl reminders preview` prints)."""
        today = self.now_local().date()
        planned = [r for r in await self.d.reminders.preview(today, UPCOMING_DAYS)
                   if viewer.sees(r.agency_id)]
        rows = [{"at": self.local(r.send_at), "kind": r.kind.value,
                 "task": self.task_of(r.plan_id, r.task_id), "agency": self.agency_name(r.agency_id),
                 "due": r.due} for r in planned]
        return self.render(request, "upcoming.html", viewer, title="Nhắc hạn", rows=rows, days=UPCOMING_DAYS,
                           start=today)

    # ------------------------------------------------------------------------------------ Câu hỏi

    @signed_in
    async def questions(self, request: Request, viewer: Viewer) -> Response:
        """The questions the bot declined most often in the last 30 days, with /traloi N for the first."""
        if viewer.agencies is not None:  # the chat's rule: /chuatraloi is the Department's
            return self.message(request, viewer, "Câu hỏi", MSG_QUESTIONS_DEPARTMENT_ONLY, 403)
        since = self.d.clock.now() - dt.timedelta(days=QUESTION_DAYS)
        rows = await self.d.questions.declined(since, 100)
        # The same window and order as /chuatraloi: the first rows carry the number /traloi takes.
        return self.render(request, "questions.html", viewer, title="Câu hỏi", rows=rows, days=QUESTION_DAYS,
                           local=self.local, answerable=UNANSWERED_SHOWN)

    # ------------------------------------------------------------------------------------ Thành viên

    @signed_in
    async def members(self, request: Request, viewer: Viewer) -> Response:
        """Agencies, their registered members and platforms, and a form to create an invite code."""
        return await self.members_page(request, viewer)

    async def members_page(self, request: Request, viewer: Viewer, notice: str | None = None,
                           status: int = 200) -> Response:
        today = self.now_local().date()
        by_agency: dict[str, list[MemberRecord]] = defaultdict(list)
        for m in await self.d.members.all():
            by_agency[m.agency_id].append(m)
        agencies = [a for a in self.d.plans.agencies.values()
                    if viewer.sees(a.id) and not (a.group and a.members)]
        invitable = [a for a in agencies if Membership.invitable(self.d.plans, a.id, today) is None]
        return self.render(request, "members.html", viewer, status=status, title="Thành viên",
                           agencies=agencies, by_agency=by_agency, invitable=invitable, notice=notice,
                           roles=ROLE_NAMES, local=self.local)

    @signed_in
    async def invite(self, request: Request, viewer: Viewer) -> Response:
        """Create an invite code under the chat's rules (/moi), shown on the members page."""
        form = await self.form(request)
        if form is None or not viewer.csrf_ok(form.get("csrf")):
            return self.message(request, viewer, "Không thực hiện được", MSG_FORM_EXPIRED, 403)
        agency_id, role = form.get("agency", "")[:60], form.get("role", "")[:10]
        if not viewer.sees(agency_id):
            return await self.members_page(request, viewer, MSG_OWN_AGENCY_ONLY, 403)
        member = viewer.member
        if member is not None:
            # The administrator's own /moi, as if typed in chat: the same checks, the same answer.
            me = Incoming(platform=member.platform, chat_id=member.chat_id, user_id=member.user_id,
                          text=f"/moi {agency_id} {role}")
            replies = await self.d.membership.invite(me, f"{agency_id} {role}")
            return await self.members_page(request, viewer, "\n".join(r.text for r in replies))
        # The server's operator, as `tcpl invite create` does.
        now = self.d.clock.now()
        problem = Membership.invitable(self.d.plans, agency_id, now.astimezone(self.d.tz).date())
        if problem is not None or role not in ROLE_NAMES:
            return await self.members_page(request, viewer, problem or "Vai trò không hợp lệ.", 400)
        inv = await self.d.membership.invites.create(agency_id, role, "web:operator", now,
                                                     self.d.membership.invite_ttl)
        return await self.members_page(
            request, viewer, f"Mã mời: {inv.code}\nCơ quan: {self.agency_name(agency_id)}\n"
                             f"Vai trò: {ROLE_NAMES[role]}\nHết hạn: {self.local(inv.expires_at)}\n"
                             f"Người được mời gõ: /dangky {inv.code}")

    # ------------------------------------------------------------------------------------ Tải về

    @signed_in
    async def downloads(self, request: Request, viewer: Viewer) -> Response:
        """Choose the plan and year of the report to download."""
        return self.render(request, "downloads.html", viewer, title="Tải về", **self.filter_context(
            self.filters(request)))

    @signed_in
    async def download(self, request: Request, viewer: Viewer) -> Response:
        """The report of a year as the Excel workbook or CSV (the same files as /baocao and `tcpl report`)."""
        f = self.filters(request)
        fmt = request.query_params.get("format", "xlsx")
        if fmt not in ("xlsx", "csv"):
            return self.message(request, viewer, "Không tải được", "Định dạng phải là xlsx hoặc csv.", 400)
        report = build_report(self.d.plans, await self.year_occurrences(viewer, f), f.year,
                              self.d.clock.now(), self.d.tz)
        if fmt == "xlsx":
            content = self.d.workbook.workbook(report, self.d.tz)
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            content, media = self.d.report_csv(report, self.d.tz), "text/csv; charset=utf-8"
        name = f"bao-cao-tcpl-{f.year}.{fmt}"
        return Response(content, media_type=media,
                        headers={"content-disposition": f'attachment; filename="{name}"'})

    # ------------------------------------------------------------------------------------ errors

    async def not_found(self, request: Request, exc: Exception) -> Response:
        viewer = await self.access.viewer(request)
        if isinstance(exc, HTTPException) and exc.status_code == 405:
            return self.message(request, viewer, "Không thực hiện được", "Thao tác không hợp lệ.", 405)
        return self.message(request, viewer, "Không tìm thấy", MSG_NOT_FOUND, 404)


def create_app(dashboard: Dashboard) -> Starlette:
    """Build the dashboard's ASGI application."""
    pages = Pages(dashboard)
    routes = [
        Route("/", pages.overview),
        Route("/tien-do", pages.progress),
        Route("/tien-do/{occurrence_id:int}", pages.occurrence),
        Route("/qua-han", pages.overdue),
        Route("/nhac-han", pages.upcoming),
        Route("/cau-hoi", pages.questions),
        Route("/thanh-vien", pages.members),
        Route("/thanh-vien/moi", pages.invite, methods=["POST"]),
        Route("/tai-ve", pages.downloads),
        Route("/tai-ve/bao-cao", pages.download),
        Route("/dang-nhap", pages.login_page),
        Route("/dang-nhap/{token}", pages.login_link, methods=["GET", "POST"]),
        Route("/dang-xuat", pages.logout, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)],
                     exception_handlers={404: pages.not_found, 405: pages.not_found})
