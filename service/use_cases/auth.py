"""Who is calling: bearer tokens, stored only as SHA-256 hashes.

Tokens are 256-bit random strings, so a plain (unsalted) SHA-256 is enough to make the
stored hash useless to a thief, and it lets the lookup use an index. The match is confirmed
with a constant-time comparison. Lookups are cached for a few seconds (``token_cache_seconds``)
so that the fill check does not pay a round trip for identity on every scan.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from service.db import organizations as org_db
from service.domain.access import Actor
from service.domain.errors import NotAuthenticated
from service.use_cases.context import Context

TOKEN_PREFIX = "cyl_"  # noqa: S105  (a prefix that makes leaked tokens greppable, not a secret)
MAX_TOKEN_LENGTH = 200


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


class TokenCache:
    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: dict[bytes, tuple[float, Actor]] = {}

    def get(self, digest: bytes) -> Actor | None:
        entry = self._entries.get(digest)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, digest: bytes, actor: Actor) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[digest] = (time.monotonic() + self.ttl, actor)

    def clear(self) -> None:
        self._entries.clear()


async def authenticate(ctx: Context, cache: TokenCache, token: str | None) -> Actor:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotAuthenticated()
    digest = hash_token(token)
    if (actor := cache.get(digest)) is not None:
        return actor
    async with ctx.engine.connect() as conn:
        actor, stored = await org_db.find_actor(conn, digest)
    if actor is None or stored is None or not hmac.compare_digest(stored, digest):
        raise NotAuthenticated()
    cache.put(digest, actor)
    return actor
