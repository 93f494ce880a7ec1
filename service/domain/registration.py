"""Checking a cylinder before it is registered (建档): pure, no database.

``validate_new_cylinder`` turns what a clerk or a ledger supplied into a ``NewCylinder`` with
its derived dates, or a list of field errors. It never raises for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from service.domain.codes import (
    CODE_LENGTH,
    BadGrai,
    Grai,
    canonical_code,
    has_valid_check,
    normalize_alias,
    normalize_manufacturer,
    normalize_serial,
    parse_grai,
)
from service.domain.errors import FieldError
from service.domain.models import ModelTable, default_next_due, scrap_date

MAX_ALIASES = 10


class Flag(StrEnum):
    """Marks that refuse a fill (翻新 / 改装 / 螺丝瓶 / 非国标)."""

    REFURBISHED = "refurbished"
    MODIFIED = "modified"
    SCREW_RING = "screw_ring"
    NON_STANDARD = "non_standard"


@dataclass(frozen=True, slots=True)
class CylinderInput:
    serial_no: str
    manufacturer: str
    manufactured_on: date
    model: str
    owner_id: str
    last_inspected_on: date | None = None
    next_inspection_due: date | None = None
    design_life_years: int | None = None
    tare_kg: float | None = None
    batch: str | None = None
    aliases: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AliasKey:
    key: str  # normalised lookup key, unique across the deployment
    raw: str  # as supplied


@dataclass(frozen=True, slots=True)
class NewCylinder:
    serial_no: str
    serial_key: str
    manufacturer: str
    manufacturer_key: str
    manufactured_on: date
    model: str
    owner_id: str
    last_inspected_on: date | None
    next_inspection_due: date
    design_life_years: int
    max_extension_years: int
    scrap_on: date
    tare_kg: float | None
    batch: str | None
    aliases: tuple[AliasKey, ...]
    flags: tuple[str, ...]


def alias_key(raw: str) -> tuple[str | None, str | None]:
    """(key, None) for a usable alias, or (None, error code)."""
    grai = parse_grai(raw)
    if isinstance(grai, BadGrai):
        return None, "INVALID_GRAI"
    if isinstance(grai, Grai):
        return grai.key, None
    key = normalize_alias(raw)
    if not key:
        return None, "EMPTY_ALIAS"
    code = canonical_code(raw)
    if len(code) == CODE_LENGTH and has_valid_check(code):
        # It would read as one of our own codes; binding it would shadow or fake one.
        return None, "ALIAS_LOOKS_LIKE_CODE"
    return key, None


def _check_dates(item: CylinderInput, today: date) -> list[FieldError]:
    errors: list[FieldError] = []
    made = item.manufactured_on
    if made > today:
        errors.append(
            FieldError(
                ["manufactured_on"],
                "DATE_IN_FUTURE",
                "制造日期晚于今天 / manufactured in the future",
            )
        )
    if item.last_inspected_on is not None:
        if item.last_inspected_on < made:
            errors.append(
                FieldError(
                    ["last_inspected_on"],
                    "INSPECTED_BEFORE_MANUFACTURE",
                    "检验日期早于制造日期 / inspected before it was made",
                )
            )
        if item.last_inspected_on > today:
            errors.append(
                FieldError(
                    ["last_inspected_on"],
                    "DATE_IN_FUTURE",
                    "检验日期晚于今天 / inspection date in the future",
                )
            )
    due = item.next_inspection_due
    if due is not None:
        if due < made:
            errors.append(
                FieldError(
                    ["next_inspection_due"],
                    "DUE_BEFORE_MANUFACTURE",
                    "下次检验日期早于制造日期 / next inspection due before manufacture",
                )
            )
        elif item.last_inspected_on is not None and due < item.last_inspected_on:
            errors.append(
                FieldError(
                    ["next_inspection_due"],
                    "DUE_BEFORE_LAST_INSPECTION",
                    "下次检验日期早于上次检验日期 / next inspection due before the last one",
                )
            )
    return errors


def _check_aliases(item: CylinderInput) -> tuple[list[AliasKey], list[FieldError]]:
    keys: list[AliasKey] = []
    errors: list[FieldError] = []
    if len(item.aliases) > MAX_ALIASES:
        errors.append(FieldError(["aliases"], "TOO_MANY_ALIASES", f"at most {MAX_ALIASES} aliases"))
        return keys, errors
    seen: set[str] = set()
    for i, raw in enumerate(item.aliases):
        key, problem = alias_key(raw)
        if key is None:
            errors.append(
                FieldError(
                    ["aliases", i], problem or "INVALID_ALIAS", f"alias {raw!r} is not usable"
                )
            )
        elif key not in seen:
            seen.add(key)
            keys.append(AliasKey(key, raw.strip()))
    return keys, errors


def validate_new_cylinder(
    item: CylinderInput, models: ModelTable, today: date
) -> tuple[NewCylinder | None, list[FieldError]]:
    errors = _check_dates(item, today)
    spec = models.find(item.model)
    if spec is None:
        errors.append(
            FieldError(
                ["model"],
                "UNKNOWN_MODEL",
                f"unknown model {item.model!r}; known: {', '.join(models.names)}",
            )
        )
    serial_key = normalize_serial(item.serial_no)
    manufacturer_key = normalize_manufacturer(item.manufacturer)
    if not serial_key:
        errors.append(
            FieldError(["serial_no"], "EMPTY", "出厂编号不能为空 / serial number is empty")
        )
    if not manufacturer_key:
        errors.append(
            FieldError(["manufacturer"], "EMPTY", "制造单位不能为空 / manufacturer is empty")
        )
    bad_flags = [f for f in item.flags if f not in Flag.__members__.values()]
    if bad_flags:
        errors.append(
            FieldError(
                ["flags"],
                "UNKNOWN_FLAG",
                f"unknown flags {bad_flags}; known: {[f.value for f in Flag]}",
            )
        )
    if item.tare_kg is not None and not 0 < item.tare_kg < 200:
        errors.append(
            FieldError(["tare_kg"], "OUT_OF_RANGE", "皮重应在 0–200 kg / tare must be 0-200 kg")
        )
    life = models.life_rule(item.manufactured_on)
    design_life = (
        item.design_life_years if item.design_life_years is not None else life.design_life_years
    )
    if not 1 <= design_life <= 50:
        errors.append(
            FieldError(
                ["design_life_years"],
                "OUT_OF_RANGE",
                "设计使用年限应在 1–50 年 / design life must be 1-50 years",
            )
        )
    aliases, alias_errors = _check_aliases(item)
    errors.extend(alias_errors)
    if errors or spec is None:
        return None, errors
    due = item.next_inspection_due or default_next_due(
        item.manufactured_on, item.last_inspected_on, life.inspection_interval_years
    )
    return NewCylinder(
        serial_no=item.serial_no.strip(),
        serial_key=serial_key,
        manufacturer=" ".join(item.manufacturer.split()),
        manufacturer_key=manufacturer_key,
        manufactured_on=item.manufactured_on,
        model=spec.name,
        owner_id=item.owner_id,
        last_inspected_on=item.last_inspected_on,
        next_inspection_due=due,
        design_life_years=design_life,
        max_extension_years=life.max_extension_years,
        scrap_on=scrap_date(item.manufactured_on, design_life),
        tare_kg=item.tare_kg,
        batch=(item.batch or "").strip() or None,
        aliases=tuple(aliases),
        flags=tuple(sorted(set(item.flags))),
    ), []


def find_batch_duplicates(items: list[NewCylinder | None]) -> list[FieldError]:
    """Rows of one batch that repeat a serial (same manufacturer) or an alias of an earlier row."""
    errors: list[FieldError] = []
    serials: dict[tuple[str, str], int] = {}
    aliases: dict[str, int] = {}
    for row, item in enumerate(items):
        if item is None:
            continue
        pair = (item.manufacturer_key, item.serial_key)
        if pair in serials:
            errors.append(
                FieldError(
                    [row, "serial_no"],
                    "DUPLICATE_SERIAL",
                    f"same manufacturer and serial as row {serials[pair]}",
                )
            )
        else:
            serials[pair] = row
        for alias in item.aliases:
            if alias.key in aliases:
                errors.append(
                    FieldError(
                        [row, "aliases"],
                        "DUPLICATE_ALIAS",
                        f"alias {alias.raw!r} also on row {aliases[alias.key]}",
                    )
                )
            else:
                aliases[alias.key] = row
    return errors
