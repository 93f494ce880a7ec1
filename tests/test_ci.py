"""``.ci/run``: the README's test command verbatim, then the same suite against the CI's
PostgreSQL, which must fail the run when that server does not answer (a missing database
must never pass as green), unless a developer without it opts out in so many words.

The second run's logic lives in ``scripts/pytest_on_postgres.py``; these tests run that script
with a dead server, with the opt-out, and with a live server and a tiny pytest selection, so
the suite is never run twice."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "pytest_on_postgres.py"
NOBODY_LISTENS = "postgresql://postgres@127.0.0.1:9/test"  # the discard port: refused at once
OPT_OUT = "CYLINDERS_SKIP_EXTERNAL_PG"


def run_script(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in (OPT_OUT, "TEST_DATABASE_URL")}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_unreachable_server_fails_the_run_and_says_how_to_skip() -> None:
    done = run_script(NOBODY_LISTENS)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "127.0.0.1:9" in done.stderr
    assert f"{OPT_OUT}=1" in done.stderr


def test_the_opt_out_skips_with_a_clear_line_and_runs_nothing() -> None:
    # An option pytest refuses: had pytest run, the exit status would be 4.
    done = run_script(NOBODY_LISTENS, "--no-such-pytest-option", **{OPT_OUT: "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(rf"skipping.*127\.0\.0\.1:9.*{OPT_OUT}=1", done.stdout), done.stdout


def test_the_opt_out_does_not_skip_a_server_that_answers(superuser_dsn: str) -> None:
    selection = ["--collect-only", "-q", "-p", "no:cacheprovider", "tests/test_ci.py"]
    done = run_script(superuser_dsn, *selection, **{OPT_OUT: "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 tests collected" in done.stdout


def test_ci_runs_the_readme_command_first_then_the_external_run() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, flags=re.S)
    readme_commands = [line for line in blocks[0].splitlines() if line and line[0] != "#"]
    ci = [
        line
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith(("#", "set ", "cd ", "CI_DATABASE_URL="))
    ]
    assert ci[0] == readme_commands[1]
    assert ci[1].startswith(".venv/bin/python scripts/pytest_on_postgres.py ")
    assert len(ci) == 2
