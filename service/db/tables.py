"""The tables. Every one of them is created by an Alembic revision in ``migrations/``;
``alembic check`` in CI proves that these models and the revisions agree.

``cylinder`` is the current state of each cylinder: a projection of its events, written in
the same transaction as each event, so that a fill check reads one row. ``event`` is the
append-only, hash-chained history; the service's database role may only INSERT and SELECT it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlmodel import Field, SQLModel

NOW = text("now()")


class Organization(SQLModel, table=True):
    __tablename__ = "organization"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('company','station','inspection_agency','regulator','manufacturer')",
            name="organization_kind",
        ),
        Index("ix_organization_company_id", "company_id"),
        Index("ix_organization_region_code", "region_code"),
    )

    id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")
        )
    )
    name: str = Field(sa_column=Column(String(200), nullable=False))
    kind: str = Field(sa_column=Column(String(32), nullable=False))
    parent_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(UUID(as_uuid=True), ForeignKey("organization.id"), nullable=True),
    )
    # Itself for a company, its parent for a station: the unit that owns cylinders.
    company_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(UUID(as_uuid=True), nullable=True)
    )
    region_code: str | None = Field(default=None, sa_column=Column(String(12), nullable=True))
    license_no: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    license_expires_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    is_license_suspended: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    is_locked: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=NOW)
    )


class AppUser(SQLModel, table=True):
    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin','company_admin','filler','delivery','inspector','regulator')",
            name="app_user_role",
        ),
        Index("ix_app_user_org_id", "org_id"),
    )

    id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")
        )
    )
    name: str = Field(sa_column=Column(String(200), nullable=False))
    org_id: uuid.UUID = Field(
        sa_column=Column(UUID(as_uuid=True), ForeignKey("organization.id"), nullable=False)
    )
    role: str = Field(sa_column=Column(String(32), nullable=False))
    # SHA-256 of the bearer token; the token itself is shown once and never stored.
    token_hash: bytes = Field(sa_column=Column(LargeBinary(32), nullable=False, unique=True))
    certificate_no: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    certificate_expires_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    is_active: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true"))
    )
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=NOW)
    )


class Cylinder(SQLModel, table=True):
    __tablename__ = "cylinder"
    __table_args__ = (
        UniqueConstraint("manufacturer_key", "serial_key", name="uq_cylinder_serial"),
        CheckConstraint(
            "status IN ('in_service','held','seized','scrapped')", name="cylinder_status"
        ),
        Index("ix_cylinder_owner_id_id", "owner_id", "id"),
        Index("ix_cylinder_next_inspection_due", "next_inspection_due"),
    )

    id: int = Field(sa_column=Column(BigInteger, Identity(), primary_key=True))
    code: str = Field(sa_column=Column(String(16), nullable=False, unique=True))
    serial_no: str = Field(sa_column=Column(String(64), nullable=False))
    serial_key: str = Field(sa_column=Column(String(64), nullable=False))
    manufacturer: str = Field(sa_column=Column(String(200), nullable=False))
    manufacturer_key: str = Field(sa_column=Column(String(200), nullable=False))
    manufactured_on: date = Field(sa_column=Column(Date, nullable=False))
    model: str = Field(sa_column=Column(String(32), nullable=False))
    batch: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    owner_id: uuid.UUID = Field(
        sa_column=Column(UUID(as_uuid=True), ForeignKey("organization.id"), nullable=False)
    )
    tare_kg: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    design_life_years: int = Field(sa_column=Column(SmallInteger, nullable=False))
    max_extension_years: int = Field(sa_column=Column(SmallInteger, nullable=False))
    extension_years: int = Field(
        default=0, sa_column=Column(SmallInteger, nullable=False, server_default="0")
    )
    last_inspected_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    next_inspection_due: date = Field(sa_column=Column(Date, nullable=False))
    scrap_on: date = Field(sa_column=Column(Date, nullable=False))
    status: str = Field(sa_column=Column(String(16), nullable=False, server_default="in_service"))
    # Why a cylinder is held: overfilled, leak, inspection_failed. Null when not held.
    hold_reason: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    flags: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(String(32)), nullable=False, server_default=text("'{}'::varchar[]")),
    )
    is_inspection_failed: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    needs_purge: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true"))
    )
    last_fill_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    last_fill_org_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(UUID(as_uuid=True), nullable=True)
    )
    last_fill_net_kg: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    last_seen_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    last_seen_org_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(UUID(as_uuid=True), nullable=True)
    )
    event_count: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )
    last_event_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    last_event_hash: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary(32), nullable=True)
    )
    label_printed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    registered_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=NOW)
    )


class CylinderAlias(SQLModel, table=True):
    """Another identifier already on the cylinder (GRAI, old label, electronic mark)."""

    __tablename__ = "cylinder_alias"
    __table_args__ = (Index("ix_cylinder_alias_cylinder_id", "cylinder_id"),)

    key: str = Field(sa_column=Column(String(300), primary_key=True))
    cylinder_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("cylinder.id"), nullable=False)
    )
    raw: str = Field(sa_column=Column(String(300), nullable=False))


class Event(SQLModel, table=True):
    """One thing that happened to one cylinder. Never updated, never deleted."""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("event_id", name="uq_event_event_id"),
        Index("ix_event_type_recorded_at", "type", "recorded_at"),
        Index("ix_event_org_id_recorded_at", "org_id", "recorded_at"),
    )

    cylinder_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("cylinder.id"), primary_key=True)
    )
    seq: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    event_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), nullable=False))
    type: str = Field(sa_column=Column(String(32), nullable=False))
    occurred_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    recorded_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    actor_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(UUID(as_uuid=True), nullable=True)
    )
    org_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(UUID(as_uuid=True), nullable=True)
    )
    payload: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    # SHA-256 of the client's request body: the same event_id with another body is a 409.
    request_hash: bytes = Field(sa_column=Column(LargeBinary(32), nullable=False))
    prev_hash: bytes | None = Field(default=None, sa_column=Column(LargeBinary(32), nullable=True))
    hash: bytes = Field(sa_column=Column(LargeBinary(32), nullable=False))


class BlacklistEntry(SQLModel, table=True):
    """黑名单/召回: one cylinder, a manufacturer's batch, or a whole model. Lifting sets
    ``lifted_*``; the entry itself stays, so the history of who listed and lifted it remains."""

    __tablename__ = "blacklist"
    __table_args__ = (
        CheckConstraint("kind IN ('code','batch','model')", name="blacklist_kind"),
        Index(
            "ix_blacklist_active_cylinder",
            "cylinder_id",
            postgresql_where=text("lifted_at IS NULL"),
        ),
        Index(
            "ix_blacklist_active_batch",
            "manufacturer_key",
            "batch",
            postgresql_where=text("lifted_at IS NULL"),
        ),
        Index("ix_blacklist_active_model", "model", postgresql_where=text("lifted_at IS NULL")),
    )

    id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), primary_key=True))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    cylinder_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, ForeignKey("cylinder.id"), nullable=True)
    )
    manufacturer: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    manufacturer_key: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    batch: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    model: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    reason: str = Field(sa_column=Column(String(500), nullable=False))
    created_by: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), nullable=False))
    created_org_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    lifted_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    lifted_by: uuid.UUID | None = Field(
        default=None, sa_column=Column(UUID(as_uuid=True), nullable=True)
    )
    lift_reason: str | None = Field(default=None, sa_column=Column(String(500), nullable=True))


class Entrustment(SQLModel, table=True):
    """托管: a company lets another company's station fill its cylinders for a period."""

    __tablename__ = "entrustment"
    __table_args__ = (Index("ix_entrustment_owner_station", "owner_id", "station_id"),)

    id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), primary_key=True))
    owner_id: uuid.UUID = Field(
        sa_column=Column(UUID(as_uuid=True), ForeignKey("organization.id"), nullable=False)
    )
    station_id: uuid.UUID = Field(
        sa_column=Column(UUID(as_uuid=True), ForeignKey("organization.id"), nullable=False)
    )
    valid_from: date = Field(sa_column=Column(Date, nullable=False))
    valid_until: date = Field(sa_column=Column(Date, nullable=False))
    created_by: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    revoked_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class OrgEvent(SQLModel, table=True):
    """What happened to an organisation: a station locked or unlocked, a licence suspended.
    Append-only like the cylinder history."""

    __tablename__ = "org_event"
    __table_args__ = (Index("ix_org_event_org_id_id", "org_id", "id"),)

    id: int = Field(sa_column=Column(BigInteger, Identity(), primary_key=True))
    org_id: uuid.UUID = Field(
        sa_column=Column(UUID(as_uuid=True), ForeignKey("organization.id"), nullable=False)
    )
    type: str = Field(sa_column=Column(String(32), nullable=False))
    actor_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), nullable=False))
    reason: str | None = Field(default=None, sa_column=Column(String(500), nullable=True))
    recorded_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class StationTally(SQLModel, table=True):
    """Counts per station and day that have no cylinder to hang an event on: refusals of
    unknown codes, hand-typed codes (MANUAL_ENTRY), forged labels."""

    __tablename__ = "station_tally"

    org_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), primary_key=True))
    day: date = Field(sa_column=Column(Date, primary_key=True))
    metric: str = Field(sa_column=Column(String(64), primary_key=True))
    count: int = Field(sa_column=Column(BigInteger, nullable=False))


def _table_of(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


# The SQLAlchemy handle of each table, for the queries in ``service.db``: defined here, once.
organization_table = _table_of(Organization)
user_table = _table_of(AppUser)
cylinder_table = _table_of(Cylinder)
alias_table = _table_of(CylinderAlias)
event_table = _table_of(Event)
blacklist_table = _table_of(BlacklistEntry)
entrustment_table = _table_of(Entrustment)
org_event_table = _table_of(OrgEvent)
