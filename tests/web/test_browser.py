"""A clerk in a real browser: Debian's headless Chromium (driven by Playwright, which is
told where that browser is and never downloads one) opens /quote, fills the form, reads
the figures off the page, and saves screenshots of the page and of the print view; the
sheet prints on one A4 page. Skipped, with the reason, where no browser is installed.

Screenshots go to ``$MOTORSUB_SCREENSHOTS`` if set, else to the test's temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium browser installed")

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def server():
    import uvicorn

    from motorsub.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started:
        assert time.time() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        ctx = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=FLAGS,
            viewport={"width": 1100, "height": 900},
            locale="zh-CN",
        )
        yield ctx
        ctx.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    out = Path(os.environ.get("MOTORSUB_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _fill_as_a_clerk(page):
    page.select_option("#f-motor_type", "lv_async")
    page.fill("#f-kw", "11")
    page.select_option("#f-grade", "2")
    page.fill("#f-poles", "4")
    page.fill("#f-price", "3800")
    page.check("#f-trade_in")
    page.fill("#f-old_kw", "11")
    page.fill("#f-old_efficiency", "87.6")
    page.fill("#f-region", "CN-SH")
    page.fill("#f-date", "2013-06-01")
    page.fill("#f-hours", "4000")
    page.fill("#f-load", "0.75")
    page.fill("#f-tariff", "0.8")


def test_a_clerk_prices_a_trade_in_and_prints_the_sheet(server, browser, shots):
    page = browser.new_page()
    page.goto(f"{server}/quote")
    assert page.locator("h1").inner_text() == "以旧换新报价"
    _fill_as_a_clerk(page)
    # the script updates the result as the clerk types
    expect = playwright.expect
    expect(page.locator("#payback")).to_have_text("2.86", timeout=15_000)
    expect(page.locator("#total")).to_have_text("220.00")
    assert page.inner_text("#total") == "220.00"
    assert page.inner_text("#eta-new") == "91.40 %"
    assert page.inner_text("#kwh") == "1,566.2"
    assert page.inner_text("#net-price") == "3,580.00"
    assert "上海旧电机回收补贴" in page.inner_text("#result")
    assert "此截止日期为推断" in page.inner_text("#result")
    page.screenshot(path=str(shots / "counter.png"), full_page=True)
    # pressing the button (the path without JavaScript) gives the same figures
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "trade_in=true" in page.url and page.inner_text("#total") == "220.00"
    # the print view: one A4 page
    href = page.get_attribute("#print-link", "href")
    sheet = browser.new_page()
    sheet.goto(server + href)
    sheet.emulate_media(media="print")
    assert "电机以旧换新报价单" in sheet.inner_text("h1")
    assert sheet.inner_text("#total") == "220.00"
    assert not sheet.is_visible("header.top")
    sheet.screenshot(path=str(shots / "counter-print.png"), full_page=True)
    pdf = sheet.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the quote sheet prints on {pages} pages"
    (shots / "counter-print.pdf").write_bytes(pdf)


def test_a_bad_value_is_shown_next_to_the_field(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/quote?lang=zh")
    _fill_as_a_clerk(page)
    page.fill("#f-kw", "十一")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    text = page.inner_text(".problems")
    assert "额定功率 [kW]" in text and "大于 0、不超过 100,000 的数" in text
    assert (
        "bad" in (page.get_attribute("#f-kw", "class") or "")
        or page.locator("label.bad #f-kw").count() == 1
    )
