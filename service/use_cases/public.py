"""What others may see of a cylinder: its legal state, never personal data (no customer, no
operator, no phone).

* ``read_public``: the public page and its JSON, for anyone, without a token. Not even an
  internal id: only what is printed on or stamped into the cylinder, its dates, the owner's
  and the last filling station's names, and the fill gate's verdict as a status.
* ``public_view``: another company's cylinder as a filler sees it at the gate (signed in).
"""

from __future__ import annotations

from typing import Any

from service.db import public as public_db
from service.db.engine import AnyRow
from service.db.snapshots import cylinder_snapshot
from service.domain.clock import local_date
from service.domain.codes import canonical_code, has_valid_check
from service.domain.errors import NotFound
from service.domain.gate import GateConfig
from service.domain.public_status import public_status
from service.use_cases.context import Context


def public_view(
    ctx: Context, row: AnyRow, *, owner_name: str | None, aliases: list[str] | None
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "code": row.code,
        "model": row.model,
        "manufacturer": row.manufacturer,
        "manufactured_on": row.manufactured_on,
        "owner_id": row.owner_id,
        "owner_name": owner_name,
        "status": row.status,
        "next_inspection_due": row.next_inspection_due,
        "scrap_on": row.scrap_on,
        "last_fill": {"at": row.last_fill_at, "station_id": row.last_fill_org_id}
        if row.last_fill_at
        else None,
    }
    if aliases is not None:
        view["aliases"] = aliases
    return view


# --- the public page (公众查询): GET /c/{code}[/{tag}] and /api/v1/public/cylinders/{code} ---

NOT_REGISTERED = "未登记：没有以此编号登记的气瓶 / not registered: no cylinder has this code"
NOT_A_CODE = "编号无效：不是本系统的气瓶编号 / not a valid cylinder code"
# Longer than any code even with spaces and dashes typed in: refused before any parsing.
MAX_TYPED_CODE = 40


def parse_public_code(text: str) -> str:
    """The canonical code from a URL path segment, or NotFound: a page for a code that cannot
    exist is a 404 like any unknown page, never a 500 or a 422."""
    code = canonical_code(text) if len(text) <= MAX_TYPED_CODE else ""
    if not has_valid_check(code):
        raise NotFound(NOT_A_CODE, code="INVALID_CODE")
    return code


def label_state(ctx: Context, code: str, tag: str | None) -> bool | None:
    """True: the tag is one we issued for this code. False: a tag we did not issue (a forged,
    copied or misprinted label). None: no tag at all (a code typed from the label's text)."""
    if not tag:
        return None
    return ctx.verify_tag(code, canonical_code(tag[:MAX_TYPED_CODE]))


async def read_public(ctx: Context, code_text: str, tag: str | None = None) -> dict[str, Any]:
    """What anyone may read about the cylinder ``code_text`` names: its legal status as the
    fill gate sees it today (the date in the deployment's zone, from the injected clock),
    its dates, owner company and last filling station. No person's data, no ids."""
    code = parse_public_code(code_text)
    async with ctx.engine.connect() as conn:
        row = await public_db.public_facts(conn, code)
    if row is None:
        raise NotFound(NOT_REGISTERED, code="UNKNOWN_CODE")
    today = ctx.today()
    status = public_status(
        cylinder_snapshot(row, with_recent=False),
        GateConfig(models=ctx.models, zone=ctx.zone),
        today,
    )
    last_fill = None
    if row.last_fill_at is not None:
        last_fill = {
            "station_name": row.last_fill_station_name,
            "filled_on": local_date(row.last_fill_at, ctx.zone),
        }
    return {
        "code": row.code,
        "status": status.code,
        "status_zh": status.zh,
        "status_en": status.en,
        "reasons": [r.as_dict() for r in status.reasons],
        "notices": [n.as_dict() for n in status.notices],
        "label_verified": label_state(ctx, code, tag),
        "model": row.model,
        "manufacturer": row.manufacturer,
        "owner_name": row.owner_name,
        "manufactured_on": row.manufactured_on,
        "next_inspection_due": row.next_inspection_due,
        "scrap_on": row.scrap_on,
        "last_fill": last_fill,
        "as_of": today,
    }
