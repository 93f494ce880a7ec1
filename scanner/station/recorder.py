"""Recording an event: written ahead to the outbox with its own ``event_id``, then sent by the
uploader thread; the station waits a moment for the service's answer only to show it."""

from __future__ import annotations

from typing import Any

from scanner.display.screen import Line
from scanner.outbox.client import Ack, TokenRejected
from scanner.outbox.queue import EventQueue
from scanner.outbox.sender import Uploader
from scanner.station.options import EventKind
from scanner.station.screens import Show, outcome_screen

PATHS: dict[EventKind, str] = {
    "fill": "/api/v1/fills",
    "dispatch": "/api/v1/deliveries",
    "deliver": "/api/v1/deliveries",
    "return": "/api/v1/deliveries",
}


class Recorder:
    def __init__(
        self,
        *,
        queue: EventQueue,
        uploader: Uploader,
        token: str,
        show: Show,
        ack_wait_s: float = 2.5,
    ) -> None:
        self.queue, self.uploader, self.token = queue, uploader, token
        self.show = show
        self.ack_wait_s = ack_wait_s

    def record(self, kind: EventKind, body: dict[str, Any], label: str, lines: list[Line]) -> None:
        """Write ahead, then let the uploader send; show its answer if it comes quickly."""
        event = self.queue.enqueue(
            event_id=body["event_id"],
            kind=kind,
            path=PATHS[kind],
            body=body,
            token=self.token,
            label=label,
        )
        self.uploader.wake()
        wait = self.ack_wait_s if self.uploader.is_online else 0.0
        outcome = self.uploader.wait_for(event.event_id, wait)
        self.show(outcome_screen(kind, label, outcome, lines))
        if outcome is not None and outcome.ack is Ack.AUTH:
            raise TokenRejected("token rejected while uploading", status=outcome.status)
