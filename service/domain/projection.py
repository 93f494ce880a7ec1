"""A cylinder's current state, rebuilt from its history alone.

Every event stores, in its payload, the columns it changed (``changes``); ``registered``
stores the starting values. Folding them in order must give the stored ``cylinder`` row:
``cylinders verify`` checks that, so a row edited behind the service's back shows even when
its events are intact.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

# The columns whose stored value must equal the fold of the history.
PROJECTED = (
    "status", "hold_reason", "owner_id", "next_inspection_due", "scrap_on", "extension_years",
    "last_inspected_on", "is_inspection_failed", "needs_purge", "last_fill_at",
    "last_fill_org_id", "last_fill_net_kg",
)  # fmt: skip

_DATES = {"next_inspection_due", "scrap_on", "last_inspected_on"}
_TIMES = {"last_fill_at", "last_seen_at"}


def to_json(changes: dict[str, Any]) -> dict[str, Any]:
    """Column changes as JSON values (dates and times ISO 8601, ids as strings)."""
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if isinstance(value, (date, datetime)):
            out[key] = value.isoformat()
        elif isinstance(value, uuid.UUID):
            out[key] = str(value)
        else:
            out[key] = value
    return out


def _parse(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key in _DATES:
        return date.fromisoformat(value)
    if key in _TIMES:
        return datetime.fromisoformat(value)
    return value


def initial_state(registered: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": "in_service",
        "hold_reason": None,
        "owner_id": registered["owner_id"],
        "next_inspection_due": date.fromisoformat(registered["next_inspection_due"]),
        "scrap_on": date.fromisoformat(registered["scrap_on"]),
        "extension_years": 0,
        "last_inspected_on": _parse("last_inspected_on", registered.get("last_inspected_on")),
        "is_inspection_failed": False,
        "needs_purge": True,
        "last_fill_at": None,
        "last_fill_org_id": None,
        "last_fill_net_kg": None,
    }


def fold(payloads: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, Any] | None:
    """``(type, payload)`` pairs in chain order → the projected state (None: no registration)."""
    state: dict[str, Any] | None = None
    for type_, payload in payloads:
        if type_ == "registered":
            state = initial_state(payload)
            continue
        if state is None:
            return None
        for key, value in (payload.get("changes") or {}).items():
            if key in PROJECTED:
                state[key] = _parse(key, value)
    return state


def differences(expected: dict[str, Any], stored: dict[str, Any]) -> list[str]:
    """Columns whose stored value is not what the history says."""
    return [key for key in PROJECTED if _norm(expected.get(key)) != _norm(stored.get(key))]


def _norm(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, float):
        return round(value, 6)
    return value
