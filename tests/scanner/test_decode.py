"""Decoding: frames in, the texts of their QR codes out. No database."""

from __future__ import annotations

import numpy as np
import pytest
import segno

from bench.scanner_photos import make_photo, qr_modules, render_label
from scanner.capture.decode import (
    Decoder,
    decode_frame,
    decode_opencv,
    decode_opencv_aruco,
    decode_pyzbar,
    decode_stream,
    decode_zxing,
)
from service.domain.codes import check_character

SEED = 20240601
CODE = "7KQM4XR92T" + check_character("7KQM4XR92T")
PAYLOAD = f"HTTPS://CYL.EXAMPLE.CN/C/{CODE}/2ABC"


def _clean_label(payload: str = PAYLOAD) -> np.ndarray:
    gray = render_label(qr_modules(payload), "7KQM 4XR9 2T", px_per_module=6)
    return np.pad(gray, 40, constant_values=128)  # a mid-gray surround, as on painted steel


@pytest.mark.parametrize(
    "decoder",
    [decode_frame, decode_zxing, decode_pyzbar, decode_opencv, decode_opencv_aruco],
    ids=["cascade", "zxing", "pyzbar", "opencv", "opencv-aruco"],
)
def test_reads_the_payload_when_the_label_is_clean(decoder: Decoder) -> None:
    assert decoder(_clean_label()) == [PAYLOAD]


def test_reads_a_bgr_frame_like_a_gray_one() -> None:
    gray = _clean_label()
    assert decode_frame(np.dstack([gray, gray, gray])) == [PAYLOAD]


@pytest.mark.parametrize("index", [0, 1, 2, 3])
def test_reads_the_exact_payload_when_the_photo_is_easy(index: int) -> None:
    photo = make_photo(SEED, "easy", index)
    assert photo.payload is not None
    assert photo.payload.startswith("HTTPS://CYL.EXAMPLE.CN/C/")
    assert decode_frame(photo.image()) == [photo.payload]


@pytest.mark.parametrize(("tier", "index"), [("medium", 26), ("hard", 18)])
def test_reads_small_modules_in_the_second_pass_when_zxing_alone_misses(
    tier: str, index: int
) -> None:
    photo = make_photo(SEED, tier, index)  # codes of about 3 px a module
    frame = photo.image()
    assert decode_zxing(frame) == []
    assert decode_frame(frame) == [photo.payload]


@pytest.mark.parametrize(("index", "label"), [(0, "blank"), (1, "decoy"), (3, "blocks")])
def test_reads_nothing_when_the_frame_has_no_code(index: int, label: str) -> None:
    photo = make_photo(SEED, "negative", index)
    assert (photo.label, photo.payload) == (label, None)
    assert decode_frame(photo.image()) == []


def test_reads_nothing_when_the_code_is_a_micro_qr() -> None:
    # Our labels are regular QR; Micro QR is where zxing-cpp's "QR family" found a false read.
    modules = np.array(segno.make("244902", micro=True).matrix, dtype=bool)
    assert segno.make("244902", micro=True).is_micro
    frame = render_label(modules, "MICRO", px_per_module=8)
    assert decode_frame(frame) == []
    assert decode_zxing(frame) == []


def test_reads_nothing_when_the_frame_is_blank() -> None:
    assert decode_frame(np.full((720, 1280), 200, np.uint8)) == []


def test_rejects_an_image_that_is_not_gray_or_bgr() -> None:
    with pytest.raises(ValueError, match="shape"):
        decode_frame(np.zeros((4, 4, 2), np.uint8))


def test_gives_one_batch_per_frame_when_decoding_a_stream() -> None:
    frames = [_clean_label(), np.full((100, 100), 255, np.uint8)]
    assert list(decode_stream(frames)) == [[PAYLOAD], []]


def test_generates_identical_bytes_when_the_seed_is_the_same() -> None:
    first, again = make_photo(SEED, "medium", 7), make_photo(SEED, "medium", 7)
    assert first.jpeg == again.jpeg
    assert first.payload == again.payload
    assert make_photo(SEED + 1, "medium", 7).jpeg != first.jpeg
