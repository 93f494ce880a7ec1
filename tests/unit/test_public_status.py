"""The public page's status: the fill gate's own verdict on the cylinder, reduced to the one
reason a person must know first."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from service.domain.gate import CylinderSnapshot, GateConfig
from service.domain.public_status import OK, STATUSES, public_status
from service.domain.reasons import Reason

TODAY = date(2026, 6, 15)
CONFIG = GateConfig()
CYLINDER = CylinderSnapshot(
    code="ABCDEFGHJKM",
    owner_id="company-a",
    model="YSP35.5",
    status="in_service",
    hold_reason=None,
    next_inspection_due=date(2027, 3, 1),
    scrap_on=date(2030, 3, 1),
    is_inspection_failed=False,
    flags=(),
    needs_purge=True,
    is_blacklisted=False,
)


def test_ok_when_the_gate_would_fill_it_anywhere() -> None:
    status = public_status(CYLINDER, CONFIG, TODAY)
    assert (status.code, status.zh, status.en, status.is_ok) == (OK, "正常", "OK", True)
    assert status.reasons == ()
    assert status.notices == ()  # needs_purge is the filler's business, not the public's


@pytest.mark.parametrize(
    ("changes", "code", "zh"),
    [
        ({"next_inspection_due": date(2026, 6, 14)}, "INSPECTION_OVERDUE", "超期未检"),
        ({"scrap_on": date(2026, 6, 14)}, "SERVICE_LIFE_EXCEEDED", "超过使用年限"),
        ({"status": "scrapped"}, "SCRAPPED", "已报废"),
        ({"status": "seized"}, "SEIZED", "已查封"),
        ({"is_blacklisted": True}, "BLACKLISTED", "黑名单"),
        (
            {"status": "held", "hold_reason": "inspection_failed", "is_inspection_failed": True},
            "INSPECTION_FAILED",
            "检验不合格",
        ),
        ({"model": "YSP118-II"}, "BANNED_MODEL", "禁用型号"),
        ({"flags": ("refurbished",)}, "REFURBISHED_OR_MODIFIED", "翻新改装瓶"),
    ],
)
def test_status_names_the_single_reason_when_there_is_one(
    changes: dict[str, object], code: str, zh: str
) -> None:
    status = public_status(replace(CYLINDER, **changes), CONFIG, TODAY)  # type: ignore[arg-type]
    assert (status.code, status.zh, status.is_ok) == (code, zh, False)
    assert [r.code for r in status.reasons] == [code]
    assert status.reasons[0].message_zh  # the catalogue's full sentence goes underneath


def test_due_date_is_the_last_legal_day() -> None:
    on_the_day = replace(CYLINDER, next_inspection_due=TODAY, scrap_on=date(2040, 1, 1))
    assert public_status(on_the_day, CONFIG, TODAY).code == OK
    assert public_status(on_the_day, CONFIG, date(2026, 6, 16)).code == "INSPECTION_OVERDUE"


@pytest.mark.parametrize(
    ("changes", "code", "all_codes"),
    [
        (
            {"status": "scrapped", "scrap_on": date(2026, 1, 1), "is_blacklisted": True},
            "SCRAPPED",
            ["SCRAPPED", "BLACKLISTED", "SERVICE_LIFE_EXCEEDED"],
        ),
        (
            {"status": "seized", "next_inspection_due": date(2026, 1, 1)},
            "SEIZED",
            ["SEIZED", "INSPECTION_OVERDUE"],
        ),
        (
            {"next_inspection_due": date(2026, 1, 1), "scrap_on": date(2026, 1, 1)},
            "SERVICE_LIFE_EXCEEDED",
            ["SERVICE_LIFE_EXCEEDED", "INSPECTION_OVERDUE"],
        ),
    ],
)
def test_most_final_reason_wins_and_every_reason_is_listed(
    changes: dict[str, object], code: str, all_codes: list[str]
) -> None:
    status = public_status(replace(CYLINDER, **changes), CONFIG, TODAY)  # type: ignore[arg-type]
    assert status.code == code
    assert [r.code for r in status.reasons] == all_codes


@pytest.mark.parametrize(
    ("changes", "notices"),
    [
        ({"next_inspection_due": date(2026, 7, 1)}, ["INSPECTION_DUE_SOON"]),
        ({"next_inspection_due": date(2026, 7, 16)}, []),
        ({"scrap_on": date(2026, 8, 1)}, ["SERVICE_LIFE_ENDING_SOON"]),
        ({"status": "held", "hold_reason": "overfilled"}, ["HELD"]),
        ({"status": "held", "hold_reason": "leak"}, ["HELD"]),
    ],
)
def test_notices_warn_without_changing_an_ok_status(
    changes: dict[str, object], notices: list[str]
) -> None:
    status = public_status(replace(CYLINDER, **changes), CONFIG, TODAY)  # type: ignore[arg-type]
    assert status.code == OK
    assert [n.code for n in status.notices] == notices


def test_every_reason_about_the_cylinder_itself_has_a_short_status() -> None:
    # Reasons about the station, the operator or the scan never reach the public page.
    elsewhere = {
        Reason.UNKNOWN_CODE,
        Reason.LABEL_INVALID,
        Reason.NOT_OWNED,
        Reason.STATION_NOT_LICENSED,
        Reason.OPERATOR_NOT_CERTIFIED,
        Reason.STATION_LOCKED,
    }
    assert {code for code, _, _ in STATUSES} == set(Reason) - elsewhere
    assert all(len(zh) <= 6 for _, zh, _ in STATUSES)  # one line of large type at 360 px
