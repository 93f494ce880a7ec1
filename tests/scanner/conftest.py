"""Fixtures of the scanner tests: the service really served (``tests.scanner.live_service``)
and its clock.

The clock: the scanner stamps events with the real time, and the service refuses a time more
than five minutes ahead of its own; so these tests start the service's injected clock at the
real time (it does not move by itself afterwards).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from service.use_cases.context import Context
from tests.context import FakeClock
from tests.scanner.live_service import LiveService


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))


@pytest.fixture
async def service(ctx: Context) -> AsyncIterator[LiveService]:
    live = LiveService(ctx)
    await live.start()
    try:
        yield live
    finally:
        await live.stop()
