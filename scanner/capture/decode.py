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

Only regular (Model 2) QR symbols are read: see ``QR_FORMATS``. Which of the texts read are
reads worth sending is ``scanner.capture.read_filter``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator

import cv2
import numpy as np
import zxingcpp

from scanner.capture.frame import Frame, to_gray

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
