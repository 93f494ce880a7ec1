"""Refuse what no caller needs before any of the application sees it: request bodies larger
than the service will ever need (a 5,000-row batch is about 2.5 MB), before they are read into
memory; and a NUL character in the path or the query string."""

from __future__ import annotations

import contextlib
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 16 * 1024 * 1024


class BodyTooLarge(Exception):
    pass


def _problem_bytes(limit: int) -> bytes:
    return json.dumps(
        {
            "type": "https://cylinders.example/problems/body-too-large",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"请求体超过 {limit} 字节 / the body is larger than {limit} bytes",
            "code": "BODY_TOO_LARGE",
        },
        ensure_ascii=False,
    ).encode()


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, send: Send) -> None:
        body = _problem_bytes(self.max_bytes)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, bytes] = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit():
            if int(declared) > self.max_bytes:
                await self._reject(send)
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
                        await self._reject(send)
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


_NUL_PROBLEM = json.dumps(
    {
        "type": "https://cylinders.example/problems/nul-character",
        "title": "Bad Request",
        "status": 400,
        "detail": "网址中不能有 NUL 字符 / the URL may not contain the NUL character (%00)",
        "code": "NUL_CHARACTER",
    },
    ensure_ascii=False,
).encode()


class RefuseNul:
    """A NUL character (``%00``) in the path or the query string is refused with a 400:
    PostgreSQL's text cannot hold one, so it could only end as an error deeper down. Request
    bodies are checked by their models (``service.api.schemas.Strict``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            "\x00" in scope["path"] or b"%00" in scope.get("query_string", b"")
        ):
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [
                        (b"content-type", b"application/problem+json"),
                        (b"content-length", str(len(_NUL_PROBLEM)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": _NUL_PROBLEM})
            return
        await self.app(scope, receive, send)
