from __future__ import annotations

import gc
from pathlib import Path

import httpx

from service.app import create_app
from service.settings import Settings
from tests.factories import cylinder_body
from tests.world import World


async def test_registers_and_reads_a_cylinder(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/api/v1/cylinders",
        json=cylinder_body(world, manufactured_on="2022-03-01"),
        headers=world.headers("company_admin_a"),
    )
    assert response.status_code == 201, response.text
    code = response.json()["code"]
    got = await client.get(f"/api/v1/cylinders/{code}", headers=world.headers("filler_a1"))
    assert got.status_code == 200, got.text
    assert got.json()["next_inspection_due"] == "2026-03-01"


async def test_a_served_app_freezes_its_start_up_heap(clean_db: str, tmp_path: Path) -> None:
    """The start-up heap (~140,000 objects) is moved out of the collector's reach once the app
    is up: full collections of it took over 70 ms and landed in the fill gate's p99."""
    gc.unfreeze()
    app = create_app(Settings(database_url=clean_db, data_dir=tmp_path))
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
