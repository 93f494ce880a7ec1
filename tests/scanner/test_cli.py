"""``cylinder-scan``, run as a user runs it: ``python -m scanner`` in a subprocess; and how the
station commands read their options (in process, the run itself replaced)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from bench.scanner_photos import qr_modules, render_label
from scanner.capture.sources import SourceError
from scanner.cli import app
from scanner.outbox.client import TokenRejected, Unreachable
from scanner.station import commands
from scanner.station.options import (
    DEFAULT_SERVICE,
    CustodyMode,
    FillMode,
    Mode,
    StationOptions,
)
from scanner.station.run import RunResult
from service.domain.codes import check_character
from tests.scanner.scanner_process import ROOT

CODE = "MXR4K7Q92T" + check_character("MXR4K7Q92T")
PAYLOAD = f"HTTPS://CYL.EXAMPLE.CN/C/{CODE}/7KQM"


def _scan(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _label_frame() -> np.ndarray:
    gray = render_label(qr_modules(PAYLOAD), "MXR4 K7Q9 2T", px_per_module=6)
    frame = np.full((480, 640), 140, np.uint8)
    frame[100 : 100 + gray.shape[0], 200 : 200 + gray.shape[1]] = gray
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


def test_prints_one_json_line_with_the_payload_when_decoding_an_image(tmp_path: Path) -> None:
    image = tmp_path / "label.png"
    assert cv2.imwrite(str(image), _label_frame())
    result = _scan("decode", str(image))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["file"] == str(image)
    assert record["payloads"] == [PAYLOAD]
    assert isinstance(record["ms"], float)
    assert record["ms"] >= 0


def test_prints_every_distinct_payload_once_when_decoding_a_video(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter.fourcc(*"mp4v"), 15, (640, 480))
    assert writer.isOpened()
    blank = np.full((480, 640, 3), 140, np.uint8)
    for frame in [blank] * 3 + [_label_frame()] * 10 + [blank] * 3:
        writer.write(frame)
    writer.release()
    result = _scan("decode", str(video))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["file"] == str(video)
    assert record["payloads"] == [PAYLOAD]


def test_reports_each_file_and_fails_when_one_is_unreadable(tmp_path: Path) -> None:
    good, bad = tmp_path / "label.png", tmp_path / "broken.jpg"
    assert cv2.imwrite(str(good), _label_frame())
    bad.write_bytes(b"not a jpeg")
    result = _scan("decode", str(bad), str(good))
    assert result.returncode == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["payloads"] == []
    assert "not a readable image" in first["error"]
    assert second["payloads"] == [PAYLOAD]


def test_explains_the_sources_in_its_help() -> None:
    result = _scan("--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())  # as wrapped at whatever width the help was drawn
    for source in ("USB camera", "rtsp://", "MJPEG", "video file", "image file", "keyboard-wedge"):
        assert source in text
    assert "decode" in text


def test_prints_each_accepted_read_once_when_a_handheld_reader_types() -> None:
    wrong = PAYLOAD.replace(CODE, CODE[:-1] + ("2" if CODE[-1] != "2" else "3"))
    typed = "\n".join([PAYLOAD, PAYLOAD, wrong, PAYLOAD]) + "\n"
    result = _scan("watch", "-", "--own-host", "cyl.example.cn", stdin=typed)
    assert result.returncode == 0, result.stderr
    reads = [json.loads(line)["payload"] for line in result.stdout.splitlines()]
    assert reads == [PAYLOAD]
    assert json.loads(result.stderr.strip())["refused"] == wrong


SHARED = {
    "token",
    "service",
    "source",
    "data_dir",
    "max_reads",
    "once",
    "own_host",
    "window",
    "sound",
}
OWN = {
    "station": {"net_kg", "sync_minutes", "max_cache_hours"},
    "dispatch": {"vehicle"},
    "deliver": {"customer", "vehicle"},
    "return": {"vehicle"},
}


def test_every_station_command_takes_the_shared_options_and_its_own() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    for name, own in OWN.items():
        command = group.commands[name]
        assert {p.name for p in command.params} == SHARED | own, name


class Runs:
    """Stands in for the run: keeps what each command asked for, raises ``error`` if set."""

    def __init__(self) -> None:
        self.asked: list[tuple[StationOptions, Mode]] = []
        self.error: Exception | None = None

    def __call__(self, options: StationOptions, mode: Mode) -> RunResult:
        self.asked.append((options, mode))
        if self.error is not None:
            raise self.error
        return RunResult(reads=0, pending=0, failed=0)


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> Runs:
    runs = Runs()
    monkeypatch.setattr(commands, "run_mode", runs)
    return runs


def test_builds_one_station_options_from_the_shared_options(runs: Runs, tmp_path: Path) -> None:
    args = ["--token", "cyl_t", "--source", "-", "--data-dir", str(tmp_path), "--once"]
    args += ["--own-host", "CYL.Example.CN", "--window", "1.5", "--no-sound"]
    for command in ("station", "dispatch", "return"):
        result = CliRunner().invoke(app, [command, *args])
        assert result.exit_code == 0, result.output
    expected = StationOptions(
        service=DEFAULT_SERVICE,
        token="cyl_t",
        data_dir=tmp_path,
        source="-",
        max_reads=1,
        own_hosts=frozenset({"cyl.example.cn"}),
        window_s=1.5,
        sound=False,
    )
    assert [options for options, _ in runs.asked] == [expected] * 3


@pytest.mark.parametrize(
    ("args", "mode"),
    [
        (["station"], FillMode()),
        (["station", "--net-kg", "14.5", "--sync-minutes", "5", "--max-cache-hours", "12"],
         FillMode(net_kg=14.5, sync_minutes=5.0, max_cache_hours=12.0)),
        (["dispatch", "--vehicle", "浙A12345"], CustodyMode("dispatch", vehicle="浙A12345")),
        (["deliver", "--customer", "C-42"], CustodyMode("deliver", customer_id="C-42")),
        (["return"], CustodyMode("return")),
    ],
)  # fmt: skip
def test_builds_the_mode_from_the_commands_own_options(
    runs: Runs, tmp_path: Path, args: list[str], mode: Mode
) -> None:
    result = CliRunner().invoke(app, [*args, "--token", "cyl_t", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert [asked for _, asked in runs.asked] == [mode]


def test_refuses_a_delivery_without_its_customer(runs: Runs, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["deliver", "--token", "cyl_t", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--customer" in result.output
    assert runs.asked == []


@pytest.mark.parametrize(
    ("error", "status", "says"),
    [
        (TokenRejected("401: token rejected"), 2, "令牌被拒绝"),
        (SourceError("0: cannot open as a camera"), 1, "cylinder-scan: 0: cannot open as a camera"),
    ],
)
def test_a_run_ends_with_the_status_that_says_what_went_wrong(
    runs: Runs, tmp_path: Path, error: Exception, status: int, says: str
) -> None:
    runs.error = error
    result = CliRunner().invoke(app, ["dispatch", "--token", "cyl_t", "--data-dir", str(tmp_path)])
    assert result.exit_code == status
    assert says in result.output


@pytest.mark.parametrize(
    ("error", "status", "says"),
    [
        (TokenRejected("401: token rejected"), 2, "令牌被拒绝"),
        (Unreachable("HTTP 503", status=503), 1, "cylinder-scan sync: HTTP 503"),
    ],
)
def test_a_sync_ends_with_the_status_that_says_what_went_wrong(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, error: Exception, status: int, says: str
) -> None:
    def fails(options: StationOptions) -> None:
        raise error

    monkeypatch.setattr(commands, "sync_now", fails)
    result = CliRunner().invoke(app, ["sync", "--token", "cyl_t", "--data-dir", str(tmp_path)])
    assert result.exit_code == status
    assert says in result.output
