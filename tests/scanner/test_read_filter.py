"""From raw texts to reads: which texts may be sent, and a code in view counts once."""

from __future__ import annotations

import pytest

from scanner.capture.read_filter import Debouncer, is_acceptable
from service.domain.codes import check_character, gs1_check_digit
from tests.scanner.seconds_clock import SecondsClock

HOST = "cyl.example.cn"
CODE = "7KQM4XR92T" + check_character("7KQM4XR92T")
PAYLOAD = f"HTTPS://CYL.EXAMPLE.CN/C/{CODE}/2ABC"


def _wrong_check(code: str) -> str:
    """The same body with any other check character."""
    return code[:-1] + ("2" if code[-1] != "2" else "3")


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


def test_counts_one_read_when_the_same_code_stays_in_view() -> None:
    clock = SecondsClock(100.0)
    debouncer = Debouncer(3.0, clock)
    reads = []
    for _ in range(10):  # seen every second for ten seconds
        reads.append(debouncer.is_new(PAYLOAD))
        clock.now += 1.0
    assert reads == [True] + [False] * 9


def test_counts_a_new_read_when_the_code_comes_back_after_the_window() -> None:
    clock = SecondsClock(100.0)
    debouncer = Debouncer(3.0, clock)
    assert debouncer.is_new(PAYLOAD)
    clock.now += 3.0
    assert not debouncer.is_new(PAYLOAD)  # exactly at the window: still the same read
    clock.now += 3.01
    assert debouncer.is_new(PAYLOAD)


def test_debounces_each_code_on_its_own() -> None:
    clock = SecondsClock(100.0)
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
