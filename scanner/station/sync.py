"""``cylinder-scan sync``: upload the outbox now, whatever the backoff says, then refresh the
local copy the offline gate decides from."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.offline.cache import CacheInfo, LocalCache, sync_cache
from scanner.outbox.client import TokenRejected, Unreachable
from scanner.outbox.queue import EventQueue, State
from scanner.outbox.sender import Attempt, Sender
from scanner.station.options import StationOptions, cache_path, outbox_path
from scanner.station.run import Wiring, client_for


@dataclass(frozen=True, slots=True)
class SyncResult:
    attempts: list[Attempt]
    cache: CacheInfo | None
    cache_error: str | None
    pending: int
    failed: int


def sync_now(options: StationOptions, wiring: Wiring | None = None) -> SyncResult:
    """Upload the outbox now (backoff waits ignored), then refresh the local copy."""
    wiring = wiring or Wiring()
    with (
        EventQueue(outbox_path(options.data_dir)) as queue,
        client_for(options, wiring) as client,
    ):
        sender = Sender(queue, client)
        attempts = sender.send_due(force=True)
        if sender.is_token_rejected:
            raise TokenRejected("token rejected", status=attempts[-1].outcome.status)
        cache = LocalCache(cache_path(options.data_dir))
        try:
            info, error = sync_cache(client, cache, wiring.now), None
        except Unreachable as exc:
            info, error = None, str(exc)
        finally:
            cache.close()
        return SyncResult(
            attempts,
            info,
            error,
            queue.count(State.PENDING, options.token),
            queue.count(State.FAILED),
        )
