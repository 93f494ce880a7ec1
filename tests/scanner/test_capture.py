"""Frame and text sources: the newest-frame grabber (with a fake camera), files, stdin lines."""

from __future__ import annotations

import http.server
import io
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from scanner.capture.frame import Frame
from scanner.capture.sources import (
    ImageFiles,
    KeyboardWedge,
    LatestFrameGrabber,
    LiveCapture,
    SourceError,
    VideoFile,
    open_frames,
    texts_as_batches,
)


def _fake_camera(count: int, every_s: float) -> Callable[[], Frame | None]:
    """A source that delivers frame 0, 1, ... (the number is the pixel value) every ``every_s``
    seconds, then ends."""
    produced = iter(range(count))

    def read() -> Frame | None:
        time.sleep(every_s)
        number = next(produced, None)
        return None if number is None else np.full((2, 2), number, np.uint8)

    return read


def test_hands_over_only_the_newest_frame_when_the_consumer_is_slow() -> None:
    taken = []
    with LatestFrameGrabber(_fake_camera(200, every_s=0.001)) as grabber:
        for frame in grabber:
            taken.append(int(frame[0, 0]))
            time.sleep(0.02)  # the consumer needs 20 ms a frame; the camera gives one a ms
    assert grabber.grabbed == 200
    assert len(taken) < 60  # most frames were skipped, not queued
    assert grabber.dropped == 200 - len(taken)
    assert taken == sorted(set(taken))  # never an older frame, never the same frame twice
    assert taken[-1] == 199  # the last frame the camera gave is the one handed over last


def test_hands_over_every_frame_when_the_consumer_keeps_up() -> None:
    with LatestFrameGrabber(_fake_camera(10, every_s=0.05)) as grabber:
        taken = [int(frame[0, 0]) for frame in grabber]
    assert taken == list(range(10))
    assert grabber.dropped == 0


def test_raises_when_the_camera_stops_delivering() -> None:
    release = threading.Event()

    def stuck() -> Frame | None:
        release.wait(5)
        return None

    grabber = LatestFrameGrabber(stuck, stall_s=0.2).start()
    try:
        with pytest.raises(SourceError, match="no frame"):
            grabber.next_frame()
    finally:
        release.set()
        assert grabber.stop()


def test_raises_in_the_consumer_when_the_camera_fails() -> None:
    def broken() -> Frame | None:
        raise OSError("device unplugged")

    with LatestFrameGrabber(broken) as grabber, pytest.raises(SourceError, match="unplugged"):
        grabber.next_frame()


def _write_image(path: Path, value: int) -> None:
    assert cv2.imwrite(str(path), np.full((48, 64, 3), value, np.uint8))


def test_gives_one_frame_per_image_file(tmp_path: Path) -> None:
    _write_image(tmp_path / "a.png", 10)
    _write_image(tmp_path / "b.png", 200)
    frames = list(ImageFiles([tmp_path / "a.png", tmp_path / "b.png"]))
    assert [f.shape for f in frames] == [(48, 64, 3)] * 2
    assert [int(f[0, 0, 0]) for f in frames] == [10, 200]


def test_raises_when_an_image_file_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(SourceError, match="not a readable image"):
        list(ImageFiles([tmp_path / "broken.png"]))


def test_gives_every_frame_of_a_video_file(tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10, (64, 48))
    assert writer.isOpened()
    for value in range(0, 250, 25):
        writer.write(np.full((48, 64, 3), value, np.uint8))
    writer.release()
    values = [int(f.mean()) for f in VideoFile(path)]
    assert len(values) == 10
    assert values == pytest.approx(list(range(0, 250, 25)), abs=3)


def test_raises_when_the_video_file_is_missing(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        list(VideoFile(tmp_path / "missing.mp4"))


def test_yields_one_text_per_line_when_a_handheld_reader_types() -> None:
    typed = io.StringIO("HTTPS://CYL.EXAMPLE.CN/C/ABC\r\n\n  \n7KQM4XR92TB\n")
    assert list(texts_as_batches(KeyboardWedge(typed))) == [
        ["HTTPS://CYL.EXAMPLE.CN/C/ABC"],
        ["7KQM4XR92TB"],
    ]


@pytest.mark.parametrize(
    ("spec", "kind"),
    [
        ("0", LiveCapture),
        ("2", LiveCapture),
        ("http://10.0.0.5:8080/video", LiveCapture),
        ("rtsp://cam.local/stream1", LiveCapture),
        ("label.JPG", ImageFiles),
        ("clip.mp4", VideoFile),
    ],
)
def test_opens_the_right_kind_of_source_for_a_spec(spec: str, kind: type) -> None:
    assert isinstance(open_frames(spec), kind)


def test_camera_index_is_a_number_and_a_url_stays_a_string() -> None:
    camera, stream = open_frames("1"), open_frames("http://cam/video.mjpg")
    assert isinstance(camera, LiveCapture)
    assert isinstance(stream, LiveCapture)
    assert camera.target == 1
    assert stream.target == "http://cam/video.mjpg"


class _MjpegHandler(http.server.BaseHTTPRequestHandler):
    """An IP camera's MJPEG stream: multipart/x-mixed-replace, one JPEG per part, 30 a second,
    each frame's pixel value its number (mod 256)."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
        self.end_headers()
        try:
            for number in range(300):
                ok, jpeg = cv2.imencode(".jpg", np.full((120, 160, 3), number % 256, np.uint8))
                assert ok
                part = b"--frame\r\nContent-Type: image/jpeg\r\n\r\n" + jpeg.tobytes() + b"\r\n"
                self.wfile.write(part)
                time.sleep(1 / 30)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the reader went away: what a camera sees when the scanner stops

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the test output clean


def test_reads_frames_from_an_mjpeg_stream() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _MjpegHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/video.mjpg"
        frames = []
        for frame in LiveCapture(url, stall_s=20):
            frames.append(frame)
            if len(frames) == 5:
                break
    finally:
        server.shutdown()
        server.server_close()
    assert [f.shape for f in frames] == [(120, 160, 3)] * 5
    values = [int(f.mean()) for f in frames]
    assert values == sorted(values)  # newer and newer frames, never an old one again
