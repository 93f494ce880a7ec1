"""How a ``Screen`` is shown: a ``VerdictView``. A full-screen OpenCV window where there is a
display and OpenCV has a GUI (``scanner.display.window``), otherwise a big coloured panel in the
terminal (``scanner.display.terminal``). A test passes ``RecordingView`` and reads back what
would have been shown.

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
from typing import Protocol

import cv2
from rich.console import Console

from scanner.display.screen import Screen
from scanner.display.terminal import TerminalView


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
            from scanner.display.window import WindowView

            return WindowView()
        except (ImportError, OSError, cv2.error):
            pass  # no Pillow or no font: the terminal still tells the filler everything
    return TerminalView(console)
