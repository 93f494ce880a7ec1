"""Reading a gas company's cylinder ledger (气瓶台账): the columns a Chinese ledger has, in
Chinese or English, and the date and number formats clerks actually type. Pure: rows in,
``CylinderInput`` or field errors out."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from service.domain.errors import FieldError
from service.domain.registration import CylinderInput

# Header names (normalised: no spaces, lower case) → field.
HEADERS: dict[str, tuple[str, ...]] = {
    "serial_no": (
        "出厂编号",
        "钢瓶出厂编号",
        "出厂号",
        "制造编号",
        "serial_no",
        "serial",
        "factoryserial",
        "serialnumber",
    ),
    "code": ("气瓶编号", "钢瓶编号", "瓶号", "cylinder_no", "cylinderno"),
    "manufacturer": (
        "制造单位",
        "制造厂",
        "制造厂家",
        "生产厂家",
        "生产单位",
        "制造商",
        "manufacturer",
        "maker",
    ),
    "manufactured_on": (
        "制造日期",
        "生产日期",
        "出厂日期",
        "制造年月",
        "manufactured_on",
        "manufacturedate",
        "dateofmanufacture",
        "manufacturedon",
    ),
    "model": ("型号", "规格型号", "气瓶型号", "规格", "model", "type"),
    "last_inspected_on": (
        "上次检验日期",
        "检验日期",
        "最近检验日期",
        "上次检验",
        "last_inspected_on",
        "lastinspection",
    ),
    "next_inspection_due": (
        "下次检验日期",
        "下检日期",
        "下次检验",
        "检验有效期至",
        "next_inspection_due",
        "nextinspection",
    ),
    "owner": ("产权单位", "所属单位", "owner", "ownername"),
    "batch": ("制造批号", "批号", "batch", "batchno"),
    "design_life_years": (
        "设计使用年限",
        "设计年限",
        "使用年限",
        "design_life_years",
        "designlife",
    ),
    "tare_kg": ("皮重", "皮重kg", "皮重(kg)", "重量", "tare_kg", "tare"),
    "alias": ("电子标识", "追溯码", "原标签", "grai", "alias", "aliases"),
}


def _norm_header(text: Any) -> str:
    """``Serial No``, ``serial_no`` and ``皮重（kg）`` → ``serialno``, ``serialno``, ``皮重kg``."""
    value = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return re.sub(r"[\s_()]", "", value)


_LOOKUP = {_norm_header(name): field for field, names in HEADERS.items() for name in names}


def map_headers(row: Sequence[Any]) -> dict[str, int]:
    """Field → column index for a header row. ``气瓶编号`` is the serial when there is no
    ``出厂编号`` column, otherwise an alias (the company's own old number)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        key = _norm_header(cell)
        field = _LOOKUP.get(key) or _LOOKUP.get(key.removesuffix("kg"))
        if field and field not in found:
            found[field] = index
    if "serial_no" not in found and "code" in found:
        found["serial_no"] = found.pop("code")
    return found


REQUIRED = ("serial_no", "manufacturer", "manufactured_on", "model")


def find_header_row(rows: Sequence[Sequence[Any]], scan: int = 10) -> int | None:
    """Ledgers often open with a title row; the header is the first row naming the fields."""
    for index, row in enumerate(rows[:scan]):
        if all(field in map_headers(row) for field in REQUIRED):
            return index
    return None


_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"), True),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), True),
    (re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$"), False),
    (re.compile(r"^(\d{4})(\d{2})$"), False),
)


def parse_date(value: Any) -> date | None:
    """``2019-05-01``, ``2019/5/1``, ``2019.05.01``, ``2019年5月1日``, ``20190501``, and a
    stamp's year-month (``2019-05``, ``2019年5月``: the first of that month). Raises
    ``ValueError`` for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for pattern, has_day in _DATE_PATTERNS:
        if match := pattern.match(text):
            year, month = int(match.group(1)), int(match.group(2))
            day = int(match.group(3)) if has_day else 1
            return date(year, month, day)
    raise ValueError(f"not a date: {text!r}")


def parse_number(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    text = re.sub(r"(kg|千克|公斤|年)$", "", text).strip()
    return float(text)


def _cell(row: Sequence[Any], columns: dict[str, int], field: str) -> Any:
    index = columns.get(field)
    if index is None or index >= len(row):
        return None
    value = row[index]
    return value.strip() if isinstance(value, str) else value


@dataclass(frozen=True, slots=True)
class LedgerRow:
    line: int  # the spreadsheet's own row number, for the error report
    item: CylinderInput | None
    errors: list[FieldError]


def _text(row: Sequence[Any], columns: dict[str, int], field: str) -> str:
    value = _cell(row, columns, field)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a serial typed as a number in Excel
    return str(value)


def _dates(
    row: Sequence[Any], columns: dict[str, int], line: int
) -> tuple[dict[str, date | None], list[FieldError]]:
    values: dict[str, date | None] = {}
    errors: list[FieldError] = []
    for field in ("manufactured_on", "last_inspected_on", "next_inspection_due"):
        try:
            values[field] = parse_date(_cell(row, columns, field))
        except (ValueError, TypeError):
            errors.append(
                FieldError(
                    [line, field],
                    "BAD_DATE",
                    f"日期无法识别 / not a date: {_cell(row, columns, field)!r}",
                )
            )
    if not errors and values["manufactured_on"] is None:
        errors.append(
            FieldError(
                [line, "manufactured_on"], "EMPTY", "制造日期为空 / manufacture date missing"
            )
        )
    return values, errors


def _numbers(
    row: Sequence[Any], columns: dict[str, int], line: int
) -> tuple[dict[str, float | None], list[FieldError]]:
    values: dict[str, float | None] = {}
    errors: list[FieldError] = []
    for field in ("tare_kg", "design_life_years"):
        try:
            values[field] = parse_number(_cell(row, columns, field))
        except (ValueError, TypeError):
            errors.append(
                FieldError(
                    [line, field],
                    "BAD_NUMBER",
                    f"数字无法识别 / not a number: {_cell(row, columns, field)!r}",
                )
            )
    return values, errors


def read_row(
    row: Sequence[Any], columns: dict[str, int], line: int, owner_id: str, owner_name: str | None
) -> LedgerRow:
    dates, errors = _dates(row, columns, line)
    numbers, number_errors = _numbers(row, columns, line)
    errors.extend(number_errors)
    named_owner = _text(row, columns, "owner")
    if owner_name and named_owner and _norm_header(named_owner) != _norm_header(owner_name):
        errors.append(
            FieldError(
                [line, "owner"],
                "OWNER_MISMATCH",
                f"产权单位 {named_owner!r} 不是 {owner_name!r} / the row names another owner",
            )
        )
    life = numbers["design_life_years"]
    if life is not None and not life.is_integer():
        errors.append(
            FieldError(
                [line, "design_life_years"], "BAD_NUMBER", "设计使用年限须为整数 / whole years"
            )
        )
    if errors:
        return LedgerRow(line, None, errors)
    aliases = tuple(a for a in (_text(row, columns, "alias"), _text(row, columns, "code")) if a)
    item = CylinderInput(
        serial_no=_text(row, columns, "serial_no"),
        manufacturer=_text(row, columns, "manufacturer"),
        manufactured_on=dates["manufactured_on"],  # type: ignore[arg-type]
        model=_text(row, columns, "model"),
        owner_id=owner_id,
        last_inspected_on=dates["last_inspected_on"],
        next_inspection_due=dates["next_inspection_due"],
        design_life_years=int(life) if life is not None else None,
        tare_kg=numbers["tare_kg"],
        batch=_text(row, columns, "batch") or None,
        aliases=aliases,
    )
    return LedgerRow(line, item, [])


def is_blank(row: Sequence[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)
