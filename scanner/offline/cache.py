"""The local copy the offline gate decides from, kept in SQLite beside the outbox.

``sync_cache`` fetches, with the caller's token:

* ``GET /me``: the station (licence, lock) and the operator (certificate);
* ``GET /cylinders`` (all pages, 500 a page): the cylinders the caller may see, which for a
  filler are its own company's, with their dates, status, flags, aliases;
* ``GET /blacklist?active=true``: every active entry (by code, batch or model).

and replaces the whole copy in one transaction: a sync that fails half-way leaves the previous
copy, never half of each. ``as_of`` is when the sync started (what it read is at least that
fresh). The copy belongs to one token; another token's copy is not used.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scanner.outbox.client import ServiceClient
from scanner.outbox.queue import connect, token_id
from service.domain.codes import normalize_manufacturer, normalize_serial
from service.domain.registration import alias_key

_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS cylinder (code TEXT PRIMARY KEY, data TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS alias (key TEXT PRIMARY KEY, code TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS serial (manufacturer_key TEXT NOT NULL, serial_key TEXT NOT NULL,"
    " code TEXT NOT NULL, PRIMARY KEY (manufacturer_key, serial_key))",
    "CREATE TABLE IF NOT EXISTS blacklist (id TEXT PRIMARY KEY, kind TEXT NOT NULL, code TEXT,"
    " manufacturer_key TEXT, batch TEXT, model TEXT)",
]


@dataclass(frozen=True, slots=True)
class CacheInfo:
    as_of: datetime
    me: dict[str, Any]
    own_hosts: frozenset[str]
    cylinders: int
    blacklist: int
    # Entries by code that the service listed without the code: they cannot apply offline.
    unmatched_code_entries: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything one sync read."""

    as_of: datetime
    me: dict[str, Any]
    cylinders: list[dict[str, Any]]
    blacklist: list[dict[str, Any]]


class LocalCache:
    """The copy in ``path`` (one instance per thread)."""

    def __init__(self, path: Path):
        self._conn = connect(path)
        self._conn.execute("BEGIN IMMEDIATE")
        for statement in _SCHEMA:
            self._conn.execute(statement)
        self._conn.execute("COMMIT")

    def close(self) -> None:
        self._conn.close()

    def replace(self, token: str, snapshot: Snapshot) -> CacheInfo:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in ("meta", "cylinder", "alias", "serial", "blacklist"):
                conn.execute(f"DELETE FROM {table}")  # noqa: S608  (constant names)
            _insert_cylinders(conn, snapshot.cylinders)
            unmatched = _insert_blacklist(conn, snapshot.blacklist)
            hosts = sorted(_hosts(c.get("qr_payload", "") for c in snapshot.cylinders))
            meta = {
                "token_id": token_id(token),
                "as_of": snapshot.as_of.isoformat(),
                "me": json.dumps(snapshot.me, ensure_ascii=False),
                "own_hosts": json.dumps(hosts),
                "unmatched_code_entries": str(unmatched),
            }
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        info = self.info(token)
        if info is None:  # pragma: no cover - just written in the same connection
            raise RuntimeError("the local copy vanished")
        return info

    def _meta(self) -> dict[str, str]:
        return dict(self._conn.execute("SELECT key, value FROM meta").fetchall())

    def info(self, token: str) -> CacheInfo | None:
        """The copy's summary, or None when there is none for this token."""
        meta = self._meta()
        if meta.get("token_id") != token_id(token):
            return None
        count = self._conn.execute
        return CacheInfo(
            as_of=datetime.fromisoformat(meta["as_of"]),
            me=json.loads(meta["me"]),
            own_hosts=frozenset(json.loads(meta["own_hosts"])),
            cylinders=count("SELECT count(*) FROM cylinder").fetchone()[0],
            blacklist=count("SELECT count(*) FROM blacklist").fetchone()[0],
            unmatched_code_entries=int(meta.get("unmatched_code_entries", "0")),
        )

    def own_hosts(self, token: str) -> frozenset[str]:
        meta = self._meta()
        if meta.get("token_id") != token_id(token):
            return frozenset()
        return frozenset(json.loads(meta.get("own_hosts", "[]")))

    def by_code(self, code: str) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT data FROM cylinder WHERE code = ?", (code,)).fetchone()
        return json.loads(row[0]) if row is not None else None

    def by_alias(self, key: str) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT code FROM alias WHERE key = ?", (key,)).fetchone()
        return self.by_code(row[0]) if row is not None else None

    def by_serial(self, manufacturer: str, serial: str) -> dict[str, Any] | None:
        row = self._conn.execute(
            "SELECT code FROM serial WHERE manufacturer_key = ? AND serial_key = ?",
            (normalize_manufacturer(manufacturer), normalize_serial(serial)),
        ).fetchone()
        return self.by_code(row[0]) if row is not None else None

    def is_blacklisted(self, cylinder: dict[str, Any]) -> bool:
        """Whether an active entry names this cylinder: by code, by manufacturer + batch, or by
        model (the service's rule, ``IS_BLACKLISTED``, on the copy)."""
        row = self._conn.execute(
            "SELECT 1 FROM blacklist WHERE (kind = 'code' AND code = ?)"
            " OR (kind = 'batch' AND manufacturer_key = ? AND batch = ?)"
            " OR (kind = 'model' AND model = ?) LIMIT 1",
            (
                cylinder["code"],
                normalize_manufacturer(cylinder.get("manufacturer") or ""),
                cylinder.get("batch"),
                cylinder.get("model"),
            ),
        ).fetchone()
        return row is not None


def _insert_cylinders(conn: sqlite3.Connection, cylinders: list[dict[str, Any]]) -> None:
    for cyl in cylinders:
        code = cyl["code"]
        conn.execute(
            "INSERT OR REPLACE INTO cylinder (code, data) VALUES (?, ?)",
            (code, json.dumps(cyl, ensure_ascii=False)),
        )
        conn.execute(
            "INSERT OR REPLACE INTO serial VALUES (?, ?, ?)",
            (normalize_manufacturer(cyl["manufacturer"]), normalize_serial(cyl["serial_no"]), code),
        )
        for raw in cyl.get("aliases") or []:
            key, _ = alias_key(raw)
            if key is not None:
                conn.execute("INSERT OR REPLACE INTO alias VALUES (?, ?)", (key, code))


def _insert_blacklist(conn: sqlite3.Connection, entries: list[dict[str, Any]]) -> int:
    """Store the entries; return how many entries by code carry no code (unusable offline)."""
    unmatched = 0
    for entry in entries:
        code = entry.get("code")
        if entry.get("kind") == "code" and not code:
            unmatched += 1
        manufacturer = entry.get("manufacturer")
        conn.execute(
            "INSERT OR REPLACE INTO blacklist VALUES (?, ?, ?, ?, ?, ?)",
            (
                str(entry["id"]),
                entry.get("kind"),
                code,
                normalize_manufacturer(manufacturer) if manufacturer else None,
                entry.get("batch"),
                entry.get("model"),
            ),
        )
    return unmatched


def _hosts(payloads: Iterable[str]) -> set[str]:
    """Our public URL's host names, as printed in the cylinders' QR payloads."""
    return {host.lower() for p in payloads if (host := urlsplit(p).hostname)}


def fetch_snapshot(client: ServiceClient, now: Callable[[], datetime]) -> Snapshot:
    """Read everything the offline gate needs (raises ``scanner.outbox.client`` errors)."""
    started = now()
    me = client.get("/me")
    cylinders = list(client.pages("/cylinders"))
    blacklist = list(client.pages("/blacklist", active="true"))
    return Snapshot(started, me, cylinders, blacklist)


def sync_cache(
    client: ServiceClient,
    cache: LocalCache,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> CacheInfo:
    """One sync: fetch, then replace the copy (all or nothing)."""
    return cache.replace(client.token, fetch_snapshot(client, now))
