"""The QR data mask, chosen as segno chooses it, with numpy instead of pure Python.

``segno.make()`` spends about three quarters of its time choosing the data mask: it applies
each of the 8 masks in turn and scores every one with the four penalty rules of ISO/IEC 18004
§7.8.3 (N1 runs, N2 blocks, N3 finder-like patterns, N4 balance), module by module in Python.
That caps a core at about 250 symbols a second, half the labels bar.

Here the symbol is encoded once with mask 0 (segno skips the evaluation when told the mask),
its data modules are unmasked, and the 8 candidates are scored at once as arrays. The rules are
reproduced as segno applies them, down to its details (format and version areas light while
scoring; the N3 search resuming after a match), so the mask chosen, and so the whole symbol, is
the one ``segno.make()`` would have made: ``tests/labels/test_qr.py`` compares the two on
thousands of payloads. It is the standard's choice made faster, not a fixed mask.

Only the function-pattern layout and the format-information writer come from
``segno.encoder``, the same helpers segno's own mask search uses.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import segno
from segno import encoder

Bits = npt.NDArray[np.uint8]

N3_RUN = (1, 0, 1, 1, 1, 0, 1)  # dark:light:dark×3:light:dark, 1:1:3:1:1
N3_LIGHT = 4  # light modules needed on one side of the run
N3_POINTS, N2_POINTS, N4_POINTS = 40, 3, 10


@dataclass(frozen=True, slots=True)
class Layout:
    """What does not depend on the payload, for one symbol size. Arrays are bit-packed: bit k
    of each byte belongs to mask candidate k, so one array operation scores all eight."""

    function: Bits  # function modules as segno scores them (0 or 0xFF); 0 on data modules
    is_data: npt.NDArray[np.bool_]
    masks: Bits  # bit k: mask pattern k, on data modules only


@cache
def layout(size: int) -> Layout:
    matrix = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(matrix, size, size)
    encoder.add_alignment_patterns(matrix, size, size)
    grid = np.frombuffer(b"".join(matrix), dtype=np.uint8).reshape(size, size)
    is_data = grid == 2  # segno's "not yet set" value
    i, j = np.indices((size, size))
    patterns = [
        (i + j) % 2 == 0,
        i % 2 == 0,
        j % 3 == 0,
        (i + j) % 3 == 0,
        (i // 2 + j // 3) % 2 == 0,
        (i * j) % 2 + (i * j) % 3 == 0,
        ((i * j) % 2 + (i * j) % 3) % 2 == 0,
        ((i + j) % 2 + (i * j) % 3) % 2 == 0,
    ]
    masks = sum((p & is_data).astype(np.uint8) << k for k, p in enumerate(patterns))
    function = np.where(is_data, 0, grid * 0xFF).astype(np.uint8)
    return Layout(function, is_data, np.asarray(masks, dtype=np.uint8))


# Row b: the 8 bits of the byte value b, so that a histogram of byte values times this table
# counts the set modules of every candidate in one step.
_BITS_OF = ((np.arange(256)[:, None] >> np.arange(8)) & 1).astype(np.int64)


def count_bits(packed: Bits) -> npt.NDArray[np.int64]:
    """How many modules are set, for each of the 8 candidates."""
    return np.bincount(packed.ravel(), minlength=256) @ _BITS_OF


def _n1(lines: Bits) -> npt.NDArray[np.int64]:
    """Runs of 5 + k same-coloured modules score 3 + k: one point per 5-module window inside
    a run, plus 2 for the window that starts it."""
    same = ~(lines[:, 1:] ^ lines[:, :-1])
    window = same[:, :-3] & same[:, 1:-2] & same[:, 2:-1] & same[:, 3:]
    starts = window.copy()
    starts[:, 1:] &= ~same[:, : window.shape[1] - 1]
    return count_bits(window) + 2 * count_bits(starts)


def _n2(c: Bits) -> npt.NDArray[np.int64]:
    corner = c[1:, 1:]
    block = ~(corner ^ c[1:, :-1]) & ~(corner ^ c[:-1, 1:]) & ~(corner ^ c[:-1, :-1])
    return N2_POINTS * count_bits(block)


def _n3_matches(lines: Bits) -> tuple[Bits, Bits]:
    """Where the 1:1:3:1:1 run starts, and which of those have 4 light modules before or
    after it (outside the symbol counts as light, as segno has it)."""
    count, size = lines.shape
    span = size - len(N3_RUN) + 1
    padded = np.zeros((count, size + 2 * N3_LIGHT), dtype=np.uint8)
    padded[:, N3_LIGHT:-N3_LIGHT] = lines
    match = np.full((count, span), 0xFF, dtype=np.uint8)
    for k, bit in enumerate(N3_RUN):
        module = padded[:, N3_LIGHT + k : N3_LIGHT + k + span]
        match &= module if bit else ~module
    pairs = padded[:, 1:] | padded[:, :-1]
    dark4 = pairs[:, 2:] | pairs[:, :-2]  # dark4[q]: any dark module in q .. q + 3
    after = N3_LIGHT + len(N3_RUN)
    dark_sides: Bits = np.bitwise_and(dark4[:, :span], dark4[:, after : after + span])
    return match, np.bitwise_and(match, np.invert(dark_sides))


def _resumed_count(match: npt.NDArray[np.uint8], counted: npt.NDArray[np.uint8]) -> int:
    """segno's N3 search on one line: after a scored match it resumes 7 modules on, after an
    unscored one 4 on, so an overlapping match is sometimes not seen."""
    total, start = 0, 0
    for q in np.flatnonzero(match).tolist():
        if q < start:
            continue
        total += int(counted[q])
        start = q + (len(N3_RUN) if counted[q] else N3_LIGHT)
    return total


def _n3(lines: Bits) -> npt.NDArray[np.int64]:
    match, counted = _n3_matches(lines)
    score = count_bits(counted)
    # Two runs can overlap only 4 or 6 modules apart; only those lines need segno's search.
    overlap = np.bitwise_or.reduce(match[:, 4:] & match[:, :-4], axis=1)
    overlap |= np.bitwise_or.reduce(match[:, 6:] & match[:, :-6], axis=1)
    for line in np.flatnonzero(overlap):
        for k in range(8):
            if (overlap[line] >> k) & 1:
                m, c = (match[line] >> k) & 1, (counted[line] >> k) & 1
                score[k] += _resumed_count(m, c) - int(c.sum())
    return N3_POINTS * score


def penalties(candidates: Bits) -> list[int]:
    """The penalty of each of the 8 bit-packed candidates, as ``segno.encoder.evaluate_mask``."""
    size = candidates.shape[0]
    lines = np.concatenate([candidates, candidates.T])
    # Same float arithmetic as segno, so a proportion on a 5 % boundary rounds the same way.
    n4 = [
        N4_POINTS * int(abs(float(d) / (size**2) * 100 - 50) / 5)
        for d in count_bits(candidates).tolist()
    ]
    totals = _n1(lines) + _n2(candidates) + _n3(lines)
    return [int(t) + n for t, n in zip(totals.tolist(), n4, strict=True)]


def make_symbol(payload: str, error: str) -> segno.QRCode:
    """``segno.make(payload, error=error, micro=False)``, with the mask chosen here."""
    first = segno.make(payload, error=error, micro=False, mask=0)
    size = len(first.matrix)
    shape = layout(size)
    grid = np.frombuffer(b"".join(first.matrix), dtype=np.uint8).reshape(size, size)
    data: Bits = np.where(shape.is_data, (grid ^ shape.masks) & 1, 0)  # mask 0 undone
    scores = penalties(np.bitwise_or((data * np.uint8(0xFF)) ^ shape.masks, shape.function))
    best = scores.index(min(scores))  # the first lowest, as segno keeps it
    if best == 0:
        return first
    final = grid ^ (shape.masks & 1) ^ ((shape.masks >> best) & 1)
    matrix = tuple(bytearray(row.tobytes()) for row in final)
    level = encoder.normalize_errorlevel(first.error)
    encoder.add_format_info(matrix, first.version, level, best)
    symbol = copy.copy(first)
    symbol.matrix, symbol.mask = matrix, best
    return symbol
