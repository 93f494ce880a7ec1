"""出站 dispatch, 送达 deliver, 回收 return: one custody event per read, written ahead to the
outbox and sent by the uploader."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from scanner.station.options import CustodyMode
from scanner.station.recorder import Recorder
from scanner.station.screens import Show, too_long_screen
from service.domain.codes import OwnCode, parse_scan

MAX_CODE = 300  # DeliveryCreate.code


def delivery_code(scan: str) -> str:
    """A custody event names the cylinder: our code when the scan holds one, else the text
    as read (an alias the service resolves)."""
    parsed = parse_scan(scan)
    if isinstance(parsed, OwnCode) and parsed.is_valid:
        return parsed.code
    return scan.strip()


class CustodyStation:
    def __init__(
        self, *, mode: CustodyMode, recorder: Recorder, show: Show, now: Callable[[], datetime]
    ) -> None:
        self.mode, self.recorder, self.show, self.now = mode, recorder, show, now

    def known_hosts(self) -> frozenset[str]:
        return frozenset()  # no local copy to learn them from: the configured ones only

    def on_read(self, scan: str) -> None:
        code = delivery_code(scan)
        if len(code) > MAX_CODE:
            self.show(too_long_screen())
            return
        body: dict[str, Any] = {
            "event_id": str(uuid.uuid4()),
            "code": code,
            "kind": self.mode.kind,
            "occurred_at": self.now().isoformat(),
        }
        if self.mode.vehicle:
            body["vehicle"] = self.mode.vehicle
        if self.mode.customer_id:
            body["customer_id"] = self.mode.customer_id
        self.recorder.record(self.mode.kind, body, code, [])
