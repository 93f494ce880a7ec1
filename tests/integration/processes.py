"""A service process on the test database, for tests that need a real server: kill it,
restart it, point an outside tool at it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import LABEL_KEYS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(log.read_text(errors="replace"))
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("service not ready")


class ServiceProcess:
    """One service process on the test database; ``start`` again after ``kill``."""

    def __init__(self, database_url: str, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        keys = {str(version): key.hex() for version, key in LABEL_KEYS.items()}
        (folder / "label-keys.json").write_text(json.dumps(keys), encoding="utf-8")
        self.env = {**os.environ, "DATABASE_URL": database_url, "CYLINDERS_DATA_DIR": str(folder),
                    "CYLINDERS_PUBLIC_URL": "https://cyl.example.cn"}  # fmt: skip
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0

    def start(self) -> None:
        self.port, log = free_port(), self.folder / f"service-{self.starts}.log"
        self.starts += 1
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", "service.app:create_app",
                 "--port", str(self.port), "--log-level", "warning"],
                env=self.env, stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_ready(self.port, self.process, log)

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
