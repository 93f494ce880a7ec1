"""Where the scanner's input comes from: frames through OpenCV, or texts from a handheld reader.
I/O only; decoding is ``scanner.capture.decode``.

Frame sources (anything iterable over BGR frames is a ``FrameSource``, a list of arrays too):

* ``LiveCapture(0)``: a USB camera by index (V4L2 on Linux; in a container the device must be
  passed through, e.g. ``--device /dev/video0``);
* ``LiveCapture("http://host/video.mjpg")``, ``LiveCapture("rtsp://...")``: a network stream,
  read by OpenCV's FFmpeg backend (MJPEG over HTTP, RTSP, HLS...);
* ``VideoFile(path)``: every frame of a recording, in order;
* ``ImageFiles(paths)``: one frame per image file.

A live source must never be read in a plain loop by a consumer slower than the source: frames
queue up in FFmpeg and the network buffers, and a 100 ms consumer fell 5.4 s behind a 30 fps
MJPEG stream within 8 s (shared/reference/qr-decoders.md §4). ``LatestFrameGrabber`` reads in
its own thread and keeps only the newest frame, so what is decoded is at most one frame old.

Text sources: a keyboard-wedge handheld reader types each code followed by Enter, so its reads
are ``KeyboardWedge(sys.stdin)``, one text per line. Frames become texts in
``scanner.capture.decode.decode_stream``; both then feed one pipeline as batches of raw texts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Protocol, TextIO
from urllib.parse import urlsplit

import cv2
import numpy as np

from scanner.capture.frame import Frame

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pnm"}
)
STREAM_SCHEMES = frozenset({"http", "https", "rtsp", "rtsps", "rtmp", "udp", "tcp"})


class SourceError(Exception):
    """A source could not be opened or stopped delivering frames."""


class FrameSource(Protocol):
    """Frames, in the order they should be decoded. A test passes a plain list of arrays."""

    def __iter__(self) -> Iterator[Frame]: ...


class ImageFiles:
    """One frame per image file."""

    def __init__(self, paths: Sequence[Path]):
        self.paths = list(paths)

    def __iter__(self) -> Iterator[Frame]:
        for path in self.paths:
            yield read_image(path)


def read_image(path: Path) -> Frame:
    frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if frame is None:
        raise SourceError(f"{path}: not a readable image")
    return np.asarray(frame, dtype=np.uint8)


def _open_capture(target: int | str) -> cv2.VideoCapture:
    capture = cv2.VideoCapture(target)
    if not capture.isOpened():
        capture.release()
        raise SourceError(f"{target}: cannot open as a camera, stream or video")
    return capture


def _read_from(capture: cv2.VideoCapture) -> Callable[[], Frame | None]:
    def read() -> Frame | None:
        ok, frame = capture.read()
        return np.asarray(frame, dtype=np.uint8) if ok and frame is not None else None

    return read


class VideoFile:
    """Every frame of a video file, in order: a file does not run away from its reader, so
    nothing is dropped."""

    def __init__(self, path: Path):
        self.path = path

    def __iter__(self) -> Iterator[Frame]:
        if not self.path.is_file():
            raise SourceError(f"{self.path}: no such file")
        capture = _open_capture(str(self.path))
        read = _read_from(capture)
        try:
            while (frame := read()) is not None:
                yield frame
        finally:
            capture.release()


class LatestFrameGrabber:
    """Reads frames in a thread and keeps only the newest one.

    ``read`` returns the next frame, or None when the source has ended. Iterating yields each
    newest frame at most once, waiting for a fresh one when the consumer is faster than the
    source; frames the consumer was too slow for are counted in ``dropped`` and discarded.
    Iteration ends when the source has ended and its last frame was taken; it raises
    ``SourceError`` if no frame comes for ``stall_s`` seconds (a dead camera must not look
    like an empty scene forever).
    """

    def __init__(self, read: Callable[[], Frame | None], *, stall_s: float = 10.0):
        self._read = read
        self._stall_s = stall_s
        self._cond = threading.Condition()
        self._latest: Frame | None = None
        self._fresh = False
        self._ended = False
        self._stopping = False
        self._error: BaseException | None = None
        self.grabbed = 0
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name="frame-grabber", daemon=True)

    def start(self) -> LatestFrameGrabber:
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> bool:
        """Ask the thread to stop and wait for it; False if it is still blocked in ``read``."""
        with self._cond:
            self._stopping = True
        if self._thread.is_alive():
            self._thread.join(timeout=timeout_s)
        return not self._thread.is_alive()

    def __enter__(self) -> LatestFrameGrabber:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            while not self._stopping and (frame := self._read()) is not None:
                with self._cond:
                    self.dropped += self._fresh
                    self._latest, self._fresh = frame, True
                    self.grabbed += 1
                    self._cond.notify_all()
        except BaseException as exc:  # handed to the consumer, which raises it in its thread
            self._error = exc
        finally:
            with self._cond:
                self._ended = True
                self._cond.notify_all()

    def next_frame(self) -> Frame | None:
        """The newest frame not yet taken, waiting for one; None once the source has ended."""
        with self._cond:
            deadline = time.monotonic() + self._stall_s
            while not self._fresh and not self._ended:
                if not self._cond.wait(timeout=max(deadline - time.monotonic(), 0)):
                    raise SourceError(f"no frame for {self._stall_s:g} s")
            if self._error is not None:
                raise SourceError(f"the source failed: {self._error}") from self._error
            if not self._fresh:
                return None
            self._fresh = False
            return self._latest

    def __iter__(self) -> Iterator[Frame]:
        while (frame := self.next_frame()) is not None:
            yield frame


class LiveCapture:
    """A camera (by index) or a network stream (by URL), read through a ``LatestFrameGrabber``."""

    def __init__(self, target: int | str, *, stall_s: float = 10.0):
        self.target = target
        self.stall_s = stall_s

    def __iter__(self) -> Iterator[Frame]:
        capture = _open_capture(self.target)
        # Cameras that honour it (V4L2) then queue one frame in the driver instead of several.
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        grabber = LatestFrameGrabber(_read_from(capture), stall_s=self.stall_s).start()
        try:
            yield from grabber
        finally:
            # Releasing a capture that another thread is still reading from can crash inside
            # FFmpeg; a thread stuck on a dead stream keeps it until the process exits.
            if grabber.stop():
                capture.release()


class KeyboardWedge:
    """A handheld reader that types what it reads, one line per code: yields the texts."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def __iter__(self) -> Iterator[str]:
        for line in self.stream:
            text = line.rstrip("\r\n")
            if text.strip():
                yield text


def texts_as_batches(texts: Iterable[str]) -> Iterator[list[str]]:
    """One batch per text: the shape ``decode_stream`` gives frames (one batch per frame)."""
    for text in texts:
        yield [text]


def is_live(spec: str) -> bool:
    return spec.isdigit() or urlsplit(spec).scheme.lower() in STREAM_SCHEMES


def open_frames(spec: str) -> FrameSource:
    """A frame source from a command-line spec: a camera index (``0``), a stream URL, an image
    file or a video file."""
    if spec.isdigit():
        return LiveCapture(int(spec))
    if is_live(spec):
        return LiveCapture(spec)
    path = Path(spec)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageFiles([path])
    return VideoFile(path)
