"""One run of a station mode, wired: the outbox and the local copy in ``--data-dir``, the HTTP
client, the uploader and cache-refresh threads, the view, the sound and the weight source.
``Wiring`` holds what a test replaces (transport, view, clock, streams)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

import httpx

from scanner.capture.decode import decode_stream
from scanner.capture.read_filter import Debouncer
from scanner.capture.sources import KeyboardWedge, open_frames, texts_as_batches
from scanner.display.screen import Line, Screen, Tone
from scanner.display.sound import Silent, Sound, choose_sound
from scanner.display.view import VerdictView, choose_view
from scanner.offline.cache import CacheInfo, LocalCache, sync_cache
from scanner.offline.gate import OfflineGate
from scanner.outbox.client import ServiceClient, ServiceError, TokenRejected, Unreachable
from scanner.outbox.queue import EventQueue, State
from scanner.outbox.sender import Attempt, Sender, Uploader
from scanner.station import Mode, Station, invalid_screen, run_reads
from scanner.weight import FixedNetWeight, KeyboardNetWeight, NetWeightSource


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Options:
    service: str
    token: str
    data_dir: Path
    source: str = "0"
    max_reads: int | None = None
    own_hosts: frozenset[str] = frozenset()
    window_s: float = 3.0
    sound: bool = True
    sync_minutes: float = 10.0
    max_cache_hours: float = 24.0
    net_kg: float | None = None
    drain_s: float = 10.0  # at the end, how long to wait for the outbox to empty (online)


@dataclass
class Wiring:
    transport: httpx.BaseTransport | None = None
    view: VerdictView | None = None
    now: Callable[[], datetime] = _utc_now
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    out: TextIO = field(default_factory=lambda: sys.stdout)


@dataclass(frozen=True, slots=True)
class RunResult:
    reads: int
    pending: int
    failed: int


def outbox_path(data_dir: Path) -> Path:
    return data_dir / "outbox.sqlite3"


def cache_path(data_dir: Path) -> Path:
    return data_dir / "cache.sqlite3"


def client_for(options: Options, wiring: Wiring) -> ServiceClient:
    return ServiceClient(options.service, options.token, transport=wiring.transport)


class Refresher:
    """Syncs the local copy every ``every_s`` seconds in a thread; failures wait for the next
    round (the copy stays as it was)."""

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


def _sync_in_thread(options: Options, wiring: Wiring) -> CacheInfo:
    cache = LocalCache(cache_path(options.data_dir))
    try:
        with client_for(options, wiring) as client:
            return sync_cache(client, cache, wiring.now)
    finally:
        cache.close()


def sync_notice(info: CacheInfo | None, error: str | None) -> Screen:
    if info is None:
        return Screen(
            Tone.QUEUED,
            Line("离线启动：没有本地名单", "Started offline: no local copy"),
            (Line("联网后自动同步", "Syncs by itself when the network is back"),),
        )
    stamp = info.as_of.astimezone().strftime("%Y-%m-%d %H:%M")
    lines = [
        Line(f"本地名单：{info.cylinders} 只气瓶，{info.blacklist} 条黑名单，{stamp}",
             f"Local copy: {info.cylinders} cylinders, {info.blacklist} blacklist entries, {stamp}"),
    ]  # fmt: skip
    title = Line("准备就绪", "Ready")
    if error is not None:
        title = Line("离线启动：使用已有本地名单", "Started offline: using the local copy")
    return Screen(Tone.NOTICE if error is None else Tone.QUEUED, title, tuple(lines))


def _initial_sync(options: Options, wiring: Wiring, cache: LocalCache) -> Screen:
    try:
        with client_for(options, wiring) as client:
            info = sync_cache(client, cache, wiring.now)
        return sync_notice(info, None)
    except Unreachable as exc:
        return sync_notice(cache.info(options.token), str(exc))


def _batches(options: Options, wiring: Wiring) -> Iterable[list[str]]:
    if options.source == "-":
        return texts_as_batches(KeyboardWedge(wiring.stdin))
    return decode_stream(open_frames(options.source))


def _weight(options: Options, wiring: Wiring) -> NetWeightSource:
    if options.net_kg is not None:
        return FixedNetWeight(options.net_kg)
    return KeyboardNetWeight(wiring.stdin, sys.stderr)


@contextmanager
def _uploader(options: Options, wiring: Wiring) -> Iterator[Uploader]:
    def make_sender() -> Sender:
        return Sender(EventQueue(outbox_path(options.data_dir)), client_for(options, wiring))

    uploader = Uploader(make_sender).start()
    try:
        yield uploader
    finally:
        uploader.stop()


def _drain(queue: EventQueue, uploader: Uploader, token: str, wait_s: float) -> None:
    """Give the uploader up to ``wait_s`` to empty the outbox, while the service answers."""
    deadline = time.monotonic() + wait_s
    uploader.wake()
    while queue.head(token) is not None and uploader.is_online and time.monotonic() < deadline:
        if uploader.is_token_rejected or uploader.error is not None:
            break
        uploader.wake()
        time.sleep(0.05)


def _assemble(stack: ExitStack, options: Options, mode: Mode, wiring: Wiring) -> Station:
    """Open everything a run needs; ``stack`` closes it all, in reverse order."""
    view = wiring.view or choose_view()
    stack.callback(view.close)
    sound: Sound = choose_sound(wiring.out, options.data_dir) if options.sound else Silent()
    queue = EventQueue(outbox_path(options.data_dir))
    stack.callback(queue.close)
    client = stack.enter_context(client_for(options, wiring))
    gate = _start_gate(options, wiring, stack, view) if mode.kind == "fill" else None
    uploader = stack.enter_context(_uploader(options, wiring))
    return Station(
        client=client, queue=queue, uploader=uploader, view=view, sound=sound,
        now=wiring.now, gate=gate, weight=_weight(options, wiring) if gate else None,
    )  # fmt: skip


def _finish(station: Station, options: Options, reads: int) -> RunResult:
    _drain(station.queue, station.uploader, options.token, options.drain_s)
    station.uploader.stop()
    if station.uploader.is_token_rejected:
        raise TokenRejected("token rejected while uploading")
    queue = station.queue
    return RunResult(reads, queue.count(State.PENDING, options.token), queue.count(State.FAILED))


def run_mode(options: Options, mode: Mode, wiring: Wiring | None = None) -> RunResult:
    """Read from the source and act on each read until it ends or ``max_reads``."""
    wiring = wiring or Wiring()
    with ExitStack() as stack:
        station = _assemble(stack, options, mode, wiring)
        reads = run_reads(
            _batches(options, wiring),
            lambda text: station.act(text, mode),
            view=station.view,
            debouncer=Debouncer(options.window_s),
            own_hosts=lambda: station.known_hosts(options.own_hosts),
            max_reads=options.max_reads,
            on_invalid=lambda text: station.show(invalid_screen(mode.kind, text)),
        )
        return _finish(station, options, reads)
    raise AssertionError("unreachable")  # pragma: no cover - ExitStack does not swallow


def _start_gate(
    options: Options, wiring: Wiring, stack: ExitStack, view: VerdictView
) -> OfflineGate:
    cache = LocalCache(cache_path(options.data_dir))
    stack.callback(cache.close)
    view.show(_initial_sync(options, wiring, cache))
    refresher = Refresher(
        lambda: _sync_in_thread(options, wiring), options.sync_minutes * 60
    ).start()
    stack.callback(refresher.stop)
    return OfflineGate(
        cache,
        options.token,
        wiring.now,
        max_age=timedelta(hours=options.max_cache_hours),
        own_hosts=options.own_hosts,
    )


@dataclass(frozen=True, slots=True)
class SyncResult:
    attempts: list[Attempt]
    cache: CacheInfo | None
    cache_error: str | None
    pending: int
    failed: int


def sync_now(options: Options, wiring: Wiring | None = None) -> SyncResult:
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
