"""Printing labels (打印标签): choose an owner's cylinders, render the sheets, mark them printed.

Who: platform admins for any owner, company admins for their own company (``access``);
every other role is refused outright (403), and a company admin naming another company, or
codes that are not its own, is told they do not exist (404).

One transaction holds the selection, the rendering and the marking of ``label_printed_at``,
so a render that fails marks nothing, and "unprinted" always means what was never printed.
Runs for one owner take turns (an advisory lock), so two people asking for the unprinted
labels at the same moment never both print the same ones: the second gets what is left.
"""

from __future__ import annotations

import asyncio
import logging
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db import labels as label_db
from service.db import organizations as org_db
from service.db.snapshots import org_ref
from service.domain import access
from service.domain.access import Actor, OrgKind, require_role
from service.domain.codes import canonical_code, format_code, has_valid_check
from service.domain.errors import FieldError, InvalidInput, NotFound
from service.labels import qr
from service.labels.sheet import DEFAULT_SHEET, Label, SheetSpec, render_sheets
from service.use_cases.context import Context
from service.use_cases.lookup import find_in_scope

log = logging.getLogger("cylinders.labels")

NO_OWNER = "没有这家燃气企业 / no such gas company in your scope"
NO_CYLINDER = "气瓶不存在或无权打印标签 / no such cylinder whose label you may print"


@dataclass(frozen=True, slots=True)
class Selection:
    """All of the owner's cylinders, only the unprinted ones, or the listed codes (printed
    in the order listed). ``limit`` caps the first two; they go in registration order."""

    codes: tuple[str, ...] | None = None
    only_unprinted: bool = False
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class PrintedLabels:
    pdf: bytes
    codes: list[str]
    pages: int


ONLY_LABEL_PRINTERS = "只有企业管理员可以打印标签 / only company admins print labels"


async def _owner(conn: AsyncConnection, actor: Actor, owner_id: uuid.UUID) -> Row[Any]:
    owner = await org_db.get_org(conn, owner_id)
    if (
        owner is None
        or owner.kind != OrgKind.COMPANY
        or not access.can_print_labels(actor, org_ref(owner))
    ):
        raise NotFound(NO_OWNER, "OWNER_NOT_FOUND")
    return owner


def canonical_codes(codes: tuple[str, ...]) -> list[str]:
    """Codes as people write them (``7KQM 4XR9 2TB``), canonical and without repeats; a
    422 naming every one whose check character is wrong."""
    if not codes:
        raise InvalidInput("NO_CODES", "没有给出气瓶码 / no codes given")
    seen: dict[str, None] = {}
    errors = []
    for index, raw in enumerate(codes):
        code = canonical_code(raw)
        if not has_valid_check(code):
            errors.append(
                FieldError(
                    ["codes", index], "BAD_CODE", f"不是有效的气瓶码 / not a valid code: {raw!r}"
                )
            )
        seen.setdefault(code, None)
    if errors:
        raise InvalidInput("BAD_CODES", f"{len(errors)} 个码无效 / invalid codes", errors)
    return list(seen)


async def _select(
    conn: AsyncConnection, owner_id: uuid.UUID, selection: Selection
) -> list[tuple[int, str]]:
    if selection.codes is None:
        return await label_db.owner_cylinders(
            conn, owner_id, only_unprinted=selection.only_unprinted, limit=selection.limit
        )
    if selection.only_unprinted:
        raise InvalidInput(
            "CONFLICTING_SELECTION",
            "给出码时不能再选未打印 / codes and unprinted exclude each other",
        )
    codes = canonical_codes(selection.codes)
    owned = await label_db.owned_codes(conn, owner_id, codes)
    missing = [
        FieldError(["codes", i], "NOT_FOUND", c) for i, c in enumerate(codes) if c not in owned
    ]
    if missing:
        error = NotFound(
            f"{len(missing)} 个码不属于该企业 / {len(missing)} codes not found", "CODES_NOT_FOUND"
        )
        error.errors = missing
        raise error
    return [(owned[code], code) for code in codes]


async def print_labels(
    ctx: Context,
    actor: Actor,
    owner_id: uuid.UUID,
    selection: Selection,
    *,
    spec: SheetSpec = DEFAULT_SHEET,
    max_labels: int | None = None,
    on_label: Callable[[int, int], None] | None = None,
    mark: bool = True,
) -> PrintedLabels:
    """Render the chosen labels as one PDF and (``mark``) mark them printed, all or nothing.
    More than ``max_labels`` is refused, not cut short. The rendering runs in a worker
    thread: the event loop keeps serving meanwhile."""
    require_role(actor, *access.LABEL_PRINTERS, detail=ONLY_LABEL_PRINTERS)
    async with ctx.engine.begin() as conn:
        owner = await _owner(conn, actor, owner_id)
        await label_db.lock_owner_labels(conn, owner_id)
        chosen = await _select(conn, owner_id, selection)
        if not chosen:
            raise NotFound("没有要打印的标签 / no labels to print", "NOTHING_TO_PRINT")
        if max_labels is not None and len(chosen) > max_labels:
            raise InvalidInput(
                "TOO_MANY_LABELS",
                f"一次最多 {max_labels} 张，请分批（unprinted 加 limit）或用命令行 / "
                f"at most {max_labels} labels at once: print in batches (unprinted with a "
                "limit), or use the command line",
            )
        labels = [Label(code, ctx.qr_payload(code), owner.name) for _, code in chosen]
        title = f"气瓶标签 / cylinder labels: {owner.name}"
        pdf = await asyncio.to_thread(render_sheets, labels, spec, title=title, on_label=on_label)
        if mark:
            await label_db.mark_printed(conn, [c for c, _ in chosen], ctx.clock())
    log.info("labels printed: owner=%s count=%d by=%s", owner_id, len(chosen), actor.user_id)
    pages = math.ceil(len(chosen) / spec.per_page)
    return PrintedLabels(pdf, [code for _, code in chosen], pages)


async def _printable(ctx: Context, actor: Actor, text: str) -> tuple[str, str]:
    """The code and QR payload of one cylinder the caller may print a label for."""
    require_role(actor, *access.LABEL_PRINTERS, detail=ONLY_LABEL_PRINTERS)
    may_print = partial(access.can_print_labels, actor)
    async with ctx.engine.connect() as conn:
        row = await find_in_scope(conn, ctx, text, may_print, missing=NO_CYLINDER)
    return row.code, ctx.qr_payload(row.code)


async def label_svg(ctx: Context, actor: Actor, text: str) -> bytes:
    """One label's QR as SVG, at its printed size. A download is not a print: it does not
    mark the label printed."""
    code, payload = await _printable(ctx, actor, text)
    return qr.symbol_svg(payload, title=format_code(code))


async def label_png(ctx: Context, actor: Actor, text: str, scale: int = qr.PNG_SCALE) -> bytes:
    _, payload = await _printable(ctx, actor, text)
    return qr.symbol_png(payload, scale=scale)
