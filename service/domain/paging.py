"""Paged lists: keyset pages (``WHERE key > last ORDER BY key``) and their opaque cursors,
``base64url("<kind>:<last key>")``. A cursor from another list, or one that was edited, is a
422 with code ``BAD_CURSOR``, never a 500.

Each list has one ``Keyset``, which reads its cursors and writes the next one, so that the two
can never disagree::

    ORGANIZATIONS = Keyset("org", uuid.UUID)
    rows, has_more = await list_orgs(after=ORGANIZATIONS.after(cursor), limit=limit)
    return ORGANIZATIONS.page(views, has_more, key=lambda org: org.id)
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from service.domain.errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

T = TypeVar("T")
U = TypeVar("U")
K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list, and the cursor of the next page (None: this is the last)."""

    items: list[T]
    next_cursor: str | None

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        """The same page with each item converted (rows to views)."""
        return Page([convert(item) for item in self.items], self.next_cursor)


def int_key(value: str) -> int:
    """A row id from a cursor: ASCII digits only, within a bigint."""
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise ValueError(value)
    return int(value)


def _bad_cursor() -> InvalidInput:
    return InvalidInput("BAD_CURSOR", "cursor is not one this list gave out")


@dataclass(frozen=True, slots=True)
class Keyset(Generic[K]):
    """The cursors of one list: its ``kind`` (so that a cursor of another list is refused) and
    how to read its key (``int_key``, ``uuid.UUID``; a ValueError means a bad cursor)."""

    kind: str
    parse: Callable[[str], K]

    def after(self, cursor: str | None) -> K | None:
        """The key the page starts after; None for the first page."""
        if cursor is None:
            return None
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise _bad_cursor() from exc
        prefix, _, value = raw.partition(":")
        if prefix != self.kind or not value:
            raise _bad_cursor()
        try:
            return self.parse(value)
        except ValueError as exc:
            raise _bad_cursor() from exc

    def cursor(self, key: K) -> str:
        """The cursor of the page after the row with ``key``."""
        return base64.urlsafe_b64encode(f"{self.kind}:{key}".encode()).decode().rstrip("=")

    def page(self, items: list[T], has_more: bool, key: Callable[[T], K]) -> Page[T]:
        """``items`` as a page; with ``has_more``, the cursor after the last of them."""
        return Page(items, self.cursor(key(items[-1])) if has_more and items else None)
