"""What anyone may see of a cylinder (the public page, and another company's cylinder at the
gate): its legal state, never personal data (no customer, no operator, no phone)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from service.use_cases.context import Context


def public_view(
    ctx: Context, row: Row[Any], *, owner_name: str | None, aliases: list[str] | None
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
