"""Sending the outbox: oldest first, each event until the service acknowledges it.

Backoff after a failed attempt (network error, timeout, 408, 429, 5xx): 1 s, 2 s, 4 s, ...
doubling up to 5 minutes, each multiplied by a random factor in [0.5, 1) ("equal jitter"):
scanners that lost the network together do not all come back in the same second, and none
retries sooner than half its step. A ``Retry-After`` from the service is honoured when longer.

``Sender`` makes the attempts (its clock and random source are injectable, for tests);
``Uploader`` runs it in a background thread, so that scanning never waits on the network, and
lets the station wait a moment for one event's answer to show it.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from scanner.outbox.client import Ack, Outcome, ServiceClient, TokenRejected
from scanner.outbox.queue import MAX_DELAY_S, EventQueue, QueuedEvent

BASE_DELAY_S = 1.0
_KEEP_OUTCOMES = 1000


def backoff_s(failures: int, jitter: float) -> float:
    """The wait before the next attempt after ``failures`` failed ones (``jitter`` in [0, 1))."""
    if failures < 1:
        raise ValueError("failures must be at least 1")
    step: float = min(MAX_DELAY_S, BASE_DELAY_S * 2.0 ** min(failures - 1, 30))
    return step * (0.5 + jitter / 2)


@dataclass(frozen=True, slots=True)
class Attempt:
    event: QueuedEvent
    outcome: Outcome


class Sender:
    """Sends the pending events of ``client``'s token from ``queue``."""

    def __init__(
        self,
        queue: EventQueue,
        client: ServiceClient,
        *,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.queue = queue
        self.client = client
        self._jitter = jitter
        self.is_token_rejected = False

    def send_one(self, event: QueuedEvent) -> Outcome:
        outcome = self.client.post_event(event.path, event.body, event.event_id)
        if outcome.ack is Ack.SENT:
            self.queue.mark_sent(event.event_id, outcome.status or 0)
        elif outcome.ack is Ack.FAILED:
            self.queue.mark_failed(
                event.event_id,
                status=outcome.status or 0,
                code=outcome.code,
                detail=outcome.detail,
            )
        elif outcome.ack is Ack.RETRY:
            delay = backoff_s(event.attempts + 1, self._jitter())
            if outcome.retry_after_s is not None:
                delay = min(max(delay, outcome.retry_after_s), MAX_DELAY_S)
            self.queue.mark_retry(
                event.event_id, delay_s=delay, error=outcome.detail, status=outcome.status
            )
        else:  # the token: nothing is marked, the events wait for a good token
            self.is_token_rejected = True
        return outcome

    def send_due(self, *, force: bool = False) -> list[Attempt]:
        """Send due events, oldest first, until none is due or one must wait. ``force``: the
        oldest is tried now whatever its backoff (a user asked to sync)."""
        attempts: list[Attempt] = []
        while not self.is_token_rejected:
            event = self.queue.next_due(self.client.token, force=force)
            if event is None:
                break
            outcome = self.send_one(event)
            attempts.append(Attempt(event, outcome))
            if outcome.ack in (Ack.RETRY, Ack.AUTH):
                break
        return attempts


class Uploader:
    """``Sender`` in a background thread. ``make_sender`` runs IN the thread (SQLite
    connections and HTTP clients are made where they are used)."""

    def __init__(self, make_sender: Callable[[], Sender], *, idle_s: float = 0.5) -> None:
        self._make_sender = make_sender
        self._idle_s = idle_s
        self._wake = threading.Event()
        self._force = False
        self._stopping = threading.Event()
        self._cond = threading.Condition()
        self._outcomes: dict[str, Outcome] = {}
        self.is_online = True  # until an attempt fails
        self.is_token_rejected = False
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="uploader", daemon=True)

    def start(self) -> Uploader:
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 15.0) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout_s)

    def raise_if_stopped(self) -> None:
        """Raise what stopped the uploads: the service rejected the token, or the thread
        failed. Events stay queued either way."""
        if self.is_token_rejected:
            raise TokenRejected("token rejected while uploading")
        if self.error is not None:
            raise RuntimeError("the upload thread stopped") from self.error

    def wake(self, *, force: bool = False) -> None:
        """Look at the outbox now; ``force``: try the oldest event now, whatever its backoff
        (the service has just answered something else: the network is back)."""
        self._force = self._force or force
        self._wake.set()

    def _run(self) -> None:
        sender = self._make_sender()
        try:
            while not self._stopping.is_set():
                force, self._force = self._force, False
                for attempt in sender.send_due(force=force):
                    self._record(attempt)
                self.is_token_rejected = sender.is_token_rejected
                self._wake.wait(self._idle_s)
                self._wake.clear()
        except BaseException as exc:  # shown by the station; the events stay queued
            self.error = exc
            raise
        finally:
            sender.queue.close()
            sender.client.close()

    def _record(self, attempt: Attempt) -> None:
        with self._cond:
            self.is_online = attempt.outcome.ack in (Ack.SENT, Ack.FAILED)
            self._outcomes[attempt.event.event_id] = attempt.outcome
            if len(self._outcomes) > _KEEP_OUTCOMES:  # answers nobody waited for
                del self._outcomes[next(iter(self._outcomes))]
            self._cond.notify_all()

    def wait_for(self, event_id: str, timeout_s: float) -> Outcome | None:
        """The first answer to ``event_id``'s upload, waiting at most ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while event_id not in self._outcomes:
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():
                    return None
                self._cond.wait(left)
            return self._outcomes.pop(event_id)
