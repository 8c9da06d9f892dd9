"""The dashboard in a real browser: headless Chromium through chromedriver, at a desktop width and at 390 px.

Each run signs in through a login link, opens every page, uses a filter, opens a cell's history and
downloads the workbook, keeping a screenshot of every page in the artifacts folder. Without Chromium
the tests are skipped and say why, unless TCPL_REQUIRE_BROWSER=1 (set by .ci/run) makes that a failure.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bot.config import Settings
from bot.wiring import load_all
from tests.e2e.conftest import FakeClock
from tests.e2e.dashboard_harness import BLOCKED_NOTE, HOA, LAN, DashboardHarness, Loaded, running_dashboard
from tests.plans import in_force_plan

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("TCPL_ARTIFACTS_DIR") or ROOT / "artifacts") / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
# Flags for a root user on a machine without a network: no sandbox, no calls home.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage")
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
WAIT = 20.0  # seconds, for a page or a download; a pass never waits this long


def _require_browser() -> None:
    if CHROMIUM and CHROMEDRIVER:
        return
    missing = ", ".join(name for name, found in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER))
                        if not found)
    reason = (f"browser tests skipped: {missing} not found (apt-get install chromium chromium-driver; "
              ".ci/run installs them)")
    if os.environ.get("TCPL_REQUIRE_BROWSER") == "1":
        pytest.fail(reason.replace("skipped", "required"))
    pytest.skip(reason)


class Browser:
    """A headless Chromium driven through chromedriver; every call runs off the event loop."""

    def __init__(self, width: int, height: int, downloads: Path):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--window-size={width},{height}")
        options.add_argument(f"--user-data-dir={downloads.parent / 'profile'}")
        self.driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
        self.driver.set_page_load_timeout(WAIT)
        # Chromium keeps a window at least ~500 px wide: a phone's width is emulated instead.
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
        self.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow",
                                                                  "downloadPath": str(downloads)})
        self.downloads = downloads

    async def run(self, work: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.to_thread(self._settled, work, *args)

    def _settled(self, work: Callable[..., Any], *args: Any) -> Any:
        """Run a browser call; if the page was still being replaced (a redirect after a form), run it
        again on the new page. On a busy machine Chromium can hand out a node of the document it is
        leaving; the call is repeated, never the test's expectation relaxed."""
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

        deadline = time.monotonic() + WAIT
        while True:
            try:
                return work(*args)
            except StaleElementReferenceException:
                pass
            except WebDriverException as exc:
                if "does not belong to the document" not in str(exc.msg):
                    raise
            if time.monotonic() > deadline:
                raise AssertionError("the page never settled")

    async def open(self, url: str) -> str:
        await self.run(self.driver.get, url)
        return await self.text()

    async def text(self) -> str:
        return str(await self.run(lambda: self.driver.find_element("tag name", "body").text))

    async def click(self, css: str, navigates: bool = True) -> str:
        """Click an element; when it leads to another page, wait for that page before reading it."""
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait

        def click() -> None:
            old = self.driver.find_element("tag name", "html")
            self.driver.find_element("css selector", css).click()
            if navigates:
                WebDriverWait(self.driver, WAIT).until(expected_conditions.staleness_of(old))
                WebDriverWait(self.driver, WAIT).until(
                    lambda d: d.execute_script("return document.readyState") == "complete")

        await self.run(click)
        return await self.text()

    async def select(self, name: str, value: str) -> None:
        from selenium.webdriver.support.ui import Select

        await self.run(lambda: Select(self.driver.find_element("name", name)).select_by_value(value))

    async def width(self) -> int:
        return int(await self.run(self.driver.execute_script, "return window.innerWidth"))

    async def overflow(self) -> int:
        """Return how many pixels the page is wider than the window (0: nothing to scroll sideways)."""
        return int(await self.run(self.driver.execute_script,
                                  "return document.documentElement.scrollWidth - window.innerWidth"))

    async def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        assert await self.run(self.driver.save_screenshot, str(path)), f"no screenshot {path}"
        return path

    async def downloaded(self, name: str) -> bytes:
        deadline = time.monotonic() + WAIT
        path = self.downloads / name
        while time.monotonic() < deadline:
            if path.exists() and not (self.downloads / f"{name}.crdownload").exists():
                return path.read_bytes()
            await asyncio.sleep(0.1)
        raise AssertionError(f"{name} was not downloaded: {sorted(os.listdir(self.downloads))}")

    def quit(self) -> None:
        self.driver.quit()


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    return load_all(Settings(plan_path=str(in_force_plan()), _env_file=None))


@pytest.fixture
async def dashboard(tmp_path: Path, loaded: Loaded) -> AsyncIterator[DashboardHarness]:
    _require_browser()
    async with running_dashboard(tmp_path / "bot.db", loaded, FakeClock()) as running:
        yield running


@pytest.mark.parametrize("width", sorted(WIDTHS))
async def test_an_administrator_goes_through_every_page(dashboard, tmp_path, width):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser = await asyncio.to_thread(Browser, *WIDTHS[width], downloads)
    try:
        await walk_through(browser, dashboard, width)
    finally:
        await asyncio.to_thread(browser.quit)


async def walk_through(browser: Browser, dashboard: DashboardHarness, width: str) -> None:
    shots: list[Path] = []

    async def page(name: str) -> None:
        if width == "phone":
            assert await browser.overflow() <= 1, f"{name}: the page scrolls sideways at 390 px"
        shots.append(await browser.screenshot(f"{width}-{name}"))

    # No session: the dashboard shows the way in, not data.
    text = await browser.open(dashboard.base_url + "/tien-do")
    assert await browser.width() == WIDTHS[width][0]
    assert "/web" in text and BLOCKED_NOTE not in text
    await page("dang-nhap")

    link = await dashboard.link(HOA)
    assert "Vào trang theo dõi" in await browser.open(link)
    text = await browser.click("#login")
    assert "Tổng quan" in text and HOA in text
    await browser.select("year", "2026")
    text = await browser.click("form.filters button")
    assert "Hoàn thành" in text and "Báo cáo tiến độ mỗi tuần" in text
    await page("tong-quan")

    # Tiến độ: filter to what is blocked, then open the blocked cell's history.
    await browser.open(dashboard.base_url + "/tien-do")
    await browser.select("year", "2026")
    await browser.select("status", "blocked")
    text = await browser.click("form.filters button")
    assert "Sở Tư pháp" in text and "Công an tỉnh" not in text
    await page("tien-do-vuong-mac")
    await browser.select("status", "")
    await browser.click("form.filters button")
    await page("tien-do")
    text = await browser.click(f'a[href="/tien-do/{dashboard.police.id}"]')
    assert "Đã giao phòng PC" in text and LAN in text and "Đã gửi" in text
    await page("lich-su")

    for path, name, expected in (("/qua-han", "qua-han", "Công an tỉnh"),
                                 ("/nhac-han", "nhac-han", "30 ngày"),
                                 ("/cau-hoi", "cau-hoi", "giá vàng"),
                                 ("/thanh-vien", "thanh-vien", LAN)):
        text = await browser.click(f'nav a[href="{path}"]')
        assert expected in text, (path, text[:500])
        await page(name)

    await browser.click('nav a[href="/tai-ve"]')
    await page("tai-ve")
    await browser.select("year", "2026")
    await browser.click("#download", navigates=False)
    book = openpyxl.load_workbook(io.BytesIO(await browser.downloaded("bao-cao-tcpl-2026.xlsx")))
    cells = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row}
    assert BLOCKED_NOTE in cells

    # Signed out, the same browser sees no data again; the used link stays refused.
    await browser.open(dashboard.base_url + "/")
    text = await browser.click("form.who button")
    assert "Đã đăng xuất" in text
    assert "đã được dùng" in await browser.open(link)
    assert all(p.stat().st_size > 1000 for p in shots)
