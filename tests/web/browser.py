"""The browser of the page tests: Debian's Chromium driven by Playwright, as a phone."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

# Debian's package; CYLINDERS_CHROMIUM names another build (never a downloaded one in CI).
CHROMIUM = Path(os.environ.get("CYLINDERS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PHONE = {"width": 360, "height": 740}


def require_chromium() -> Any:
    """Playwright's ``async_playwright``, once Chromium and Playwright are known present."""
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
