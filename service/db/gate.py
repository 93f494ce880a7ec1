"""The fill gate's snapshot: the cylinder (found by code, alias or serial), the station, the
operator, whether any blacklist entry matches and whether an entrustment applies, in ONE
statement, one round trip. ``lock=True`` (recording a fill) also takes the cylinder's row
lock, so fills on one cylinder are serialised and see each other's results."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db.cylinders import TARGET as _TARGET
from service.db.cylinders import Lookup, lookup_params

_CYLINDER_FACTS = """
    c.*,
    o.name AS owner_name,
    o.region_code AS owner_region_code,
    (EXISTS (SELECT 1 FROM blacklist b
              WHERE b.lifted_at IS NULL AND b.kind = 'code' AND b.cylinder_id = c.id)
     OR EXISTS (SELECT 1 FROM blacklist b
              WHERE b.lifted_at IS NULL AND b.kind = 'batch'
                AND b.manufacturer_key = c.manufacturer_key AND b.batch = c.batch)
     OR EXISTS (SELECT 1 FROM blacklist b
              WHERE b.lifted_at IS NULL AND b.kind = 'model' AND b.model = c.model)
    ) AS is_blacklisted,
    EXISTS (SELECT 1 FROM entrustment e
             WHERE e.owner_id = c.owner_id AND e.station_id = s.id AND e.revoked_at IS NULL
               AND CAST(:today AS date) BETWEEN e.valid_from AND e.valid_until) AS is_entrusted
"""

_STATION_FACTS = """
    s.id AS s_id, s.kind AS s_kind, s.company_id AS s_company_id, s.license_no AS s_license_no,
    s.license_expires_on AS s_license_expires_on,
    s.is_license_suspended AS s_is_license_suspended, s.is_locked AS s_is_locked,
    u.certificate_no AS u_certificate_no, u.certificate_expires_on AS u_certificate_expires_on
"""

SNAPSHOT = text(f"""
SELECT {_STATION_FACTS}, {_CYLINDER_FACTS}
  FROM organization s
  JOIN app_user u ON u.id = :user_id
  LEFT JOIN cylinder c ON c.id = ({_TARGET})
  LEFT JOIN organization o ON o.id = c.owner_id
 WHERE s.id = :station_id
""")  # noqa: S608  (constant fragments, no user input)

LOCKED_SNAPSHOT = text(f"""
SELECT {_STATION_FACTS}, {_CYLINDER_FACTS}
  FROM cylinder c
  JOIN organization s ON s.id = :station_id
  JOIN app_user u ON u.id = :user_id
  JOIN organization o ON o.id = c.owner_id
 WHERE c.id = ({_TARGET})
   FOR UPDATE OF c
""")  # noqa: S608


async def snapshot(
    conn: AsyncConnection,
    lookup: Lookup,
    *,
    station_id: uuid.UUID,
    user_id: uuid.UUID,
    today: date,
    lock: bool = False,
) -> Row[Any] | None:
    params = {
        **lookup_params(lookup),
        "station_id": station_id,
        "user_id": user_id,
        "today": today,
    }
    return (await conn.execute(LOCKED_SNAPSHOT if lock else SNAPSHOT, params)).first()
