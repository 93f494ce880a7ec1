"""The scanner's HTTP client for the service: httpx, with an injectable transport (a test passes
``httpx.MockTransport``, or a transport that forwards to a real server and loses the reply).

Timeouts are short on purpose: a filler must not wait. A fill check that has no answer within
``check_timeout_s`` (2 s) is decided by the local gate instead (``scanner.offline``).

Errors::

    ServiceError                 base; never raised itself
    ├── Unreachable              no answer: connection refused, timeout, DNS; or 5xx, 408, 429,
    │                            or a reply that is not the service's (a proxy's error page).
    │                            Try again later; at the gate, decide offline.
    ├── TokenRejected            401 or 403: the token is wrong (or not a filler's). Stop.
    └── Rejected                 any other 4xx with the service's problem ``code`` and ``detail``:
                                 a definitive answer; sending it again cannot succeed.

``post_event`` does not raise: it classifies the answer as an ``Outcome`` the outbox acts on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx

API = "/api/v1"
PAGE_LIMIT = 500
RETRYABLE_4XX = frozenset({408, 429})


class ServiceError(Exception):
    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Unreachable(ServiceError):
    def __init__(
        self, message: str, *, status: int | None = None, retry_after_s: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after_s = retry_after_s


class TokenRejected(ServiceError):
    pass


class Rejected(ServiceError):
    def __init__(self, status: int, code: str, detail: str, problem: dict[str, Any]) -> None:
        super().__init__(f"{status} {code}: {detail}", status=status)
        self.code = code
        self.detail = detail
        self.problem = problem


class Ack(StrEnum):
    SENT = "sent"  # 2xx with our event: recorded (201) or already recorded (200)
    RETRY = "retry"
    FAILED = "failed"  # definitive rejection: dead letter
    AUTH = "auth"  # 401/403: the token is wrong; stop sending


@dataclass(frozen=True, slots=True)
class Outcome:
    ack: Ack
    status: int | None = None
    code: str = ""
    detail: str = ""
    retry_after_s: float | None = None
    body: dict[str, Any] = field(default_factory=dict)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None  # an HTTP date: rare from our service; the backoff decides


def _problem(response: httpx.Response) -> dict[str, Any] | None:
    """The service's problem+json body, or None when the reply is someone else's."""
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("code"), str) else None


def raise_for_answer(response: httpx.Response) -> None:
    """Turn anything but a 2xx into the error it means (see the module docstring)."""
    status = response.status_code
    if 200 <= status < 300:
        return
    if status in (401, 403):
        raise TokenRejected(f"{status}: token rejected", status=status)
    problem = _problem(response)
    if status >= 500 or status in RETRYABLE_4XX or problem is None:
        # A 4xx without our problem body comes from a proxy or a wrong URL, not the
        # service: retrying later is right, a dead letter would be wrong.
        raise Unreachable(f"HTTP {status}", status=status, retry_after_s=_retry_after(response))
    raise Rejected(status, problem["code"], str(problem.get("detail", "")), problem)


class ServiceClient:
    """One user's (one token's) calls to one service."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        check_timeout_s: float = 2.0,
        timeout_s: float = 10.0,
    ) -> None:
        self.token = token
        self.check_timeout = httpx.Timeout(check_timeout_s)
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "User-Agent": "cylinder-scan"},
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0)),
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ServiceClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _call(
        self, method: str, path: str, *, timeout: httpx.Timeout | None = None, **kwargs: Any
    ) -> httpx.Response:
        try:
            if timeout is None:
                response = self._http.request(method, path, **kwargs)
            else:
                response = self._http.request(method, path, timeout=timeout, **kwargs)
        except httpx.TransportError as exc:  # connect, read, write, pool, protocol errors
            raise Unreachable(f"{type(exc).__name__}: {exc}") from exc
        raise_for_answer(response)
        return response

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError as exc:
            raise Unreachable("the reply is not JSON", status=response.status_code) from exc
        if not isinstance(data, dict):
            raise Unreachable("the reply is not a JSON object", status=response.status_code)
        return data

    def fill_check(self, scan: str) -> dict[str, Any]:
        """POST /fill-checks: the service's verdict, within ``check_timeout_s``."""
        response = self._call(
            "POST", f"{API}/fill-checks", json={"scan": scan}, timeout=self.check_timeout
        )
        return self._json(response)

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        return self._json(self._call("GET", f"{API}{path}", params=params))

    def pages(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every item of a cursor-paged list."""
        cursor: str | None = None
        while True:
            query = {**params, "limit": PAGE_LIMIT}
            if cursor is not None:
                query["cursor"] = cursor
            page = self.get(path, **query)
            yield from page.get("items", [])
            cursor = page.get("next_cursor")
            if not cursor:
                return

    def post_event(self, path: str, body: str, event_id: str) -> Outcome:
        """Send one queued event (``body`` as stored) and say what the outbox should do."""
        try:
            response = self._call(
                "POST", path, content=body, headers={"Content-Type": "application/json"}
            )
            data = self._json(response)
        except Unreachable as exc:
            return Outcome(Ack.RETRY, exc.status, detail=str(exc), retry_after_s=exc.retry_after_s)
        except TokenRejected as exc:
            return Outcome(Ack.AUTH, exc.status, detail=str(exc))
        except Rejected as exc:
            return Outcome(Ack.FAILED, exc.status, exc.code, exc.detail, body=exc.problem)
        if str(data.get("event_id")) != event_id:
            # A 2xx that is not our stored event (a captive portal's page, say) proves nothing.
            return Outcome(Ack.RETRY, response.status_code, detail="2xx without our event")
        return Outcome(Ack.SENT, response.status_code, body=data)
