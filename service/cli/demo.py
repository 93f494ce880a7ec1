"""``cylinders serve --demo``: a small county to try the service with, loaded once.

One regulator, two gas companies with two stations each, an inspection agency, fillers and
delivery workers, and about 1,000 cylinders with the spread a real county has: most legal,
some overdue for inspection, some near the end of their life, a few scrapped, seized,
refurbished or recalled, a few carrying a GS1 GRAI or an old provincial label, and some
history of fills, refusals and deliveries. Dates are relative to today, so the spread holds
whenever the demo is loaded. Seeded: the same data every time (codes aside, which are random
by design).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from service.db import organizations as org_db
from service.domain.access import Actor, OrgKind, Role
from service.domain.codes import gs1_check_digit
from service.domain.models import add_years
from service.domain.registration import CylinderInput
from service.use_cases import blacklist, fill, lifecycle, organizations, register, users
from service.use_cases.auth import TokenCache, authenticate
from service.use_cases.context import Context

SEED = 20231129
DEMO_REGULATOR_ID = uuid.UUID("00000000-0000-4000-8000-00000000de30")
REGION = "330122"
CYLINDERS_PER_COMPANY = 500
MODELS = [("YSP35.5", 80), ("YSP12", 10), ("YSP118/49.5", 7), ("YSP26.2", 3)]
MAKERS = ["浙江金盾压力容器有限公司", "宁波明峰钢瓶制造有限公司", "江苏华安气瓶有限公司"]


@dataclass
class Demo:
    tokens: dict[str, str] = field(default_factory=dict)
    orgs: dict[str, uuid.UUID] = field(default_factory=dict)
    codes: dict[str, list[str]] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)


async def is_loaded(ctx: Context) -> bool:
    async with ctx.engine.connect() as conn:
        return await org_db.get_org(conn, DEMO_REGULATOR_ID) is not None


async def _orgs(ctx: Context, admin: Actor, demo: Demo, today: date) -> None:
    async with ctx.engine.begin() as conn:
        await org_db.insert_org(
            conn,
            {
                "id": DEMO_REGULATOR_ID,
                "name": "清溪县市场监督管理局",
                "kind": OrgKind.REGULATOR.value,
                "region_code": REGION,
            },
        )
    demo.orgs["regulator"] = DEMO_REGULATOR_ID
    specs: list[tuple[str, organizations.OrgInput]] = [
        (
            "company_1",
            organizations.OrgInput("清溪县燃气有限公司", OrgKind.COMPANY, region_code=REGION),
        ),
        (
            "company_2",
            organizations.OrgInput("清溪绿源液化气有限公司", OrgKind.COMPANY, region_code=REGION),
        ),
        (
            "agency",
            organizations.OrgInput(
                "清溪县特种设备检验所", OrgKind.INSPECTION_AGENCY, region_code=REGION
            ),
        ),
    ]
    for key, spec in specs:
        demo.orgs[key] = (await organizations.create_org(ctx, admin, spec)).id
    stations = [("station_1a", "company_1", "城东充装站"), ("station_1b", "company_1", "城西充装站"),
                ("station_2a", "company_2", "南山充装站"), ("station_2b", "company_2", "北关充装站")]  # fmt: skip
    for i, (key, company, name) in enumerate(stations):
        spec = organizations.OrgInput(
            name, OrgKind.STATION, parent_id=demo.orgs[company], license_no=f"TS4233{REGION}{i:02d}",
            license_expires_on=add_years(today, 3),
        )  # fmt: skip
        demo.orgs[key] = (await organizations.create_org(ctx, admin, spec)).id


async def _people(ctx: Context, admin: Actor, demo: Demo, today: date) -> None:
    people = [
        ("regulator", "regulator", Role.REGULATOR, "县市场监管局 王科长"),
        ("company_admin_1", "company_1", Role.COMPANY_ADMIN, "清溪燃气 管理员"),
        ("company_admin_2", "company_2", Role.COMPANY_ADMIN, "绿源液化气 管理员"),
        ("inspector", "agency", Role.INSPECTOR, "检验所 李工"),
    ]
    for station in ("station_1a", "station_1b", "station_2a", "station_2b"):
        people.append((f"filler_{station[-2:]}", station, Role.FILLER, f"充装工 {station[-2:]}"))
        people.append(
            (f"delivery_{station[-2:]}", station, Role.DELIVERY, f"送气工 {station[-2:]}")
        )
    for key, org, role, name in people:
        cert: dict[str, Any] = {}
        if role is Role.FILLER:
            cert = {
                "certificate_no": f"TS-{key.upper()}",
                "certificate_expires_on": add_years(today, 2),
            }
        _, token = await users.create_user(
            ctx, admin, users.UserInput(name, demo.orgs[org], role, **cert)
        )
        demo.tokens[key] = token


def _grai(rng: random.Random) -> str:
    body = "0" + "6901234" + f"{rng.randrange(100000):05d}"
    return f"(8003){body}{gs1_check_digit(body)}{rng.randrange(10**6):06d}"


def _cylinder(
    rng: random.Random, owner: uuid.UUID, index: int, today: date
) -> tuple[CylinderInput, date | None]:
    """A ledger row, and the date of the inspection at the end of its design life (which
    extends it) when it is that old."""
    model = rng.choices([m for m, _ in MODELS], weights=[w for _, w in MODELS])[0]
    made = (today - timedelta(days=rng.randrange(60, 365 * 11))).replace(day=1)
    years = (today - made).days / 365.25
    last = add_years(made, 4) if years >= 4 else None
    due = add_years(made, 8) if years >= 4 else add_years(made, 4)
    extension_on = add_years(made, 8) if years >= 8 and rng.random() < 0.92 else None
    if rng.random() < 0.08 and last is not None:  # 超期未检: the periodic inspection never happened
        last, due, extension_on = None, add_years(made, 4), None
    aliases: tuple[str, ...] = ()
    if rng.random() < 0.03:
        aliases = (_grai(rng),)
    elif rng.random() < 0.02:
        aliases = (f"QX-{made.year}-{index:05d}",)
    item = CylinderInput(
        serial_no=f"{made.year % 100:02d}{made.month:02d}{rng.randrange(10**6):06d}",
        manufacturer=rng.choice(MAKERS),
        manufactured_on=made,
        model=model,
        owner_id=str(owner),
        last_inspected_on=last,
        next_inspection_due=due,
        tare_kg=round(rng.uniform(14.5, 16.5), 1) if model == "YSP35.5" else None,
        batch=f"{made.year}{rng.randrange(1, 13):02d}",
        aliases=aliases,
        flags=("refurbished",) if rng.random() < 0.005 else (),
    )
    return item, extension_on


async def _cylinders(
    ctx: Context, admin: Actor, demo: Demo, rng: random.Random, today: date
) -> list[tuple[str, date]]:
    """Register both companies' cylinders; return the inspections that extended old ones."""
    extensions: list[tuple[str, date]] = []
    for company in ("company_1", "company_2"):
        rows = [_cylinder(rng, demo.orgs[company], i, today) for i in range(CYLINDERS_PER_COMPANY)]
        done, _ = await register.register_cylinders(ctx, admin, [item for item, _ in rows])
        demo.codes[company] = [d.code for d in done]
        demo.models.update((d.code, d.cylinder.model) for d in done)
        extensions.extend(
            (d.code, on) for d, (_, on) in zip(done, rows, strict=True) if on is not None
        )
    return extensions


async def _actor(ctx: Context, demo: Demo, who: str) -> Actor:
    """The demo person ``who``, as the service sees them when they present their token."""
    return await authenticate(ctx, TokenCache(ttl_seconds=0), demo.tokens[who])


async def _history(
    ctx: Context, demo: Demo, rng: random.Random, today: date, extensions: list[tuple[str, date]]
) -> None:
    """Some life in the records: fills (a few refused), deliveries, scraps, a seizure and a
    batch recall."""
    filler = await _actor(ctx, demo, "filler_1a")
    delivery = await _actor(ctx, demo, "delivery_1a")
    inspector = await _actor(ctx, demo, "inspector")
    regulator = await _actor(ctx, demo, "regulator")
    for code, inspected_on in extensions:
        step = lifecycle.InspectionInput(
            uuid.uuid4(), code, inspected_on, "pass", report_no=f"QX-JY-{inspected_on:%Y%m}"
        )
        await lifecycle.record_inspection(ctx, inspector, step, {"event_id": str(step.event_id)})
    codes = demo.codes["company_1"]
    now = ctx.clock()
    for code in rng.sample(codes, 120):
        spec = ctx.models.find(demo.models[code])
        net = round((spec.max_fill_kg if spec else 14.9) * rng.uniform(0.94, 0.995), 2)
        item = fill.FillInput(uuid.uuid4(), code, net, now - timedelta(hours=rng.randrange(5, 600)))
        try:
            await fill.record_fill(ctx, filler, item, {"event_id": str(item.event_id)})
        except fill.FillRefused:
            continue  # overdue and past-life cylinders are refused, and that is recorded
        if rng.random() < 0.5:
            out = lifecycle.DeliveryInput(uuid.uuid4(), code, "dispatch", vehicle="浙A·D1234")
            await lifecycle.record_delivery(ctx, delivery, out, {"event_id": str(out.event_id)})
    for code in codes[-10:]:
        step = lifecycle.InspectionInput(
            uuid.uuid4(), code, today - timedelta(days=3), "scrap", report_no="QX-BF-001"
        )
        await lifecycle.record_inspection(ctx, inspector, step, {"event_id": str(step.event_id)})
    for code in demo.codes["company_2"][-3:]:
        await lifecycle.record_seizure(
            ctx,
            regulator,
            code,
            uuid.uuid4(),
            "执法检查：非法充装",
            release=False,
            body={"code": code},
        )
    await blacklist.add(
        ctx,
        regulator,
        blacklist.BlacklistInput("制造缺陷召回", manufacturer=MAKERS[2], batch="201901"),
    )


async def load_demo(ctx: Context) -> Demo:
    """Load the demo county (the caller checks ``is_loaded`` first)."""
    rng = random.Random(SEED)  # noqa: S311  (reproducible demo data, not a secret)
    today = ctx.today()
    admin = await users.cli_actor(ctx)
    demo = Demo()
    await _orgs(ctx, admin, demo, today)
    await _people(ctx, admin, demo, today)
    extensions = await _cylinders(ctx, admin, demo, rng, today)
    await _history(ctx, demo, rng, today, extensions)
    return demo
