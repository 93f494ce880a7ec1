"""What others may see of a cylinder: its legal state, never personal data (no customer, no
operator, no phone).

* ``read_public``: the public page and its JSON, for anyone, without a token. Not even an
  internal id: only what is printed on or stamped into the cylinder, its dates, the owner's
  and the last filling station's names, and the fill gate's verdict as a status.
* ``foreign_cylinder_view``: another company's cylinder as a filler sees it at the gate
  (signed in): no serial, no weights, no aliases.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from service.db import public as public_db
from service.db.engine import AnyRow
from service.db.snapshots import cylinder_snapshot
from service.domain.clock import local_date
from service.domain.codes import canonical_code, has_valid_check
from service.domain.errors import NotFound
from service.domain.gate import GateConfig
from service.domain.public_status import public_status
from service.domain.reasons import Finding
from service.use_cases.context import Context


@dataclass(frozen=True, slots=True)
class SightingView:
    at: datetime
    station_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class ForeignCylinderView:
    """Another company's cylinder, at the gate: what is on its body, its owner and dates."""

    code: str
    model: str
    manufacturer: str
    manufactured_on: date
    owner_id: uuid.UUID
    owner_name: str | None
    status: str
    next_inspection_due: date
    scrap_on: date
    last_fill: SightingView | None


def foreign_cylinder_view(row: AnyRow) -> ForeignCylinderView:
    """A cylinder row with its ``owner_name`` (the gate's snapshot)."""
    last_fill = SightingView(row.last_fill_at, row.last_fill_org_id) if row.last_fill_at else None
    return ForeignCylinderView(
        code=row.code,
        model=row.model,
        manufacturer=row.manufacturer,
        manufactured_on=row.manufactured_on,
        owner_id=row.owner_id,
        owner_name=row.owner_name,
        status=row.status,
        next_inspection_due=row.next_inspection_due,
        scrap_on=row.scrap_on,
        last_fill=last_fill,
    )


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


@dataclass(frozen=True, slots=True)
class PublicLastFillView:
    station_name: str | None
    filled_on: date  # in the deployment's zone


@dataclass(frozen=True, slots=True)
class PublicCylinderView:
    """What anyone may read about a cylinder (the public page and its JSON)."""

    code: str
    status: str
    status_zh: str
    status_en: str
    reasons: tuple[Finding, ...]
    notices: tuple[Finding, ...]
    label_verified: bool | None
    model: str
    manufacturer: str
    owner_name: str
    manufactured_on: date
    next_inspection_due: date
    scrap_on: date
    last_fill: PublicLastFillView | None
    as_of: date


async def read_public(ctx: Context, code_text: str, tag: str | None = None) -> PublicCylinderView:
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
        last_fill = PublicLastFillView(
            row.last_fill_station_name, local_date(row.last_fill_at, ctx.zone)
        )
    return PublicCylinderView(
        code=row.code,
        status=status.code,
        status_zh=status.zh,
        status_en=status.en,
        reasons=status.reasons,
        notices=status.notices,
        label_verified=label_state(ctx, code, tag),
        model=row.model,
        manufacturer=row.manufacturer,
        owner_name=row.owner_name,
        manufactured_on=row.manufactured_on,
        next_inspection_due=row.next_inspection_due,
        scrap_on=row.scrap_on,
        last_fill=last_fill,
        as_of=today,
    )
