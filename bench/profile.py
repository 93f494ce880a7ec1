"""Where a request's time goes: the service under wrk load, sampled by py-spy, summed by layer.

    .venv/bin/python bench/profile.py [--scenario fill-checks|fills|events|bulk] [--duration 20]

Runs the service (one worker) on the city database of ``bench/citygen.py``, drives one scenario
of ``bench/load.py`` with wrk (``bulk``: batches of 5,000 cylinders, one after another), and samples the worker with ``py-spy record`` (100 Hz, the idle
event loop excluded). Each sample is charged to the layer of its innermost frame (the code that
was running: our service, FastAPI/Starlette, pydantic, uvicorn, asyncpg, the event loop...),
and a few functions are also shown inclusively (everything below them). The collapsed stacks
are kept in ``.data/profile-<scenario>.txt`` for a flame graph (``flamegraph.pl`` or
speedscope.app).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import DATA, bulk_service, free_port, pick, serve, write_lines, wrk
from service.settings import Settings

# Innermost-frame layers, by where the running code lives; the first match wins.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("our service (service/)", ("(service/", "/service/")),
    ("asyncpg (driver)", ("asyncpg/",)),
    ("SQLAlchemy", ("sqlalchemy/",)),
    ("pydantic (validation)", ("pydantic",)),
    ("FastAPI (routing, dependencies)", ("fastapi/",)),
    ("Starlette (requests, responses)", ("starlette/",)),
    ("uvicorn (HTTP protocol)", ("uvicorn/", "httptools", "h11/")),
    ("asyncio event loop (uvloop, C)", ("asyncio/", "uvloop")),
    ("JSON, uuid, hashing", ("json/", "orjson", "uuid.py", "hashlib", "hmac.py")),
]
# Shown inclusively: samples with this function anywhere in the stack.
INCLUSIVE = [
    ("route handler (after validation and dependencies)", ("create_fill_check", "create_fill", "list_cylinder_events")),
    ("authentication (get_actor)", ("get_actor",)),
    ("request body parsing and validation", ("request_body_to_args", "_validate_json", "validate_json", "solve_dependencies")),
    ("database round trips (awaiting asyncpg)", ("asyncpg/",)),
    ("the pure gate (check_fill)", ("check_fill",)),
    ("bulk: registering the rows (register_cylinders)", ("register_cylinders",)),
    ("bulk: COPY into PostgreSQL", ("copy_records_to_table",)),
]  # fmt: skip

SCENARIOS = {
    "fill-checks": "fill_checks.lua",
    "fills": "fills.lua",
    "events": "events.lua",
    "bulk": "",
}
RATE = 100


def layer_of(frame: str) -> str:
    for name, needles in LAYERS:
        if any(needle in frame for needle in needles):
            return name
    return "other (stdlib, C calls)"


def summarise(collapsed: Path) -> tuple[int, Counter[str], Counter[str]]:
    total = 0
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for line in collapsed.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        own[layer_of(frames[-1])] += count
        for name, needles in INCLUSIVE:
            if any(needle in frame for frame in frames for needle in needles):
                inclusive[name] += count
    return total, own, inclusive


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="fill-checks")
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--scans",
        choices=["all", "own", "other"],
        default="all",
        help="fill-checks: the load.py mix (all), only the company's own cylinders (allowed), "
        "or only other companies' (refused, each refusal recorded)",
    )
    args = parser.parse_args()
    from service.db.embedded import start_embedded

    url = args.url or start_embedded(DATA / "bench", "bench", keep_running=True)
    world = json.loads((DATA / "bench-world.json").read_text(encoding="utf-8"))
    data_dir = DATA / "bench-service"
    picked = asyncio.run(pick(url, world, Settings(data_dir=data_dir).label_keys()))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CYLINDERS_DATA_DIR": str(data_dir),
        "CYLINDERS_PUBLIC_URL": "http://127.0.0.1",
    }
    scans = picked["fills"] if args.scenario == "fills" else picked["fill_checks"]
    if args.scenario == "fill-checks" and args.scans != "all":
        other = set(picked["other_scans"])
        scans = [scan for scan in scans if (scan in other) == (args.scans == "other")]
    load_env = {
        "SCANS": write_lines(DATA / f"profile-{args.scenario}-scans.txt", scans),
        "TOKEN": picked["token"],
        "CODE": picked["hot"],
        "FILLED_AT": datetime.now(UTC).isoformat(),
    }
    port = free_port()
    collapsed = DATA / f"profile-{args.scenario}.txt"
    process = serve("service.app:create_app", port, env, 1)
    try:
        base = f"http://127.0.0.1:{port}"
        script = SCENARIOS[args.scenario]
        result: dict[str, object] = {}
        if script:
            wrk(base, script, load_env, 3, args.connections)  # warm-up

            def drive() -> None:
                result["r"] = wrk(base, script, load_env, args.duration + 2, args.connections)
        else:
            owner, admin = world["companies"][1], world["tokens"]["admin"]
            bulk_service(port, admin, owner, 1, 5000)  # warm-up

            def drive() -> None:
                rates, until = [], time.monotonic() + args.duration + 2
                while time.monotonic() < until:
                    rates.append(bulk_service(port, admin, owner, 1, 5000))
                result["r"] = (
                    f"{statistics.median(rates):,.0f} cylinders/s (median of {len(rates)} batches)"
                )

        load = threading.Thread(target=drive)
        load.start()
        subprocess.run(
            [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(process.pid),
             "--rate", str(RATE), "--duration", str(args.duration), "--format", "raw",
             "--output", str(collapsed), "--nonblocking"],
            check=True, capture_output=True,
        )  # fmt: skip
        load.join()
    finally:
        process.terminate()
        process.wait(timeout=30)
    total, own, inclusive = summarise(collapsed)
    busy = total / (RATE * args.duration)
    print(f"`bench/profile.py --scenario {args.scenario} --scans {args.scans} --duration {args.duration}`: "
          f"{result['r']}; the worker was busy {busy:.0%} of the time ({total:,} samples)\n")  # fmt: skip
    print("| where the worker was running (innermost frame) | share |")
    print("|---|---|")
    for name, count in own.most_common():
        print(f"| {name} | {count / total:.0%} |")
    print("\n| inclusive (the function and everything it called) | share |")
    print("|---|---|")
    for name, _ in INCLUSIVE:
        print(f"| {name} | {inclusive[name] / total:.0%} |")
    print(f"\ncollapsed stacks: {collapsed}")


if __name__ == "__main__":
    main()
