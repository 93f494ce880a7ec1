"""The catalogue of refusal reasons and warnings: a stable code, a Chinese message (first: the
filler reads it) and an English one. Codes never change; messages may be improved."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    UNKNOWN_CODE = "UNKNOWN_CODE"
    LABEL_INVALID = "LABEL_INVALID"
    NOT_OWNED = "NOT_OWNED"
    INSPECTION_OVERDUE = "INSPECTION_OVERDUE"
    SERVICE_LIFE_EXCEEDED = "SERVICE_LIFE_EXCEEDED"
    SCRAPPED = "SCRAPPED"
    SEIZED = "SEIZED"
    BLACKLISTED = "BLACKLISTED"
    INSPECTION_FAILED = "INSPECTION_FAILED"
    BANNED_MODEL = "BANNED_MODEL"
    REFURBISHED_OR_MODIFIED = "REFURBISHED_OR_MODIFIED"
    STATION_NOT_LICENSED = "STATION_NOT_LICENSED"
    OPERATOR_NOT_CERTIFIED = "OPERATOR_NOT_CERTIFIED"
    STATION_LOCKED = "STATION_LOCKED"


class WarningCode(StrEnum):
    INSPECTION_DUE_SOON = "INSPECTION_DUE_SOON"
    SERVICE_LIFE_ENDING_SOON = "SERVICE_LIFE_ENDING_SOON"
    RAPID_REFILL = "RAPID_REFILL"
    SEEN_ELSEWHERE = "SEEN_ELSEWHERE"
    NEEDS_PURGE = "NEEDS_PURGE"
    MANUAL_ENTRY = "MANUAL_ENTRY"
    HELD = "HELD"
    OVERFILLED = "OVERFILLED"
    LEAK_TEST_FAILED = "LEAK_TEST_FAILED"
    NET_OUT_OF_TOLERANCE = "NET_OUT_OF_TOLERANCE"


MESSAGES: dict[str, tuple[str, str]] = {
    # refusals
    "UNKNOWN_CODE": ("未建档气瓶，禁止充装", "No registered cylinder has this code"),
    "LABEL_INVALID": (
        "标签无效：可能误读、损坏或伪造",
        "Label invalid: misread, damaged or forged",
    ),
    "NOT_OWNED": ("非本单位自有气瓶，禁止充装", "Not this station's company's cylinder"),
    "INSPECTION_OVERDUE": ("超期未检，禁止充装", "Periodic inspection overdue"),
    "SERVICE_LIFE_EXCEEDED": (
        "超过设计使用年限，应报废",
        "Past its service life: must be scrapped",
    ),
    "SCRAPPED": ("已报废/注销气瓶", "Scrapped cylinder; its code is revoked"),
    "SEIZED": ("已被监管部门查封扣押", "Sealed or seized by the regulator"),
    "BLACKLISTED": ("列入黑名单或召回", "Blacklisted or under recall"),
    "INSPECTION_FAILED": ("定期检验不合格", "Failed its last periodic inspection"),
    "BANNED_MODEL": ("禁用型号（气液双相瓶）", "Banned model (gas-liquid dual phase)"),
    "REFURBISHED_OR_MODIFIED": (
        "翻新、改装、螺丝瓶或非国标气瓶",
        "Refurbished, modified, screw-ring or non-standard",
    ),
    "STATION_NOT_LICENSED": (
        "充装许可证缺失、过期或暂停",
        "Station's filling licence missing, expired or suspended",
    ),
    "OPERATOR_NOT_CERTIFIED": (
        "充装人员无有效作业人员证",
        "Operator has no valid operator certificate",
    ),
    "STATION_LOCKED": ("充装站已被监管部门远程锁定", "Station filling locked by the regulator"),
    # warnings
    "INSPECTION_DUE_SOON": ("30天内到检验期", "Periodic inspection due soon"),
    "SERVICE_LIFE_ENDING_SOON": ("即将达到设计使用年限", "Service life ends soon"),
    "RAPID_REFILL": (
        "短时间内重复充装，可能倒气或克隆标签",
        "Refilled very recently: decanting or cloned label?",
    ),
    "SEEN_ELSEWHERE": (
        "刚在其他地点被扫描，可能是克隆标签",
        "Just scanned elsewhere: cloned label?",
    ),
    "NEEDS_PURGE": (
        "首次充装或检验后首次充装，须先置换",
        "First fill (or first after inspection): purge first",
    ),
    "MANUAL_ENTRY": ("手工输入编号，未扫描标签", "Code typed by hand, not scanned from the label"),
    "HELD": (
        "气瓶处于扣留状态，复称合格前不得出站",
        "Held: may not leave the station until re-weighed",
    ),
    "OVERFILLED": ("超装！已扣留，须复称合格", "Overfilled: held until a corrected re-weigh"),
    "LEAK_TEST_FAILED": ("检漏不合格，已扣留", "Leak test failed: held"),
    "NET_OUT_OF_TOLERANCE": ("充装量超出允许偏差", "Net fill outside the target tolerance"),
}


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    message: str
    message_zh: str

    @classmethod
    def of(cls, code: str) -> Finding:
        zh, en = MESSAGES[code]
        return cls(code, en, zh)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "message_zh": self.message_zh}
