"""The station workflows: what one read does.

* ``fill`` (``cylinder-scan station``): the gate (the service, or the local gate when the
  service does not answer in time), the verdict on screen with its sound; after an ALLOW, the
  net weight (typed, or ``--net-kg``), then the ``filled`` event.
* ``dispatch`` / ``deliver`` / ``return``: one custody event per read.

Every event is given its ``event_id`` here and written to the outbox BEFORE it is sent; the
uploader thread sends it, and the station waits a moment for the answer only to show it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scanner.capture.read_filter import Debouncer, is_acceptable
from scanner.display.screen import Line, Screen, Tone
from scanner.display.sound import Sound
from scanner.display.view import VerdictView
from scanner.offline.gate import OfflineGate
from scanner.offline.verdict import GateAnswer, answer_from_service, finding_of
from scanner.outbox.client import Ack, Outcome, Rejected, ServiceClient, TokenRejected, Unreachable
from scanner.outbox.queue import EventQueue
from scanner.outbox.sender import Uploader
from scanner.weight import NetWeightSource
from service.domain.codes import OwnCode, parse_scan
from service.domain.reasons import Finding, Reason

PATHS = {"fill": "/api/v1/fills", "dispatch": "/api/v1/deliveries"}
PATHS["deliver"] = PATHS["return"] = PATHS["dispatch"]
DONE_TITLES = {
    "fill": Line("已记录充装", "Fill recorded"),
    "dispatch": Line("已出站", "Dispatched"),
    "deliver": Line("已送达", "Delivered"),
    "return": Line("已回收", "Returned"),
}
QUEUED = Line("已保存，待上传", "Saved on this scanner; will upload")
QUEUED_LINE = Line("网络恢复后自动上传，不会丢失", "Uploads by itself when the network is back")
NOT_ACCEPTED = Line("未被服务接受", "Not accepted by the service")
NOT_RECORDED = Line("未记录充装", "No fill recorded")
MAX_CODE = 300  # DeliveryCreate.code

ALLOW = Line("可以充装", "ALLOW")
REFUSE = Line("禁止充装", "REFUSE")
OFFLINE = Line(
    "网络中断：离线判断，恢复后自动上传",
    "Offline: decided from the local copy; will upload when the network is back",
)
OFFLINE_REFUSED = Line("网络中断：离线判断", "Offline: decided from the local copy")


def _as_of(answer: GateAnswer) -> str:
    if answer.cache_as_of is None:
        return ""
    return answer.cache_as_of.astimezone().strftime("%m-%d %H:%M")


def verdict_screen(answer: GateAnswer) -> Screen:
    reasons = answer.reasons
    if answer.is_offline and answer.note is not None:
        # Offline, "unknown" only means "not in the local list": the note says that better
        # than "no registered cylinder has this code", which may be untrue.
        reasons = tuple(r for r in reasons if r.code != Reason.UNKNOWN_CODE)
    lines = [Line(r.message_zh, r.message) for r in reasons]
    if answer.note is not None:
        lines.append(Line(*answer.note))
    lines.extend(Line("注意：" + w.message_zh, "Note: " + w.message) for w in answer.warnings)
    banner = None
    if answer.is_offline:
        stamp = _as_of(answer)
        suffix = Line(f"（名单 {stamp}）", f" (list of {stamp})") if stamp else Line("", "")
        head = OFFLINE if answer.is_allowed else OFFLINE_REFUSED
        banner = Line(head.zh + suffix.zh, head.en + suffix.en)
    return Screen(
        Tone.ALLOW if answer.is_allowed else Tone.REFUSE,
        ALLOW if answer.is_allowed else REFUSE,
        tuple(lines),
        answer.code,
        answer.model,
        banner,
    )


@dataclass(frozen=True, slots=True)
class Mode:
    kind: str  # fill | dispatch | deliver | return
    customer_id: str | None = None
    vehicle: str | None = None


def _delivery_code(scan: str) -> str:
    """A custody event names the cylinder: our code when the scan holds one, else the text
    as read (an alias the service resolves)."""
    parsed = parse_scan(scan)
    if isinstance(parsed, OwnCode) and parsed.is_valid:
        return parsed.code
    return scan.strip()


def _findings(items: Iterable[Any]) -> tuple[Finding, ...]:
    return tuple(finding_of(i) for i in items if isinstance(i, dict))


class Station:
    def __init__(
        self,
        *,
        client: ServiceClient,
        queue: EventQueue,
        uploader: Uploader,
        view: VerdictView,
        sound: Sound,
        now: Callable[[], datetime],
        gate: OfflineGate | None = None,
        weight: NetWeightSource | None = None,
        ack_wait_s: float = 2.5,
    ) -> None:
        self.client, self.queue, self.uploader = client, queue, uploader
        self.view, self.sound, self.now = view, sound, now
        self.gate, self.weight = gate, weight
        self.ack_wait_s = ack_wait_s

    def show(self, screen: Screen) -> None:
        self.view.show(screen)
        self.sound.play(screen.tone)

    def act(self, text: str, mode: Mode) -> None:
        """What one read does in ``mode``."""
        if self.uploader.is_token_rejected:
            raise TokenRejected("token rejected while uploading")
        if self.uploader.error is not None:
            raise RuntimeError("the upload thread stopped") from self.uploader.error
        if mode.kind == "fill":
            self.fill(text)
        else:
            self.hand_over(text, mode)

    def known_hosts(self, configured: frozenset[str]) -> frozenset[str]:
        """Our public URL's hosts: configured, and learnt by the local copy."""
        return configured | (self.gate.known_hosts() if self.gate is not None else frozenset())

    # --- the fill gate ----------------------------------------------------------------------

    def check(self, scan: str) -> GateAnswer | None:
        """The service's verdict, or the local gate's when the service does not answer in
        time. None when the service rejected the scan itself (shown already)."""
        try:
            answer = answer_from_service(self.client.fill_check(scan))
        except Unreachable:
            if self.gate is None:
                raise
            return self.gate.decide(scan)
        except Rejected as exc:  # a scan the service will not judge (too long...): no fill
            self.show(
                Screen(
                    Tone.REFUSE,
                    REFUSE,
                    (Line("无法判断", "cannot judge"), Line(exc.code, exc.detail)),
                )
            )
            return None
        if not self.uploader.is_online:
            self.uploader.wake(force=True)  # the service answers again: upload now
        return answer

    def fill(self, scan: str) -> None:
        answer = self.check(scan)
        if answer is None:
            return
        self.show(verdict_screen(answer))
        if not answer.is_allowed or self.weight is None:
            return
        net_kg = self.weight.read_net_kg(answer.code or scan)
        if net_kg is None:
            self.show(Screen(Tone.NOTICE, NOT_RECORDED, code=answer.code))
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
        self.record(
            "fill", body, answer.code or scan, [Line(f"净重 {net_kg:g} kg", f"net {net_kg:g} kg")]
        )

    # --- custody ----------------------------------------------------------------------------

    def hand_over(self, scan: str, mode: Mode) -> None:
        code = _delivery_code(scan)
        if len(code) > MAX_CODE:
            self.show(Screen(Tone.REFUSE, NOT_ACCEPTED, (Line("编号过长", "identifier too long"),)))
            return
        body: dict[str, Any] = {
            "event_id": str(uuid.uuid4()),
            "code": code,
            "kind": mode.kind,
            "occurred_at": self.now().isoformat(),
        }
        if mode.vehicle:
            body["vehicle"] = mode.vehicle
        if mode.customer_id:
            body["customer_id"] = mode.customer_id
        self.record(mode.kind, body, code, [])

    # --- recording --------------------------------------------------------------------------

    def record(self, kind: str, body: dict[str, Any], label: str, lines: list[Line]) -> None:
        """Write ahead, then let the uploader send; show its answer if it comes quickly."""
        event = self.queue.enqueue(
            event_id=body["event_id"],
            kind=kind,
            path=PATHS[kind],
            body=body,
            token=self.client.token,
            label=label,
        )
        self.uploader.wake()
        wait = self.ack_wait_s if self.uploader.is_online else 0.0
        outcome = self.uploader.wait_for(event.event_id, wait)
        self.show(outcome_screen(kind, label, outcome, lines))
        if outcome is not None and outcome.ack is Ack.AUTH:
            raise TokenRejected("token rejected while uploading", status=outcome.status)


def outcome_screen(kind: str, label: str, outcome: Outcome | None, lines: list[Line]) -> Screen:
    if outcome is None or outcome.ack in (Ack.RETRY, Ack.AUTH):
        return Screen(Tone.QUEUED, QUEUED, (*lines, QUEUED_LINE), code=label)
    if outcome.ack is Ack.SENT:
        warnings = _findings(outcome.body.get("warnings") or [])
        extra = [Line("注意：" + w.message_zh, "Note: " + w.message) for w in warnings]
        return Screen(Tone.DONE, DONE_TITLES[kind], (*lines, *extra), code=label)
    if outcome.code == "FILL_REFUSED":
        reasons = _findings(outcome.body.get("reasons") or [])
        return Screen(
            Tone.REFUSE, REFUSE, tuple(Line(r.message_zh, r.message) for r in reasons), label
        )
    problem = Line(outcome.code, outcome.detail)
    return Screen(Tone.REFUSE, NOT_ACCEPTED, (*lines, problem), code=label)


INVALID = Finding.of(Reason.LABEL_INVALID)


def run_reads(
    batches: Iterable[list[str]],
    on_read: Callable[[str], None],
    *,
    view: VerdictView,
    debouncer: Debouncer,
    own_hosts: Callable[[], frozenset[str]],
    max_reads: int | None = None,
    on_invalid: Callable[[str], None] | None = None,
) -> int:
    """Feed each new read to ``on_read`` (a read the checks refuse to ``on_invalid``); stop
    after ``max_reads``. Returns the number of reads."""
    reads = 0
    for batch in batches:
        view.tick()
        for text in batch:
            if max_reads is not None and reads >= max_reads:
                return reads
            if not debouncer.is_new(text):
                continue
            reads += 1
            if is_acceptable(text, own_hosts()):
                on_read(text)
            elif on_invalid is not None:
                on_invalid(text)
        if max_reads is not None and reads >= max_reads:
            break
    return reads


def invalid_screen(kind: str, text: str) -> Screen:
    """A read that fails our checks (check character, GRAI check digit, binary): not sent."""
    shown = text if len(text) <= 60 else text[:57] + "..."
    title = REFUSE if kind == "fill" else NOT_ACCEPTED
    return Screen(Tone.REFUSE, title, (Line(INVALID.message_zh, INVALID.message), Line(shown, "")))
