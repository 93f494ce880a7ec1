"""Printing labels through the use case, on the real database: what is chosen, what is
marked printed, and who may."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import pytest
from sqlalchemy import text

from service.domain.access import Actor, OrgKind, OrgRef, Role
from service.domain.codes import format_code
from service.domain.errors import Forbidden, InvalidInput, NotFound
from service.use_cases import labels
from service.use_cases.context import Context
from service.use_cases.labels import Selection
from tests.context import FakeClock
from tests.factories import company_admin, register_many
from tests.world import ADMIN, World

UNPRINTED = Selection(only_unprinted=True)


async def printed_at(ctx: Context, codes: list[str]) -> dict[str, datetime | None]:
    async with ctx.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT code, label_printed_at FROM cylinder WHERE code = ANY(:codes)"),
            {"codes": codes},
        )
        return {row.code: row.label_printed_at for row in rows}


def staff(world: World, role: Role, org: str, company: str) -> Actor:
    return Actor(
        str(uuid.uuid4()),
        role,
        OrgRef(str(world.orgs[org]), OrgKind.STATION, str(world.orgs[company]), "330101"),
    )


async def test_unprinted_marks_what_it_prints_then_skips_it(
    ctx: Context, world: World, clock: FakeClock
) -> None:
    admin_a, owner = company_admin(world), world.orgs["company_a"]
    first = await register_many(ctx, world, 3)
    printed = await labels.print_labels(ctx, admin_a, owner, UNPRINTED)
    assert printed.codes == first
    first_run = clock.now

    later = await register_many(ctx, world, 2)
    clock.advance(hours=1)
    printed = await labels.print_labels(ctx, admin_a, owner, UNPRINTED)
    assert printed.codes == later
    marks = await printed_at(ctx, first + later)
    assert [marks[c] for c in first] == [first_run] * 3
    assert [marks[c] for c in later] == [clock.now] * 2

    with pytest.raises(NotFound) as nothing:
        await labels.print_labels(ctx, admin_a, owner, UNPRINTED)
    assert nothing.value.code == "NOTHING_TO_PRINT"


async def test_all_reprints_printed_labels_and_moves_their_date(
    ctx: Context, world: World, clock: FakeClock
) -> None:
    codes = await register_many(ctx, world, 4)
    await labels.print_labels(ctx, company_admin(world), world.orgs["company_a"], UNPRINTED)
    clock.advance(days=2)
    printed = await labels.print_labels(
        ctx, company_admin(world), world.orgs["company_a"], Selection()
    )
    assert printed.codes == codes
    assert set((await printed_at(ctx, codes)).values()) == {clock.now}


async def test_listed_codes_print_in_their_order_however_they_are_written(
    ctx: Context, world: World
) -> None:
    codes = await register_many(ctx, world, 3)
    written = (format_code(codes[2]).lower(), codes[0], codes[2].replace("", "-").strip("-"))
    printed = await labels.print_labels(
        ctx, company_admin(world), world.orgs["company_a"], Selection(codes=written)
    )
    assert printed.codes == [codes[2], codes[0]]
    marks = await printed_at(ctx, codes)
    assert marks[codes[1]] is None
    assert marks[codes[0]] is not None


async def test_codes_of_another_company_are_not_found_and_nothing_is_marked(
    ctx: Context, world: World
) -> None:
    own = await register_many(ctx, world, 1)
    other = await register_many(ctx, world, 1, company="company_b")
    with pytest.raises(NotFound) as refused:
        await labels.print_labels(
            ctx, company_admin(world), world.orgs["company_a"], Selection(codes=(*own, *other))
        )
    assert refused.value.code == "CODES_NOT_FOUND"
    assert [e.message for e in refused.value.errors] == other
    assert (await printed_at(ctx, own))[own[0]] is None


async def test_a_code_with_a_wrong_check_character_is_refused(ctx: Context, world: World) -> None:
    code = (await register_many(ctx, world, 1))[0]
    wrong = code[:-1] + ("2" if code[-1] != "2" else "3")
    with pytest.raises(InvalidInput) as refused:
        await labels.print_labels(
            ctx, company_admin(world), world.orgs["company_a"], Selection(codes=(code, wrong))
        )
    assert refused.value.code == "BAD_CODES"
    assert [e.loc for e in refused.value.errors] == [["codes", 1]]


async def test_codes_and_unprinted_together_are_refused(ctx: Context, world: World) -> None:
    codes = tuple(await register_many(ctx, world, 1))
    with pytest.raises(InvalidInput, match="CONFLICTING_SELECTION"):
        await labels.print_labels(
            ctx,
            company_admin(world),
            world.orgs["company_a"],
            Selection(codes=codes, only_unprinted=True),
        )


async def test_too_many_is_refused_and_a_limit_takes_the_first(ctx: Context, world: World) -> None:
    codes = await register_many(ctx, world, 3)
    owner = world.orgs["company_a"]
    with pytest.raises(InvalidInput, match="TOO_MANY_LABELS"):
        await labels.print_labels(ctx, company_admin(world), owner, UNPRINTED, max_labels=2)
    assert set((await printed_at(ctx, codes)).values()) == {None}
    two = Selection(only_unprinted=True, limit=2)
    printed = await labels.print_labels(ctx, company_admin(world), owner, two, max_labels=2)
    assert printed.codes == codes[:2]


async def test_a_failed_render_marks_nothing(
    ctx: Context, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = await register_many(ctx, world, 2)

    def broken(*_: object, **__: object) -> bytes:
        raise OSError("disk full")

    monkeypatch.setattr(labels, "render_sheets", broken)
    with pytest.raises(OSError, match="disk full"):
        await labels.print_labels(ctx, company_admin(world), world.orgs["company_a"], UNPRINTED)
    assert set((await printed_at(ctx, codes)).values()) == {None}


async def test_two_runs_at_once_never_print_the_same_label(ctx: Context, world: World) -> None:
    codes = await register_many(ctx, world, 10)
    owner, half = world.orgs["company_a"], Selection(only_unprinted=True, limit=5)
    runs = await asyncio.gather(
        labels.print_labels(ctx, company_admin(world), owner, half),
        labels.print_labels(ctx, ADMIN, owner, half),
    )
    first, second = (set(run.codes) for run in runs)
    assert len(first) == len(second) == 5
    assert first | second == set(codes)


async def test_a_platform_admin_prints_for_any_company(ctx: Context, world: World) -> None:
    codes = await register_many(ctx, world, 2, company="company_far")
    printed = await labels.print_labels(ctx, ADMIN, world.orgs["company_far"], Selection())
    assert printed.codes == codes
    assert printed.pdf.startswith(b"%PDF-")


@pytest.mark.parametrize("owner", ["company_b", "station_a1", "regulator"])
async def test_a_company_admin_sees_no_other_owner(ctx: Context, world: World, owner: str) -> None:
    await register_many(ctx, world, 1, company="company_b")
    with pytest.raises(NotFound, match="OWNER_NOT_FOUND"):
        await labels.print_labels(ctx, company_admin(world), world.orgs[owner], Selection())


async def test_an_unknown_owner_is_not_found_even_for_an_admin(ctx: Context, world: World) -> None:
    with pytest.raises(NotFound, match="OWNER_NOT_FOUND"):
        await labels.print_labels(ctx, ADMIN, uuid.uuid4(), Selection())


@pytest.mark.parametrize("role", [Role.FILLER, Role.DELIVERY])
async def test_company_staff_other_than_admins_may_not_print(
    ctx: Context, world: World, role: Role
) -> None:
    codes = await register_many(ctx, world, 1)
    actor = staff(world, role, "station_a1", "company_a")
    with pytest.raises(Forbidden):
        await labels.print_labels(ctx, actor, world.orgs["company_a"], Selection())
    with pytest.raises(Forbidden):
        await labels.label_svg(ctx, actor, codes[0])
    assert (await printed_at(ctx, codes))[codes[0]] is None
