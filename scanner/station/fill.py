"""充装: what one read does at the scale. The fill gate (the service; the offline gate when the
service does not answer in time), the verdict on screen with its sound; after an ALLOW, the net
weight (typed, or ``--net-kg``), then the ``filled`` event, written ahead to the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from scanner.display.screen import Line
from scanner.offline.gate import OfflineGate
from scanner.offline.verdict import GateAnswer, answer_from_service
from scanner.outbox.client import Rejected, ServiceClient, Unreachable
from scanner.outbox.sender import Uploader
from scanner.station.recorder import Recorder
from scanner.station.screens import Show, cannot_judge_screen, no_fill_screen, verdict_screen
from scanner.station.weight import NetWeightSource


class FillStation:
    def __init__(
        self,
        *,
        client: ServiceClient,
        gate: OfflineGate,
        weight: NetWeightSource,
        recorder: Recorder,
        uploader: Uploader,
        show: Show,
        now: Callable[[], datetime],
    ) -> None:
        self.client, self.gate, self.weight = client, gate, weight
        self.recorder, self.uploader = recorder, uploader
        self.show, self.now = show, now

    def known_hosts(self) -> frozenset[str]:
        """Our public URL's hosts that the local copy has learnt."""
        return self.gate.known_hosts()

    def check(self, scan: str) -> GateAnswer | None:
        """The service's verdict, or the local gate's when the service does not answer in
        time. None when the service rejected the scan itself (shown already)."""
        try:
            answer = answer_from_service(self.client.fill_check(scan))
        except Unreachable:
            return self.gate.decide(scan)
        except Rejected as exc:  # a scan the service will not judge (too long...): no fill
            self.show(cannot_judge_screen(exc.code, exc.detail))
            return None
        if not self.uploader.is_online:
            self.uploader.wake(force=True)  # the service answers again: upload now
        return answer

    def on_read(self, scan: str) -> None:
        answer = self.check(scan)
        if answer is None:
            return
        self.show(verdict_screen(answer))
        if not answer.is_allowed:
            return
        net_kg = self.weight.read_net_kg(answer.code or scan)
        if net_kg is None:
            self.show(no_fill_screen(answer.code))
            return
        body: dict[str, Any] = {
            "event_id": str(uuid.uuid4()),
            "scan": scan,
            "net_kg": net_kg,
            "filled_at": self.now().isoformat(),
        }
        if answer.check_id is not None:
            body["check_id"] = answer.check_id
        if answer.is_offline:
            body["offline"] = answer.offline_record()
        weighed = Line(f"净重 {net_kg:g} kg", f"net {net_kg:g} kg")
        self.recorder.record("fill", body, answer.code or scan, [weighed])
