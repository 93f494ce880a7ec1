"""The history on the real database: append-only for the service's role, tamper-evident,
consistent with the cylinder's state, and correct under concurrency."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from service.domain.errors import Conflict
from service.use_cases import blacklist, fill, history, lifecycle
from service.use_cases.context import Context
from service.use_cases.recording import Written
from tests.context import FakeClock
from tests.factories import filler, inspector, register_one, regulator
from tests.world import World


def fill_input(
    scan: str, net_kg: float = 14.5, event_id: uuid.UUID | None = None
) -> tuple[fill.FillInput, dict[str, object]]:
    item = fill.FillInput(
        event_id or uuid.uuid4(), scan, net_kg, datetime(2026, 6, 15, 1, 0, tzinfo=UTC)
    )
    return item, {"event_id": str(item.event_id), "scan": scan, "net_kg": net_kg}


async def _filled(ctx: Context, world: World, code: str, n: int) -> None:
    for _ in range(n):
        item, body = fill_input(code)
        await fill.record_fill(ctx, filler(world), item, body)


# --- append-only ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    ["UPDATE event SET type = 'filled'", "DELETE FROM event", "TRUNCATE event"],
)
async def test_the_service_role_cannot_change_events(
    ctx: Context, world: World, superuser_dsn: str, statement: str
) -> None:
    await register_one(ctx, world)
    conn = await asyncpg.connect(superuser_dsn, server_settings={"role": "cylinders_app"})
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(statement)
    finally:
        await conn.close()


async def test_even_the_owner_is_stopped_by_the_trigger(
    ctx: Context, world: World, superuser_dsn: str
) -> None:
    await register_one(ctx, world)
    conn = await asyncpg.connect(superuser_dsn)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("UPDATE event SET type = 'filled'")
    finally:
        await conn.close()


# --- tamper evidence ------------------------------------------------------------------------


@contextmanager
def _nothing() -> Iterator[None]:
    yield


async def _tamper(dsn: str, *statements: str) -> None:
    """Edit the database behind the service's back: as the superuser, with triggers off."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SET session_replication_role = replica")
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def test_verify_passes_an_untouched_history(ctx: Context, world: World) -> None:
    code = await register_one(ctx, world)
    await _filled(ctx, world, code, 3)
    checked, bad = await history.verify_all(ctx)
    assert (checked, bad) == (1, [])


@pytest.mark.parametrize(
    ("statements", "problem"),
    [
        (
            ["UPDATE event SET payload = jsonb_set(payload, '{net_kg}', '12.0') WHERE seq = 3"],
            "changed",
        ),
        (
            ["UPDATE event SET recorded_at = recorded_at - interval '1 day' WHERE seq = 2"],
            "changed",
        ),
        (["DELETE FROM event WHERE seq = 3"], "missing"),
        (
            ["DELETE FROM event WHERE seq = 4", "UPDATE cylinder SET event_count = 3"],
            "head_mismatch",
        ),
        (
            [
                "UPDATE event SET seq = 99 WHERE seq = 2",
                "UPDATE event SET seq = 2 WHERE seq = 3",
                "UPDATE event SET seq = 3 WHERE seq = 99",
            ],
            "reordered",
        ),
        (["UPDATE cylinder SET next_inspection_due = '2035-01-01'"], "state_mismatch"),
        (["UPDATE cylinder SET status = 'in_service', hold_reason = NULL"], "state_mismatch"),
    ],
    ids=[
        "payload-edited",
        "time-edited",
        "deleted",
        "tail-deleted",
        "reordered",
        "due-date-edited",
        "hold-lifted",
    ],
)
async def test_verify_reports_what_was_done_behind_the_service(
    ctx: Context, world: World, superuser_dsn: str, statements: list[str], problem: str
) -> None:
    code = await register_one(ctx, world)
    await _filled(ctx, world, code, 2)
    item, body = fill_input(code, net_kg=15.5)  # overfilled: the cylinder is held
    await fill.record_fill(ctx, filler(world), item, body)
    assert (await history.verify_all(ctx))[1] == []
    await _tamper(superuser_dsn, *statements)
    checked, bad = await history.verify_all(ctx)
    assert checked == 1
    assert [r.code for r in bad] == [code]
    assert problem in {p.problem for p in bad[0].problems}


# --- state and history agree ----------------------------------------------------------------


async def test_state_always_agrees_with_history(ctx: Context, world: World) -> None:
    code = await register_one(
        ctx, world, manufactured_on=date(2018, 7, 1), next_inspection_due=date(2026, 7, 1)
    )
    await _filled(ctx, world, code, 1)
    item, body = fill_input(code, net_kg=15.6)
    await fill.record_fill(ctx, filler(world), item, body)
    steps: list[lifecycle.ReweighInput | lifecycle.InspectionInput] = [
        lifecycle.ReweighInput(uuid.uuid4(), code, 14.8),
        lifecycle.InspectionInput(uuid.uuid4(), code, date(2026, 6, 10), "fail"),
        lifecycle.InspectionInput(uuid.uuid4(), code, date(2026, 6, 12), "pass"),
    ]
    for step in steps:
        if isinstance(step, lifecycle.ReweighInput):
            await lifecycle.record_reweigh(ctx, filler(world), step, {"id": str(step.event_id)})
        else:
            await lifecycle.record_inspection(
                ctx, inspector(world), step, {"id": str(step.event_id)}
            )
    await lifecycle.record_seizure(
        ctx, regulator(world), code, uuid.uuid4(), "检查", release=False, body={"x": 1}
    )
    assert (await history.verify_all(ctx))[1] == []


# --- concurrency ----------------------------------------------------------------------------


async def test_same_event_id_at_once_gives_exactly_one_event(
    ctx: Context, world: World, superuser_dsn: str
) -> None:
    code = await register_one(ctx, world)
    event_id = uuid.uuid4()
    item, body = fill_input(code, event_id=event_id)
    results = await asyncio.gather(
        *(fill.record_fill(ctx, filler(world), item, body) for _ in range(8))
    )
    assert sum(not r.is_replay for r in results) == 1
    assert {r.event.event_id for r in results} == {event_id}
    conn = await asyncpg.connect(superuser_dsn)
    count = await conn.fetchval("SELECT count(*) FROM event WHERE event_id = $1", event_id)
    await conn.close()
    assert count == 1


async def test_same_event_id_for_two_cylinders_at_once_is_one_event_and_a_conflict(
    ctx: Context, world: World
) -> None:
    first, second = await register_one(ctx, world), await register_one(ctx, world)
    event_id = uuid.uuid4()
    attempts = [fill_input(first, event_id=event_id), fill_input(second, event_id=event_id)]
    results = await asyncio.gather(
        *(fill.record_fill(ctx, filler(world), i, b) for i, b in attempts), return_exceptions=True
    )
    assert sum(isinstance(r, Written) for r in results) == 1
    assert sum(isinstance(r, Conflict) and r.code == "EVENT_ID_REUSED" for r in results) == 1


async def test_racing_fills_on_one_cylinder_are_serialised(ctx: Context, world: World) -> None:
    code = await register_one(ctx, world)
    actors = [filler(world), filler(world, "filler_a2", "station_a2")]
    inputs = [fill_input(code) for _ in range(10)]
    results = await asyncio.gather(
        *(fill.record_fill(ctx, actors[i % 2], item, body) for i, (item, body) in enumerate(inputs))
    )
    assert sorted(r.event.seq for r in results) == list(range(2, 12))
    # Each fill saw the one before it: all but the first are rapid refills.
    rapid = [r for r in results if "RAPID_REFILL" in r.event.payload["warnings"]]
    assert len(rapid) == 9
    assert (await history.verify_all(ctx))[1] == []


async def test_blacklisting_between_check_and_fill_refuses_the_fill(
    ctx: Context, world: World
) -> None:
    code = await register_one(ctx, world)
    checked = await fill.check(ctx, filler(world), code)
    assert checked.verdict.is_allowed
    await blacklist.add(
        ctx, regulator(world), blacklist.BlacklistInput(reason="召回", model="YSP35.5")
    )
    item, body = fill_input(code)
    with pytest.raises(fill.FillRefused) as refused:
        await fill.record_fill(ctx, filler(world), item, body)
    assert [r["code"] for r in refused.value.extra["reasons"]] == ["BLACKLISTED"]


async def _until_waiting_for_locks(dsn: str, count: int) -> None:
    """Until ``count`` sessions of the test database wait for a lock."""
    conn = await asyncpg.connect(dsn)
    try:
        async with asyncio.timeout(10):
            while True:
                waiting = await conn.fetchval(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if waiting == count:
                    return
                await asyncio.sleep(0.01)
    finally:
        await conn.close()


@pytest.mark.parametrize("first", ["fill", "blacklisting"])
async def test_a_fill_and_a_blacklisting_of_its_cylinder_are_ordered_one_way_or_the_other(
    ctx: Context, world: World, superuser_dsn: str, first: str
) -> None:
    """Both queue for the cylinder's row lock, held meanwhile by a third session, in the order
    given; then the lock is let go. Ordered first, the fill is recorded and the blacklisting
    follows it; ordered second, the fill is refused as blacklisted."""
    code = await register_one(ctx, world)
    item, body = fill_input(code)
    contenders: dict[str, Callable[[], Coroutine[Any, Any, object]]] = {
        "fill": lambda: fill.record_fill(ctx, filler(world), item, body),
        "blacklisting": lambda: blacklist.add(
            ctx, regulator(world), blacklist.BlacklistInput(reason="克隆", code=code)
        ),
    }
    tasks: dict[str, asyncio.Task[Any]] = {}
    holder = await asyncpg.connect(superuser_dsn)
    try:
        async with holder.transaction():
            await holder.execute("SELECT 1 FROM cylinder WHERE code = $1 FOR UPDATE", code)
            for name in sorted(contenders, key=lambda name: name != first):
                tasks[name] = asyncio.create_task(contenders[name]())
                await _until_waiting_for_locks(superuser_dsn, len(tasks))
        results = await asyncio.gather(tasks["fill"], tasks["blacklisting"], return_exceptions=True)
        filled: object = results[0]
    finally:
        await holder.close()
        for task in tasks.values():
            task.cancel()
    events, _ = await history.list_events(ctx, regulator(world), code, cursor=None, limit=50)
    if first == "fill":
        assert isinstance(filled, Written), filled
        assert [e["type"] for e in events] == ["registered", "filled", "blacklisted"]
    else:
        assert isinstance(filled, fill.FillRefused), filled
        assert [r["code"] for r in filled.extra["reasons"]] == ["BLACKLISTED"]
        assert [e["type"] for e in events] == ["registered", "blacklisted", "fill_refused"]


async def test_a_blacklisting_racing_a_fill_either_precedes_or_follows_it(
    ctx: Context, world: World
) -> None:
    """Both at once, many times, as the scheduler pleases (the test above forces each order):
    a fill is recorded only when it was ordered before the blacklist entry, and no filled
    event ever follows a blacklisting of its cylinder."""
    for _ in range(20):
        code = await register_one(ctx, world)
        item, body = fill_input(code)
        add = blacklist.add(
            ctx, regulator(world), blacklist.BlacklistInput(reason="克隆", code=code)
        )
        results = await asyncio.gather(
            fill.record_fill(ctx, filler(world), item, body), add, return_exceptions=True
        )
        events, _ = await history.list_events(ctx, regulator(world), code, cursor=None, limit=50)
        types = [e["type"] for e in events]
        if isinstance(results[0], fill.FillRefused):
            assert types == ["registered", "blacklisted", "fill_refused"]
        else:
            assert isinstance(results[0], Written), results[0]
            assert types == ["registered", "filled", "blacklisted"]


# --- the hot path's round trips ---------------------------------------------------------------


@contextmanager
def count_statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every statement sent through asyncpg (the hot path bypasses SQLAlchemy), ``BEGIN;``
    and ``COMMIT;`` included: each is a round trip."""
    seen: list[str] = []
    for name in ("fetchrow", "fetch", "fetchval", "execute"):
        original = getattr(asyncpg.Connection, name)

        def wrapper(self, query, *args, __original=original, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(query)
            return __original(self, query, *args, **kwargs)

        monkeypatch.setattr(asyncpg.Connection, name, wrapper)
    try:
        yield seen
    finally:
        monkeypatch.undo()


async def test_a_fill_check_is_one_query_and_a_fill_three(
    ctx: Context, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = await register_one(ctx, world)
    actor = filler(world)
    await fill.check(ctx, actor, ctx.qr_payload(code))  # warm the pool
    with count_statements(monkeypatch) as statements:
        result = await fill.check(ctx, actor, ctx.qr_payload(code))
    assert result.verdict.is_allowed
    assert len(statements) == 1, statements  # the snapshot; no transaction
    item, body = fill_input(ctx.qr_payload(code))
    with count_statements(monkeypatch) as statements:
        await fill.record_fill(ctx, actor, item, body)
    # One transaction: lock, snapshot (with the idempotency probe), event + state.
    assert statements[0] == "BEGIN;"
    assert statements[-1] == "COMMIT;"
    assert len(statements) == 5, statements


async def test_recorded_times_follow_the_chain_even_if_the_clock_steps_back(
    ctx: Context, world: World, clock: FakeClock
) -> None:
    """Replicas' clocks may disagree: the history's order is the chain's, and recorded_at
    must never go backwards along it, from the registration on."""
    code = await register_one(ctx, world)
    clock.advance(hours=-1)
    item, body = fill_input(code)
    item = fill.FillInput(item.event_id, code, 14.5, clock.now - timedelta(minutes=1))
    await fill.record_fill(ctx, filler(world), item, body)
    events, _ = await history.list_events(ctx, regulator(world), code, cursor=None, limit=50)
    assert [e["seq"] for e in events] == [1, 2]
    assert events[1]["recorded_at"] > events[0]["recorded_at"]
