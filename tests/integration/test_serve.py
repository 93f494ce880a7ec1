"""``cylinders serve --demo`` on the embedded PostgreSQL: a fresh machine's first start within
10 s, a warm start within 3 s, the demo county loaded once (quality.md, "Set-up"); and the
PostgreSQL it started stopped with it."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.servers import ServiceProcess

COLD_LIMIT_S = 10.0
WARM_LIMIT_S = 3.0


def count_cylinders(url: str, token: str) -> int:
    seen, cursor = 0, ""
    while True:
        page = httpx.get(
            f"{url}/api/v1/cylinders?limit=500{cursor}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        ).json()
        seen += len(page["items"])
        if page["next_cursor"] is None:
            return seen
        cursor = f"&cursor={page['next_cursor']}"


def test_cold_and_warm_start_with_the_demo_county(tmp_path: Path) -> None:
    demo = ServiceProcess.serve(tmp_path, "--demo")
    try:
        cold = demo.start()
        tokens = json.loads((tmp_path / "demo-tokens.json").read_text(encoding="utf-8"))
        assert {"admin", "regulator", "filler_1a", "company_admin_1", "inspector"} <= set(tokens)
        first = count_cylinders(demo.url, tokens["regulator"])
        assert 900 <= first <= 1100
        demo.stop(signal.SIGINT)
        warm = demo.start()
        assert count_cylinders(demo.url, tokens["regulator"]) == first  # loaded once, not twice
    finally:
        demo.stop(signal.SIGINT)
    print(f"cold start {cold:.2f} s, warm start {warm:.2f} s")  # noqa: T201
    assert cold <= COLD_LIMIT_S
    assert warm <= WARM_LIMIT_S


def postgres_processes(data_dir: Path) -> list[int]:
    """Processes whose command line names a database folder under ``data_dir``."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:  # not a process, or gone meanwhile
            continue
        if str(data_dir).encode() in cmdline and b"postgres" in cmdline:
            found.append(int(proc.name))
    return found


@pytest.mark.parametrize(
    ("earlier_crash", "stop_signal"),
    [(False, signal.SIGINT), (False, signal.SIGTERM), (True, signal.SIGINT)],
    ids=["ctrl-c", "sigterm", "ctrl-c-after-a-kill-9"],
)
def test_stopping_serve_stops_its_embedded_postgres(
    tmp_path: Path, earlier_crash: bool, stop_signal: int
) -> None:
    """Ctrl-C or ``kill`` ends ``cylinders serve`` and the PostgreSQL it started: a new user
    finds no stray ``postgres`` after the demo. Also when an earlier ``serve`` on the same
    folder was killed outright and left its server running: the next one takes it over."""
    pid_file = tmp_path / "pgdata" / "postmaster.pid"
    serve = ServiceProcess.serve(tmp_path)
    try:
        serve.start()
        if earlier_crash:
            serve.kill()
            serve.start()
        postmaster = int(pid_file.read_text().split()[0])
        assert postgres_processes(tmp_path) == [postmaster]
        status = serve.stop(stop_signal)
        assert status is not None
        assert status >= 0, status  # it exited, not killed by a signal
        deadline = time.monotonic() + 10
        while postgres_processes(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert postgres_processes(tmp_path) == []
        assert not pid_file.exists()
    finally:
        serve.kill()
        for stray in postgres_processes(tmp_path):  # never leave one behind, even on failure
            os.kill(stray, signal.SIGINT)
