"""A real server and a real browser: the app (on the test's database, with the test's fake
clock) served on a free localhost port (``live_server``, tests/conftest.py), and Debian's
Chromium driven by Playwright as a 360 px wide phone. Playwright's async API shares the test's
event loop with the server; nothing blocks it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.servers import LiveServer
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, require_chromium


@pytest.fixture
async def phone(live_server: LiveServer) -> AsyncIterator[Any]:
    """A Playwright page in headless Chromium, sized and behaving like a phone, with
    JavaScript OFF: the public page must work without it."""
    async_playwright = require_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = await browser.new_context(
                viewport=PHONE,
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                java_script_enabled=False,
                locale="zh-CN",
                base_url=live_server.url,
            )
            page = await context.new_page()
            yield page
        finally:
            await browser.close()
