"""From what a scanner read (or a person typed) to how to find the cylinder, and what the
read says about the label: scanned from a tagged label, typed, another identifier, or bad."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db import cylinders as cyl_db
from service.db import organizations as org_db
from service.db.cylinders import Lookup
from service.db.snapshots import org_ref
from service.domain.access import OrgRef
from service.domain.codes import (
    BadGrai,
    Grai,
    ManufacturerSerial,
    OwnCode,
    normalize_alias,
    normalize_manufacturer,
    normalize_serial,
    parse_scan,
)
from service.domain.errors import NotFound
from service.domain.gate import ScanKind
from service.use_cases.context import Context

NOT_FOUND = "气瓶不存在或无权查看 / no such cylinder in your scope"


@dataclass(frozen=True, slots=True)
class Resolution:
    lookup: Lookup
    kind: ScanKind
    code: str | None  # our code, when the scan named one
    is_bad_code: bool  # looked like ours (or a GRAI) but its check failed
    is_bad_tag: bool  # our URL, with a wrong or missing tag


def resolve(ctx: Context, text: str) -> Resolution:
    scan = parse_scan(text, ctx.own_hosts)
    raw_key = normalize_alias(text)
    if isinstance(scan, OwnCode):
        kind = ScanKind.TYPED if scan.is_typed else ScanKind.LABEL
        if not scan.is_valid:
            return Resolution(Lookup(alias_key=raw_key), kind, None, True, False)
        bad_tag = not scan.is_typed and not ctx.verify_tag(scan.code, scan.tag)
        return Resolution(
            Lookup(code=scan.code, alias_key=raw_key), kind, scan.code, False, bad_tag
        )
    if isinstance(scan, Grai):
        return Resolution(Lookup(alias_key=scan.key), ScanKind.ALIAS, None, False, False)
    if isinstance(scan, BadGrai):
        return Resolution(Lookup(), ScanKind.ALIAS, None, True, False)
    if isinstance(scan, ManufacturerSerial):
        lookup = Lookup(
            alias_key=raw_key,
            manufacturer_key=normalize_manufacturer(scan.manufacturer),
            serial_key=normalize_serial(scan.serial),
        )
        return Resolution(lookup, ScanKind.TYPED, None, False, False)
    return Resolution(Lookup(alias_key=scan.key), ScanKind.ALIAS, None, False, False)


async def find_in_scope(
    conn: AsyncConnection,
    ctx: Context,
    text: str,
    may_see: Callable[[OrgRef], bool],
    *,
    lock: bool = False,
    missing: str = NOT_FOUND,
) -> Row[Any]:
    """The cylinder ``text`` names (its row locked with ``lock``), if the caller may see its
    owner (``may_see``). One 404 for a cylinder that does not exist and for one outside the
    caller's scope: its existence is not revealed."""
    row = await cyl_db.find(conn, resolve(ctx, text).lookup, lock=lock)
    owner = await org_db.get_org(conn, row.owner_id) if row is not None else None
    if row is None or owner is None or not may_see(org_ref(owner)):
        raise NotFound(missing)
    return row
