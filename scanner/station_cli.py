"""The ``cylinder-scan`` commands that post to the service with the caller's token: ``station``,
``dispatch``, ``deliver``, ``return``, and the outbox's ``queue`` and ``sync``. Registered on
the command's Typer app by ``add_station_commands``; the work is in ``scanner.session``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import platformdirs
import typer
from rich.console import Console
from rich.table import Table

from scanner.capture.sources import SourceError
from scanner.outbox.client import ServiceError, TokenRejected
from scanner.outbox.queue import EventQueue, State
from scanner.session import Options, outbox_path, run_mode, sync_now
from scanner.station import Mode

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


def _at_most(limit: int) -> Any:
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


VehicleOpt = Annotated[
    str | None,
    typer.Option(help="vehicle plate (人车对应)", callback=_at_most(32), show_default=False),
]
AUTH_REFUSED = (
    "令牌被拒绝（错误，或无权做此操作）：请检查 --token / CYLINDERS_TOKEN。未上传的记录仍保存在本机。\n"
    "The service refused the token (wrong, or not allowed to do this): check --token or "
    "CYLINDERS_TOKEN. Events not yet uploaded stay saved on this computer."
)


def _data_dir(value: Path | None) -> Path:
    return value if value is not None else platformdirs.user_data_path("cylinder-scan")


def _options(
    service: str,
    token: str,
    data_dir: Path | None,
    *,
    source: str = "0",
    max_reads: int | None = None,
    once: bool = False,
    own_host: list[str] | None = None,
    window: float = 3.0,
    sound: bool = True,
    **extra: Any,
) -> Options:
    return Options(
        service=service,
        token=token,
        data_dir=_data_dir(data_dir),
        source=source,
        max_reads=1 if once else max_reads,
        own_hosts=frozenset(h.lower() for h in own_host or []),
        window_s=window,
        sound=sound,
        **extra,
    )


def _run(options: Options, mode: Mode) -> None:
    try:
        result = run_mode(options, mode)
    except TokenRejected as exc:
        typer.echo(AUTH_REFUSED, err=True)
        raise typer.Exit(2) from exc
    except SourceError as exc:
        typer.echo(f"cylinder-scan: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(
        f"读取 {result.reads} 次；待上传 {result.pending} 条；被拒 {result.failed} 条 / "
        f"{result.reads} reads; {result.pending} events waiting to upload; "
        f"{result.failed} refused (see: cylinder-scan queue)",
        err=True,
    )


STATION_HELP = "\n\n".join(
    [
        "充装站: scan, see ALLOW or REFUSE with every reason, fill, record the net weight.",
        "Each scan goes to POST /api/v1/fill-checks (2 s at most). If the service does not "
        "answer, the local copy of your company's cylinders decides, and the screen says it "
        "is offline. After an ALLOW the net weight is typed (Enter alone records nothing) or "
        "given once by --net-kg; the fill is saved here, then uploaded.",
    ]
)


def station(
    token: TokenOpt,
    service: ServiceOpt = "http://127.0.0.1:8000",
    source: SourceOpt = "0",
    data_dir: DataDirOpt = None,
    net_kg: Annotated[
        float | None,
        typer.Option(
            callback=_net_kg, help="use this net weight (kg), without asking", show_default=False
        ),
    ] = None,
    max_reads: MaxReadsOpt = None,
    once: OnceOpt = False,
    own_host: OwnHostOpt = None,
    window: WindowOpt = 3.0,
    sound: SoundOpt = True,
    sync_minutes: Annotated[
        float, typer.Option(min=0.1, help="refresh the local copy every N minutes")
    ] = 10.0,
    max_cache_hours: Annotated[
        float, typer.Option(min=0.1, help="an older local copy decides nothing offline")
    ] = 24.0,
) -> None:
    options = _options(
        service, token, data_dir, source=source, max_reads=max_reads, once=once,
        own_host=own_host, window=window, sound=sound, net_kg=net_kg,
        sync_minutes=sync_minutes, max_cache_hours=max_cache_hours,
    )  # fmt: skip
    _run(options, Mode("fill"))


def dispatch(
    token: TokenOpt,
    service: ServiceOpt = "http://127.0.0.1:8000",
    source: SourceOpt = "0",
    data_dir: DataDirOpt = None,
    vehicle: VehicleOpt = None,
    max_reads: MaxReadsOpt = None,
    once: OnceOpt = False,
    own_host: OwnHostOpt = None,
    sound: SoundOpt = True,
) -> None:
    options = _options(
        service, token, data_dir, source=source, max_reads=max_reads, once=once,
        own_host=own_host, sound=sound,
    )  # fmt: skip
    _run(options, Mode("dispatch", vehicle=vehicle))


def deliver(
    token: TokenOpt,
    customer: Annotated[
        str, typer.Option(help="the registered customer's id (实名)", callback=_at_most(64))
    ],
    service: ServiceOpt = "http://127.0.0.1:8000",
    source: SourceOpt = "0",
    data_dir: DataDirOpt = None,
    vehicle: VehicleOpt = None,
    max_reads: MaxReadsOpt = None,
    once: OnceOpt = False,
    own_host: OwnHostOpt = None,
    sound: SoundOpt = True,
) -> None:
    options = _options(
        service, token, data_dir, source=source, max_reads=max_reads, once=once,
        own_host=own_host, sound=sound,
    )  # fmt: skip
    _run(options, Mode("deliver", customer_id=customer, vehicle=vehicle))


def return_(
    token: TokenOpt,
    service: ServiceOpt = "http://127.0.0.1:8000",
    source: SourceOpt = "0",
    data_dir: DataDirOpt = None,
    vehicle: VehicleOpt = None,
    max_reads: MaxReadsOpt = None,
    once: OnceOpt = False,
    own_host: OwnHostOpt = None,
    sound: SoundOpt = True,
) -> None:
    options = _options(
        service, token, data_dir, source=source, max_reads=max_reads, once=once,
        own_host=own_host, sound=sound,
    )  # fmt: skip
    _run(options, Mode("return", vehicle=vehicle))


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
            record = {
                "seq": event.seq, "event_id": event.event_id, "kind": event.kind,
                "code": event.label, "state": event.state.value, "attempts": event.attempts,
                "created_at": event.created_at, "status": event.status,
                "problem_code": event.problem_code, "detail": event.detail,
                "last_error": event.last_error,
            }  # fmt: skip
            typer.echo(json.dumps(record, ensure_ascii=False))
        return
    table = Table(title="待上传与被拒的记录 / events waiting to upload, and refused")
    for column in (
        "#",
        "状态 state",
        "类型 kind",
        "气瓶 code",
        "时间 created",
        "次数 tries",
        "原因 why",
    ):
        table.add_column(column)
    for event in events:
        why = f"{event.problem_code}: {event.detail}" if event.problem_code else event.last_error
        table.add_row(
            str(event.seq), STATE_NAMES[event.state], event.kind, event.label,
            event.created_at, str(event.attempts), why or "",
        )  # fmt: skip
    Console(highlight=False).print(table)


STATE_NAMES = {
    State.PENDING: "待上传 pending",
    State.FAILED: "被拒 refused",
    State.SENT: "已上传 sent",
}


def sync(
    token: TokenOpt, service: ServiceOpt = "http://127.0.0.1:8000", data_dir: DataDirOpt = None
) -> None:
    options = _options(service, token, data_dir)
    try:
        result = sync_now(options)
    except TokenRejected as exc:
        typer.echo(AUTH_REFUSED, err=True)
        raise typer.Exit(2) from exc
    except ServiceError as exc:
        typer.echo(f"cylinder-scan sync: {exc}", err=True)
        raise typer.Exit(1) from exc
    sent = sum(1 for a in result.attempts if a.outcome.ack.value == "sent")
    refused = sum(1 for a in result.attempts if a.outcome.ack.value == "failed")
    typer.echo(
        f"上传 {sent} 条，被拒 {refused} 条，待上传 {result.pending} 条 / "
        f"uploaded {sent}, refused {refused}, waiting {result.pending}"
    )
    if result.cache is not None:
        info = result.cache
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
    else:
        typer.echo(f"本地名单未更新 / local copy not refreshed: {result.cache_error}", err=True)
    if result.pending or result.cache is None:
        raise typer.Exit(1)


def add_station_commands(app: typer.Typer) -> None:
    app.command(help=STATION_HELP)(station)
    app.command(help="出站: each scanned cylinder leaves the station (POST /api/v1/deliveries).")(
        dispatch
    )
    app.command(help="送达: each scanned cylinder is handed to the customer --customer.")(deliver)
    app.command("return", help="回收: each scanned empty cylinder comes back.")(return_)
    app.command("queue", help="The events waiting to upload and those the service refused.")(
        show_queue
    )
    app.command(
        help="Upload the waiting events now, then refresh the local copy of your company's cylinders, the blacklist and your station."
    )(sync)
