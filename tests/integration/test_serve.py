"""``cylinders serve --demo`` on the embedded PostgreSQL: a fresh machine's first start within
10 s, a warm start within 3 s, the demo county loaded once (quality.md, "Set-up")."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

COLD_LIMIT_S = 10.0
WARM_LIMIT_S = 3.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(data_dir: Path, port: int, *, demo: bool = True) -> tuple[subprocess.Popen[bytes], float]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env["CYLINDERS_DATA_DIR"] = str(data_dir)
    log = data_dir / f"serve-{port}-{time.monotonic_ns()}.log"
    started = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(port)] + (["--demo"] if demo else []),
            env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = started + 30
    while time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as response:
                if response.status == 200:
                    return process, time.perf_counter() - started
        except OSError:
            if process.poll() is not None:
                raise AssertionError(log.read_text(encoding="utf-8", errors="replace")) from None
            time.sleep(0.05)
    process.kill()
    raise AssertionError("not ready within 30 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def count_cylinders(port: int, token: str) -> int:
    seen, cursor = 0, ""
    while True:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/cylinders?limit=500{cursor}",
            headers={"Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            page = json.loads(response.read())
        seen += len(page["items"])
        if page["next_cursor"] is None:
            return seen
        cursor = f"&cursor={page['next_cursor']}"


def test_cold_and_warm_start_with_the_demo_county(tmp_path: Path) -> None:
    port = free_port()
    process, cold = start(tmp_path, port)
    try:
        tokens = json.loads((tmp_path / "demo-tokens.json").read_text(encoding="utf-8"))
        assert {"admin", "regulator", "filler_1a", "company_admin_1", "inspector"} <= set(tokens)
        first = count_cylinders(port, tokens["regulator"])
        assert 900 <= first <= 1100
    finally:
        stop(process)
    process, warm = start(tmp_path, port)
    try:
        assert count_cylinders(port, tokens["regulator"]) == first  # loaded once, not twice
    finally:
        stop(process)
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
    process, _ = start(tmp_path, free_port(), demo=False)
    try:
        if earlier_crash:
            process.kill()
            process.wait(timeout=15)
            process, _ = start(tmp_path, free_port(), demo=False)
        postmaster = int(pid_file.read_text().split()[0])
        assert postgres_processes(tmp_path) == [postmaster]
        process.send_signal(stop_signal)
        assert process.wait(timeout=30) is not None
        deadline = time.monotonic() + 10
        while postgres_processes(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert postgres_processes(tmp_path) == []
        assert not pid_file.exists()
    finally:
        process.kill()
        for stray in postgres_processes(tmp_path):  # never leave one behind, even on failure
            os.kill(stray, signal.SIGINT)
