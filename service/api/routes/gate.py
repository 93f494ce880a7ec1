"""The fill gate: ``/fill-checks``, ``/fills``, ``/reweighs``."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from service.api.deps import Ctx, CurrentActor
from service.api.responses import REPLAY, json_response, written
from service.api.schemas.events import EventRead
from service.api.schemas.gate import FillCheckCreate, FillCheckRead, FillCreate, ReweighCreate
from service.domain.errors import InvalidInput
from service.use_cases import fill, lifecycle

router = APIRouter(tags=["fill gate"])


@router.post(
    "/fill-checks", response_model=FillCheckRead, summary="ALLOW or REFUSE, before every fill"
)
async def create_fill_check(body: FillCheckCreate, ctx: Ctx, actor: CurrentActor) -> Response:
    result = await fill.check(ctx, actor, body.scan)
    return json_response(
        {
            "verdict": "allow" if result.verdict.is_allowed else "refuse",
            "code": result.code,
            "reasons": [r.as_dict() for r in result.verdict.reasons],
            "warnings": [w.as_dict() for w in result.verdict.warnings],
            "cylinder": result.cylinder,
            "check_id": result.check_id,
        }
    )


@router.post(
    "/fills",
    status_code=status.HTTP_201_CREATED,
    response_model=EventRead,
    responses={**REPLAY, 409: {"description": "FILL_REFUSED with the reasons, or EVENT_ID_REUSED"}},
)
async def create_fill(body: FillCreate, ctx: Ctx, actor: CurrentActor) -> Response:
    if (body.scan is None) == (body.code is None):
        raise InvalidInput(
            "SCAN_OR_CODE", "须且只能给出 scan 或 code 之一 / give exactly one of scan, code"
        )
    item = fill.FillInput(
        event_id=body.event_id,
        scan=body.scan or body.code or "",
        net_kg=body.net_kg,
        filled_at=body.filled_at,
        gross_kg=body.gross_kg,
        check_id=body.check_id,
        post_checks=body.post_checks.model_dump(exclude_none=True) if body.post_checks else None,
        offline=body.offline.model_dump(mode="json") if body.offline else None,
    )
    return written(await fill.record_fill(ctx, actor, item, body.model_dump(mode="json")))


@router.post(
    "/reweighs",
    status_code=status.HTTP_201_CREATED,
    response_model=EventRead,
    responses=REPLAY,
    summary="复称: release a cylinder held for overfill or leak",
)
async def create_reweigh(body: ReweighCreate, ctx: Ctx, actor: CurrentActor) -> Response:
    item = lifecycle.ReweighInput(body.event_id, body.code, body.net_kg, body.leak_ok)
    return written(await lifecycle.record_reweigh(ctx, actor, item, body.model_dump(mode="json")))
