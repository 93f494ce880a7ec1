"""The full-screen verdict window (OpenCV), its picture drawn with Pillow: OpenCV's ``putText``
has no CJK glyphs. The font is the one the labels use, WenQuanYi Micro Hei, vendored in
``service/labels/fonts`` (read as a package resource: the scanner does not import the label
code). Imported only when ``scanner.display.view.choose_view`` has found that a window can
open here.
"""

from __future__ import annotations

import importlib.resources
from functools import cache

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from scanner.display.screen import Line, Screen, Tone

FONT = importlib.resources.files("service") / "labels" / "fonts" / "wqy-microhei.ttf"
SIZE = (1280, 720)  # drawn at this size; the full-screen window scales it
MARGIN = 48
# RGB
BACKGROUNDS = {
    Tone.ALLOW: (21, 128, 61),
    Tone.REFUSE: (185, 28, 28),
    Tone.DONE: (22, 101, 52),
    Tone.QUEUED: (161, 98, 7),
    Tone.NOTICE: (64, 64, 64),
}
WHITE, PALE, YELLOW, DARK = (255, 255, 255), (235, 235, 235), (253, 224, 71), (30, 30, 30)

Font = ImageFont.FreeTypeFont


@cache
def font(size: int) -> Font:
    with importlib.resources.as_file(FONT) as path:
        return ImageFont.truetype(str(path), size)


def wrap(text: str, face: Font, width: int) -> list[str]:
    """Greedy wrapping that works for Chinese (no spaces: any character may end a line) and
    English (words kept whole unless one alone is too wide)."""
    lines: list[str] = []
    current = ""
    for char in text:
        trial = current + char
        if face.getlength(trial) <= width or not current:
            current = trial
            continue
        cut = current.rfind(" ") if char != " " and current.isascii() else -1
        if cut > 0:
            lines.append(current[:cut])
            current = current[cut + 1 :] + char
        else:
            lines.append(current)
            current = char.lstrip()
    if current:
        lines.append(current)
    return lines


class _Pen:
    def __init__(self, draw: ImageDraw.ImageDraw | None, width: int, y: int = MARGIN):
        self.draw, self.width, self.y = draw, width, y

    def text(
        self, text: str, size: int, fill: tuple[int, int, int], *, center: bool = False
    ) -> None:
        face = font(size)
        for line in wrap(text, face, self.width - 2 * MARGIN):
            x = (self.width - face.getlength(line)) / 2 if center else MARGIN
            if self.draw is not None:  # None: only measuring
                self.draw.text((x, self.y), line, font=face, fill=fill)
            self.y += int(size * 1.25)

    def reasons(self, lines: tuple[Line, ...], sizes: tuple[int, int]) -> None:
        for line in lines:
            self.text("• " + line.zh, sizes[0], WHITE)
            self.text("   " + line.en, sizes[1], PALE)


# Reason text sizes (Chinese, English), largest first: the largest that fits is used.
REASON_SIZES = ((44, 28), (36, 24), (30, 20), (24, 16))
BANNER_HEIGHT = 110


def _reason_sizes(lines: tuple[Line, ...], width: int, top: int, bottom: int) -> tuple[int, int]:
    for sizes in REASON_SIZES:
        probe = _Pen(None, width, top)
        probe.reasons(lines, sizes)
        if probe.y <= bottom:
            return sizes
    return REASON_SIZES[-1]  # still too many: the last lines fall under the banner


def render(screen: Screen, size: tuple[int, int] = SIZE) -> NDArray[np.uint8]:
    """The screen as a BGR picture."""
    image = Image.new("RGB", size, BACKGROUNDS[screen.tone])
    draw = ImageDraw.Draw(image)
    pen = _Pen(draw, size[0])
    pen.text(screen.title.zh, 140, WHITE, center=True)
    pen.text(screen.title.en, 56, PALE, center=True)
    ident = "   ".join(x for x in (screen.code, screen.model) if x)
    if ident:
        pen.text(ident, 44, WHITE, center=True)
    pen.y += 8
    bottom = size[1] - (BANNER_HEIGHT if screen.banner is not None else MARGIN // 2)
    pen.reasons(screen.lines, _reason_sizes(screen.lines, size[0], pen.y, bottom))
    if screen.banner is not None:
        top = size[1] - BANNER_HEIGHT
        draw.rectangle((0, top, size[0], size[1]), fill=YELLOW)
        pen.y = top + 14
        pen.text(screen.banner.zh, 36, DARK)
        pen.text(screen.banner.en, 24, DARK)
    rgb = np.asarray(image, dtype=np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1])


class WindowView:
    NAME = "cylinder-scan"

    def __init__(self) -> None:
        font(48)  # fails here (OSError), before any window, if the font is missing
        cv2.namedWindow(self.NAME, cv2.WINDOW_NORMAL)
        cv2.setWindowProperty(self.NAME, cv2.WND_PROP_FULLSCREEN, cv2.WINDOW_FULLSCREEN)

    def show(self, screen: Screen) -> None:
        cv2.imshow(self.NAME, render(screen))
        cv2.waitKey(1)

    def tick(self) -> None:
        cv2.waitKey(1)

    def close(self) -> None:
        cv2.destroyWindow(self.NAME)
