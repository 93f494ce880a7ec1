"""Every operation of the OpenAPI document fuzzed by schemathesis against a running service on
the test database (quality.md, Reliability): zero 5xx and every response as the document says,
for each kind of caller. Positive and negative inputs, a fixed seed, so a failure reproduces."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest

from service.use_cases.context import Context
from tests.factories import register_one
from tests.servers import ServiceProcess
from tests.world import ADMIN_TOKEN, World

EXAMPLES_PER_OPERATION = 12
CALLERS = ["admin", "company_admin_a", "filler_a1", "regulator", "anonymous"]


def fuzz(url: str, token: str | None, folder: Path) -> subprocess.CompletedProcess[str]:
    """schemathesis run from ``folder``: its cache of failures (``.schemathesis/``) stays out of
    the checkout, and no run replays another's."""
    schemathesis = str(Path(sys.executable).with_name("schemathesis"))
    command = [schemathesis, "run", f"{url}/openapi.json", "--seed", "20261129"]
    command += ["--max-examples", str(EXAMPLES_PER_OPERATION), "--workers", "2"]
    command += ["--phases", "examples,coverage,fuzzing"]
    command += ["--checks", "not_a_server_error,response_schema_conformance"]
    if token is not None:
        command += ["--header", f"Authorization: Bearer {token}"]
    return subprocess.run(
        command, cwd=folder, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.mark.parametrize("caller", CALLERS)
async def test_fuzzing_every_operation_finds_no_server_error_and_no_schema_violation(
    ctx: Context, world: World, service: ServiceProcess, caller: str, tmp_path: Path
) -> None:
    for company in ("company_a", "company_b"):
        await register_one(ctx, world, company)
    service.env["CYLINDERS_ADMIN_TOKEN"] = ADMIN_TOKEN
    service.start()
    token = {"anonymous": None, "admin": ADMIN_TOKEN}.get(caller, world.tokens.get(caller))
    result = await asyncio.to_thread(fuzz, service.url, token, tmp_path)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-6000:]
    counted = re.search(r"(\d+) generated, (\d+) passed", report)
    assert counted is not None, report[-3000:]
    generated, passed = int(counted.group(1)), int(counted.group(2))
    print(f"fuzzing as {caller}: {generated} generated, {passed} passed")  # noqa: T201
    assert generated == passed
    assert generated >= 500  # it really ran: every operation, many cases each
