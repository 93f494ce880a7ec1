"""One run of a station command, wired: the outbox and the local copy in ``--data-dir``, the HTTP
client, the uploader and cache-refresh threads, the view, the sound and the weight source. Every
new read then goes to the mode's station (``FillStation`` or ``CustodyStation``) until the
source ends or ``max_reads``. ``Wiring`` holds what a test replaces (transport, view, clock,
streams)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol, TextIO

import httpx

from scanner.capture.decode import decode_stream
from scanner.capture.read_filter import Debouncer, is_acceptable
from scanner.capture.sources import KeyboardWedge, open_frames, texts_as_batches
from scanner.display.screen import Screen
from scanner.display.sound import Silent, Sound, choose_sound
from scanner.display.view import VerdictView, choose_view
from scanner.offline.cache import LocalCache, sync_cache
from scanner.offline.gate import OfflineGate
from scanner.offline.refresh import Refresher, sync_copy_at
from scanner.outbox.client import ServiceClient, TokenRejected, Unreachable
from scanner.outbox.queue import EventQueue, State
from scanner.outbox.sender import Sender, Uploader
from scanner.station.custody import CustodyStation
from scanner.station.fill import FillStation
from scanner.station.options import FillMode, Mode, StationOptions, cache_path, outbox_path
from scanner.station.recorder import Recorder
from scanner.station.screens import Show, invalid_screen, sync_notice
from scanner.station.weight import FixedNetWeight, KeyboardNetWeight, NetWeightSource


def _utc_now() -> datetime:
    return datetime.now(UTC)


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


class ReadHandler(Protocol):
    """What one read does in a mode."""

    def on_read(self, scan: str) -> None: ...

    def known_hosts(self) -> frozenset[str]:
        """Our public URL's hosts learnt during the run (besides the configured ones)."""
        ...


def client_for(options: StationOptions, wiring: Wiring) -> ServiceClient:
    return ServiceClient(options.service, options.token, transport=wiring.transport)


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


@dataclass(frozen=True, slots=True)
class _Run:
    """What an assembled run reads into; closed by the ``ExitStack`` that opened it."""

    station: ReadHandler
    queue: EventQueue
    uploader: Uploader
    view: VerdictView
    show: Show

    def on_read(self, scan: str) -> None:
        self.uploader.raise_if_stopped()
        self.station.on_read(scan)


def run_mode(options: StationOptions, mode: Mode, wiring: Wiring | None = None) -> RunResult:
    """Read from the source and act on each read until it ends or ``max_reads``."""
    wiring = wiring or Wiring()
    with ExitStack() as stack:
        run = _assemble(stack, options, mode, wiring)
        reads = run_reads(
            _batches(options, wiring),
            run.on_read,
            view=run.view,
            debouncer=Debouncer(options.window_s),
            own_hosts=lambda: options.own_hosts | run.station.known_hosts(),
            max_reads=options.max_reads,
            on_invalid=lambda text: run.show(invalid_screen(mode.kind, text)),
        )
        return _finish(run, options, reads)
    raise AssertionError("unreachable")  # pragma: no cover - ExitStack does not swallow


def _assemble(stack: ExitStack, options: StationOptions, mode: Mode, wiring: Wiring) -> _Run:
    """Open everything a run needs; ``stack`` closes it all, in reverse order."""
    view = wiring.view or choose_view()
    stack.callback(view.close)
    show = _show_with(
        view, choose_sound(wiring.out, options.data_dir) if options.sound else Silent()
    )
    queue = EventQueue(outbox_path(options.data_dir))
    stack.callback(queue.close)
    client = stack.enter_context(client_for(options, wiring))
    station: ReadHandler
    if isinstance(mode, FillMode):
        gate = _start_gate(stack, options, mode, wiring, view)  # synced before any upload
        uploader = stack.enter_context(_uploader(options, wiring))
        recorder = Recorder(queue=queue, uploader=uploader, token=options.token, show=show)
        station = FillStation(
            client=client,
            gate=gate,
            weight=_weight(mode, wiring),
            recorder=recorder,
            uploader=uploader,
            show=show,
            now=wiring.now,
        )
    else:
        uploader = stack.enter_context(_uploader(options, wiring))
        recorder = Recorder(queue=queue, uploader=uploader, token=options.token, show=show)
        station = CustodyStation(mode=mode, recorder=recorder, show=show, now=wiring.now)
    return _Run(station, queue, uploader, view, show)


def _show_with(view: VerdictView, sound: Sound) -> Show:
    def show(screen: Screen) -> None:
        view.show(screen)
        sound.play(screen.tone)

    return show


def _batches(options: StationOptions, wiring: Wiring) -> Iterable[list[str]]:
    if options.source == "-":
        return texts_as_batches(KeyboardWedge(wiring.stdin))
    return decode_stream(open_frames(options.source))


def _weight(mode: FillMode, wiring: Wiring) -> NetWeightSource:
    if mode.net_kg is not None:
        return FixedNetWeight(mode.net_kg)
    return KeyboardNetWeight(wiring.stdin, sys.stderr)


@contextmanager
def _uploader(options: StationOptions, wiring: Wiring) -> Iterator[Uploader]:
    def make_sender() -> Sender:
        return Sender(EventQueue(outbox_path(options.data_dir)), client_for(options, wiring))

    uploader = Uploader(make_sender).start()
    try:
        yield uploader
    finally:
        uploader.stop()


def _start_gate(
    stack: ExitStack, options: StationOptions, mode: FillMode, wiring: Wiring, view: VerdictView
) -> OfflineGate:
    """The offline gate on a freshly synced copy (or the last one, when the service cannot be
    reached), kept fresh every ``sync_minutes`` while the run lasts."""
    path = cache_path(options.data_dir)
    cache = LocalCache(path)
    stack.callback(cache.close)
    try:
        with client_for(options, wiring) as client:
            view.show(sync_notice(sync_cache(client, cache, wiring.now), None))
    except Unreachable as exc:
        view.show(sync_notice(cache.info(options.token), str(exc)))
    refresher = Refresher(
        lambda: sync_copy_at(path, lambda: client_for(options, wiring), wiring.now),
        mode.sync_minutes * 60,
    ).start()
    stack.callback(refresher.stop)
    return OfflineGate(
        cache,
        options.token,
        wiring.now,
        max_age=timedelta(hours=mode.max_cache_hours),
        own_hosts=options.own_hosts,
    )


def _drain(queue: EventQueue, uploader: Uploader, token: str, wait_s: float) -> None:
    """Give the uploader up to ``wait_s`` to empty the outbox, while the service answers."""
    deadline = time.monotonic() + wait_s
    uploader.wake()
    while queue.head(token) is not None and uploader.is_online and time.monotonic() < deadline:
        if uploader.is_token_rejected or uploader.error is not None:
            break
        uploader.wake()
        time.sleep(0.05)


def _finish(run: _Run, options: StationOptions, reads: int) -> RunResult:
    _drain(run.queue, run.uploader, options.token, options.drain_s)
    run.uploader.stop()
    if run.uploader.is_token_rejected:
        raise TokenRejected("token rejected while uploading")
    queue = run.queue
    return RunResult(reads, queue.count(State.PENDING, options.token), queue.count(State.FAILED))
