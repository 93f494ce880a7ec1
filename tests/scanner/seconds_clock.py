"""A clock in seconds that only the test moves, for what takes ``time.time`` or
``time.monotonic`` (the outbox's backoff, the debouncer's window)."""

from __future__ import annotations


class SecondsClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
