"""The ``cylinder-scan`` command (also ``python -m scanner``).

Each subcommand is one function registered on ``app``: ``decode`` and ``watch`` here, the
station commands (station, dispatch, deliver, return, queue, sync) by
``scanner.station.commands.add_station_commands``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import cv2
import typer

from scanner.capture.decode import decode_frame, decode_stream
from scanner.capture.frame import Frame
from scanner.capture.read_filter import Debouncer, is_acceptable
from scanner.capture.sources import (
    IMAGE_SUFFIXES,
    KeyboardWedge,
    SourceError,
    VideoFile,
    open_frames,
    read_image,
    texts_as_batches,
)
from scanner.station.commands import add_station_commands

# Help texts are built from one-line paragraphs: the help formatter keeps a source's own line
# breaks, which would then wrap a second time at the terminal's width.
SOURCES_HELP = "\n\n".join(
    [
        "一瓶一码 scanner: reads cylinder QR codes from cameras, streams, files or a handheld "
        "reader.",
        "Sources (the SOURCE of watch, the --source of the modes below):",
        "0, 1, ...  a USB camera by index (V4L2; in a container pass --device /dev/video0)",
        "http://host/video  an MJPEG-over-HTTP stream (IP camera, phone webcam app)",
        "rtsp://host/stream  an RTSP stream (most IP cameras), read through OpenCV's FFmpeg",
        "clip.mp4  a video file (mp4, avi, mkv, mov; H.264 and HEVC recordings are read too)",
        "label.jpg  an image file (jpg, png, bmp, tiff, webp)",
        "-  standard input: a keyboard-wedge handheld reader, which types one code per line",
        "Cameras and streams are read by a thread that keeps only the newest frame, so decoding "
        "never falls behind a live picture. Files are read frame by frame, none skipped.",
        "Modes (post to the service with your token: --token or CYLINDERS_TOKEN):",
        "station  充装: the fill gate for each scan, 可以充装 ALLOW / 禁止充装 REFUSE with every "
        "reason; after an ALLOW the net weight (typed, or --net-kg) records the fill",
        "dispatch  出站: cylinders leave the station;  deliver --customer ID  送达: handed to a "
        "registered customer;  return  回收: empties back",
        "queue  the events waiting to upload, and those the service refused (dead letters); "
        "sync  upload now and refresh the local copy of the company's cylinders",
        "Every event is saved on this computer before it is sent (--data-dir), and sent until "
        "the service has it, exactly once. When the service cannot be reached, the station "
        "decides from the local copy, says so on screen, and uploads later.",
    ]
)
DECODE_HELP = "\n\n".join(
    [
        'Decode image or video files: one JSON line per file, {"file", "payloads", "ms"}.',
        '"payloads" are the raw texts read, before any check; for a video, every distinct text '
        'over all its frames, in order of first sighting. "ms" is the time spent decoding. An '
        'unreadable file gets an "error" and makes the exit status 1.',
    ]
)
WATCH_HELP = "\n\n".join(
    [
        'Print each accepted read from SOURCE as a JSON line {"payload", "t"}.',
        "Accepted: the text names something the service can look up, and our codes pass their "
        "check character, a GRAI its check digit; refused texts go to stderr. A code seen again "
        "within --window seconds of its last sighting is the same read.",
    ]
)

app = typer.Typer(help=SOURCES_HELP, no_args_is_help=True, add_completion=False)


@app.callback()
def _root() -> None:
    # A callback keeps `decode` a subcommand (Typer would otherwise make a lone command the
    # root) and is where options shared by all subcommands will go.
    pass


def _emit(record: dict[str, Any]) -> None:
    typer.echo(json.dumps(record, ensure_ascii=False))


def _decode_file(path: Path) -> tuple[list[str], float]:
    """Raw payloads in ``path`` (for a video: every distinct one, in order of first sighting)
    and the milliseconds spent decoding, file reading not included."""
    is_image = path.suffix.lower() in IMAGE_SUFFIXES
    frames: Iterable[Frame] = [read_image(path)] if is_image else VideoFile(path)
    seen: dict[str, None] = {}
    spent = 0.0
    for frame in frames:
        start = time.perf_counter()
        texts = decode_frame(frame)
        spent += time.perf_counter() - start
        seen.update(dict.fromkeys(texts))
    return list(seen), spent * 1000


@app.command(help=DECODE_HELP)
def decode(
    files: Annotated[list[Path], typer.Argument(help="image or video files", show_default=False)],
) -> None:
    failed = False
    for path in files:
        record: dict[str, Any] = {"file": str(path)}
        try:
            payloads, ms = _decode_file(path)
            record.update(payloads=payloads, ms=round(ms, 1))
        except SourceError as exc:
            record.update(payloads=[], ms=0.0, error=str(exc))
            failed = True
        _emit(record)
    if failed:
        raise typer.Exit(1)


@app.command(help=WATCH_HELP)
def watch(
    source: Annotated[str, typer.Argument(help="camera index, stream URL, file, or - for stdin")],
    own_host: Annotated[
        list[str] | None,
        typer.Option(help="host name of our public label URL (repeatable)", show_default=False),
    ] = None,
    window: Annotated[float, typer.Option(help="seconds within which a code counts once")] = 3.0,
) -> None:
    hosts = frozenset(h.lower() for h in own_host or [])
    debouncer = Debouncer(window)
    batches = (
        texts_as_batches(KeyboardWedge(sys.stdin))
        if source == "-"
        else decode_stream(open_frames(source))
    )
    started = time.monotonic()
    try:
        for batch in batches:
            for text in batch:
                if not is_acceptable(text, hosts):
                    typer.echo(json.dumps({"refused": text}, ensure_ascii=False), err=True)
                elif debouncer.is_new(text):
                    _emit({"payload": text, "t": round(time.monotonic() - started, 3)})
    except SourceError as exc:
        typer.echo(f"cylinder-scan: {exc}", err=True)
        raise typer.Exit(1) from exc


add_station_commands(app)


def main() -> None:
    # One core for decoding: the grabber thread and the upload threads need the other on
    # a 2-core station box, and the cascade was measured to fit a frame's 30 ms on one core.
    cv2.setNumThreads(1)
    app(prog_name="cylinder-scan")
