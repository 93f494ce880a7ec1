"""The offline fill gate: when the service cannot answer within 2 s, the scanner decides from its
local copy (``scanner.offline.cache``) with the service's own rules,
``service.domain.gate.check_fill``, and says on screen that it did.

What the offline gate knows, as of the last sync (``cylinder-scan sync``, at start-up and
every few minutes while the station runs):

* the station's filling licence, its suspension and a regulator's lock, and the filler's
  operator certificate (``GET /me``);
* every cylinder of the filler's own company: status (held, seized, scrapped), inspection due
  date, scrap date, failed inspection, refurbishment flags, banned model, aliases, last fill;
* the active blacklist, by manufacturer + batch and by model; by single code only when the
  service lists the entry's code (see below).

What it cannot know, and what it does about it:

* Anything that changed after the last sync: a blacklisting, a seizure, a failed inspection,
  a station lock made since then is unknown, and such a fill is allowed offline. The copy's
  age is shown with every offline verdict, and a copy older than ``max_age`` (24 h by
  default) decides nothing: every fill is refused until a sync succeeds.
* Other companies' cylinders are not in the copy (a filler may only list its own company's),
  and neither are codes nobody registered: both are refused, as ``UNKNOWN_CODE`` with a note
  that the code is not in this company's list (another company's cylinder, or unregistered).
  Online the service says ``NOT_OWNED`` for the first. Cylinders that another company
  entrusted to this station (托管) are refused offline for the same reason.
* The label's tag (the keyed MAC that recognises a forged label) needs the service's key:
  offline only the code's check character is verified.
* Warnings that need other stations' scans (``SEEN_ELSEWHERE``) are not given offline.
* The model table is the built-in one; a deployment's own ``CYLINDERS_MODELS_FILE`` is not
  known to the scanner.
* A blacklist entry for a single cylinder can be applied only if ``GET /blacklist`` gives
  its ``code``; without it such entries are counted and reported by ``cylinder-scan sync``.

A fill the offline gate allowed is queued with ``"offline": {"checked_at", "cache_as_of",
"verdict": "allow", "reasons": []}``. On upload the service re-runs the gate: the fill is
recorded even if it would now refuse (the gas is in the cylinder; the record must exist), with
the reasons it finds as ``violations``, counted per station for the regulator. So what the
local copy missed is flagged, never lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from scanner.offline.cache import CacheInfo, LocalCache
from scanner.offline.verdict import GateAnswer, answer_from_verdict
from service.domain.codes import (
    BadGrai,
    Grai,
    ManufacturerSerial,
    OwnCode,
    normalize_alias,
    parse_scan,
)
from service.domain.gate import (
    CylinderSnapshot,
    GateConfig,
    OperatorSnapshot,
    ScanKind,
    ScanResult,
    StationSnapshot,
    check_fill,
)

NOT_IN_COPY = (
    "离线：此码不在本单位气瓶名单中（他单位气瓶或未建档）",
    "Offline: not in your company's cylinder list (another company's, or not registered)",
)
NO_COPY = (
    "离线且本机没有气瓶名单，无法判断：请联网同步",
    "Offline with no local copy: cannot decide. Connect and sync",
)
STALE_COPY = (
    "离线且本机名单已过期，无法判断：请联网同步",
    "Offline and the local copy is too old to decide. Connect and sync",
)


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def cylinder_snapshot(cylinder: dict[str, Any], *, is_blacklisted: bool) -> CylinderSnapshot:
    """A cylinder of ``GET /cylinders`` as the gate sees it."""
    last_fill = cylinder.get("last_fill") or {}
    hold_reason = cylinder.get("hold_reason")
    return CylinderSnapshot(
        code=cylinder["code"],
        owner_id=str(cylinder["owner_id"]),
        model=cylinder["model"],
        status=cylinder["status"],
        hold_reason=hold_reason,
        next_inspection_due=date.fromisoformat(cylinder["next_inspection_due"]),
        scrap_on=date.fromisoformat(cylinder["scrap_on"]),
        # A failed inspection holds the cylinder with this reason until one passes (the
        # list does not carry the flag itself).
        is_inspection_failed=hold_reason == "inspection_failed",
        flags=tuple(cylinder.get("flags") or ()),
        needs_purge=bool(cylinder.get("needs_purge")),
        is_blacklisted=is_blacklisted,
        last_fill_at=_moment(last_fill.get("at")),
    )


def station_snapshots(me: dict[str, Any]) -> tuple[StationSnapshot, OperatorSnapshot]:
    """The station and the operator of ``GET /me``."""
    org, user = me["organization"], me["user"]
    station = StationSnapshot(
        id=str(org["id"]),
        company_id=str(org["company_id"]) if org.get("company_id") else None,
        is_station=org.get("kind") == "station",
        license_no=org.get("license_no"),
        license_expires_on=_date(org.get("license_expires_on")),
        is_license_suspended=bool(org.get("is_license_suspended")),
        is_locked=bool(org.get("is_locked")),
    )
    return station, OperatorSnapshot(
        user.get("certificate_no"), _date(user.get("certificate_expires_on"))
    )


def find_in_copy(
    cache: LocalCache, text: str, own_hosts: frozenset[str]
) -> tuple[dict[str, Any] | None, ScanResult]:
    """The cylinder a scan names, and what the scan says about the label: the service's
    lookup (``service.use_cases.lookup.resolve``) on the local copy, minus the tag check."""
    scan = parse_scan(text, own_hosts)
    raw_key = normalize_alias(text)
    if isinstance(scan, OwnCode):
        kind = ScanKind.TYPED if scan.is_typed else ScanKind.LABEL
        if scan.is_valid:
            return cache.by_code(scan.code) or cache.by_alias(raw_key), ScanResult(kind)
        found = cache.by_alias(raw_key)
        # What fails our check character may be another identifier bound to a cylinder.
        if found is not None:
            return found, ScanResult(ScanKind.ALIAS)
        return None, ScanResult(kind, is_label_invalid=True)
    if isinstance(scan, Grai):
        return cache.by_alias(scan.key), ScanResult(ScanKind.ALIAS)
    if isinstance(scan, BadGrai):
        return None, ScanResult(ScanKind.ALIAS, is_label_invalid=True)
    if isinstance(scan, ManufacturerSerial):
        found = cache.by_alias(raw_key) or cache.by_serial(scan.manufacturer, scan.serial)
        return found, ScanResult(ScanKind.TYPED)
    return cache.by_alias(scan.key), ScanResult(ScanKind.ALIAS)


@dataclass
class OfflineGate:
    """Decides from the copy in ``cache`` for the user of ``token``."""

    cache: LocalCache
    token: str
    now: Callable[[], datetime]
    config: GateConfig = field(default_factory=GateConfig)
    max_age: timedelta = timedelta(hours=24)
    own_hosts: frozenset[str] = frozenset()

    def known_hosts(self) -> frozenset[str]:
        """Our public URL's hosts: configured, or learnt from the copy's QR payloads."""
        return self.own_hosts | self.cache.own_hosts(self.token)

    def decide(self, text: str) -> GateAnswer:
        now = self.now()
        info = self.cache.info(self.token)
        if info is None:
            return undecided(NO_COPY, now, None)
        if now - info.as_of > self.max_age:
            return undecided(STALE_COPY, now, info.as_of)
        return self._check(text, info, now)

    def _check(self, text: str, info: CacheInfo, now: datetime) -> GateAnswer:
        station, operator = station_snapshots(info.me)
        found, scan = find_in_copy(self.cache, text, self.own_hosts | info.own_hosts)
        snapshot = None
        if found is not None:
            snapshot = cylinder_snapshot(found, is_blacklisted=self.cache.is_blacklisted(found))
        verdict = check_fill(snapshot, station, operator, scan, now, self.config)
        return answer_from_verdict(
            verdict,
            code=found["code"] if found else None,
            model=found.get("model") if found else None,
            checked_at=now,
            cache_as_of=info.as_of,
            note=NOT_IN_COPY if found is None and not scan.is_label_invalid else None,
        )


def undecided(note: tuple[str, str], now: datetime, as_of: datetime | None) -> GateAnswer:
    """No verdict could be reached offline: do not fill."""
    return GateAnswer(
        is_allowed=False,
        code=None,
        model=None,
        reasons=(),
        warnings=(),
        is_offline=True,
        checked_at=now,
        cache_as_of=as_of,
        note=note,
    )
