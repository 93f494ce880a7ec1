"""``cylinder-scan``, run as a user runs it: ``python -m scanner`` in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from bench.scanner_photos import qr_modules, render_label
from service.domain.codes import check_character

ROOT = Path(__file__).resolve().parents[2]
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
