"""What the public page says about a cylinder (公众查询): one large status, its reasons, and
the notices a user should read before using it.

The status is not a second set of rules: it is the fill gate's own verdict on the cylinder
(``gate.cylinder_reasons``: everything that forbids filling it at any station), reduced to the
one reason a person must know first. A cylinder the gate would fill is 正常 (OK).

Order of precedence, most final first: a scrapped code is revoked forever, so 已报废 outranks
a seizure; a seizure or a blacklisting is a regulator's decision, which outranks what the
dates say; a cylinder past its service life will never be legal again, while an overdue one
becomes legal after a passed inspection, so 超期未检 comes last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from service.domain.gate import (
    CylinderSnapshot,
    GateConfig,
    cylinder_reasons,
    date_warnings,
    is_held_at_station,
)
from service.domain.reasons import Finding, Reason, WarningCode

OK: Final = "OK"

# (machine code, 中文, English): the large words on the page, short enough for one line
# at 360 px. The reasons underneath carry the full catalogue messages.
STATUSES: Final[tuple[tuple[str, str, str], ...]] = (
    (Reason.SCRAPPED, "已报废", "Scrapped"),
    (Reason.SEIZED, "已查封", "Seized"),
    (Reason.BLACKLISTED, "黑名单", "Blacklisted"),
    (Reason.SERVICE_LIFE_EXCEEDED, "超过使用年限", "Past service life"),
    (Reason.BANNED_MODEL, "禁用型号", "Banned model"),
    (Reason.REFURBISHED_OR_MODIFIED, "翻新改装瓶", "Refurbished"),
    (Reason.INSPECTION_FAILED, "检验不合格", "Failed inspection"),
    (Reason.INSPECTION_OVERDUE, "超期未检", "Inspection overdue"),
)
_LABELS: Final = {OK: ("正常", "OK")} | {code: (zh, en) for code, zh, en in STATUSES}


@dataclass(frozen=True, slots=True)
class PublicStatus:
    code: str  # OK, or the reason that decides (SCRAPPED, INSPECTION_OVERDUE...)
    zh: str
    en: str
    reasons: tuple[Finding, ...]  # every reason the gate would refuse it, in precedence order
    notices: tuple[Finding, ...]  # due soon, life ending soon, held at the station

    @property
    def is_ok(self) -> bool:
        return self.code == OK


def public_status(cylinder: CylinderSnapshot, config: GateConfig, today: date) -> PublicStatus:
    """The public status of ``cylinder`` on ``today`` (the date where it is). Pure."""
    found = set(cylinder_reasons(cylinder, config.models, today))
    ranked = [code for code, _, _ in STATUSES if code in found]
    # A reason added to the gate later still shows, after the ranked ones, rather than vanish.
    ranked += sorted(found.difference(ranked))
    notices = date_warnings(cylinder, config, today)
    if is_held_at_station(cylinder):
        notices.append(WarningCode.HELD)
    code = ranked[0] if ranked else OK
    zh, en = _label(code)
    return PublicStatus(
        code=code,
        zh=zh,
        en=en,
        reasons=tuple(Finding.of(r) for r in ranked),
        notices=tuple(Finding.of(n) for n in notices),
    )


def _label(code: str) -> tuple[str, str]:
    if code in _LABELS:
        return _LABELS[code]
    message = Finding.of(code)
    return message.message_zh, message.message
