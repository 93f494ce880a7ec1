"""Answers built from the use cases' views, for every router.

* ``read_model`` / ``read_page``: a view (or a page of them) as its response schema.
* ``json_response``: the hot endpoints' answers, serialised once with orjson. FastAPI
  validates and serialises a route's return value through its ``response_model``; for the fill
  gate and the event writes that measured more than the database work. Those routes hand their
  views (already checked by the use case) to orjson; their ``response_model`` stays in the
  decorator, so the OpenAPI document is unchanged.
* ``written``: an event written (201) or replayed (200), as ``EventRead``.
"""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from fastapi import Response, status
from pydantic import BaseModel

from service.api.schemas.events import EventRead
from service.api.schemas.page import Page
from service.domain import paging
from service.use_cases.recording import EventView, Written


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


M = TypeVar("M", bound=BaseModel)


def read_model(model: type[M], view: object) -> M:
    """The response body of a use case's view (a frozen dataclass), read by attribute."""
    return model.model_validate(view, from_attributes=True)


def read_page(model: type[M], page: paging.Page[Any]) -> Page[M]:
    """A page of views as a page of response bodies."""
    return Page(
        items=[read_model(model, item) for item in page.items], next_cursor=page.next_cursor
    )


# The answer to a retried event_id, for the OpenAPI document of every route that writes one.
REPLAY: dict[int | str, dict[str, Any]] = {
    200: {
        "model": EventRead,
        "description": "the same event_id again: the stored event, nothing recorded",
    }
}


def written(result: Written) -> Response:
    """201 with the new event, or 200 with the stored one for a retried ``event_id``."""
    code = status.HTTP_200_OK if result.is_replay else status.HTTP_201_CREATED
    return json_response(event_json(result.event), code)
