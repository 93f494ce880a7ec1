"""``cylinder-scan`` run as a user runs it: ``python -m scanner`` in a subprocess, awaited with
asyncio so that the service served on the test's event loop keeps answering."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str


def command_line(command: str, *flags: str, **values: object) -> list[str]:
    """``command``, then ``--name value`` for each keyword (``data_dir`` is ``--data-dir``), then
    the bare ``flags``."""
    options = [[f"--{name.replace('_', '-')}", str(value)] for name, value in values.items()]
    return [command, *(part for option in options for part in option), *flags]


def scanner_env(**extra: str) -> dict[str, str]:
    """The environment of a ``cylinder-scan`` subprocess: no display (the terminal view) unless
    ``extra`` sets one, no token from the developer's shell."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("CYLINDERS_TOKEN", None)
    env["COLUMNS"] = "100"
    return {**env, **extra}


async def start_scanner(
    *args: str, stdin: bool = False, env: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "scanner",
        *args,
        cwd=ROOT,
        env=env or scanner_env(),
        stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def run_scanner(
    *args: str, stdin: str | None = None, timeout_s: float = 60, env: dict[str, str] | None = None
) -> Done:
    """``python -m scanner ARGS`` awaited without blocking the event loop (the server's)."""
    process = await start_scanner(*args, stdin=stdin is not None, env=env)
    async with asyncio.timeout(timeout_s):
        out, err = await process.communicate(stdin.encode() if stdin is not None else None)
    return Done(process.returncode or 0, out.decode(), err.decode())
