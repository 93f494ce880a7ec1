"""The ``cylinder-scan`` commands that post to the service with the caller's token: ``station``,
``dispatch``, ``deliver``, ``return``, and the outbox's ``queue`` and ``sync``. Registered on
the command's Typer app by ``add_station_commands``; the work is in ``scanner.station.run``.

The four station commands share their options: ``shared_options`` declares them once and
parses them into one ``StationOptions``; each command declares only its own options, which say
what each read does (its ``Mode``). ``station_command`` joins the two for Typer.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import platformdirs
import typer
from rich.console import Console
from rich.table import Table

from scanner.capture.sources import SourceError
from scanner.outbox.client import ServiceError, TokenRejected
from scanner.outbox.queue import EventQueue, QueuedEvent, State
from scanner.station.options import (
    DEFAULT_SERVICE,
    CustodyMode,
    FillMode,
    Mode,
    StationOptions,
    outbox_path,
)
from scanner.station.run import run_mode
from scanner.station.sync import SyncResult, sync_now

ServiceOpt = Annotated[
    str, typer.Option("--service", envvar="CYLINDERS_SERVICE", help="the service's base URL")
]
TokenOpt = Annotated[
    str,
    typer.Option("--token", envvar="CYLINDERS_TOKEN", help="your bearer token", show_default=False),
]
SourceOpt = Annotated[
    str,
    typer.Option(
        "--source", help="camera index, stream URL, video or image file, or - (keyboard wedge)"
    ),
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="where the outbox and the local copy are kept [default: the user data directory]",
        show_default=False,
    ),
]
MaxReadsOpt = Annotated[
    int | None, typer.Option("--max-reads", min=1, help="stop after N reads", show_default=False)
]
OnceOpt = Annotated[bool, typer.Option("--once", help="stop after one read (--max-reads 1)")]
OwnHostOpt = Annotated[
    list[str] | None,
    typer.Option(help="host name of our public label URL (repeatable)", show_default=False),
]
WindowOpt = Annotated[float, typer.Option(help="seconds within which a code counts once")]
SoundOpt = Annotated[bool, typer.Option("--sound/--no-sound", help="beep ALLOW and REFUSE")]


def _at_most(limit: int) -> Callable[[str | None], str | None]:
    """A check that a text fits the service's limit: too long, every event would be refused."""

    def check(value: str | None) -> str | None:
        if value is not None and not 0 < len(value) <= limit:
            raise typer.BadParameter(f"1 to {limit} characters")
        return value

    return check


def _net_kg(value: float | None) -> float | None:
    if value is not None and not 0 < value < 100:
        raise typer.BadParameter("净重应在 0–100 kg 之间 / between 0 and 100 kg")
    return value


NetKgOpt = Annotated[
    float | None,
    typer.Option(
        callback=_net_kg, help="use this net weight (kg), without asking", show_default=False
    ),
]
SyncMinutesOpt = Annotated[
    float, typer.Option(min=0.1, help="refresh the local copy every N minutes")
]
MaxCacheHoursOpt = Annotated[
    float, typer.Option(min=0.1, help="an older local copy decides nothing offline")
]
VehicleOpt = Annotated[
    str | None,
    typer.Option(help="vehicle plate (人车对应)", callback=_at_most(32), show_default=False),
]
CustomerOpt = Annotated[
    str, typer.Option(help="the registered customer's id (实名)", callback=_at_most(64))
]
AUTH_REFUSED = (
    "令牌被拒绝（错误，或无权做此操作）：请检查 --token / CYLINDERS_TOKEN。未上传的记录仍保存在本机。\n"
    "The service refused the token (wrong, or not allowed to do this): check --token or "
    "CYLINDERS_TOKEN. Events not yet uploaded stay saved on this computer."
)


def _data_dir(value: Path | None) -> Path:
    return value if value is not None else platformdirs.user_data_path("cylinder-scan")


def shared_options(
    token: TokenOpt,
    service: ServiceOpt = DEFAULT_SERVICE,
    source: SourceOpt = "0",
    data_dir: DataDirOpt = None,
    max_reads: MaxReadsOpt = None,
    once: OnceOpt = False,
    own_host: OwnHostOpt = None,
    window: WindowOpt = 3.0,
    sound: SoundOpt = True,
) -> StationOptions:
    """The options of every station command, parsed into the one ``StationOptions``."""
    return StationOptions(
        service=service,
        token=token,
        data_dir=_data_dir(data_dir),
        source=source,
        max_reads=1 if once else max_reads,
        own_hosts=frozenset(h.lower() for h in own_host or []),
        window_s=window,
        sound=sound,
    )


@contextmanager
def _exit_status(prefix: str, failure: type[Exception]) -> Iterator[None]:
    """A rejected token ends the command with status 2 and what to check; ``failure`` with
    status 1 and its message."""
    try:
        yield
    except TokenRejected as exc:
        typer.echo(AUTH_REFUSED, err=True)
        raise typer.Exit(2) from exc
    except failure as exc:
        typer.echo(f"{prefix}: {exc}", err=True)
        raise typer.Exit(1) from exc


def _run(options: StationOptions, mode: Mode) -> None:
    with _exit_status("cylinder-scan", SourceError):
        result = run_mode(options, mode)
    typer.echo(
        f"读取 {result.reads} 次；待上传 {result.pending} 条；被拒 {result.failed} 条 / "
        f"{result.reads} reads; {result.pending} events waiting to upload; "
        f"{result.failed} refused (see: cylinder-scan queue)",
        err=True,
    )


def station_command(mode_of: Callable[..., Mode]) -> Callable[..., None]:
    """A Typer command that takes the shared options and ``mode_of``'s own, builds the
    ``StationOptions`` once and the ``Mode`` from the rest, and runs them.

    Typer reads a command's options from its signature, so the command's signature is
    ``shared_options``'s parameters followed by ``mode_of``'s (keyword-only, so that a required
    option of the command may follow the shared ones that have defaults)."""
    shared = inspect.signature(shared_options, eval_str=True).parameters
    own = inspect.signature(mode_of, eval_str=True).parameters
    if shared.keys() & own.keys():
        raise TypeError(f"{mode_of.__name__} repeats a shared option")

    def command(**params: Any) -> None:
        options = shared_options(**{name: params.pop(name) for name in shared})
        _run(options, mode_of(**params))

    command.__name__ = mode_of.__name__
    command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in (*shared.values(), *own.values())]
    )
    return command


STATION_HELP = "\n\n".join(
    [
        "充装站: scan, see ALLOW or REFUSE with every reason, fill, record the net weight.",
        "Each scan goes to POST /api/v1/fill-checks (2 s at most). If the service does not "
        "answer, the local copy of your company's cylinders decides, and the screen says it "
        "is offline. After an ALLOW the net weight is typed (Enter alone records nothing) or "
        "given once by --net-kg; the fill is saved here, then uploaded.",
    ]
)


def fill_mode(
    net_kg: NetKgOpt = None,
    sync_minutes: SyncMinutesOpt = 10.0,
    max_cache_hours: MaxCacheHoursOpt = 24.0,
) -> FillMode:
    return FillMode(net_kg=net_kg, sync_minutes=sync_minutes, max_cache_hours=max_cache_hours)


def dispatch_mode(vehicle: VehicleOpt = None) -> CustodyMode:
    return CustodyMode("dispatch", vehicle=vehicle)


def deliver_mode(customer: CustomerOpt, vehicle: VehicleOpt = None) -> CustodyMode:
    return CustodyMode("deliver", customer_id=customer, vehicle=vehicle)


def return_mode(vehicle: VehicleOpt = None) -> CustodyMode:
    return CustodyMode("return", vehicle=vehicle)


STATE_NAMES = {
    State.PENDING: "待上传 pending",
    State.FAILED: "被拒 refused",
    State.SENT: "已上传 sent",
}
QUEUE_COLUMNS = (
    "#",
    "状态 state",
    "类型 kind",
    "气瓶 code",
    "时间 created",
    "次数 tries",
    "原因 why",
)


def _event_record(event: QueuedEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "event_id": event.event_id,
        "kind": event.kind,
        "code": event.label,
        "state": event.state.value,
        "attempts": event.attempts,
        "created_at": event.created_at,
        "status": event.status,
        "problem_code": event.problem_code,
        "detail": event.detail,
        "last_error": event.last_error,
    }


def _event_row(event: QueuedEvent) -> tuple[str, ...]:
    why = f"{event.problem_code}: {event.detail}" if event.problem_code else event.last_error
    return (
        str(event.seq),
        STATE_NAMES[event.state],
        event.kind,
        event.label,
        event.created_at,
        str(event.attempts),
        why or "",
    )


def show_queue(
    data_dir: DataDirOpt = None,
    every: Annotated[bool, typer.Option("--all", help="also the events already uploaded")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON line per event")] = False,
) -> None:
    states = (State.PENDING, State.FAILED, State.SENT) if every else (State.PENDING, State.FAILED)
    with EventQueue(outbox_path(_data_dir(data_dir))) as queue:
        events = queue.events(states)
    if as_json:
        for event in events:
            typer.echo(json.dumps(_event_record(event), ensure_ascii=False))
        return
    table = Table(title="待上传与被拒的记录 / events waiting to upload, and refused")
    for column in QUEUE_COLUMNS:
        table.add_column(column)
    for event in events:
        table.add_row(*_event_row(event))
    Console(highlight=False).print(table)


def sync(
    token: TokenOpt, service: ServiceOpt = DEFAULT_SERVICE, data_dir: DataDirOpt = None
) -> None:
    options = StationOptions(service=service, token=token, data_dir=_data_dir(data_dir))
    with _exit_status("cylinder-scan sync", ServiceError):
        result = sync_now(options)
    _report_sync(result)
    if result.pending or result.cache is None:
        raise typer.Exit(1)


def _report_sync(result: SyncResult) -> None:
    sent = sum(1 for a in result.attempts if a.outcome.ack.value == "sent")
    refused = sum(1 for a in result.attempts if a.outcome.ack.value == "failed")
    typer.echo(
        f"上传 {sent} 条，被拒 {refused} 条，待上传 {result.pending} 条 / "
        f"uploaded {sent}, refused {refused}, waiting {result.pending}"
    )
    info = result.cache
    if info is None:
        typer.echo(f"本地名单未更新 / local copy not refreshed: {result.cache_error}", err=True)
        return
    typer.echo(
        f"本地名单：{info.cylinders} 只气瓶，{info.blacklist} 条黑名单 / "
        f"local copy: {info.cylinders} cylinders, {info.blacklist} blacklist entries"
    )
    if info.unmatched_code_entries:
        typer.echo(
            f"注意：{info.unmatched_code_entries} 条单瓶黑名单没有编码，离线无法识别 / "
            f"{info.unmatched_code_entries} single-cylinder blacklist entries came without "
            "their code and cannot apply offline"
        )


def add_station_commands(app: typer.Typer) -> None:
    app.command("station", help=STATION_HELP)(station_command(fill_mode))
    app.command(
        "dispatch", help="出站: each scanned cylinder leaves the station (POST /api/v1/deliveries)."
    )(station_command(dispatch_mode))
    app.command(
        "deliver", help="送达: each scanned cylinder is handed to the customer --customer."
    )(station_command(deliver_mode))
    app.command("return", help="回收: each scanned empty cylinder comes back.")(
        station_command(return_mode)
    )
    app.command("queue", help="The events waiting to upload and those the service refused.")(
        show_queue
    )
    app.command(
        help="Upload the waiting events now, then refresh the local copy of your company's cylinders, the blacklist and your station."
    )(sync)
