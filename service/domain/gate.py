"""The fill gate (充装前检查): may this cylinder be filled here, now, by this operator?

``check_fill`` is pure: it gets snapshots and the current time and returns every reason to
refuse and every warning. It never raises and never reads a clock. "Today" is the date where
the cylinder is (Asia/Shanghai by default), and a due date is the last day a fill is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from service.domain.clock import SHANGHAI, local_date
from service.domain.models import DUE_SOON_DAYS, LIFE_ENDING_SOON_DAYS, ModelTable
from service.domain.reasons import Finding, Reason, WarningCode


class ScanKind(StrEnum):
    LABEL = "label"  # our URL, with a tag that verified
    TYPED = "typed"  # a bare code: typed, read aloud, or a torn label
    ALIAS = "alias"  # another identifier on the cylinder (GRAI, old label...)


@dataclass(frozen=True, slots=True)
class ScanResult:
    kind: ScanKind
    is_label_invalid: bool = False  # wrong check character, wrong or missing tag


@dataclass(frozen=True, slots=True)
class CylinderSnapshot:
    code: str
    owner_id: str
    model: str
    status: str  # in_service | held | seized | scrapped
    hold_reason: str | None
    next_inspection_due: date
    scrap_on: date
    is_inspection_failed: bool
    flags: tuple[str, ...]
    needs_purge: bool
    is_blacklisted: bool
    last_fill_at: datetime | None = None
    last_seen_at: datetime | None = None
    last_seen_org_id: str | None = None


@dataclass(frozen=True, slots=True)
class StationSnapshot:
    id: str
    company_id: str | None
    is_station: bool
    license_no: str | None
    license_expires_on: date | None
    is_license_suspended: bool
    is_locked: bool
    # 托管: the cylinder's owner has entrusted its filling to this station.
    is_entrusted: bool = False


@dataclass(frozen=True, slots=True)
class OperatorSnapshot:
    certificate_no: str | None
    certificate_expires_on: date | None


@dataclass(frozen=True, slots=True)
class GateConfig:
    models: ModelTable = field(default_factory=ModelTable)
    zone: ZoneInfo = SHANGHAI
    due_soon_days: int = DUE_SOON_DAYS
    life_ending_soon_days: int = LIFE_ENDING_SOON_DAYS
    rapid_refill: timedelta = timedelta(hours=4)
    seen_elsewhere: timedelta = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Verdict:
    reasons: tuple[Finding, ...]
    warnings: tuple[Finding, ...]

    @property
    def is_allowed(self) -> bool:
        return not self.reasons

    @property
    def reason_codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    @property
    def warning_codes(self) -> list[str]:
        return [w.code for w in self.warnings]


def _station_reasons(
    station: StationSnapshot, operator: OperatorSnapshot, today: date
) -> list[str]:
    reasons: list[str] = []
    licence_ok = (
        station.is_station
        and bool(station.license_no)
        and station.license_expires_on is not None
        and station.license_expires_on >= today
        and not station.is_license_suspended
    )
    if not licence_ok:
        reasons.append(Reason.STATION_NOT_LICENSED)
    if not operator.certificate_no or (
        operator.certificate_expires_on is not None and operator.certificate_expires_on < today
    ):
        reasons.append(Reason.OPERATOR_NOT_CERTIFIED)
    if station.is_locked:
        reasons.append(Reason.STATION_LOCKED)
    return reasons


def _cylinder_reasons(
    cyl: CylinderSnapshot, station: StationSnapshot, config: GateConfig, today: date
) -> list[str]:
    reasons: list[str] = []
    if cyl.owner_id != station.company_id and not station.is_entrusted:
        reasons.append(Reason.NOT_OWNED)
    return reasons + cylinder_reasons(cyl, config.models, today)


def cylinder_reasons(cyl: CylinderSnapshot, models: ModelTable, today: date) -> list[str]:
    """What forbids filling this cylinder at ANY station: its own state and dates. The public
    page judges a cylinder by exactly these rules (``service.domain.public_status``)."""
    reasons: list[str] = []
    if today > cyl.next_inspection_due:
        reasons.append(Reason.INSPECTION_OVERDUE)
    if today > cyl.scrap_on:
        reasons.append(Reason.SERVICE_LIFE_EXCEEDED)
    if cyl.status == "scrapped":
        reasons.append(Reason.SCRAPPED)
    if cyl.status == "seized":
        reasons.append(Reason.SEIZED)
    if cyl.is_blacklisted:
        reasons.append(Reason.BLACKLISTED)
    if cyl.is_inspection_failed:
        reasons.append(Reason.INSPECTION_FAILED)
    spec = models.find(cyl.model)
    if spec is not None and spec.is_banned:
        reasons.append(Reason.BANNED_MODEL)
    if cyl.flags:
        reasons.append(Reason.REFURBISHED_OR_MODIFIED)
    return reasons


def date_warnings(cyl: CylinderSnapshot, config: GateConfig, today: date) -> list[str]:
    """The warnings that depend only on the cylinder's dates (also shown on the public page)."""
    warnings: list[str] = []
    if (
        today <= cyl.next_inspection_due
        and (cyl.next_inspection_due - today).days <= config.due_soon_days
    ):
        warnings.append(WarningCode.INSPECTION_DUE_SOON)
    if today <= cyl.scrap_on and (cyl.scrap_on - today).days <= config.life_ending_soon_days:
        warnings.append(WarningCode.SERVICE_LIFE_ENDING_SOON)
    return warnings


def is_held_at_station(cyl: CylinderSnapshot) -> bool:
    """扣留: overfilled or leaking at the last fill; it may not leave the station until a
    corrected re-weigh (a failed inspection is a reason to refuse, not this warning)."""
    return cyl.status == "held" and cyl.hold_reason in ("overfilled", "leak")


def _cylinder_warnings(
    cyl: CylinderSnapshot, station: StationSnapshot, config: GateConfig, now: datetime, today: date
) -> list[str]:
    warnings = date_warnings(cyl, config, today)
    if (
        cyl.last_fill_at is not None
        and timedelta(0) <= now - cyl.last_fill_at < config.rapid_refill
    ):
        warnings.append(WarningCode.RAPID_REFILL)
    if (
        cyl.last_seen_at is not None
        and cyl.last_seen_org_id is not None
        and cyl.last_seen_org_id != station.id
        and timedelta(0) <= now - cyl.last_seen_at < config.seen_elsewhere
    ):
        warnings.append(WarningCode.SEEN_ELSEWHERE)
    if cyl.needs_purge:
        warnings.append(WarningCode.NEEDS_PURGE)
    if is_held_at_station(cyl):
        warnings.append(WarningCode.HELD)
    return warnings


def check_fill(
    cylinder: CylinderSnapshot | None,
    station: StationSnapshot,
    operator: OperatorSnapshot,
    scan: ScanResult,
    now: datetime,
    config: GateConfig,
) -> Verdict:
    """Every reason to refuse, and every warning, for filling ``cylinder`` at ``station`` now."""
    today = local_date(now, config.zone)
    reasons: list[str] = []
    warnings: list[str] = []
    if scan.is_label_invalid:
        reasons.append(Reason.LABEL_INVALID)
    elif cylinder is None:
        reasons.append(Reason.UNKNOWN_CODE)
    if cylinder is not None:
        reasons.extend(_cylinder_reasons(cylinder, station, config, today))
        warnings.extend(_cylinder_warnings(cylinder, station, config, now, today))
    reasons.extend(_station_reasons(station, operator, today))
    if scan.kind is ScanKind.TYPED:
        warnings.append(WarningCode.MANUAL_ENTRY)
    return Verdict(tuple(Finding.of(r) for r in reasons), tuple(Finding.of(w) for w in warnings))
