"""The label endpoints over HTTP: a sheet printed and scanned back, single labels, and a
role × endpoint table of who may print what."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from service.api.routes import labels as label_routes
from service.app import create_app
from service.domain.codes import format_code
from service.labels.sheet import DEFAULT_SHEET
from service.settings import Settings
from service.use_cases.context import Context
from tests.access import Call, Matrix, assert_cell, cells
from tests.factories import register_many
from tests.labels.raster import crop, decode_qr, rasterise
from tests.world import World

API = "/api/v1"


async def test_a_printed_sheet_scans_back_to_exactly_the_labels_asked_for(
    client: httpx.AsyncClient, ctx: Context, world: World, tmp_path: Path
) -> None:
    """30 labels, two pages, printed at 300 dpi: every QR on every page is read, and what
    is read is the set of payloads the service issues for those cylinders, each once, each
    in its own cell, in registration order."""
    codes = await register_many(ctx, world, 30)
    response = await client.get(
        f"{API}/labels.pdf",
        params={"owner_id": str(world.orgs["company_a"]), "unprinted": "true"},
        headers=world.headers("company_admin_a"),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert (response.headers["x-label-count"], response.headers["x-page-count"]) == ("30", "2")
    pages = rasterise(response.content, tmp_path)
    assert len(pages) == 2

    wanted = [ctx.qr_payload(code) for code in codes]
    read = [text for page in pages for text in decode_qr(page)]
    assert sorted(read) == sorted(wanted)
    by_cell = [decode_qr(crop(pages[box.page], box)) for box in map(DEFAULT_SHEET.box, range(48))]
    assert by_cell == [[payload] for payload in wanted] + [[]] * 18


async def test_posted_codes_print_in_the_posted_order(
    client: httpx.AsyncClient, ctx: Context, world: World, tmp_path: Path
) -> None:
    codes = await register_many(ctx, world, 3)
    body = {"owner_id": str(world.orgs["company_a"]), "codes": [format_code(codes[2]), codes[0]]}
    response = await client.post(
        f"{API}/labels", json=body, headers=world.headers("company_admin_a")
    )
    assert response.status_code == 200, response.text
    (page,) = rasterise(response.content, tmp_path)
    assert [decode_qr(crop(page, DEFAULT_SHEET.box(i))) for i in range(3)] == [
        [ctx.qr_payload(codes[2])],
        [ctx.qr_payload(codes[0])],
        [],
    ]


async def test_nothing_left_to_print_is_a_404_problem(
    client: httpx.AsyncClient, ctx: Context, world: World
) -> None:
    await register_many(ctx, world, 1)
    params = {"owner_id": str(world.orgs["company_a"]), "unprinted": "true"}
    headers = world.headers("company_admin_a")
    # Previews mark nothing: the same sheet comes back.
    for _ in range(2):
        assert (await client.get(f"{API}/labels.pdf", params=params, headers=headers)).is_success
    body = {"owner_id": params["owner_id"], "unprinted": True}
    assert (await client.post(f"{API}/labels", json=body, headers=headers)).is_success
    again = await client.post(f"{API}/labels", json=body, headers=headers)
    assert again.status_code == 404
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["code"] == "NOTHING_TO_PRINT"


async def test_more_than_a_request_may_hold_is_refused_whole(
    client: httpx.AsyncClient, ctx: Context, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    await register_many(ctx, world, 3)
    monkeypatch.setattr(label_routes, "MAX_LABELS", 2)
    params = {"owner_id": str(world.orgs["company_a"]), "unprinted": "true"}
    headers = world.headers("company_admin_a")
    refused = await client.get(f"{API}/labels.pdf", params=params, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["code"] == "TOO_MANY_LABELS"
    batch = await client.get(f"{API}/labels.pdf", params={**params, "limit": 2}, headers=headers)
    assert batch.headers["x-label-count"] == "2"


async def test_a_wrong_check_character_is_a_422_naming_the_code(
    client: httpx.AsyncClient, world: World
) -> None:
    body = {"owner_id": str(world.orgs["company_a"]), "codes": ["7KQM 4XR9 2TA"]}
    response = await client.post(
        f"{API}/labels", json=body, headers=world.headers("company_admin_a")
    )
    assert response.status_code == 422
    assert response.json()["code"] == "BAD_CODES"
    assert response.json()["errors"][0]["loc"] == ["codes", 0]


async def test_one_label_as_png_and_svg(
    client: httpx.AsyncClient, ctx: Context, world: World
) -> None:
    (code,) = await register_many(ctx, world, 1)
    headers = world.headers("company_admin_a")
    png = await client.get(f"{API}/cylinders/{code}/label.png?scale=6", headers=headers)
    assert png.headers["content-type"] == "image/png"
    assert png.headers["cache-control"] == "no-store"
    image = np.asarray(Image.open(io.BytesIO(png.content)).convert("L"))
    assert decode_qr(image) == [ctx.qr_payload(code)]

    svg = await client.get(f"{API}/cylinders/{format_code(code)}/label.svg", headers=headers)
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.startswith("<?xml")
    assert f"<title>{format_code(code)}</title>" in svg.text
    # A download is not a print: the sheet of unprinted labels still holds this one.
    sheet = await client.get(
        f"{API}/labels.pdf",
        params={"owner_id": str(world.orgs["company_a"]), "unprinted": "true"},
        headers=headers,
    )
    assert sheet.headers["x-label-count"] == "1"


def test_openapi_describes_the_binary_responses() -> None:
    app = create_app(Settings(database_url="postgresql://unused/unused"))
    paths = app.openapi()["paths"]
    for path, method, media in [
        ("/api/v1/labels.pdf", "get", "application/pdf"),
        ("/api/v1/labels", "post", "application/pdf"),
        ("/api/v1/cylinders/{code}/label.svg", "get", "image/svg+xml"),
        ("/api/v1/cylinders/{code}/label.png", "get", "image/png"),
    ]:
        ok = paths[path][method]["responses"]["200"]
        assert media in ok["content"], (path, ok)
        assert ok["description"]
        assert {"403", "404"} <= set(paths[path][method]["responses"])


# --- who may print what ----------------------------------------------------------------------


def sheet(owner: str) -> Call:
    async def case(c: httpx.AsyncClient, w: World, x: Context, h: dict[str, str]) -> httpx.Response:
        await register_many(x, w, 1, company=owner)
        return await c.get(f"{API}/labels.pdf", params={"owner_id": str(w.orgs[owner])}, headers=h)

    return case


def listed(owner: str) -> Call:
    async def case(c: httpx.AsyncClient, w: World, x: Context, h: dict[str, str]) -> httpx.Response:
        codes = await register_many(x, w, 1, company=owner)
        body = {"owner_id": str(w.orgs[owner]), "codes": codes}
        return await c.post(f"{API}/labels", json=body, headers=h)

    return case


def someone_elses_code_under_own_name() -> Call:
    async def case(c: httpx.AsyncClient, w: World, x: Context, h: dict[str, str]) -> httpx.Response:
        codes = await register_many(x, w, 1, company="company_b")
        body = {"owner_id": str(w.orgs["company_a"]), "codes": codes}
        return await c.post(f"{API}/labels", json=body, headers=h)

    return case


def single(owner: str, kind: str) -> Call:
    async def case(c: httpx.AsyncClient, w: World, x: Context, h: dict[str, str]) -> httpx.Response:
        (code,) = await register_many(x, w, 1, company=owner)
        return await c.get(f"{API}/cylinders/{code}/label.{kind}", headers=h)

    return case


#            anon bad  admin cadm fill deliv insp  reg  far
MATRIX: Matrix = {
    "GET /labels.pdf (own)": (sheet("company_a"), (401, 401, 200, 200, 403, 403, 403, 403, 403)),
    "GET /labels.pdf (other)": (sheet("company_b"), (401, 401, 200, 404, 403, 403, 403, 403, 403)),
    "GET /labels.pdf (far)": (sheet("company_far"), (401, 401, 200, 404, 403, 403, 403, 403, 403)),
    "POST /labels (own)": (listed("company_a"), (401, 401, 200, 200, 403, 403, 403, 403, 403)),
    "POST /labels (other)": (listed("company_b"), (401, 401, 200, 404, 403, 403, 403, 403, 403)),
    "POST /labels (other's code, own company)": (
        someone_elses_code_under_own_name(),
        (401, 401, 404, 404, 403, 403, 403, 403, 403),
    ),
    "GET /cylinders/{own}/label.svg": (
        single("company_a", "svg"),
        (401, 401, 200, 200, 403, 403, 403, 403, 403),
    ),
    "GET /cylinders/{other}/label.svg": (
        single("company_b", "svg"),
        (401, 401, 200, 404, 403, 403, 403, 403, 403),
    ),
    "GET /cylinders/{own}/label.png": (
        single("company_a", "png"),
        (401, 401, 200, 200, 403, 403, 403, 403, 403),
    ),
    "GET /cylinders/{far}/label.png": (
        single("company_far", "png"),
        (401, 401, 200, 404, 403, 403, 403, 403, 403),
    ),
}


@pytest.mark.parametrize(("call", "role", "expected"), cells(MATRIX))
async def test_who_may_print(
    client: httpx.AsyncClient, world: World, ctx: Context, call: Call, role: str, expected: int
) -> None:
    await assert_cell(client, world, ctx, call, role, expected)


@pytest.mark.parametrize("extra", [{}, {"codes": ["X"], "unprinted": True}])
async def test_printing_needs_either_codes_or_unprinted(
    client: httpx.AsyncClient, world: World, extra: dict[str, object]
) -> None:
    body = {"owner_id": str(world.orgs["company_a"]), **extra}
    response = await client.post(
        f"{API}/labels", json=body, headers=world.headers("company_admin_a")
    )
    assert response.status_code == 422
    assert response.json()["code"] == "CODES_OR_UNPRINTED"
