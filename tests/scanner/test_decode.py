"""Decoding (frames in, payloads out), which payloads may be sent, and debouncing. No database."""

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
from scanner.capture.read_filter import Debouncer, is_acceptable
from service.domain.codes import check_character, gs1_check_digit

SEED = 20240601
HOST = "cyl.example.cn"
CODE = "7KQM4XR92T" + check_character("7KQM4XR92T")
PAYLOAD = f"HTTPS://CYL.EXAMPLE.CN/C/{CODE}/2ABC"


def _wrong_check(code: str) -> str:
    """The same body with any other check character."""
    return code[:-1] + ("2" if code[-1] != "2" else "3")


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


GRAI_BODY = "0" + "614141" + "12345"  # filler, company prefix, asset type: 12 digits
GRAI_14 = GRAI_BODY + "6" + str(gs1_check_digit(GRAI_BODY + "6"))
GRAI_BAD = GRAI_14[:-1] + str((int(GRAI_14[-1]) + 1) % 10)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (PAYLOAD, True),
        (CODE, True),  # a bare code, as a handheld reader may type it
        (PAYLOAD.replace(CODE, _wrong_check(CODE)), False),  # our URL, wrong check character
        (_wrong_check(CODE), False),  # a bare code with a wrong check character
        (f"https://{HOST}/c/{_wrong_check(CODE)}", False),
        (f"(8003){GRAI_14}SN42", True),
        (f"(8003){GRAI_BAD}SN42", False),  # check digit wrong
        (f"https://id.gs1.org/8003/{GRAI_BAD}SN42", False),
        (f"(8003){GRAI_14}", False),  # a GRAI without a serial names no single cylinder
        ("浙江燃气|A123456", True),  # manufacturer and serial
        ("OLD-PROVINCE-LABEL-0042", True),  # an alias the service may know
        ("", False),
        ("   ", False),
        ("ABC\x00DEF", False),  # binary, not text
    ],
)
def test_accepts_only_payloads_the_service_can_resolve(payload: str, expected: bool) -> None:
    assert is_acceptable(payload, frozenset({HOST})) is expected


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_counts_one_read_when_the_same_code_stays_in_view() -> None:
    clock = FakeClock()
    debouncer = Debouncer(3.0, clock)
    reads = []
    for _ in range(10):  # seen every second for ten seconds
        reads.append(debouncer.is_new(PAYLOAD))
        clock.now += 1.0
    assert reads == [True] + [False] * 9


def test_counts_a_new_read_when_the_code_comes_back_after_the_window() -> None:
    clock = FakeClock()
    debouncer = Debouncer(3.0, clock)
    assert debouncer.is_new(PAYLOAD)
    clock.now += 3.0
    assert not debouncer.is_new(PAYLOAD)  # exactly at the window: still the same read
    clock.now += 3.01
    assert debouncer.is_new(PAYLOAD)


def test_debounces_each_code_on_its_own() -> None:
    clock = FakeClock()
    debouncer = Debouncer(3.0, clock)
    assert debouncer.is_new("A")
    clock.now += 1.0
    assert debouncer.is_new("B")
    clock.now += 2.5  # A last seen 3.5 s ago, B 2.5 s ago
    assert debouncer.is_new("A")
    assert not debouncer.is_new("B")


def test_refuses_a_window_that_is_not_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Debouncer(0)
