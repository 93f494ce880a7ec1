"""Nothing acknowledged to the user is lost, nothing is recorded twice: a reply lost after the
service committed, and the scanner killed with SIGKILL in the middle of sending."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections import Counter
from pathlib import Path

import httpx

from scanner.outbox.client import Ack, ServiceClient
from scanner.outbox.queue import EventQueue, State
from scanner.outbox.sender import Sender
from service.use_cases.context import Context
from tests.context import FakeClock
from tests.factories import register_one
from tests.scanner.live_service import LiveService, events_in_db
from tests.scanner.scanner_process import command_line, run_scanner, start_scanner
from tests.scanner.seconds_clock import SecondsClock
from tests.world import World


class LostReply(httpx.BaseTransport):
    """Forwards each request to the real server, then loses the first reply: the service has
    committed, the scanner sees a network error."""

    def __init__(self) -> None:
        self.real = httpx.HTTPTransport()
        self.statuses: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.real.handle_request(request)
        response.read()
        self.statuses.append(response.status_code)
        if len(self.statuses) == 1:
            response.close()
            raise httpx.ReadError("connection reset before the reply", request=request)
        return response

    def close(self) -> None:
        self.real.close()


async def test_a_retry_after_a_lost_reply_records_nothing_twice(
    ctx: Context,
    world: World,
    service: LiveService,
    tmp_path: Path,
    clock: FakeClock,
    superuser_dsn: str,
) -> None:
    code = await register_one(ctx, world)
    token = world.tokens["filler_a1"]
    event_id = str(uuid.uuid4())
    body = {
        "event_id": event_id,
        "scan": ctx.qr_payload(code),
        "net_kg": 14.5,
        "filled_at": clock.now.isoformat(),
    }
    wall = SecondsClock(1_000.0)
    queue = EventQueue(tmp_path / "outbox.sqlite3", clock=wall)
    queue.enqueue(
        event_id=event_id, kind="fill", path="/api/v1/fills", body=body, token=token, label=code
    )
    queue.close()
    transport = LostReply()
    client = ServiceClient(service.url, token, transport=transport)

    def attempt() -> list[Ack]:
        # In a thread (the server runs on this loop), with its own SQLite connection.
        with EventQueue(tmp_path / "outbox.sqlite3", clock=wall) as outbox:
            sender = Sender(outbox, client, jitter=lambda: 0.0)
            return [a.outcome.ack for a in sender.send_due()]

    assert await asyncio.to_thread(attempt) == [Ack.RETRY]
    assert len(await events_in_db(superuser_dsn, code=code, type_="filled")) == 1  # committed
    wall.now += 60
    assert await asyncio.to_thread(attempt) == [Ack.SENT]
    assert transport.statuses == [201, 200]  # the retry was answered as a replay
    filled = await events_in_db(superuser_dsn, code=code, type_="filled")
    assert [str(row["event_id"]) for row in filled] == [event_id]
    client.close()
    with EventQueue(tmp_path / "outbox.sqlite3") as reopened:
        stored = reopened.get(event_id)
    assert stored is not None
    assert (stored.state, stored.status) == (State.SENT, 200)


def outbox_rows(data_dir: Path) -> list[tuple[str, str, int | None]]:
    conn = sqlite3.connect(data_dir / "outbox.sqlite3")
    try:
        return conn.execute("SELECT event_id, state, status FROM outbox ORDER BY seq").fetchall()
    finally:
        conn.close()


async def test_kill_9_while_sending_loses_nothing_and_duplicates_nothing(
    ctx: Context, world: World, tmp_path: Path, superuser_dsn: str
) -> None:
    """The service records the 6th event and its reply is held back; the scanner gives up
    waiting to show it, saves the 7th read, and is killed. The 6th is then stored on both
    sides but not marked sent, the 7th only on the scanner. The restarted scanner sends the
    6th again (answered as a replay, recording nothing) and the 7th once."""
    service = LiveService(ctx)
    await service.start(post_delay_s=0.02, hold_reply_of=6)
    try:
        codes = [await register_one(ctx, world) for _ in range(12)]
        token = world.tokens["delivery_a1"]
        args = command_line(
            "dispatch",
            "--no-sound",
            source="-",
            service=service.url,
            token=token,
            data_dir=tmp_path,
        )
        process = await start_scanner(*args, stdin=True)
        assert process.stdin is not None
        process.stdin.write("".join(f"{ctx.qr_payload(c)}\n" for c in codes).encode())
        await process.stdin.drain()
        async with asyncio.timeout(20):
            await service.link.holding.wait()
            while len(outbox_rows(tmp_path)) < 7:  # noqa: ASYNC110  (another process writes)
                await asyncio.sleep(0.02)
        process.kill()  # SIGKILL: no cleanup, no flush
        await process.wait()
        service.link.release.set()
        before = outbox_rows(tmp_path)
        assert [state for _, state, _ in before] == ["sent"] * 5 + ["pending"] * 2
        in_db = await events_in_db(superuser_dsn, type_="dispatched")
        assert [str(row["event_id"]) for row in in_db] == [e for e, _, _ in before[:6]]

        restarted = await run_scanner(*args, stdin="")
        assert restarted.returncode == 0, restarted.stderr
    finally:
        await service.stop()
    after = outbox_rows(tmp_path)
    assert [(e, state) for e, state, _ in after] == [(e, "sent") for e, _, _ in before]
    # The 6th was answered as a replay (recorded the first time, not again); the 7th is new.
    assert [status for _, _, status in after[5:]] == [200, 201]
    stored = [str(row["event_id"]) for row in await events_in_db(superuser_dsn, type_="dispatched")]
    assert Counter(stored) == Counter(e for e, _, _ in after)  # each exactly once
    assert "待上传 0 条" in restarted.stderr
