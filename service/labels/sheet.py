"""Sheets of labels as one PDF: a grid of labels on each page, drawn with reportlab.

One label (60 × 35 mm by default)::

    ┌───────────────────────────────────┐
    │ ┌──────────────┐  7KQM            │   the code in large type, in groups of four
    │ │ quiet zone   │  4XR9            │
    │ │  ┌────────┐  │  2TB             │
    │ │  │   QR   │  │                  │
    │ │  └────────┘  │  甲燃气有限公司    │   the owner, on up to two lines
    │ │              │  扫码查询         │
    │ └──────────────┘  scan to check   │
    └───────────────────────────────────┘

The QR square fills the label's height less the padding, quiet zone included; the text
column takes the rest. The QR is vector (one filled path per symbol, from segno's matrix), so
a printer draws every module edge at its own resolution. Text uses the embedded WenQuanYi
Micro Hei (``fonts/README.md``): a PDF that leaves Chinese to the reader's fonts prints boxes
on a printer that has none.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from service.domain.codes import format_code
from service.labels.qr import QUIET_ZONE, make_symbol

FONT_NAME = "WenQuanYiMicroHei"
FONT_FILE = Path(__file__).with_name("fonts") / "wqy-microhei.ttf"
SCAN_PROMPT = "扫码查询 / scan to check"
MIN_MARGIN_MM = 5.0  # most printers cannot print nearer the paper's edge
MIN_TEXT_MM = 15.0
MIN_HEIGHT_MM = 20.0
LEADING = 1.15  # line height / font size
CODE_LEADING = 1.0  # capitals and digits only: no descenders to make room for
BOLD_STROKE = 0.04  # outline width for the code, per point of type size
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Label:
    code: str
    payload: str  # exactly the text in the QR (Context.qr_payload)
    owner: str  # the owner's name, printed as it is registered (Chinese)


@dataclass(frozen=True, slots=True)
class Box:
    """A label's place on its page, in mm from the page's top-left corner."""

    page: int
    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class SheetSpec:
    """The grid, in mm. The default, 3 × 8 labels of 60 × 35 mm on A4, fits the common
    die-cut sheets; the grid is centred, which leaves 10 mm at the sides and 8.5 mm at top
    and bottom. ``padding`` keeps print off each label's edge, since a printer may shift a
    sheet by a millimetre or so; ``outline`` draws a faint cutting line for plain paper."""

    columns: int = 3
    rows: int = 8
    label_width: float = 60.0
    label_height: float = 35.0
    column_gap: float = 5.0
    row_gap: float = 0.0
    page_width: float = 210.0
    page_height: float = 297.0
    padding: float = 1.5
    outline: bool = False

    def __post_init__(self) -> None:
        if self.columns < 1 or self.rows < 1:
            raise ValueError("a sheet needs at least one row and one column")
        if min(self.left, self.top) < MIN_MARGIN_MM:
            raise ValueError(f"the grid leaves less than {MIN_MARGIN_MM} mm at the page's edge")
        if self.label_height < MIN_HEIGHT_MM or self.text_width < MIN_TEXT_MM:
            raise ValueError(
                f"a label needs {MIN_HEIGHT_MM} mm of height and {MIN_TEXT_MM} mm for text "
                "beside its QR square"
            )

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def left(self) -> float:
        grid = self.columns * self.label_width + (self.columns - 1) * self.column_gap
        return (self.page_width - grid) / 2

    @property
    def top(self) -> float:
        grid = self.rows * self.label_height + (self.rows - 1) * self.row_gap
        return (self.page_height - grid) / 2

    @property
    def qr_side(self) -> float:
        return self.label_height - 2 * self.padding

    @property
    def text_width(self) -> float:
        return self.label_width - self.qr_side - 2 * self.padding

    def box(self, index: int) -> Box:
        """Where label ``index`` (0-based, across then down, page after page) goes."""
        page, slot = divmod(index, self.per_page)
        row, column = divmod(slot, self.columns)
        return Box(
            page,
            self.left + column * (self.label_width + self.column_gap),
            self.top + row * (self.label_height + self.row_gap),
            self.label_width,
            self.label_height,
        )


DEFAULT_SHEET = SheetSpec()


@cache
def register_font() -> str:
    """Parsing the font takes a tenth of a second, so it is done once per process."""
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_FILE)))
    return FONT_NAME


def dark_runs(matrix: tuple[bytearray, ...]) -> list[tuple[int, int, int]]:
    """Each horizontal run of dark modules as (row, first column, column after the last)."""
    size = len(matrix)
    grid = np.frombuffer(b"".join(matrix), dtype=np.uint8).reshape(size, size)
    edges = np.diff(np.pad(grid.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    rows, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)
    return list(zip(rows.tolist(), starts.tolist(), ends.tolist(), strict=True))


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy line breaking: at a space where there is one (Latin), else between any two
    characters (Chinese has no spaces)."""
    lines: list[str] = []
    line = ""
    for char in text:
        if not line and char == " ":
            continue
        if pdfmetrics.stringWidth(line + char, font, size) <= width:
            line += char
            continue
        head, space, tail = line.rpartition(" ")
        if space and head and char != " ":
            lines.append(head)
            line = tail + char
        else:
            lines.append(line.rstrip())
            line = "" if char == " " else char
    if line.strip():
        lines.append(line.rstrip())
    return lines


@dataclass(frozen=True, slots=True)
class Block:
    size: float
    lines: list[str]
    leading: float = LEADING

    @property
    def height(self) -> float:
        return len(self.lines) * self.size * self.leading


def fit(
    text: str, font: str, width: float, height: float, largest: float, smallest: float
) -> Block:
    """The largest size (in half points) at which ``text`` fits the box; at the smallest
    size, the lines that fit, the last one cut short with an ellipsis."""
    size = largest
    while size >= smallest:
        lines = wrap(text, font, size, width)
        if Block(size, lines).height <= height:
            return Block(size, lines)
        size -= 0.5
    size = smallest
    lines = wrap(text, font, size, width)
    keep = max(1, int(height // (size * LEADING)))
    if len(lines) > keep:
        last = lines[keep - 1]
        while last and pdfmetrics.stringWidth(last + ELLIPSIS, font, size) > width:
            last = last[:-1]
        lines = [*lines[: keep - 1], last + ELLIPSIS]
    return Block(size, lines)


def code_block(code: str, font: str, width: float, largest: float) -> Block:
    """The code in groups of four (``format_code``): on one line if it fits, else one group
    to a line, so that every label reads the same way. The size is the largest at which the
    widest line fits."""
    spaced = format_code(code)
    width -= largest * BOLD_STROKE  # the outline sticks out half its width on either side
    lines = [spaced] if pdfmetrics.stringWidth(spaced, font, largest) <= width else spaced.split()
    widest = max(pdfmetrics.stringWidth(line, font, largest) for line in lines)
    return Block(largest * min(1.0, width / widest), lines, CODE_LEADING)


def prompt_block(font: str, width: float, size: float) -> Block:
    """The scan prompt on one line if it fits, else Chinese above English."""
    if pdfmetrics.stringWidth(SCAN_PROMPT, font, size) <= width:
        return Block(size, [SCAN_PROMPT])
    parts = SCAN_PROMPT.split(" / ")
    widest = max(pdfmetrics.stringWidth(p, font, size) for p in parts)
    return Block(size * min(1.0, width / widest), parts)


def draw_lines(pdf: Canvas, block: Block, x: float, top: float, *, bold: bool = False) -> float:
    """Draw ``block`` with its first line's ascender at ``top``; returns its bottom."""
    font = register_font()
    pdf.saveState()
    text = pdf.beginText()
    text.setFont(font, block.size, block.size * block.leading)
    if bold:
        # The font has one weight; outlining the glyphs as well as filling them thickens the
        # strokes, which keeps the code legible on a worn label.
        text.setTextRenderMode(2)
        pdf.setLineWidth(block.size * BOLD_STROKE)
    text.setTextOrigin(x, top - pdfmetrics.getAscent(font, block.size))
    for line in block.lines:
        text.textLine(line)
    pdf.drawText(text)
    pdf.restoreState()
    return top - block.height


def draw_symbol(pdf: Canvas, payload: str, x: float, y: float, side: float) -> None:
    """The QR with its quiet zone filling the square at (x, y) of ``side`` points."""
    matrix = make_symbol(payload).matrix
    module = side / (len(matrix) + 2 * QUIET_ZONE)
    left = x + QUIET_ZONE * module
    top = y + side - QUIET_ZONE * module
    path = pdf.beginPath()
    for row, start, end in dark_runs(matrix):
        path.rect(left + start * module, top - (row + 1) * module, (end - start) * module, module)
    pdf.drawPath(path, stroke=0, fill=1)


def draw_label(pdf: Canvas, label: Label, spec: SheetSpec, box: Box) -> None:
    font = register_font()
    pad = spec.padding * mm
    x = box.left * mm
    y = (spec.page_height - box.top - box.height) * mm  # reportlab counts from the bottom
    if spec.outline:
        pdf.saveState()
        pdf.setStrokeGray(0.75)
        pdf.setLineWidth(0.25)
        pdf.rect(x, y, box.width * mm, box.height * mm, stroke=1, fill=0)
        pdf.restoreState()
    draw_symbol(pdf, label.payload, x + pad, y + pad, spec.qr_side * mm)
    text_x = x + pad + spec.qr_side * mm
    width = spec.text_width * mm
    top = y + box.height * mm - pad
    code = code_block(label.code, font, width, largest=16)
    below_code = draw_lines(pdf, code, text_x, top, bold=True) - 1.5 * mm
    prompt = prompt_block(font, width, size=6)
    draw_lines(pdf, prompt, text_x, y + pad + prompt.height)
    room = below_code - (y + pad + prompt.height) - 1 * mm
    owner = fit(label.owner, font, width, room, largest=9, smallest=6)
    draw_lines(pdf, owner, text_x, below_code)


def render_sheets(
    labels: Sequence[Label],
    spec: SheetSpec = DEFAULT_SHEET,
    *,
    title: str = "气瓶标签 / cylinder labels",
    on_label: Callable[[int, int], None] | None = None,
) -> bytes:
    """One PDF holding every label, ``spec.per_page`` to a page, in the order given.
    ``on_label(done, total)`` is called after each label (for a progress bar)."""
    if not labels:
        raise ValueError("no labels to render")
    out = io.BytesIO()
    pdf = Canvas(
        out,
        pagesize=(spec.page_width * mm, spec.page_height * mm),
        pageCompression=1,
        # Else every page names Helvetica, a font not embedded. (types-reportlab has this
        # argument as a float; it is the font's name.)
        initialFontName=register_font(),  # type: ignore[arg-type]
    )
    pdf.setTitle(title)
    pdf.setCreator("cylinders 一瓶一码")
    for index, label in enumerate(labels):
        if index and index % spec.per_page == 0:
            pdf.showPage()
        draw_label(pdf, label, spec, spec.box(index))
        if on_label is not None:
            on_label(index + 1, len(labels))
    pdf.showPage()
    pdf.save()
    return out.getvalue()
