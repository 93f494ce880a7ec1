"""The fill gate, one table: each reason alone, several together, and the date boundaries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from service.domain.gate import (
    CylinderSnapshot,
    GateConfig,
    OperatorSnapshot,
    ScanKind,
    ScanResult,
    StationSnapshot,
    Verdict,
    check_fill,
)
from service.domain.reasons import MESSAGES, Reason, WarningCode

COMPANY = "company-a"
STATION = StationSnapshot(
    id="station-a1",
    company_id=COMPANY,
    is_station=True,
    license_no="TS-001",
    license_expires_on=date(2028, 12, 31),
    is_license_suspended=False,
    is_locked=False,
)
OPERATOR = OperatorSnapshot("CERT-1", date(2028, 1, 1))
CYLINDER = CylinderSnapshot(
    code="ABCDEFGHJKM",
    owner_id=COMPANY,
    model="YSP35.5",
    status="in_service",
    hold_reason=None,
    next_inspection_due=date(2027, 3, 1),
    scrap_on=date(2030, 3, 1),
    is_inspection_failed=False,
    flags=(),
    needs_purge=False,
    is_blacklisted=False,
)
LABEL = ScanResult(ScanKind.LABEL)
# 10:00 in Shanghai on 2026-06-15
NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
CONFIG = GateConfig()


# Parameters left open on purpose: the tables below pass any one of them by name.
def verdict(cylinder=CYLINDER, station=STATION, operator=OPERATOR, scan=LABEL, now=NOW) -> Verdict:  # type: ignore[no-untyped-def]
    return check_fill(cylinder, station, operator, scan, now, CONFIG)


def test_allows_a_legal_cylinder_with_no_warning() -> None:
    result = verdict()
    assert result.is_allowed
    assert result.reasons == ()
    assert result.warnings == ()


REFUSALS = [
    ("UNKNOWN_CODE", {"cylinder": None}),
    ("LABEL_INVALID", {"scan": ScanResult(ScanKind.LABEL, is_label_invalid=True)}),
    ("NOT_OWNED", {"cylinder": replace(CYLINDER, owner_id="company-b")}),
    ("INSPECTION_OVERDUE", {"cylinder": replace(CYLINDER, next_inspection_due=date(2026, 6, 14))}),
    ("SERVICE_LIFE_EXCEEDED", {"cylinder": replace(CYLINDER, scrap_on=date(2026, 6, 14))}),
    ("SCRAPPED", {"cylinder": replace(CYLINDER, status="scrapped")}),
    ("SEIZED", {"cylinder": replace(CYLINDER, status="seized")}),
    ("BLACKLISTED", {"cylinder": replace(CYLINDER, is_blacklisted=True)}),
    ("INSPECTION_FAILED", {"cylinder": replace(CYLINDER, is_inspection_failed=True)}),
    ("BANNED_MODEL", {"cylinder": replace(CYLINDER, model="YSP118-Ⅱ")}),
    ("REFURBISHED_OR_MODIFIED", {"cylinder": replace(CYLINDER, flags=("refurbished",))}),
    ("STATION_NOT_LICENSED", {"station": replace(STATION, license_no=None)}),
    ("STATION_NOT_LICENSED", {"station": replace(STATION, license_expires_on=date(2026, 6, 14))}),
    ("STATION_NOT_LICENSED", {"station": replace(STATION, is_license_suspended=True)}),
    ("OPERATOR_NOT_CERTIFIED", {"operator": OperatorSnapshot(None, None)}),
    ("OPERATOR_NOT_CERTIFIED", {"operator": OperatorSnapshot("CERT-1", date(2026, 6, 14))}),
    ("STATION_LOCKED", {"station": replace(STATION, is_locked=True)}),
]


@pytest.mark.parametrize(
    ("code", "change"), REFUSALS, ids=[f"{c}-{i}" for i, (c, _) in enumerate(REFUSALS)]
)
def test_refuses_for_each_reason_alone(code: str, change: dict[str, object]) -> None:
    result = verdict(**change)
    assert not result.is_allowed
    assert result.reason_codes == [code]
    finding = result.reasons[0]
    assert finding.message_zh == MESSAGES[code][0]
    assert finding.message == MESSAGES[code][1]


def test_lists_every_reason_when_several_apply() -> None:
    cylinder = replace(
        CYLINDER,
        owner_id="company-b",
        next_inspection_due=date(2020, 1, 1),
        scrap_on=date(2021, 1, 1),
        is_blacklisted=True,
        model="YSP118-II",
        flags=("screw_ring",),
    )
    station = replace(STATION, is_locked=True)
    result = verdict(cylinder=cylinder, station=station, operator=OperatorSnapshot(None, None))
    assert result.reason_codes == [
        "NOT_OWNED",
        "INSPECTION_OVERDUE",
        "SERVICE_LIFE_EXCEEDED",
        "BLACKLISTED",
        "BANNED_MODEL",
        "REFURBISHED_OR_MODIFIED",
        "OPERATOR_NOT_CERTIFIED",
        "STATION_LOCKED",
    ]


def test_an_entrusted_station_may_fill_another_companys_cylinder() -> None:
    result = verdict(
        cylinder=replace(CYLINDER, owner_id="company-b"),
        station=replace(STATION, is_entrusted=True),
    )
    assert result.is_allowed


# --- date boundaries: a due date is the last day a fill is allowed, in Asia/Shanghai ----------

DUE = date(2026, 6, 15)


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        (datetime(2026, 6, 15, 15, 59, 59, tzinfo=UTC), True),  # 23:59:59 on the due day there
        (datetime(2026, 6, 15, 16, 0, 0, tzinfo=UTC), False),  # 00:00 the next day there
        (datetime(2026, 6, 14, 16, 0, 0, tzinfo=UTC), True),  # 00:00 on the due day there
        (datetime(2026, 6, 15, 23, 59, tzinfo=UTC), False),  # 23:59 UTC is already tomorrow
    ],
)
def test_inspection_due_date_is_the_last_day_in_shanghai(now: datetime, allowed: bool) -> None:
    result = verdict(cylinder=replace(CYLINDER, next_inspection_due=DUE), now=now)
    assert ("INSPECTION_OVERDUE" not in result.reason_codes) is allowed


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        (datetime(2026, 6, 15, 15, 59, tzinfo=UTC), True),
        (datetime(2026, 6, 15, 16, 0, tzinfo=UTC), False),
    ],
)
def test_scrap_date_is_the_last_day_in_shanghai(now: datetime, allowed: bool) -> None:
    result = verdict(cylinder=replace(CYLINDER, scrap_on=DUE), now=now)
    assert ("SERVICE_LIFE_EXCEEDED" not in result.reason_codes) is allowed


def test_licence_and_certificate_expiry_days_are_still_valid() -> None:
    station = replace(STATION, license_expires_on=date(2026, 6, 15))
    operator = OperatorSnapshot("CERT-1", date(2026, 6, 15))
    assert verdict(station=station, operator=operator).is_allowed
    tomorrow = NOW + timedelta(days=1)
    assert verdict(station=station, operator=operator, now=tomorrow).reason_codes == [
        "STATION_NOT_LICENSED",
        "OPERATOR_NOT_CERTIFIED",
    ]


# --- warnings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "change"),
    [
        (
            "INSPECTION_DUE_SOON",
            {"cylinder": replace(CYLINDER, next_inspection_due=date(2026, 7, 15))},
        ),
        ("SERVICE_LIFE_ENDING_SOON", {"cylinder": replace(CYLINDER, scrap_on=date(2026, 9, 13))}),
        (
            "RAPID_REFILL",
            {"cylinder": replace(CYLINDER, last_fill_at=NOW - timedelta(hours=3, minutes=59))},
        ),
        (
            "SEEN_ELSEWHERE",
            {
                "cylinder": replace(
                    CYLINDER,
                    last_seen_at=NOW - timedelta(minutes=29),
                    last_seen_org_id="station-b1",
                )
            },
        ),
        ("NEEDS_PURGE", {"cylinder": replace(CYLINDER, needs_purge=True)}),
        ("MANUAL_ENTRY", {"scan": ScanResult(ScanKind.TYPED)}),
        ("HELD", {"cylinder": replace(CYLINDER, status="held", hold_reason="overfilled")}),
    ],
)
def test_warns_without_refusing(code: str, change: dict[str, object]) -> None:
    result = verdict(**change)
    assert result.is_allowed
    assert result.warning_codes == [code]


@pytest.mark.parametrize(
    "change",
    [
        {"cylinder": replace(CYLINDER, next_inspection_due=date(2026, 7, 16))},  # 31 days
        {"cylinder": replace(CYLINDER, scrap_on=date(2026, 9, 14))},  # 91 days
        {"cylinder": replace(CYLINDER, last_fill_at=NOW - timedelta(hours=4))},
        {
            "cylinder": replace(
                CYLINDER, last_seen_at=NOW - timedelta(minutes=30), last_seen_org_id="station-b1"
            )
        },
        {
            "cylinder": replace(
                CYLINDER, last_seen_at=NOW - timedelta(minutes=1), last_seen_org_id="station-a1"
            )
        },
        {"scan": ScanResult(ScanKind.ALIAS)},
    ],
)
def test_no_warning_just_past_each_threshold(change: dict[str, object]) -> None:
    assert verdict(**change).warnings == ()


@pytest.mark.parametrize("code", [*Reason, *WarningCode], ids=str)
def test_every_code_has_both_messages(code: Reason | WarningCode) -> None:
    zh, en = MESSAGES[code]
    assert zh.strip()
    assert en.strip()
    assert zh != en
    assert code.isupper()


def test_every_message_belongs_to_a_code() -> None:
    assert set(MESSAGES) == {*Reason, *WarningCode}
