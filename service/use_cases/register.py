"""Register cylinders (建档): one, a batch from the API, or a whole ledger from the CLI.

All or nothing: every row is checked (fields, dates, owner, duplicates inside the batch and
against what is stored) before anything is written; then one transaction copies in the
cylinders, their aliases and one ``registered`` event each.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db import cylinders as cyl_db
from service.db import organizations as org_db
from service.db.snapshots import org_ref
from service.domain import access
from service.domain.access import Actor, OrgKind
from service.domain.chain import ChainLink, link_hash, request_hash
from service.domain.codes import new_code
from service.domain.errors import BatchRejected, Conflict, FieldError, Forbidden, InvalidInput
from service.domain.registration import (
    CylinderInput,
    NewCylinder,
    find_batch_duplicates,
    validate_new_cylinder,
)
from service.use_cases.context import Context

CODE_RETRIES = 5
COPY_CHUNK = 10_000
# progress(stage, done, total): for the CLI's progress bar.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Registered:
    id: int
    code: str
    cylinder: NewCylinder


def _prefix(errors: list[FieldError], row: int | None) -> list[FieldError]:
    if row is None:
        return errors
    return [FieldError([row, *e.loc], e.code, e.message) for e in errors]


async def _check_owners(
    conn: AsyncConnection, actor: Actor, items: list[NewCylinder | None]
) -> list[FieldError]:
    errors: list[FieldError] = []
    owners: dict[str, Any] = {}
    for row, item in enumerate(items):
        if item is None:
            continue
        if item.owner_id not in owners:
            owners[item.owner_id] = await org_db.get_org(conn, uuid.UUID(item.owner_id))
        org = owners[item.owner_id]
        if org is None:
            errors.append(
                FieldError(
                    [row, "owner_id"],
                    "OWNER_NOT_FOUND",
                    "产权单位不存在 / no such owner organisation",
                )
            )
        elif org.kind != OrgKind.COMPANY:
            errors.append(
                FieldError(
                    [row, "owner_id"],
                    "OWNER_NOT_COMPANY",
                    "产权单位必须是燃气企业 / the owner must be a gas company",
                )
            )
        elif not access.can_register_for(actor, org_ref(org)):
            raise Forbidden(
                "只能为本企业建档 / you may register cylinders only for your own company"
            )
    return errors


async def _stored_duplicates(
    conn: AsyncConnection, items: list[NewCylinder | None]
) -> list[FieldError]:
    pairs = [(i.manufacturer_key, i.serial_key) for i in items if i is not None]
    taken = await cyl_db.existing_serials(conn, pairs)
    keys = [a.key for i in items if i is not None for a in i.aliases]
    bound = await cyl_db.existing_aliases(conn, keys)
    errors: list[FieldError] = []
    for row, item in enumerate(items):
        if item is None:
            continue
        if (code := taken.get((item.manufacturer_key, item.serial_key))) is not None:
            errors.append(
                FieldError(
                    [row, "serial_no"],
                    "DUPLICATE_SERIAL",
                    f"同一制造单位和出厂编号已建档 (code {code}) / already registered",
                )
            )
        errors.extend(
            FieldError(
                [row, "aliases"],
                "DUPLICATE_ALIAS",
                f"别名 {a.raw!r} 已绑定其他气瓶 / alias already bound",
            )
            for a in item.aliases
            if a.key in bound
        )
    return errors


def _registration_payload(item: NewCylinder) -> dict[str, Any]:
    return {
        "serial_no": item.serial_no,
        "manufacturer": item.manufacturer,
        "manufactured_on": item.manufactured_on.isoformat(),
        "model": item.model,
        "owner_id": item.owner_id,
        "batch": item.batch,
        "tare_kg": item.tare_kg,
        "design_life_years": item.design_life_years,
        "last_inspected_on": item.last_inspected_on.isoformat() if item.last_inspected_on else None,
        "next_inspection_due": item.next_inspection_due.isoformat(),
        "scrap_on": item.scrap_on.isoformat(),
        "aliases": [a.raw for a in item.aliases],
        "flags": list(item.flags),
    }


def _records(
    ids: list[int], codes: list[str], items: list[NewCylinder], actor: Actor, now: datetime
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    cylinders: list[tuple[Any, ...]] = []
    aliases: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    actor_id, org_id = uuid.UUID(actor.user_id), uuid.UUID(actor.org.id)
    for cyl_id, code, item in zip(ids, codes, items, strict=True):
        payload = _registration_payload(item)
        event_id = uuid.uuid4()
        link = ChainLink(
            code,
            1,
            str(event_id),
            "registered",
            now,
            now,
            actor.user_id,
            actor.org.id,
            payload,
            None,
        )
        digest = link_hash(link)
        cylinders.append((
            cyl_id, code, item.serial_no, item.serial_key, item.manufacturer, item.manufacturer_key,
            item.manufactured_on, item.model, item.batch, uuid.UUID(item.owner_id), item.tare_kg,
            item.design_life_years, item.max_extension_years, item.last_inspected_on,
            item.next_inspection_due, item.scrap_on, list(item.flags), 1, digest, now, now,
        ))  # fmt: skip
        aliases.extend((a.key, cyl_id, a.raw) for a in item.aliases)
        events.append((
            cyl_id, 1, event_id, "registered", now, now, actor_id, org_id,
            orjson.dumps(payload).decode(), request_hash(payload), None, digest,
        ))  # fmt: skip
    return cylinders, aliases, events


async def _write_chunk(
    conn: AsyncConnection, ctx: Context, actor: Actor, items: list[NewCylinder], now: datetime
) -> list[Registered]:
    ids = await cyl_db.allocate_ids(conn, len(items))
    for attempt in range(CODE_RETRIES):
        codes = [new_code() for _ in items]
        cylinders, aliases, events = _records(ids, codes, items, actor, now)
        try:
            async with conn.begin_nested():
                await cyl_db.copy_registrations(conn, cylinders, aliases, events)
        except IntegrityError as exc:
            # A fresh random code met an existing one (about once in 10^8 rows): draw again.
            if "cylinder_code_key" in str(exc.orig) and attempt + 1 < CODE_RETRIES:
                continue
            raise Conflict(
                "DUPLICATE",
                "另一请求同时登记了相同的气瓶 / a concurrent registration took this serial or alias",
            ) from exc
        return [Registered(i, c, item) for i, c, item in zip(ids, codes, items, strict=True)]
    raise Conflict("CODE_EXHAUSTED", "could not draw unique codes")  # pragma: no cover


async def _write(
    conn: AsyncConnection,
    ctx: Context,
    actor: Actor,
    items: list[NewCylinder],
    progress: Progress | None,
) -> list[Registered]:
    now = ctx.clock()
    done: list[Registered] = []
    for start in range(0, len(items), COPY_CHUNK):
        done.extend(await _write_chunk(conn, ctx, actor, items[start : start + COPY_CHUNK], now))
        if progress is not None:
            progress("write", len(done), len(items))
    return done


def validate_rows(
    ctx: Context, items: list[CylinderInput]
) -> tuple[list[NewCylinder | None], list[FieldError]]:
    today = ctx.today()
    checked: list[NewCylinder | None] = []
    errors: list[FieldError] = []
    for row, item in enumerate(items):
        new, problems = validate_new_cylinder(item, ctx.models, today)
        checked.append(new)
        errors.extend(_prefix(problems, row))
    errors.extend(find_batch_duplicates(checked))
    return checked, errors


async def register_cylinders(
    ctx: Context,
    actor: Actor,
    items: list[CylinderInput],
    *,
    skip_bad: bool = False,
    progress: Progress | None = None,
) -> tuple[list[Registered], list[FieldError]]:
    """Register ``items`` in one transaction. Without ``skip_bad`` any problem rejects the whole
    batch (``BatchRejected``, or ``Conflict`` when every problem is a duplicate); with it, bad
    rows are left out and returned as errors."""
    if not items:
        raise InvalidInput("EMPTY_BATCH", "nothing to register")
    checked, errors = validate_rows(ctx, items)
    async with ctx.engine.begin() as conn:
        errors.extend(await _check_owners(conn, actor, checked))
        errors.extend(await _stored_duplicates(conn, checked))
        if errors and not skip_bad:
            raise _rejection(errors)
        bad_rows = {e.loc[0] for e in errors}
        good = [
            item for row, item in enumerate(checked) if item is not None and row not in bad_rows
        ]
        if not good:
            return [], errors
        return await _write(conn, ctx, actor, good, progress), errors


def single_row_error(exc: InvalidInput | Conflict) -> InvalidInput | Conflict:
    """For a single registration, the row index says nothing: drop it from the locations."""
    errors = [
        FieldError(e.loc[1:] if e.loc and e.loc[0] == 0 else e.loc, e.code, e.message)
        for e in exc.errors
    ]
    if isinstance(exc, Conflict):
        return Conflict(exc.code, exc.detail, errors)
    codes = {e.code for e in errors}
    code = codes.pop() if len(codes) == 1 else "INVALID_CYLINDER"
    return InvalidInput(code, "; ".join(e.message for e in errors), errors)


def _rejection(errors: list[FieldError]) -> InvalidInput | Conflict:
    duplicate_codes = {"DUPLICATE_SERIAL", "DUPLICATE_ALIAS"}
    if all(e.code in duplicate_codes for e in errors):
        codes = {e.code for e in errors}
        code = codes.pop() if len(codes) == 1 else "DUPLICATE"
        return Conflict(code, "已建档 / already registered; nothing was stored", errors)
    return BatchRejected(errors)
