"""Refuse what no caller needs before any of the application sees it: a NUL character in the
path or the query string, and request bodies larger than the service will ever need (a
5,000-row batch is about 2.5 MB), before they are read into memory."""

from __future__ import annotations

import contextlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.errors import problem

MAX_BODY_BYTES = 16 * 1024 * 1024


class BodyTooLarge(Exception):
    pass


NUL_IN_URL = "网址中不能有 NUL 字符 / the URL may not contain the NUL character (%00)"


class RequestLimits:
    """One pure-ASGI layer in front of everything. A NUL character (``%00``) in the path or the
    query string is a 400 (PostgreSQL's text cannot hold one, so it could only end as an error
    deeper down; request bodies are checked by their models, ``schemas.strict.Strict``). A body over
    ``max_bytes`` is a 413, before it is read."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.max_bytes
        detail = f"请求体超过 {limit} 字节 / the body is larger than {limit} bytes"
        await problem(413, "BODY_TOO_LARGE", detail)(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
            await problem(400, "NUL_CHARACTER", NUL_IN_URL)(scope, receive, send)
            return
        headers: dict[bytes, bytes] = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit():
            if int(declared) > self.max_bytes:
                await self._reject(scope, receive, send)
                return
            # The server reads exactly the declared length: nothing more to watch. Only a
            # chunked body (no Content-Length) is counted as it arrives.
            await self.app(scope, receive, send)
            return
        await self._counted(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count a chunked body as it arrives. Past the limit, answer 413 at once and drop
        whatever the application answers after that (it sees the body cut short and may try
        to answer 400 itself)."""
        seen = 0
        state = {"started": False, "refused": False}

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes and not state["refused"]:
                    state["refused"] = True
                    if not state["started"]:
                        await self._reject(scope, receive, send)
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            if state["refused"]:
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        with contextlib.suppress(BodyTooLarge):  # the 413 has been sent
            await self.app(scope, limited_receive, tracking_send)
