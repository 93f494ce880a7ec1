"""The hash chain over each cylinder's events.

Each event's ``hash`` is SHA-256 of its canonical content, which includes the previous event's
hash (``prev``). Changing, deleting or reordering a stored event breaks the chain from that
point on, and ``verify_chain`` says where. Canonical content is JSON with sorted keys, no
spaces, UTF-8, times in UTC with microseconds: it can be recomputed from the stored row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson


@dataclass(frozen=True, slots=True)
class ChainLink:
    code: str
    seq: int
    event_id: str
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor_id: str | None
    org_id: str | None
    payload: dict[str, Any]
    prev_hash: bytes | None


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8 (orjson: the same bytes as ``json.dumps(sort_keys=True,
    separators=(",", ":"), ensure_ascii=False)``, several times faster; NaN is refused)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def link_hash(link: ChainLink) -> bytes:
    content = {
        "code": link.code,
        "seq": link.seq,
        "event_id": link.event_id,
        "type": link.type,
        "occurred_at": _utc(link.occurred_at),
        "recorded_at": _utc(link.recorded_at),
        "actor": link.actor_id,
        "org_id": link.org_id,
        "payload": link.payload,
        "prev": link.prev_hash.hex() if link.prev_hash else None,
    }
    return hashlib.sha256(canonical_json(content)).digest()


def request_hash(body: dict[str, Any]) -> bytes:
    """Fingerprint of what a client sent, to tell a retry from a different write that
    reuses an ``event_id``."""
    return hashlib.sha256(canonical_json(body)).digest()


@dataclass(frozen=True, slots=True)
class ChainProblem:
    seq: int
    problem: str  # "changed", "missing", "reordered", "head_mismatch"
    detail: str


def verify_chain(
    links: list[tuple[ChainLink, bytes]], head_hash: bytes | None, head_count: int
) -> list[ChainProblem]:
    """Check stored ``(link, stored_hash)`` pairs, in ``seq`` order, against each other and
    against the cylinder's recorded head (last hash and event count)."""
    problems: list[ChainProblem] = []
    expected_prev: bytes | None = None
    for index, (link, stored) in enumerate(links):
        want_seq = index + 1
        if link.seq != want_seq:
            problems.append(
                ChainProblem(link.seq, "missing", f"expected seq {want_seq}, found {link.seq}")
            )
        if link.prev_hash != expected_prev:
            problems.append(
                ChainProblem(link.seq, "reordered", "prev_hash does not match the event before it")
            )
        if link_hash(link) != stored:
            problems.append(ChainProblem(link.seq, "changed", "content does not match its hash"))
        expected_prev = stored
    if len(links) != head_count:
        problems.append(
            ChainProblem(len(links), "missing", f"{head_count} events recorded, {len(links)} found")
        )
    if links and links[-1][1] != head_hash:
        problems.append(
            ChainProblem(links[-1][0].seq, "head_mismatch", "last event is not the recorded head")
        )
    return problems
