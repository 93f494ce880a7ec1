"""The fill gate and the fill (充装前检查 / 充装 / 充装后检查).

This is the hot path: it talks to PostgreSQL through asyncpg directly (the connection comes
from SQLAlchemy's pool), skipping SQLAlchemy's per-statement cost, which measured larger than
the query itself. ``check`` answers ALLOW or REFUSE for what a filler scanned. An allowed
check costs one round trip (the snapshot, no transaction); a refusal is also recorded, as a ``fill_refused`` event on a known
cylinder, or as a per-station tally when nothing could be identified.

``record_fill`` re-runs the gate on the locked cylinder at recording time (a blacklisting
committed after the check still refuses), then writes the ``filled`` event. A fill made
while the station was offline (the scanner's local gate allowed it) is recorded even if the
gate now refuses: the gas is in the cylinder, so the record must exist; it carries the
reasons as ``violations`` and is counted per station. Overfill and a
failed leak test record the fill and hold the cylinder until a corrected re-weigh.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from service.db import cylinders as cyl_db
from service.db import gate as gate_db
from service.db import tallies
from service.db.cylinders import Lookup
from service.db.engine import RawConnection, Record, driver
from service.db.snapshots import cylinder_snapshot, operator_snapshot, station_snapshot
from service.domain.access import Actor, Role, require_role
from service.domain.chain import request_hash
from service.domain.errors import Conflict, Forbidden, InvalidInput
from service.domain.gate import (
    CylinderSnapshot,
    ScanKind,
    ScanResult,
    Verdict,
    check_fill,
)
from service.domain.reasons import Reason, WarningCode
from service.use_cases.context import Context
from service.use_cases.lookup import Resolution, resolve
from service.use_cases.public import ForeignCylinderView, foreign_cylinder_view
from service.use_cases.recording import (
    EVENT_ID_CONSTRAINT,
    NewEvent,
    Written,
    append,
    check_occurred_at,
    find_replay,
    replay_after_race,
    seen_here,
)
from service.use_cases.views import CylinderView, cylinder_view

MAX_SCAN_LENGTH = 500


@dataclass(frozen=True, slots=True)
class CheckResult:
    verdict: Verdict
    code: str | None
    # Another company's cylinder is shown as the public sees it, with its owner's name.
    cylinder: CylinderView | ForeignCylinderView | None
    check_id: uuid.UUID


# Not even a platform administrator: a fill is made at a station, by its certified filler.
ONLY_FILLERS = "只有充装工可以充装 / only fillers check and record fills"


def _scan_result(resolution: Resolution, row: Record | None) -> ScanResult:
    found = row is not None and row.id is not None
    if resolution.is_bad_code and found:
        # What failed our check character is another identifier bound to this cylinder.
        return ScanResult(ScanKind.ALIAS)
    return ScanResult(
        resolution.kind, resolution.is_bad_tag or (resolution.is_bad_code and not found)
    )


def _evaluate(
    ctx: Context, resolution: Resolution, row: Record
) -> tuple[Verdict, CylinderSnapshot | None]:
    cylinder = cylinder_snapshot(row, with_recent=True) if row.id is not None else None
    verdict = check_fill(
        cylinder,
        station_snapshot(row),
        operator_snapshot(row),
        _scan_result(resolution, row),
        ctx.clock(),
        ctx.gate_config,
    )
    return verdict, cylinder


def _refusal_payload(scan: str, verdict: Verdict) -> dict[str, Any]:
    return {
        "scan": scan[:MAX_SCAN_LENGTH],
        "reasons": verdict.reason_codes,
        "warnings": verdict.warning_codes,
    }


async def _locked_snapshot(
    conn: RawConnection,
    ctx: Context,
    actor: Actor,
    resolution: Resolution,
    event_id: uuid.UUID | None = None,
) -> Record | None:
    """Lock the cylinder's row, THEN read the snapshot in a new statement. Under READ
    COMMITTED a statement that waited for a lock still judges by what it saw before the
    wait: a blacklisting committed by the transaction it waited for would be missed."""
    target = await cyl_db.lock_target(conn, resolution.lookup)
    lookup = Lookup(code=target.code) if target is not None else resolution.lookup
    return await gate_db.snapshot(
        conn,
        lookup,
        station_id=uuid.UUID(actor.org.id),
        user_id=uuid.UUID(actor.user_id),
        today=ctx.today(),
        event_id=event_id,
    )


async def _record_refusal(
    conn: RawConnection,
    ctx: Context,
    actor: Actor,
    locked: Record | None,
    scan: str,
    verdict: Verdict,
) -> uuid.UUID:
    """拦截记录: a refusal on a known cylinder is an event; otherwise a tally. ``locked`` is
    the cylinder's snapshot taken with its row lock, or None when nothing was identified."""
    refusal_id = uuid.uuid4()
    if locked is None:
        for reason in verdict.reason_codes:
            await tallies.bump(conn, uuid.UUID(actor.org.id), ctx.today(), f"refused:{reason}")
        return refusal_id
    payload = _refusal_payload(scan, verdict)
    await append(
        conn,
        ctx,
        actor,
        locked,
        refusal_id,
        request_hash(payload),
        NewEvent("fill_refused", ctx.clock(), payload, seen_here(ctx, actor)),
    )
    return refusal_id


def _cylinder_for(
    ctx: Context, row: Record, verdict: Verdict
) -> CylinderView | ForeignCylinderView | None:
    if row.id is None:
        return None
    if Reason.NOT_OWNED in verdict.reason_codes:
        return foreign_cylinder_view(row)
    return cylinder_view(ctx, row, aliases=[])


async def check(ctx: Context, actor: Actor, scan: str) -> CheckResult:
    require_role(actor, Role.FILLER, detail=ONLY_FILLERS)
    resolution = resolve(ctx, scan)
    station_id, user_id = uuid.UUID(actor.org.id), uuid.UUID(actor.user_id)
    async with driver(ctx.engine, ctx.pool) as conn:
        row = await gate_db.snapshot(
            conn, resolution.lookup, station_id=station_id, user_id=user_id, today=ctx.today()
        )
    if row is None:  # the caller's own organisation vanished: a deleted station
        raise Forbidden("充装站不存在 / your station no longer exists")
    verdict, cylinder = _evaluate(ctx, resolution, row)
    check_id = uuid.uuid4()
    if not verdict.is_allowed or WarningCode.MANUAL_ENTRY in verdict.warning_codes:
        async with driver(ctx.engine, ctx.pool) as conn, conn.transaction():
            if not verdict.is_allowed:
                locked = await _locked_snapshot(conn, ctx, actor, resolution) if cylinder else None
                known = locked if locked is not None and locked.id is not None else None
                check_id = await _record_refusal(conn, ctx, actor, known, scan, verdict)
            if WarningCode.MANUAL_ENTRY in verdict.warning_codes:
                await tallies.bump(conn, station_id, ctx.today(), "warning:MANUAL_ENTRY")
    return CheckResult(
        verdict, cylinder.code if cylinder else None, _cylinder_for(ctx, row, verdict), check_id
    )


@dataclass(frozen=True, slots=True)
class FillInput:
    event_id: uuid.UUID
    scan: str
    net_kg: float
    filled_at: datetime
    gross_kg: float | None = None
    check_id: uuid.UUID | None = None
    post_checks: dict[str, bool] | None = None
    # Set by a scanner that allowed this fill while the service was unreachable (its local
    # gate, ``offline``): the fill has physically happened and must be recorded as it was.
    offline: dict[str, Any] | None = None


def _fill_outcome(ctx: Context, row: Record, item: FillInput) -> tuple[list[str], str | None]:
    """Warnings from the weights and post-fill checks, and the hold they impose (if any)."""
    warnings: list[str] = []
    hold: str | None = None
    spec = ctx.models.find(row.model)
    if spec is not None and item.net_kg > spec.max_fill_kg:
        warnings.append(WarningCode.OVERFILLED)
        hold = "overfilled"
    elif (
        spec is not None
        and spec.target_kg is not None
        and abs(item.net_kg - spec.target_kg) > spec.tolerance_kg
    ):
        warnings.append(WarningCode.NET_OUT_OF_TOLERANCE)
    if item.post_checks is not None and item.post_checks.get("leak_ok") is False:
        warnings.append(WarningCode.LEAK_TEST_FAILED)
        hold = hold or "leak"
    return warnings, hold


def _fill_event(
    ctx: Context, actor: Actor, row: Record, item: FillInput, verdict: Verdict
) -> NewEvent:
    extra_warnings, hold = _fill_outcome(ctx, row, item)
    tare = row.tare_kg
    payload = {
        "net_kg": item.net_kg,
        "gross_kg": item.gross_kg,
        "tare_kg": tare,
        "check_id": str(item.check_id) if item.check_id else None,
        "post_checks": item.post_checks,
        "warnings": verdict.warning_codes + extra_warnings,
        "held": hold,
    }
    if item.offline is not None:
        # What the gate says now, for the regulator: a fill the offline gate let through
        # although the service would have refused it is recorded, and flagged, not lost.
        payload["offline"] = item.offline
        payload["violations"] = verdict.reason_codes
    changes: dict[str, Any] = {
        "last_fill_at": item.filled_at,
        "last_fill_org_id": uuid.UUID(actor.org.id),
        "last_fill_net_kg": item.net_kg,
        "needs_purge": False,
        **seen_here(ctx, actor),
    }
    if hold is not None:
        changes.update(status="held", hold_reason=hold)
    return NewEvent("filled", item.filled_at, payload, changes)


class FillRefused(Conflict):
    def __init__(self, verdict: Verdict, refusal_id: uuid.UUID) -> None:
        super().__init__(
            "FILL_REFUSED",
            "禁止充装 / fill refused: " + ", ".join(verdict.reason_codes),
            extra={
                "reasons": [r.as_dict() for r in verdict.reasons],
                "warnings": [w.as_dict() for w in verdict.warnings],
                "check_id": str(refusal_id),
            },
        )


def validate_fill(ctx: Context, item: FillInput) -> None:
    check_occurred_at(ctx, item.filled_at)
    if not 0 < item.net_kg < 100:
        raise InvalidInput("OUT_OF_RANGE", "净重应在 0–100 kg / net_kg must be between 0 and 100")


async def record_fill(ctx: Context, actor: Actor, item: FillInput, body: dict[str, Any]) -> Written:
    require_role(actor, Role.FILLER, detail=ONLY_FILLERS)
    validate_fill(ctx, item)
    fingerprint = request_hash(body)
    resolution = resolve(ctx, item.scan)
    try:
        async with driver(ctx.engine, ctx.pool) as conn, conn.transaction():
            row = await _locked_snapshot(conn, ctx, actor, resolution, item.event_id)
            if row is None:
                raise Forbidden("充装站不存在 / your station no longer exists")
            if row.replay_hash is not None:
                # This event_id is already stored (a retry): answer with it, record nothing.
                replay = await find_replay(conn, ctx, item.event_id, fingerprint)
                if replay is not None:
                    return replay
            verdict, _ = _evaluate(ctx, resolution, row)
            is_offline_fill = item.offline is not None and row.id is not None
            if verdict.is_allowed or is_offline_fill:
                new = _fill_event(ctx, actor, row, item, verdict)
                event = await append(conn, ctx, actor, row, item.event_id, fingerprint, new)
                for reason in verdict.reason_codes:
                    await tallies.bump(
                        conn, uuid.UUID(actor.org.id), ctx.today(), f"offline_violation:{reason}"
                    )
                return Written(event, is_replay=False)
            known = row if row.id is not None else None
            refusal_id = await _record_refusal(conn, ctx, actor, known, item.scan, verdict)
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name != EVENT_ID_CONSTRAINT:
            raise
        return await replay_after_race(ctx, item.event_id, fingerprint)
    raise FillRefused(verdict, refusal_id)
