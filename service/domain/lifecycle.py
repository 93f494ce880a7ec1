"""What inspections, custody and enforcement do to a cylinder's state: pure transitions.

Each function takes the cylinder's current state and the request and returns the columns
that change, or raises ``Conflict`` / ``InvalidInput``. A scrapped cylinder's code is revoked
for ever: nothing but a read (and the gate's refusal record) touches it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from service.domain.errors import Conflict, InvalidInput
from service.domain.models import ModelSpec, add_years, scrap_date

HOLDS_RELEASED_BY_REWEIGH = frozenset({"overfilled", "leak"})
# An inspection this close to the end of the design life (or after it) may extend the life.
EXTENSION_WINDOW_YEARS = 1


@dataclass(frozen=True, slots=True)
class CylinderState:
    status: str
    hold_reason: str | None
    manufactured_on: date
    design_life_years: int
    max_extension_years: int
    extension_years: int
    scrap_on: date
    next_inspection_due: date


def refuse_if_scrapped(state: CylinderState) -> None:
    if state.status == "scrapped":
        raise Conflict("SCRAPPED", "已报废，编码已注销 / scrapped: the code is revoked for ever")


def _released_status(state: CylinderState, hold_reason: str | None) -> dict[str, Any]:
    if state.status == "seized":
        return {"hold_reason": hold_reason}
    return {"status": "held" if hold_reason else "in_service", "hold_reason": hold_reason}


def inspect(
    state: CylinderState,
    *,
    result: str,
    inspected_on: date,
    next_due: date | None,
    interval_years: int,
    today: date,
) -> dict[str, Any]:
    """定期检验: ``pass`` sets the next due date (never past the scrap date) and, in the last
    year of the design life, grants its one extension; ``fail`` holds; ``scrap`` scraps."""
    refuse_if_scrapped(state)
    if inspected_on > today:
        raise InvalidInput("DATE_IN_FUTURE", "检验日期晚于今天 / inspected_on is in the future")
    if inspected_on < state.manufactured_on:
        raise InvalidInput(
            "INSPECTED_BEFORE_MANUFACTURE", "检验日期早于制造日期 / inspected before it was made"
        )
    if result == "scrap":
        return {"status": "scrapped", "hold_reason": None, "last_inspected_on": inspected_on}
    if result == "fail":
        changes = _released_status(state, "inspection_failed")
        return {**changes, "is_inspection_failed": True, "last_inspected_on": inspected_on}
    final = scrap_date(state.manufactured_on, state.design_life_years, state.max_extension_years)
    if inspected_on > final:
        raise Conflict(
            "PAST_SERVICE_LIFE",
            "已超过最长使用年限，只能报废 / past its longest service life: scrap it",
        )
    due = next_due or add_years(inspected_on, interval_years)
    if due <= inspected_on:
        raise InvalidInput(
            "DUE_NOT_AFTER_INSPECTION",
            "下次检验日期必须晚于本次 / next_due must follow inspected_on",
        )
    extension = state.extension_years
    near_end = inspected_on >= add_years(state.scrap_on, -EXTENSION_WINDOW_YEARS)
    if extension == 0 and state.max_extension_years > 0 and near_end:
        # 延长使用: granted once, by a passed inspection at the end of the design life.
        extension = state.max_extension_years
    scrap_on = scrap_date(state.manufactured_on, state.design_life_years, extension)
    hold = state.hold_reason if state.hold_reason != "inspection_failed" else None
    return {
        **_released_status(state, hold),
        "is_inspection_failed": False,
        "needs_purge": True,
        "last_inspected_on": inspected_on,
        "next_inspection_due": min(due, scrap_on),
        "extension_years": extension,
        "scrap_on": scrap_on,
    }


def dispatch(state: CylinderState) -> dict[str, Any]:
    """A cylinder leaves the station only if it is not held, seized or scrapped."""
    refuse_if_scrapped(state)
    if state.status == "seized":
        raise Conflict("SEIZED", "已查封扣押，不得出站 / seized: it may not leave")
    if state.status == "held":
        raise Conflict(
            "CYLINDER_HELD",
            f"气瓶被扣留（{state.hold_reason}），复称/复检合格前不得出站 / held ({state.hold_reason}): may not leave",
            extra={"hold_reason": state.hold_reason},
        )
    return {}


def hand_over(state: CylinderState) -> dict[str, Any]:
    """Delivery to a customer, or an empty coming back."""
    refuse_if_scrapped(state)
    if state.status == "seized":
        raise Conflict("SEIZED", "已查封扣押 / seized")
    return {}


def reweigh(
    state: CylinderState, spec: ModelSpec | None, *, net_kg: float, is_leak_ok: bool
) -> dict[str, Any]:
    """复称: a held (overfilled or leaking) cylinder is released when the re-weigh is within
    the model's maximum and the leak test passes."""
    refuse_if_scrapped(state)
    if state.hold_reason not in HOLDS_RELEASED_BY_REWEIGH:
        raise Conflict(
            "NOT_HELD_FOR_REWEIGH", "气瓶未因超装或泄漏被扣留 / not held for overfill or leak"
        )
    is_ok = is_leak_ok and (spec is None or net_kg <= spec.max_fill_kg)
    if not is_ok:
        return {}
    return _released_status(state, None)


def seize(state: CylinderState) -> dict[str, Any]:
    refuse_if_scrapped(state)
    if state.status == "seized":
        raise Conflict("ALREADY_SEIZED", "已处于查封状态 / already seized")
    return {"status": "seized"}


def release(state: CylinderState) -> dict[str, Any]:
    refuse_if_scrapped(state)
    if state.status != "seized":
        raise Conflict("NOT_SEIZED", "未被查封 / not seized")
    return {"status": "held" if state.hold_reason else "in_service"}
