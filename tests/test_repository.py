"""The repository holds sources, never what tools and test runs leave behind: caches, the
embedded databases, virtualenvs. Each such folder is ignored, and none is committed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Folders that runs leave in the checkout, with a file each may hold.
LEFT_BY_RUNS = {
    ".schemathesis": "default/cache/crashes/manifest.json",  # the fuzz test (schemathesis)
    ".data": "test-pg/pgdata/PG_VERSION",  # the tests' embedded PostgreSQL
    ".venv": "pyvenv.cfg",
    ".pytest_cache": "README.md",
    ".mypy_cache": "CACHEDIR.TAG",
    ".ruff_cache": "CACHEDIR.TAG",
    "service/__pycache__": "app.cpython-311.pyc",
}


def git(*args: str) -> str:
    program = shutil.which("git")
    if program is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (an unpacked release): nothing is committed here")
    done = subprocess.run(
        [program, *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode in (0, 1), done.stderr  # 1: git found nothing
    return done.stdout


def test_what_runs_leave_behind_is_ignored() -> None:
    samples = [f"{folder}/{file}" for folder, file in LEFT_BY_RUNS.items()]
    assert sorted(git("check-ignore", "--no-index", *samples).split()) == sorted(samples)


def test_nothing_a_run_leaves_behind_is_committed() -> None:
    def left_by_a_run(path: str) -> bool:
        parts = path.split("/")
        return parts[0] in LEFT_BY_RUNS or "__pycache__" in parts

    assert [path for path in git("ls-files").splitlines() if left_by_a_run(path)] == []
