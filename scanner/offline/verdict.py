"""A fill-gate answer as the scanner shows and records it, whether the service gave it (online)
or the local gate did (offline, ``scanner.offline.gate``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.domain.gate import Verdict
from service.domain.reasons import MESSAGES, Finding


@dataclass(frozen=True, slots=True)
class GateAnswer:
    is_allowed: bool
    code: str | None  # the resolved code, when the cylinder is known
    model: str | None
    reasons: tuple[Finding, ...]
    warnings: tuple[Finding, ...]
    check_id: str | None = None  # the service's check (online only)
    is_offline: bool = False
    checked_at: datetime | None = None  # offline: when the local gate decided
    cache_as_of: datetime | None = None  # offline: the local copy's sync time
    # Offline, why the local copy could not say more (a code not in the company's list, no
    # copy yet, a copy too old): shown to the filler under the verdict.
    note: tuple[str, str] | None = None

    @property
    def reason_codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    def offline_record(self) -> dict[str, Any]:
        """The ``offline`` field of a fill the local gate allowed (``OfflineVerdict``)."""
        if not self.is_offline or self.checked_at is None:
            raise ValueError("only an offline answer has an offline record")
        return {
            "checked_at": self.checked_at.isoformat(),
            "cache_as_of": self.cache_as_of.isoformat() if self.cache_as_of else None,
            "verdict": "allow" if self.is_allowed else "refuse",
            "reasons": self.reason_codes,
        }


def finding_of(item: dict[str, Any]) -> Finding:
    """A reason or warning from the service's JSON; the scanner's own catalogue fills in a
    message the service left out."""
    code = str(item.get("code", ""))
    zh, en = MESSAGES.get(code, (code, code))
    return Finding(code, str(item.get("message") or en), str(item.get("message_zh") or zh))


def answer_from_service(data: dict[str, Any]) -> GateAnswer:
    """``POST /fill-checks`` → 200 body."""
    cylinder = data.get("cylinder") or {}
    return GateAnswer(
        is_allowed=data.get("verdict") == "allow",
        code=data.get("code"),
        model=cylinder.get("model"),
        reasons=tuple(finding_of(r) for r in data.get("reasons", [])),
        warnings=tuple(finding_of(w) for w in data.get("warnings", [])),
        check_id=str(data["check_id"]) if data.get("check_id") else None,
    )


def answer_from_verdict(
    verdict: Verdict,
    *,
    code: str | None,
    model: str | None,
    checked_at: datetime,
    cache_as_of: datetime | None,
    note: tuple[str, str] | None = None,
) -> GateAnswer:
    return GateAnswer(
        is_allowed=verdict.is_allowed,
        code=code,
        model=model,
        reasons=verdict.reasons,
        warnings=verdict.warnings,
        is_offline=True,
        checked_at=checked_at,
        cache_as_of=cache_as_of,
        note=note,
    )
