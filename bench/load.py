"""The service against its baseline, in one run, with the same load generator (wrk) and the
same server settings; prints one table of throughput, p50/p99 and ratios.

    .venv/bin/python bench/citygen.py            # once: 1M cylinders, 10M events
    .venv/bin/python bench/load.py [--duration 15] [--connections 32] [--workers 1]

The baseline (``bench/baseline_app.py``) is a bare FastAPI endpoint doing one indexed SELECT on
the same cylinder table. Targets (quality.md): fill-check throughput ≥ 60 % of baseline and
p99 ≤ 3 ×; fill throughput ≥ 40 %; history p99 ≤ 2 ×; bulk registration ≥ 10,000 cylinders/s,
reported against PostgreSQL COPY of the same rows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg

from service.domain.codes import label_tag
from service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
WRK_DIR = ROOT / "bench" / "wrk"
DATA = ROOT / ".data"


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(app: str, port: int, env: dict[str, str], workers: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "uvicorn", "--factory", app, "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/docs", timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{app} did not start")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(url: str, script: str, env: dict[str, str], duration: int, connections: int) -> Result:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "-s",
        str(WRK_DIR / script),
        url,
    ]
    output = subprocess.run(
        command,
        env={**os.environ, **env, "WRK_DIR": str(WRK_DIR)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return Result(rps, p50, p99, int(errors.group(1)) if errors else 0)


async def pick(url: str, world: dict[str, Any], keys: dict[int, bytes]) -> dict[str, Any]:
    """Scans for one filler of company 0: mostly its own cylinders, one in ten another
    company's (refused, and recorded); and the code of the cylinder with 1,000 events."""
    conn = await asyncpg.connect(url)
    try:
        company = uuid.UUID(world["companies"][0])
        own = [
            r["code"]
            for r in await conn.fetch(
                "SELECT code FROM cylinder WHERE owner_id = $1 AND id > 100 ORDER BY random() LIMIT 3000",
                company,
            )
        ]
        other = [
            r["code"]
            for r in await conn.fetch(
                "SELECT code FROM cylinder WHERE owner_id <> $1 ORDER BY random() LIMIT 300",
                company,
            )
        ]
        hot = await conn.fetchval("SELECT code FROM cylinder WHERE id = 1")
        station = await conn.fetchval(
            "SELECT id FROM organization WHERE company_id = $1 AND kind = 'station' ORDER BY name LIMIT 1",
            company,
        )
    finally:
        await conn.close()
    version = max(keys)

    def payload(code: str) -> str:
        return f"HTTP://127.0.0.1/C/{code}/{label_tag(keys[version], code, version)}"

    return {
        "fill_checks": [payload(c) for c in own[:2700]] + [payload(c) for c in other],
        "fills": [payload(c) for c in own],
        "other_scans": [payload(c) for c in other],
        "hot": hot,
        "token": world["tokens"][f"filler:{station}"],
    }


def write_lines(path: Path, lines: list[str]) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _rows(count: int, owner: str, tag: str) -> list[dict[str, Any]]:
    return [
        {"serial_no": f"BULK{tag}{i:08d}", "manufacturer": "浙江金盾压力容器有限公司", "manufactured_on": "2024-03-01",
         "model": "YSP35.5", "owner_id": owner, "batch": "202403", "next_inspection_due": "2028-03-01"}
        for i in range(count)
    ]  # fmt: skip


def bulk_service(
    port: int, token: str, owner: str, batches: int, size: int, clients: int = 1
) -> float:
    """Cylinders per second through ``POST /cylinders/batch``: ``clients`` senders, each sending
    its share of the batches one after another (bodies built before the clock starts)."""
    tag = uuid.uuid4().hex[:6].upper()
    bodies = [
        json.dumps({"items": _rows(size, owner, f"{tag}{b:03d}")}).encode() for b in range(batches)
    ]

    def send(share: list[bytes]) -> None:
        for body in share:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/cylinders/batch", data=body, method="POST",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )  # fmt: skip
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                if response.status != 201:
                    raise RuntimeError(f"batch refused: {response.status}")

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, [bodies[i::clients] for i in range(clients)]))
    return batches * size / (time.perf_counter() - started)


class _RolledBack(Exception):
    pass


async def bulk_copy(url: str, owner: str, count: int) -> float:
    """Rows per second for PostgreSQL COPY of the same rows into the same cylinder table (its
    indexes as full as the service's), in a transaction rolled back afterwards: the rows,
    nothing else (no events, no aliases, no checks)."""
    from service.domain.codes import new_code

    records = [
        (new_code(), f"COPY{i:08d}", f"COPY{i:08d}", "浙江金盾压力容器有限公司", "浙江金盾压力容器有限公司",
         date(2024, 3, 1), "YSP35.5", "202403", uuid.UUID(owner), 8, 4, date(2028, 3, 1), date(2032, 3, 1))
        for i in range(count)
    ]  # fmt: skip
    columns = ("code", "serial_no", "serial_key", "manufacturer", "manufacturer_key", "manufactured_on", "model",
               "batch", "owner_id", "design_life_years", "max_extension_years", "next_inspection_due", "scrap_on")  # fmt: skip
    conn = await asyncpg.connect(url)
    try:
        started = time.perf_counter()
        try:
            async with conn.transaction():
                await conn.copy_records_to_table("cylinder", records=records, columns=columns)
                elapsed = time.perf_counter() - started
                raise _RolledBack
        except _RolledBack:
            pass
        return count / elapsed
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--bulk-batches", type=int, default=10)
    parser.add_argument("--bulk-clients", type=int, default=2, help="batches sent at once")
    args = parser.parse_args()
    from service.db.embedded import start_embedded

    url = args.url or start_embedded(DATA / "bench", "bench", keep_running=True)
    world = json.loads((DATA / "bench-world.json").read_text(encoding="utf-8"))
    data_dir = DATA / "bench-service"
    keys = Settings(data_dir=data_dir).label_keys()
    picked = asyncio.run(pick(url, world, keys))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CYLINDERS_DATA_DIR": str(data_dir),
        "CYLINDERS_PUBLIC_URL": "http://127.0.0.1",
    }
    ports = {"service": free_port(), "baseline": free_port()}
    apps = {"service": "service.app:create_app", "baseline": "bench.baseline_app:create_app"}
    load_env = {
        "SCANS": write_lines(DATA / "bench-scans.txt", picked["fill_checks"]),
        "TOKEN": picked["token"],
        "CODE": picked["hot"],
        "FILLED_AT": datetime.now(UTC).isoformat(),
    }
    fill_env = {**load_env, "SCANS": write_lines(DATA / "bench-fill-scans.txt", picked["fills"])}
    scenarios = [("POST /fill-checks", "fill_checks.lua", load_env), ("POST /fills", "fills.lua", fill_env),
                 ("GET /cylinders/{code}/events (1,000 events)", "events.lua", load_env)]  # fmt: skip
    results: dict[str, dict[str, Result]] = {}
    for name, app in apps.items():
        process = serve(app, ports[name], env, args.workers)
        try:
            base = f"http://127.0.0.1:{ports[name]}"
            for label, script, extra in scenarios:
                wrk(base, script, extra, 3, args.connections)  # warm-up
                results.setdefault(label, {})[name] = wrk(
                    base, script, extra, args.duration, args.connections
                )
            if name == "service":
                bulk = bulk_service(
                    ports[name],
                    world["tokens"]["admin"],
                    world["companies"][1],
                    args.bulk_batches,
                    5000,
                    args.bulk_clients,
                )
        finally:
            process.terminate()
            process.wait(timeout=30)
    copy_rate = asyncio.run(bulk_copy(url, world["companies"][1], args.bulk_batches * 5000))
    report(results, bulk, copy_rate, args)


def report(
    results: dict[str, dict[str, Result]], bulk: float, copy_rate: float, args: argparse.Namespace
) -> None:
    print(
        f"`bench/load.py --duration {args.duration} --connections {args.connections} --workers {args.workers} --bulk-clients {args.bulk_clients}`"
        f" on {os.cpu_count()} cores, {datetime.now(UTC):%Y-%m-%d}\n"
    )
    print(
        "| what | service req/s | baseline req/s | ratio | service p50 / p99 ms | baseline p50 / p99 ms | p99 ratio | errors |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, pair in results.items():
        s, b = pair["service"], pair["baseline"]
        print(
            f"| {label} | {s.rps:,.0f} | {b.rps:,.0f} | {s.rps / b.rps:.0%} | {s.p50_ms:.1f} / {s.p99_ms:.1f} | "
            f"{b.p50_ms:.1f} / {b.p99_ms:.1f} | {s.p99_ms / b.p99_ms:.1f}× | {s.errors} |"
        )
    print(
        f"| bulk registration (`/cylinders/batch`, 5,000 per request, {args.bulk_clients} at once) | {bulk:,.0f} cylinders/s "
        f"| COPY {copy_rate:,.0f} rows/s "
        f"| {bulk / copy_rate:.0%} | | | | |"
    )


if __name__ == "__main__":
    main()
