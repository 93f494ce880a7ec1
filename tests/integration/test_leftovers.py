"""Tests leave no database behind on the server, also when they fail: the CI's server is
shared by every run, for years."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests import database

# The tests that make databases of their own, besides the run's.
MAKING_DATABASES = ["tests/integration/test_migrations.py"]


def test_a_run_leaves_no_database_behind(server_url: str) -> None:
    """A run of its own (a process, as CI runs it) on this run's server."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *MAKING_DATABASES]
    env = {**os.environ, "TEST_DATABASE_URL": server_url}
    with subprocess.Popen(
        command, cwd=database.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    ) as run:
        output, _ = run.communicate(timeout=300)
    assert run.returncode == 0, output.decode(errors="replace")[-3000:]
    assert database.left_by(server_url, run.pid) == []


def test_a_temporary_database_is_dropped_when_the_test_fails(server_url: str) -> None:
    name = f"cylinders_probe_{os.getpid()}"
    seen: list[str] = []

    def failing_test() -> None:
        with database.temporary_database(server_url, "probe"):
            seen.extend(database.databases(server_url))
            raise RuntimeError("the test failed")

    with pytest.raises(RuntimeError, match="the test failed"):
        failing_test()
    assert name in seen
    assert name not in database.databases(server_url)
