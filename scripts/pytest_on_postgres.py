"""The test suite against an external PostgreSQL (the CI's second run): pytest with
``TEST_DATABASE_URL=URL``, once the server has answered.

    .venv/bin/python scripts/pytest_on_postgres.py URL [PYTEST ARGUMENTS...]

A server that does not answer fails the run (exit 1): on CI a missing database must never
pass as green. A developer without that server sets ``CYLINDERS_SKIP_EXTERNAL_PG=1`` to skip
the run, with a line that says so (exit 0); a server that answers is always used.
"""

from __future__ import annotations

import asyncio
import os
import sys

import asyncpg

OPT_OUT = "CYLINDERS_SKIP_EXTERNAL_PG"
CONNECT_TIMEOUT_S = 5


async def server_version(url: str) -> str:
    conn = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT_S)
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def main(url: str, pytest_args: list[str]) -> int:
    try:
        version = asyncio.run(server_version(url))
    except (
        OSError,
        TimeoutError,
        ValueError,
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
    ) as exc:
        problem = f"no PostgreSQL answers at {url} ({type(exc).__name__}: {exc})"
        if os.environ.get(OPT_OUT) == "1":
            sys.stdout.write(
                f"skipping the run against an external PostgreSQL: {problem}; {OPT_OUT}=1\n"
            )
            return 0
        sys.stderr.write(
            f"{problem}.\nThe suite must also run against this server. On a machine without "
            f"it, skip this run with {OPT_OUT}=1.\n"
        )
        return 1
    sys.stdout.write(f"the suite against PostgreSQL {version} at {url}\n")
    sys.stdout.flush()
    env = {**os.environ, "TEST_DATABASE_URL": url}
    os.execve(sys.executable, [sys.executable, "-m", "pytest", *pytest_args], env)  # noqa: S606


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
