"""JSON responses for the hot endpoints, serialised once with orjson.

FastAPI validates and serialises a route's return value through its ``response_model``;
for the fill gate and the history that measured more than the database work. Those routes
build plain dicts (already checked by the use case) and return them here; their
``response_model`` stays in the decorator, so the OpenAPI document is unchanged."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Response


def _uuid_text(value: Any) -> str:
    # asyncpg returns its own (faster) UUID type, which orjson does not know.
    if type(value).__name__ == "UUID":
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def json_response(content: Any, status_code: int = 200) -> Response:
    body = orjson.dumps(content, default=_uuid_text)
    return Response(body, status_code=status_code, media_type="application/json")
