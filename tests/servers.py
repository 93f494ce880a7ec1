"""The service, really served, for the tests that talk to it over a socket.

``LiveServer``: the app on the test's own context (its database and fake clock), served by
uvicorn as a task on the test's event loop (not a thread: the test's engine and asyncpg pool
belong to that loop). A test must never block that loop while something talks to the server.

``ServiceProcess``: the service as a process of its own, for tests that kill it, restart it,
signal it, run two at once, or point an outside tool at it; on the real clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from service.use_cases.context import Context
from tests.context import LABEL_KEYS, PUBLIC_URL, app_on

READY_WITHIN_S = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """The app on ``ctx``, served on one localhost port that stays the same across a ``stop``
    and a ``start`` (as a station's link goes down and comes back). ``wrap`` puts an ASGI
    layer of the test's in front of the app."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self._sock: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, wrap: Callable[[Any], Any] | None = None) -> None:
        app = app_on(self.ctx)
        # Bound here and handed to uvicorn: no race for the port.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            wrap(app) if wrap else app,
            lifespan="on",
            ws="none",
            log_level="warning",
            access_log=False,
        )
        server = uvicorn.Server(config)
        self._server, self._sock = server, sock
        self._task = asyncio.create_task(server.serve(sockets=[sock]))
        async with asyncio.timeout(10):
            while not server.started:
                if self._task.done():
                    self._task.result()  # the server failed to start: raise its error here
                await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is None or self._task is None or self._sock is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._task, 10)
        self._sock.close()
        self._server = self._task = self._sock = None


class ServiceProcess:
    """One service process; ``start`` it again after ``kill`` or ``stop``. Its output goes to
    a log file in ``folder``, shown when it fails to start."""

    def __init__(self, folder: Path, env: dict[str, str], command: Callable[[int], list[str]]):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.env, self.command = folder, env, command
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0

    @classmethod
    def on_database(cls, database_url: str, folder: Path) -> ServiceProcess:
        """uvicorn serving the app on ``database_url``, with the tests' label keys."""
        folder.mkdir(parents=True, exist_ok=True)
        keys = {str(version): key.hex() for version, key in LABEL_KEYS.items()}
        (folder / "label-keys.json").write_text(json.dumps(keys), encoding="utf-8")
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CYLINDERS_DATA_DIR": str(folder),
            "CYLINDERS_PUBLIC_URL": PUBLIC_URL,
        }

        factory = [sys.executable, "-m", "uvicorn", "--factory", "service.app:create_app"]

        def uvicorn_on(port: int) -> list[str]:
            return [*factory, "--port", str(port), "--log-level", "warning"]

        return cls(folder, env, uvicorn_on)

    @classmethod
    def serve(cls, data_dir: Path, *options: str) -> ServiceProcess:
        """``cylinders serve OPTIONS`` as a new user runs it: no database URL, so on the
        embedded PostgreSQL in ``data_dir``."""
        env = {
            k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")
        }
        env["CYLINDERS_DATA_DIR"] = str(data_dir)

        def serve_on(port: int) -> list[str]:
            return [sys.executable, "-m", "service", "serve", "--port", str(port), *options]

        return cls(data_dir, env, serve_on)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        """Start and wait until ``/readyz`` answers 200; the seconds that took."""
        self.port, log = free_port(), self.folder / f"service-{self.starts}.log"
        self.starts += 1
        started = time.perf_counter()
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                self.command(self.port), env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        while time.perf_counter() - started < READY_WITHIN_S:
            if self.process.poll() is not None:
                raise AssertionError(log.read_text(encoding="utf-8", errors="replace"))
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return time.perf_counter() - started
            time.sleep(0.05)
        self.kill()
        raise AssertionError(f"not ready within {READY_WITHIN_S} s")

    def kill(self) -> None:
        """``kill -9``: nothing runs on the way out."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=15)

    def stop(self, how: int = signal.SIGTERM) -> int | None:
        """Send ``how`` and wait for the exit (killed after 15 s); the exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(how)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode
