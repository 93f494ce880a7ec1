"""``EXPLAIN (ANALYZE, BUFFERS)`` of the hot queries, on the city-scale data of
``bench/citygen.py``: the evidence behind each index.

    .venv/bin/python bench/explain.py [--url URL] > bench/EXPLAIN.md

Each query is run five times first (warm cache, prepared generic plan where the service
uses one), then explained with the parameters the service would send.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg

from service.db.cylinders import CYLINDER_WITH_OWNER, LOCK_TARGET
from service.db.engine import Statement, positional
from service.db.events import EVENT_BY_EVENT_ID, HISTORY_PAGE
from service.db.gate import GATE_SNAPSHOT

ROOT = Path(__file__).resolve().parent.parent


async def explain(
    conn: asyncpg.Connection[asyncpg.Record],
    title: str,
    why: str,
    statement: Statement,
    values: Mapping[str, object],
) -> None:
    """Run ``statement`` with ``values`` (by parameter name) five times, then explain it."""
    args = statement.args(values)
    for _ in range(5):
        await conn.fetch(statement.sql, *args)
    plan = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {statement.sql}", *args)
    print(f"## {title}\n\n{why}\n\n```")
    for row in plan:
        print(row[0])
    print("```\n")


async def one_row(
    conn: asyncpg.Connection[asyncpg.Record], sql: str, *args: object
) -> asyncpg.Record:
    row = await conn.fetchrow(sql, *args)
    if row is None:
        raise SystemExit(f"no row for {sql!r}: load the city first (bench/citygen.py)")
    return row


async def main(url: str) -> None:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        counts = await one_row(
            conn,
            "SELECT (SELECT count(*) FROM cylinder) AS cylinders, (SELECT count(*) FROM event) AS events",
        )
        hot = await one_row(conn, "SELECT id, code, owner_id FROM cylinder WHERE id = 1")
        some = await one_row(
            conn, "SELECT id, code FROM cylinder WHERE id = (SELECT max(id) / 2 FROM cylinder)"
        )
        station = await conn.fetchval(
            "SELECT id FROM organization WHERE company_id = $1 AND kind = 'station' LIMIT 1",
            hot["owner_id"],
        )
        user = await conn.fetchval("SELECT id FROM app_user WHERE org_id = $1", station)
        event_id = await conn.fetchval(
            "SELECT event_id FROM event WHERE cylinder_id = $1 AND seq = 500", hot["id"]
        )
        print(
            f"# Query plans at city scale\n\n{counts['cylinders']:,} cylinders, {counts['events']:,} events; "
            f"`bench/explain.py`, {datetime.now(UTC):%Y-%m-%d}.\n"
        )
        lookup = {"code": some["code"], "alias": some["code"], "mkey": None, "skey": None}
        counts2 = await one_row(
            conn,
            "SELECT (SELECT count(*) FROM cylinder_alias) AS aliases, (SELECT count(*) FROM blacklist) AS entries",
        )
        print(f"{counts2['aliases']:,} aliases, {counts2['entries']:,} blacklist entries.\n")
        snapshot = {
            **lookup,
            "station_id": station,
            "user_id": user,
            "today": datetime.now(UTC).date(),
            "event_id": None,
        }
        await explain(
            conn,
            "Fill check: the snapshot (one statement per check)",
            "`cylinder_code_key` (unique) finds the cylinder; the alias branch probes `cylinder_alias`'s "
            "primary key; blacklist and entrustment use their partial indexes.",
            GATE_SNAPSHOT,
            snapshot,
        )
        await explain(
            conn,
            "Fill: taking the cylinder's row lock",
            "The same unique index, with `FOR UPDATE`.",
            LOCK_TARGET,
            lookup,
        )
        await explain(
            conn,
            "Idempotency: is this event_id stored?",
            "`uq_event_event_id` (unique).",
            EVENT_BY_EVENT_ID,
            {"event_id": event_id},
        )
        await explain(
            conn,
            "History: a cylinder and its owner",
            "Unique code index, then the organisation's primary key.",
            CYLINDER_WITH_OWNER,
            {**lookup, "code": hot["code"]},
        )
        await explain(
            conn,
            "History: one page of a cylinder with 1,000 events, as JSON",
            "A range scan of the primary key `(cylinder_id, seq)`: the page costs the same among 10M events "
            "as among 10 thousand; PostgreSQL builds the page's JSON.",
            HISTORY_PAGE,
            {"cylinder_id": hot["id"], "after_seq": 900, "limit": 50, "code": hot["code"]},
        )
        await explain(
            conn,
            "Regulator: cylinders due for inspection before a date",
            "`ix_cylinder_next_inspection_due`.",
            positional(
                "SELECT id, code FROM cylinder WHERE next_inspection_due < :before "
                "ORDER BY id LIMIT 51"
            ),
            {"before": date(2026, 12, 1)},
        )
        await explain(
            conn,
            "Regulator: refusals recorded in a month",
            "`ix_event_type_recorded_at`.",
            positional(
                "SELECT count(*) FROM event WHERE type = 'fill_refused' "
                "AND recorded_at >= :start AND recorded_at < :end"
            ),
            {"start": datetime(2026, 10, 1, tzinfo=UTC), "end": datetime(2026, 11, 1, tzinfo=UTC)},
        )
    finally:
        await conn.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    from service.db.embedded import start_embedded

    asyncio.run(
        main(args.url or start_embedded(ROOT / ".data" / "bench", "bench", keep_running=True))
    )
