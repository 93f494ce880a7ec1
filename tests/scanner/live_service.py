"""The service, really served: uvicorn on a free localhost port, on the test's database and
context (``tests.servers.LiveServer``), that a test can stop and start again on the same
port, as a station's network link goes down and comes back; and what the service stored,
read straight from its tables.

uvicorn runs on the test's event loop (the engine and pool belong to it), so a test must never
block that loop while the scanner talks to the server: in-process scanner code runs in a thread
(``asyncio.to_thread``), and a ``cylinder-scan`` subprocess is awaited with asyncio
(``tests.scanner.scanner_process``).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import asyncpg

from service.use_cases.context import Context
from tests.servers import LiveServer

Scope = dict[str, Any]


class Link:
    """The app behind a link the test controls: every POST ``post_delay_s`` late, and the
    reply to POST number ``hold_reply_of`` (1-based) held back after the app has answered
    (committed) until ``release`` is set; ``holding`` is set when that happens."""

    def __init__(self, app: Any, *, post_delay_s: float = 0.0, hold_reply_of: int | None = None):
        self.app, self.post_delay_s, self.hold_reply_of = app, post_delay_s, hold_reply_of
        self.posts = 0
        self.holding, self.release = asyncio.Event(), asyncio.Event()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        self.posts += 1
        await asyncio.sleep(self.post_delay_s)
        if self.posts != self.hold_reply_of:
            await self.app(scope, receive, send)
            return

        async def held_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.holding.set()
                await self.release.wait()
            with contextlib.suppress(OSError):
                await send(message)

        await self.app(scope, receive, held_send)


class LiveService:
    """The shared live server (``tests.servers.LiveServer``: one port across restarts) with a
    ``Link`` in front of the app."""

    def __init__(self, ctx: Context):
        self._server = LiveServer(ctx)
        self.link: Link

    @property
    def url(self) -> str:
        return self._server.url

    async def start(self, *, post_delay_s: float = 0.0, hold_reply_of: int | None = None) -> None:
        def linked(app: Any) -> Link:
            self.link = Link(app, post_delay_s=post_delay_s, hold_reply_of=hold_reply_of)
            return self.link

        await self._server.start(linked)

    async def stop(self) -> None:
        if hasattr(self, "link"):
            self.link.release.set()
        await self._server.stop()


async def events_in_db(
    dsn: str, *, code: str | None = None, type_: str | None = None
) -> list[dict[str, Any]]:
    """Events straight from the table (as the superuser), oldest first: ``event_id``, ``type``,
    ``payload`` (as text) and the cylinder's ``code``."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT e.event_id, e.type, e.payload, c.code FROM event e"
            " JOIN cylinder c ON c.id = e.cylinder_id"
            " WHERE ($1::text IS NULL OR c.code = $1) AND ($2::text IS NULL OR e.type = $2)"
            " ORDER BY e.recorded_at, e.seq",
            code,
            type_,
        )
    finally:
        await conn.close()
    return [dict(row.items()) for row in rows]
