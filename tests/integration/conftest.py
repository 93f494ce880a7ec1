"""Fixtures of the integration tests that need a real service process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import ServiceProcess


@pytest.fixture
def service(clean_db: str, tmp_path: Path) -> Iterator[ServiceProcess]:
    """A service process on the test database, not started yet; stopped afterwards."""
    running = ServiceProcess.on_database(clean_db, tmp_path)
    try:
        yield running
    finally:
        running.stop()
