"""Benchmark: QR labels per second as SVG, and one A4 PDF of 1,000 labels, on one core.

    .venv/bin/python bench/labels.py [--labels 2000] [--sheet 1000]

Pure rendering, no database: seeded label URLs shaped like ``Context.qr_payload`` (41
alphanumeric characters, so version 3 at level Q). Everything runs in one thread, so on one
core at a time. Both wall time and the process's CPU time are shown: on a shared machine the
wall clock also counts the time other processes held the core, the CPU time only ours. The
SVG run is repeated (``--repeat``) and judged on the median wall rate, with the range shown:
the speed of a shared virtual core itself drifts by more than half from minute to minute, as
the segno-only row run alongside shows. The load average is printed to tell a busy machine.

For comparison, ``segno.make()`` + SVG: the same symbols with segno choosing the mask itself
(the labels choose the same mask, faster: ``service/labels/mask.py``).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import time
from collections.abc import Callable

import segno

from service.domain.codes import ALPHABET, new_code
from service.labels.qr import QUIET_ZONE, symbol_svg
from service.labels.sheet import Label, render_sheets

SVG_BAR = 500  # labels per second
PDF_BAR = 10.0  # seconds for 1,000 labels
HOST = "HTTPS://CYL.EXAMPLE.CN"


def payloads(count: int, seed: int = 20261129) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        code = new_code(rng.randrange)
        tag = "".join(rng.choice(ALPHABET) for _ in range(4))
        out.append((code, f"{HOST}/C/{code}/{tag}"))
    return out


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall seconds and CPU seconds of ``work()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def rates(runs: list[tuple[float, float]]) -> str:
    walls = [w for w, _ in runs]
    cpu = statistics.median(c for _, c in runs)
    return f"{statistics.median(walls):,.0f}; {min(walls):,.0f}-{max(walls):,.0f} | {cpu:,.0f}"


def segno_svg(payload: str) -> bytes:
    out = io.BytesIO()
    segno.make(payload, error="q", micro=False).save(
        out, kind="svg", scale=0.85, unit="mm", border=QUIET_ZONE, light="#fff"
    )
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=int, default=2000, help="SVG labels to render")
    parser.add_argument("--sheet", type=int, default=1000, help="labels in the PDF")
    parser.add_argument("--repeat", type=int, default=5, help="SVG runs (median is judged)")
    args = parser.parse_args()

    items = payloads(max(args.labels, args.sheet))
    base = items[: min(500, args.labels)]
    ours: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    for _ in range(args.repeat):  # interleaved, so that both see the same machine
        wall, cpu = timed(lambda: [symbol_svg(p) for _, p in items[: args.labels]])
        ours.append((args.labels / wall, args.labels / cpu))
        wall, cpu = timed(lambda: [segno_svg(p) for _, p in base])
        theirs.append((len(base) / wall, len(base) / cpu))
    labels = [Label(code, payload, "甲燃气有限公司") for code, payload in items[: args.sheet]]
    pdf: list[bytes] = []
    pdf_wall, pdf_cpu = timed(lambda: pdf.append(render_sheets(labels)))

    svg_rate = statistics.median(w for w, _ in ours)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"one thread; payloads of {len(items[0][1])} characters; load average {load}\n")
    print("| what | wall (median; min-max) | CPU (median) | bar | met |")
    print("|---|---|---|---|---|")
    print(
        f"| SVG labels/s ({args.repeat} × {args.labels}) | {rates(ours)} "
        f"| ≥ {SVG_BAR} | {'yes' if svg_rate >= SVG_BAR else 'NO'} |"
    )
    print(
        f"| segno.make() + SVG labels/s ({args.repeat} × {len(base)}), for comparison "
        f"| {rates(theirs)} | — | — |"
    )
    ratio = statistics.median(o[0] / t[0] for o, t in zip(ours, theirs, strict=True))
    print(f"| labels ÷ segno.make(), same runs | {ratio:.2f} × | | | |")
    print(
        f"| A4 PDF of {args.sheet} labels, s ({len(pdf[0]) / 1e6:.1f} MB) "
        f"| {pdf_wall:.2f} | {pdf_cpu:.2f} | ≤ {PDF_BAR:g} "
        f"| {'yes' if pdf_wall <= PDF_BAR * args.sheet / 1000 else 'NO'} |"
    )
    print(
        "\n.venv/bin/python bench/labels.py "
        f"--labels {args.labels} --sheet {args.sheet} --repeat {args.repeat}"
    )


if __name__ == "__main__":
    main()
