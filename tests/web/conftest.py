"""A real server and a real browser: the app (on the test's database, with the test's fake
clock) served by uvicorn on a free localhost port, and Debian's Chromium driven by Playwright
as a 360 px wide phone.

uvicorn runs as a task on the test's own event loop, not in a thread: the test's engine and
asyncpg pool belong to that loop, and the server must use them to see the test's data and
clock. Playwright's async API shares the loop too; nothing blocks it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from service.app import create_app
from service.settings import Settings
from service.use_cases.context import Context

# Debian's package; CYLINDERS_CHROMIUM names another build (never a downloaded one in CI).
CHROMIUM = Path(os.environ.get("CYLINDERS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PHONE = {"width": 360, "height": 740}


@pytest.fixture
async def live_server(ctx: Context) -> AsyncIterator[str]:
    app = create_app(
        Settings(database_url="postgresql://unused/unused", token_cache_seconds=0), context=ctx
    )
    # Bound before the server starts and handed to it: no race for the port.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="on", ws="none", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()  # the server failed to start: raise its error here
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(task, 10)
        sock.close()


def _require_chromium() -> Any:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the web pages are tested in a real "
            "browser. Install Debian's package: sudo apt-get install chromium"
        )
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.fail("the Playwright package is missing: pip install -e '.[test]'")
    return async_playwright


@pytest.fixture
async def phone(live_server: str) -> AsyncIterator[Any]:
    """A Playwright page in headless Chromium, sized and behaving like a phone, with
    JavaScript OFF: the public page must work without it."""
    async_playwright = _require_chromium()
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
                base_url=live_server,
            )
            page = await context.new_page()
            yield page
        finally:
            await browser.close()
