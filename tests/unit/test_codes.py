"""Codes: format, check character, and every identifier a scanner may read."""

from __future__ import annotations

import itertools
import random
import string

import pytest

from service.domain import codes
from service.domain.codes import (
    ALPHABET,
    CODE_LENGTH,
    MAX_CODE_LENGTH,
    BadGrai,
    Grai,
    ManufacturerSerial,
    Other,
    OwnCode,
    canonical_code,
    check_character,
    has_valid_check,
    new_code,
    parse_grai,
    parse_scan,
)

LOOKALIKES = set("01ILO")


def test_alphabet_has_no_lookalikes_and_is_prime_sized() -> None:
    assert not LOOKALIKES & set(ALPHABET)
    assert len(ALPHABET) == 31
    assert all(31 % d for d in range(2, 31))


def test_new_codes_are_short_valid_and_unguessable_from_neighbours() -> None:
    batch = [new_code() for _ in range(2000)]
    assert len(set(batch)) == len(batch)
    assert all(len(c) == CODE_LENGTH <= MAX_CODE_LENGTH for c in batch)
    assert all(has_valid_check(c) for c in batch)
    # No running number: consecutive codes do not share long prefixes.
    shared = sum(1 for a, b in itertools.pairwise(batch) if a[:6] == b[:6])
    assert shared < 3


def valid_code_with(length: int, fixed: dict[int, str]) -> str | None:
    """A code of ``length`` characters that passes the check and has ``fixed`` characters at
    the given positions: the other positions hold "2" except one, which is solved for (the
    weights are invertible modulo 31, so exactly one character fits)."""
    free = [p for p in range(length) if p not in fixed]
    if not free:
        text = "".join(fixed[p] for p in range(length))
        return text if has_valid_check(text) else None
    chars = [fixed.get(p, "2") for p in range(length)]
    for candidate in ALPHABET:
        chars[free[-1]] = candidate
        if has_valid_check("".join(chars)):
            return "".join(chars)
    raise AssertionError("no adjuster character: the check is not invertible")


# The check is a weighted sum modulo 31, so whether an error is caught depends only on its
# position and the characters involved, never on the rest of the code. The two tests below
# enumerate, for every length up to 16, every position and every ordered pair of distinct
# characters: these cases are therefore every case of every code.


def test_every_single_substitution_is_detected() -> None:
    substitutions = 0
    for length in range(2, MAX_CODE_LENGTH + 1):
        for position, old in itertools.product(range(length), ALPHABET):
            code = valid_code_with(length, {position: old})
            assert code is not None
            for new in ALPHABET.replace(old, ""):
                assert not has_valid_check(code[:position] + new + code[position + 1 :])
                substitutions += 1
    assert substitutions == sum(n * 31 * 30 for n in range(2, MAX_CODE_LENGTH + 1))


def test_every_swap_of_two_neighbours_is_detected() -> None:
    swaps = 0
    for length in range(2, MAX_CODE_LENGTH + 1):
        for position, a, b in itertools.product(range(length - 1), ALPHABET, ALPHABET):
            if a == b:
                continue
            code = valid_code_with(length, {position: a, position + 1: b})
            if code is None:  # length 2: "ab" itself may not be a valid code
                continue
            assert not has_valid_check(code[:position] + b + a + code[position + 2 :])
            swaps += 1
    assert swaps > sum((n - 1) * 31 * 30 for n in range(3, MAX_CODE_LENGTH + 1))


def test_every_change_of_the_check_character_itself_is_detected() -> None:
    for length in range(1, MAX_CODE_LENGTH):
        body = ("23456789ABCDEFGH" * 2)[:length]
        good = check_character(body)
        for other in ALPHABET:
            assert has_valid_check(body + other) == (other == good)


def test_all_errors_on_real_codes_enumerated() -> None:
    """The same property, enumerated exhaustively on 200 concrete random codes."""
    rng = random.Random(7)
    for _ in range(200):
        code = new_code(rng.randrange)
        for i in range(len(code)):
            for ch in ALPHABET:
                if ch != code[i]:
                    assert not has_valid_check(code[:i] + ch + code[i + 1 :])
        for i in range(len(code) - 1):
            if code[i] != code[i + 1]:
                assert not has_valid_check(code[:i] + code[i + 1] + code[i] + code[i + 2 :])


@pytest.mark.parametrize(
    "typed",
    ["{c}", "{l}", " {c} ", "{c4} {r}", "{c4}-{r}", "{l4} - {lr}"],
)
def test_a_code_is_read_whatever_the_case_and_separators(typed: str) -> None:
    code = new_code(random.Random(3).randrange)
    text = typed.format(
        c=code, l=code.lower(), c4=code[:4], r=code[4:], l4=code[:4].lower(), lr=code[4:].lower()
    )
    scan = parse_scan(text)
    assert isinstance(scan, OwnCode)
    assert scan.code == code
    assert scan.is_valid
    assert scan.is_typed


def test_a_typed_code_with_a_lookalike_fails_its_check() -> None:
    code = new_code(random.Random(5).randrange)
    scan = parse_scan("0" + code[1:])
    assert isinstance(scan, OwnCode)
    assert not scan.is_valid


def test_our_url_gives_the_code_and_its_tag() -> None:
    code = new_code(random.Random(9).randrange)
    scan = parse_scan(f"HTTPS://CYL.EXAMPLE.CN/C/{code}/2ABC", frozenset({"cyl.example.cn"}))
    assert scan == OwnCode(code, "2ABC", is_typed=False, is_valid=True)


def test_a_url_of_ours_without_tag_has_no_tag() -> None:
    code = new_code(random.Random(9).randrange)
    scan = parse_scan(f"https://cyl.example.cn/c/{code}", frozenset({"cyl.example.cn"}))
    assert isinstance(scan, OwnCode)
    assert scan.tag is None


def test_another_site_url_is_an_alias_not_a_code() -> None:
    scan = parse_scan("https://maker.example.com/trace?id=123")
    assert isinstance(scan, Other)


# --- GS1 GRAI --------------------------------------------------------------------------------


def test_grai_check_digit_matches_gs1_examples() -> None:
    assert codes.gs1_check_digit("0730001520015") == 4
    assert codes.gs1_check_digit("0401234500077") == 1
    assert codes.gs1_check_digit("0401234555555") == 4


@pytest.mark.parametrize(
    "text",
    [
        "(8003)04012345555554987",
        "800304012345555554987",
        "urn:epc:id:grai:4012345.55555.987",
        "URN:EPC:ID:GRAI:4012345.55555.987",
        "https://id.gs1.org/8003/04012345555554987",
        "https://id.example.com/some/prefix/8003/04012345555554987?x=1",
    ],
)
def test_the_three_grai_forms_give_the_same_key(text: str) -> None:
    grai = parse_grai(text)
    assert grai == Grai("04012345555554", "987")
    assert isinstance(parse_scan(text), Grai)


@pytest.mark.parametrize(
    "text",
    [
        "(8003)04012345555555987",  # wrong check digit
        "https://id.gs1.org/8003/04012345555555987",
        "urn:epc:id:grai:4012345.5555.987",  # prefix + asset type not 12 digits
        "(8003)14012345555554987",  # filler must be 0
        "(8003)04012345555554",  # no serial: not one cylinder
    ],
)
def test_a_bad_grai_is_rejected_before_any_lookup(text: str) -> None:
    assert isinstance(parse_grai(text), BadGrai)


def test_official_epcis_digital_link_example_verifies() -> None:
    assert parse_grai("https://id.example.com/8003/040123450007718765") == Grai(
        "04012345000771", "8765"
    )


def test_manufacturer_and_serial() -> None:
    assert parse_scan("浙江某钢瓶厂:ZJ-2019-0001") == ManufacturerSerial(
        "浙江某钢瓶厂", "ZJ-2019-0001"
    )
    assert parse_scan("浙江某钢瓶厂：ZJ-2019-0001") == ManufacturerSerial(
        "浙江某钢瓶厂", "ZJ-2019-0001"
    )


def test_canonical_code_drops_spaces_and_dashes() -> None:
    assert canonical_code(" ab cd-ef\u3000") == "ABCDEF"
    assert set(string.ascii_uppercase) - set(ALPHABET) == {"I", "L", "O"}
