"""The fill gate's snapshot: the cylinder (found by code, alias or serial), the station, the
operator, whether any blacklist entry matches and whether an entrustment applies, in ONE
statement, one round trip."""

from __future__ import annotations

import uuid
from datetime import date

from service.db.cylinders import TARGET, Lookup, lookup_params
from service.db.engine import RawConnection, Record, positional

# Whether any active blacklist entry (by code, batch or model) names cylinder ``c``; the
# public page asks the same question with this same fragment.
IS_BLACKLISTED = """
    (EXISTS (SELECT 1 FROM blacklist b
              WHERE b.lifted_at IS NULL AND b.kind = 'code' AND b.cylinder_id = c.id)
     OR EXISTS (SELECT 1 FROM blacklist b
              WHERE b.lifted_at IS NULL AND b.kind = 'batch'
                AND b.manufacturer_key = c.manufacturer_key AND b.batch = c.batch)
     OR EXISTS (SELECT 1 FROM blacklist b
              WHERE b.lifted_at IS NULL AND b.kind = 'model' AND b.model = c.model)
    )
"""

_CYLINDER_FACTS = f"""
    c.*,
    o.name AS owner_name,
    o.region_code AS owner_region_code,
    {IS_BLACKLISTED} AS is_blacklisted,
    EXISTS (SELECT 1 FROM entrustment e
             WHERE e.owner_id = c.owner_id AND e.station_id = s.id AND e.revoked_at IS NULL
               AND CAST(:today AS date) BETWEEN e.valid_from AND e.valid_until) AS is_entrusted
"""  # noqa: S608  (constant fragments, no user input)

_STATION_FACTS = """
    s.id AS s_id, s.kind AS s_kind, s.company_id AS s_company_id, s.license_no AS s_license_no,
    s.license_expires_on AS s_license_expires_on,
    s.is_license_suspended AS s_is_license_suspended, s.is_locked AS s_is_locked,
    u.certificate_no AS u_certificate_no, u.certificate_expires_on AS u_certificate_expires_on,
    (SELECT request_hash FROM event WHERE event_id = CAST(:event_id AS uuid)) AS replay_hash
"""

GATE_SNAPSHOT = positional(f"""
SELECT {_STATION_FACTS}, {_CYLINDER_FACTS}
  FROM organization s
  JOIN app_user u ON u.id = :user_id
  LEFT JOIN cylinder c ON c.id = ({TARGET})
  LEFT JOIN organization o ON o.id = c.owner_id
 WHERE s.id = :station_id
""")  # noqa: S608  (constant fragments, no user input)


async def snapshot(
    conn: RawConnection,
    lookup: Lookup,
    *,
    station_id: uuid.UUID,
    user_id: uuid.UUID,
    today: date,
    event_id: uuid.UUID | None = None,
) -> Record | None:
    """``conn`` is an asyncpg connection (the hot path skips SQLAlchemy). The caller's lock, if any, is taken before this (see ``use_cases.fill``).
    ``replay_hash`` is set when ``event_id`` is already stored (an idempotent retry)."""
    params = {
        **lookup_params(lookup),
        "station_id": station_id,
        "user_id": user_id,
        "today": today,
        "event_id": event_id,
    }
    record: Record | None = await conn.fetchrow(
        GATE_SNAPSHOT.sql, *GATE_SNAPSHOT.args(params), record_class=Record
    )
    return record
