"""JSON responses for the hot endpoints, serialised once with orjson.

FastAPI validates and serialises a route's return value through its ``response_model``;
for the fill gate and the history that measured more than the database work. Those routes
build plain dicts (already checked by the use case) and return them here; their
``response_model`` stays in the decorator, so the OpenAPI document is unchanged."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Response

from service.use_cases.recording import EventView


def _uuid_text(value: Any) -> str:
    # asyncpg returns its own (faster) UUID type, which orjson does not know.
    if type(value).__name__ == "UUID":
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def json_response(content: Any, status_code: int = 200) -> Response:
    """``content``: dicts, lists and the use cases' views (dataclasses), as orjson writes them."""
    body = orjson.dumps(content, default=_uuid_text)
    return Response(body, status_code=status_code, media_type="application/json")


def event_json(event: EventView) -> dict[str, Any]:
    """An event as the API shows it (``EventRead``): the fields of its type, then the ones every
    event has, which win. The history page builds the same object in SQL
    (``db.events.HISTORY_PAGE``)."""
    return {
        **event.payload,
        "event_id": event.event_id,
        "type": event.type,
        "code": event.code,
        "seq": event.seq,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
        "actor": event.actor,
        "org_id": event.org_id,
        "hash": event.hash,
        "prev_hash": event.prev_hash,
    }
