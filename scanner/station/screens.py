"""Every screen the station shows, in one place: what to say (``scanner.display`` decides how).
Chinese first, English second."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from scanner.display.screen import Line, Screen, Tone
from scanner.offline.cache import CacheInfo
from scanner.offline.verdict import GateAnswer, finding_of
from scanner.outbox.client import Ack, Outcome
from scanner.station.options import EventKind
from service.domain.reasons import Finding, Reason

ALLOW = Line("可以充装", "ALLOW")
REFUSE = Line("禁止充装", "REFUSE")
OFFLINE = Line(
    "网络中断：离线判断，恢复后自动上传",
    "Offline: decided from the local copy; will upload when the network is back",
)
OFFLINE_REFUSED = Line("网络中断：离线判断", "Offline: decided from the local copy")
DONE_TITLES: dict[EventKind, Line] = {
    "fill": Line("已记录充装", "Fill recorded"),
    "dispatch": Line("已出站", "Dispatched"),
    "deliver": Line("已送达", "Delivered"),
    "return": Line("已回收", "Returned"),
}
QUEUED = Line("已保存，待上传", "Saved on this scanner; will upload")
QUEUED_LINE = Line("网络恢复后自动上传，不会丢失", "Uploads by itself when the network is back")
NOT_ACCEPTED = Line("未被服务接受", "Not accepted by the service")
NOT_RECORDED = Line("未记录充装", "No fill recorded")
INVALID = Finding.of(Reason.LABEL_INVALID)

Show = Callable[[Screen], None]  # on the view, with the screen's sound


def _as_of(answer: GateAnswer) -> str:
    if answer.cache_as_of is None:
        return ""
    return answer.cache_as_of.astimezone().strftime("%m-%d %H:%M")


def verdict_screen(answer: GateAnswer) -> Screen:
    """The fill gate's answer: ALLOW or REFUSE, every reason, the warnings, and whether the
    local copy decided it."""
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


def cannot_judge_screen(code: str, detail: str) -> Screen:
    """The service rejected the scan itself (too long, say): no verdict, so no fill."""
    return Screen(Tone.REFUSE, REFUSE, (Line("无法判断", "cannot judge"), Line(code, detail)))


def no_fill_screen(code: str | None) -> Screen:
    """After an ALLOW, no weight was given: nothing is recorded."""
    return Screen(Tone.NOTICE, NOT_RECORDED, code=code)


def too_long_screen() -> Screen:
    return Screen(Tone.REFUSE, NOT_ACCEPTED, (Line("编号过长", "identifier too long"),))


def _findings(items: Iterable[Any]) -> tuple[Finding, ...]:
    return tuple(finding_of(i) for i in items if isinstance(i, dict))


def outcome_screen(
    kind: EventKind, label: str, outcome: Outcome | None, lines: list[Line]
) -> Screen:
    """What became of an event: recorded, saved to upload later, or refused (and why)."""
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


def invalid_screen(kind: EventKind, text: str) -> Screen:
    """A read that fails our checks (check character, GRAI check digit, binary): not sent."""
    shown = text if len(text) <= 60 else text[:57] + "..."
    title = REFUSE if kind == "fill" else NOT_ACCEPTED
    return Screen(Tone.REFUSE, title, (Line(INVALID.message_zh, INVALID.message), Line(shown, "")))


def sync_notice(info: CacheInfo | None, error: str | None) -> Screen:
    """At the start of a fill run: the local copy the offline gate will decide from."""
    if info is None:
        return Screen(
            Tone.QUEUED,
            Line("离线启动：没有本地名单", "Started offline: no local copy"),
            (Line("联网后自动同步", "Syncs by itself when the network is back"),),
        )
    stamp = info.as_of.astimezone().strftime("%Y-%m-%d %H:%M")
    summary = Line(
        f"本地名单：{info.cylinders} 只气瓶，{info.blacklist} 条黑名单，{stamp}",
        f"Local copy: {info.cylinders} cylinders, {info.blacklist} blacklist entries, {stamp}",
    )
    title = Line("准备就绪", "Ready")
    if error is not None:
        title = Line("离线启动：使用已有本地名单", "Started offline: using the local copy")
    return Screen(Tone.NOTICE if error is None else Tone.QUEUED, title, (summary,))
