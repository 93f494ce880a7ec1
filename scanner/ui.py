"""What the filler sees and hears. The station builds a ``Screen`` (what to say) and hands it to
a ``VerdictView`` (how): a full-screen OpenCV window where there is a display and OpenCV has a
GUI (``scanner.window``), otherwise a big coloured panel in the terminal (rich). A test
passes ``RecordingView`` and reads back what would have been shown.

Chinese first, English second, in everything a filler reads.

Choosing the window is done with care: ``cv2.imshow`` in the GUI build of OpenCV ABORTS the
whole process when no display can be opened (Qt's xcb plugin; exit 134, nothing to catch), and
the headless build raises ``cv2.error``. So the window is used only when DISPLAY or
WAYLAND_DISPLAY is set, the build reports a GUI, and a throw-away subprocess has opened and
closed a window successfully; otherwise the terminal.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import cv2
from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from scanner.offline.verdict import GateAnswer
from service.domain.reasons import Reason


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


ALLOW = Line("可以充装", "ALLOW")
REFUSE = Line("禁止充装", "REFUSE")
OFFLINE = Line(
    "网络中断：离线判断，恢复后自动上传",
    "Offline: decided from the local copy; will upload when the network is back",
)
OFFLINE_REFUSED = Line("网络中断：离线判断", "Offline: decided from the local copy")


def _as_of(answer: GateAnswer) -> str:
    if answer.cache_as_of is None:
        return ""
    return answer.cache_as_of.astimezone().strftime("%m-%d %H:%M")


def verdict_screen(answer: GateAnswer) -> Screen:
    reasons = answer.reasons
    if answer.is_offline and answer.note is not None:
        # Offline, "unknown" only means "not in the local list": the note says that better
        # than "no registered cylinder has this code", which may be untrue.
        reasons = tuple(r for r in reasons if r.code != Reason.UNKNOWN_CODE)
    lines = [Line(r.message_zh, r.message) for r in reasons]
    if answer.note is not None:
        lines.append(Line(*answer.note))
    lines.extend(Line("注意：" + w.message_zh, "Note: " + w.message) for w in answer.warnings)
    banner = None
    if answer.is_offline:
        stamp = _as_of(answer)
        suffix = Line(f"（名单 {stamp}）", f" (list of {stamp})") if stamp else Line("", "")
        head = OFFLINE if answer.is_allowed else OFFLINE_REFUSED
        banner = Line(head.zh + suffix.zh, head.en + suffix.en)
    return Screen(
        Tone.ALLOW if answer.is_allowed else Tone.REFUSE,
        ALLOW if answer.is_allowed else REFUSE,
        tuple(lines),
        answer.code,
        answer.model,
        banner,
    )


class VerdictView(Protocol):
    def show(self, screen: Screen) -> None: ...

    def tick(self) -> None:
        """Called between reads: a window stays responsive."""
        ...

    def close(self) -> None: ...


class RecordingView:
    """Keeps every screen (tests)."""

    def __init__(self) -> None:
        self.screens: list[Screen] = []

    def show(self, screen: Screen) -> None:
        self.screens.append(screen)

    def tick(self) -> None:
        pass

    def close(self) -> None:
        pass


_STYLES = {
    Tone.ALLOW: "bold white on green4",
    Tone.REFUSE: "bold white on red3",
    Tone.DONE: "bold white on dark_green",
    Tone.QUEUED: "bold black on yellow3",
    Tone.NOTICE: "bold white on grey35",
}


class TerminalView:
    """A full-width coloured panel per screen."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console(highlight=False)

    def show(self, screen: Screen) -> None:
        style = _STYLES[screen.tone]
        parts: list[Text] = [Text(f"\n{screen.title.zh}  /  {screen.title.en}\n", justify="center")]
        ident = "  ".join(x for x in (screen.code, screen.model) if x)
        if ident:
            parts.append(Text(ident + "\n", justify="center"))
        for line in screen.lines:
            parts.append(Text(f"• {line.zh}", style="bold"))
            parts.append(Text(f"  {line.en}", style="dim" if screen.tone is Tone.ALLOW else ""))
        if screen.banner is not None:
            parts.append(Text(f"\n{screen.banner.zh}\n{screen.banner.en}", style="bold yellow"))
        self.console.print(Panel(Group(*parts), style=style, expand=True, padding=(1, 4)))

    def tick(self) -> None:
        pass

    def close(self) -> None:
        pass


def has_display(env: Mapping[str, str]) -> bool:
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def has_gui_build(build_information: str | None = None) -> bool:
    """Whether this OpenCV was built with a GUI backend (the headless wheels say NONE)."""
    info = build_information if build_information is not None else cv2.getBuildInformation()
    match = re.search(r"^\s*GUI:\s*(\S+)", info, re.MULTILINE)
    return match is not None and match.group(1).upper() != "NONE"


PROBE = (
    "import cv2, numpy; cv2.namedWindow('probe'); "
    "cv2.imshow('probe', numpy.zeros((8, 8, 3), numpy.uint8)); cv2.waitKey(1); "
    "cv2.destroyAllWindows()"
)


def can_open_window(command: Sequence[str] | None = None, timeout_s: float = 15.0) -> bool:
    """Open and close a window in a subprocess: if that aborts, only the probe dies."""
    argv = list(command) if command is not None else [sys.executable, "-c", PROBE]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=timeout_s, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def choose_view(
    env: Mapping[str, str] | None = None,
    *,
    probe: Sequence[str] | None = None,
    console: Console | None = None,
    build_information: str | None = None,
) -> VerdictView:
    """The window when it can work here, else the terminal (see the module docstring)."""
    environ = os.environ if env is None else env
    if has_display(environ) and has_gui_build(build_information) and can_open_window(probe):
        try:
            from scanner.window import WindowView

            return WindowView()
        except (ImportError, OSError, cv2.error):
            pass  # no Pillow or no font: the terminal still tells the filler everything
    return TerminalView(console)
