"""Benchmark: import a 100,000-row ledger (CSV and XLSX) with ``cylinders import``'s code path.

    .venv/bin/python bench/import_ledger.py [--rows 100000]

Uses a throw-away embedded PostgreSQL (or ``BENCH_DATABASE_URL``) and a seeded ledger, runs
the real command (``python -m service import``) and prints one table: rows, wall seconds
(start-up, reading, checking, writing in one transaction), rows per second.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import openpyxl

from service.app import build_context
from service.db import migrate
from service.db.embedded import start_embedded
from service.domain.access import OrgKind
from service.settings import Settings
from service.use_cases import organizations, users

HEADER = [
    "出厂编号",
    "制造单位",
    "制造日期",
    "型号",
    "上次检验日期",
    "下次检验日期",
    "产权单位",
    "制造批号",
]
MAKERS = ["浙江金盾压力容器有限公司", "宁波明峰钢瓶制造有限公司", "江苏华安气瓶有限公司"]
OWNER = "基准燃气有限公司"


def ledger_rows(n: int, seed: int = 7) -> list[list[object]]:
    rng = random.Random(seed)
    today = date(2026, 11, 1)
    rows: list[list[object]] = []
    for i in range(n):
        made = (today - timedelta(days=rng.randrange(60, 365 * 7))).replace(day=1)
        last = made.replace(year=made.year + 4) if (today - made).days > 365 * 4 else None
        due = (last or made).replace(year=(last or made).year + 4)
        rows.append(
            [
                f"BM{i:08d}",
                rng.choice(MAKERS),
                made.isoformat(),
                "YSP35.5",
                last.isoformat() if last else "",
                due.isoformat(),
                OWNER,
                f"{made:%Y%m}",
            ]
        )
    return rows


def write_csv(path: Path, rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)


async def reset(url: str) -> None:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(
            "TRUNCATE event, cylinder_alias, cylinder, app_user, organization RESTART IDENTITY CASCADE"
        )
    finally:
        await conn.close()


async def prepare(url: str, folder: Path) -> None:
    """An empty registry with the owning company."""
    await reset(url)
    ctx = build_context(Settings(database_url=url, data_dir=folder))
    try:
        actor = await users.cli_actor(ctx)
        await organizations.create_org(
            ctx, actor, organizations.OrgInput(OWNER, OrgKind.COMPANY, region_code="330101")
        )
    finally:
        await ctx.engine.dispose()


def run_one(url: str, path: Path) -> float:
    """Wall time of the real command, as a clerk would run it."""
    asyncio.run(prepare(url, path.parent))
    env = {**os.environ, "DATABASE_URL": url, "CYLINDERS_DATA_DIR": str(path.parent)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "service", "import", str(path), "--owner", OWNER],
        env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cyl-bench-") as tmp:
        folder = Path(tmp)
        url = os.environ.get("BENCH_DATABASE_URL") or start_embedded(folder / "db", "bench")
        migrate.upgrade(url)
        rows = ledger_rows(args.rows)
        files = {"CSV": folder / "ledger.csv", "XLSX": folder / "ledger.xlsx"}
        write_csv(files["CSV"], rows)
        write_xlsx(files["XLSX"], rows)
        print("| ledger | rows | seconds | rows/s |\n|---|---|---|---|")
        for kind, path in files.items():
            seconds = run_one(url, path)
            print(f"| {kind} | {args.rows:,} | {seconds:.1f} | {args.rows / seconds:,.0f} |")


if __name__ == "__main__":
    main()
