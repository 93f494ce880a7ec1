"""Find a cylinder by whatever identifies it: our code (bare or in our URL), a GRAI in any of
its three forms, a manufacturer + factory serial, or any other alias bound to it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db import cylinders as cyl_db
from service.domain.codes import (
    BadGrai,
    Grai,
    ManufacturerSerial,
    OwnCode,
    Scan,
    normalize_alias,
    normalize_manufacturer,
    normalize_serial,
    parse_scan,
)


async def find_cylinder(conn: AsyncConnection, text: str, own_hosts: frozenset[str]) -> tuple[Row[Any] | None, Scan]:
    scan = parse_scan(text, own_hosts)
    row: Row[Any] | None = None
    if isinstance(scan, OwnCode) and scan.is_valid:
        row = await cyl_db.get_by_code(conn, scan.code)
    elif isinstance(scan, Grai):
        row = await cyl_db.get_by_alias(conn, scan.key)
    elif isinstance(scan, ManufacturerSerial):
        row = await cyl_db.get_by_serial(
            conn, normalize_manufacturer(scan.manufacturer), normalize_serial(scan.serial)
        )
    if row is None and not isinstance(scan, (Grai, BadGrai)):
        # An old label's text may look like anything, even like one of our codes.
        row = await cyl_db.get_by_alias(conn, normalize_alias(text))
    return row, scan
