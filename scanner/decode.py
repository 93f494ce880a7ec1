"""Pure decoding: a camera frame in, the texts of the QR codes in it out. No I/O, no clock read.

The cascade (``decode_frame``) was chosen by measurement on the seeded synthetic cylinder photos
of ``bench/scanner_photos.py`` (1280×720, one core): candidates compared on a tuning set (seed 1,
100 frames a tier), the choice then confirmed by ``bench/scanner_decode.py`` on its own seed
(200 a tier, 60 negatives). Percentages are easy/medium/hard read rates (equal in every run):

1. zxing-cpp, defaults, on the gray frame: 100/95.0/35.5 %, p50 3.5 ms, p95 7 ms. The best
   single decoder on every tier and the fastest by 10×: pyzbar reads 100/87.5/25.5 % in 37-39
   ms, OpenCV's ``QRCodeDetectorAruco`` 100/72/7 % and ``QRCodeDetector`` 92/25.5/1 % in 44-54
   ms (medians).
2. Only when that found nothing: zxing-cpp on the frame upscaled 2× (bicubic), with its
   downscale, rotate and invert tries off (no use at 2×; they cost time). zxing loses codes
   whose modules are small and soft (about 3 px); bicubic upscaling gives its local binarizer
   cells to work with. Cascade: 100/100/55.0 %, p50 3.5 ms, p95 19-21 ms in two runs (the
   second pass runs on every frame without a code, so p95 is its cost). Bilinear upscaling
   reads less (99/52 %) and is no faster.

Measured and left out (numbers from the tuning set unless marked): a CLAHE second pass
(benchmark: 95.5/38.5 %; after the 2× pass it adds nothing), unsharp masking of the 2× frame
(+2 hard frames in 100, p95 35 ms), 3-4× crops around symbols zxing detected but could not
decode (+2-4 hard frames in 100, but 50-130 ms on frames with many candidates), and pyzbar or
OpenCV after the cascade (benchmark: +0-1 hard frame in 200, p95 50-62 ms).

Only regular (Model 2) QR symbols are read: see ``QR_FORMATS``.

``is_acceptable`` decides which raw texts may be sent as reads; ``Debouncer`` makes a code that
stays in view one read, not thirty a second.
"""

from __future__ import annotations

import math
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator

import cv2
import numpy as np
import zxingcpp
from numpy.typing import NDArray

from service.domain.codes import BadGrai, OwnCode, parse_scan

Frame = NDArray[np.uint8]
Decoder = Callable[[Frame], list[str]]

# Regular (Model 2) QR only. zxing-cpp's ``QRCode`` also means Micro QR and rMQR, which our
# labels never use; and on one benchmark frame it "read" a 6-digit Micro QR in a label of random
# blocks with finder patterns (Micro QR's smallest versions carry little error detection).
QR_FORMATS = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCodeModel2)
_UPSCALE = 2.0
# The second pass's image is at most a 720p frame at 2× (larger frames are upscaled less, and
# not at all past ~1.25×, where it stops paying): its cost grows with its pixels, and a 4K
# frame at 2× would take ~100 ms. Codes in such frames have more pixels to begin with.
_UPSCALED_MAX_PIXELS = 2560 * 1440
_UPSCALE_MIN = 1.25
# Line breaks and tabs occur in old text labels; GS separates GS1 element strings.
_ALLOWED_CONTROLS = frozenset("\t\n\r\x1d")


def to_gray(frame: Frame) -> Frame:
    """Gray, BGR or BGRA in; gray out (every decoder here binarizes a gray image)."""
    if frame.ndim == 2:
        return frame
    if frame.ndim == 3 and frame.shape[2] in (3, 4):
        code = cv2.COLOR_BGR2GRAY if frame.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        return np.asarray(cv2.cvtColor(frame, code), dtype=np.uint8)
    raise ValueError(f"not a gray, BGR or BGRA image: shape {frame.shape}")


def _unique(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(t for t in texts if t))


def _zxing(gray: Frame, *, fast: bool = False) -> list[str]:
    if fast:
        found = zxingcpp.read_barcodes(
            gray, formats=QR_FORMATS, try_downscale=False, try_rotate=False, try_invert=False
        )
    else:
        found = zxingcpp.read_barcodes(gray, formats=QR_FORMATS)
    return _unique(b.text for b in found if b.valid)


def decode_zxing(frame: Frame) -> list[str]:
    """zxing-cpp alone, with its defaults."""
    return _zxing(to_gray(frame))


def decode_pyzbar(frame: Frame) -> list[str]:
    """pyzbar (ZBar) alone. Imported here, not at the top: it needs the system's libzbar, which
    the scanner itself does not (only the benchmark compares against it)."""
    from pyzbar import pyzbar

    texts = []
    for symbol in pyzbar.decode(to_gray(frame), symbols=[pyzbar.ZBarSymbol.QRCODE]):
        try:
            texts.append(symbol.data.decode("utf-8"))
        except UnicodeDecodeError:
            continue  # not text we could send; a mangled guess would be a wrong read
    return _unique(texts)


def decode_opencv(frame: Frame) -> list[str]:
    """OpenCV's classic ``QRCodeDetector`` alone (the multi-code call: it finds codes that the
    single-code call misses)."""
    ok, texts, _, _ = cv2.QRCodeDetector().detectAndDecodeMulti(to_gray(frame))
    return _unique(texts) if ok else []


def decode_opencv_aruco(frame: Frame) -> list[str]:
    """OpenCV's ``QRCodeDetectorAruco`` alone (finder patterns found as ArUco-style markers)."""
    ok, texts, _, _ = cv2.QRCodeDetectorAruco().detectAndDecodeMulti(to_gray(frame))
    return _unique(texts) if ok else []


def decode_frame(frame: Frame) -> list[str]:
    """The texts of every QR code found in ``frame`` (gray or BGR), by the measured cascade:
    zxing-cpp, then zxing-cpp on the frame upscaled 2× when the first pass found nothing."""
    gray = to_gray(frame)
    found = _zxing(gray)
    if found:
        return found
    scale = min(_UPSCALE, math.sqrt(_UPSCALED_MAX_PIXELS / max(gray.size, 1)))
    if scale < _UPSCALE_MIN:
        return []
    bigger = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return _zxing(np.asarray(bigger, dtype=np.uint8), fast=True)


def decode_stream(frames: Iterable[Frame], decoder: Decoder = decode_frame) -> Iterator[list[str]]:
    """Frames to batches of raw texts, one batch per frame: the same shape as a text source
    (a keyboard-wedge reader gives one text per line), so both feed one pipeline."""
    for frame in frames:
        yield decoder(frame)


def is_acceptable(payload: str, own_hosts: frozenset[str] = frozenset()) -> bool:
    """Whether a raw text may be sent as a read: it classifies as something the service can
    look up, our own codes pass their check character, and a GRAI its check digit.

    ``own_hosts`` are our public URL's host names (lower case), as the service is configured:
    on those hosts a ``/c/<code>`` URL is ours even when its check fails, and so is refused.
    """
    text = unicodedata.normalize("NFKC", payload).strip()
    if not text or any(
        unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in text
    ):
        # Binary, not text: PostgreSQL's text type cannot even hold a NUL.
        return False
    scan = parse_scan(text, own_hosts)
    if isinstance(scan, OwnCode):
        return scan.is_valid
    return not isinstance(scan, BadGrai)


class Debouncer:
    """The same payload seen again within ``window_s`` seconds of its last sighting is not a new
    read: a code held in front of the camera for ten seconds is one read, not 300. The window
    restarts at every sighting, so a code must leave the view for ``window_s`` to count again."""

    def __init__(self, window_s: float = 3.0, clock: Callable[[], float] = time.monotonic):
        if window_s <= 0:
            raise ValueError("window_s must be positive")
        self._window = window_s
        self._clock = clock
        self._last_seen: dict[str, float] = {}

    def is_new(self, payload: str) -> bool:
        """Record a sighting of ``payload``; True when it counts as a new read."""
        now = self._clock()
        self._forget_before(now - self._window)
        # Whatever is left was seen within the window; re-inserting keeps the dict ordered by
        # last sighting, which ``_forget_before`` relies on.
        was_seen = self._last_seen.pop(payload, None) is not None
        self._last_seen[payload] = now
        return not was_seen

    def _forget_before(self, limit: float) -> None:
        # Oldest first, so the loop stops at the first payload still inside its window.
        for payload, seen in list(self._last_seen.items()):
            if seen >= limit:
                break
            del self._last_seen[payload]
