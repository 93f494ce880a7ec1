"""The public cylinder page in a real headless Chromium, as a 360 px phone with JavaScript off:
what a person sees after scanning a label. Screenshots go to the test's ``tmp_path``."""

from __future__ import annotations

import asyncio
import struct
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from playwright.async_api import expect

from service.use_cases.context import Context
from tests.factories import event_body, fill_body, register_one
from tests.servers import LiveServer
from tests.web.browser import PHONE
from tests.world import World

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIN_STATUS_PX = 28


def qr_path(ctx: Context, code: str) -> str:
    """The path of exactly what our QR labels hold: ``/C/<CODE>/<TAG>``."""
    return urlsplit(ctx.qr_payload(code)).path


async def open_page(page: Any, path: str, status: int = 200) -> Any:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = await page.goto(path)
    assert response is not None
    assert response.status == status, await response.text()
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    # Nothing but the page itself: no CDN font, stylesheet, image or script.
    assert requested == [response.url]
    assert await page.locator("script, link[rel=stylesheet], img").count() == 0
    return response


async def assert_fits_a_phone(page: Any, shot: Path) -> None:
    """No sideways scrolling at 360 px, a large status, and a real phone-sized screenshot."""
    scroll_width = await page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"the page scrolls sideways: {scroll_width}px"
    status_px = await page.locator("#status").evaluate(
        "element => parseFloat(getComputedStyle(element).fontSize)"
    )
    assert status_px >= MIN_STATUS_PX
    smallest = await page.evaluate(
        """Math.min(...[...document.body.querySelectorAll('*')]
             .filter(e => e.childNodes.length && e.innerText && e.innerText.trim())
             .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
    )
    assert smallest >= 16, f"text at {smallest}px is too small to read outdoors"
    await page.screenshot(path=str(shot), full_page=True)
    data = await asyncio.to_thread(shot.read_bytes)  # the file as written, not a copy
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width == PHONE["width"] * 2  # device_scale_factor 2
    assert height >= PHONE["height"] * 2 // 2


async def test_scanned_label_of_a_legal_cylinder_reads_ok(
    phone: Any, live_server: LiveServer, ctx: Context, world: World, tmp_path: Path
) -> None:
    code = await register_one(ctx, world)
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        filled = await http.post(
            "/api/v1/fills",
            json=fill_body(ctx.qr_payload(code)),
            headers=world.headers("filler_a1"),
        )
        assert filled.status_code == 201, filled.text
    await open_page(phone, qr_path(ctx, code))
    await expect(phone.locator("#status")).to_have_text("正常")
    await expect(phone.locator("section.status")).to_contain_text("可以充装使用")
    await expect(phone.get_by_text("甲燃气有限公司")).to_be_visible()
    await expect(phone.get_by_text("2026-06-15 · station_a1 充装站")).to_be_visible()
    assert await phone.get_by_text("标签可能是伪造的").count() == 0
    assert await phone.get_by_text("标签未核验").count() == 0
    # Nothing about a person: the filler's name is on the fill event, never on this page.
    assert "filler_a1" not in await phone.content()
    await assert_fits_a_phone(phone, tmp_path / "ok.png")


async def test_overdue_cylinder_reads_overdue(
    phone: Any, ctx: Context, world: World, tmp_path: Path
) -> None:
    code = await register_one(
        ctx, world, manufactured_on=date(2022, 6, 1), next_inspection_due=date(2026, 6, 1)
    )
    await open_page(phone, qr_path(ctx, code))
    await expect(phone.locator("#status")).to_have_text("超期未检")
    await expect(phone.locator("section.status")).to_contain_text("禁止充装 Must not be filled")
    await expect(phone.get_by_text("2026-06-01")).to_be_visible()
    await assert_fits_a_phone(phone, tmp_path / "overdue.png")


async def test_scrapped_cylinder_reads_scrapped(
    phone: Any, live_server: LiveServer, ctx: Context, world: World, tmp_path: Path
) -> None:
    code = await register_one(ctx, world)
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        scrapped = await http.post(
            "/api/v1/inspections",
            json=event_body(code=code, inspected_on="2026-06-10", result="scrap", report_no="R"),
            headers=world.headers("inspector"),
        )
        assert scrapped.status_code == 201, scrapped.text
    await open_page(phone, qr_path(ctx, code).replace("/C/", "/c/"))
    await expect(phone.locator("#status")).to_have_text("已报废")
    await expect(phone.get_by_text("Scrapped", exact=True)).to_be_visible()
    await assert_fits_a_phone(phone, tmp_path / "scrapped.png")


async def test_forged_label_is_flagged_and_the_state_still_shown(
    phone: Any, ctx: Context, world: World, tmp_path: Path
) -> None:
    code = await register_one(ctx, world)
    await open_page(phone, f"/C/{code}/2222")
    banner = phone.get_by_role("alert")
    await expect(banner).to_be_visible()
    await expect(banner).to_contain_text("标签可能是伪造的")
    await expect(banner).to_contain_text("This label may be forged")
    # The state of the cylinder registered under the code, not a clean bill for this one.
    status = phone.locator("section.status")
    await expect(phone.locator("#status")).to_have_text("正常")
    await expect(status).to_contain_text("此编号登记的气瓶")
    await expect(status).to_contain_text("标签可疑")
    await expect(status).not_to_contain_text("可以充装使用")
    await assert_fits_a_phone(phone, tmp_path / "forged.png")


async def test_typed_short_url_gets_the_milder_notice(
    phone: Any, ctx: Context, world: World
) -> None:
    code = await register_one(ctx, world)
    await open_page(phone, f"/c/{code.lower()}")
    await expect(phone.get_by_text("标签未核验")).to_be_visible()
    assert await phone.get_by_role("alert").count() == 0  # not the red forged banner
    await expect(phone.locator("#status")).to_have_text("正常")


async def test_unknown_and_malformed_codes_get_a_404_page(phone: Any, tmp_path: Path) -> None:
    await open_page(phone, "/C/22222222222/2222", status=404)
    await expect(phone.locator("#status")).to_have_text("未登记")
    await expect(phone.get_by_text("Not registered")).to_be_visible()
    await assert_fits_a_phone(phone, tmp_path / "unknown.png")
    long_junk = "Z" * 300
    await open_page(phone, f"/c/{long_junk}", status=404)
    await expect(phone.locator("#status")).to_have_text("编号无效")
    await assert_fits_a_phone(phone, tmp_path / "malformed.png")
