"""Keeping the local copy fresh while the station runs: ``Refresher`` syncs it every few minutes
in a thread of its own; a round that fails leaves the copy as it was and waits for the next."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from scanner.offline.cache import CacheInfo, LocalCache, sync_cache
from scanner.outbox.client import ServiceClient, ServiceError


def sync_copy_at(
    path: Path, make_client: Callable[[], ServiceClient], now: Callable[[], datetime]
) -> CacheInfo:
    """One sync of the copy in ``path``, with a SQLite connection and an HTTP client of its
    own (so that it can run in any thread)."""
    cache = LocalCache(path)
    try:
        with make_client() as client:
            return sync_cache(client, cache, now)
    finally:
        cache.close()


class Refresher:
    """Calls ``sync`` every ``every_s`` seconds in a thread; failures wait for the next round
    (the copy stays as it was)."""

    def __init__(self, sync: Callable[[], CacheInfo], every_s: float):
        self._sync, self._every_s = sync, every_s
        self._stopping = threading.Event()
        self.last_error: str | None = None
        self._thread = threading.Thread(target=self._run, name="cache-refresh", daemon=True)

    def start(self) -> Refresher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(15.0)

    def _run(self) -> None:
        while not self._stopping.wait(self._every_s):
            try:
                self._sync()
                self.last_error = None
            except ServiceError as exc:
                self.last_error = str(exc)
