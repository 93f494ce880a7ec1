"""Labels for company admins: A4 sheets as PDF (marked printed), one label's QR as SVG or PNG.

Registered before the ``cylinders`` router, whose ``/cylinders/{code:path}`` would otherwise
take ``/cylinders/{code}/label.svg`` for a code with slashes in it.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from service.api.deps import Ctx, CurrentActor
from service.api.schemas.labels import MAX_LABELS, LabelsCreate
from service.domain.errors import InvalidInput
from service.use_cases import labels
from service.use_cases.labels import PrintedLabels, Selection

router = APIRouter(tags=["labels"])

NOT_STORED = {"Cache-Control": "no-store"}  # labels carry tags: no copies in caches
REFUSED: dict[int | str, dict[str, Any]] = {
    403: {"description": "the caller's role never prints labels (only company admins do)"},
    404: {"description": "no such gas company, or cylinder, among the caller's own"},
}
SHEET: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the labels as A4 sheets, 24 to a page (3 × 8 of 60 × 35 mm), "
        "in one PDF with its Chinese font embedded; they are now marked printed",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        "headers": {
            "X-Label-Count": {"description": "labels in the PDF", "schema": {"type": "integer"}},
            "X-Page-Count": {"description": "pages in the PDF", "schema": {"type": "integer"}},
        },
    },
    **REFUSED,
    422: {
        "description": "codes with a wrong check character (BAD_CODES), or more than "
        f"{MAX_LABELS} labels chosen (TOO_MANY_LABELS)"
    },
}
LabelCode = Annotated[str, Path(max_length=40, description="our cylinder code, or an alias")]


def _pdf(printed: PrintedLabels) -> Response:
    headers = {
        **NOT_STORED,
        "Content-Disposition": 'inline; filename="labels.pdf"',
        "X-Label-Count": str(len(printed.codes)),
        "X-Page-Count": str(printed.pages),
    }
    return Response(printed.pdf, media_type="application/pdf", headers=headers)


@router.get(
    "/labels.pdf",
    response_class=Response,
    responses=SHEET,
    summary="preview a company's label sheets (all, or those never printed); marks nothing",
    description="A GET changes nothing: a browser's prefetch or a retried download must not "
    "mark labels printed that never reached a printer. Print with `POST /labels`.",
)
async def get_label_sheets(
    ctx: Ctx,
    actor: CurrentActor,
    owner_id: Annotated[uuid.UUID, Query(description="the gas company (产权单位)")],
    unprinted: Annotated[
        bool, Query(description="only cylinders whose label was never printed")
    ] = False,
    limit: Annotated[
        int | None,
        Query(ge=1, le=MAX_LABELS, description="at most this many, in registration order"),
    ] = None,
) -> Response:
    selection = Selection(only_unprinted=unprinted, limit=limit or MAX_LABELS + 1)
    printed = await labels.print_labels(
        ctx, actor, owner_id, selection, max_labels=MAX_LABELS, mark=False
    )
    return _pdf(printed)


@router.post(
    "/labels",
    response_class=Response,
    responses=SHEET,
    summary="print label sheets: the listed codes in that order, or the next unprinted "
    "ones; marks them printed",
)
async def create_label_sheets(body: LabelsCreate, ctx: Ctx, actor: CurrentActor) -> Response:
    if (body.codes is None) == (not body.unprinted):
        raise InvalidInput(
            "CODES_OR_UNPRINTED",
            "须且只能给出 codes 或 unprinted / give either codes or unprinted: true",
        )
    if body.codes is not None:
        selection = Selection(codes=tuple(body.codes))
    else:
        selection = Selection(only_unprinted=True, limit=body.limit or MAX_LABELS + 1)
    return _pdf(
        await labels.print_labels(ctx, actor, body.owner_id, selection, max_labels=MAX_LABELS)
    )


@router.get(
    "/cylinders/{code}/label.svg",
    response_class=Response,
    responses={
        200: {
            "description": "the label's QR with its quiet zone, at printed size (mm)",
            "content": {"image/svg+xml": {"schema": {"type": "string"}}},
        },
        **REFUSED,
    },
    summary="one label's QR as SVG (not marked printed)",
)
async def get_label_svg(code: LabelCode, ctx: Ctx, actor: CurrentActor) -> Response:
    svg = await labels.label_svg(ctx, actor, code)
    return Response(svg, media_type="image/svg+xml", headers=NOT_STORED)


@router.get(
    "/cylinders/{code}/label.png",
    response_class=Response,
    responses={
        200: {
            "description": "the label's QR with its quiet zone; its resolution (pHYs) "
            "prints it at the sheet's module size",
            "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
        },
        **REFUSED,
    },
    summary="one label's QR as PNG (not marked printed)",
)
async def get_label_png(
    code: LabelCode,
    ctx: Ctx,
    actor: CurrentActor,
    scale: Annotated[int, Query(ge=1, le=40, description="pixels per module")] = 10,
) -> Response:
    png = await labels.label_png(ctx, actor, code, scale=scale)
    return Response(png, media_type="image/png", headers=NOT_STORED)
