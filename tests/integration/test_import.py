"""``cylinders import``: a gas company's ledger, CSV or XLSX, Chinese or English headers."""

from __future__ import annotations

import asyncio
import csv
import os
import sys
from asyncio.subprocess import PIPE
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from service.domain.errors import BatchRejected, InvalidInput
from service.use_cases import ledger_import, users
from service.use_cases.context import Context
from tests.factories import count_rows
from tests.world import World

ZH_HEADER = [
    "序号",
    "气瓶编号",
    "出厂编号",
    "制造单位",
    "制造日期",
    "型号",
    "上次检验日期",
    "下次检验日期",
    "产权单位",
    "皮重(kg)",
]


def zh_rows(owner: str, n: int = 4) -> list[list[object]]:
    rows: list[list[object]] = [
        [
            1,
            "GS-0001",
            "ZJ19050001",
            "浙江金盾压力容器有限公司",
            "2019年5月",
            "YSP-15",
            "2023/5/10",
            "2027-05-10",
            owner,
            "15.2kg",
        ],
        [
            2,
            "GS-0002",
            "ZJ19050002",
            "浙江金盾压力容器有限公司",
            datetime(2021, 7, 1),  # noqa: DTZ001  (Excel cells carry no zone)
            "YSP35.5",
            None,
            None,
            owner,
            15.1,
        ],
        [
            3,
            "GS-0003",
            2206000123,
            "宁波明峰钢瓶制造有限公司",
            "2022.06.01",
            "YSP12",
            "",
            "",
            owner,
            "",
        ],
        [4, "", "JS23010009", "江苏华安气瓶有限公司", "20230115", "YSP118/49.5", "", "", "", None],
    ]
    return rows[:n]


def write_xlsx(
    path: Path,
    rows: list[list[object]],
    header: list[str] = ZH_HEADER,
    title: str | None = "清溪燃气 气瓶台账",
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(
    path: Path, rows: Sequence[Sequence[object]], header: list[str], encoding: str
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


async def count(dsn: str) -> int:
    return (await count_rows(dsn, "cylinder"))["cylinder"]


async def run_import(
    ctx: Context, path: Path, owner: str, skip_bad: bool = False
) -> ledger_import.ImportResult:
    actor = await users.cli_actor(ctx)
    return await ledger_import.import_ledger(ctx, actor, path, owner, skip_bad=skip_bad)


async def test_imports_a_chinese_xlsx_ledger_under_a_title_row(
    ctx: Context, world: World, tmp_path: Path, superuser_dsn: str
) -> None:
    path = write_xlsx(tmp_path / "台账.xlsx", zh_rows("甲燃气有限公司"))
    result = await run_import(ctx, path, "甲燃气有限公司")
    assert (result.rows, len(result.imported), result.errors) == (4, 4, [])
    first = result.imported[0].cylinder
    assert (first.serial_no, first.model, first.manufactured_on) == (
        "ZJ19050001",
        "YSP35.5",
        date(2019, 5, 1),
    )
    assert first.next_inspection_due == date(2027, 5, 10)
    assert first.tare_kg == 15.2
    assert [a.raw for a in first.aliases] == ["GS-0001"]
    assert result.imported[2].cylinder.serial_no == "2206000123"
    assert result.imported[2].cylinder.next_inspection_due == date(2026, 6, 1)
    assert await count(superuser_dsn) == 4


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
async def test_imports_csv_in_utf8_or_gbk(
    ctx: Context, world: World, tmp_path: Path, encoding: str
) -> None:
    header = ["出厂编号", "制造单位", "制造日期", "型号", "下次检验日期"]
    rows = [["C-1", "浙江金盾压力容器有限公司", "2024-01-01", "YSP35.5", "2028-01-01"]]
    path = write_csv(tmp_path / "ledger.csv", rows, header, encoding)
    result = await run_import(ctx, path, str(world.orgs["company_a"]))
    assert len(result.imported) == 1


async def test_imports_english_headers(ctx: Context, world: World, tmp_path: Path) -> None:
    header = [
        "Serial No",
        "Manufacturer",
        "Manufactured On",
        "Model",
        "Last Inspected On",
        "Next Inspection Due",
        "Batch",
    ]
    rows = [["E-1", "Maker Ltd", "2024-01-01", "YSP12", "", "", "B7"]]
    result = await run_import(
        ctx, write_csv(tmp_path / "l.csv", rows, header, "utf-8"), "甲燃气有限公司"
    )
    assert result.imported[0].cylinder.batch == "B7"


async def test_one_bad_row_imports_nothing_and_names_the_sheet_row(
    ctx: Context, world: World, tmp_path: Path, superuser_dsn: str
) -> None:
    rows = zh_rows("甲燃气有限公司")
    rows[1][4] = "去年"  # sheet row 4 (title, header, then data from row 3)
    rows[2][5] = "YSP-999"  # sheet row 5
    rows[3][8] = "乙燃气有限公司"  # sheet row 6: another owner
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    with pytest.raises(BatchRejected) as rejected:
        await run_import(ctx, path, "甲燃气有限公司")
    assert {(e.loc[0], e.code) for e in rejected.value.errors} == {
        (4, "BAD_DATE"),
        (5, "UNKNOWN_MODEL"),
        (6, "OWNER_MISMATCH"),
    }
    assert await count(superuser_dsn) == 0
    result = await run_import(ctx, path, "甲燃气有限公司", skip_bad=True)
    assert len(result.imported) == 1
    assert {e.loc[0] for e in result.errors} == {4, 5, 6}
    assert await count(superuser_dsn) == 1


async def test_rows_already_registered_are_reported(
    ctx: Context, world: World, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", zh_rows("甲燃气有限公司", 2))
    await run_import(ctx, path, "甲燃气有限公司")
    with pytest.raises(BatchRejected) as rejected:
        await run_import(ctx, path, "甲燃气有限公司")
    assert {(e.loc[0], e.code) for e in rejected.value.errors} >= {
        (3, "DUPLICATE_SERIAL"),
        (4, "DUPLICATE_SERIAL"),
    }


async def test_a_file_without_a_header_is_refused(
    ctx: Context, world: World, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "x.csv", [["1", "2"]], ["a", "b"], "utf-8")
    with pytest.raises(InvalidInput) as refused:
        await run_import(ctx, path, "甲燃气有限公司")
    assert refused.value.code == "NO_HEADER"


async def test_the_command_line_imports_and_reports(
    world: World, tmp_path: Path, clean_db: str
) -> None:
    rows = zh_rows("甲燃气有限公司")
    rows[0][5] = "YSP-999"
    path = write_xlsx(tmp_path / "cli.xlsx", rows)
    report = tmp_path / "errors.csv"
    env = {**os.environ, "DATABASE_URL": clean_db}
    command = [sys.executable, "-m", "service", "import", str(path), "--owner", "甲燃气有限公司"]
    refused = await asyncio.create_subprocess_exec(
        *command, "--report", str(report), env=env, stdout=PIPE, stderr=PIPE
    )
    out, errors = await refused.communicate()
    assert refused.returncode == 1, (out, errors)
    assert "UNKNOWN_MODEL" in report.read_text(encoding="utf-8-sig")
    done = await asyncio.create_subprocess_exec(
        *command, "--skip-bad", env=env, stdout=PIPE, stderr=PIPE
    )
    out, errors = await done.communicate()
    assert done.returncode == 0, (out, errors)
    assert "3 of 4" in out.decode()
