"""Cylinder codes (一瓶一码) and the identifiers a scanner may read.

A code is ``BODY + CHECK``: ``CODE_BODY_LENGTH`` characters drawn at random from a
31-character alphabet (digits 2-9 and letters without I, L, O: nothing that looks like
0/O or 1/I/L), then one check character.

Check character: the characters are read as numbers 0..30 and weighted by position
(1, 2, 3, ...); the check character makes the weighted sum divisible by 31. Because 31 is
prime and every weight is non-zero modulo 31,

* a single changed character changes the sum by ``w * d`` with ``w, d`` in 1..30, which is
  never 0 modulo 31;
* swapping two different neighbours changes it by ``(a - b) * (w_i - w_{i+1}) = b - a``,
  never 0 modulo 31.

The check is linear, so whether an error is caught depends only on the position and the two
characters involved, never on the rest of the code: ``tests/unit/test_codes.py`` enumerates
every such case.

Random bodies (``secrets``) make a code unguessable from its neighbours: there is no running
number to step along.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MODULUS = len(ALPHABET)  # 31, a prime
CODE_BODY_LENGTH = 10
CODE_LENGTH = CODE_BODY_LENGTH + 1
MAX_CODE_LENGTH = 16
TAG_LENGTH = 4

_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_SEPARATORS = re.compile(r"[\s\-_.·]+")

if MODULUS != 31 or len(set(ALPHABET)) != MODULUS:  # pragma: no cover - guards an edit
    raise RuntimeError("the code alphabet must hold 31 distinct characters")


def check_value(body: str) -> int:
    """The value (0..30) of the check character for ``body`` (already canonical)."""
    total = sum((i + 1) * _VALUE[ch] for i, ch in enumerate(body))
    weight = len(body) + 1
    # weight * check ≡ -total (mod 31); 31 is prime, so weight has an inverse.
    return (-total * pow(weight, -1, MODULUS)) % MODULUS


def check_character(body: str) -> str:
    return ALPHABET[check_value(body)]


def has_valid_check(code: str) -> bool:
    """True when ``code`` (canonical form) is made of the alphabet and its check holds."""
    if not 2 <= len(code) <= MAX_CODE_LENGTH or any(ch not in _VALUE for ch in code):
        return False
    total = sum((i + 1) * _VALUE[ch] for i, ch in enumerate(code))
    return total % MODULUS == 0


_BODY_SPACE = MODULUS**CODE_BODY_LENGTH
# Largest multiple of the body space below 2**64: draws at or above it are redrawn (no bias).
_DRAW_LIMIT = (2**64 // _BODY_SPACE) * _BODY_SPACE


def _random_body() -> str:
    while (number := secrets.randbits(64)) >= _DRAW_LIMIT:
        pass  # pragma: no cover - happens once in about 22,000 draws
    chars = []
    for _ in range(CODE_BODY_LENGTH):
        number, rem = divmod(number, MODULUS)
        chars.append(ALPHABET[rem])
    return "".join(chars)


def new_code(randbelow: Callable[[int], int] | None = None) -> str:
    """A fresh random code from the system's CSPRNG. ``randbelow`` may be injected (tests,
    seeded demo data)."""
    if randbelow is None:
        body = _random_body()
    else:
        body = "".join(ALPHABET[randbelow(MODULUS)] for _ in range(CODE_BODY_LENGTH))
    return body + check_character(body)


def canonical_code(text: str) -> str:
    """What a person typed, in canonical form: upper case, no spaces or dashes. The
    look-alikes 0, 1, I, L, O are not in the alphabet, so a code holding one fails the
    check instead of matching another cylinder."""
    folded = unicodedata.normalize("NFKC", text)
    return _SEPARATORS.sub("", folded).upper()


def format_code(code: str) -> str:
    """Groups of four for print and reading aloud: ``7KQM 4XR9 2TB``."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


# --- label tags ----------------------------------------------------------------------------


def label_tag(key: bytes, code: str, key_version: int) -> str:
    """A short keyed MAC over the code, printed in the QR so that a label made without the
    key is recognised. The first character names the key version, so keys can rotate while
    old labels stay valid (the old key stays known for verification)."""
    digest = hmac.new(key, code.encode("ascii"), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = [ALPHABET[key_version % MODULUS]]
    for _ in range(TAG_LENGTH - 1):
        number, rem = divmod(number, MODULUS)
        chars.append(ALPHABET[rem])
    return "".join(chars)


def tag_key_version(tag: str) -> int | None:
    return _VALUE.get(tag[:1]) if tag else None


# --- what a scanner read --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OwnCode:
    """One of our codes. ``tag`` is the label tag when it came from a label URL;
    ``is_typed`` is True when no URL was scanned (a bare code, typed or read aloud)."""

    code: str
    tag: str | None
    is_typed: bool
    is_valid: bool


@dataclass(frozen=True, slots=True)
class Grai:
    """A GS1 GRAI (AI 8003): 14 digits (filler 0, company prefix + asset type, check) and
    a serial. ``key`` is the element-string value used to look it up."""

    digits: str
    serial: str

    @property
    def key(self) -> str:
        return f"GRAI:{self.digits}{self.serial}"


@dataclass(frozen=True, slots=True)
class BadGrai:
    """Looked like a GRAI, but its check digit or structure is wrong."""

    reason: str


@dataclass(frozen=True, slots=True)
class ManufacturerSerial:
    manufacturer: str
    serial: str


@dataclass(frozen=True, slots=True)
class Other:
    """Anything else: looked up as a raw alias (an old provincial label, a GB 5842-2023
    electronic mark...)."""

    key: str


Scan = OwnCode | Grai | BadGrai | ManufacturerSerial | Other

_GRAI_ELEMENT = re.compile(
    r"^\(?8003\)?\s*(\d{14})([\x21-\x22\x25-\x2f\x30-\x39\x41-\x5a\x5f\x61-\x7a]{0,16})$"
)
_GRAI_URN = re.compile(r"^urn:epc:id:grai:(\d{6,12})\.(\d{0,6})\.(.{1,16})$", re.IGNORECASE)
_DIGITAL_LINK_PATH = re.compile(r"/8003/([^/?#]+)")
_OWN_PATH = re.compile(r"/c/([^/?#]+)(?:/([^/?#]*))?/?$", re.IGNORECASE)


def gs1_check_digit(digits13: str) -> int:
    """GS1 mod-10 over 13 digits: weights 3,1,3,... from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits13)))
    return (10 - total % 10) % 10


def _grai_from_n14(n14: str, serial: str) -> Grai | BadGrai:
    if n14[0] != "0":
        return BadGrai("GRAI filler digit must be 0")
    if gs1_check_digit(n14[:13]) != int(n14[13]):
        return BadGrai("GRAI check digit is wrong")
    if not serial:
        return BadGrai("GRAI without a serial does not name one cylinder")
    return Grai(n14, serial)


def normalize_alias(text: str) -> str:
    """The lookup key of a raw alias: NFKC, trimmed, inner spaces collapsed, upper case."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).upper()


def normalize_serial(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def normalize_manufacturer(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def parse_grai(text: str) -> Grai | BadGrai | None:
    """A GRAI as element string, EPC URN or Digital Link; None when it is not one."""
    stripped = text.strip()
    if match := _GRAI_URN.match(stripped):
        prefix, asset, serial = match.groups()
        if len(prefix) + len(asset) != 12:
            return BadGrai("EPC URN company prefix and asset type must total 12 digits")
        body = "0" + prefix + asset
        return _grai_from_n14(body + str(gs1_check_digit(body)), unquote(serial))
    if match := _GRAI_ELEMENT.match(stripped):
        return _grai_from_n14(match.group(1), match.group(2))
    if "://" in stripped and (link := _DIGITAL_LINK_PATH.search(urlsplit(stripped).path)):
        value = unquote(link.group(1))
        if len(value) < 14 or not value[:14].isdigit() or len(value) > 30:
            return BadGrai("Digital Link 8003 value must be 14 digits and a serial")
        return _grai_from_n14(value[:14], value[14:])
    return None


def _own_code(raw: str, tag: str | None, *, is_typed: bool) -> OwnCode:
    code = canonical_code(raw)
    return OwnCode(code, canonical_code(tag) if tag else None, is_typed, has_valid_check(code))


def parse_scan(text: str, own_hosts: frozenset[str] = frozenset()) -> Scan:
    """Classify what a scanner read (or a person typed). Pure: no lookups.

    ``own_hosts`` are the host names of our public URL; a URL on another host is ours
    only if its path is ``/c/<code>`` and its code passes the check character.
    """
    stripped = unicodedata.normalize("NFKC", text).strip()
    grai = parse_grai(stripped)
    if grai is not None:
        return grai
    if "://" in stripped:
        parts = urlsplit(stripped)
        if match := _OWN_PATH.search(parts.path):
            own = _own_code(unquote(match.group(1)), match.group(2) or None, is_typed=False)
            if own.is_valid or (parts.hostname or "").lower() in own_hosts:
                return own
        return Other(normalize_alias(stripped))
    candidate = canonical_code(stripped)
    if 2 <= len(candidate) <= MAX_CODE_LENGTH and candidate.isalnum() and candidate.isascii():
        own = _own_code(candidate, None, is_typed=True)
        if own.is_valid or len(candidate) == CODE_LENGTH:
            return own
    for sep in ("|", "：", ":"):
        if sep in stripped:
            manufacturer, _, serial = stripped.partition(sep)
            if manufacturer.strip() and serial.strip():
                return ManufacturerSerial(manufacturer.strip(), serial.strip())
    return Other(normalize_alias(stripped))
