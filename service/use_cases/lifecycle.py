"""Inspections, custody (dispatch, deliver, return), re-weighs, seizure and release, and
ownership transfer: each an event on the cylinder, written through ``recording.write_event``
(idempotent, serialised per cylinder, hash-chained)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db import organizations as org_db
from service.db.snapshots import cylinder_state
from service.domain import access, lifecycle
from service.domain.access import Actor, OrgKind, OrgRef, Role, require_role
from service.domain.errors import InvalidInput
from service.use_cases.context import Context
from service.use_cases.lookup import find_in_scope
from service.use_cases.recording import (
    Decide,
    Locate,
    NewEvent,
    Written,
    check_occurred_at,
    seen_here,
    write_event,
)

CanTouch = Callable[[Actor, OrgRef], bool]


def locator(ctx: Context, actor: Actor, scan: str, may_touch: CanTouch) -> Locate:
    """Find and lock the cylinder; 404 when it does not exist or is outside the caller's
    scope (not revealed). A platform administrator may touch any."""

    def may_see(owner: OrgRef) -> bool:
        return actor.role is Role.ADMIN or may_touch(actor, owner)

    async def locate(conn: AsyncConnection) -> Row[Any]:
        return await find_in_scope(conn, ctx, scan, may_see, lock=True)

    return locate


async def _record(
    ctx: Context,
    actor: Actor,
    event_id: uuid.UUID,
    body: dict[str, Any],
    scan: str,
    may_touch: CanTouch,
    decide: Decide,
) -> Written:
    """Write the event ``decide`` makes of the cylinder ``scan`` names, if the caller may touch
    it (``recording.write_event``: locked, idempotent, chained)."""
    return await write_event(
        ctx, actor, event_id, body, locator(ctx, actor, scan, may_touch), decide
    )


def _anyone(_actor: Actor, _owner: OrgRef) -> bool:
    return True


# --- inspections ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InspectionInput:
    event_id: uuid.UUID
    code: str
    inspected_on: date
    result: str
    next_due: date | None = None
    report_no: str | None = None


async def record_inspection(
    ctx: Context, actor: Actor, item: InspectionInput, body: dict[str, Any]
) -> Written:
    require_role(actor, Role.INSPECTOR, Role.ADMIN)

    async def decide(_: AsyncConnection, row: Row[Any]) -> NewEvent:
        interval = ctx.models.life_rule(row.manufactured_on).inspection_interval_years
        changes = lifecycle.inspect(
            cylinder_state(row), result=item.result, inspected_on=item.inspected_on,
            next_due=item.next_due, interval_years=interval, today=ctx.today(),
        )  # fmt: skip
        payload = {
            "result": item.result,
            "inspected_on": item.inspected_on.isoformat(),
            "report_no": item.report_no,
            "next_due": changes["next_inspection_due"].isoformat()
            if "next_inspection_due" in changes
            else None,
            "life_extended": changes.get("extension_years", row.extension_years)
            != row.extension_years,
        }
        return NewEvent(
            "scrapped" if item.result == "scrap" else "inspected", ctx.clock(), payload, changes
        )

    return await _record(ctx, actor, item.event_id, body, item.code, _anyone, decide)


# --- custody -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveryInput:
    event_id: uuid.UUID
    code: str
    kind: str  # dispatch | deliver | return
    occurred_at: datetime | None = None
    vehicle: str | None = None
    customer_id: str | None = None
    location: dict[str, float] | None = None
    safety_check: dict[str, Any] | None = None


DELIVERY_TYPES = {"dispatch": "dispatched", "deliver": "delivered", "return": "returned"}


async def record_delivery(
    ctx: Context, actor: Actor, item: DeliveryInput, body: dict[str, Any]
) -> Written:
    require_role(actor, Role.DELIVERY, Role.FILLER, Role.ADMIN)
    occurred_at = item.occurred_at or ctx.clock()
    check_occurred_at(ctx, occurred_at)
    if item.kind == "deliver" and not item.customer_id:
        raise InvalidInput(
            "CUSTOMER_REQUIRED", "送达须填写实名用户 / deliver needs the customer_id"
        )

    async def decide(_: AsyncConnection, row: Row[Any]) -> NewEvent:
        state = cylinder_state(row)
        changes = (
            lifecycle.dispatch(state) if item.kind == "dispatch" else lifecycle.hand_over(state)
        )
        payload = {
            "kind": item.kind,
            "vehicle": item.vehicle,
            "customer_id": item.customer_id,
            "location": item.location,
            "safety_check": item.safety_check,
        }
        return NewEvent(
            DELIVERY_TYPES[item.kind], occurred_at, payload, {**changes, **seen_here(ctx, actor)}
        )

    return await _record(ctx, actor, item.event_id, body, item.code, access.is_own_company, decide)


@dataclass(frozen=True, slots=True)
class ReweighInput:
    event_id: uuid.UUID
    code: str
    net_kg: float
    leak_ok: bool = True


async def record_reweigh(
    ctx: Context, actor: Actor, item: ReweighInput, body: dict[str, Any]
) -> Written:
    require_role(actor, Role.FILLER, Role.ADMIN)
    if not 0 <= item.net_kg < 100:
        raise InvalidInput("OUT_OF_RANGE", "净重应在 0–100 kg / net_kg must be between 0 and 100")

    async def decide(_: AsyncConnection, row: Row[Any]) -> NewEvent:
        changes = lifecycle.reweigh(
            cylinder_state(row),
            ctx.models.find(row.model),
            net_kg=item.net_kg,
            is_leak_ok=item.leak_ok,
        )
        payload = {"net_kg": item.net_kg, "leak_ok": item.leak_ok, "released": bool(changes)}
        return NewEvent("reweighed", ctx.clock(), payload, changes)

    return await _record(ctx, actor, item.event_id, body, item.code, access.is_own_company, decide)


# --- enforcement and ownership ---------------------------------------------------------------


async def record_seizure(
    ctx: Context,
    actor: Actor,
    code: str,
    event_id: uuid.UUID,
    reason: str,
    *,
    release: bool,
    body: dict[str, Any],
) -> Written:
    """查封扣押 / 解除: regulators, within their region."""
    require_role(actor, Role.REGULATOR, Role.ADMIN)

    async def decide(_: AsyncConnection, row: Row[Any]) -> NewEvent:
        state = cylinder_state(row)
        changes = lifecycle.release(state) if release else lifecycle.seize(state)
        return NewEvent(
            "released" if release else "seized", ctx.clock(), {"reason": reason}, changes
        )

    return await _record(ctx, actor, event_id, body, code, access.is_in_region_of, decide)


async def record_transfer(
    ctx: Context,
    actor: Actor,
    code: str,
    event_id: uuid.UUID,
    to_owner_id: uuid.UUID,
    reason: str,
    body: dict[str, Any],
) -> Written:
    """产权转移: only by an explicit, audited event, made by the current owner's admin."""
    require_role(actor, Role.COMPANY_ADMIN, Role.ADMIN)

    async def decide(conn: AsyncConnection, row: Row[Any]) -> NewEvent:
        lifecycle.refuse_if_scrapped(cylinder_state(row))
        target = await org_db.get_org(conn, to_owner_id)
        if target is None or target.kind != OrgKind.COMPANY:
            raise InvalidInput(
                "OWNER_NOT_COMPANY",
                "新产权单位必须是已登记的燃气企业 / the new owner must be a registered company",
            )
        if target.id == row.owner_id:
            raise InvalidInput("SAME_OWNER", "新旧产权单位相同 / already owned by that company")
        payload = {
            "from_owner_id": str(row.owner_id),
            "to_owner_id": str(target.id),
            "reason": reason,
        }
        return NewEvent("transferred", ctx.clock(), payload, {"owner_id": target.id})

    return await _record(ctx, actor, event_id, body, code, access.is_own_company, decide)
