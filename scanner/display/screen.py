"""The one screen model: what the station has to say, before anyone decides how to show it.

The station builds a ``Screen``; a view (the terminal, the window, a test's ``RecordingView``)
draws it, and the sound plays its ``Tone``. Chinese first, English second, in everything a
filler reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Tone(StrEnum):
    ALLOW = "allow"  # may fill: green
    REFUSE = "refuse"  # must not fill / rejected: red
    DONE = "done"  # recorded by the service
    QUEUED = "queued"  # saved on the scanner, to upload
    NOTICE = "notice"


@dataclass(frozen=True, slots=True)
class Line:
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Screen:
    tone: Tone
    title: Line
    lines: tuple[Line, ...] = ()
    code: str | None = None
    model: str | None = None
    banner: Line | None = None  # the offline notice, under everything else
