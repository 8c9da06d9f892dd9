"""The dashboard over real HTTP (uvicorn on 127.0.0.1): access, every page, filters, history, downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import AsyncIterator
from pathlib import Path

import openpyxl
import pytest

from bot.config import Settings
from bot.wiring import load_all
from tests.e2e.conftest import FakeClock
from tests.e2e.dashboard_harness import (
    AN,
    BINH,
    BLOCKED_NOTE,
    DECLINED,
    HOA,
    LAN,
    REFUSAL,
    DashboardHarness,
    Loaded,
    form_token,
    running_dashboard,
    sign_in,
)
from tests.plans import in_force_plan
from web.access import MAX_FAILED_ATTEMPTS

PAGES = ("/", "/tien-do", "/qua-han", "/nhac-han", "/cau-hoi", "/thanh-vien", "/tai-ve")


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    return load_all(Settings(plan_path=str(in_force_plan()), _env_file=None))


@pytest.fixture
async def dashboard(tmp_path: Path, loaded: Loaded) -> AsyncIterator[DashboardHarness]:
    async with running_dashboard(tmp_path / "bot.db", loaded, FakeClock()) as running:
        yield running


async def test_without_a_session_no_page_shows_data(dashboard):
    async with dashboard.client() as client:
        for path in (*PAGES, f"/tien-do/{dashboard.blocked.id}", "/tai-ve/bao-cao?year=2026"):
            response = await client.get(path)
            assert (response.status_code, response.headers["location"]) == (303, "/dang-nhap"), path
        login = await client.get("/dang-nhap")
        assert login.status_code == 200 and "/web" in login.text
        assert BLOCKED_NOTE not in login.text
        refused = await client.post("/thanh-vien/moi", data={"agency": "stp", "role": "admin"})
        assert refused.status_code == 401


async def test_a_link_opens_the_dashboard_once(dashboard):
    link = await dashboard.link(HOA)
    async with dashboard.client() as client:
        signed_in = await sign_in(client, link)
        assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/")
        cookie = signed_in.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
        overview = await client.get("/")
        assert overview.status_code == 200 and HOA in overview.text and "<svg" in overview.text
        # The second use, from this browser or another, is refused.
        again = await client.get(link)
        assert again.status_code == 410 and "đã được dùng" in again.text
    async with dashboard.client() as other:
        other.cookies.set("tcpl_login", "x" * 43)
        refused = await other.post(link, data={"form": "x" * 43})
        assert refused.status_code == 410
        assert (await other.get("/")).status_code == 303


async def test_a_link_is_used_only_by_pressing_its_button(dashboard):
    link = await dashboard.link(HOA)
    async with dashboard.client() as client:
        for _ in range(2):  # a chat app's link preview fetches it: nothing is used up
            assert (await client.get(link)).status_code == 200
        forged = await client.post(link, data={"form": "forged"})
        assert forged.status_code == 403
        assert (await sign_in(client, link)).status_code == 303


async def test_an_expired_link_is_refused(dashboard):
    link = await dashboard.link(HOA)
    dashboard.clock.advance(minutes=10)
    async with dashboard.client() as client:
        page = await client.get(link)
        assert page.status_code == 410 and "hết hạn" in page.text


async def test_the_session_ends_after_a_working_day_and_at_logout(dashboard):
    async with dashboard.client() as client:
        await sign_in(client, await dashboard.link(HOA))
        dashboard.clock.advance(hours=9, minutes=50)
        page = await client.get("/tien-do")
        assert page.status_code == 200
        # Logging out is a form with the CSRF token: without it, nothing happens.
        assert (await client.post("/dang-xuat", data={})).status_code == 403
        assert (await client.get("/")).status_code == 200
        logged_out = await client.post("/dang-xuat", data={"csrf": form_token(page.text)})
        assert logged_out.status_code == 200 and "Đã đăng xuất" in logged_out.text
        assert (await client.get("/")).status_code == 303
    async with dashboard.client() as client:
        await sign_in(client, await dashboard.link(HOA))
        dashboard.clock.advance(hours=10)
        assert (await client.get("/")).status_code == 303


async def test_failed_logins_are_rate_limited(dashboard):
    good = await dashboard.link(HOA)
    async with dashboard.client() as client:
        page = await client.get(good)
        token = form_token(page.text)
        for i in range(MAX_FAILED_ATTEMPTS):
            bad = await client.post(f"/dang-nhap/guess{i:02d}", data={"form": token})
            assert bad.status_code == 404
        limited = await client.post(good, data={"form": token})
        assert limited.status_code == 429 and "15 phút" in limited.text
        assert (await client.get("/")).status_code == 303
        assert (await client.get(good)).status_code == 200  # the good link was not used up
    dashboard.clock.advance(minutes=16)
    async with dashboard.client() as client:
        assert (await sign_in(client, await dashboard.link(HOA))).status_code == 303


async def test_every_page_shows_the_history(dashboard):
    async with dashboard.client() as client:
        await sign_in(client, await dashboard.link(HOA))
        pages = {path: (await client.get(path, params={"year": 2026})).text for path in PAGES}
    assert "Hoàn thành" in pages["/"] and "Số báo cáo" in pages["/"]
    assert "Công an tỉnh" in pages["/tien-do"] and "30%" in pages["/tien-do"]
    overdue = pages["/qua-han"]
    assert "Công an tỉnh" in overdue and f"{LAN} (zalo, liên lạc được)" in overdue
    assert "22 ngày" in overdue and "Đã gửi" in overdue and "Bị từ chối, sẽ gửi lại" in overdue
    assert "Nhắc hạn" in pages["/nhac-han"]
    assert DECLINED.lower() in pages["/cau-hoi"] and "<td class=\"num\">2</td>" in pages["/cau-hoi"]
    assert f"{BINH} (quản trị viên, telegram)" in pages["/thanh-vien"]
    assert 'name="csrf"' in pages["/thanh-vien"]


async def test_the_declined_questions_are_the_departments_with_the_number_traloi_takes(dashboard):
    async with dashboard.client() as client:
        await sign_in(client, await dashboard.link(HOA))
        page = (await client.get("/cau-hoi")).text
    rows = page[page.index("<tbody>"):]
    # The most asked first, numbered as /chuatraloi numbers them for the Department's /traloi N.
    assert rows.index(DECLINED.lower()) < rows.index("<code>/traloi 1</code>") < rows.index("thủ tục ly hôn")
    assert rows.index("thủ tục ly hôn") < rows.index("<code>/traloi 2</code>")
    async with dashboard.client() as client:
        await sign_in(client, await dashboard.link(BINH))
        for_an_agency = await client.get("/cau-hoi")
        overview = (await client.get("/")).text
    # As in chat (/chuatraloi), the declined questions are the Department's: not listed, not shown.
    assert for_an_agency.status_code == 403 and DECLINED.lower() not in for_an_agency.text
    assert 'href="/cau-hoi"' not in overview and 'href="/tien-do"' in overview


async def test_the_matrix_filters_by_status_year_and_group(dashboard):
    async with dashboard.client() as client:
        await sign_in(client, await dashboard.link(HOA))
        blocked = (await client.get("/tien-do", params={"year": 2026, "status": "blocked"})).text
        assert f'href="/tien-do/{dashboard.blocked.id}"' in blocked
        assert f'href="/tien-do/{dashboard.police.id}"' not in blocked
        next_year = (await client.get("/tien-do", params={"year": 2027})).text
        assert f'href="/tien-do/{dashboard.blocked.id}"' not in next_year and "class=\"n\"" in next_year
        for year in ("9999x", "²⁰²⁶", "9" * 40, ""):
            nonsense = await client.get("/tien-do", params={"year": year, "status": "<b>", "group": "../"})
            assert nonsense.status_code == 200 and "<b>" not in nonsense.text


async def test_a_cell_opens_its_history(dashboard):
    async with dashboard.client() as client:
        await sign_in(client, await dashboard.link(HOA))
        police = (await client.get(f"/tien-do/{dashboard.police.id}")).text
        assert "Đã giao phòng PC" in police and LAN in police and "zalo" in police
        history = police[police.index("Các lần báo cáo"):]
        assert history.index("10%") < history.index("30%")  # oldest first
        assert "Đã gửi" in police
        blocked = (await client.get(f"/tien-do/{dashboard.blocked.id}")).text
        assert BLOCKED_NOTE in blocked and AN in blocked and REFUSAL in blocked
        for absent in ("999999", "9" * 30, "-1"):
            assert (await client.get(f"/tien-do/{absent}")).status_code == 404


async def test_an_agency_administrator_sees_only_their_agency(dashboard):
    async with dashboard.client() as client:
        await sign_in(client, await dashboard.link(BINH))
        matrix = (await client.get("/tien-do", params={"year": 2026})).text
        assert "Sở Tài chính" in matrix and "Công an tỉnh" not in matrix
        assert (await client.get(f"/tien-do/{dashboard.police.id}")).status_code == 404
        assert "Công an tỉnh" not in (await client.get("/qua-han")).text
        members = await client.get("/thanh-vien")
        assert HOA not in members.text and BINH in members.text
        foreign = await client.post("/thanh-vien/moi", data={"agency": "stp", "role": "admin",
                                                             "csrf": form_token(members.text)})
        assert foreign.status_code == 403
        download = await client.get("/tai-ve/bao-cao", params={"year": 2026, "format": "csv"})
        rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
        assert rows and not any("Công an tỉnh" in cell for row in rows for cell in row)


async def test_a_member_who_is_no_longer_an_administrator_is_signed_out(dashboard):
    async with dashboard.client() as client:
        await sign_in(client, await dashboard.link(BINH))
        assert (await client.get("/")).status_code == 200
        await dashboard.stores.members.upsert("telegram", "501", "501", BINH, "stc", "member",
                                              dashboard.clock.now())
        assert (await client.get("/")).status_code == 303


async def test_an_invite_is_created_from_the_members_page_with_the_chat_rules(dashboard):
    async with dashboard.client() as client:
        await sign_in(client, await dashboard.link(HOA))
        page = await client.get("/thanh-vien")
        csrf = form_token(page.text)
        forged = await client.post("/thanh-vien/moi", data={"agency": "stc", "role": "member"})
        assert forged.status_code == 403
        created = await client.post("/thanh-vien/moi", data={"agency": "stc", "role": "member", "csrf": csrf})
        assert created.status_code == 200 and "Mã mời:" in created.text
        code = created.text.split("Mã mời: ")[1].split()[0]
        invite = await dashboard.stores.invites.get(code)
        assert invite is not None and (invite.agency_id, invite.role) == ("stc", "member")
        ended = await client.post("/thanh-vien/moi", data={"agency": "ubnd-tp-soc-trang", "role": "member",
                                                           "csrf": csrf})
        assert "đã kết thúc hoạt động" in ended.text


async def test_the_operator_downloads_the_workbook_and_the_csv(dashboard):
    async with dashboard.client() as client:
        await sign_in(client, await dashboard.link(None))
        xlsx = await client.get("/tai-ve/bao-cao", params={"year": 2026, "format": "xlsx"})
        assert xlsx.status_code == 200
        assert 'filename="bao-cao-tcpl-2026.xlsx"' in xlsx.headers["content-disposition"]
        book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
        cells = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
        assert BLOCKED_NOTE in cells and "Công an tỉnh" in cells
        text = (await client.get("/tai-ve/bao-cao", params={"year": 2026, "format": "csv"})).content
        assert BLOCKED_NOTE in text.decode("utf-8-sig")
        assert (await client.get("/tai-ve/bao-cao", params={"format": "pdf"})).status_code == 400


async def test_responses_carry_protective_headers_and_refuse_huge_forms(dashboard):
    async with dashboard.client() as client:
        await sign_in(client, await dashboard.link(HOA))
        page = await client.get("/")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["cache-control"] == "no-store"
        style = await client.get("/static/style.css")
        assert style.status_code == 200 and "--done" in style.text
        huge = await client.post("/dang-xuat", content=b"csrf=" + b"a" * 100_000,
                                 headers={"content-type": "application/x-www-form-urlencoded"})
        assert huge.status_code == 403
        assert (await client.get("/")).status_code == 200
        assert (await client.get("/khong-co")).status_code == 404


async def test_what_officials_typed_is_shown_as_text(dashboard):
    script = "<script>alert(1)</script>"
    now = dashboard.clock.now()
    await dashboard.stores.members.upsert("telegram", "777", "777", script, "stc", "member", now)
    await dashboard.stores.occurrences.record_progress(dashboard.police.id, dashboard.people[LAN].id,
                                                       "blocked", None, script, dashboard.clock.now())
    async with dashboard.client() as client:
        await sign_in(client, await dashboard.link(HOA))
        for path in ("/thanh-vien", f"/tien-do/{dashboard.police.id}", "/qua-han"):
            html = (await client.get(path)).text
            assert script not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path


async def test_pages_reference_no_other_server(dashboard):
    async with dashboard.client() as client:
        await sign_in(client, await dashboard.link(HOA))
        for path in PAGES:
            html = (await client.get(path)).text
            for attribute in ('src="http', "src='http", 'href="http', "url(http", "@import"):
                assert attribute not in html, (path, attribute)


async def test_the_trend_counts_reports_per_week(dashboard):
    dashboard.clock.set(dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC))
    async with dashboard.client() as client:
        await sign_in(client, await dashboard.link(HOA))
        html = (await client.get("/")).text
    # Four reports in the week of 09/11 and one in the week of 16/11.
    assert "<td>09/11/2026</td><td class=\"num\">4</td>" in html
    assert "<td>16/11/2026</td><td class=\"num\">1</td>" in html
