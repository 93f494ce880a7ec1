"""``cylinders labels``: the real command, in its own process, on the test database."""

from __future__ import annotations

import asyncio
import os
import sys
from asyncio.subprocess import PIPE, STDOUT
from pathlib import Path

from service.domain.codes import format_code
from service.use_cases.context import Context
from tests.factories import register_many
from tests.labels.raster import decode_qr, rasterise
from tests.world import World


async def cylinders(tmp_path: Path, database: str, *args: str) -> tuple[int, str]:
    # Its own data directory: the command makes label keys there on first use.
    env = {**os.environ, "DATABASE_URL": database, "CYLINDERS_DATA_DIR": str(tmp_path / "data")}
    done = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service", *args, env=env, stdout=PIPE, stderr=STDOUT
    )
    out, _ = await done.communicate()
    assert done.returncode is not None
    return done.returncode, out.decode()


async def test_unprinted_prints_once_then_finds_nothing(
    ctx: Context, world: World, tmp_path: Path, clean_db: str
) -> None:
    codes = await register_many(ctx, world, 5)
    pdf = tmp_path / "sheet.pdf"
    args = ("labels", "--owner", "甲燃气有限公司", "--unprinted", "--out", str(pdf))
    status, out = await cylinders(tmp_path, clean_db, *args)
    assert status == 0, out
    assert "5 labels on 1 pages" in out
    (page,) = rasterise(pdf.read_bytes(), tmp_path)
    read = decode_qr(page)
    assert sorted(text.rsplit("/", 2)[1] for text in read) == sorted(codes)

    pdf.unlink()
    status, out = await cylinders(tmp_path, clean_db, *args)
    assert status == 1
    assert "no labels to print" in out
    assert not pdf.exists()
    assert not (tmp_path / "sheet.pdf.part").exists()


async def test_a_codes_file_prints_those_codes(
    ctx: Context, world: World, tmp_path: Path, clean_db: str
) -> None:
    codes = await register_many(ctx, world, 3)
    listing = tmp_path / "codes.csv"
    listing.write_text(f"# 补打 / reprints\n{format_code(codes[1])},坏了\n{codes[0]}\n", "utf-8")
    owner = str(world.orgs["company_a"])
    pdf = tmp_path / "reprint.pdf"
    status, out = await cylinders(
        tmp_path, clean_db, "labels", "--owner", owner, "--codes", str(listing), "--out", str(pdf)
    )
    assert status == 0, out
    assert "2 labels" in out
    (page,) = rasterise(pdf.read_bytes(), tmp_path)
    assert {text.rsplit("/", 2)[1] for text in decode_qr(page)} == {codes[0], codes[1]}


async def test_codes_and_unprinted_together_are_refused(tmp_path: Path, clean_db: str) -> None:
    listing = tmp_path / "codes.txt"
    listing.write_text("7KQM4XR92TB\n", "utf-8")
    choice = ["--codes", str(listing), "--unprinted"]
    options = ["--owner", "x", *choice, "--out", str(tmp_path / "x.pdf")]
    status, out = await cylinders(tmp_path, clean_db, "labels", *options)
    assert status == 2
    assert "--unprinted" in out
