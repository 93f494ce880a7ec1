"""What a station run is asked to do, decided once from the command line.

``StationOptions`` is the one options object of the four station commands (``station``,
``dispatch``, ``deliver``, ``return``): where the service is, whose token, where the outbox and
the local copy live, where reads come from. The ``Mode`` says what each read does: a fill at
the scale (``FillMode``), or one custody event (``CustodyMode``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

DEFAULT_SERVICE = "http://127.0.0.1:8000"
CustodyKind = Literal["dispatch", "deliver", "return"]
EventKind = Literal["fill", "dispatch", "deliver", "return"]


@dataclass(frozen=True, slots=True)
class StationOptions:
    service: str  # the service's base URL
    token: str
    data_dir: Path  # the outbox and the local copy
    source: str = "0"  # camera index, stream URL, file, or - (keyboard wedge)
    max_reads: int | None = None
    own_hosts: frozenset[str] = frozenset()  # our public label URL's hosts, lower case
    window_s: float = 3.0  # a code seen again within this is the same read
    sound: bool = True
    drain_s: float = 10.0  # at the end, how long to wait for the outbox to empty (online)


@dataclass(frozen=True, slots=True)
class FillMode:
    """充装 (``cylinder-scan station``): the fill gate for each read, then the net weight."""

    net_kg: float | None = None  # every fill's net weight; None: the filler types it
    sync_minutes: float = 10.0  # refresh the local copy this often
    max_cache_hours: float = 24.0  # an older local copy decides nothing offline

    @property
    def kind(self) -> Literal["fill"]:
        return "fill"


@dataclass(frozen=True, slots=True)
class CustodyMode:
    """出站 dispatch, 送达 deliver, 回收 return: one custody event per read."""

    kind: CustodyKind
    customer_id: str | None = None  # deliver: the registered customer (实名)
    vehicle: str | None = None  # the vehicle plate (人车对应)


Mode = FillMode | CustodyMode


def outbox_path(data_dir: Path) -> Path:
    return data_dir / "outbox.sqlite3"


def cache_path(data_dir: Path) -> Path:
    return data_dir / "cache.sqlite3"
