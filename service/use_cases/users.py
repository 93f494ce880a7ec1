"""People and their tokens. A token is shown once, at creation; only its hash is stored."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from service.db import organizations as org_db
from service.db.engine import AnyRow
from service.db.snapshots import org_ref
from service.domain import access
from service.domain.access import ROLE_ORG_KINDS, Actor, OrgKind, OrgRef, Role, require_role
from service.domain.errors import Forbidden, InvalidInput, NotFound
from service.domain.paging import Keyset, Page
from service.use_cases.auth import hash_token, new_token
from service.use_cases.context import Context
from service.use_cases.views import OrganizationView, organization_view

USERS = Keyset("user", uuid.UUID)


@dataclass(frozen=True, slots=True)
class UserView:
    """A person with a token (never the token, nor its hash)."""

    id: uuid.UUID
    name: str
    org_id: uuid.UUID
    role: Role
    certificate_no: str | None
    certificate_expires_on: date | None
    is_active: bool
    created_at: datetime


def user_view(row: AnyRow) -> UserView:
    """An ``app_user`` row."""
    return UserView(
        id=row.id,
        name=row.name,
        org_id=row.org_id,
        role=Role(row.role),
        certificate_no=row.certificate_no,
        certificate_expires_on=row.certificate_expires_on,
        is_active=row.is_active,
        created_at=row.created_at,
    )


@dataclass(frozen=True, slots=True)
class UserInput:
    name: str
    org_id: uuid.UUID
    role: Role
    certificate_no: str | None = None
    certificate_expires_on: date | None = None


async def create_user(ctx: Context, actor: Actor, item: UserInput) -> tuple[UserView, str]:
    """Returns the stored user and the token, which is never retrievable again."""
    require_role(
        actor,
        Role.ADMIN,
        Role.COMPANY_ADMIN,
        detail="只有管理员可以创建账号 / only admins create users",
    )
    if not item.name.strip():
        raise InvalidInput("EMPTY", "姓名不能为空 / name is empty")
    async with ctx.engine.begin() as conn:
        org = await org_db.get_org(conn, item.org_id)
        if org is None:
            raise InvalidInput("ORG_NOT_FOUND", "单位不存在 / no such organisation")
        ref = org_ref(org)
        if not access.can_create_user(actor, ref, item.role):
            raise Forbidden(
                "不能在该单位创建此角色 / you may not give this role in that organisation"
            )
        if ref.kind not in ROLE_ORG_KINDS[item.role]:
            allowed = ", ".join(sorted(k.value for k in ROLE_ORG_KINDS[item.role]))
            raise InvalidInput(
                "ROLE_ORG_MISMATCH",
                f"角色 {item.role.value} 只能属于 {allowed} / role needs an organisation of kind {allowed}",
            )
        token = new_token()
        row = await org_db.insert_user(
            conn,
            {
                "id": uuid.uuid4(),
                "name": item.name.strip(),
                "org_id": item.org_id,
                "role": item.role.value,
                "token_hash": hash_token(token),
                "certificate_no": item.certificate_no,
                "certificate_expires_on": item.certificate_expires_on,
            },
        )
    return user_view(row), token


async def list_users(
    ctx: Context, actor: Actor, *, cursor: str | None, limit: int
) -> Page[UserView]:
    require_role(
        actor,
        Role.ADMIN,
        Role.COMPANY_ADMIN,
        detail="只有管理员可以查看账号列表 / only admins list users",
    )
    company = uuid.UUID(actor.company_id) if actor.company_id else None
    async with ctx.engine.connect() as conn:
        rows, has_more = await org_db.list_users(
            conn, after=USERS.after(cursor), limit=limit, company_id=company
        )
    return USERS.page(rows, has_more, key=lambda row: row.id).map(user_view)


async def get_me(ctx: Context, actor: Actor) -> tuple[UserView, OrganizationView]:
    async with ctx.engine.connect() as conn:
        user = await org_db.get_user(conn, uuid.UUID(actor.user_id))
        org = await org_db.get_org(conn, uuid.UUID(actor.org.id))
    if user is None or org is None:  # deleted between the token check and now
        raise NotFound("user not found")
    return user_view(user), organization_view(org)


CLI_USER_ID = uuid.UUID("00000000-0000-4000-8000-000000000002")


async def _ensure_platform_org(conn: AsyncConnection) -> None:
    if await org_db.get_org(conn, PLATFORM_ORG_ID) is None:
        await org_db.insert_org(
            conn,
            {"id": PLATFORM_ORG_ID, "name": "平台管理 / Platform", "kind": OrgKind.REGULATOR.value},
        )


async def cli_actor(ctx: Context) -> Actor:
    """Who the command line acts as: a platform administrator named "command line", so that
    what it records (imports, demo data) is attributed in the history. It has no usable
    token: the CLI is trusted because it holds the database, not because of a token."""
    async with ctx.engine.begin() as conn:
        await conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('cylinders.bootstrap'))")
        await _ensure_platform_org(conn)
        if await org_db.get_user(conn, CLI_USER_ID) is None:
            await org_db.insert_user(
                conn,
                {
                    "id": CLI_USER_ID,
                    "name": "命令行 / command line",
                    "org_id": PLATFORM_ORG_ID,
                    "role": Role.ADMIN.value,
                    "token_hash": hash_token(new_token()),
                    "is_active": False,
                },
            )
    return Actor(
        str(CLI_USER_ID), Role.ADMIN, OrgRef(str(PLATFORM_ORG_ID), OrgKind.REGULATOR, None, None)
    )


async def ensure_admin(ctx: Context, token: str) -> None:
    """Bootstrap (``CYLINDERS_ADMIN_TOKEN``): a platform administrator holding exactly this token
    exists afterwards. Idempotent; safe when several replicas start at once."""
    digest = hash_token(token)
    async with ctx.engine.begin() as conn:
        await conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('cylinders.bootstrap'))")
        found, _ = await org_db.find_actor(conn, digest)
        if found is not None:
            return
        await _ensure_platform_org(conn)
        await org_db.insert_user(
            conn,
            {
                "id": uuid.uuid4(),
                "name": "平台管理员 / Platform admin",
                "org_id": PLATFORM_ORG_ID,
                "role": Role.ADMIN.value,
                "token_hash": digest,
            },
        )


PLATFORM_ORG_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
