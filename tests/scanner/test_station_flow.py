"""What one read does in each mode, in-process: a fake service behind ``httpx.MockTransport``,
the keyboard on a string, and a ``RecordingView`` that keeps what would have been shown."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from scanner.display.screen import Screen, Tone
from scanner.display.view import RecordingView
from scanner.outbox.client import TokenRejected
from scanner.outbox.queue import EventQueue, State
from scanner.station.options import CustodyMode, FillMode, Mode, StationOptions, outbox_path
from scanner.station.run import Wiring, run_mode
from service.domain.codes import check_character
from service.domain.reasons import Finding

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
CODE = "7KQM4XR92T" + check_character("7KQM4XR92T")
LABEL = f"HTTPS://CYL.EXAMPLE.CN/C/{CODE}/2ABC"
STATION, COMPANY = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"


class FakeService:
    """Answers like the service; ``verdict`` and ``fill_status`` steer it, ``down`` cuts it."""

    def __init__(self) -> None:
        self.verdict = "allow"
        self.fill_status = 201
        self.down_paths: set[str] = set()
        self.fills_to_fail = 0
        self.posted: list[tuple[str, dict[str, Any]]] = []

    def me(self) -> dict[str, Any]:
        org = {
            "id": STATION,
            "kind": "station",
            "company_id": COMPANY,
            "license_no": "TS1",
            "license_expires_on": "2029-12-31",
            "is_license_suspended": False,
            "is_locked": False,
        }
        user = {"certificate_no": "CERT-1", "certificate_expires_on": "2028-01-01"}
        return {"organization": org, "user": user}

    def cylinder(self) -> dict[str, Any]:
        return {
            "code": CODE,
            "qr_payload": LABEL,
            "serial_no": "SN1",
            "manufacturer": "某厂",
            "model": "YSP35.5",
            "batch": None,
            "owner_id": COMPANY,
            "status": "in_service",
            "hold_reason": None,
            "next_inspection_due": str(date(2027, 6, 1)),
            "scrap_on": "2032-03-01",
            "flags": [],
            "needs_purge": False,
            "aliases": [],
            "last_fill": None,
        }

    def check(self) -> dict[str, Any]:
        reasons = [] if self.verdict == "allow" else [Finding.of("INSPECTION_OVERDUE").as_dict()]
        return {
            "verdict": self.verdict,
            "code": CODE,
            "reasons": reasons,
            "warnings": [],
            "cylinder": {"model": "YSP35.5"},
            "check_id": "33333333-3333-4333-8333-333333333333",
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/v1")
        if path in self.down_paths:
            raise httpx.ConnectError("unreachable", request=request)
        if path == "/fills" and self.fills_to_fail:
            self.fills_to_fail -= 1
            raise httpx.ConnectError("the link dropped", request=request)
        if request.method == "GET":
            pages = {
                "/me": self.me(),
                "/cylinders": {"items": [self.cylinder()], "next_cursor": None},
                "/blacklist": {"items": [], "next_cursor": None},
            }
            return httpx.Response(200, json=pages[path])
        body = json.loads(request.content)
        self.posted.append((path, body))
        if path == "/fill-checks":
            return httpx.Response(200, json=self.check())
        if path == "/fills" and self.fill_status == 409:
            problem = {
                "status": 409,
                "code": "FILL_REFUSED",
                "detail": "禁止充装 / fill refused",
                "reasons": [Finding.of("BLACKLISTED").as_dict()],
            }
            return httpx.Response(
                409, json=problem, headers={"content-type": "application/problem+json"}
            )
        return httpx.Response(201, json={"event_id": body["event_id"], "warnings": []})


@pytest.fixture
def fake() -> FakeService:
    return FakeService()


FILL = FillMode()


def run(
    tmp_path: Path, fake: FakeService, typed: str, mode: Mode = FILL, **extra: Any
) -> list[Screen]:
    view = RecordingView()
    options = StationOptions(
        service="http://service.test",
        token="cyl_tok-1234567890",
        data_dir=tmp_path,
        source="-",
        sound=False,
        drain_s=5.0,
        **extra,
    )
    wiring = Wiring(
        transport=httpx.MockTransport(fake),
        view=view,
        now=lambda: NOW,
        stdin=io.StringIO(typed),
        out=io.StringIO(),
    )
    run_mode(options, mode, wiring)
    return view.screens


def posted(fake: FakeService, path: str) -> list[dict[str, Any]]:
    return [body for p, body in fake.posted if p == path]


def titles(screens: list[Screen]) -> list[str]:
    return [s.title.zh for s in screens]


def test_records_the_weight_the_filler_types_after_an_allow(
    tmp_path: Path, fake: FakeService
) -> None:
    screens = run(tmp_path, fake, f"{LABEL}\n14,5\n")
    assert titles(screens) == ["准备就绪", "可以充装", "已记录充装"]
    assert (screens[1].tone, screens[1].code, screens[1].model) == (Tone.ALLOW, CODE, "YSP35.5")
    (fill,) = posted(fake, "/fills")
    assert fill["net_kg"] == 14.5
    assert fill["scan"] == LABEL
    assert fill["check_id"] == "33333333-3333-4333-8333-333333333333"
    assert fill["filled_at"] == NOW.isoformat()
    assert "offline" not in fill


def test_records_no_fill_when_the_filler_presses_enter_alone(
    tmp_path: Path, fake: FakeService
) -> None:
    screens = run(tmp_path, fake, f"{LABEL}\n\n")
    assert titles(screens)[-1] == "未记录充装"
    assert posted(fake, "/fills") == []


def test_shows_every_reason_and_asks_no_weight_when_refused(
    tmp_path: Path, fake: FakeService
) -> None:
    fake.verdict = "refuse"
    screens = run(tmp_path, fake, f"{LABEL}\n14.5\n", max_reads=1)
    refused = screens[-1]
    assert (refused.tone, refused.title.zh, refused.title.en) == (Tone.REFUSE, "禁止充装", "REFUSE")
    assert [(line.zh, line.en) for line in refused.lines] == [
        ("超期未检，禁止充装", "Periodic inspection overdue")
    ]
    assert refused.banner is None
    assert posted(fake, "/fills") == []


def test_decides_offline_from_the_synced_copy_when_the_check_gets_no_answer(
    tmp_path: Path, fake: FakeService
) -> None:
    fake.down_paths = {"/fill-checks", "/fills"}
    screens = run(tmp_path, fake, f"{LABEL}\n", FillMode(net_kg=14.5))
    assert titles(screens) == ["准备就绪", "可以充装", "已保存，待上传"]
    assert screens[1].banner is not None
    assert screens[1].banner.zh.startswith("网络中断：离线判断，恢复后自动上传")
    with EventQueue(outbox_path(tmp_path)) as queue:
        (event,) = queue.events()
    offline = event.payload["offline"]
    assert offline == {
        "checked_at": NOW.isoformat(),
        "cache_as_of": NOW.isoformat(),
        "verdict": "allow",
        "reasons": [],
    }
    assert "check_id" not in event.payload


def test_refuses_offline_what_the_copy_does_not_hold(tmp_path: Path, fake: FakeService) -> None:
    fake.down_paths = {"/fill-checks"}
    other = "ABCDEFGHJK" + check_character("ABCDEFGHJK")
    screens = run(tmp_path, fake, f"{other}\n", FillMode(net_kg=14.5))
    refused = screens[-1]
    assert refused.tone is Tone.REFUSE
    assert refused.lines[0].zh.startswith("离线：此码不在本单位气瓶名单中")
    assert refused.banner is not None
    assert refused.banner.zh.startswith("网络中断：离线判断")
    assert "恢复后自动上传" not in refused.banner.zh  # nothing to upload


def test_dead_letters_a_fill_the_service_refuses_and_shows_why(
    tmp_path: Path, fake: FakeService
) -> None:
    fake.fill_status = 409
    screens = run(tmp_path, fake, f"{LABEL}\n", FillMode(net_kg=14.5))
    refused = screens[-1]
    assert (refused.tone, refused.title.zh) == (Tone.REFUSE, "禁止充装")
    assert [line.zh for line in refused.lines] == ["列入黑名单或召回"]
    with EventQueue(outbox_path(tmp_path)) as queue:
        (event,) = queue.events()
    assert (event.state, event.status, event.problem_code) == (State.FAILED, 409, "FILL_REFUSED")


def test_uploads_at_once_when_the_service_answers_again(tmp_path: Path, fake: FakeService) -> None:
    """A fill that failed to upload waits out its backoff, unless the next fill check shows
    the service is back: then it goes at once (and the run ends with nothing pending)."""
    fake.fills_to_fail = 1
    screens = run(tmp_path, fake, f"{LABEL}\n{LABEL}\n", FillMode(net_kg=14.5), window_s=1e-6)
    assert titles(screens)[:4] == ["准备就绪", "可以充装", "已保存，待上传", "可以充装"]
    assert len(posted(fake, "/fills")) == 2  # the failed attempt is not counted: it never arrived
    with EventQueue(outbox_path(tmp_path)) as queue:
        assert queue.events() == []
        assert queue.count(State.SENT) == 2


@pytest.mark.parametrize(
    ("mode", "title"),
    [(CustodyMode("dispatch", vehicle="浙A12345"), "已出站"),
     (CustodyMode("deliver", customer_id="C-42"), "已送达"), (CustodyMode("return"), "已回收")],
)  # fmt: skip
def test_records_one_custody_event_per_read(
    tmp_path: Path, fake: FakeService, mode: CustodyMode, title: str
) -> None:
    screens = run(tmp_path, fake, f"{LABEL}\n", mode)
    assert titles(screens) == [title]
    (body,) = posted(fake, "/deliveries")
    assert body["code"] == CODE  # our code, not the label URL
    assert body["kind"] == mode.kind
    assert body.get("vehicle") == mode.vehicle
    assert body.get("customer_id") == mode.customer_id
    assert body["occurred_at"] == NOW.isoformat()
    assert posted(fake, "/fill-checks") == []


def test_refuses_a_label_that_fails_its_check_without_sending_it(
    tmp_path: Path, fake: FakeService
) -> None:
    wrong = LABEL.replace(CODE, CODE[:-1] + ("3" if CODE[-1] == "2" else "2"))
    screens = run(
        tmp_path,
        fake,
        f"{wrong}\n",
        CustodyMode("dispatch"),
        own_hosts=frozenset({"cyl.example.cn"}),
    )
    assert screens[-1].tone is Tone.REFUSE
    assert screens[-1].lines[0].zh.startswith("标签无效")
    assert fake.posted == []


def test_a_rejected_token_stops_the_run(tmp_path: Path, fake: FakeService) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"code": "UNAUTHENTICATED", "detail": "unknown token"})

    with pytest.raises(TokenRejected):
        run_mode(
            StationOptions(
                "http://service.test", "cyl_bad-token", tmp_path, source="-", sound=False
            ),
            CustodyMode("dispatch"),
            Wiring(
                transport=httpx.MockTransport(handler),
                view=RecordingView(),
                stdin=io.StringIO(f"{LABEL}\n{LABEL}\n"),
            ),
        )
    with EventQueue(outbox_path(tmp_path)) as queue:
        assert [e.state for e in queue.events()] == [State.PENDING]  # kept for a good token


def test_counts_a_code_once_while_it_stays_in_view(tmp_path: Path, fake: FakeService) -> None:
    screens = run(tmp_path, fake, f"{LABEL}\n{LABEL}\n{LABEL}\n", CustodyMode("return"))
    assert titles(screens) == ["已回收"]
    assert len(posted(fake, "/deliveries")) == 1
