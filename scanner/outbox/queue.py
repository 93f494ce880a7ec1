"""The scanner's outbox: every event is written here, durably, BEFORE it is sent.

An event gets its ``event_id`` on the scanner and is stored with the exact JSON body that will
be sent on every attempt: a retry after a lost reply then carries the same id and the same
body, which the service answers with 200 and the stored event, recording nothing new.

States::

    pending ──2xx (201, or 200 for a replay)──▶ sent
       │
       └──4xx that is the service's definitive answer (422, 409, 404...)──▶ failed
                                                      (dead letter: kept with its problem code
                                                       and detail; never retried by itself)

A network error, a timeout, 408, 429 and 5xx leave the event pending with a later
``next_attempt_at`` (exponential backoff with jitter, ``scanner.outbox.sender``).

Durability (SQLite): WAL journal and ``synchronous=FULL``. In WAL mode NORMAL already survives
the scanner being killed (``kill -9``), but a power cut or an OS crash may roll back the last
commits. The filler has been told "saved" and the gas is in the cylinder, so a reboot must not
lose it either: FULL syncs the WAL to disk at every commit. That costs a few milliseconds per
event, at a few events a minute. ``busy_timeout`` lets the station and a ``cylinder-scan sync``
started beside it share the file.

Order: events are sent oldest first, and a pending event that must wait holds back those
behind it, so the events of one cylinder (filled, then dispatched) reach the service in the
order they happened. A dead letter holds nothing back.

Events are tied to the token that made them (``token_id``: a SHA-256 prefix of the token, not
the token): they are sent only with that token, so that an event is never recorded under
another user's name when the station changes hands.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
# A next attempt further away than this is a wall clock that jumped back: due now.
MAX_DELAY_S = 300.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    body TEXT NOT NULL,
    token_id TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    status INTEGER,
    problem_code TEXT,
    detail TEXT,
    done_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (token_id, state, seq);
"""


class State(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # dead letter


class QueueError(Exception):
    """The same ``event_id`` was enqueued again with a different body: a bug, never a retry."""


@dataclass(frozen=True, slots=True)
class QueuedEvent:
    seq: int
    event_id: str
    kind: str  # fill | dispatch | deliver | return
    path: str  # e.g. /api/v1/fills
    body: str  # the JSON sent on every attempt
    token_id: str
    label: str  # what the user recognises it by (the code)
    created_at: str
    state: State
    attempts: int
    next_attempt_at: float
    last_error: str | None
    status: int | None
    problem_code: str | None
    detail: str | None

    @property
    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


def token_id(token: str) -> str:
    """Which token an event belongs to, without storing the token."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def connect(path: Path) -> sqlite3.Connection:
    """A connection with the durability settings above."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Autocommit: each read sees the latest commit of any process; writes open their own
    # transaction (``EventQueue._write``).
    conn = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=True)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class EventQueue:
    """The outbox in ``path``. One instance per thread (SQLite connections are not shared)."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time):
        self.path = path
        self._clock = clock
        self._conn = connect(path)
        with self._write() as conn:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> EventQueue:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE: take the write lock first, so that two processes never both read
        # a row as pending and then both change it.
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def enqueue(
        self, *, event_id: str, kind: str, path: str, body: dict[str, Any], token: str, label: str
    ) -> QueuedEvent:
        """Store an event (committed and synced when this returns). The same ``event_id`` with
        the same body again is a no-op; with another body it raises ``QueueError``."""
        text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        with self._write() as conn:
            conn.execute(
                "INSERT INTO outbox (event_id, kind, path, body, token_id, label, created_at,"
                " next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (event_id) DO NOTHING",
                (event_id, kind, path, text, token_id(token), label, _now_iso(), self._clock()),
            )
        stored = self.get(event_id)
        if stored is None or stored.body != text:
            raise QueueError(f"event {event_id} is already queued with another body")
        return stored

    def get(self, event_id: str) -> QueuedEvent | None:
        row = self._conn.execute("SELECT * FROM outbox WHERE event_id = ?", (event_id,)).fetchone()
        return _event(row) if row is not None else None

    def head(self, token: str) -> QueuedEvent | None:
        """The oldest pending event of ``token``, due or not."""
        row = self._conn.execute(
            "SELECT * FROM outbox WHERE token_id = ? AND state = 'pending' ORDER BY seq LIMIT 1",
            (token_id(token),),
        ).fetchone()
        return _event(row) if row is not None else None

    def next_due(self, token: str, *, force: bool = False) -> QueuedEvent | None:
        """The oldest pending event of ``token`` if it is due (or ``force``); else None, and
        nothing behind it is due either (order is kept)."""
        head = self.head(token)
        if head is None or force:
            return head
        wait = head.next_attempt_at - self._clock()
        return head if wait <= 0 or wait > MAX_DELAY_S else None

    def mark_sent(self, event_id: str, status: int) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE outbox SET state = 'sent', status = ?, attempts = attempts + 1,"
                " done_at = ?, last_error = NULL WHERE event_id = ? AND state = 'pending'",
                (status, _now_iso(), event_id),
            )

    def mark_retry(self, event_id: str, *, delay_s: float, error: str, status: int | None) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,"
                " status = ? WHERE event_id = ? AND state = 'pending'",
                (self._clock() + delay_s, error[:500], status, event_id),
            )

    def mark_failed(self, event_id: str, *, status: int, code: str, detail: str) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE outbox SET state = 'failed', attempts = attempts + 1, status = ?,"
                " problem_code = ?, detail = ?, done_at = ? WHERE event_id = ?"
                " AND state = 'pending'",
                (status, code[:100], detail[:1000], _now_iso(), event_id),
            )

    def events(
        self, states: tuple[State, ...] = (State.PENDING, State.FAILED)
    ) -> list[QueuedEvent]:
        marks = ", ".join("?" for _ in states)
        rows = self._conn.execute(
            f"SELECT * FROM outbox WHERE state IN ({marks}) ORDER BY seq",  # noqa: S608
            tuple(str(s) for s in states),
        ).fetchall()
        return [_event(row) for row in rows]

    def count(self, state: State, token: str | None = None) -> int:
        query = "SELECT count(*) FROM outbox WHERE state = ?"
        params: tuple[str, ...] = (str(state),)
        if token is not None:
            query, params = query + " AND token_id = ?", (*params, token_id(token))
        (number,) = self._conn.execute(query, params).fetchone()
        return int(number)


def _event(row: sqlite3.Row) -> QueuedEvent:
    return QueuedEvent(
        seq=row["seq"],
        event_id=row["event_id"],
        kind=row["kind"],
        path=row["path"],
        body=row["body"],
        token_id=row["token_id"],
        label=row["label"],
        created_at=row["created_at"],
        state=State(row["state"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
        status=row["status"],
        problem_code=row["problem_code"],
        detail=row["detail"],
    )
