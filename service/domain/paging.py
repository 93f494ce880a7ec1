"""Opaque cursors for paged lists: ``base64url("<kind>:<last key>")``. A cursor from another
list, or one that was edited, is a 422 with code ``BAD_CURSOR``, never a 500."""

from __future__ import annotations

import base64
import binascii
import uuid

from service.domain.errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def encode_cursor(kind: str, key: object) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode().rstrip("=")


def _decode(kind: str, cursor: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput("BAD_CURSOR", "cursor is not one this list gave out") from exc
    prefix, _, value = raw.partition(":")
    if prefix != kind or not value:
        raise InvalidInput("BAD_CURSOR", "cursor is not one this list gave out")
    return value


def decode_int_cursor(kind: str, cursor: str | None) -> int | None:
    if cursor is None:
        return None
    value = _decode(kind, cursor)
    if not value.isdigit() or len(value) > 18:
        raise InvalidInput("BAD_CURSOR", "cursor is not one this list gave out")
    return int(value)


def decode_uuid_cursor(kind: str, cursor: str | None) -> uuid.UUID | None:
    if cursor is None:
        return None
    try:
        return uuid.UUID(_decode(kind, cursor))
    except ValueError as exc:
        raise InvalidInput("BAD_CURSOR", "cursor is not one this list gave out") from exc
