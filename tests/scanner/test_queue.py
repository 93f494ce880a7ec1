"""The outbox and its sender, with ``httpx.MockTransport`` for the service and an injected
clock. No database, no network."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from scanner.outbox.client import Ack, ServiceClient
from scanner.outbox.queue import MAX_DELAY_S, EventQueue, QueueError, State
from scanner.outbox.sender import Sender, backoff_s
from tests.scanner.seconds_clock import SecondsClock

TOKEN = "cyl_station-token-for-tests-0001"
PATH = "/api/v1/deliveries"


def problem(status: int, code: str, detail: str = "nope") -> httpx.Response:
    body = {"type": "x", "title": "t", "status": status, "detail": detail, "code": code}
    return httpx.Response(status, json=body, headers={"content-type": "application/problem+json"})


def stored_event(request: httpx.Request, status: int = 201) -> httpx.Response:
    """What the service answers for a recorded event: the event, with its event_id."""
    body = json.loads(request.content)
    return httpx.Response(status, json={"event_id": body["event_id"], "type": "dispatched"})


Handler = Callable[[httpx.Request], httpx.Response]


def sender_for(queue: EventQueue, handler: Handler, jitter: float = 0.0) -> Sender:
    client = ServiceClient("http://service.test", TOKEN, transport=httpx.MockTransport(handler))
    return Sender(queue, client, jitter=lambda: jitter)


def enqueue(queue: EventQueue, label: str, token: str = TOKEN) -> str:
    event_id = str(uuid.uuid4())
    body = {"event_id": event_id, "code": label, "kind": "dispatch"}
    queue.enqueue(
        event_id=event_id, kind="dispatch", path=PATH, body=body, token=token, label=label
    )
    return event_id


@pytest.fixture
def clock() -> SecondsClock:
    return SecondsClock()


@pytest.fixture
def queue(tmp_path: Path, clock: SecondsClock) -> EventQueue:
    return EventQueue(tmp_path / "outbox.sqlite3", clock=clock)


def test_backoff_doubles_from_one_second_with_jitter_up_to_five_minutes() -> None:
    lowest = [backoff_s(n, 0.0) for n in range(1, 12)]
    highest = [backoff_s(n, 0.999999) for n in range(1, 12)]
    assert lowest == [0.5, 1, 2, 4, 8, 16, 32, 64, 128, 150, 150]
    assert [round(h) for h in highest] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert backoff_s(10_000, 0.5) == pytest.approx(0.75 * MAX_DELAY_S)
    with pytest.raises(ValueError):
        backoff_s(0, 0.5)


def test_sends_oldest_first(queue: EventQueue) -> None:
    ids = [enqueue(queue, f"C{i}") for i in range(5)]
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content)["event_id"])
        return stored_event(request)

    attempts = sender_for(queue, handler).send_due()
    assert seen == ids
    assert [a.outcome.ack for a in attempts] == [Ack.SENT] * 5
    assert queue.events() == []
    assert queue.count(State.SENT) == 5


def test_retries_on_the_backoff_schedule_and_holds_back_later_events(
    queue: EventQueue, clock: SecondsClock
) -> None:
    first, second = enqueue(queue, "C1"), enqueue(queue, "C2")
    answers = iter([503, 503, 503, 201, 201])
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content)["event_id"])
        status = next(answers)
        return stored_event(request) if status == 201 else problem(503, "DB_UNAVAILABLE")

    sender = sender_for(queue, handler, jitter=0.0)
    schedule = []
    for _ in range(3):
        assert len(sender.send_due()) == 1  # one failure stops the pass
        head = queue.head(TOKEN)
        assert head is not None
        assert head.event_id == first  # the second never jumps the queue
        schedule.append(head.next_attempt_at - clock.now)
        assert sender.send_due() == []  # not due yet
        clock.now = head.next_attempt_at
    assert schedule == [0.5, 1.0, 2.0]
    attempts = sender.send_due()
    assert [a.event.event_id for a in attempts] == [first, second]
    assert seen == [first, first, first, first, second]
    sent = queue.events((State.SENT,))
    assert [e.attempts for e in sent] == [4, 1]


def test_a_network_error_is_retried(queue: EventQueue) -> None:
    event_id = enqueue(queue, "C1")

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    attempts = sender_for(queue, handler).send_due()
    assert [a.outcome.ack for a in attempts] == [Ack.RETRY]
    event = queue.get(event_id)
    assert event is not None
    assert event.state is State.PENDING
    assert "ConnectError" in (event.last_error or "")


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503])
def test_a_transient_status_is_retried_and_retry_after_is_honoured(
    queue: EventQueue, clock: SecondsClock, status: int
) -> None:
    event_id = enqueue(queue, "C1")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers={"Retry-After": "42"}, json={"code": "BUSY"})

    sender_for(queue, handler).send_due()
    event = queue.get(event_id)
    assert event is not None
    assert event.state is State.PENDING
    assert event.status == status
    assert event.next_attempt_at - clock.now == 42


@pytest.mark.parametrize(
    ("status", "code"), [(422, "VALIDATION_ERROR"), (409, "EVENT_ID_REUSED"), (404, "NOT_FOUND")]
)
def test_dead_letters_a_definitive_rejection_and_goes_on_with_the_next(
    queue: EventQueue, status: int, code: str
) -> None:
    bad, good = enqueue(queue, "C1"), enqueue(queue, "C2")

    def handler(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content)["event_id"] == bad:
            return problem(status, code, "禁止 / refused for a reason")
        return stored_event(request)

    sender = sender_for(queue, handler)
    attempts = sender.send_due()
    assert [a.outcome.ack for a in attempts] == [Ack.FAILED, Ack.SENT]
    (failed,) = queue.events()
    assert failed.event_id == bad
    assert failed.state is State.FAILED
    assert (failed.status, failed.problem_code) == (status, code)
    assert failed.detail == "禁止 / refused for a reason"
    assert sender.send_due(force=True) == []  # never retried by itself
    assert queue.get(good) is not None


def test_a_4xx_that_is_not_the_services_answer_is_retried(queue: EventQueue) -> None:
    """A proxy's HTML 404 (a wrong URL, a captive portal) must not dead-letter events."""
    event_id = enqueue(queue, "C1")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, text="<html>Not Found</html>")

    assert [a.outcome.ack for a in sender_for(queue, handler).send_due()] == [Ack.RETRY]
    event = queue.get(event_id)
    assert event is not None
    assert event.state is State.PENDING


def test_a_2xx_without_our_event_is_not_an_acknowledgement(queue: EventQueue) -> None:
    event_id = enqueue(queue, "C1")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"welcome": "wifi login page"})

    assert [a.outcome.ack for a in sender_for(queue, handler).send_due()] == [Ack.RETRY]
    event = queue.get(event_id)
    assert event is not None
    assert event.state is State.PENDING


@pytest.mark.parametrize("status", [401, 403])
def test_stops_sending_and_keeps_everything_when_the_token_is_rejected(
    queue: EventQueue, status: int
) -> None:
    ids = [enqueue(queue, f"C{i}") for i in range(3)]
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return problem(status, "UNAUTHENTICATED")

    sender = sender_for(queue, handler)
    assert [a.outcome.ack for a in sender.send_due()] == [Ack.AUTH]
    assert sender.is_token_rejected
    assert sender.send_due(force=True) == []
    assert len(calls) == 1
    assert [e.event_id for e in queue.events()] == ids
    assert all(e.state is State.PENDING and e.attempts == 0 for e in queue.events())


def test_enqueueing_the_same_event_again_stores_it_once(queue: EventQueue) -> None:
    body = {"event_id": str(uuid.uuid4()), "code": "C1", "kind": "dispatch"}
    args = {"event_id": body["event_id"], "kind": "dispatch", "path": PATH, "token": TOKEN}
    first = queue.enqueue(body=body, label="C1", **args)
    again = queue.enqueue(body=dict(reversed(body.items())), label="C1", **args)
    assert again == first
    assert len(queue.events()) == 1
    with pytest.raises(QueueError):
        queue.enqueue(body={**body, "code": "C2"}, label="C2", **args)


def test_sends_only_the_events_of_its_own_token(queue: EventQueue) -> None:
    mine, theirs = enqueue(queue, "C1"), enqueue(queue, "C2", token="cyl_someone-else-token-99")
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content)["event_id"])
        return stored_event(request)

    sender_for(queue, handler).send_due()
    assert sent == [mine]
    assert [e.event_id for e in queue.events()] == [theirs]


def test_is_durable_and_survives_reopening(tmp_path: Path, clock: SecondsClock) -> None:
    path = tmp_path / "outbox.sqlite3"
    with EventQueue(path, clock=clock) as queue:
        event_id = enqueue(queue, "C1")
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()
    with EventQueue(path, clock=clock) as reopened:
        conn = reopened._conn
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        head = reopened.head(TOKEN)
        assert head is not None
        assert head.event_id == event_id
        assert head.payload["code"] == "C1"


def test_a_wall_clock_that_jumped_back_does_not_stall_the_queue(
    queue: EventQueue, clock: SecondsClock
) -> None:
    enqueue(queue, "C1")
    sender_for(queue, lambda r: problem(503, "DB_UNAVAILABLE")).send_due()
    clock.now -= 86_400  # the clock was set back a day: the wait is now absurd
    assert queue.next_due(TOKEN) is not None
