"""From raw texts to reads: which texts may be sent at all (``is_acceptable``), and a code that
stays in view is one read, not thirty a second (``Debouncer``). Pure: the clock is injected."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable

from service.domain.codes import BadGrai, OwnCode, parse_scan

# Line breaks and tabs occur in old text labels; GS separates GS1 element strings.
_ALLOWED_CONTROLS = frozenset("\t\n\r\x1d")


def is_acceptable(payload: str, own_hosts: frozenset[str] = frozenset()) -> bool:
    """Whether a raw text may be sent as a read: it classifies as something the service can
    look up, our own codes pass their check character, and a GRAI its check digit.

    ``own_hosts`` are our public URL's host names (lower case), as the service is configured:
    on those hosts a ``/c/<code>`` URL is ours even when its check fails, and so is refused.
    """
    text = unicodedata.normalize("NFKC", payload).strip()
    if not text or any(
        unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in text
    ):
        # Binary, not text: PostgreSQL's text type cannot even hold a NUL.
        return False
    scan = parse_scan(text, own_hosts)
    if isinstance(scan, OwnCode):
        return scan.is_valid
    return not isinstance(scan, BadGrai)


class Debouncer:
    """The same payload seen again within ``window_s`` seconds of its last sighting is not a new
    read: a code held in front of the camera for ten seconds is one read, not 300. The window
    restarts at every sighting, so a code must leave the view for ``window_s`` to count again."""

    def __init__(self, window_s: float = 3.0, clock: Callable[[], float] = time.monotonic):
        if window_s <= 0:
            raise ValueError("window_s must be positive")
        self._window = window_s
        self._clock = clock
        self._last_seen: dict[str, float] = {}

    def is_new(self, payload: str) -> bool:
        """Record a sighting of ``payload``; True when it counts as a new read."""
        now = self._clock()
        self._forget_before(now - self._window)
        # Whatever is left was seen within the window; re-inserting keeps the dict ordered by
        # last sighting, which ``_forget_before`` relies on.
        was_seen = self._last_seen.pop(payload, None) is not None
        self._last_seen[payload] = now
        return not was_seen

    def _forget_before(self, limit: float) -> None:
        # Oldest first, so the loop stops at the first payload still inside its window.
        for payload, seen in list(self._last_seen.items()):
            if seen >= limit:
                break
            del self._last_seen[payload]
